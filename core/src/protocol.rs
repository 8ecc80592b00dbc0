//! Sync protocol v1 wire types (DESIGN §7), defined here once: the till writes through them and
//! the server reads through them. The document inside an event stays JSON (parsed or raw) so
//! that an event of a type this side does not know can still be carried, stored and quarantined
//! rather than refused.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::ids::{BusinessId, DeviceId, EventId, StaffId};
use crate::journal::JournalPayload;

pub const PROTOCOL_VERSION: u32 = 1;
/// At most this many events in one push (DESIGN §7).
pub const BATCH_EVENTS_MAX: usize = 500;

/// One recorded document as it travels to the server: the envelope, generic over how its
/// content is held. A till writes (and tests read) an [`Event`], the content parsed; the server
/// takes a [`RawEvent`], the content exactly as sent, so that it can keep it byte for byte and
/// judge content it cannot accept for that event alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(bound = ""))]
pub struct Envelope<D, J> {
    pub event_id: EventId,
    pub device_seq: u64,
    #[serde(rename = "type")]
    pub event_type: String,
    pub business_id: BusinessId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub occurred_at: DateTime<FixedOffset>,
    /// The staff member who recorded it, `None` for events no person made at the till.
    pub recorded_by: Option<StaffId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub document: D,
    /// `None` (or absent) for documents that post nothing (a status change, a new customer).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<JournalPayload>))]
    pub journal: Option<J>,
}

/// An event with its content parsed: what a till records and pushes.
pub type Event = Envelope<serde_json::Value, JournalPayload>;

/// An event with its content as sent: what the server judges and keeps.
pub type RawEvent = Envelope<Box<RawValue>, Box<RawValue>>;

/// A push: a run of one till's events. The till sends its events as it stored them
/// (`PushRequest<Box<RawValue>>`); the server reads each event raw, to refuse a bad envelope
/// naming its place in the batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(bound = ""))]
#[serde(deny_unknown_fields)]
pub struct PushRequest<E = Event> {
    pub protocol: u32,
    pub device_id: DeviceId,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub events: Vec<E>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AckStatus {
    Posted,
    Duplicate,
    Quarantined,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ack {
    pub event_id: EventId,
    pub device_seq: u64,
    pub status: AckStatus,
    pub entry_number: Option<u64>,
    pub reason: Option<Reason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    pub acks: Vec<Ack>,
    pub acked_through: u64,
}

/// What a change of the pull feed is about: master data, a business's shared state, or the
/// status of the pulling till's own events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Business,
    Account,
    Product,
    LaundryService,
    CylinderType,
    Customer,
    Staff,
    Supplier,
    LaundryJob,
    CustomerBalance,
    /// [`EventStatus`], for one till only.
    EventStatus,
    /// [`crate::etims::Signature`]: KRA's answer for one of the till's sales, for that till only.
    EtimsReceipt,
    /// Published by a newer server: skipped, never a reason to stall.
    #[serde(other)]
    Unknown,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Business => "business",
            Entity::Account => "account",
            Entity::Product => "product",
            Entity::LaundryService => "laundry_service",
            Entity::CylinderType => "cylinder_type",
            Entity::Customer => "customer",
            Entity::Staff => "staff",
            Entity::Supplier => "supplier",
            Entity::LaundryJob => "laundry_job",
            Entity::CustomerBalance => "customer_balance",
            Entity::EventStatus => "event_status",
            Entity::EtimsReceipt => "etims_receipt",
            Entity::Unknown => "unknown",
        }
    }

    /// The entity named `name` (as the change log stores it); `Unknown` for a name this
    /// version does not know.
    pub fn parse(name: &str) -> Entity {
        serde_json::from_value(serde_json::Value::String(name.to_string())).unwrap_or(Entity::Unknown)
    }
}

impl From<&str> for Entity {
    fn from(name: &str) -> Entity {
        Entity::parse(name)
    }
}

impl PartialEq<&str> for Entity {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for Entity {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// What became of a till's events, published to that till alone (entity `event_status`): how
/// far the server has merged, what it quarantined (for a till that never heard the push's
/// answer), and head office's decisions on quarantined events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acked_through: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quarantined: Vec<QuarantinedEvent>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolved: Vec<ResolvedEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuarantinedEvent {
    pub event_id: EventId,
    pub reason: Reason,
}

/// Head office's decision on a quarantined event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Nothing to post: the event stays out of the books.
    Dismissed,
    /// Head office posted a correcting entry for it.
    Corrected,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Dismissed => "dismissed",
            Resolution::Corrected => "corrected",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResolvedEvent {
    pub event_id: EventId,
    pub status: Resolution,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub seq: u64,
    pub entity: Entity,
    pub op: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub changes: Vec<Change>,
    pub next_cursor: u64,
    pub more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    pub enrollment_code: String,
    pub device_id: DeviceId,
    pub device_name: String,
    pub app_version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrollResponse {
    pub device_id: DeviceId,
    pub device_token: String,
    pub till_code: String,
    pub business_ids: Vec<BusinessId>,
    /// Every event of this device up to here is merged: 0 for a new till, and for a re-enrolled
    /// one where its unsynced work starts (a restored till numbers its next events after it).
    #[serde(default)]
    pub acked_through: u64,
    /// The group's time zone (head office's `TILLBOOK_TIME_ZONE`): the till keeps its business
    /// days in it, so that its Z reports and head office's reports draw the same days.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
}

fn default_time_zone() -> String {
    crate::time::DEFAULT_TIME_ZONE.to_string()
}

/// The reports head office serves the owner (`GET /api/v1/reports/{report}`), in the order the
/// owner's screens list them; the app checks a name against it before asking.
pub const OWNER_REPORTS: [&str; 23] = [
    "trial-balance",
    "profit-and-loss",
    "balance-sheet",
    "cash-position",
    "sales",
    "stock",
    "tills",
    "aging",
    "statement",
    "review",
    "products",
    "staff",
    "revenue",
    "over-short",
    "businesses",
    "laundry-services",
    "cylinder-types",
    "customers",
    "suppliers",
    "payables",
    "supplier-statement",
    "vat-return",
    "etims",
];

/// The owner's sign-in at head office (DESIGN §9): email and password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OwnerLoginRequest {
    pub email: String,
    pub password: String,
}

/// A session token for the reports (kept by the app in the OS keyring, by the server only as a
/// hash) and the businesses the owner's reports cover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OwnerLoginResponse {
    pub token: String,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: DateTime<chrono::Utc>,
    pub businesses: Vec<OwnerBusiness>,
    /// What the user may do; the app shows only those screens (an older server: owner).
    #[serde(default)]
    pub role: UserRole,
}

/// The roles of head office's users. The server enforces them on every route (its access
/// table); the app hides what a role may not do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UserRole {
    /// Everything, in every business.
    #[default]
    Owner,
    /// Every report and export, and the review queue to read.
    Accountant,
    /// Reports, review and maintenance of their own businesses.
    Manager,
}

impl UserRole {
    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::Owner => "owner",
            UserRole::Accountant => "accountant",
            UserRole::Manager => "manager",
        }
    }

    pub fn parse(text: &str) -> Option<UserRole> {
        match text {
            "owner" => Some(UserRole::Owner),
            "accountant" => Some(UserRole::Accountant),
            "manager" => Some(UserRole::Manager),
            _ => None,
        }
    }
}

/// `POST /api/v1/admin/users`: a new user of head office (no `id`; a password needed) or a
/// change. Only an owner may.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub id: Option<uuid::Uuid>,
    pub email: String,
    pub name: String,
    pub role: UserRole,
    /// A manager's businesses (codes); ignored for the other roles, who see every business.
    #[serde(default)]
    pub businesses: Vec<String>,
    /// A new password (at least 10 characters, not a common one); unchanged when absent.
    #[serde(default)]
    pub password: Option<String>,
    pub active: bool,
}

/// A user of head office as the owner's screen lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserLine {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: uuid::Uuid,
    pub email: String,
    pub name: String,
    pub role: UserRole,
    pub businesses: Vec<String>,
    pub active: bool,
}

/// `POST /api/v1/owner/password`: the signed-in user changes their own password. Their other
/// sessions end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

/// One of the signed-in user's sessions (never its token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionLine {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: uuid::Uuid,
    /// The app that signed in (its User-Agent).
    pub client: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: DateTime<chrono::Utc>,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub last_used_at: DateTime<chrono::Utc>,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: DateTime<chrono::Utc>,
    /// The session this request came with.
    pub current: bool,
}

/// `POST /api/v1/review/resolve`: the owner's decision on one item of the review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    /// `quarantine:<event id>`, `flag:<number>`, `mpesa:<number>`, `bank:<number>` or
    /// `etims:<business id>:<invoice number>`, as the review report lists it.
    pub item: String,
    /// `dismiss` (posts nothing), `correct` (posts `correction`), or `resend` (a refused eTIMS
    /// invoice sent to KRA again; no decision, it returns to the queue if refused again).
    pub action: String,
    /// Why; kept with the decision and in the audit log.
    pub note: String,
    #[serde(default)]
    pub correction: Option<Correction>,
}

/// A correcting entry made at head office: balanced lines on one business's accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Correction {
    pub business: String,
    /// The business day it belongs to; today when absent. Never after today.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub business_day: Option<chrono::NaiveDate>,
    pub lines: Vec<crate::journal::WireLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResolveResponse {
    pub item: String,
    /// `dismissed` or `corrected`.
    pub status: String,
    /// The correcting entry's number, for `corrected`.
    pub entry_number: Option<i64>,
}

/// `POST /api/v1/admin/products`: a new product (no `id`) or a change to one, from the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProductChange {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub id: Option<crate::ids::ProductId>,
    pub business: String,
    pub name: String,
    #[serde(default)]
    pub barcode: Option<String>,
    pub unit: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "120.00"))]
    pub price: crate::Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "0.16"))]
    pub vat_rate: crate::VatRate,
    /// Unchanged when absent.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub unit_cost: Option<crate::Money>,
    /// For a new product: whether it is kept in stock (a change keeps what the product is).
    #[serde(default)]
    pub stocked: bool,
    pub active: bool,
}

/// `POST /api/v1/admin/staff`: a new member of staff (no `id`, a PIN needed) or a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StaffChange {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub id: Option<StaffId>,
    pub name: String,
    /// `cashier`, `supervisor` or `owner`.
    pub role: String,
    /// A new PIN: 4 to 8 digits for a cashier, 6 to 8 for a supervisor or an owner. The old
    /// one stays when absent.
    #[serde(default)]
    pub pin: Option<String>,
    /// The businesses (codes) they work in: only those businesses' tills learn of them. A new
    /// member of staff needs at least one; a change keeps them when absent.
    #[serde(default)]
    pub businesses: Option<Vec<String>>,
    pub active: bool,
}

/// `POST /api/v1/admin/businesses`: a new business (no `id`, or an id head office does not
/// know yet) with its accounts made from the chart template, or a change to one's name,
/// profile or standing. A business's code and kind never change: its accounts and its
/// documents depend on them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BusinessChange {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub id: Option<BusinessId>,
    /// `WATER`, `DUKA2`: 2 to 20 capital letters, digits or `_`, starting with a letter.
    pub code: String,
    pub name: String,
    pub kind: crate::chart::BusinessKind,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub profile: crate::chart::BusinessProfile,
    pub active: bool,
}

/// `POST /api/v1/admin/laundry-services`: a service a laundry business sells, new or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LaundryServiceChange {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub id: Option<crate::ids::LaundryServiceId>,
    pub business: String,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "per_kg"))]
    pub pricing: crate::catalog::LaundryPricing,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "120.00"))]
    pub price: crate::Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "0.16"))]
    pub vat_rate: crate::VatRate,
    pub active: bool,
}

/// `POST /api/v1/admin/cylinder-types`: an LPG cylinder a business exchanges, new or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CylinderTypeChange {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub id: Option<crate::ids::CylinderTypeId>,
    pub business: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "13"))]
    pub size_kg: crate::Quantity,
    pub brand: String,
    /// What a refill of gas costs the customer, and the business.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub gas_price: crate::Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub gas_cost: crate::Money,
    /// What a customer pays for a cylinder to keep, and what it cost the business.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub cylinder_price: crate::Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub cylinder_cost: crate::Money,
    /// Held for a cylinder lent, returned when it comes back.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub deposit: crate::Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "0.16"))]
    pub vat_rate: crate::VatRate,
    pub active: bool,
}

/// `POST /api/v1/admin/customers`: a customer of the group (shared by every business), new or
/// changed: name, phone and the credit limit the tills hold credit sales to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomerChange {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub id: Option<crate::ids::CustomerId>,
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "5000.00"))]
    pub credit_limit: crate::Money,
    pub active: bool,
}

/// `POST /api/v1/office/documents`: documents head office records itself — an expense paid
/// from the bank (shared across businesses as one document each), a transfer, a supplier's
/// goods or payment — recorded together or not at all, through the same merge as a till's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OfficeDocuments {
    pub documents: Vec<OfficeDocument>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OfficeDocument {
    /// Chosen by the app: the same id sent again is answered from the ledger, never recorded twice.
    pub event_id: EventId,
    /// The business's code.
    pub business: String,
    /// One of [`OFFICE_EVENT_TYPES`].
    #[serde(rename = "type")]
    pub event_type: String,
    /// The document, as a till's event carries it (`docs/protocol.md`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub document: serde_json::Value,
    /// The day it belongs to; today (head office's zone) when absent.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub business_day: Option<chrono::NaiveDate>,
}

/// What head office records itself; the rest happens at a counter.
pub const OFFICE_EVENT_TYPES: [&str; 7] = [
    "expense.recorded",
    "cash.moved",
    "stock.received",
    "supplier.paid",
    "payment.received",
    "credit.applied",
    "credit.refunded",
];

/// `POST /api/v1/admin/suppliers`: someone the group buys from, new or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SupplierChange {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub id: Option<crate::ids::SupplierId>,
    pub name: String,
    /// Empty when not known.
    #[serde(default)]
    pub kra_pin: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// Days of credit: an invoice falls due this long after it is dated (0: on delivery).
    pub terms_days: u16,
    pub active: bool,
}

/// `POST /api/v1/admin/tills`: a one-time code to enrol a new till of `business`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TillEnrolRequest {
    pub business: String,
    pub name: String,
}

/// The code to type into the new till (shown once), and the till code it will have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TillEnrolment {
    pub business: String,
    pub till_code: String,
    pub code: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: DateTime<chrono::Utc>,
}

/// `POST /api/v1/admin/etims`: a VAT-registered business's eTIMS device (KRA's OSCU), saved and
/// initialised with KRA, whose communication key head office keeps in its key folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EtimsSetUpRequest {
    /// The business's code.
    pub business: String,
    /// KRA's branch id: two digits, `00` for the head office branch.
    pub branch_id: String,
    /// The device serial KRA issued for this OSCU.
    pub device_serial: String,
    /// The OSCU address: KRA's test server while trying it out, then production.
    pub oscu_url: String,
}

/// `POST /api/v1/admin/tills/revoke`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TillRevokeRequest {
    pub till_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OwnerBusiness {
    pub code: String,
    pub name: String,
    pub kind: crate::chart::BusinessKind,
}

/// Every error the server answers: `{"error": {"code", "message", "field"?, "expected_seq"?}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ApiError,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_design_example_event_parses() {
        let text = r#"{ "event_id": "0193a4b2-7c1e-7000-8000-000000000001", "device_seq": 42, "type": "sale.recorded",
          "business_id": "0193a4b2-7c1e-7000-8000-000000000002", "occurred_at": "2026-11-21T14:03:22+03:00",
          "recorded_by": null, "document": {"anything": true},
          "journal": { "entry_id": "0193a4b2-7c1e-7000-8000-000000000003",
                       "lines": [ {"account": "1110", "debit": "150.00", "credit": "0.00"},
                                  {"account": "4100", "debit": "0.00",   "credit": "129.31"},
                                  {"account": "2200", "debit": "0.00",   "credit": "20.69"} ] } }"#;
        let event: Event = serde_json::from_str(text).unwrap();
        assert_eq!(event.device_seq, 42);
        assert_eq!(event.event_type, "sale.recorded");
        let entry = crate::journal::JournalEntry::from_wire(event.journal.as_ref().unwrap()).unwrap();
        assert_eq!(entry.total().to_string(), "150.00");
        let back = serde_json::to_value(&event).unwrap();
        assert_eq!(back["type"], "sale.recorded");
        assert_eq!(back["journal"]["lines"][1]["credit"], "129.31");
    }
}
