//! KRA eTIMS from head office (issue "KRA eTIMS from an offline till", docs/etims.md). A till
//! sells through outages and cannot reach eTIMS at the moment of sale; every sale reaches head
//! office exactly once, so head office transmits it:
//!
//! - set-up per business ([`set_up`], [`initialise`]): KRA PIN and VAT registration are the
//!   business's own; branch, device serial and OSCU address here; the communication key KRA
//!   answers with goes to the [`KeyStore`], never to the database or a log;
//! - the queue ([`enqueue`]): each sale, LPG sale, laundry job and refund of a VAT-registered
//!   business that the merge posts gets an invoice number of its business and a row, in the
//!   merge's own transaction, so a posting and its place in the queue exist together or not at
//!   all;
//! - the worker (`worker`) transmits each business's rows in order, retrying while eTIMS is
//!   unreachable, and keeps KRA's answer beside the row.

pub mod oscu;
pub mod worker;

use std::path::PathBuf;

use sqlx::{PgConnection, PgPool};
use tillbook_core::documents::Document;
use tillbook_core::ids::{BusinessId, DocumentId, EventId};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum EtimsError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("no business {0}")]
    UnknownBusiness(String),
    #[error("eTIMS refused: {code} {message}")]
    Refused { code: String, message: String },
    #[error(transparent)]
    Unreachable(#[from] oscu::Unreachable),
    #[error("the key folder: {0}")]
    Keys(String),
    /// A business's pass of the worker ended without finishing (it panicked or was cancelled).
    #[error("a business's transmission ended: {0}")]
    Ended(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn invalid(field: &'static str, message: impl Into<String>) -> EtimsError {
    EtimsError::Invalid { field, message: message.into() }
}

/// Where the communication keys live: one file per business, readable by the server's user
/// alone. The keys are secrets KRA issues once per device; they never enter the database.
#[derive(Debug, Clone)]
pub struct KeyStore {
    folder: PathBuf,
}

impl KeyStore {
    pub fn new(folder: impl Into<PathBuf>) -> KeyStore {
        KeyStore { folder: folder.into() }
    }

    fn path(&self, business: Uuid) -> PathBuf {
        self.folder.join(format!("{business}.cmckey"))
    }

    pub fn get(&self, business: Uuid) -> Option<String> {
        std::fs::read_to_string(self.path(business)).ok().map(|key| key.trim().to_string())
    }

    fn put(&self, business: Uuid, key: &str) -> Result<(), EtimsError> {
        let keys = |error: std::io::Error| EtimsError::Keys(error.to_string());
        std::fs::create_dir_all(&self.folder).map_err(keys)?;
        let path = self.path(business);
        let partial = path.with_extension("partial");
        {
            use std::io::Write;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&partial).map_err(keys)?;
            file.write_all(key.as_bytes()).map_err(keys)?;
            file.sync_all().map_err(keys)?;
        }
        std::fs::rename(&partial, &path).map_err(keys)
    }
}

/// A business's OSCU device as the owner enters it.
#[derive(Debug, Clone)]
pub struct Setup {
    pub business_code: String,
    pub branch_id: String,
    pub device_serial: String,
    pub oscu_url: String,
}

/// Saves (or changes) a business's OSCU device. The business must charge VAT and have its KRA
/// PIN: eTIMS is for VAT-registered businesses.
pub async fn set_up(pool: &PgPool, setup: &Setup) -> Result<BusinessId, EtimsError> {
    if !(setup.branch_id.len() == 2 && setup.branch_id.bytes().all(|b| b.is_ascii_digit())) {
        return Err(invalid("branch_id", "a branch id is two digits, 00 for the head office branch"));
    }
    if setup.device_serial.trim().is_empty() || setup.device_serial.len() > 100 {
        return Err(invalid("device_serial", "the device serial KRA issued, up to 100 characters"));
    }
    let url = setup.oscu_url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(invalid("oscu_url", "the OSCU address, starting https://"));
    }
    let business: Option<(Uuid, String, bool)> =
        sqlx::query_as("SELECT id, kra_pin, vat_registered FROM business WHERE code = $1")
            .bind(&setup.business_code)
            .fetch_optional(pool)
            .await?;
    let (id, pin, vat) = business.ok_or_else(|| EtimsError::UnknownBusiness(setup.business_code.clone()))?;
    if !vat || pin.is_empty() {
        return Err(invalid("business", "eTIMS is for a VAT-registered business with its KRA PIN: set both first"));
    }
    sqlx::query(
        "INSERT INTO etims_setup (business_id, branch_id, device_serial, oscu_url) VALUES ($1, $2, $3, $4)
         ON CONFLICT (business_id) DO UPDATE
            SET branch_id = excluded.branch_id, device_serial = excluded.device_serial, oscu_url = excluded.oscu_url",
    )
    .bind(id)
    .bind(&setup.branch_id)
    .bind(setup.device_serial.trim())
    .bind(url)
    .execute(pool)
    .await?;
    Ok(BusinessId(id))
}

/// Initialises the business's device with KRA (`selectInitOsdcInfo`) and keeps the
/// communication key it answers with in `keys`. Answers the control unit's id.
pub async fn initialise(
    pool: &PgPool,
    keys: &KeyStore,
    client: &oscu::Client,
    business: BusinessId,
) -> Result<Option<String>, EtimsError> {
    let (url, tin, branch, serial): (String, String, String, String) = sqlx::query_as(
        "SELECT s.oscu_url, b.kra_pin, s.branch_id, s.device_serial
           FROM etims_setup s JOIN business b ON b.id = s.business_id WHERE s.business_id = $1",
    )
    .bind(business.0)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| EtimsError::UnknownBusiness(business.to_string()))?;
    let answer = client.initialise(&url, &tin, &branch, &serial).await?;
    // 902: KRA initialised this device before. With its key kept here, it is set up already (a
    // set-up saved again); without, only KRA can issue the key again.
    if answer.result_cd == "902" && keys.get(business.0).is_some() {
        let control_unit = sqlx::query_scalar(
            "UPDATE etims_setup SET initialised_at = coalesce(initialised_at, now()) WHERE business_id = $1
             RETURNING sdc_id",
        )
        .bind(business.0)
        .fetch_one(pool)
        .await?;
        return Ok(control_unit);
    }
    if !answer.succeeded() {
        return Err(EtimsError::Refused { code: answer.result_cd, message: answer.result_msg });
    }
    let info = &answer.data["info"];
    let key = info["cmcKey"].as_str().filter(|key| !key.is_empty());
    let key = key.ok_or_else(|| EtimsError::Refused { code: "000".into(), message: "no communication key".into() })?;
    keys.put(business.0, key)?;
    sqlx::query("UPDATE etims_setup SET initialised_at = now(), sdc_id = $2, mrc_no = $3 WHERE business_id = $1")
        .bind(business.0)
        .bind(info["sdcId"].as_str())
        .bind(info["mrcNo"].as_str())
        .execute(pool)
        .await?;
    tracing::info!(business = %business, "eTIMS device initialised");
    Ok(info["sdcId"].as_str().map(str::to_string))
}

/// Saves a business's device and initialises it with KRA, as the owner does from Maintenance,
/// and writes who did it to the audit log (never the key). Answers the control unit's id.
pub async fn set_up_and_initialise(
    pool: &PgPool,
    keys: &KeyStore,
    client: &oscu::Client,
    actor: crate::audit::Actor,
    setup: &Setup,
) -> Result<Option<String>, EtimsError> {
    let business = set_up(pool, setup).await?;
    let control_unit = initialise(pool, keys, client, business).await?;
    let mut connection = pool.acquire().await?;
    crate::audit::audit(
        &mut connection,
        actor,
        "etims.set_up",
        &setup.business_code,
        serde_json::json!({ "branch_id": setup.branch_id, "device_serial": setup.device_serial,
                            "oscu_url": setup.oscu_url, "control_unit": control_unit }),
    )
    .await?;
    Ok(control_unit)
}

/// A posted document the merge offers to the queue.
#[derive(Debug, Clone)]
pub struct Queued {
    pub business_id: BusinessId,
    pub event_id: EventId,
    pub document_id: DocumentId,
    pub receipt_number: String,
    /// What a credit note gives back: a refund's sale, a voided sale, a cancelled job.
    pub original: Option<DocumentId>,
    /// A reversal's mark after its original's receipt number (`V` a void, `C` a cancelled job):
    /// a reversal has no receipt number of its own.
    pub reversal: Option<&'static str>,
}

impl Queued {
    /// What KRA is told of: sales of goods and LPG, laundry jobs (invoiced at drop-off), and the
    /// credit notes that give them back: refunds, voids, cancelled jobs. `None` for everything
    /// else.
    pub fn of(business_id: BusinessId, event_id: EventId, document: &Document) -> Option<Queued> {
        let (document_id, receipt_number, original, reversal) = match document {
            Document::Sale(sale) => (sale.sale_id, sale.receipt_number.clone(), None, None),
            Document::LpgSale(sale) => (sale.sale_id, sale.receipt_number.clone(), None, None),
            Document::LaundryDropOff(job) => (job.job_id, job.ticket_number.clone(), None, None),
            Document::Refund(refund) => (refund.refund_id, refund.receipt_number.clone(), Some(refund.sale_id), None),
            Document::SaleVoided(void) | Document::DocumentVoided(void) => {
                (void.void_id, String::new(), Some(void.document_id), Some("V"))
            }
            // A status change has no id of its own: its event's stands for it.
            Document::LaundryStatusChange(_) => {
                let job = tillbook_core::etims::reversed(document)?;
                (DocumentId(event_id.0), String::new(), Some(job), Some("C"))
            }
            _ => return None,
        };
        Some(Queued { business_id, event_id, document_id, receipt_number, original, reversal })
    }
}

/// Queues `documents` (in the order merged) for the businesses that transmit to eTIMS, each
/// with the next invoice number of its business. Called by the merge inside its transaction,
/// while it holds the businesses' locks: numbers are gap-free and in merge order.
pub async fn enqueue(tx: &mut PgConnection, documents: &[Queued]) -> Result<u64, sqlx::Error> {
    if documents.is_empty() {
        return Ok(0);
    }
    let mut businesses: Vec<Uuid> = documents.iter().map(|d| d.business_id.0).collect();
    businesses.sort_unstable();
    businesses.dedup();
    let transmitting: Vec<Uuid> = sqlx::query_scalar(
        "SELECT s.business_id FROM etims_setup s JOIN business b ON b.id = s.business_id
          WHERE s.business_id = ANY($1) AND b.vat_registered",
    )
    .bind(&businesses)
    .fetch_all(&mut *tx)
    .await?;
    let mut queued = 0;
    for business in transmitting {
        let mine = with_originals(tx, business, documents.iter().filter(|d| d.business_id.0 == business)).await?;
        if mine.is_empty() {
            continue;
        }
        let count = mine.len() as i64;
        let (last,): (i64,) = sqlx::query_as(
            "UPDATE etims_setup SET last_invoice = last_invoice + $2 WHERE business_id = $1 RETURNING last_invoice",
        )
        .bind(business)
        .bind(count)
        .fetch_one(&mut *tx)
        .await?;
        let numbers: Vec<i64> = (last - count + 1..=last).collect();
        let events: Vec<Uuid> = mine.iter().map(|d| d.event_id.0).collect();
        let ids: Vec<Uuid> = mine.iter().map(|d| d.document_id.0).collect();
        let receipts: Vec<&str> = mine.iter().map(|d| d.receipt_number.as_str()).collect();
        let originals: Vec<Option<Uuid>> = mine.iter().map(|d| d.original.map(|id| id.0)).collect();
        let inserted = sqlx::query(
            "INSERT INTO etims_invoice (business_id, invoice_number, event_id, document_id, receipt_number, original_document)
             SELECT $1, * FROM unnest($2::bigint[], $3::uuid[], $4::uuid[], $5::text[], $6::uuid[])",
        )
        .bind(business)
        .bind(&numbers)
        .bind(&events)
        .bind(&ids)
        .bind(&receipts)
        .bind(&originals)
        .execute(&mut *tx)
        .await?;
        queued += inserted.rows_affected();
    }
    Ok(queued)
}

/// `documents` of one business that KRA can be told of, in order, each credit note with its
/// receipt number: a credit note only when what it gives back went to KRA as a sale (queued
/// before, or earlier in this batch). A void of a payment, or a refund or void of a sale made
/// before the business transmitted, is nothing KRA knows, and is left out.
async fn with_originals<'a>(
    tx: &mut PgConnection,
    business: Uuid,
    documents: impl Iterator<Item = &'a Queued>,
) -> Result<Vec<Queued>, sqlx::Error> {
    let documents: Vec<&Queued> = documents.collect();
    let originals: Vec<Uuid> = documents.iter().filter_map(|d| d.original.map(|id| id.0)).collect();
    let mut sales: std::collections::HashMap<Uuid, String> = if originals.is_empty() {
        Default::default()
    } else {
        let rows: Vec<(Uuid, String)> = sqlx::query_as(
            "SELECT document_id, receipt_number FROM etims_invoice
              WHERE business_id = $1 AND document_id = ANY($2) AND original_document IS NULL",
        )
        .bind(business)
        .bind(&originals)
        .fetch_all(&mut *tx)
        .await?;
        rows.into_iter().collect()
    };
    let mut kept = Vec::with_capacity(documents.len());
    for document in documents {
        let mut document = document.clone();
        match document.original {
            None => {
                sales.insert(document.document_id.0, document.receipt_number.clone());
            }
            Some(original) => {
                let Some(sale) = sales.get(&original.0) else { continue };
                if let Some(mark) = document.reversal {
                    document.receipt_number = format!("{sale}-{mark}");
                }
            }
        }
        kept.push(document);
    }
    Ok(kept)
}

/// Where a business's transmission stands, for the owner.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Standing {
    pub business_code: String,
    pub signed: i64,
    pub waiting: i64,
    /// How long the oldest waiting invoice has waited, in seconds.
    pub oldest_waiting_seconds: Option<i64>,
    pub rejected: i64,
    pub last_error: Option<String>,
}

/// Every transmitting business's standing, or `business`'s alone.
pub async fn standing(pool: &PgPool, business: Option<&str>) -> Result<Vec<Standing>, sqlx::Error> {
    sqlx::query_as(
        "SELECT b.code AS business_code,
                count(i.*) FILTER (WHERE i.state = 'signed') AS signed,
                count(i.*) FILTER (WHERE i.state IN ('waiting', 'sending')) AS waiting,
                extract(epoch FROM now() - min(i.queued_at) FILTER (WHERE i.state IN ('waiting', 'sending')))::bigint
                    AS oldest_waiting_seconds,
                count(i.*) FILTER (WHERE i.state = 'rejected') AS rejected,
                (SELECT x.last_error FROM etims_invoice x
                  WHERE x.business_id = s.business_id AND x.state IN ('waiting', 'sending') AND x.last_error IS NOT NULL
                  ORDER BY x.invoice_number LIMIT 1) AS last_error
           FROM etims_setup s JOIN business b ON b.id = s.business_id
           LEFT JOIN etims_invoice i ON i.business_id = s.business_id
          WHERE $1::text IS NULL OR b.code = $1
          GROUP BY b.code, s.business_id ORDER BY b.code",
    )
    .bind(business)
    .fetch_all(pool)
    .await
}

/// An invoice KRA has not signed: waiting to be sent, sent without an answer yet, or refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Unsigned {
    pub business_code: String,
    pub invoice_number: i64,
    pub receipt_number: String,
    pub till_code: String,
    /// `waiting`, `sending` or `rejected`.
    pub state: String,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
    /// Since it was queued at head office, in seconds.
    pub waiting_seconds: i64,
    pub attempts: i32,
    /// KRA's code and words for a refusal; the last failure to reach KRA otherwise.
    pub result_code: Option<String>,
    pub message: Option<String>,
}

/// The owner's eTIMS report (`GET /api/v1/reports/etims`): each business's standing, and what
/// is not signed yet, oldest first (at most [`UNSIGNED_LISTED`]; the standing counts them all).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    pub businesses: Vec<Standing>,
    pub unsigned: Vec<Unsigned>,
}

pub const UNSIGNED_LISTED: i64 = 200;

pub async fn report(pool: &PgPool, business: Option<&str>) -> Result<Report, sqlx::Error> {
    let businesses = standing(pool, business).await?;
    let unsigned = sqlx::query_as(
        "SELECT b.code AS business_code, x.invoice_number, x.receipt_number, d.till_code, x.state,
                i.occurred_at AS recorded_at, extract(epoch FROM now() - x.queued_at)::bigint AS waiting_seconds,
                x.attempts, x.result_code, coalesce(x.result_message, x.last_error) AS message
           FROM etims_invoice x
           JOIN business b ON b.id = x.business_id
           JOIN inbox i ON i.event_id = x.event_id
           JOIN device d ON d.id = i.device_id
          WHERE x.state <> 'signed' AND ($1::text IS NULL OR b.code = $1)
          ORDER BY i.occurred_at, b.code, x.invoice_number
          LIMIT $2",
    )
    .bind(business)
    .bind(UNSIGNED_LISTED)
    .fetch_all(pool)
    .await?;
    Ok(Report { businesses, unsigned })
}
