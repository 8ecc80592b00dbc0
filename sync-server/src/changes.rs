//! The change feed the tills pull (DESIGN §7 "Pull"): master data, shared state of a business
//! (laundry jobs, customer balances) and the status of a till's own events.
//!
//! Each change gets its `seq` from `ledger_counter.last_change` while the writer holds that row
//! locked, so sequence numbers are gap-free and in commit order: a till that has read up to N
//! can never later find a change below N appear.

use sqlx::PgConnection;
use tillbook_core::ids::DeviceId;
use uuid::Uuid;

/// An entity whose current state is published, and the query that gives it: `(business_id,
/// data)` rows for the ids in `$1` (`business_id` NULL: every till receives it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Business,
    Account,
    Product,
    LaundryService,
    CylinderType,
    Customer,
    Staff,
    LaundryJob,
    CustomerBalance,
}

impl Entity {
    pub const MASTER_DATA: [Entity; 7] = [
        Entity::Business,
        Entity::Account,
        Entity::Product,
        Entity::LaundryService,
        Entity::CylinderType,
        Entity::Customer,
        Entity::Staff,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Entity::Business => "business",
            Entity::Account => "account",
            Entity::Product => "product",
            Entity::LaundryService => "laundry_service",
            Entity::CylinderType => "cylinder_type",
            Entity::Customer => "customer",
            Entity::Staff => "staff",
            Entity::LaundryJob => "laundry_job",
            Entity::CustomerBalance => "customer_balance",
        }
    }

    /// `(business_id, data)` of the entity's rows; `$1` is an array of ids, or NULL for all.
    fn select(self) -> &'static str {
        match self {
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
            Entity::Staff => "SELECT NULL::uuid, data FROM staff_wire WHERE $1::uuid[] IS NULL OR id = ANY($1)",
            Entity::LaundryJob => LAUNDRY_JOBS,
            Entity::CustomerBalance => CUSTOMER_BALANCES,
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
/// (the `invoice_standing` view, shared with the reports and `verify`).
pub const CUSTOMER_BALANCES: &str = "
SELECT NULL::uuid, json_build_object('customer_id', c.id, 'outstanding', (
         SELECT coalesce(sum(s.amount - s.paid), 0)::numeric(14, 2)::text
           FROM invoice_standing s
          WHERE s.customer_id = c.id AND NOT s.cancelled))
  FROM customer c WHERE c.id = ANY($1)";

/// Takes the change feed's lock. Writers of master data call this first; the merge holds it
/// already (it locks the same row for entry numbers).
pub async fn lock(connection: &mut PgConnection) -> Result<(), sqlx::Error> {
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
        select = entity.select()
    );
    let (count,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(ids.map(<[Uuid]>::to_vec))
        .bind(entity.name())
        .fetch_one(connection)
        .await?;
    Ok(u64::try_from(count).unwrap_or_default())
}

/// Tells one till what became of its events (`data` is the status summary).
pub async fn publish_to_device(
    connection: &mut PgConnection,
    device: DeviceId,
    entity: &str,
    data: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "WITH published AS (
            INSERT INTO change_log (seq, device_id, entity, op, data)
            SELECT last_change + 1, $1, $2, 'upsert', $3 FROM ledger_counter
            RETURNING seq)
         UPDATE ledger_counter SET last_change = (SELECT seq FROM published)",
    )
    .bind(device.0)
    .bind(entity)
    .bind(sqlx::types::Json(data))
    .execute(connection)
    .await?;
    Ok(())
}
