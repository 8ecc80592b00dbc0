//! Laundry at the counter: a drop-off is an invoice to the customer with a ticket; the job moves
//! received → washing → ready → collected; payments go against the job; a cancellation
//! reverses the invoice and turns what was paid into the customer's credit (DESIGN §5).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use tillbook_core::catalog::Lookup;
use tillbook_core::documents::{
    Allocation, Document, JobStatus, LaundryDropOff, LaundryItem, LaundryStatusChange, Payment, TenderInput,
};
use tillbook_core::ids::{CustomerId, DocumentId, LaundryServiceId};
use tillbook_core::{DocumentError, Money, Quantity};

use super::accounts::{PaymentOutcome, settle_up_to, write_payment};
use super::{Recorded, ShiftNeed, Work};
use crate::error::{Result, TillError};
use crate::master::SqlLookup;
use crate::reports::invoice_outstanding;
use crate::staff::Session;
use crate::store::{counter, documents};
use crate::till::Till;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DropOffRequest {
    pub customer_id: CustomerId,
    pub items: Vec<LaundryItemRequest>,
    pub promised_at: DateTime<FixedOffset>,
    #[serde(default)]
    pub notes: String,
    /// A deposit taken at drop-off, if any.
    #[serde(default)]
    pub deposit: Vec<TenderInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LaundryItemRequest {
    pub service_id: LaundryServiceId,
    #[serde(default)]
    pub description: String,
    /// Kilos or pieces, as the service is priced.
    pub quantity: Quantity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropOffOutcome {
    pub job_id: DocumentId,
    pub ticket_number: String,
    pub items: Vec<LaundryItem>,
    pub total: Money,
    /// The VAT inside the total, for the ticket.
    pub vat: Money,
    pub deposit: Option<PaymentOutcome>,
    pub balance_due: Money,
    /// When the customer was told it will be ready.
    pub promised_at: DateTime<FixedOffset>,
    pub recorded: Recorded,
}

impl Till {
    pub fn laundry_drop_off(&mut self, session: &Session, request: &DropOffRequest) -> Result<DropOffOutcome> {
        let mut work = self.work(session, ShiftNeed::IfOpen)?;
        if !request.deposit.is_empty() && work.shift_id.is_none() {
            return Err(TillError::NoOpenShift);
        }
        let items = price_items(&work, &request.items)?;
        let total = Money::sum(items.iter().map(|item| item.line_total))?;
        let job = LaundryDropOff {
            job_id: DocumentId::new(),
            ticket_number: work.next_receipt_number()?,
            customer_id: request.customer_id,
            items,
            total,
            promised_at: request.promised_at,
            notes: request.notes.clone(),
        };
        let recorded = work.record_with(&Document::LaundryDropOff(job.clone()), |work| documents::job(work, &job))?;
        let deposit = if request.deposit.is_empty() {
            None
        } else {
            Some(pay_job(&mut work, job.job_id, job.customer_id, &request.deposit)?)
        };
        let balance_due = invoice_outstanding(&work.tx, job.job_id)?;
        work.commit()?;
        Ok(DropOffOutcome {
            job_id: job.job_id,
            ticket_number: job.ticket_number,
            vat: LaundryDropOff::vat_of(&job.items)?,
            items: job.items,
            total,
            deposit,
            balance_due,
            promised_at: job.promised_at,
            recorded,
        })
    }

    /// A payment against a job; cash beyond the balance is change.
    pub fn laundry_pay(
        &mut self,
        session: &Session,
        ticket_number: &str,
        tenders: &[TenderInput],
    ) -> Result<PaymentOutcome> {
        let mut work = self.work(session, ShiftNeed::Required)?;
        let job = counter::find_job(&work, ticket_number)?;
        if job.status == JobStatus::Cancelled {
            return Err(TillError::AlreadyReversed(job.ticket_number));
        }
        let outcome = pay_job(&mut work, job.id, job.customer_id, tenders)?;
        work.commit()?;
        Ok(outcome)
    }

    /// Moves a job along (washing, ready). Collection and cancellation have their own methods.
    pub fn laundry_set_status(&mut self, session: &Session, ticket_number: &str, to: JobStatus) -> Result<Recorded> {
        if matches!(to, JobStatus::Collected | JobStatus::Cancelled) {
            return Err(DocumentError::InvalidStatusChange { from: "any", to: to.as_str() }.into());
        }
        let mut work = self.work(session, ShiftNeed::IfOpen)?;
        let job = counter::find_job(&work, ticket_number)?;
        let recorded = change_status(&mut work, &job, to, String::new(), Money::ZERO)?;
        work.commit()?;
        Ok(recorded)
    }

    /// The customer collects: pays what they pay now (if anything) and takes the job. A balance
    /// left unpaid stays on their account.
    pub fn laundry_collect(
        &mut self,
        session: &Session,
        ticket_number: &str,
        tenders: &[TenderInput],
    ) -> Result<Collection> {
        let shift = if tenders.is_empty() { ShiftNeed::IfOpen } else { ShiftNeed::Required };
        let mut work = self.work(session, shift)?;
        let job = counter::find_job(&work, ticket_number)?;
        let payment =
            if tenders.is_empty() { None } else { Some(pay_job(&mut work, job.id, job.customer_id, tenders)?) };
        let recorded = change_status(&mut work, &job, JobStatus::Collected, String::new(), Money::ZERO)?;
        let balance_left = invoice_outstanding(&work.tx, job.id)?;
        work.commit()?;
        Ok(Collection { job_id: job.id, payment, balance_left, recorded })
    }

    /// Cancels a job not yet collected (a supervisor's decision): the invoice is reversed and
    /// what was paid becomes the customer's credit.
    pub fn laundry_cancel(
        &mut self,
        session: &Session,
        authorised_by: &Session,
        ticket_number: &str,
        reason: &str,
    ) -> Result<Recorded> {
        authorised_by.require_supervisor("cancel a laundry job")?;
        let mut work = self.work(session, ShiftNeed::IfOpen)?;
        let job = counter::find_job(&work, ticket_number)?;
        let total = counter::invoice_total(&work.tx, job.id)?;
        let outstanding = invoice_outstanding(&work.tx, job.id)?;
        let paid = total.checked_sub(outstanding)?;
        let recorded = change_status(&mut work, &job, JobStatus::Cancelled, reason.to_string(), paid)?;
        work.commit()?;
        Ok(recorded)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Collection {
    /// The job collected: its invoice is what KRA signed (at drop-off).
    pub job_id: DocumentId,
    pub payment: Option<PaymentOutcome>,
    pub balance_left: Money,
    pub recorded: Recorded,
}

fn price_items(work: &Work<'_>, requests: &[LaundryItemRequest]) -> Result<Vec<LaundryItem>> {
    if requests.is_empty() {
        return Err(DocumentError::NoLines("a laundry job").into());
    }
    let lookup = SqlLookup::new(&work.tx);
    let mut items = Vec::with_capacity(requests.len());
    for (index, request) in requests.iter().enumerate() {
        let service = lookup.laundry_service(request.service_id).filter(|service| service.active);
        let Some(service) = service else {
            lookup.check()?;
            return Err(DocumentError::UnknownLaundryService(request.service_id).into());
        };
        if !request.quantity.is_positive() {
            return Err(DocumentError::QuantityNotPositive { line: index }.into());
        }
        let description =
            if request.description.trim().is_empty() { service.name.clone() } else { request.description.clone() };
        items.push(LaundryItem {
            service_id: service.id,
            description,
            quantity: request.quantity,
            unit_price: service.price,
            vat_rate: service.vat_rate,
            line_total: service.price.times(request.quantity)?,
        });
    }
    lookup.check()?;
    Ok(items)
}

fn change_status(
    work: &mut Work<'_>,
    job: &counter::Job,
    to: JobStatus,
    reason: String,
    paid: Money,
) -> Result<Recorded> {
    let change = LaundryStatusChange {
        job_id: job.id,
        ticket_number: job.ticket_number.clone(),
        from: job.status,
        to,
        reason,
        paid,
    };
    work.record(&Document::LaundryStatusChange(change))
}

/// Records a `laundry.paid` payment allocated to the job; anything past the balance that is not
/// cash change becomes the customer's credit.
fn pay_job(
    work: &mut Work<'_>,
    job_id: DocumentId,
    customer_id: CustomerId,
    inputs: &[TenderInput],
) -> Result<PaymentOutcome> {
    let outstanding = invoice_outstanding(&work.tx, job_id)?;
    let settlement = settle_up_to(outstanding, inputs)?;
    let paid = Money::sum(settlement.tenders.iter().map(|t| t.amount))?;
    let applied = paid.min(outstanding);
    let allocations =
        if applied.is_positive() { vec![Allocation { invoice_id: job_id, amount: applied }] } else { vec![] };
    let payment = Payment {
        payment_id: DocumentId::new(),
        receipt_number: work.next_receipt_number()?,
        customer_id,
        tenders: settlement.tenders,
        allocations,
        unapplied: paid.checked_sub(applied)?,
        total: paid,
    };
    let recorded = work.record(&Document::LaundryPaid(payment.clone()))?;
    let warnings = write_payment(work, &payment)?;
    Ok(PaymentOutcome {
        payment_id: payment.payment_id,
        receipt_number: payment.receipt_number,
        total: payment.total,
        allocations: payment.allocations,
        unapplied: payment.unapplied,
        change: settlement.change,
        tenders: payment.tenders,
        warnings,
        recorded,
    })
}
