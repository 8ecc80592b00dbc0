//! The judgement on each new event (DESIGN §7 "Merge", step 2): post it, post it and flag a
//! business fact for the owner, or quarantine it because it cannot be true in a ledger.
//!
//! Quarantined: an unknown business or one this till may not post for, text Postgres cannot
//! hold, a time no till could have meant, content that does not parse or is not well-formed for
//! its type, amounts past what the ledger holds, a journal that does not balance or uses an
//! unknown, inactive or other business's account, money in that differs from the document, a
//! void or refund of something never posted, a payment or laundry status change aimed at another
//! business's invoice or job, a reused id. Posted and flagged: an old price, an M-Pesa code seen
//! before, a clock far ahead of the server's or gone back against the till's previous event, a
//! laundry status that another till already moved, stock below zero (flagged after the stock
//! update, in `rows`).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use tillbook_core::DocumentError;
use tillbook_core::catalog::{Customer, CylinderType, LaundryService, Lookup, Product, Supplier};
use tillbook_core::chart::{Account, AccountCode, Business};
use tillbook_core::documents::{Allocation, Document, Effects, JobStatus, SupplierSettlement, credit_of, document_id};
use tillbook_core::ids::{
    BusinessId, CustomerId, CylinderTypeId, DocumentId, EntryId, LaundryServiceId, ProductId, SupplierId,
};
use tillbook_core::journal::{JournalEntry, JournalPayload};
use tillbook_core::money::Money;
use tillbook_core::protocol::Reason;

use super::incoming::Incoming;
use tillbook_core::protocol::RawEvent;

/// A clock this far ahead of the server's is flagged (a till's clock set wrong, or tampering),
/// and so is an event stamped this much earlier than the same till's event before it (the
/// clock was set back). Old stamps alone are normal: a till offline for days sends them.
const CLOCK_SKEW_LIMIT_MINUTES: i64 = 10;

/// No till recorded a sale before this day: a stamp before it is a clock reset to its
/// factory date (a flat CMOS battery), and posting it would put the sale in a year long closed.
const EARLIEST_PLAUSIBLE: NaiveDate = NaiveDate::from_ymd_opt(2020, 1, 1).expect("a valid date");
/// Nor more than a year after the server's clock: a day a month ahead is flagged, a year is not
/// a time anyone meant.
const LATEST_PLAUSIBLE_DAYS_AHEAD: i64 = 366;

/// A posted entry as the merge needs it: for voids (mirror check) and refunds (original exists).
#[derive(Debug, Clone)]
pub struct PostedEntry {
    pub business_id: BusinessId,
    pub event_type: String,
    pub entry: JournalEntry,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoiceState {
    pub business_id: BusinessId,
    pub customer_id: CustomerId,
    pub cancelled: bool,
}

/// What the ledger already holds that this batch's events refer to, loaded in one query
/// (`snapshot::load`) and then kept current as the batch's own events are accepted, so an event
/// may refer to one earlier in the same batch.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub businesses: HashMap<BusinessId, Business>,
    pub accounts: HashMap<AccountCode, Account>,
    pub products: HashMap<ProductId, Product>,
    pub laundry_services: HashMap<LaundryServiceId, LaundryService>,
    pub cylinder_types: HashMap<CylinderTypeId, CylinderType>,
    pub customers: HashMap<CustomerId, Customer>,
    /// Documents with a posted entry, by document id.
    pub entries: HashMap<DocumentId, PostedEntry>,
    pub voided: HashSet<DocumentId>,
    pub invoices: HashMap<DocumentId, InvoiceState>,
    pub job_status: HashMap<DocumentId, JobStatus>,
    pub entry_ids: HashSet<EntryId>,
    pub mpesa_codes: HashSet<String>,
    pub suppliers: HashMap<SupplierId, Supplier>,
    /// The open invoices (goods on account) of the suppliers the batch names, in the
    /// businesses it names; an invoice paid in full is dropped.
    pub supplier_invoices: HashMap<DocumentId, SupplierInvoiceState>,
    /// The credit (2300) held by the customers whose credit the batch uses.
    pub credits: HashMap<CustomerId, Money>,
}

/// What a supplier invoice still asks for, as the merge sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupplierInvoiceState {
    pub business_id: BusinessId,
    pub supplier_id: SupplierId,
    pub day: chrono::NaiveDate,
    pub open: Money,
}

impl Lookup for Snapshot {
    fn account(&self, code: AccountCode) -> Option<Account> {
        self.accounts.get(&code).cloned()
    }
    fn product(&self, id: ProductId) -> Option<Product> {
        self.products.get(&id).cloned()
    }
    fn stocks(&self, id: ProductId) -> bool {
        self.products.get(&id).is_some_and(|product| product.stock.is_some())
    }
    fn laundry_service(&self, id: LaundryServiceId) -> Option<LaundryService> {
        self.laundry_services.get(&id).cloned()
    }
    fn cylinder_type(&self, id: CylinderTypeId) -> Option<CylinderType> {
        self.cylinder_types.get(&id).cloned()
    }
    fn customer(&self, id: CustomerId) -> Option<Customer> {
        self.customers.get(&id).cloned()
    }
    fn supplier(&self, id: SupplierId) -> Option<Supplier> {
        self.suppliers.get(&id).cloned()
    }
    fn entry_of(&self, document: DocumentId) -> Option<JournalEntry> {
        self.entries.get(&document).map(|posted| posted.entry.clone())
    }
}

/// An event accepted into the ledger.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub document: Document,
    pub entry: Option<JournalEntry>,
    /// What the document does besides posting, as core decides it.
    pub effects: Effects,
    pub flags: Vec<Reason>,
}

#[derive(Debug, Clone)]
pub enum Verdict {
    Posted(Box<Accepted>),
    Quarantined(Reason),
}

fn reason(code: &str, message: impl Into<String>) -> Reason {
    Reason { code: code.to_string(), message: message.into() }
}

fn from_document_error(error: DocumentError) -> Reason {
    reason(error.code(), error.to_string())
}

/// An event's content, parsed once: before the snapshot is loaded (to know what it refers to)
/// and for the judgement.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub document: Result<Document, Reason>,
    pub entry: Result<Option<JournalEntry>, Reason>,
}

pub fn parse(event: &RawEvent) -> Parsed {
    let document = Document::from_wire_text(&event.event_type, event.document.get()).map_err(from_document_error);
    let journal = event.journal.as_ref().map_or("null", |journal| journal.get());
    let entry = serde_json::from_str::<Option<JournalPayload>>(journal)
        .map_err(|error| reason("malformed_journal", format!("the journal does not parse: {error}")))
        .and_then(|payload| {
            payload
                .map(|payload| JournalEntry::from_wire(&payload))
                .transpose()
                .map_err(|error| reason(error.code(), error.to_string()))
        });
    Parsed { document, entry }
}

/// What the judgement needs besides the event and the snapshot.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The businesses the till is enrolled for.
    pub allowed: &'a [BusinessId],
    /// The server's clock.
    pub now: DateTime<Utc>,
    /// When the same till's previous event (by `device_seq`) says it happened, if known.
    pub previous_at: Option<DateTime<FixedOffset>>,
}

/// Judges one event against the snapshot, and on acceptance records in the snapshot what the
/// event adds, for the events after it in the batch.
pub fn judge(incoming: &Incoming, parsed: Parsed, context: Context<'_>, snapshot: &mut Snapshot) -> Verdict {
    let event = &incoming.event;
    let checked = match &incoming.text_fault {
        Some(fault) => Err(fault.clone()),
        None => check(event, parsed, context, snapshot),
    };
    match checked {
        Ok(accepted) => {
            remember(snapshot, event, &accepted);
            Verdict::Posted(Box::new(accepted))
        }
        Err(reason) => Verdict::Quarantined(reason),
    }
}

fn check(event: &RawEvent, parsed: Parsed, context: Context<'_>, snapshot: &Snapshot) -> Result<Accepted, Reason> {
    let business = snapshot
        .businesses
        .get(&event.business_id)
        .ok_or_else(|| reason("unknown_business", format!("no business {}", event.business_id)))?;
    if !context.allowed.contains(&business.id) {
        return Err(reason("device_not_allowed", format!("this till is not enrolled for {}", business.code)));
    }
    check_time(event.occurred_at, context.now)?;
    let document = parsed.document?;
    let entry = parsed.entry?;
    check_journal_presence(&document, entry.as_ref())?;
    if let Some(entry) = &entry {
        check_accounts(entry, business, snapshot)?;
        if snapshot.entry_ids.contains(&entry.entry_id()) {
            return Err(reason("entry_id_reused", format!("entry {} was already posted", entry.entry_id())));
        }
    }
    if let Some(id) = document_id(&document)
        && snapshot.entries.contains_key(&id)
    {
        return Err(reason("document_id_reused", format!("document {id} was already posted")));
    }
    document.validate(business, snapshot).map_err(from_document_error)?;
    check_references(&document, entry.as_ref(), business, snapshot)?;
    let mut effects = document.effects().map_err(|error| from_document_error(error.into()))?;
    if let Some(settlement) = &mut effects.supplier_payment {
        settle_supplier(settlement, business, snapshot)?;
    }
    let flags = flags(event, &document, &effects, snapshot, context);
    Ok(Accepted { document, entry, effects, flags })
}

/// A stamp no till could have meant: before Tillbook's first sale, or a year past the server.
fn check_time(occurred_at: DateTime<FixedOffset>, now: DateTime<Utc>) -> Result<(), Reason> {
    let latest = now + chrono::Duration::days(LATEST_PLAUSIBLE_DAYS_AHEAD);
    if occurred_at.date_naive() < EARLIEST_PLAUSIBLE || occurred_at.with_timezone(&Utc) > latest {
        return Err(reason(
            "invalid_time",
            format!(
                "recorded at {occurred_at}, which is not a plausible time (the till's clock was reset?); \
                 posting it would put it in the wrong year"
            ),
        ));
    }
    Ok(())
}

/// Documents that move money carry a journal; those that never do must not (core decides which).
fn check_journal_presence(document: &Document, entry: Option<&JournalEntry>) -> Result<(), Reason> {
    match (document.journal_expected(), entry) {
        (Some(true), None) => Err(reason("journal_missing", "this document moves money but carries no journal")),
        (Some(false), Some(_)) => {
            Err(reason("journal_unexpected", "this document moves no money but carries a journal"))
        }
        _ => Ok(()),
    }
}

fn check_accounts(entry: &JournalEntry, business: &Business, snapshot: &Snapshot) -> Result<(), Reason> {
    for line in entry.lines() {
        let account = snapshot
            .accounts
            .get(&line.account)
            .ok_or_else(|| reason("unknown_account", format!("account {} does not exist", line.account)))?;
        if !account.active {
            return Err(reason("inactive_account", format!("account {} is inactive", line.account)));
        }
        if !account.usable_by(&business.code) {
            return Err(reason(
                "wrong_business",
                format!(
                    "account {} belongs to {}, not {}",
                    line.account,
                    account.business.as_deref().unwrap_or("?"),
                    business.code
                ),
            ));
        }
    }
    Ok(())
}

/// The sum of the journal's debits (or credits) on the accounts money arrives in.
fn money_accounts_total(entry: &JournalEntry, business: &Business, debit: bool) -> Result<Money, Reason> {
    let accounts = [business.accounts.cash, business.accounts.mpesa, business.accounts.receivable];
    let amounts = entry
        .lines()
        .iter()
        .filter(|line| accounts.contains(&line.account))
        .filter(|line| (line.debit().is_positive()) == debit)
        .map(|line| line.amount);
    // A part of the entry's debits or credits, which `JournalEntry::new` proved in range; still
    // an answer rather than a panic if that ever changed.
    Money::sum(amounts).map_err(|error| reason("amount_out_of_range", error.to_string()))
}

fn money_in_matches(
    entry: Option<&JournalEntry>,
    business: &Business,
    total: Money,
    debit: bool,
) -> Result<(), Reason> {
    let moved = entry.map(|entry| money_accounts_total(entry, business, debit)).transpose()?.unwrap_or(Money::ZERO);
    if moved != total {
        return Err(reason(
            "journal_mismatch",
            format!(
                "the document's total is {total} but its journal moves {moved} through cash, M-Pesa and receivables"
            ),
        ));
    }
    Ok(())
}

/// What each kind of document must find already true: the thing it reverses, pays or moves.
fn check_references(
    document: &Document,
    entry: Option<&JournalEntry>,
    business: &Business,
    snapshot: &Snapshot,
) -> Result<(), Reason> {
    match document {
        Document::Sale(sale) => money_in_matches(entry, business, sale.total, true),
        Document::LpgSale(sale) => money_in_matches(entry, business, sale.total, true),
        Document::DepositRefund(refund) => money_in_matches(entry, business, refund.total, false),
        Document::CreditApplied(applied) => {
            money_in_matches(entry, business, applied.total, false)?;
            enough_credit(applied.customer_id, applied.total, snapshot)?;
            open_invoices_of(applied.customer_id, &applied.allocations, business, snapshot)
        }
        Document::CreditRefunded(refund) => {
            money_in_matches(entry, business, refund.total, false)?;
            enough_credit(refund.customer_id, refund.total, snapshot)
        }
        Document::LaundryPaid(payment) | Document::PaymentReceived(payment) => {
            money_in_matches(entry, business, payment.total, true)?;
            open_invoices_of(payment.customer_id, &payment.allocations, business, snapshot)
        }
        Document::Refund(refund) => {
            let original = posted_original(refund.sale_id, business, snapshot)?;
            if original.event_type != "sale.recorded" {
                return Err(reason("nothing_to_reverse", format!("{} is not a sale", refund.sale_id)));
            }
            // Money returned on credit is a credit note against the sale's own invoice.
            let credit = credit_of(&refund.tenders).map_err(|error| from_document_error(error.into()))?;
            if let Some((customer, _)) = credit
                && snapshot.invoices.get(&refund.sale_id).is_none_or(|invoice| invoice.customer_id != customer)
            {
                return Err(reason(
                    "unknown_invoice",
                    format!("{} has no invoice of this customer to take a credit note", refund.sale_id),
                ));
            }
            money_in_matches(entry, business, refund.total, false)
        }
        Document::SaleVoided(void) | Document::DocumentVoided(void) => {
            let original = posted_original(void.document_id, business, snapshot)?;
            if original.event_type != void.original_type {
                return Err(reason(
                    "journal_mismatch",
                    format!("{} is a {}, not a {}", void.document_id, original.event_type, void.original_type),
                ));
            }
            let mirrored: BTreeMap<AccountCode, Money> =
                original.entry.net_by_account().into_iter().map(|(account, net)| (account, -net)).collect();
            let voiding = entry.map(JournalEntry::net_by_account).unwrap_or_default();
            if voiding != mirrored {
                return Err(reason("journal_mismatch", "a void's journal must mirror the original entry exactly"));
            }
            Ok(())
        }
        // A change names a customer head office knows (created before, or earlier in the batch).
        Document::CustomerChanged(changed) if !snapshot.customers.contains_key(&changed.customer_id) => {
            Err(reason("unknown_customer", format!("no customer {} to change", changed.customer_id)))
        }
        Document::LaundryStatusChange(change) => {
            if snapshot.invoices.get(&change.job_id).is_some_and(|job| job.business_id != business.id) {
                return Err(reason(
                    "wrong_business",
                    format!("laundry job {} belongs to another business", change.ticket_number),
                ));
            }
            let status = snapshot.job_status.get(&change.job_id).ok_or_else(|| {
                reason(
                    "unknown_job",
                    format!("laundry job {} ({}) was never dropped off", change.job_id, change.ticket_number),
                )
            })?;
            if change.to == JobStatus::Cancelled && matches!(status, JobStatus::Cancelled | JobStatus::Collected) {
                return Err(reason(
                    "already_closed",
                    format!("job {} is already {}", change.ticket_number, status.as_str()),
                ));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Completes a supplier payment's allocations (DESIGN §5, "Supplier payment"): each invoice
/// chosen at the till must be an open invoice of this supplier and business, paid no more than
/// it still asks; the rest of the money goes to the oldest open invoices, by day; what is left
/// after that is paid in advance and stays unallocated.
fn settle_supplier(
    settlement: &mut SupplierSettlement,
    business: &Business,
    snapshot: &Snapshot,
) -> Result<(), Reason> {
    let ours =
        |state: &SupplierInvoiceState| state.supplier_id == settlement.supplier_id && state.business_id == business.id;
    let mut open: BTreeMap<(chrono::NaiveDate, DocumentId), Money> = snapshot
        .supplier_invoices
        .iter()
        .filter(|(_, state)| ours(state) && state.open.is_positive())
        .map(|(id, state)| ((state.day, *id), state.open))
        .collect();
    let mut paid: BTreeMap<(chrono::NaiveDate, DocumentId), Money> = BTreeMap::new();
    let mut left = settlement.amount;
    let out_of_range = |error: tillbook_core::money::AmountError| from_document_error(error.into());
    for chosen in &settlement.allocations {
        let key = snapshot
            .supplier_invoices
            .get(&chosen.invoice_id)
            .filter(|state| ours(state))
            .map(|state| (state.day, chosen.invoice_id))
            .ok_or_else(|| {
                reason(
                    "unknown_invoice",
                    format!("invoice {} is not an open invoice of this supplier", chosen.invoice_id),
                )
            })?;
        let still = open.get_mut(&key).filter(|still| **still >= chosen.amount).ok_or_else(|| {
            reason(
                "over_allocated",
                format!("invoice {} asks for less than the {} paid to it", chosen.invoice_id, chosen.amount),
            )
        })?;
        *still = still.checked_sub(chosen.amount).map_err(out_of_range)?;
        let sum = paid.entry(key).or_insert(Money::ZERO);
        *sum = sum.checked_add(chosen.amount).map_err(out_of_range)?;
        left = left.checked_sub(chosen.amount).map_err(out_of_range)?;
    }
    for (key, still) in &open {
        if !left.is_positive() {
            break;
        }
        let take = (*still).min(left);
        if take.is_positive() {
            let sum = paid.entry(*key).or_insert(Money::ZERO);
            *sum = sum.checked_add(take).map_err(out_of_range)?;
            left = left.checked_sub(take).map_err(out_of_range)?;
        }
    }
    settlement.allocations =
        paid.into_iter().map(|((_, invoice_id), amount)| Allocation { invoice_id, amount }).collect();
    Ok(())
}

/// Each allocation's invoice is this customer's, of this business, and not cancelled.
fn open_invoices_of(
    customer: CustomerId,
    allocations: &[Allocation],
    business: &Business,
    snapshot: &Snapshot,
) -> Result<(), Reason> {
    for allocation in allocations {
        match snapshot.invoices.get(&allocation.invoice_id) {
            Some(invoice) if invoice.business_id != business.id => {
                return Err(reason(
                    "wrong_business",
                    format!("invoice {} belongs to another business", allocation.invoice_id),
                ));
            }
            Some(invoice) if !invoice.cancelled && invoice.customer_id == customer => {}
            _ => {
                return Err(reason(
                    "unknown_invoice",
                    format!("invoice {} is not an open invoice of this customer", allocation.invoice_id),
                ));
            }
        }
    }
    Ok(())
}

/// The customer holds at least `amount` of credit (2300), as the ledger and the batch so far say.
fn enough_credit(customer: CustomerId, amount: Money, snapshot: &Snapshot) -> Result<(), Reason> {
    let held = snapshot.credits.get(&customer).copied().unwrap_or(Money::ZERO);
    if amount > held {
        return Err(reason("not_enough_credit", format!("the customer holds {held} of credit, not {amount}")));
    }
    Ok(())
}

fn posted_original<'a>(id: DocumentId, business: &Business, snapshot: &'a Snapshot) -> Result<&'a PostedEntry, Reason> {
    let original = snapshot
        .entries
        .get(&id)
        .ok_or_else(|| reason("nothing_to_reverse", format!("document {id} was never posted")))?;
    if original.business_id != business.id {
        return Err(reason("wrong_business", format!("document {id} belongs to another business")));
    }
    if snapshot.voided.contains(&id) {
        return Err(reason("already_voided", format!("document {id} was already voided")));
    }
    Ok(original)
}

/// Business facts worth the owner's eye; the event is posted regardless.
fn flags(
    event: &RawEvent,
    document: &Document,
    effects: &Effects,
    snapshot: &Snapshot,
    context: Context<'_>,
) -> Vec<Reason> {
    let mut flags = Vec::new();
    let ahead = event.occurred_at.with_timezone(&Utc) - context.now;
    if ahead.num_minutes() > CLOCK_SKEW_LIMIT_MINUTES {
        flags.push(reason(
            "clock_skew",
            format!("recorded {} minutes ahead of the server's clock", ahead.num_minutes()),
        ));
    }
    if let Some(previous) = context.previous_at {
        let back = previous - event.occurred_at;
        if back.num_minutes() > CLOCK_SKEW_LIMIT_MINUTES {
            flags.push(reason(
                "clock_skew",
                format!(
                    "recorded {} minutes earlier than this till's event before it: its clock went back",
                    back.num_minutes()
                ),
            ));
        }
    }
    if let Document::Sale(sale) = document {
        for line in &sale.lines {
            if let Some(product) = snapshot.products.get(&line.product_id)
                && product.price != line.unit_price
            {
                flags.push(reason(
                    "old_price",
                    format!("{} sold at {} while the price is {}", product.name, line.unit_price, product.price),
                ));
            }
        }
    }
    if !effects.money_back {
        for code in effects.tenders.iter().filter_map(|tender| tender.mpesa_code.as_deref()) {
            if snapshot.mpesa_codes.contains(code) {
                flags.push(reason("duplicate_mpesa_code", format!("M-Pesa code {code} was recorded before")));
            }
        }
    }
    if let Document::LaundryStatusChange(change) = document
        && let Some(status) = snapshot.job_status.get(&change.job_id)
        && *status != change.from
    {
        flags.push(reason(
            "status_conflict",
            format!(
                "job {} went {} → {} here, but the ledger had it {}",
                change.ticket_number,
                change.from.as_str(),
                change.to.as_str(),
                status.as_str()
            ),
        ));
    }
    flags
}

/// What an accepted event adds that later events of the same batch may refer to.
fn remember(snapshot: &mut Snapshot, event: &RawEvent, accepted: &Accepted) {
    let document = &accepted.document;
    if let Some(entry) = &accepted.entry {
        snapshot.entry_ids.insert(entry.entry_id());
        if let Some(id) = document_id(document) {
            snapshot.entries.insert(
                id,
                PostedEntry {
                    business_id: event.business_id,
                    event_type: event.event_type.clone(),
                    entry: entry.clone(),
                },
            );
        }
    }
    if !accepted.effects.money_back {
        for code in accepted.effects.tenders.iter().filter_map(|tender| tender.mpesa_code.clone()) {
            snapshot.mpesa_codes.insert(code);
        }
    }
    if let Document::CustomerCreated(created) = document {
        snapshot.customers.entry(created.customer_id).or_insert_with(|| Customer {
            id: created.customer_id,
            name: created.name.clone(),
            phone: created.phone.clone(),
            credit_limit: created.credit_limit,
            active: true,
        });
    }
    // The batch's later events see the customer as changed (a credit sale, its new limit).
    if let Document::CustomerChanged(changed) = document
        && let Some(customer) = snapshot.customers.get_mut(&changed.customer_id)
    {
        customer.name = changed.name.clone();
        customer.phone = changed.phone.clone();
        customer.credit_limit = changed.credit_limit;
    }
    let effects = &accepted.effects;
    if let Some(invoice) = &effects.invoice {
        snapshot.invoices.insert(
            invoice.invoice_id,
            InvoiceState { business_id: event.business_id, customer_id: invoice.customer_id, cancelled: false },
        );
    }
    if let Some(change) = &effects.status {
        snapshot.job_status.insert(change.job_id, change.to);
    }
    if let Some(cancelled) = effects.cancels_invoice
        && let Some(invoice) = snapshot.invoices.get_mut(&cancelled)
    {
        invoice.cancelled = true;
    }
    if let Some(voided) = effects.voids {
        snapshot.voided.insert(voided);
        snapshot.supplier_invoices.remove(&voided);
    }
    if let Some(invoice) = &effects.supplier_invoice {
        let state = SupplierInvoiceState {
            business_id: event.business_id,
            supplier_id: invoice.supplier_id,
            day: event.occurred_at.date_naive(),
            open: invoice.amount,
        };
        snapshot.supplier_invoices.insert(invoice.invoice_id, state);
    }
    // Credit used by this event is no longer there for the next; credit paid in now is.
    if let Some(used) = accepted.effects.credit_used
        && let Some(held) = snapshot.credits.get_mut(&used.customer_id)
    {
        *held = held.checked_sub(used.amount).unwrap_or(Money::ZERO);
    }
    if let Document::LaundryPaid(payment) | Document::PaymentReceived(payment) = document
        && let Some(held) = snapshot.credits.get_mut(&payment.customer_id)
    {
        *held = held.checked_add(payment.unapplied).unwrap_or(*held);
    }
    // A job cancelled after payments on it: what was paid becomes the customer's credit.
    if let Document::LaundryStatusChange(change) = document
        && change.to == tillbook_core::documents::JobStatus::Cancelled
        && let Some(customer) = snapshot.invoices.get(&change.job_id).map(|invoice| invoice.customer_id)
        && let Some(held) = snapshot.credits.get_mut(&customer)
    {
        *held = held.checked_add(change.paid).unwrap_or(*held);
    }
    if let Some(settlement) = &effects.supplier_payment {
        for allocation in &settlement.allocations {
            if let Some(state) = snapshot.supplier_invoices.get_mut(&allocation.invoice_id) {
                state.open = state.open.checked_sub(allocation.amount).unwrap_or(Money::ZERO);
            }
        }
    }
}
