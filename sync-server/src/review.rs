//! The owner's review queue (DESIGN §7, §9): what the merge could not post (quarantined events),
//! what it posted but flagged (stock below zero, an old price, a clock far off, an M-Pesa code
//! seen before), what an M-Pesa statement did not match (`mpesa`), and what KRA's eTIMS refused
//! (`etims`). Each waits for the owner's decision: a correcting entry posted at head office, or
//! dismissal with a note; a refused eTIMS invoice may also be sent again (`resend`, once the
//! product or set-up KRA objected to is put right), which decides nothing: if KRA refuses it
//! again, it is back in the queue. A decision is final and kept (`review_resolution`, which
//! refuses change), and written to the audit log with who made it.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use sqlx::PgPool;
use tillbook_core::Money;
use tillbook_core::ids::EventId;
use tillbook_core::journal::{JournalEntry, JournalPayload};
use tillbook_core::protocol::{EventStatus, Resolution, ResolvedEvent};
use tillbook_core::protocol::{ResolveRequest, ResolveResponse};
use uuid::Uuid;

use crate::audit::audit;
use crate::changes;
use crate::head_office::{self, HeadOfficeEntry};

/// The journal's `event_type` of a correcting entry.
pub const CORRECTION_EVENT_TYPE: &str = "review.corrected";
/// A correction is a few lines, typed by a person.
pub const MAX_CORRECTION_LINES: usize = 20;
pub const MAX_NOTE_CHARS: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("no review item {0}")]
    NotFound(String),
    #[error("{0}")]
    NotAllowed(String),
    #[error("{item} was {status} already")]
    AlreadyResolved { item: String, status: String },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> ReviewError {
    ReviewError::Invalid { field: field.into(), message: message.into() }
}

/// One item of the queue, with its decision once made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewItem {
    /// `quarantine:<event id>`, `flag:<flag id>` or `mpesa:<mismatch id>`: what a resolution names.
    pub item: String,
    /// `quarantine`, `flag` or `mpesa`.
    pub kind: String,
    /// The quarantine's reason code, the flag's code (`negative_stock`, `duplicate_mpesa_code`…)
    /// or the mismatch's (`mpesa_not_received`, `mpesa_not_recorded`…).
    pub code: String,
    pub message: String,
    /// The business the event was for; `None` when it named one that does not exist.
    pub business_code: Option<String>,
    /// The till behind it; `None` for a receipt no till recorded.
    pub till_code: Option<String>,
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    pub raised_at: DateTime<Utc>,
    /// The document's total as the till sent it, when it has one; for an M-Pesa mismatch, the
    /// amount received (or, when nothing was, the amount recorded).
    pub amount: Option<Money>,
    /// `open`, `dismissed` or `corrected`.
    pub status: String,
    pub note: Option<String>,
    pub entry_number: Option<i64>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// Which items a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    Open,
    Resolved,
    All,
}

impl Listing {
    pub fn parse(text: Option<&str>) -> Result<Listing, ReviewError> {
        match text {
            None | Some("open") => Ok(Listing::Open),
            Some("resolved") => Ok(Listing::Resolved),
            Some("all") => Ok(Listing::All),
            Some(other) => Err(invalid("status", format!("'{other}' is not open, resolved or all"))),
        }
    }

    fn condition(self) -> &'static str {
        match self {
            Listing::Open => "status = 'open'",
            Listing::Resolved => "status <> 'open'",
            Listing::All => "TRUE",
        }
    }
}

/// Every kind of item in one shape: the event (or statement) behind each, its till and
/// business, and the resolution if there is one.
const ITEMS: &str = "
WITH items AS (
    SELECT 'quarantine:' || q.event_id AS item, 'quarantine' AS kind, q.reason_code AS code,
           q.reason_message AS message, i.business_id, d.till_code, i.event_type, i.occurred_at,
           q.quarantined_at AS raised_at, i.raw -> 'document' ->> 'total' AS amount, r.id AS resolution
      FROM quarantine q JOIN inbox i USING (event_id) JOIN device d ON d.id = i.device_id
      LEFT JOIN review_resolution r ON r.quarantine_event = q.event_id
    UNION ALL
    SELECT 'flag:' || f.id, 'flag', f.code, f.message, i.business_id, d.till_code, i.event_type, i.occurred_at,
           f.flagged_at, i.raw -> 'document' ->> 'total', r.id
      FROM posting_flag f JOIN inbox i USING (event_id) JOIN device d ON d.id = i.device_id
      LEFT JOIN review_resolution r ON r.flag_id = f.id
    UNION ALL
    SELECT 'mpesa:' || m.id, 'mpesa', m.kind, m.message, m.business_id, till.till_code, 'mpesa.statement',
           coalesce(m.received_at, m.recorded_at), m.raised_at,
           coalesce(m.received_amount, m.recorded_amount)::text, r.id
      FROM mpesa_mismatch m
      LEFT JOIN LATERAL (SELECT d.till_code FROM journal_entry e JOIN inbox i USING (event_id)
                           JOIN device d ON d.id = i.device_id
                          WHERE e.document_id = m.document_id LIMIT 1) till ON TRUE
      LEFT JOIN review_resolution r ON r.mpesa_mismatch_id = m.id
    UNION ALL
    SELECT 'bank:' || k.id, 'bank', k.kind, k.message, k.business_id, NULL, 'bank.statement',
           k.day::timestamptz, k.raised_at, k.amount::text, r.id
      FROM bank_mismatch k
      LEFT JOIN review_resolution r ON r.bank_mismatch_id = k.id
    UNION ALL
    -- eTIMS: an invoice KRA refused, or one it held already whose signature was lost.
    SELECT 'etims:' || x.business_id || ':' || x.invoice_number, 'etims', 'etims_' || x.result_code,
           x.result_message, x.business_id, d.till_code, i.event_type, i.occurred_at, x.answered_at,
           i.raw -> 'document' ->> 'total', r.id
      FROM etims_invoice x JOIN inbox i USING (event_id) JOIN device d ON d.id = i.device_id
      LEFT JOIN review_resolution r ON r.etims_business_id = x.business_id AND r.etims_invoice_number = x.invoice_number
     WHERE x.state = 'rejected' OR x.result_code = '994')
SELECT * FROM (
    SELECT t.item, t.kind, t.code, t.message, b.code AS business_code, t.till_code, t.event_type, t.occurred_at,
           t.raised_at, t.amount, coalesce(r.action, 'open') AS status, r.note, r.entry_number,
           o.email AS resolved_by, r.resolved_at
      FROM items t
      LEFT JOIN business b ON b.id = t.business_id
      LEFT JOIN review_resolution r ON r.id = t.resolution
      LEFT JOIN owner_user o ON o.id = r.resolved_by) listed
 WHERE {condition}
 ORDER BY raised_at DESC, item";

type ItemRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<String>,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<DateTime<Utc>>,
);

/// The queue, newest first.
pub async fn items(pool: &PgPool, listing: Listing) -> Result<Vec<ReviewItem>, ReviewError> {
    let sql = ITEMS.replace("{condition}", listing.condition());
    let rows: Vec<ItemRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                item,
                kind,
                code,
                message,
                business_code,
                till_code,
                event_type,
                occurred_at,
                raised_at,
                amount,
                status,
                note,
                entry_number,
                resolved_by,
                resolved_at,
            )| ReviewItem {
                item,
                kind,
                code,
                message,
                business_code,
                till_code,
                event_type,
                occurred_at,
                raised_at,
                // A quarantined event may carry anything as its total: shown only when it is money.
                amount: amount.and_then(|text| text.parse().ok()),
                status,
                note,
                entry_number,
                resolved_by,
                resolved_at,
            },
        )
        .collect())
}

/// What a resolution names: a quarantined event, a posting flag or an M-Pesa mismatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Quarantine(Uuid),
    Flag(i64),
    Mpesa(i64),
    Bank(i64),
    /// A business's eTIMS invoice, by its number.
    Etims(Uuid, i64),
}

impl Target {
    fn parse(item: &str) -> Result<Target, ReviewError> {
        let item = item.trim();
        let parsed = match item.split_once(':') {
            Some(("quarantine", id)) => Uuid::parse_str(id).ok().map(Target::Quarantine),
            Some(("flag", id)) => id.parse().ok().filter(|id: &i64| *id > 0).map(Target::Flag),
            Some(("mpesa", id)) => id.parse().ok().filter(|id: &i64| *id > 0).map(Target::Mpesa),
            Some(("bank", id)) => id.parse().ok().filter(|id: &i64| *id > 0).map(Target::Bank),
            Some(("etims", rest)) => rest.split_once(':').and_then(|(business, number)| {
                let number = number.parse().ok().filter(|number: &i64| *number > 0)?;
                Some(Target::Etims(Uuid::parse_str(business).ok()?, number))
            }),
            _ => None,
        };
        parsed.ok_or_else(|| {
            invalid(
                "item",
                format!(
                    "'{item}' is not quarantine:<event id>, flag:<number>, mpesa:<number>, bank:<number> \
                     or etims:<business id>:<invoice number>"
                ),
            )
        })
    }
}

impl Target {
    /// The item as `review_resolution` keys it: one of the six set.
    fn keys(self) -> ItemKeys {
        match self {
            Target::Quarantine(id) => (Some(id), None, None, None, None, None),
            Target::Flag(id) => (None, Some(id), None, None, None, None),
            Target::Mpesa(id) => (None, None, Some(id), None, None, None),
            Target::Bank(id) => (None, None, None, Some(id), None, None),
            Target::Etims(business, number) => (None, None, None, None, Some(business), Some(number)),
        }
    }
}

/// A correction checked against the books, ready to post.
struct CheckedCorrection {
    business_code: String,
    business_id: Uuid,
    business_day: NaiveDate,
    entry: JournalEntry,
}

/// The entry must balance, every line one-sided and positive, on accounts that exist, are
/// active and belong to the business — and not on the customers' receivable account, which
/// only invoices and payments may move (what a customer owes is derived from them, DESIGN §5).
async fn check_correction(
    pool: &PgPool,
    correction: &tillbook_core::protocol::Correction,
    today: NaiveDate,
) -> Result<CheckedCorrection, ReviewError> {
    let business_code = correction.business.trim().to_uppercase();
    let business: Option<(Uuid, i16)> =
        sqlx::query_as("SELECT id, (accounts ->> 'receivable')::smallint FROM business WHERE code = $1 AND active")
            .bind(&business_code)
            .fetch_optional(pool)
            .await?;
    let (business_id, receivable) = business
        .ok_or_else(|| invalid("correction.business", format!("no active business '{}'", correction.business)))?;
    let business_day = correction.business_day.unwrap_or(today);
    if business_day > today {
        return Err(invalid("correction.business_day", format!("{business_day} is after today ({today})")));
    }
    if correction.lines.len() > MAX_CORRECTION_LINES {
        return Err(invalid("correction.lines", format!("at most {MAX_CORRECTION_LINES} lines")));
    }
    let payload = JournalPayload { entry_id: tillbook_core::ids::EntryId::new(), lines: correction.lines.clone() };
    let entry = JournalEntry::from_wire(&payload).map_err(|error| invalid("correction.lines", error.to_string()))?;
    let accounts: Vec<(i16, Option<String>, bool)> =
        sqlx::query_as("SELECT code, business_code, active FROM account").fetch_all(pool).await?;
    let accounts: HashMap<i16, (Option<String>, bool)> =
        accounts.into_iter().map(|(code, owner, active)| (code, (owner, active))).collect();
    for (index, line) in correction.lines.iter().enumerate() {
        let field = format!("correction.lines[{index}].account");
        let code = i16::try_from(line.account.number()).map_err(|_| invalid(&field, "not an account code"))?;
        let (owner, active) =
            accounts.get(&code).ok_or_else(|| invalid(&field, format!("account {code} does not exist")))?;
        if !active {
            return Err(invalid(&field, format!("account {code} is inactive")));
        }
        if owner.as_deref().is_some_and(|owner| owner != business_code) {
            return Err(invalid(
                &field,
                format!("account {code} belongs to {}, not {business_code}", owner.as_deref().unwrap_or("?")),
            ));
        }
        if code == receivable {
            return Err(invalid(
                &field,
                format!("account {code} holds what customers owe: correct it with an invoice, a payment or a void"),
            ));
        }
    }
    Ok(CheckedCorrection { business_code, business_id, business_day, entry })
}

/// The business (code) an item of the queue is of, if it names one that exists.
async fn item_business(tx: &mut sqlx::PgConnection, target: Target) -> Result<Option<String>, sqlx::Error> {
    let found: Option<(String,)> = match target {
        Target::Quarantine(id) => {
            sqlx::query_as("SELECT b.code FROM inbox i JOIN business b ON b.id = i.business_id WHERE i.event_id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
        }
        Target::Flag(id) => {
            sqlx::query_as(
                "SELECT b.code FROM posting_flag f JOIN inbox i ON i.event_id = f.event_id
                   JOIN business b ON b.id = i.business_id WHERE f.id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        }
        Target::Mpesa(id) => {
            sqlx::query_as(
                "SELECT b.code FROM mpesa_mismatch m JOIN business b ON b.id = m.business_id WHERE m.id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        }
        Target::Bank(id) => {
            sqlx::query_as("SELECT b.code FROM bank_mismatch k JOIN business b ON b.id = k.business_id WHERE k.id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
        }
        Target::Etims(business, _) => {
            sqlx::query_as("SELECT code FROM business WHERE id = $1").bind(business).fetch_optional(&mut *tx).await?
        }
    };
    Ok(found.map(|(code,)| code))
}

/// Records the owner's decision on one item: checks it, then in one transaction (under the
/// ledger's lock, so two decisions on one item cannot both land) posts the correcting entry if
/// any, keeps the resolution and writes the audit log.
pub async fn resolve(
    pool: &PgPool,
    owner_id: Uuid,
    limited_to: Option<&[String]>,
    request: &ResolveRequest,
    zone: Tz,
) -> Result<ResolveResponse, ReviewError> {
    let target = Target::parse(&request.item)?;
    let note = request.note.trim();
    if note.is_empty() {
        return Err(invalid("note", "say why: the note is kept with the decision"));
    }
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(invalid("note", format!("at most {MAX_NOTE_CHARS} characters")));
    }
    let now = Utc::now();
    let today = now.with_timezone(&zone).date_naive();
    let correction = match (request.action.as_str(), &request.correction) {
        ("resend", None) => return resend(pool, owner_id, limited_to, target, note).await,
        ("resend", Some(_)) => return Err(invalid("correction", "sending again posts nothing: leave it out")),
        ("dismiss", None) => None,
        ("dismiss", Some(_)) => return Err(invalid("correction", "a dismissal posts nothing: leave it out")),
        ("correct", Some(correction)) => Some(check_correction(pool, correction, today).await?),
        ("correct", None) => return Err(invalid("correction", "a correction needs its entry")),
        (other, _) => return Err(invalid("action", format!("'{other}' is not dismiss, correct or resend"))),
    };
    let item = match target {
        Target::Quarantine(id) => format!("quarantine:{id}"),
        Target::Flag(id) => format!("flag:{id}"),
        Target::Mpesa(id) => format!("mpesa:{id}"),
        Target::Bank(id) => format!("bank:{id}"),
        Target::Etims(business, number) => format!("etims:{business}:{number}"),
    };

    let mut tx = pool.begin().await?;
    changes::lock(&mut tx).await?;
    let exists: Option<(i32,)> = match target {
        Target::Quarantine(id) => {
            sqlx::query_as("SELECT 1 FROM quarantine WHERE event_id = $1").bind(id).fetch_optional(&mut *tx).await?
        }
        Target::Flag(id) => {
            sqlx::query_as("SELECT 1 FROM posting_flag WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?
        }
        Target::Mpesa(id) => {
            sqlx::query_as("SELECT 1 FROM mpesa_mismatch WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?
        }
        Target::Bank(id) => {
            sqlx::query_as("SELECT 1 FROM bank_mismatch WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?
        }
        Target::Etims(business, number) => {
            sqlx::query_as(
                "SELECT 1 FROM etims_invoice WHERE business_id = $1 AND invoice_number = $2
                    AND (state = 'rejected' OR result_code = '994')",
            )
            .bind(business)
            .bind(number)
            .fetch_optional(&mut *tx)
            .await?
        }
    };
    if exists.is_none() {
        return Err(ReviewError::NotFound(item));
    }
    if let Some(own) = limited_to {
        let business = item_business(&mut tx, target).await?;
        let theirs = |code: &str| own.iter().any(|own| own == code);
        if !business.as_deref().is_some_and(theirs) {
            return Err(ReviewError::NotAllowed(format!("{item} is not of a business you manage")));
        }
        if let Some(correction) = &correction
            && !theirs(&correction.business_code)
        {
            return Err(ReviewError::NotAllowed(format!("you do not manage {}", correction.business_code)));
        }
    }
    let keys = target.keys();
    let (quarantine_event, flag_id, mpesa_id, bank_id, etims_business, etims_invoice) = keys;
    if let Some(status) = earlier_decision(&mut tx, keys).await? {
        return Err(ReviewError::AlreadyResolved { item, status });
    }
    let entry_number = match &correction {
        None => None,
        Some(correction) => {
            let occurred_at = zone
                .from_local_datetime(&correction.business_day.and_hms_opt(12, 0, 0).unwrap_or_default())
                .earliest()
                .map(|at| at.fixed_offset())
                .unwrap_or_else(|| now.fixed_offset());
            let entry = HeadOfficeEntry {
                business_id: correction.business_id,
                kind: CORRECTION_EVENT_TYPE,
                document_id: Uuid::now_v7(),
                occurred_at,
                business_day: correction.business_day,
                entry: &correction.entry,
            };
            Some((head_office::post(&mut tx, &entry).await?, correction.entry.entry_id().0))
        }
    };
    let (entry_number, entry_id) = (entry_number.map(|(number, _)| number), entry_number.map(|(_, id)| id));
    let resolution = if correction.is_some() { Resolution::Corrected } else { Resolution::Dismissed };
    let status = resolution.as_str();
    sqlx::query(
        "INSERT INTO review_resolution (quarantine_event, flag_id, mpesa_mismatch_id, bank_mismatch_id,
                                        etims_business_id, etims_invoice_number, action, note, entry_number, entry_id,
                                        resolved_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(quarantine_event)
    .bind(flag_id)
    .bind(mpesa_id)
    .bind(bank_id)
    .bind(etims_business)
    .bind(etims_invoice)
    .bind(status)
    .bind(note)
    .bind(entry_number)
    .bind(entry_id)
    .bind(owner_id)
    .execute(&mut *tx)
    .await?;
    if let Some(event_id) = quarantine_event {
        // The till that sent the event hears of the decision on its next pull.
        let (device,): (Uuid,) = sqlx::query_as("SELECT device_id FROM inbox WHERE event_id = $1")
            .bind(event_id)
            .fetch_one(&mut *tx)
            .await?;
        let resolved = ResolvedEvent { event_id: EventId(event_id), status: resolution, note: Some(note.to_string()) };
        let status = EventStatus { resolved: vec![resolved], ..EventStatus::default() };
        changes::publish_event_status(&mut tx, tillbook_core::ids::DeviceId(device), &status).await?;
    }
    audit(
        &mut tx,
        crate::audit::Actor::User(owner_id),
        &format!("review.{status}"),
        &item,
        serde_json::json!({
            "note": note,
            "entry_number": entry_number,
            "business": correction.as_ref().map(|c| &c.business_code),
            "lines": correction.as_ref().map(|c| audited_lines(&c.entry)),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(ResolveResponse { item, status: status.to_string(), entry_number })
}

/// The decision already kept on an item, if any: `(quarantine event, flag, M-Pesa mismatch, bank
/// mismatch, eTIMS business, eTIMS invoice)`, one of them set.
type ItemKeys = (Option<Uuid>, Option<i64>, Option<i64>, Option<i64>, Option<Uuid>, Option<i64>);

async fn earlier_decision(tx: &mut sqlx::PgConnection, keys: ItemKeys) -> Result<Option<String>, sqlx::Error> {
    let (quarantine_event, flag_id, mpesa_id, bank_id, etims_business, etims_invoice) = keys;
    sqlx::query_scalar(
        "SELECT action FROM review_resolution
          WHERE quarantine_event = $1 OR flag_id = $2 OR mpesa_mismatch_id = $3 OR bank_mismatch_id = $4
             OR (etims_business_id = $5 AND etims_invoice_number = $6)",
    )
    .bind(quarantine_event)
    .bind(flag_id)
    .bind(mpesa_id)
    .bind(bank_id)
    .bind(etims_business)
    .bind(etims_invoice)
    .fetch_optional(&mut *tx)
    .await
}

/// Sends a refused eTIMS invoice again: back to `waiting` with its payload rebuilt from the
/// posted event (so a product or set-up put right since is what KRA now sees), under the same
/// invoice number, which KRA never kept. Not for a 994 (KRA holds that number for something
/// else: the same number cannot succeed) nor for an item decided already.
async fn resend(
    pool: &PgPool,
    owner_id: Uuid,
    limited_to: Option<&[String]>,
    target: Target,
    note: &str,
) -> Result<ResolveResponse, ReviewError> {
    let Target::Etims(business, number) = target else {
        return Err(invalid("action", "only a refused eTIMS invoice can be sent again"));
    };
    let item = format!("etims:{business}:{number}");
    let mut tx = pool.begin().await?;
    let found: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT state, result_code FROM etims_invoice WHERE business_id = $1 AND invoice_number = $2 FOR UPDATE",
    )
    .bind(business)
    .bind(number)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((state, code)) = found else { return Err(ReviewError::NotFound(item)) };
    if let Some(own) = limited_to {
        let code = item_business(&mut tx, target).await?;
        if !code.as_deref().is_some_and(|code| own.iter().any(|own| own == code)) {
            return Err(ReviewError::NotAllowed(format!("{item} is not of a business you manage")));
        }
    }
    if let Some(status) = earlier_decision(&mut tx, target.keys()).await? {
        return Err(ReviewError::AlreadyResolved { item, status });
    }
    if state != "rejected" {
        return Err(invalid("item", format!("{item} is {state}, not refused: there is nothing to send again")));
    }
    if code.as_deref() == Some("994") {
        return Err(invalid(
            "action",
            "KRA holds another invoice under this number (994): sending it again cannot succeed; dismiss it with a note",
        ));
    }
    sqlx::query(
        "UPDATE etims_invoice
            SET state = 'waiting', attempts = 0, next_attempt_at = now(), payload = NULL, last_error = NULL,
                result_code = NULL, result_message = NULL, answered_at = NULL
          WHERE business_id = $1 AND invoice_number = $2",
    )
    .bind(business)
    .bind(number)
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        crate::audit::Actor::User(owner_id),
        "review.resent",
        &item,
        serde_json::json!({ "note": note, "refused_with": code }),
    )
    .await?;
    tx.commit().await?;
    Ok(ResolveResponse { item, status: "resent".to_string(), entry_number: None })
}

/// A correcting entry's lines as the audit log keeps them: account number, debit, credit.
fn audited_lines(entry: &JournalEntry) -> serde_json::Value {
    entry
        .lines()
        .iter()
        .map(|line| serde_json::json!({ "account": line.account.number(), "debit": line.debit(), "credit": line.credit() }))
        .collect()
}
