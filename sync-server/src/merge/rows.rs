//! The rows an accepted batch writes, gathered per table and written with one statement per
//! table (DESIGN §7: set-based, no per-line round trips). The tables every sale only inserts
//! into (inbox, sales, sale lines, tenders, VAT lines) go in by one binary `COPY` each
//! ([`crate::copy`]: about a quarter less CPU for the whole merge than the `unnest` below), and
//! so do the journal ([`crate::journal`]) and the stock movements; their running totals, summed
//! here, travel as typed arrays, one per column, in Postgres's binary format, unpacked with
//! `unnest`; the rest as one JSONB array per table unpacked with `jsonb_populate_recordset`.
//! Either spares Postgres parsing a few megabytes of JSON per batch; the rarer tables are not
//! worth the longer code.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;
use sqlx::PgConnection;
use sqlx::types::Json;
use tillbook_core::documents::{CreditUse, Document, Effects, JobStatus, NewCylinder};
use tillbook_core::ids::{
    BusinessId, CustomerId, CylinderTypeId, DeviceId, DocumentId, EventId, LaundryServiceId, ProductId,
};
use tillbook_core::journal::JournalEntry;
use tillbook_core::money::{Money, Quantity, VatRate};
use tillbook_core::protocol::Reason;
use uuid::Uuid;

use super::validate::Snapshot;
use crate::copy::BinaryCopy;
use crate::journal::{self, EntryRow, LineRow, insert_journal};
use tillbook_core::protocol::RawEvent;

pub struct InboxRow<'a> {
    pub event_id: EventId,
    pub device_id: DeviceId,
    pub device_seq: i64,
    pub event_type: String,
    pub business_id: BusinessId,
    pub occurred_at: DateTime<FixedOffset>,
    pub recorded_by: Option<Uuid>,
    /// The event's JSON exactly as the till sent it.
    pub raw: &'a str,
    pub status: &'static str,
}

#[derive(Serialize)]
pub struct QuarantineRow {
    pub event_id: EventId,
    pub reason_code: String,
    pub reason_message: String,
}

#[derive(Serialize)]
struct FlagRow {
    event_id: EventId,
    code: String,
    message: String,
}

/// A shift opened or closed at a till (`shift_opened`, `shift_closed`): the Z report's head.
#[derive(Serialize)]
struct ShiftOpenedRow {
    event_id: EventId,
    shift_id: tillbook_core::ids::ShiftId,
    business_id: BusinessId,
    device_id: DeviceId,
    opened_by: Option<tillbook_core::ids::StaffId>,
    float: Money,
    occurred_at: DateTime<FixedOffset>,
    business_day: NaiveDate,
}

#[derive(Serialize)]
struct ShiftClosedRow {
    event_id: EventId,
    shift_id: tillbook_core::ids::ShiftId,
    business_id: BusinessId,
    device_id: DeviceId,
    closed_by: Option<tillbook_core::ids::StaffId>,
    expected: Money,
    counted: Money,
    difference: Money,
    occurred_at: DateTime<FixedOffset>,
    business_day: NaiveDate,
}

#[derive(Serialize)]
struct CustomerRow {
    id: CustomerId,
    name: String,
    phone: Option<String>,
    credit_limit: Money,
}

struct SaleRow {
    sale_id: DocumentId,
    event_id: EventId,
    business_id: BusinessId,
    device_id: DeviceId,
    kind: &'static str,
    receipt_number: String,
    occurred_at: DateTime<FixedOffset>,
    business_day: NaiveDate,
    total: Money,
    original_id: Option<DocumentId>,
}

struct SaleLineRow {
    sale_id: DocumentId,
    line_no: i16,
    product_id: ProductId,
    quantity: Quantity,
    unit_price: Money,
    discount: Money,
    vat_rate: VatRate,
    line_total: Money,
}

struct TenderRow {
    document_id: DocumentId,
    line_no: i16,
    business_id: BusinessId,
    method: &'static str,
    amount: Money,
    mpesa_code: Option<String>,
    customer_id: Option<CustomerId>,
    occurred_at: DateTime<FixedOffset>,
}

struct StockMoveRow {
    business_id: BusinessId,
    product_id: ProductId,
    quantity: rust_decimal::Decimal,
    reason: &'static str,
    document_id: DocumentId,
    event_id: EventId,
    occurred_at: DateTime<FixedOffset>,
}

#[derive(Serialize)]
struct LpgRow {
    sale_id: DocumentId,
    cylinder_type_id: CylinderTypeId,
    quantity: i64,
    empty_in: Option<CylinderTypeId>,
    new_cylinder: Option<&'static str>,
    gas_total: Money,
    cylinder_total: Money,
}

#[derive(Serialize)]
struct CylinderMoveRow {
    cylinder_type_id: CylinderTypeId,
    full_delta: i64,
    empty_delta: i64,
    reason: &'static str,
    document_id: DocumentId,
    event_id: EventId,
}

#[derive(Serialize)]
struct InvoiceRow {
    invoice_id: DocumentId,
    business_id: BusinessId,
    customer_id: CustomerId,
    number: String,
    kind: &'static str,
    issued_at: DateTime<FixedOffset>,
    business_day: NaiveDate,
    amount: Money,
    event_id: EventId,
}

#[derive(Serialize)]
struct CancellationRow {
    invoice_id: DocumentId,
    event_id: EventId,
}

#[derive(Serialize)]
struct PaymentRow {
    payment_id: DocumentId,
    business_id: BusinessId,
    customer_id: CustomerId,
    receipt_number: String,
    total: Money,
    unapplied: Money,
    occurred_at: DateTime<FixedOffset>,
    event_id: EventId,
}

#[derive(Serialize)]
struct AllocationRow {
    invoice_id: DocumentId,
    document_id: DocumentId,
    amount: Money,
    event_id: EventId,
}

#[derive(Serialize)]
struct JobRow {
    job_id: DocumentId,
    business_id: BusinessId,
    ticket_number: String,
    customer_id: CustomerId,
    total: Money,
    promised_at: DateTime<FixedOffset>,
    notes: String,
    dropped_off_at: DateTime<FixedOffset>,
}

#[derive(Serialize)]
struct ItemRow {
    job_id: DocumentId,
    line_no: i16,
    service_id: LaundryServiceId,
    description: String,
    quantity: Quantity,
    unit_price: Money,
    line_total: Money,
}

#[derive(Serialize)]
struct StatusRow {
    job_id: DocumentId,
    from_status: Option<&'static str>,
    to_status: &'static str,
    occurred_at: DateTime<FixedOffset>,
    event_id: EventId,
}

/// A stock receipt as a purchase; taken on account, a supplier invoice (`purchase`).
#[derive(Serialize)]
struct PurchaseRow {
    purchase_id: DocumentId,
    business_id: BusinessId,
    supplier_id: Option<tillbook_core::ids::SupplierId>,
    supplier_name: String,
    reference: String,
    business_day: NaiveDate,
    net: Money,
    vat: Money,
    total: Money,
    paid_by: &'static str,
    due_on: Option<NaiveDate>,
    event_id: EventId,
}

#[derive(Serialize)]
struct SupplierPaymentRow {
    payment_id: DocumentId,
    business_id: BusinessId,
    supplier_id: tillbook_core::ids::SupplierId,
    paid_from: &'static str,
    reference: String,
    amount: Money,
    business_day: NaiveDate,
    event_id: EventId,
}

#[derive(Serialize)]
struct SupplierAllocationRow {
    payment_id: DocumentId,
    purchase_id: DocumentId,
    amount: Money,
}

/// A document's VAT at one rate (`vat_line`): core's `Effects::vat`.
struct VatLineRow {
    event_id: EventId,
    document_id: DocumentId,
    business_id: BusinessId,
    business_day: NaiveDate,
    input: bool,
    rate: VatRate,
    net: Money,
    vat: Money,
}

/// The VAT lines of `original` written again, negated, under `mirror_id` on the day of the
/// void or cancellation that reverses it.
#[derive(Serialize)]
struct VatMirrorRow {
    original: DocumentId,
    mirror_id: DocumentId,
    event_id: EventId,
    business_day: NaiveDate,
}

/// A customer's credit applied or paid back (`credit_use`).
#[derive(Serialize)]
struct CreditUseRow {
    document_id: DocumentId,
    customer_id: CustomerId,
    business_id: BusinessId,
    kind: &'static str,
    amount: Money,
    business_day: NaiveDate,
    event_id: EventId,
}

#[derive(Serialize)]
struct VoidRow {
    document_id: DocumentId,
    void_id: DocumentId,
    event_id: EventId,
    occurred_at: DateTime<FixedOffset>,
}

/// Everything a batch writes besides the inbox and the quarantine.
#[derive(Default)]
pub struct Rows {
    entries: Vec<EntryRow>,
    lines: Vec<LineRow>,
    flags: Vec<FlagRow>,
    customers: Vec<CustomerRow>,
    /// Customers changed at a till, in the batch's order (the last change wins).
    changed_customers: Vec<CustomerRow>,
    shifts_opened: Vec<ShiftOpenedRow>,
    shifts_closed: Vec<ShiftClosedRow>,
    sales: Vec<SaleRow>,
    sale_lines: Vec<SaleLineRow>,
    tenders: Vec<TenderRow>,
    stock_moves: Vec<StockMoveRow>,
    lpg: Vec<LpgRow>,
    cylinder_moves: Vec<CylinderMoveRow>,
    invoices: Vec<InvoiceRow>,
    cancellations: Vec<CancellationRow>,
    payments: Vec<PaymentRow>,
    allocations: Vec<AllocationRow>,
    jobs: Vec<JobRow>,
    items: Vec<ItemRow>,
    statuses: Vec<StatusRow>,
    voids: Vec<VoidRow>,
    purchases: Vec<PurchaseRow>,
    supplier_payments: Vec<SupplierPaymentRow>,
    supplier_allocations: Vec<SupplierAllocationRow>,
    vat_lines: Vec<VatLineRow>,
    vat_mirrors: Vec<VatMirrorRow>,
    credit_uses: Vec<CreditUseRow>,
    /// Which products each event moved out, for the negative-stock flag.
    outgoing: Vec<(EventId, ProductId)>,
    /// Jobs and customers whose state the tills should pull again.
    pub touched_jobs: Vec<DocumentId>,
    pub touched_customers: Vec<CustomerId>,
}

fn short(index: usize) -> i16 {
    i16::try_from(index).expect("documents have at most a few hundred lines")
}

/// The posting of one accepted event.
pub struct Posting<'a> {
    pub event: &'a RawEvent,
    pub document: &'a Document,
    pub effects: &'a Effects,
    pub entry: Option<&'a JournalEntry>,
    pub entry_number: Option<i64>,
    pub flags: &'a [Reason],
    pub business_day: NaiveDate,
    pub device_id: DeviceId,
}

impl Rows {
    pub fn add(&mut self, posting: Posting<'_>, snapshot: &Snapshot) {
        let Posting { event, document, effects, entry, entry_number, flags, business_day, device_id } = posting;
        let (event_id, business_id, at) = (event.event_id, event.business_id, event.occurred_at);
        for flag in flags {
            self.flags.push(FlagRow { event_id, code: flag.code.clone(), message: flag.message.clone() });
        }
        if let (Some(entry), Some(number)) = (entry, entry_number) {
            self.entries.push(EntryRow {
                entry_number: number,
                entry_id: entry.entry_id(),
                business_id,
                event_id: Some(event_id),
                event_type: event.event_type.clone(),
                document_id: tillbook_core::documents::document_id(document),
                occurred_at: at,
                business_day,
            });
            self.lines.extend(journal::line_rows(number, business_id, entry));
        }
        let sale = |rows: &mut Rows, sale_id, kind, receipt: &str, total, original_id| {
            rows.sales.push(SaleRow {
                sale_id,
                event_id,
                business_id,
                device_id,
                kind,
                receipt_number: receipt.to_string(),
                occurred_at: at,
                business_day,
                total,
                original_id,
            });
        };
        let document_id = tillbook_core::documents::document_id(document);
        if let Some(original) = effects.voids.or(effects.cancels_invoice) {
            let mirror_id = document_id.unwrap_or(original);
            self.vat_mirrors.push(VatMirrorRow { original, mirror_id, event_id, business_day });
        }
        if let (Some(used), Some(document_id)) = (effects.credit_used, document_id) {
            let CreditUse { customer_id, amount, kind } = used;
            self.credit_uses.push(CreditUseRow {
                document_id,
                customer_id,
                business_id,
                kind,
                amount,
                business_day,
                event_id,
            });
            self.touched_customers.push(customer_id);
        }
        for line in document_id.iter().flat_map(|id| effects.vat.iter().map(move |line| (*id, line))) {
            let (document_id, line) = line;
            self.vat_lines.push(VatLineRow {
                event_id,
                document_id,
                business_id,
                business_day,
                input: line.input,
                rate: line.rate,
                net: line.net,
                vat: line.vat,
            });
        }
        match document {
            Document::CustomerCreated(created) => {
                self.customers.push(CustomerRow {
                    id: created.customer_id,
                    name: created.name.clone(),
                    phone: created.phone.clone(),
                    credit_limit: created.credit_limit,
                });
            }
            Document::Sale(doc) => {
                sale(self, doc.sale_id, "sale", &doc.receipt_number, doc.total, None);
                for (index, line) in doc.lines.iter().enumerate() {
                    self.sale_lines.push(SaleLineRow {
                        sale_id: doc.sale_id,
                        line_no: short(index),
                        product_id: line.product_id,
                        quantity: line.quantity,
                        unit_price: line.unit_price,
                        discount: line.discount,
                        vat_rate: line.vat_rate,
                        line_total: line.line_total,
                    });
                }
            }
            Document::LpgSale(doc) => {
                sale(self, doc.sale_id, "lpg", &doc.receipt_number, doc.total, None);
                self.lpg.push(LpgRow {
                    sale_id: doc.sale_id,
                    cylinder_type_id: doc.cylinder_type_id,
                    quantity: doc.quantity.milli() / 1000,
                    empty_in: doc.empty_in,
                    new_cylinder: doc.new_cylinder.map(NewCylinder::as_str),
                    gas_total: doc.gas_total,
                    cylinder_total: doc.cylinder_total,
                });
            }
            Document::Refund(doc) => {
                sale(self, doc.refund_id, "refund", &doc.receipt_number, doc.total, Some(doc.sale_id));
            }
            Document::SaleVoided(void) | Document::DocumentVoided(void) => {
                self.voids.push(VoidRow {
                    document_id: void.document_id,
                    void_id: void.void_id,
                    event_id,
                    occurred_at: at,
                });
                if let Some(invoice) = snapshot.invoices.get(&void.document_id) {
                    self.touched_customers.push(invoice.customer_id);
                }
            }
            Document::LaundryDropOff(job) => {
                self.jobs.push(JobRow {
                    job_id: job.job_id,
                    business_id,
                    ticket_number: job.ticket_number.clone(),
                    customer_id: job.customer_id,
                    total: job.total,
                    promised_at: job.promised_at,
                    notes: job.notes.clone(),
                    dropped_off_at: at,
                });
                for (index, item) in job.items.iter().enumerate() {
                    self.items.push(ItemRow {
                        job_id: job.job_id,
                        line_no: short(index),
                        service_id: item.service_id,
                        description: item.description.clone(),
                        quantity: item.quantity,
                        unit_price: item.unit_price,
                        line_total: item.line_total,
                    });
                }
            }
            Document::LaundryPaid(payment) | Document::PaymentReceived(payment) => {
                self.payments.push(PaymentRow {
                    payment_id: payment.payment_id,
                    business_id,
                    customer_id: payment.customer_id,
                    receipt_number: payment.receipt_number.clone(),
                    total: payment.total,
                    unapplied: payment.unapplied,
                    occurred_at: at,
                    event_id,
                });
                self.touched_customers.push(payment.customer_id);
            }
            Document::CustomerChanged(changed) => self.changed_customers.push(CustomerRow {
                id: changed.customer_id,
                name: changed.name.clone(),
                phone: changed.phone.clone(),
                credit_limit: changed.credit_limit,
            }),
            Document::ShiftOpened(opened) => self.shifts_opened.push(ShiftOpenedRow {
                event_id,
                shift_id: opened.shift_id,
                business_id,
                device_id,
                opened_by: event.recorded_by,
                float: opened.float,
                occurred_at: at,
                business_day,
            }),
            Document::ShiftClosed(closed) => self.shifts_closed.push(ShiftClosedRow {
                event_id,
                shift_id: closed.shift_id,
                business_id,
                device_id,
                closed_by: event.recorded_by,
                expected: closed.expected_cash,
                counted: closed.counted_cash,
                difference: closed.difference,
                occurred_at: at,
                business_day,
            }),
            Document::StockReceipt(receipt) => {
                self.add_purchase(receipt, business_day, event_id, business_id, snapshot)
            }
            Document::SupplierPaid(payment) => {
                self.supplier_payments.push(SupplierPaymentRow {
                    payment_id: payment.payment_id,
                    business_id,
                    supplier_id: payment.supplier_id,
                    paid_from: payment.paid_from.as_str(),
                    reference: payment.reference.trim().to_string(),
                    amount: payment.amount,
                    business_day,
                    event_id,
                });
                // The merge's allocations (chosen, then oldest first), not the till's.
                for allocation in effects.supplier_payment.iter().flat_map(|settled| &settled.allocations) {
                    self.supplier_allocations.push(SupplierAllocationRow {
                        payment_id: payment.payment_id,
                        purchase_id: allocation.invoice_id,
                        amount: allocation.amount,
                    });
                }
            }
            _ => {}
        }
        let Some(document_id) = document_id else { return self.add_status(effects, event, snapshot) };
        for movement in effects.stocked(snapshot) {
            if movement.quantity < Quantity::default() {
                self.outgoing.push((event_id, movement.product_id));
            }
            self.stock_moves.push(StockMoveRow {
                business_id,
                product_id: movement.product_id,
                quantity: movement.quantity.decimal(),
                reason: movement.reason.as_str(),
                document_id,
                event_id,
                occurred_at: at,
            });
        }
        for movement in &effects.cylinders {
            self.cylinder_moves.push(CylinderMoveRow {
                cylinder_type_id: movement.cylinder_type_id,
                full_delta: movement.full_delta,
                empty_delta: movement.empty_delta,
                reason: movement.reason.as_str(),
                document_id,
                event_id,
            });
        }
        for (index, tender) in effects.tenders.iter().enumerate() {
            self.tenders.push(TenderRow {
                document_id,
                line_no: short(index),
                business_id,
                method: tender.method.as_str(),
                amount: tender.amount,
                mpesa_code: tender.mpesa_code.clone(),
                customer_id: tender.customer_id,
                occurred_at: at,
            });
        }
        if let Some(invoice) = &effects.invoice {
            self.invoices.push(InvoiceRow {
                invoice_id: invoice.invoice_id,
                business_id,
                customer_id: invoice.customer_id,
                number: invoice.number.clone(),
                kind: invoice.kind.as_str(),
                issued_at: at,
                business_day,
                amount: invoice.amount,
                event_id,
            });
            self.touched_customers.push(invoice.customer_id);
        }
        for allocation in &effects.allocations {
            // A credit note needs the invoice it is against (the judgement checked the customer).
            let Some(invoice) = snapshot.invoices.get(&allocation.invoice_id) else { continue };
            self.allocations.push(AllocationRow {
                invoice_id: allocation.invoice_id,
                document_id,
                amount: allocation.amount,
                event_id,
            });
            self.touched_customers.push(invoice.customer_id);
            if snapshot.job_status.contains_key(&allocation.invoice_id) {
                self.touched_jobs.push(allocation.invoice_id);
            }
        }
        self.add_status(effects, event, snapshot);
    }

    /// A stock receipt's purchase row: its input VAT, and on account when it falls due.
    fn add_purchase(
        &mut self,
        receipt: &tillbook_core::documents::StockReceipt,
        business_day: NaiveDate,
        event_id: EventId,
        business_id: BusinessId,
        snapshot: &Snapshot,
    ) {
        use tillbook_core::documents::SupplierPayment;
        let supplier = receipt.supplier_id.and_then(|id| snapshot.suppliers.get(&id));
        let on_account = receipt.paid_by == SupplierPayment::OnAccount;
        let due_on = supplier
            .filter(|_| on_account)
            .and_then(|supplier| business_day.checked_add_days(chrono::Days::new(u64::from(supplier.terms_days))));
        // `validate` summed these already; a receipt whose sums overflow was quarantined.
        let (net, vat) = (receipt.net().unwrap_or(receipt.total), receipt.vat().unwrap_or(Money::ZERO));
        self.purchases.push(PurchaseRow {
            purchase_id: receipt.receipt_id,
            business_id,
            supplier_id: receipt.supplier_id,
            supplier_name: supplier.map_or_else(|| receipt.supplier.trim().to_string(), |s| s.name.clone()),
            reference: receipt.reference.trim().to_string(),
            business_day,
            net,
            vat,
            total: receipt.total,
            paid_by: receipt.paid_by.as_str(),
            due_on,
            event_id,
        });
    }

    /// A laundry job's status change and, for a cancellation, its invoice's.
    fn add_status(&mut self, effects: &Effects, event: &RawEvent, snapshot: &Snapshot) {
        let Some(change) = &effects.status else { return };
        self.statuses.push(StatusRow {
            job_id: change.job_id,
            from_status: change.from.map(JobStatus::as_str),
            to_status: change.to.as_str(),
            occurred_at: event.occurred_at,
            event_id: event.event_id,
        });
        if let Some(invoice_id) = effects.cancels_invoice {
            self.cancellations.push(CancellationRow { invoice_id, event_id: event.event_id });
            if let Some(invoice) = snapshot.invoices.get(&invoice_id) {
                self.touched_customers.push(invoice.customer_id);
            }
        }
        self.touched_jobs.push(change.job_id);
    }

    /// Customers created by this batch's events, for the change feed.
    /// The customers the batch changed, with what they were changed to (for the audit log).
    pub fn changed_customers(&self) -> impl Iterator<Item = (Uuid, serde_json::Value)> + '_ {
        self.changed_customers.iter().map(|customer| {
            // The audit keeps the name and limit, never the phone number.
            let details = serde_json::json!({ "name": customer.name, "credit_limit": customer.credit_limit });
            (customer.id.0, details)
        })
    }

    /// Customers created or changed by the batch: the tills pull them again.
    pub fn created_customers(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> =
            self.customers.iter().chain(&self.changed_customers).map(|customer| customer.id.0).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The documents this batch voids.
    pub fn voided_documents(&self) -> impl Iterator<Item = DocumentId> + '_ {
        self.voids.iter().map(|void| void.document_id)
    }

    /// Gives the batch's entries their numbers: the `k`-th entry of a business in the batch
    /// (counted from 1 when it was added) becomes that business's `last_before + k`.
    pub fn number_entries(&mut self, last_before: &HashMap<BusinessId, i64>) {
        for entry in &mut self.entries {
            entry.entry_number += last_before[&entry.business_id];
        }
        for line in &mut self.lines {
            line.entry_number += last_before[&line.business_id];
        }
    }

    /// The journal: entries, lines, balances and day totals, once
    /// [`Rows::number_entries`] has numbered them.
    pub async fn write_journal(&self, connection: &mut PgConnection) -> Result<(), sqlx::Error> {
        insert_journal(connection, &self.entries, &self.lines).await
    }

    /// The batch's new documents that change nothing another merge reads or writes (each its
    /// own rows, under its own new id), written before the business's turn
    /// ([`crate::changes::take_entry_numbers`]) so that merges of one business overlap in them:
    /// new customers, sales with their lines and gas (their day totals are per till, whose
    /// merges run one at a time), tenders, invoices (with their settlements), laundry jobs and
    /// their items, payments, purchases, supplier payments, credit used, VAT lines and stock
    /// movements (their running levels are shared, and change in the turn:
    /// [`Rows::write_documents`]). Each event's inbox row is already in: the sales', VAT lines'
    /// and movements' checks find it.
    pub async fn write_new_documents(&self, connection: &mut PgConnection) -> Result<(), sqlx::Error> {
        insert(connection, INSERT_CUSTOMERS, &self.customers).await?;
        insert_sales(connection, &self.sales).await?;
        insert_sale_lines(connection, &self.sale_lines).await?;
        insert(connection, INSERT_LPG, &self.lpg).await?;
        insert_tenders(connection, &self.tenders).await?;
        insert(connection, INSERT_INVOICES, &self.invoices).await?;
        insert(connection, INSERT_JOBS, &self.jobs).await?;
        insert(connection, INSERT_ITEMS, &self.items).await?;
        insert(connection, INSERT_PAYMENTS, &self.payments).await?;
        insert(connection, INSERT_PURCHASES, &self.purchases).await?;
        insert(connection, INSERT_SUPPLIER_PAYMENTS, &self.supplier_payments).await?;
        insert(connection, INSERT_CREDIT_USES, &self.credit_uses).await?;
        insert_vat_lines(connection, &self.vat_lines).await?;
        insert_stock_moves(connection, &self.stock_moves).await
    }

    /// Everything else, in the business's turn after the journal: what other merges of the
    /// business also change (stock, statuses, what a void or an allocation settles), then the
    /// allocations, cancellations and voids: the settlement triggers date those by their
    /// entries.
    pub async fn write_documents(&self, connection: &mut PgConnection, snapshot: &Snapshot) -> Result<(), sqlx::Error> {
        for changed in &self.changed_customers {
            // One at a time, in order: two changes of one customer in a batch end as the second.
            insert(connection, UPDATE_CUSTOMERS, std::slice::from_ref(changed)).await?;
        }
        insert(connection, INSERT_SHIFTS_OPENED, &self.shifts_opened).await?;
        insert(connection, INSERT_SHIFTS_CLOSED, &self.shifts_closed).await?;
        insert(connection, INSERT_STATUSES, &self.statuses).await?;
        insert(connection, INSERT_SUPPLIER_ALLOCATIONS, &self.supplier_allocations).await?;
        // A void's VAT mirrors its original's, after the batch's own lines (a sale and its void
        // may share a batch).
        insert(connection, MIRROR_VAT_LINES, &self.vat_mirrors).await?;
        insert(connection, INSERT_CYLINDER_MOVES, &self.cylinder_moves).await?;
        let mut negative = add_to_stock_levels(connection, &self.stock_moves).await?;
        // A void's stock and cylinders come back by mirroring the original's movements, written
        // before the turn, so that a sale and its void may share a batch.
        negative.extend(levels(connection, REVERSE_STOCK_MOVES, &self.voids).await?);
        insert(connection, REVERSE_CYLINDER_MOVES, &self.voids).await?;
        let mut flags: Vec<&FlagRow> = self.flags.iter().collect();
        let stock_flags = self.negative_stock_flags(&negative, snapshot);
        flags.extend(stock_flags.iter());
        insert(connection, INSERT_FLAGS, &flags).await?;
        insert(connection, INSERT_CANCELLATIONS, &self.cancellations).await?;
        insert(connection, INSERT_ALLOCATIONS, &self.allocations).await?;
        insert(connection, INSERT_VOIDS, &self.voids).await
    }

    fn negative_stock_flags(
        &self,
        negative: &HashMap<ProductId, rust_decimal::Decimal>,
        snapshot: &Snapshot,
    ) -> Vec<FlagRow> {
        let mut flags: Vec<FlagRow> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (event_id, product_id) in &self.outgoing {
            let Some(level) = negative.get(product_id) else { continue };
            if !seen.insert((*event_id, *product_id)) {
                continue;
            }
            let name = snapshot.products.get(product_id).map(|product| product.name.as_str()).unwrap_or("?");
            flags.push(FlagRow {
                event_id: *event_id,
                code: "negative_stock".to_string(),
                message: format!("stock of {name} ({product_id}) is {level} after this batch"),
            });
        }
        flags
    }
}

async fn insert<T: Serialize>(connection: &mut PgConnection, sql: &'static str, rows: &[T]) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    sqlx::query(sql).bind(Json(rows)).execute(connection).await?;
    Ok(())
}

/// Runs a stock-moving statement and returns the products it left below zero.
async fn levels<T: Serialize>(
    connection: &mut PgConnection,
    sql: &'static str,
    rows: &[T],
) -> Result<HashMap<ProductId, rust_decimal::Decimal>, sqlx::Error> {
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    below_zero(sqlx::query_as(sql).bind(Json(rows)).fetch_all(connection).await?)
}

fn below_zero(
    levels: Vec<(Uuid, rust_decimal::Decimal)>,
) -> Result<HashMap<ProductId, rust_decimal::Decimal>, sqlx::Error> {
    Ok(levels
        .into_iter()
        .filter(|(_, level)| level.is_sign_negative())
        .map(|(id, level)| (ProductId(id), level))
        .collect())
}

pub async fn insert_inbox(connection: &mut PgConnection, rows: &[InboxRow<'_>]) -> Result<(), sqlx::Error> {
    let mut copy = BinaryCopy::new(9);
    for row in rows {
        copy.row()
            .value(row.event_id.0)?
            .value(row.device_id.0)?
            .value(row.device_seq)?
            .value(row.event_type.as_str())?
            .value(row.business_id.0)?
            .value(row.occurred_at)?
            .value(row.recorded_by)?
            // `json` in binary is its text, kept as the till sent it.
            .value(row.raw)?
            .value(row.status)?;
    }
    copy.send(connection, COPY_INBOX).await?;
    Ok(())
}

async fn insert_sales(connection: &mut PgConnection, rows: &[SaleRow]) -> Result<(), sqlx::Error> {
    let mut copy = BinaryCopy::new(10);
    for row in rows {
        copy.row()
            .value(row.sale_id.0)?
            .value(row.event_id.0)?
            .value(row.business_id.0)?
            .value(row.device_id.0)?
            .value(row.kind)?
            .value(row.receipt_number.as_str())?
            .value(row.occurred_at)?
            .value(row.business_day)?
            .value(row.total.decimal())?
            .value(row.original_id.map(|id| id.0))?;
    }
    copy.send(connection, COPY_SALES).await?;
    Ok(())
}

async fn insert_sale_lines(connection: &mut PgConnection, rows: &[SaleLineRow]) -> Result<(), sqlx::Error> {
    let mut copy = BinaryCopy::new(8);
    for row in rows {
        copy.row()
            .value(row.sale_id.0)?
            .value(row.line_no)?
            .value(row.product_id.0)?
            .value(row.quantity.decimal())?
            .value(row.unit_price.decimal())?
            .value(row.discount.decimal())?
            .value(row.vat_rate.decimal())?
            .value(row.line_total.decimal())?;
    }
    copy.send(connection, COPY_SALE_LINES).await?;
    Ok(())
}

async fn insert_tenders(connection: &mut PgConnection, rows: &[TenderRow]) -> Result<(), sqlx::Error> {
    let mut copy = BinaryCopy::new(8);
    for row in rows {
        copy.row()
            .value(row.document_id.0)?
            .value(row.line_no)?
            .value(row.business_id.0)?
            .value(row.method)?
            .value(row.amount.decimal())?
            .value(row.mpesa_code.as_deref())?
            .value(row.customer_id.map(|id| id.0))?
            .value(row.occurred_at)?;
    }
    copy.send(connection, COPY_TENDERS).await?;
    Ok(())
}

/// The batch's stock movements, before the turn: each its own new row.
async fn insert_stock_moves(connection: &mut PgConnection, rows: &[StockMoveRow]) -> Result<(), sqlx::Error> {
    let mut copy = BinaryCopy::new(7);
    for row in rows {
        copy.row()
            .value(row.business_id.0)?
            .value(row.product_id.0)?
            .value(row.quantity)?
            .value(row.reason)?
            .value(row.document_id.0)?
            .value(row.event_id.0)?
            .value(row.occurred_at)?;
    }
    copy.send(connection, COPY_STOCK_MOVES).await?;
    Ok(())
}

/// The batch's movements added to the running levels, in the business's turn: one row per
/// product, summed here, in the products' order (as every merge takes them). Answers the
/// products left below zero.
async fn add_to_stock_levels(
    connection: &mut PgConnection,
    rows: &[StockMoveRow],
) -> Result<HashMap<ProductId, rust_decimal::Decimal>, sqlx::Error> {
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    let mut moved: std::collections::BTreeMap<Uuid, rust_decimal::Decimal> = std::collections::BTreeMap::new();
    for row in rows {
        let sum = moved.entry(row.product_id.0).or_default();
        // Quantities have three decimals and a level fits NUMERIC(16, 3): a batch's sum cannot
        // come near `Decimal`'s 28 digits, but an overflow must not pass unseen.
        *sum = sum.checked_add(row.quantity).ok_or_else(|| {
            sqlx::Error::Protocol(format!("the stock moved of product {} does not fit a decimal", row.product_id.0))
        })?;
    }
    let (products, quantities): (Vec<Uuid>, Vec<rust_decimal::Decimal>) = moved.into_iter().unzip();
    below_zero(sqlx::query_as(ADD_TO_STOCK_LEVELS).bind(products).bind(quantities).fetch_all(connection).await?)
}

async fn insert_vat_lines(connection: &mut PgConnection, rows: &[VatLineRow]) -> Result<(), sqlx::Error> {
    let mut copy = BinaryCopy::new(8);
    for row in rows {
        copy.row()
            .value(row.event_id.0)?
            .value(row.document_id.0)?
            .value(row.business_id.0)?
            .value(row.business_day)?
            .value(row.input)?
            .value(row.rate.decimal())?
            .value(row.net.decimal())?
            .value(row.vat.decimal())?;
    }
    copy.send(connection, COPY_VAT_LINES).await?;
    Ok(())
}

pub async fn insert_quarantine(connection: &mut PgConnection, rows: &[QuarantineRow]) -> Result<(), sqlx::Error> {
    insert(connection, INSERT_QUARANTINE, rows).await
}

const COPY_INBOX: &str =
    "COPY inbox (event_id, device_id, device_seq, event_type, business_id, occurred_at, recorded_by, raw,
                  status) FROM STDIN (FORMAT binary)";

const INSERT_QUARANTINE: &str = "
INSERT INTO quarantine (event_id, reason_code, reason_message)
SELECT event_id, reason_code, reason_message FROM jsonb_populate_recordset(NULL::quarantine, $1)";

const INSERT_CUSTOMERS: &str = "
INSERT INTO customer (id, name, phone, credit_limit)
SELECT id, name, phone, credit_limit FROM jsonb_populate_recordset(NULL::customer, $1)
ON CONFLICT (id) DO NOTHING";

const UPDATE_CUSTOMERS: &str = "
UPDATE customer c SET name = x.name, phone = x.phone, credit_limit = x.credit_limit
  FROM jsonb_populate_recordset(NULL::customer, $1) x WHERE c.id = x.id";

const COPY_SALES: &str =
    "COPY sale (sale_id, event_id, business_id, device_id, kind, receipt_number, occurred_at, business_day,
                 total, original_id) FROM STDIN (FORMAT binary)";

const COPY_SALE_LINES: &str =
    "COPY sale_line (sale_id, line_no, product_id, quantity, unit_price, discount, vat_rate, line_total)
    FROM STDIN (FORMAT binary)";

const COPY_TENDERS: &str =
    "COPY tender (document_id, line_no, business_id, method, amount, mpesa_code, customer_id, occurred_at)
    FROM STDIN (FORMAT binary)";

const INSERT_LPG: &str = "
INSERT INTO lpg_exchange (sale_id, cylinder_type_id, quantity, empty_in, new_cylinder, gas_total, cylinder_total)
SELECT sale_id, cylinder_type_id, quantity, empty_in, new_cylinder, gas_total, cylinder_total
  FROM jsonb_populate_recordset(NULL::lpg_exchange, $1)";

const INSERT_INVOICES: &str = "
INSERT INTO invoice (invoice_id, business_id, customer_id, number, kind, issued_at, business_day, amount, event_id)
SELECT invoice_id, business_id, customer_id, number, kind, issued_at, business_day, amount, event_id
  FROM jsonb_populate_recordset(NULL::invoice, $1)";

const INSERT_JOBS: &str = "
INSERT INTO laundry_job (job_id, business_id, ticket_number, customer_id, total, promised_at, notes, dropped_off_at)
SELECT job_id, business_id, ticket_number, customer_id, total, promised_at, notes, dropped_off_at
  FROM jsonb_populate_recordset(NULL::laundry_job, $1)";

const INSERT_ITEMS: &str = "
INSERT INTO laundry_item (job_id, line_no, service_id, description, quantity, unit_price, line_total)
SELECT job_id, line_no, service_id, description, quantity, unit_price, line_total
  FROM jsonb_populate_recordset(NULL::laundry_item, $1)";

const INSERT_STATUSES: &str = "
INSERT INTO laundry_status_history (job_id, from_status, to_status, occurred_at, event_id)
SELECT job_id, from_status, to_status, occurred_at, event_id FROM jsonb_populate_recordset(NULL::laundry_status_history, $1)";

const INSERT_CANCELLATIONS: &str = "
INSERT INTO invoice_cancellation (invoice_id, event_id)
SELECT invoice_id, event_id FROM jsonb_populate_recordset(NULL::invoice_cancellation, $1)";

const INSERT_PAYMENTS: &str = "
INSERT INTO payment (payment_id, business_id, customer_id, receipt_number, total, unapplied, occurred_at, event_id)
SELECT payment_id, business_id, customer_id, receipt_number, total, unapplied, occurred_at, event_id
  FROM jsonb_populate_recordset(NULL::payment, $1)";

const INSERT_ALLOCATIONS: &str = "
INSERT INTO allocation (invoice_id, document_id, amount, event_id)
SELECT invoice_id, document_id, amount, event_id FROM jsonb_populate_recordset(NULL::allocation, $1)";

const INSERT_PURCHASES: &str = "
INSERT INTO purchase SELECT * FROM jsonb_populate_recordset(NULL::purchase, $1)";

const INSERT_SUPPLIER_PAYMENTS: &str = "
INSERT INTO supplier_payment SELECT * FROM jsonb_populate_recordset(NULL::supplier_payment, $1)";

const INSERT_SUPPLIER_ALLOCATIONS: &str = "
INSERT INTO supplier_allocation SELECT * FROM jsonb_populate_recordset(NULL::supplier_allocation, $1)";

const INSERT_CREDIT_USES: &str = "
INSERT INTO credit_use SELECT * FROM jsonb_populate_recordset(NULL::credit_use, $1)";

const COPY_VAT_LINES: &str = "COPY vat_line (event_id, document_id, business_id, business_day, input, rate, net, vat)
    FROM STDIN (FORMAT binary)";

const MIRROR_VAT_LINES: &str = "
INSERT INTO vat_line (event_id, document_id, business_id, business_day, input, rate, net, vat)
SELECT m.event_id, m.mirror_id, l.business_id, m.business_day, l.input, l.rate, -l.net, -l.vat
  FROM jsonb_to_recordset($1) AS m(original UUID, mirror_id UUID, event_id UUID, business_day DATE)
  JOIN vat_line l ON l.document_id = m.original AND l.event_id <> m.event_id";

const INSERT_SHIFTS_OPENED: &str = "
INSERT INTO shift_opened SELECT * FROM jsonb_populate_recordset(NULL::shift_opened, $1)";

const INSERT_SHIFTS_CLOSED: &str = "
INSERT INTO shift_closed SELECT * FROM jsonb_populate_recordset(NULL::shift_closed, $1)";

const INSERT_VOIDS: &str = "
INSERT INTO voided_document (document_id, void_id, event_id)
SELECT document_id, void_id, event_id FROM jsonb_populate_recordset(NULL::voided_document, $1)";

const INSERT_FLAGS: &str = "
INSERT INTO posting_flag (event_id, code, message)
SELECT event_id, code, message FROM jsonb_populate_recordset(NULL::posting_flag, $1)";

/// The tail of a statement whose CTE `moved` inserted cylinder movements: the running counts.
macro_rules! cylinder_levels {
    () => {
        "
INSERT INTO cylinder_stock (cylinder_type_id, full_count, empty_count)
SELECT cylinder_type_id, sum(full_delta), sum(empty_delta) FROM moved GROUP BY cylinder_type_id
ON CONFLICT (cylinder_type_id) DO UPDATE
   SET full_count = cylinder_stock.full_count + EXCLUDED.full_count,
       empty_count = cylinder_stock.empty_count + EXCLUDED.empty_count"
    };
}

const INSERT_CYLINDER_MOVES: &str = concat!(
    "
WITH moved AS (
    INSERT INTO cylinder_movement (cylinder_type_id, full_delta, empty_delta, reason, document_id, event_id)
    SELECT cylinder_type_id, full_delta, empty_delta, reason, document_id, event_id
      FROM jsonb_populate_recordset(NULL::cylinder_movement, $1)
    RETURNING cylinder_type_id, full_delta, empty_delta)",
    cylinder_levels!()
);

/// A void's cylinders: the original document's movements, mirrored.
const REVERSE_CYLINDER_MOVES: &str = concat!(
    "
WITH moved AS (
    INSERT INTO cylinder_movement (cylinder_type_id, full_delta, empty_delta, reason, document_id, event_id)
    SELECT m.cylinder_type_id, -m.full_delta, -m.empty_delta, 'void', v.void_id, v.event_id
      FROM jsonb_to_recordset($1) AS v(document_id UUID, void_id UUID, event_id UUID)
      JOIN cylinder_movement m ON m.document_id = v.document_id
    RETURNING cylinder_type_id, full_delta, empty_delta)",
    cylinder_levels!()
);

const COPY_STOCK_MOVES: &str = "COPY stock_movement (business_id, product_id, quantity, reason, document_id, event_id,
                            occurred_at) FROM STDIN (FORMAT binary)";

const ADD_TO_STOCK_LEVELS: &str = "
INSERT INTO stock_level (product_id, quantity)
SELECT * FROM unnest($1::uuid[], $2::numeric[])
ON CONFLICT (product_id) DO UPDATE SET quantity = stock_level.quantity + EXCLUDED.quantity
RETURNING product_id, quantity";

/// A void's stock: the original document's movements, mirrored, and the running levels,
/// returning each touched product's new level.
const REVERSE_STOCK_MOVES: &str = "
WITH moved AS (
    INSERT INTO stock_movement (business_id, product_id, quantity, reason, document_id, event_id, occurred_at)
    SELECT m.business_id, m.product_id, -m.quantity, 'void', v.void_id, v.event_id, v.occurred_at
      FROM jsonb_to_recordset($1) AS v(document_id UUID, void_id UUID, event_id UUID, occurred_at TIMESTAMPTZ)
      JOIN stock_movement m ON m.document_id = v.document_id
    RETURNING product_id, quantity)
INSERT INTO stock_level (product_id, quantity)
SELECT product_id, sum(quantity) FROM moved GROUP BY product_id
ON CONFLICT (product_id) DO UPDATE SET quantity = stock_level.quantity + EXCLUDED.quantity
RETURNING product_id, quantity";
