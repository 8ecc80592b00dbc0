//! Loads, in one round trip, what the batch's events refer to (`validate::Snapshot`): the
//! businesses and the chart, the products, services, cylinder types and customers named, and
//! the posted documents, invoices and jobs the events pay, void, refund or move.

use std::collections::HashSet;

use serde::Deserialize;
use sqlx::PgConnection;
use sqlx::types::Json;
use tillbook_core::catalog::{Customer, CylinderType, LaundryService, Product, Supplier};
use tillbook_core::chart::{Account, Business};
use tillbook_core::documents::{Document, JobStatus, document_id};
use tillbook_core::ids::{BusinessId, CustomerId, DocumentId, EntryId, ProductId, SupplierId};
use tillbook_core::journal::{JournalEntry, JournalPayload, WireLine};
use tillbook_core::money::Money;
use uuid::Uuid;

use super::validate::{InvoiceState, PostedEntry, Snapshot, SupplierInvoiceState};

/// The ids a batch refers to, gathered from its parsed documents.
#[derive(Debug, Default)]
pub struct References {
    /// The businesses posted to: their master data is loaded, and their entry counters are
    /// taken after the judgement, not locked before it.
    pub businesses: HashSet<BusinessId>,
    pub products: HashSet<ProductId>,
    /// Every customer named, for the snapshot: most only need to exist (a credit sale, a laundry
    /// job), which the ledger's foreign keys hold to and nothing undoes.
    pub customers: HashSet<CustomerId>,
    /// Customers whose account the batch judges or changes beyond a new invoice: a payment's
    /// allocations, credit used or paid back, a change of details. Merges naming one of these
    /// take turns ([`crate::changes::lock_for_merge`]); a credit sale to the same customer does
    /// not wait for them.
    pub accounts: HashSet<CustomerId>,
    pub documents: HashSet<DocumentId>,
    pub entry_ids: HashSet<EntryId>,
    pub mpesa_codes: HashSet<String>,
    pub suppliers: HashSet<SupplierId>,
    /// Customers whose credit the batch uses.
    pub credit_customers: HashSet<CustomerId>,
    /// Documents already merged whose effect the batch undoes or changes (voided, refunded, a
    /// laundry job moved): whose customers they named is found from the ledger, not the events.
    pub reversed: HashSet<DocumentId>,
    /// Documents already merged that the batch voids: a voided sale leaves its till's day
    /// totals.
    pub voided: HashSet<DocumentId>,
    /// Documents already merged whose state the judgement reads: those reversed, and the
    /// invoices a payment or credit is allocated to. Merges naming one take turns
    /// ([`crate::changes::lock_for_merge`]); a new document needs no turn, since no other till
    /// can name it before it is merged.
    pub judged: HashSet<DocumentId>,
}

impl References {
    pub fn add(&mut self, business: BusinessId, document: &Document, entry_id: Option<EntryId>) {
        self.businesses.insert(business);
        self.entry_ids.extend(entry_id);
        self.documents.extend(document_id(document));
        let mut tenders: &[tillbook_core::documents::Tender] = &[];
        match document {
            Document::Sale(sale) => {
                self.products.extend(sale.lines.iter().map(|line| line.product_id));
                tenders = &sale.tenders;
            }
            Document::Refund(refund) => {
                self.products.extend(refund.lines.iter().map(|line| line.product_id));
                self.documents.insert(refund.sale_id);
                self.reversed.insert(refund.sale_id);
                self.judged.insert(refund.sale_id);
                tenders = &refund.tenders;
            }
            Document::SaleVoided(void) | Document::DocumentVoided(void) => {
                self.documents.insert(void.document_id);
                self.reversed.insert(void.document_id);
                self.voided.insert(void.document_id);
                self.judged.insert(void.document_id);
            }
            Document::LaundryDropOff(job) => {
                self.customers.insert(job.customer_id);
            }
            Document::LaundryStatusChange(change) => {
                self.documents.insert(change.job_id);
                self.reversed.insert(change.job_id);
                self.judged.insert(change.job_id);
            }
            Document::CustomerChanged(changed) => {
                self.customers.insert(changed.customer_id);
                self.accounts.insert(changed.customer_id);
            }
            Document::LaundryPaid(payment) | Document::PaymentReceived(payment) => {
                self.customers.insert(payment.customer_id);
                self.accounts.insert(payment.customer_id);
                self.documents.extend(payment.allocations.iter().map(|allocation| allocation.invoice_id));
                self.judged.extend(payment.allocations.iter().map(|allocation| allocation.invoice_id));
                tenders = &payment.tenders;
            }
            Document::CreditApplied(applied) => {
                self.customers.insert(applied.customer_id);
                self.accounts.insert(applied.customer_id);
                self.credit_customers.insert(applied.customer_id);
                self.documents.extend(applied.allocations.iter().map(|allocation| allocation.invoice_id));
                self.judged.extend(applied.allocations.iter().map(|allocation| allocation.invoice_id));
            }
            Document::CreditRefunded(refund) => {
                self.customers.insert(refund.customer_id);
                self.accounts.insert(refund.customer_id);
                self.credit_customers.insert(refund.customer_id);
                tenders = &refund.tenders;
            }
            Document::LpgSale(sale) => tenders = &sale.tenders,
            Document::DepositRefund(refund) => tenders = &refund.tenders,
            Document::StockReceipt(receipt) => {
                self.products.extend(receipt.lines.iter().map(|line| line.product_id));
                self.suppliers.extend(receipt.supplier_id);
            }
            Document::SupplierPaid(payment) => {
                self.suppliers.insert(payment.supplier_id);
            }
            Document::WaterProduction(production) => {
                self.products.extend(production.lines.iter().map(|line| line.product_id));
            }
            Document::StockCount(count) => self.products.extend(count.lines.iter().map(|line| line.product_id)),
            _ => {}
        }
        for tender in tenders {
            self.customers.extend(tender.customer_id);
            self.mpesa_codes.extend(tender.mpesa_code.clone());
        }
    }
}

#[derive(Deserialize)]
struct StoredEntry {
    document_id: DocumentId,
    business_id: BusinessId,
    event_type: String,
    entry_id: EntryId,
    lines: Vec<WireLine>,
}

#[derive(Deserialize)]
struct StoredInvoice {
    invoice_id: DocumentId,
    business_id: BusinessId,
    customer_id: CustomerId,
    cancelled: bool,
}

/// An invoice taken on account, with what is still owed on it (`supplier_invoice_open`).
#[derive(Deserialize)]
struct StoredSupplierInvoice {
    invoice_id: DocumentId,
    business_id: BusinessId,
    supplier_id: SupplierId,
    day: chrono::NaiveDate,
    open: Money,
}

#[derive(Deserialize)]
struct StoredJob {
    job_id: DocumentId,
    status: JobStatus,
}

type Row = (
    Json<Vec<Business>>,
    Json<Vec<Account>>,
    Json<Vec<Product>>,
    Json<Vec<LaundryService>>,
    Json<Vec<CylinderType>>,
    Json<Vec<Customer>>,
    Json<Vec<StoredEntry>>,
    Json<Vec<DocumentId>>,
    Json<Vec<StoredInvoice>>,
    Json<Vec<StoredJob>>,
    Json<Vec<EntryId>>,
    Json<Vec<String>>,
    Json<Vec<Supplier>>,
    Json<Vec<StoredSupplierInvoice>>,
);

// The documents named are joined as a set (`named`), not matched with `= ANY($4)`: a plan made
// while a table was small scans it, and `= ANY` then compares each of its rows with each of the
// batch's 500 documents in turn (docs/benchmarks.md, "Merging").
const LOAD: &str = r#"
WITH named AS MATERIALIZED (SELECT DISTINCT id FROM unnest($4::uuid[]) id)
SELECT
  (SELECT coalesce(json_agg(data), '[]') FROM business_wire),
  (SELECT coalesce(json_agg(data), '[]') FROM account_wire),
  (SELECT coalesce(json_agg(data), '[]') FROM product_wire WHERE id = ANY($1)),
  (SELECT coalesce(json_agg(data), '[]') FROM laundry_service_wire WHERE business_id = ANY($2)),
  (SELECT coalesce(json_agg(data), '[]') FROM cylinder_type_wire WHERE business_id = ANY($2)),
  (SELECT coalesce(json_agg(data), '[]') FROM customer_wire WHERE id = ANY($3)),
  (SELECT coalesce(json_agg(json_build_object(
            'document_id', e.document_id, 'business_id', e.business_id, 'event_type', e.event_type,
            'entry_id', e.entry_id,
            'lines', (SELECT json_agg(json_build_object('account', l.account_code::text, 'debit', l.debit::text,
                                                        'credit', l.credit::text) ORDER BY l.line_no)
                        FROM journal_line l WHERE l.business_id = e.business_id AND l.entry_number = e.entry_number))), '[]')
     FROM named JOIN journal_entry e ON e.document_id = named.id),
  (SELECT coalesce(json_agg(document_id), '[]') FROM named JOIN voided_document v ON v.document_id = named.id),
  (SELECT coalesce(json_agg(json_build_object('invoice_id', i.invoice_id, 'business_id', i.business_id,
                                              'customer_id', i.customer_id, 'cancelled', c.invoice_id IS NOT NULL)), '[]')
     FROM named JOIN invoice i ON i.invoice_id = named.id LEFT JOIN invoice_cancellation c USING (invoice_id)),
  (SELECT coalesce(json_agg(json_build_object('job_id', j.job_id, 'status',
            (SELECT h.to_status FROM laundry_status_history h WHERE h.job_id = j.job_id ORDER BY h.id DESC LIMIT 1))), '[]')
     FROM named JOIN laundry_job j ON j.job_id = named.id),
  (SELECT coalesce(json_agg(entry_id), '[]') FROM journal_entry WHERE entry_id = ANY($5)),
  (SELECT coalesce(json_agg(DISTINCT mpesa_code), '[]') FROM tender WHERE mpesa_code = ANY($6)),
  (SELECT coalesce(json_agg(data), '[]') FROM supplier_wire WHERE id = ANY($7)),
  (SELECT coalesce(json_agg(json_build_object('invoice_id', purchase_id, 'business_id', business_id,
                                              'supplier_id', supplier_id, 'day', business_day, 'open', open::text)), '[]')
     FROM supplier_invoice_open WHERE supplier_id = ANY($7) AND business_id = ANY($2) AND open > 0)
"#;

fn uuids<T: Copy>(ids: &HashSet<T>, inner: impl Fn(T) -> Uuid) -> Vec<Uuid> {
    ids.iter().map(|id| inner(*id)).collect()
}

pub async fn load(connection: &mut PgConnection, references: &References) -> Result<Snapshot, sqlx::Error> {
    let row: Row = sqlx::query_as(LOAD)
        // Planned afresh for each batch, with the tables' sizes of the moment: a plan kept from
        // when the ledger was young hashes a scan of every entry and invoice to find the batch's
        // documents, a cost that grows with each merge until the next `ANALYZE`.
        .persistent(false)
        .bind(uuids(&references.products, |id| id.0))
        .bind(uuids(&references.businesses, |id| id.0))
        .bind(uuids(&references.customers, |id| id.0))
        .bind(uuids(&references.documents, |id| id.0))
        .bind(uuids(&references.entry_ids, |id| id.0))
        .bind(references.mpesa_codes.iter().cloned().collect::<Vec<_>>())
        .bind(uuids(&references.suppliers, |id| id.0))
        .fetch_one(&mut *connection)
        .await?;
    let (
        businesses,
        accounts,
        products,
        services,
        cylinders,
        customers,
        entries,
        voided,
        invoices,
        jobs,
        entry_ids,
        codes,
        suppliers,
        supplier_invoices,
    ) = row;
    let mut snapshot = Snapshot {
        businesses: businesses.0.into_iter().map(|b| (b.id, b)).collect(),
        accounts: accounts.0.into_iter().map(|a| (a.code, a)).collect(),
        products: products.0.into_iter().map(|p| (p.id, p)).collect(),
        laundry_services: services.0.into_iter().map(|s| (s.id, s)).collect(),
        cylinder_types: cylinders.0.into_iter().map(|c| (c.id, c)).collect(),
        customers: customers.0.into_iter().map(|c| (c.id, c)).collect(),
        voided: voided.0.into_iter().collect(),
        entry_ids: entry_ids.0.into_iter().collect(),
        mpesa_codes: codes.0.into_iter().collect(),
        suppliers: suppliers.0.into_iter().map(|s| (s.id, s)).collect(),
        supplier_invoices: supplier_invoices
            .0
            .into_iter()
            .map(|i| {
                let state = SupplierInvoiceState {
                    business_id: i.business_id,
                    supplier_id: i.supplier_id,
                    day: i.day,
                    open: i.open,
                };
                (i.invoice_id, state)
            })
            .collect(),
        ..Snapshot::default()
    };
    for stored in entries.0 {
        // The database's own constraint trigger guarantees these balance.
        let payload = JournalPayload { entry_id: stored.entry_id, lines: stored.lines };
        let entry = JournalEntry::from_wire(&payload).map_err(|error| sqlx::Error::Decode(Box::new(error)))?;
        snapshot.entries.insert(
            stored.document_id,
            PostedEntry { business_id: stored.business_id, event_type: stored.event_type, entry },
        );
    }
    for invoice in invoices.0 {
        snapshot.invoices.insert(
            invoice.invoice_id,
            InvoiceState {
                business_id: invoice.business_id,
                customer_id: invoice.customer_id,
                cancelled: invoice.cancelled,
            },
        );
    }
    for job in jobs.0 {
        snapshot.job_status.insert(job.job_id, job.status);
    }
    if !references.credit_customers.is_empty() {
        // Only for a batch that uses credit: the customers' credit as the reports work it out.
        let sql = crate::reports::customers::CREDITS.replace("{customer}", "customer_id = ANY($1)");
        let credits: Vec<(Uuid, rust_decimal::Decimal)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(uuids(&references.credit_customers, |id| id.0))
            .fetch_all(&mut *connection)
            .await?;
        // A customer with no credit yet holds zero: what the batch pays in before using it counts.
        for customer in &references.credit_customers {
            snapshot.credits.insert(*customer, Money::ZERO);
        }
        for (customer, credit) in credits {
            let credit = Money::round(credit).map_err(|error| sqlx::Error::Decode(Box::new(error)))?;
            snapshot.credits.insert(CustomerId(customer), credit);
        }
    }
    Ok(snapshot)
}
