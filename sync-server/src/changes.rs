//! The change feed the tills pull (DESIGN §7 "Pull"): master data, shared state of a business
//! (laundry jobs, customer balances) and the status of a till's own events.
//!
//! Each change gets its `seq` from `ledger_counter.last_change` while the writer holds that row
//! locked, so sequence numbers are gap-free and in commit order: a till that has read up to N
//! can never later find a change below N appear.

use std::collections::HashMap;

use sqlx::PgConnection;

use crate::merge::snapshot::References;
use tillbook_core::ids::{BusinessId, DeviceId};
use tillbook_core::protocol::EventStatus;
use uuid::Uuid;

/// What the change feed publishes (core's wire names).
pub use tillbook_core::protocol::Entity;

/// The master data every till pulls on enrolment, in the order a seed publishes it.
pub const MASTER_DATA_ENTITIES: [Entity; 8] = [
    Entity::Business,
    Entity::Account,
    Entity::Product,
    Entity::LaundryService,
    Entity::CylinderType,
    Entity::Customer,
    Entity::Supplier,
    Entity::Staff,
];

/// `(business_id, data)` of the entity's rows in head office's tables; `$1` is an array of
/// ids, or NULL for all. A till's event status and KRA's answers for its sales are published to
/// that till alone ([`publish_to`]), and nothing is unknown here: none has rows.
fn select(entity: Entity) -> &'static str {
    match entity {
        Entity::Business => "SELECT NULL::uuid, data FROM business_wire WHERE $1::uuid[] IS NULL OR id = ANY($1)",
        Entity::Account => "SELECT NULL::uuid, data FROM account_wire WHERE $1::uuid[] IS NULL",
        Entity::Product => "SELECT business_id, data FROM product_wire WHERE $1::uuid[] IS NULL OR id = ANY($1)",
        Entity::LaundryService => {
            "SELECT business_id, data FROM laundry_service_wire WHERE $1::uuid[] IS NULL OR id = ANY($1)"
        }
        Entity::CylinderType => {
            "SELECT business_id, data FROM cylinder_type_wire WHERE $1::uuid[] IS NULL OR id = ANY($1)"
        }
        Entity::Customer => "SELECT NULL::uuid, data FROM customer_wire WHERE $1::uuid[] IS NULL OR id = ANY($1)",
        Entity::Supplier => "SELECT NULL::uuid, data FROM supplier_wire WHERE $1::uuid[] IS NULL OR id = ANY($1)",
        // Staff go to each till by itself, with only its own businesses' PIN hashes
        // ([`publish_staff`]).
        Entity::Staff => "SELECT NULL::uuid, NULL::json WHERE false AND $1::uuid[] IS NULL",
        Entity::LaundryJob => LAUNDRY_JOBS,
        Entity::CustomerBalance => CUSTOMER_BALANCES,
        Entity::EventStatus | Entity::EtimsReceipt | Entity::Unknown => {
            "SELECT NULL::uuid, NULL::json WHERE false AND $1::uuid[] IS NULL"
        }
    }
}

/// A laundry job as the tills of its business see it, with what another till needs to take
/// the job over: its items, its status, and the standing payments against it (so a till can
/// tell payments it recorded itself from those taken elsewhere).
const LAUNDRY_JOBS: &str = "
SELECT j.business_id, json_build_object(
         'job_id', j.job_id, 'business_id', j.business_id, 'ticket_number', j.ticket_number, 'customer_id', j.customer_id,
         'total', j.total::text, 'promised_at', j.promised_at, 'dropped_off_at', j.dropped_off_at,
         'business_day', i.business_day, 'notes', j.notes,
         'status', s.to_status, 'status_at', s.occurred_at,
         'cancel_event_id', (SELECT x.event_id FROM invoice_cancellation x WHERE x.invoice_id = j.job_id),
         'items', (SELECT coalesce(json_agg(json_build_object(
                            'service_id', li.service_id, 'description', li.description,
                            'quantity', li.quantity::text, 'unit_price', li.unit_price::text,
                            'line_total', li.line_total::text) ORDER BY li.line_no), '[]')
                     FROM laundry_item li WHERE li.job_id = j.job_id),
         'payments', (SELECT coalesce(json_agg(json_build_object(
                               'document_id', a.document_id, 'amount', a.amount::text) ORDER BY a.id), '[]')
                        FROM allocation a
                       WHERE a.invoice_id = j.job_id
                         AND NOT EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = a.document_id)),
         'paid', (SELECT coalesce(sum(a.amount), 0)::numeric(14, 2)::text FROM allocation a
                   WHERE a.invoice_id = j.job_id
                     AND NOT EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = a.document_id)))
  FROM laundry_job j
  JOIN invoice i ON i.invoice_id = j.job_id
  CROSS JOIN LATERAL (SELECT h.to_status, h.occurred_at FROM laundry_status_history h
                       WHERE h.job_id = j.job_id ORDER BY h.id DESC LIMIT 1) s
 WHERE j.job_id = ANY($1)";

/// What a customer owes, derived from invoices and allocations, never kept by hand (DESIGN §5):
/// invoices not voided or cancelled, less what was allocated to them by documents not voided
/// (`invoice_settlement`, kept by triggers and shared with the reports and `verify`). Read from
/// that customer's invoices still open, through their partial index (migration 0028): a paid
/// invoice owes nothing, so neither a customer's seven years of paid invoices nor the open
/// invoices of everyone else are read (docs/benchmarks.md, "At year 7").
pub const CUSTOMER_BALANCES: &str = "
SELECT NULL::uuid, json_build_object('customer_id', c.id, 'outstanding', (
         SELECT coalesce(sum(s.amount - s.paid), 0)::numeric(14, 2)::text
           FROM invoice_settlement s
          WHERE s.customer_id = c.id AND NOT s.cancelled AND s.paid < s.amount))
  FROM customer c WHERE c.id = ANY($1)";

/// The advisory lock that merges hold shared and writers of master data exclusively: a merge
/// judges its events against prices, accounts and staff that cannot change until it commits.
const MASTER_DATA: i64 = 0x7469_6c6c_626f_6f6b; // "tillbook"

/// Takes the locks of a writer of master data (and of head office's entries): every merge
/// finished or not yet judged, then the change feed's counter. Call it first in the
/// transaction, as the merge takes its locks in the same order.
pub async fn lock(connection: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(MASTER_DATA).execute(&mut *connection).await?;
    sqlx::query("SELECT 1 FROM ledger_counter FOR UPDATE").execute(connection).await?;
    Ok(())
}

/// The locks a merge takes before it reads what its events refer to, held until it commits,
/// each kind in one sorted order so that merges cannot deadlock: master data shared, then
/// exclusively each document already merged whose state it judges (`References::judged`: what
/// it voids, refunds or moves, the invoices it allocates to) and each supplier it buys from or
/// pays (what a supplier is owed is settled oldest first), each customer whose account it
/// judges (`References::accounts`: a payment's allocations, credit used or paid back, a change
/// of details) or whose document it voids, refunds or cancels (a customer's credit and balance
/// are shared across businesses), each M-Pesa code it names (a code is recorded once
/// across all of them), and last the day's sales totals of each sale it voids (another till's
/// row, which that till's merge writes with its new sales before its turn: waiting for it here,
/// before taking the business's turn, rather than in the turn, where that merge would wait for
/// this one's turn in return).
///
/// Nothing else a merge judges can change under it: a new sale or job needs no lock, since no
/// other till can name it before it is merged, and a credit sale or a laundry job only needs
/// its customer to exist, which nothing undoes (a day's batches all sell on account to the
/// same regulars, and locking them made every merge wait for every other). So two merges, of
/// one business or of two, judge and write their new documents side by side; what they both
/// change — a business's entry numbers, balances and stock — waits for its counter
/// ([`take_entry_numbers`]). Documents and suppliers are locked by advisory keys, customers and
/// codes as rows (`FOR NO KEY UPDATE`, and `mpesa_code_guard`), never hashed into shared
/// buckets: a day's batch names a hundred codes, and buckets made every such batch wait for
/// every other.
pub async fn lock_for_merge(connection: &mut PgConnection, references: &References) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock_shared($1)").bind(MASTER_DATA).execute(&mut *connection).await?;
    let keys: Vec<String> = references
        .judged
        .iter()
        .map(|document| format!("document:{}", document.0))
        .chain(references.suppliers.iter().map(|supplier| format!("supplier:{}", supplier.0)))
        .collect();
    let mut customers: Vec<Uuid> = references.accounts.iter().map(|id| id.0).collect();
    let codes: Vec<&str> = references.mpesa_codes.iter().map(String::as_str).collect();
    if !references.reversed.is_empty() {
        // A void of a credit sale or of a payment, a refund to an account, a cancelled job:
        // each changes what its customer owes, though the event does not name them. What a
        // merged document named never changes, so it is read before the lock.
        let reversed: Vec<Uuid> = references.reversed.iter().map(|id| id.0).collect();
        let theirs: Vec<Uuid> = sqlx::query_scalar(
            "SELECT customer_id FROM invoice WHERE invoice_id = ANY($1) AND customer_id IS NOT NULL
             UNION SELECT customer_id FROM payment WHERE payment_id = ANY($1)
             UNION SELECT customer_id FROM credit_use WHERE document_id = ANY($1)
             UNION SELECT customer_id FROM tender WHERE document_id = ANY($1) AND customer_id IS NOT NULL",
        )
        .bind(reversed)
        .fetch_all(&mut *connection)
        .await?;
        customers.extend(theirs);
    }
    if !keys.is_empty() {
        sqlx::query(
            "SELECT count(pg_advisory_xact_lock(key)) FROM (
                SELECT DISTINCT hashtextextended(name, 0) AS key FROM unnest($1::text[]) name ORDER BY key
             ) sorted",
        )
        .bind(keys)
        .execute(&mut *connection)
        .await?;
    }
    if !customers.is_empty() {
        sqlx::query(
            "SELECT count(*) FROM (SELECT id FROM customer WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE) locked",
        )
        .bind(customers)
        .execute(&mut *connection)
        .await?;
    }
    if !codes.is_empty() {
        // A code already guarded is locked by the conflict (`DO UPDATE … WHERE false` locks the
        // row and writes nothing); a new one by its own uncommitted row, which a second merge
        // naming it waits for before it finds the conflict.
        sqlx::query(
            "INSERT INTO mpesa_code_guard (code)
             SELECT DISTINCT code FROM unnest($1::text[]) code ORDER BY code
             ON CONFLICT (code) DO UPDATE SET code = EXCLUDED.code WHERE false",
        )
        .bind(codes)
        .execute(&mut *connection)
        .await?;
    }
    if !references.voided.is_empty() {
        let voided: Vec<Uuid> = references.voided.iter().map(|id| id.0).collect();
        sqlx::query(
            "SELECT count(*) FROM (
                SELECT 1 FROM sales_day_total t JOIN sale s USING (business_id, business_day, device_id)
                 WHERE s.sale_id = ANY($1)
                 ORDER BY t.business_id, t.business_day, t.device_id FOR NO KEY UPDATE OF t) locked",
        )
        .bind(voided)
        .execute(connection)
        .await?;
    }
    Ok(())
}

/// Takes the next entry numbers of each business, `(business, how many)` (none is allowed:
/// the turn alone), and with them the business's turn to change what its merges share: each
/// counter's row stays locked until commit, so a business's numbers are gap-free and in commit
/// order, and its balances, day totals, stock and eTIMS numbers are changed by one merge at a
/// time, in one order, after the judgement. Merges of different businesses never wait for
/// each other here. Answers, per business, the last number taken before: its entries are that
/// plus 1 ..= its count.
pub async fn take_entry_numbers(
    connection: &mut PgConnection,
    counts: &[(BusinessId, i64)],
) -> Result<HashMap<BusinessId, i64>, sqlx::Error> {
    let wanted: HashMap<BusinessId, i64> = counts.iter().copied().collect();
    let (businesses, counts): (Vec<Uuid>, Vec<i64>) =
        wanted.iter().map(|(business, count)| (business.0, *count)).unzip();
    // A business's first entry inserts its counter.
    let taken: Vec<(Uuid, i64)> = sqlx::query_as(
        "INSERT INTO business_entry_counter AS c (business_id, last_entry)
         SELECT business_id, count FROM unnest($1::uuid[], $2::bigint[]) t (business_id, count) ORDER BY business_id
         ON CONFLICT (business_id) DO UPDATE SET last_entry = c.last_entry + EXCLUDED.last_entry
         RETURNING business_id, last_entry",
    )
    .bind(businesses)
    .bind(counts)
    .fetch_all(connection)
    .await?;
    // One row back per business asked for (an upsert always returns its row), so callers may
    // index the answer by any business they asked for.
    let last_before: HashMap<BusinessId, i64> = taken
        .into_iter()
        .filter_map(|(business, last)| {
            wanted.get(&BusinessId(business)).map(|count| (BusinessId(business), last - count))
        })
        .collect();
    if last_before.len() != wanted.len() {
        return Err(sqlx::Error::Protocol(format!(
            "asked for the entry numbers of {} businesses, given {}",
            wanted.len(),
            last_before.len()
        )));
    }
    Ok(last_before)
}

/// Locks the change feed's counter until commit, before a merge publishes: changes are
/// numbered gap-free in commit order across the group, so this is the one place merges of
/// different businesses still wait for each other, and they take it last (DESIGN §11).
pub async fn lock_feed(connection: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1 FROM ledger_counter FOR UPDATE").execute(connection).await?;
    Ok(())
}

/// Publishes the current state of `ids` of `entity` (`None`: every row). The caller holds
/// the lock ([`lock`]).
pub async fn publish(connection: &mut PgConnection, entity: Entity, ids: Option<&[Uuid]>) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "WITH source (business_id, data) AS ({select}),
              published AS (
                INSERT INTO change_log (seq, business_id, entity, op, data)
                SELECT (SELECT last_change FROM ledger_counter) + row_number() OVER (), business_id, $2, 'upsert', data
                  FROM source
                RETURNING seq)
         UPDATE ledger_counter SET last_change = last_change + (SELECT count(*) FROM published)
         RETURNING (SELECT count(*) FROM published)",
        select = select(entity)
    );
    let (count,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(ids.map(<[Uuid]>::to_vec))
        .bind(entity.as_str())
        .fetch_one(connection)
        .await?;
    Ok(u64::try_from(count).unwrap_or_default())
}

/// Publishes the current state of the staff `ids` to each till concerned (`devices`, or every
/// till not revoked), addressed to that till alone: a till gets a member of staff's PIN hash
/// only if they work in one of its businesses, and otherwise (if it was ever told of them) a
/// row that makes them inactive there, without a hash. The caller holds the lock ([`lock`]).
pub async fn publish_staff(
    connection: &mut PgConnection,
    ids: &[Uuid],
    devices: Option<&[Uuid]>,
) -> Result<u64, sqlx::Error> {
    let (count,): (i64,) = sqlx::query_as(
        "WITH candidates AS (
            SELECT d.id AS device_id, s.id AS staff_id,
                   EXISTS (SELECT 1 FROM staff_business sb JOIN device_business db ON db.business_id = sb.business_id
                            WHERE sb.staff_id = s.id AND db.device_id = d.id) AS works
              FROM device d CROSS JOIN staff s
             WHERE s.id = ANY($1) AND d.revoked_at IS NULL AND ($2::uuid[] IS NULL OR d.id = ANY($2))),
          rows AS (
            SELECT c.*, s.name, s.role, s.pin_hash, s.active FROM candidates c JOIN staff s ON s.id = c.staff_id
             WHERE c.works
                OR EXISTS (SELECT 1 FROM change_log l WHERE l.entity = 'staff' AND l.device_id = c.device_id
                              AND l.data ->> 'id' = c.staff_id::text)),
          published AS (
            INSERT INTO change_log (seq, device_id, entity, op, data)
            SELECT (SELECT last_change FROM ledger_counter) + row_number() OVER (ORDER BY device_id, staff_id),
                   device_id, 'staff', 'upsert',
                   jsonb_build_object('id', staff_id, 'name', name, 'role', role,
                                      'pin_hash', CASE WHEN works THEN pin_hash ELSE '' END,
                                      'active', active AND works)
              FROM rows
            RETURNING seq)
         UPDATE ledger_counter SET last_change = last_change + (SELECT count(*) FROM published)
         RETURNING (SELECT count(*) FROM published)",
    )
    .bind(ids)
    .bind(devices)
    .fetch_one(connection)
    .await?;
    Ok(u64::try_from(count).unwrap_or_default())
}

/// Every member of staff's id, for a till that was just enrolled.
pub async fn all_staff(connection: &mut PgConnection) -> Result<Vec<Uuid>, sqlx::Error> {
    let ids: Vec<(Uuid,)> = sqlx::query_as("SELECT id FROM staff").fetch_all(connection).await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// Tells one till what became of its events.
pub async fn publish_event_status(
    connection: &mut PgConnection,
    device: DeviceId,
    status: &EventStatus,
) -> Result<(), sqlx::Error> {
    publish_to(connection, device, Entity::EventStatus, status).await
}

/// Publishes `data` of `entity` to one till alone (its events' status, KRA's answers for its
/// sales), taking the change feed's counter until commit. The counter's row is locked before
/// the next number is read: a caller that holds no lock of the feed (the eTIMS worker) must not
/// read the same number as a merge committing beside it.
pub async fn publish_to<T: serde::Serialize>(
    connection: &mut PgConnection,
    device: DeviceId,
    entity: Entity,
    data: &T,
) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1 FROM ledger_counter FOR UPDATE").execute(&mut *connection).await?;
    sqlx::query(
        "WITH published AS (
            INSERT INTO change_log (seq, device_id, entity, op, data)
            SELECT last_change + 1, $1, $2, 'upsert', $3 FROM ledger_counter
            RETURNING seq)
         UPDATE ledger_counter SET last_change = (SELECT seq FROM published)",
    )
    .bind(device.0)
    .bind(entity.as_str())
    .bind(sqlx::types::Json(data))
    .execute(connection)
    .await?;
    Ok(())
}

/// What a till's first pull gets (cursor 0): the current state rather than the feed's history,
/// so that a till joining a group that has traded for years pulls master data and what is open,
/// not every version of every job and balance since the first day. Read in one snapshot with the
/// feed's counter: `(horizon, changes)`, every change numbered `horizon`, the cursor to pull on
/// from. In the order a seed publishes: master data (every business the till may see; products,
/// services and cylinders of its own businesses), the laundry jobs of its businesses not yet
/// collected or cancelled, the balance of every customer who owes something, and the rows
/// addressed to this till alone (its staff, its events' statuses) up to the horizon.
pub async fn snapshot(
    pool: &sqlx::PgPool,
    device: &crate::devices::Device,
) -> Result<(i64, Vec<(i64, String, String, serde_json::Value)>), sqlx::Error> {
    let businesses: Vec<Uuid> = device.business_ids.iter().map(|id| id.0).collect();
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
    let (horizon,): (i64,) = sqlx::query_as("SELECT last_change FROM ledger_counter").fetch_one(&mut *tx).await?;
    let open_jobs: Vec<Uuid> = sqlx::query_scalar(
        // Collected and cancelled are where a job ends: one pass over each table, not a look-up
        // of every job's latest status since the first day.
        "SELECT j.job_id FROM laundry_job j
          WHERE j.business_id = ANY($1)
            AND NOT EXISTS (SELECT 1 FROM laundry_status_history h
                             WHERE h.job_id = j.job_id AND h.to_status IN ('collected', 'cancelled'))",
    )
    .bind(&businesses)
    .fetch_all(&mut *tx)
    .await?;
    let owing: Vec<Uuid> =
        sqlx::query_scalar("SELECT DISTINCT customer_id FROM invoice_settlement WHERE NOT cancelled AND paid < amount")
            .fetch_all(&mut *tx)
            .await?;
    let state = MASTER_DATA_ENTITIES
        .iter()
        .filter(|entity| **entity != Entity::Staff)
        .map(|entity| (*entity, None))
        .chain([(Entity::LaundryJob, Some(open_jobs)), (Entity::CustomerBalance, Some(owing))]);
    let mut changes = Vec::new();
    for (entity, ids) in state {
        if ids.as_ref().is_some_and(Vec::is_empty) {
            continue;
        }
        let sql = format!(
            "SELECT data::jsonb FROM ({select}) state (business_id, data)
              WHERE state.business_id IS NULL OR state.business_id = ANY($2)",
            select = select(entity)
        );
        let rows: Vec<serde_json::Value> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(ids).bind(&businesses).fetch_all(&mut *tx).await?;
        changes.extend(rows.into_iter().map(|data| (horizon, entity.as_str().to_string(), "upsert".to_string(), data)));
    }
    let addressed: Vec<(i64, String, String, serde_json::Value)> = sqlx::query_as(
        "SELECT seq, entity, op, data FROM change_log
          WHERE device_id = $1 AND seq <= $2
            AND NOT (entity = 'staff' AND EXISTS (
                SELECT 1 FROM change_log newer
                 WHERE newer.entity = 'staff' AND newer.device_id = $1
                   AND newer.data ->> 'id' = change_log.data ->> 'id' AND newer.seq > change_log.seq))
          ORDER BY seq",
    )
    .bind(device.id.0)
    .bind(horizon)
    .fetch_all(&mut *tx)
    .await?;
    changes.extend(addressed);
    tx.commit().await?;
    Ok((horizon, changes))
}

/// The changes after `cursor` that `device` should see (its businesses', everyone's, its own),
/// at most `limit`, as `(seq, entity, op, data)`. Of the staff rows addressed to it, only the
/// newest of each member of staff: a till that was away never receives a superseded PIN hash.
/// Staff rows addressed to every till (written before migration 0014) are never sent.
pub async fn since(
    pool: &sqlx::PgPool,
    cursor: i64,
    device: &crate::devices::Device,
    limit: i64,
) -> Result<Vec<(i64, String, String, serde_json::Value)>, sqlx::Error> {
    let businesses: Vec<Uuid> = device.business_ids.iter().map(|id| id.0).collect();
    sqlx::query_as(
        "SELECT seq, entity, op, data FROM change_log
          WHERE seq > $1
            AND (business_id IS NULL OR business_id = ANY($2))
            AND (device_id IS NULL OR device_id = $3)
            AND NOT (entity = 'staff' AND (device_id IS NULL OR EXISTS (
                SELECT 1 FROM change_log newer
                 WHERE newer.entity = 'staff' AND newer.device_id = $3
                   AND newer.data ->> 'id' = change_log.data ->> 'id' AND newer.seq > change_log.seq)))
          ORDER BY seq LIMIT $4",
    )
    .bind(cursor)
    .bind(&businesses)
    .bind(device.id.0)
    .bind(limit)
    .fetch_all(pool)
    .await
}
