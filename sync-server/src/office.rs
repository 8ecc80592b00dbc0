//! Documents recorded at head office (issue "The books a Kenyan owner files"): an expense paid
//! from the bank and shared across businesses, a transfer (M-Pesa or cash to the bank), goods
//! received or a supplier paid at the office. They go through the same merge as a till's
//! events, as the events of head office's own device (till code `HO`, made when first needed,
//! with a token nobody holds), so core posts them, the merge checks them against the ledger and
//! writes every document table, and they are numbered like any other entry — exactly once: the
//! app names each document's event id, and the same ids sent again are answered from the inbox.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;
use tillbook_core::chart::Business;
use tillbook_core::documents::Document;
use tillbook_core::ids::{BusinessId, DeviceId, EntryId, EventId};
use tillbook_core::protocol::{
    Ack, AckStatus, Event, OFFICE_EVENT_TYPES, OfficeDocuments, PROTOCOL_VERSION, PushRequest, PushResponse, Reason,
};
use uuid::Uuid;

use crate::audit::{Actor, audit};
use crate::error::ApiError;
use crate::merge::snapshot::{self, References};
use crate::merge::{self, Device, MergeError, incoming};

/// Head office's own device: every office document is one of its events.
pub const OFFICE_DEVICE: DeviceId = DeviceId(Uuid::from_u128(0x0190_0000_0000_7000_8000_4f46_4649_4345));
pub const OFFICE_TILL_CODE: &str = "HO";
/// At most this many documents in one request (a cost shared across every business is a few).
pub const DOCUMENTS_MAX: usize = 50;
/// Office documents racing each other for the next sequence number retry this often.
const ATTEMPTS: usize = 5;

/// Records `request` for the user `actor`, who may act on `may_act_on` businesses (a manager:
/// theirs). Every document is checked and posted by core, then judged by the merge, before
/// anything is written; a mistake (or what a till's event would be quarantined for) is a 4xx
/// naming the document and field, and writes nothing.
pub async fn record(
    pool: &PgPool,
    zone: Tz,
    actor: Actor,
    may_act_on: impl Fn(&str, &str) -> Result<(), ApiError>,
    request: &OfficeDocuments,
) -> Result<PushResponse, ApiError> {
    if request.documents.is_empty() || request.documents.len() > DOCUMENTS_MAX {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            "documents",
            format!("1 to {DOCUMENTS_MAX} documents in one request"),
        ));
    }
    let ids: Vec<Uuid> = request.documents.iter().map(|document| document.event_id.0).collect();
    if let Some(answer) = recorded_before(pool, &ids).await? {
        return Ok(answer);
    }
    let businesses: Vec<Business> =
        sqlx::query_as::<_, (sqlx::types::Json<Business>,)>("SELECT data FROM business_wire")
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|(sqlx::types::Json(business),)| business)
            .collect();
    let mut parsed = Vec::with_capacity(request.documents.len());
    let mut references = References::default();
    for (index, office) in request.documents.iter().enumerate() {
        let field = |name: &str| format!("documents[{index}].{name}");
        if !OFFICE_EVENT_TYPES.contains(&office.event_type.as_str()) {
            return Err(ApiError::bad_request(
                "invalid_type",
                field("type"),
                format!("head office records {}, not '{}'", OFFICE_EVENT_TYPES.join(", "), office.event_type),
            ));
        }
        let code = office.business.trim().to_uppercase();
        let business = businesses.iter().find(|business| business.code == code).ok_or_else(|| {
            ApiError::bad_request("invalid_parameter", field("business"), format!("no business with code '{code}'"))
        })?;
        may_act_on(&field("business"), &code)?;
        let document = Document::from_wire(&office.event_type, &office.document)
            .map_err(|error| ApiError::bad_request(error.code(), field("document"), error.to_string()))?;
        references.add(business.id, &document, None);
        parsed.push((business.clone(), document, office));
    }
    let lookup = {
        let mut tx = pool.begin().await?;
        let loaded = snapshot::load(&mut tx, &references).await?;
        tx.rollback().await?;
        loaded
    };
    let mut events = Vec::with_capacity(parsed.len());
    for (index, (business, document, office)) in parsed.iter().enumerate() {
        let entry = document.post(business, &lookup, EntryId::new()).map_err(|error| {
            ApiError::bad_request(error.code(), format!("documents[{index}].document"), error.to_string())
        })?;
        events.push(Event {
            event_id: office.event_id,
            device_seq: 0,
            event_type: office.event_type.clone(),
            business_id: business.id,
            occurred_at: occurred_at(office.business_day, zone),
            recorded_by: None,
            document: document.to_wire(),
            journal: entry.map(|entry| entry.to_wire()),
        });
    }
    let device = office_device(pool, businesses.iter().map(|business| business.id).collect()).await?;
    let response = merge_in_turn(pool, zone, &device, events, &ids).await?;
    let mut tx = pool.begin().await?;
    let details = serde_json::json!({
        "documents": parsed.iter().zip(&response.acks).map(|((business, _, office), ack)| serde_json::json!({
            "event_id": office.event_id, "type": office.event_type, "business": business.code,
            "status": ack.status, "entry_number": ack.entry_number,
        })).collect::<Vec<_>>(),
    });
    audit(&mut tx, actor, "office.recorded", &request.documents[0].event_id.to_string(), details).await?;
    tx.commit().await?;
    Ok(response)
}

/// A document of `business_day` is dated at noon of it in head office's zone; one with no day, now.
fn occurred_at(business_day: Option<NaiveDate>, zone: Tz) -> DateTime<FixedOffset> {
    let now = Utc::now().with_timezone(&zone).fixed_offset();
    let Some(day) = business_day else { return now };
    day.and_hms_opt(12, 0, 0)
        .and_then(|noon| zone.from_local_datetime(&noon).earliest())
        .map_or(now, |at| at.fixed_offset())
}

/// An event of head office's as the inbox has it: id, number, entry, and why it was quarantined.
type StoredAck = (Uuid, i64, Option<i64>, Option<String>, Option<String>);

/// The answer already given, when every id was recorded before (a retry); `None` when none
/// was. Some but not all cannot come from one request, which is recorded whole.
async fn recorded_before(pool: &PgPool, ids: &[Uuid]) -> Result<Option<PushResponse>, ApiError> {
    let rows: Vec<StoredAck> = sqlx::query_as(
        "SELECT i.event_id, i.device_seq, e.entry_number, q.reason_code, q.reason_message
           FROM inbox i LEFT JOIN journal_entry e USING (event_id) LEFT JOIN quarantine q USING (event_id)
          WHERE i.event_id = ANY($1) AND i.device_id = $2",
    )
    .bind(ids)
    .bind(OFFICE_DEVICE.0)
    .fetch_all(pool)
    .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    if rows.len() != ids.len() {
        return Err(ApiError::conflict("event_id_reused", "some of these documents were recorded with others"));
    }
    let mut acks: Vec<Ack> = rows
        .into_iter()
        .map(|(event_id, seq, entry_number, code, message)| Ack {
            event_id: EventId(event_id),
            device_seq: seq as u64,
            status: AckStatus::Duplicate,
            entry_number: entry_number.map(|number| number as u64),
            reason: code.map(|code| Reason { code, message: message.unwrap_or_default() }),
        })
        .collect();
    acks.sort_by_key(|ack| ack.device_seq);
    let acked_through = acks.last().map_or(0, |ack| ack.device_seq);
    Ok(Some(PushResponse { acks, acked_through }))
}

/// Head office's device, made the first time it is needed, for every business.
async fn office_device(pool: &PgPool, business_ids: Vec<BusinessId>) -> Result<Device, sqlx::Error> {
    // A token hash nobody has the token of: no till can push as head office.
    let unusable: Vec<u8> = Uuid::now_v7().as_bytes().iter().chain(Uuid::now_v7().as_bytes()).copied().collect();
    sqlx::query(
        "INSERT INTO device (id, name, till_code, token_hash, app_version) VALUES ($1, 'Head office', $2, $3, 'server')
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(OFFICE_DEVICE.0)
    .bind(OFFICE_TILL_CODE)
    .bind(unusable)
    .execute(pool)
    .await?;
    Ok(Device { id: OFFICE_DEVICE, till_code: OFFICE_TILL_CODE.to_string(), business_ids })
}

/// Numbers the events after head office's last and merges them; another office request that
/// took those numbers first makes this one try again with the next.
async fn merge_in_turn(
    pool: &PgPool,
    zone: Tz,
    device: &Device,
    mut events: Vec<Event>,
    ids: &[Uuid],
) -> Result<PushResponse, ApiError> {
    for attempt in 0..ATTEMPTS {
        // The same request sent twice at once: the one that lost finds the other's answer.
        if attempt > 0
            && let Some(answer) = recorded_before(pool, ids).await?
        {
            return Ok(answer);
        }
        let (last_seq,): (i64,) =
            sqlx::query_as("SELECT last_seq FROM device WHERE id = $1").bind(device.id.0).fetch_one(pool).await?;
        for (offset, event) in events.iter_mut().enumerate() {
            event.device_seq = last_seq as u64 + 1 + offset as u64;
        }
        let body = serde_json::to_vec(&PushRequest {
            protocol: PROTOCOL_VERSION,
            device_id: device.id,
            events: events.clone(),
        })
        .map_err(ApiError::internal)?;
        let incoming = incoming::parse_push(&body, device.id)?;
        match merge::merge_with(pool, device, incoming, zone, true).await {
            Ok(outcome) => return Ok(outcome.response),
            Err(MergeError::SequenceGap { .. } | MergeError::EventIdReused { .. }) => continue,
            Err(error) => return Err(error.into()),
        }
    }
    Err(ApiError::busy("head office is recording other documents; try again"))
}
