//! Transmits each business's eTIMS queue in invoice order (docs/etims.md "Exactly once").
//!
//! For each invoice: build its payload once from the posted event and keep it (a retry sends
//! the same bytes); mark it `sending` and commit *before* the call, so that a worker that dies
//! between sending and saving the answer is seen, when it comes back, to have perhaps sent it;
//! register any item KRA does not know yet; send; save KRA's answer. A retry always sends the
//! same invoice number with the same payload: KRA keeps one sale per invoice number, so however
//! often it is sent, KRA holds it once. While eTIMS is unreachable the business waits with
//! exponential back-off (kept in the row, so a restart does not hammer KRA), and nothing after
//! the waiting invoice goes first. A refusal is kept with KRA's words and shows in the owner's
//! review queue; the invoices after it go on.

use std::collections::HashMap;
use std::time::Duration;

use backon::BackoffBuilder;
use chrono::{DateTime, FixedOffset};
use sqlx::PgPool;
use tillbook_core::documents::Document;
use tillbook_core::etims::{self, Invoice, Issuer, ItemKey, ItemRef, Receipt};
use uuid::Uuid;

use super::oscu::{self, Device};
use super::{EtimsError, KeyStore};
use crate::changes::{self, Entity};
use tillbook_core::ids::DeviceId;

/// How the worker paces itself.
#[derive(Debug, Clone)]
pub struct Pace {
    /// How often it looks for new invoices.
    pub poll: Duration,
    /// The back-off while eTIMS is unreachable: from `retry_min`, doubling, up to `retry_max`.
    pub retry_min: Duration,
    pub retry_max: Duration,
}

impl Default for Pace {
    fn default() -> Self {
        Pace { poll: Duration::from_secs(2), retry_min: Duration::from_secs(5), retry_max: Duration::from_secs(600) }
    }
}

/// Runs for as long as the server does.
pub async fn run(pool: PgPool, keys: KeyStore, client: oscu::Client, pace: Pace) {
    loop {
        if let Err(error) = round(&pool, &keys, &client, &pace).await {
            tracing::warn!(%error, "eTIMS transmission round failed; trying again");
        }
        tokio::time::sleep(pace.poll).await;
    }
}

/// A transmitting business, as the worker needs it.
#[derive(sqlx::FromRow)]
struct Business {
    business_id: Uuid,
    name: String,
    tin: String,
    branch_id: String,
    oscu_url: String,
}

/// One pass over every initialised business: its due invoices, in order, until one cannot be
/// sent now. Businesses go side by side, each its own task, so one business's backlog (or a
/// slow KRA answer) never holds another's sales back: as many at once as a quarter of the pool's
/// connections (a pass holds one for its lock and uses another), the rest for the API. Answers
/// how many were settled (signed or refused).
pub async fn round(pool: &PgPool, keys: &KeyStore, client: &oscu::Client, pace: &Pace) -> Result<u64, EtimsError> {
    let businesses: Vec<Business> = sqlx::query_as(
        "SELECT s.business_id, b.name, b.kra_pin AS tin, s.branch_id, s.oscu_url
           FROM etims_setup s JOIN business b ON b.id = s.business_id
          WHERE s.initialised_at IS NOT NULL AND b.vat_registered ORDER BY b.code",
    )
    .fetch_all(pool)
    .await?;
    let at_once = usize::try_from(pool.options().get_max_connections() / 4).unwrap_or(1).max(1);
    let mut passes = tokio::task::JoinSet::new();
    let mut settled = 0;
    let mut failed = None;
    let mut settle = |outcome: Result<Result<u64, EtimsError>, tokio::task::JoinError>| match outcome {
        Ok(Ok(count)) => settled += count,
        Ok(Err(error)) => failed = Some(error),
        Err(error) => failed = Some(EtimsError::Ended(error.to_string())),
    };
    for business in businesses {
        if passes.len() >= at_once
            && let Some(outcome) = passes.join_next().await
        {
            settle(outcome);
        }
        let Some(key) = keys.get(business.business_id) else {
            tracing::warn!(business = %business.business_id, "no eTIMS communication key: initialise the device again");
            continue;
        };
        let (pool, client, pace) = (pool.clone(), client.clone(), pace.clone());
        passes.spawn(async move { pass(&pool, &client, &pace, &business, &key).await });
    }
    // Every business's pass is waited for, even after one failed: none is left half done.
    while let Some(outcome) = passes.join_next().await {
        settle(outcome);
    }
    match failed {
        Some(error) => Err(error),
        None => Ok(settled),
    }
}

/// One business's pass, under its lock.
async fn pass(
    pool: &PgPool,
    client: &oscu::Client,
    pace: &Pace,
    business: &Business,
    key: &str,
) -> Result<u64, EtimsError> {
    // One sender per business, even with two servers on one database: a session lock held on
    // its own connection for the pass.
    let mut guard = pool.acquire().await?;
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock(hashtextextended('etims:' || $1, 0))")
        .bind(business.business_id)
        .fetch_one(&mut *guard)
        .await?;
    if !locked {
        return Ok(0);
    }
    let device = Device { url: &business.oscu_url, tin: &business.tin, branch_id: &business.branch_id, key };
    let outcome = transmit(pool, client, pace, business, &device).await;
    sqlx::query("SELECT pg_advisory_unlock(hashtextextended('etims:' || $1, 0))")
        .bind(business.business_id)
        .execute(&mut *guard)
        .await?;
    outcome
}

#[derive(sqlx::FromRow)]
struct Waiting {
    invoice_number: i64,
    event_id: Uuid,
    receipt_number: String,
    original_document: Option<Uuid>,
    attempts: i32,
    due: bool,
    payload: Option<String>,
}

async fn transmit(
    pool: &PgPool,
    client: &oscu::Client,
    pace: &Pace,
    business: &Business,
    device: &Device<'_>,
) -> Result<u64, EtimsError> {
    let mut settled = 0;
    loop {
        let next: Option<Waiting> = sqlx::query_as(
            "SELECT invoice_number, event_id, receipt_number, original_document, attempts,
                    next_attempt_at <= now() AS due, payload
               FROM etims_invoice
              WHERE business_id = $1 AND state IN ('waiting', 'sending')
              ORDER BY invoice_number LIMIT 1",
        )
        .bind(business.business_id)
        .fetch_optional(pool)
        .await?;
        let Some(invoice) = next else { return Ok(settled) };
        if !invoice.due {
            return Ok(settled);
        }
        let payload = match invoice.payload.clone() {
            Some(payload) => payload,
            None => match build(pool, business, &invoice).await {
                Ok(payload) => payload,
                Err(error @ (EtimsError::Invalid { .. } | EtimsError::Refused { .. })) => {
                    refuse(pool, business.business_id, invoice.invoice_number, "tillbook", &error.to_string()).await?;
                    settled += 1;
                    continue;
                }
                Err(error) => return Err(error),
            },
        };
        // Committed before the call: from here it may have reached KRA.
        sqlx::query(
            "UPDATE etims_invoice SET state = 'sending', attempts = attempts + 1, payload = $3
              WHERE business_id = $1 AND invoice_number = $2",
        )
        .bind(business.business_id)
        .bind(invoice.invoice_number)
        .bind(&payload)
        .execute(pool)
        .await?;
        let attempts = invoice.attempts + 1;
        let sent = match register_items(pool, client, device, business, &payload).await {
            Ok(()) => client.save(device, "saveTrnsSalesOsdc", payload).await.map_err(EtimsError::from),
            Err(error) => Err(error),
        };
        match sent {
            Ok(answer) if answer.succeeded() => {
                sign(pool, business, invoice.invoice_number, &answer).await?;
                settled += 1;
            }
            // Sent again after an answer that never arrived: KRA already holds this invoice
            // with this content and says so. It is transmitted; its signature was lost.
            Ok(answer) if answer.result_cd == "994" && attempts > 1 => {
                sqlx::query(
                    "UPDATE etims_invoice SET state = 'signed', result_code = '994', result_message = $3, answered_at = now(),
                            last_error = NULL
                      WHERE business_id = $1 AND invoice_number = $2",
                )
                .bind(business.business_id)
                .bind(invoice.invoice_number)
                .bind(format!("KRA already held this invoice ({}); its signature was not received", answer.result_msg))
                .execute(pool)
                .await?;
                settled += 1;
            }
            Ok(answer) => {
                refuse(pool, business.business_id, invoice.invoice_number, &answer.result_cd, &answer.result_msg)
                    .await?;
                settled += 1;
            }
            Err(EtimsError::Unreachable(error)) => {
                let wait = retry_after(pace, attempts);
                sqlx::query(
                    "UPDATE etims_invoice SET next_attempt_at = now() + $3, last_error = $4
                      WHERE business_id = $1 AND invoice_number = $2",
                )
                .bind(business.business_id)
                .bind(invoice.invoice_number)
                .bind(wait)
                .bind(error.to_string())
                .execute(pool)
                .await?;
                tracing::info!(invoice = invoice.invoice_number, receipt = %invoice.receipt_number, %error,
                               "eTIMS unreachable; the invoice waits");
                return Ok(settled);
            }
            Err(error @ EtimsError::Refused { .. }) => {
                refuse(pool, business.business_id, invoice.invoice_number, "item", &error.to_string()).await?;
                settled += 1;
            }
            Err(error) => return Err(error),
        }
    }
}

/// The wait before attempt `attempts + 1`: exponential from `retry_min`, at most `retry_max`,
/// in whole milliseconds (the factor is a float, and Postgres keeps an interval to the
/// microsecond: a wait with nanoseconds cannot be bound).
fn retry_after(pace: &Pace, attempts: i32) -> Duration {
    let steps = usize::try_from(attempts.max(1) - 1).unwrap_or(0);
    let wait = backon::ExponentialBuilder::default()
        .with_min_delay(pace.retry_min)
        .with_max_delay(pace.retry_max)
        .with_factor(2.0)
        .without_max_times()
        .build()
        .nth(steps)
        .unwrap_or(pace.retry_max);
    Duration::from_millis(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX))
}

/// Keeps KRA's answer beside the invoice and publishes it to the till that recorded the sale,
/// in one transaction: a reprint there then carries the signature.
async fn sign(pool: &PgPool, business: &Business, invoice: i64, answer: &oscu::Answer) -> Result<(), sqlx::Error> {
    let data = &answer.data;
    let text = |field: &str| match &data[field] {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Number(number) => number.to_string(),
        _ => String::new(),
    };
    let mut tx = pool.begin().await?;
    let (device, document_id, control_unit): (Uuid, Uuid, Option<String>) = sqlx::query_as(
        "UPDATE etims_invoice x
            SET state = 'signed', result_code = $3, result_message = $4, cu_receipt_number = $5, receipt_signature = $6,
                internal_data = $7, cu_date_time = $8, answered_at = now(), last_error = NULL
           FROM inbox i, etims_setup s
          WHERE x.business_id = $1 AND x.invoice_number = $2 AND i.event_id = x.event_id AND s.business_id = x.business_id
         RETURNING i.device_id, x.document_id, s.sdc_id",
    )
    .bind(business.business_id)
    .bind(invoice)
    .bind(&answer.result_cd)
    .bind(&answer.result_msg)
    .bind(text("curRcptNo"))
    .bind(text("rcptSign"))
    .bind(text("intrlData"))
    .bind(text("sdcDateTime"))
    .fetch_one(&mut *tx)
    .await?;
    let production = business.oscu_url.contains("etims-api.kra.go.ke");
    let signature = etims::Signature {
        document_id: tillbook_core::ids::DocumentId(document_id),
        invoice_number: u64::try_from(invoice).unwrap_or_default(),
        control_unit: control_unit.unwrap_or_default(),
        cu_receipt_number: text("curRcptNo"),
        cu_date_time: text("sdcDateTime"),
        receipt_signature: text("rcptSign"),
        internal_data: text("intrlData"),
        qr: etims::qr_text(production, &business.tin, &business.branch_id, &text("rcptSign")),
    };
    changes::publish_to(&mut tx, DeviceId(device), Entity::EtimsReceipt, &signature).await?;
    tx.commit().await
}

async fn refuse(pool: &PgPool, business: Uuid, invoice: i64, code: &str, message: &str) -> Result<(), sqlx::Error> {
    tracing::warn!(invoice, code, "eTIMS refused an invoice; it is in the owner's review queue");
    sqlx::query(
        "UPDATE etims_invoice SET state = 'rejected', result_code = $3, result_message = $4, answered_at = now()
          WHERE business_id = $1 AND invoice_number = $2",
    )
    .bind(business)
    .bind(invoice)
    .bind(code)
    .bind(message)
    .execute(pool)
    .await?;
    Ok(())
}

/// The invoice's payload, from the event the merge posted, with the items it names given codes
/// (registered with KRA before the sale is sent).
async fn build(pool: &PgPool, business: &Business, invoice: &Waiting) -> Result<String, EtimsError> {
    let (event_type, raw): (String, serde_json::Value) =
        sqlx::query_as("SELECT event_type, raw FROM inbox WHERE event_id = $1")
            .bind(invoice.event_id)
            .fetch_one(pool)
            .await?;
    let document = Document::from_wire(&event_type, &raw["document"])
        .map_err(|error| EtimsError::Invalid { field: "document", message: error.to_string() })?;
    let occurred_at = raw["occurred_at"]
        .as_str()
        .and_then(|at| DateTime::<FixedOffset>::parse_from_rfc3339(at).ok())
        .ok_or_else(|| EtimsError::Invalid { field: "occurred_at", message: "not a time".into() })?;
    // A void or a cancelled job gives back the whole of what it reverses: its lines and tenders
    // are the original's, as KRA was sent them.
    let reversal = etims::reversed(&document).is_some();
    let document = if reversal { original_of(pool, business, invoice).await? } else { document };
    let items = item_refs(pool, business.business_id, &document).await?;
    let Some(lines) = etims::lines_of(&document, &|key| items.get(&key).cloned()) else {
        return Err(EtimsError::Invalid { field: "document", message: format!("{event_type} is no sale") });
    };
    let (credit_note, lines) =
        lines.map_err(|error| EtimsError::Invalid { field: "document", message: error.to_string() })?;
    let credit_note = credit_note || reversal;
    let receipt = if credit_note {
        let original: Option<i64> =
            sqlx::query_scalar("SELECT invoice_number FROM etims_invoice WHERE business_id = $1 AND document_id = $2")
                .bind(business.business_id)
                .bind(invoice.original_document)
                .fetch_optional(pool)
                .await?;
        let original = original.ok_or_else(|| EtimsError::Invalid {
            field: "original",
            message: "the sale given back was never transmitted to eTIMS".into(),
        })?;
        Receipt::CreditNote { original: u64::try_from(original).unwrap_or_default() }
    } else {
        Receipt::Sale
    };
    let tenders = match &document {
        Document::Sale(sale) => sale.tenders.as_slice(),
        Document::LpgSale(sale) => sale.tenders.as_slice(),
        Document::Refund(refund) => refund.tenders.as_slice(),
        _ => &[],
    };
    let issuer = Issuer {
        tin: business.tin.clone(),
        branch_id: business.branch_id.clone(),
        user_id: "tillbook".into(),
        user_name: business.name.chars().take(60).collect(),
    };
    let payload = etims::sales_payload(
        &Invoice {
            number: u64::try_from(invoice.invoice_number).unwrap_or_default(),
            receipt_number: &invoice.receipt_number,
            receipt,
            occurred_at,
            lines,
            tenders,
            customer: None,
        },
        &issuer,
    )
    .map_err(|error| EtimsError::Invalid { field: "document", message: error.to_string() })?;
    serde_json::to_string(&payload)
        .map_err(|error| EtimsError::Invalid { field: "payload", message: error.to_string() })
}

/// The sale (or LPG sale, or laundry job) a reversal takes back, as its event was posted.
async fn original_of(pool: &PgPool, business: &Business, invoice: &Waiting) -> Result<Document, EtimsError> {
    let original: Option<(String, serde_json::Value)> = sqlx::query_as(
        "SELECT i.event_type, i.raw FROM etims_invoice x JOIN inbox i ON i.event_id = x.event_id
          WHERE x.business_id = $1 AND x.document_id = $2",
    )
    .bind(business.business_id)
    .bind(invoice.original_document)
    .fetch_optional(pool)
    .await?;
    let (event_type, raw) = original.ok_or_else(|| EtimsError::Invalid {
        field: "original",
        message: "what this reverses was never transmitted to eTIMS".into(),
    })?;
    Document::from_wire(&event_type, &raw["document"])
        .map_err(|error| EtimsError::Invalid { field: "original", message: error.to_string() })
}

/// The item keys a document names.
fn keys_of(document: &Document) -> Vec<ItemKey> {
    match document {
        Document::Sale(sale) => sale.lines.iter().map(|line| ItemKey::Product(line.product_id)).collect(),
        Document::LpgSale(sale) => vec![ItemKey::Gas(sale.cylinder_type_id), ItemKey::Cylinder(sale.cylinder_type_id)],
        Document::LaundryDropOff(job) => job.items.iter().map(|item| ItemKey::Service(item.service_id)).collect(),
        Document::Refund(refund) => refund.lines.iter().map(|line| ItemKey::Product(line.product_id)).collect(),
        _ => Vec::new(),
    }
}

fn key_text(key: ItemKey) -> String {
    match key {
        ItemKey::Product(id) => format!("product:{id}"),
        ItemKey::Gas(id) => format!("gas:{id}"),
        ItemKey::Cylinder(id) => format!("cylinder:{id}"),
        ItemKey::Service(id) => format!("service:{id}"),
    }
}

/// KRA's classification of what Tillbook sells, until the owner picks codes from KRA's list:
/// goods and gas, and services.
const GOODS_CLASS: &str = "5059690800";
const SERVICE_CLASS: &str = "9111000000";

/// Each key's item, given a code on first sight (`KE` + product type + packaging unit `NT` +
/// quantity unit + the business's next item number, as KRA's item code is built), and named as
/// the product (or service, or cylinder type) is named now: a rename reaches KRA with the next
/// invoice that names it ([`register_items`]).
async fn item_refs(
    pool: &PgPool,
    business: Uuid,
    document: &Document,
) -> Result<HashMap<ItemKey, ItemRef>, EtimsError> {
    let mut refs = HashMap::new();
    for key in keys_of(document) {
        let text = key_text(key);
        let known: Option<(String, String)> =
            sqlx::query_as("SELECT item_code, quantity_unit FROM etims_item WHERE business_id = $1 AND item_key = $2")
                .bind(business)
                .bind(&text)
                .fetch_optional(pool)
                .await?;
        let (name, unit, kind) = master_item(pool, key).await?;
        let name =
            name.ok_or_else(|| EtimsError::Invalid { field: "item", message: format!("{text} is not known") })?;
        let (code, unit) = match known {
            Some((code, unit)) => {
                sqlx::query("UPDATE etims_item SET name = $3 WHERE business_id = $1 AND item_key = $2 AND name <> $3")
                    .bind(business)
                    .bind(&text)
                    .bind(&name)
                    .execute(pool)
                    .await?;
                (code, unit)
            }
            None => {
                let (number,): (i64,) = sqlx::query_as(
                    "UPDATE etims_setup SET last_item = last_item + 1 WHERE business_id = $1 RETURNING last_item",
                )
                .bind(business)
                .fetch_one(pool)
                .await?;
                let code = format!("KE{kind}NT{unit}{number:07}");
                sqlx::query(
                    "INSERT INTO etims_item (business_id, item_key, item_code, name, quantity_unit) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (business_id, item_key) DO NOTHING",
                )
                .bind(business)
                .bind(&text)
                .bind(&code)
                .bind(&name)
                .bind(unit)
                .execute(pool)
                .await?;
                (code, unit.to_string())
            }
        };
        let class = if matches!(key, ItemKey::Service(_)) { SERVICE_CLASS } else { GOODS_CLASS };
        refs.insert(
            key,
            ItemRef {
                code,
                class_code: class.into(),
                name: name.chars().take(200).collect(),
                packaging_unit: "NT".into(),
                quantity_unit: unit,
            },
        );
    }
    Ok(refs)
}

/// An item's name as its master data has it now, its quantity unit and KRA's product type
/// (2 goods, 3 services); no name if the master data does not know it.
async fn master_item(pool: &PgPool, key: ItemKey) -> Result<(Option<String>, &'static str, char), sqlx::Error> {
    Ok(match key {
        ItemKey::Product(id) => {
            let row: Option<(String, String)> =
                sqlx::query_as("SELECT name, unit FROM product WHERE id = $1").bind(id.0).fetch_optional(pool).await?;
            let unit = if row.as_ref().is_some_and(|(_, unit)| unit.eq_ignore_ascii_case("kg")) { "KG" } else { "U" };
            (row.map(|(name, _)| name), unit, '2')
        }
        ItemKey::Gas(id) | ItemKey::Cylinder(id) => {
            let row: Option<(String, String)> =
                sqlx::query_as("SELECT brand, size_kg::text FROM cylinder_type WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(pool)
                    .await?;
            let what = if matches!(key, ItemKey::Gas(_)) { "LPG gas" } else { "LPG cylinder" };
            (row.map(|(brand, size)| format!("{what} {brand} {size} kg")), "U", '2')
        }
        ItemKey::Service(id) => {
            let row: Option<(String, String)> =
                sqlx::query_as("SELECT name, pricing FROM laundry_service WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(pool)
                    .await?;
            let unit = if row.as_ref().is_some_and(|(_, pricing)| pricing == "per_kg") { "KG" } else { "U" };
            (row.map(|(name, _)| name), unit, '3')
        }
    })
}

/// Registers with KRA (`saveItem`) the items of `payload` it does not know yet, and again those
/// whose name or tax type KRA was last told differ from the payload's (a renamed product, a
/// changed VAT rate): `saveItem` registers or updates, so KRA's item agrees with the invoice.
async fn register_items(
    pool: &PgPool,
    client: &oscu::Client,
    device: &Device<'_>,
    business: &Business,
    payload: &str,
) -> Result<(), EtimsError> {
    let sent: serde_json::Value = serde_json::from_str(payload)
        .map_err(|error| EtimsError::Invalid { field: "payload", message: error.to_string() })?;
    let codes: Vec<String> = sent["itemList"]
        .as_array()
        .map(|items| items.iter().filter_map(|item| item["itemCd"].as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    /// An item of the payload, and what KRA was last told of it.
    #[derive(sqlx::FromRow)]
    struct Known {
        item_code: String,
        name: String,
        quantity_unit: String,
        registered_name: Option<String>,
        registered_tax_type: Option<String>,
    }
    let known: Vec<Known> = sqlx::query_as(
        "SELECT item_code, name, quantity_unit, registered_name, registered_tax_type FROM etims_item
          WHERE business_id = $1 AND item_code = ANY($2)",
    )
    .bind(business.business_id)
    .bind(&codes)
    .fetch_all(pool)
    .await?;
    for Known { item_code: code, name, quantity_unit: unit, registered_name, registered_tax_type } in known {
        let item =
            sent["itemList"].as_array().and_then(|items| items.iter().find(|item| item["itemCd"] == code.as_str()));
        let name = item.and_then(|item| item["itemNm"].as_str()).map_or(name, str::to_string);
        let tax_type = item.and_then(|item| item["taxTyCd"].as_str()).unwrap_or("B");
        if registered_name.as_deref() == Some(name.as_str()) && registered_tax_type.as_deref() == Some(tax_type) {
            continue;
        }
        let class = item.and_then(|item| item["itemClsCd"].as_str()).unwrap_or(GOODS_CLASS);
        let kind = if code.starts_with("KE3") { "3" } else { "2" };
        let body = serde_json::json!({
            "itemCd": code, "itemClsCd": class, "itemTyCd": kind, "itemNm": name, "orgnNatCd": "KE",
            "pkgUnitCd": "NT", "qtyUnitCd": unit, "taxTyCd": tax_type, "dftPrc": 0, "isrcAplcbYn": "N", "useYn": "Y",
            "regrId": "tillbook", "regrNm": business.name, "modrId": "tillbook", "modrNm": business.name,
        });
        let answer = client.save(device, "saveItem", body.to_string()).await?;
        if !answer.succeeded() {
            return Err(EtimsError::Refused {
                code: answer.result_cd,
                message: format!("item {code}: {}", answer.result_msg),
            });
        }
        sqlx::query(
            "UPDATE etims_item SET registered_at = now(), registered_name = $3, registered_tax_type = $4
              WHERE business_id = $1 AND item_code = $2",
        )
        .bind(business.business_id)
        .bind(&code)
        .bind(&name)
        .bind(tax_type)
        .execute(pool)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_back_off_doubles_within_its_bounds_in_whole_milliseconds_postgres_can_keep() {
        let pace = Pace {
            poll: Duration::from_millis(20),
            retry_min: Duration::from_millis(10),
            retry_max: Duration::from_millis(400),
        };
        let waits: Vec<Duration> = (1..=8).map(|attempts| retry_after(&pace, attempts)).collect();
        assert_eq!(waits[0], pace.retry_min);
        assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{waits:?}");
        assert_eq!(*waits.last().unwrap(), pace.retry_max);
        assert!(waits.iter().all(|wait| wait.subsec_nanos() % 1_000_000 == 0), "{waits:?}");
        let defaults = Pace::default();
        assert!(
            (1..=40).map(|attempts| retry_after(&defaults, attempts)).all(|wait| wait.subsec_nanos() % 1_000_000 == 0)
        );
    }
}
