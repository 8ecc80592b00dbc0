//! Customers and their accounts at the counter: new customers (offline too), and payments on
//! account allocated to the oldest open invoices or the ones the customer names (DESIGN §5).

use serde::Serialize;
use tillbook_core::catalog::{Customer, Lookup, Role};
use tillbook_core::documents::{
    Allocation, CreditApplied, CreditRefunded, CustomerCreated, Document, Payment, Settlement, Tender, TenderInput,
    TenderMethod, settle,
};
use tillbook_core::ids::{CustomerId, DocumentId};
use tillbook_core::receivables::allocate;
use tillbook_core::{DocumentError, Money};

use super::{Recorded, ShiftNeed, SqlLookup, Warning, Work};
use crate::error::{Result, TillError};
use crate::master::upsert_customer;
use crate::reports::{customer_credit, open_invoices};
use crate::staff::Session;
use crate::store::documents;
use crate::till::Till;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentOutcome {
    pub payment_id: DocumentId,
    pub receipt_number: String,
    pub total: Money,
    pub allocations: Vec<Allocation>,
    /// Kept as the customer's credit (2300).
    pub unapplied: Money,
    pub change: Money,
    pub tenders: Vec<Tender>,
    pub warnings: Vec<Warning>,
    pub recorded: Recorded,
}

/// A customer's credit used at the counter: applied to their invoices, or paid back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CreditOutcome {
    pub document_id: DocumentId,
    /// A refund's receipt number (money leaves the drawer); none for credit applied.
    pub receipt_number: Option<String>,
    pub total: Money,
    /// The invoices the credit paid, and how much of each.
    pub allocations: Vec<Allocation>,
    pub tenders: Vec<Tender>,
    /// What the customer still holds here afterwards.
    pub credit_left: Money,
    pub recorded: Recorded,
}

/// The credit the customer holds here, if it covers `amount`.
fn enough_credit(work: &Work<'_>, customer_id: CustomerId, amount: Money) -> Result<Money> {
    let held = customer_credit(&work.tx, customer_id)?;
    if !amount.is_positive() {
        return Err(DocumentError::NegativeAmount { line: 0, what: "the credit used" }.into());
    }
    if amount > held {
        return Err(TillError::NotEnoughCredit { held, asked: amount });
    }
    Ok(held)
}

impl Till {
    /// `amount` of a customer's credit applied to their open invoices at this business, oldest
    /// first. The till checks the credit it took itself; head office checks again on merge
    /// against what the customer holds across the group (`not_enough_credit`).
    pub fn apply_credit(&mut self, session: &Session, customer_id: CustomerId, amount: Money) -> Result<CreditOutcome> {
        let mut work = self.work(session, ShiftNeed::IfOpen)?;
        let held = enough_credit(&work, customer_id, amount)?;
        let open = open_invoices(&work.tx, customer_id, Some(work.business.id))?;
        let (allocations, beyond) = allocate(amount, &open, None);
        if beyond.is_positive() {
            return Err(TillError::CreditBeyondInvoices { owed: amount.checked_sub(beyond)? });
        }
        let applied = CreditApplied { application_id: DocumentId::new(), customer_id, allocations, total: amount };
        let recorded = work.record(&Document::CreditApplied(applied.clone()))?;
        work.commit()?;
        Ok(CreditOutcome {
            document_id: applied.application_id,
            receipt_number: None,
            total: amount,
            allocations: applied.allocations,
            tenders: Vec::new(),
            credit_left: held.checked_sub(amount)?,
            recorded,
        })
    }

    /// A customer's credit paid back over the counter, from the drawer or the till's M-Pesa.
    /// Money leaves the drawer, so a supervisor authorises it, as a refund of goods.
    pub fn refund_credit(
        &mut self,
        session: &Session,
        authorised_by: &Session,
        customer_id: CustomerId,
        tender: &TenderInput,
    ) -> Result<CreditOutcome> {
        authorised_by.require_supervisor("pay credit back")?;
        if tender.method == TenderMethod::Credit {
            return Err(DocumentError::CreditNotAllowed("credit paid back").into());
        }
        let mut work = self.work(session, ShiftNeed::Required)?;
        let held = enough_credit(&work, customer_id, tender.amount)?;
        let settlement = settle(tender.amount, std::slice::from_ref(tender))?;
        let refund = CreditRefunded {
            refund_id: DocumentId::new(),
            receipt_number: work.next_receipt_number()?,
            customer_id,
            tenders: settlement.tenders,
            total: tender.amount,
        };
        let recorded = work.record(&Document::CreditRefunded(refund.clone()))?;
        work.commit()?;
        Ok(CreditOutcome {
            document_id: refund.refund_id,
            receipt_number: Some(refund.receipt_number),
            total: refund.total,
            allocations: Vec::new(),
            tenders: refund.tenders,
            credit_left: held.checked_sub(refund.total)?,
            recorded,
        })
    }

    /// A new customer, usable at once on this till. Only a supervisor may grant credit.
    pub fn create_customer(
        &mut self,
        session: &Session,
        name: &str,
        phone: Option<&str>,
        credit_limit: Money,
    ) -> Result<(CustomerId, Recorded)> {
        if credit_limit.is_positive() && session.role < Role::Supervisor {
            return Err(TillError::NotAuthorised { action: "give a customer credit", needed: "supervisor" });
        }
        let mut work = self.work(session, ShiftNeed::IfOpen)?;
        let created = CustomerCreated {
            customer_id: CustomerId::new(),
            name: name.trim().to_string(),
            phone: phone.map(|p| p.trim().to_string()).filter(|p| !p.is_empty()),
            credit_limit,
        };
        let recorded = work.record(&Document::CustomerCreated(created.clone()))?;
        upsert_customer(
            &work.tx,
            &Customer { id: created.customer_id, name: created.name, phone: created.phone, credit_limit, active: true },
        )?;
        work.commit()?;
        Ok((created.customer_id, recorded))
    }

    /// A customer's name, phone or credit limit changed at this till. Anyone may correct a name
    /// or a phone; only a supervisor (or the owner) may change what the customer may owe.
    /// `phone`: `None` keeps the number the till has (it shows only its last digits).
    pub fn change_customer(
        &mut self,
        session: &Session,
        customer_id: CustomerId,
        name: &str,
        phone: Option<&str>,
        credit_limit: Money,
    ) -> Result<Recorded> {
        let mut work = self.work(session, ShiftNeed::IfOpen)?;
        let lookup = SqlLookup::new(&work.tx);
        let before = lookup.customer(customer_id);
        lookup.check()?;
        let before = before.ok_or(DocumentError::UnknownCustomer(customer_id))?;
        if credit_limit != before.credit_limit && session.role < Role::Supervisor {
            return Err(TillError::NotAuthorised { action: "change a customer's credit limit", needed: "supervisor" });
        }
        let phone = match phone {
            Some(phone) => Some(phone.trim().to_string()).filter(|phone| !phone.is_empty()),
            None => before.phone.clone(),
        };
        let changed = CustomerCreated { customer_id, name: name.trim().to_string(), phone, credit_limit };
        let recorded = work.record(&Document::CustomerChanged(changed.clone()))?;
        upsert_customer(
            &work.tx,
            &Customer {
                id: customer_id,
                name: changed.name,
                phone: changed.phone,
                credit_limit,
                active: before.active,
            },
        )?;
        work.commit()?;
        Ok(recorded)
    }

    /// A payment on account: allocated oldest-first (or to `chosen` invoices, in that order) among
    /// the customer's open invoices at this business; the rest is unapplied credit.
    pub fn receive_payment(
        &mut self,
        session: &Session,
        customer_id: CustomerId,
        tenders: &[TenderInput],
        chosen: Option<&[DocumentId]>,
    ) -> Result<PaymentOutcome> {
        let mut work = self.work(session, ShiftNeed::Required)?;
        let given = Money::sum(tenders.iter().map(|t| t.amount))?;
        let settlement = settle(given, tenders)?;
        let open = open_invoices(&work.tx, customer_id, Some(work.business.id))?;
        let (allocations, unapplied) = allocate(given, &open, chosen);
        let payment = Payment {
            payment_id: DocumentId::new(),
            receipt_number: work.next_receipt_number()?,
            customer_id,
            tenders: settlement.tenders,
            allocations,
            unapplied,
            total: given,
        };
        let recorded = work.record(&Document::PaymentReceived(payment.clone()))?;
        let warnings = write_payment(&mut work, &payment)?;
        work.commit()?;
        Ok(PaymentOutcome {
            payment_id: payment.payment_id,
            receipt_number: payment.receipt_number,
            total: payment.total,
            allocations: payment.allocations,
            unapplied: payment.unapplied,
            change: Money::ZERO,
            tenders: payment.tenders,
            warnings,
            recorded,
        })
    }
}

/// Settles a payment against `due`: cash beyond it is change; M-Pesa beyond it stays paid (it
/// cannot be handed back over the counter) and becomes credit.
pub(crate) fn settle_up_to(due: Money, inputs: &[TenderInput]) -> Result<Settlement> {
    let given = Money::sum(inputs.iter().map(|t| t.amount.max(Money::ZERO)))?;
    let non_cash =
        Money::sum(inputs.iter().filter(|t| t.method != TenderMethod::Cash).map(|t| t.amount.max(Money::ZERO)))?;
    if inputs.iter().any(|t| t.method == TenderMethod::Credit) {
        return Err(DocumentError::CreditNotAllowed("a payment").into());
    }
    let total = given.min(due).max(non_cash);
    Ok(settle(total, inputs)?)
}

/// A payment's own row (its tenders and allocations are its effects, written by the recording),
/// and the warnings of its recording.
pub(crate) fn write_payment(work: &mut Work<'_>, payment: &Payment) -> Result<Vec<Warning>> {
    documents::payment(work, payment)?;
    Ok(std::mem::take(&mut work.warnings))
}
