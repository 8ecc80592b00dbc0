//! Recording counter work. Every action runs in one SQLite transaction that writes the document's
//! rows, its provisional journal entry and one outbox event with the next `device_seq`
//! (DESIGN §5, §6). Anything that fails — validation, a constraint, a crash — leaves nothing
//! behind, and the numbers it took are given back with the rollback.

pub mod accounts;
pub mod drawer;
pub mod laundry;
pub mod lpg;
pub mod reversals;
pub mod sales;
pub mod stock;

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Tz;
use rusqlite::{Transaction, TransactionBehavior};
use serde::Serialize;
use tillbook_core::DocumentError;
use tillbook_core::JournalEntry;
use tillbook_core::chart::Business;
use tillbook_core::documents::Document;
use tillbook_core::ids::{EntryId, EventId, ShiftId};
use tillbook_core::protocol::Event;
use tillbook_core::time::business_day;

use crate::error::{Result, TillError};
use crate::master::{self, SqlLookup};
use crate::sql::next_number;
use crate::staff::Session;
use crate::till::{Till, TillInfo};

/// What the store assigned to a recorded document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Recorded {
    pub event_id: EventId,
    pub device_seq: u64,
    pub entry_id: Option<EntryId>,
    /// When it was recorded, by the till's clock: what its receipt prints.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub occurred_at: DateTime<FixedOffset>,
}

/// Something the cashier should know about a recording that was saved all the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Warning {
    /// DESIGN §5: the same M-Pesa code used twice is flagged, not refused.
    DuplicateMpesaCode { mpesa_code: String },
    /// Stock of the product is now below zero (a business fact, never a refusal).
    NegativeStock { product: String },
}

/// Whether an action needs the cashier's shift open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShiftNeed {
    /// Money moves in or out of the drawer: there must be a shift to account for it.
    Required,
    /// Attach the open shift if there is one.
    IfOpen,
}

/// One recording in progress: the open transaction and who, when and for which business.
pub(crate) struct Work<'t> {
    pub tx: Transaction<'t>,
    pub till: &'t TillInfo,
    pub session: Session,
    pub business: Business,
    pub occurred_at: DateTime<FixedOffset>,
    pub business_day: NaiveDate,
    pub shift_id: Option<ShiftId>,
    /// Products this recording has read already (a sale's, priced from them): the posting and
    /// the effects take them from here rather than reading them again.
    pub products: Vec<tillbook_core::catalog::Product>,
    /// What the cashier should be told of what was recorded (an M-Pesa code seen before, stock
    /// below zero), gathered as the rows are written.
    pub warnings: Vec<Warning>,
}

impl Till {
    /// Starts a recording for `session`. IMMEDIATE takes the write lock at once, so a recording
    /// never fails half-way on a lock held by a reader turned writer (the sync task, later).
    pub(crate) fn work(&mut self, session: &Session, shift: ShiftNeed) -> Result<Work<'_>> {
        let occurred_at = (self.clock)();
        let zone: Tz = self.zone;
        let tx = self.connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let business = master::business(&tx, session.business_id)?;
        let shift_id = open_shift(&tx)?.map(|(id, _)| id);
        if shift == ShiftNeed::Required && shift_id.is_none() {
            return Err(TillError::NoOpenShift);
        }
        Ok(Work {
            tx,
            till: &self.info,
            session: session.clone(),
            business,
            occurred_at,
            business_day: business_day(occurred_at, zone),
            shift_id,
            products: Vec::new(),
            warnings: Vec::new(),
        })
    }
}

pub(crate) use crate::store::journal::open_shift;

impl Work<'_> {
    pub fn occurred_at_text(&self) -> String {
        self.occurred_at.to_rfc3339()
    }

    pub fn day_text(&self) -> String {
        self.business_day.to_string()
    }

    /// The next receipt (or ticket) number of this till: `W1-000042`, gap-free.
    pub fn next_receipt_number(&self) -> Result<String> {
        let number = next_number(&self.tx, "receipt")?;
        Ok(format!("{}-{number:06}", self.till.till_code))
    }

    /// Posts `document`, then writes its provisional journal entry, its outbox event and the
    /// rows of its effects (core's `Document::effects`). The document's own rows (a sale's
    /// header and lines) are the caller's, after this.
    pub fn record(&mut self, document: &Document) -> Result<Recorded> {
        self.record_with(document, |_| Ok(()))
    }

    /// As [`Work::record`], with the document's own rows written by `own_rows` between the
    /// invoice it raises and the rest of its effects, for rows that refer both ways (a job to
    /// its invoice, the job's first status to the job). Foreign keys are checked as each row
    /// is written: deferring them to the commit cost a third of a sale's time.
    pub fn record_with(
        &mut self,
        document: &Document,
        own_rows: impl FnOnce(&Work<'_>) -> Result<()>,
    ) -> Result<Recorded> {
        let entry_id = EntryId::new();
        let lookup = SqlLookup::knowing(&self.tx, &self.products);
        let posted = document.post(&self.business, &lookup, entry_id);
        lookup.check()?;
        let entry = posted?;

        let event_id = EventId::new();
        let device_seq = next_number(&self.tx, "device_seq")?;
        crate::store::journal::check_follows(&self.tx, device_seq)?;
        if let Some(entry) = &entry {
            crate::store::journal::write_entry(self, entry, event_id, document)?;
        }
        let event = Event {
            event_id,
            device_seq,
            event_type: document.event_type().to_string(),
            business_id: self.business.id,
            occurred_at: self.occurred_at,
            recorded_by: Some(self.session.staff_id),
            document: document.to_wire(),
            journal: entry.as_ref().map(JournalEntry::to_wire),
        };
        crate::store::journal::append_event(self, &event, document)?;
        let effects = document.effects().map_err(DocumentError::from)?;
        crate::store::effects::write_invoice(self, &effects)?;
        own_rows(self)?;
        let warnings = crate::store::effects::write(self, document, &effects, event_id)?;
        self.warnings.extend(warnings);
        Ok(Recorded { event_id, device_seq, entry_id: entry.map(|e| e.entry_id()), occurred_at: self.occurred_at })
    }

    pub fn commit(self) -> Result<()> {
        self.tx.commit()?;
        Ok(())
    }
}
