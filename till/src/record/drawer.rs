//! The drawer: shifts with a float and a count, petty-cash expenses, cash movements, and the day
//! close with its Z report and sync receipt (DESIGN §5, §6).

use serde::{Deserialize, Serialize};
use tillbook_core::Money;
use tillbook_core::chart::AccountCode;
use tillbook_core::documents::{
    CashMovement, CashMovementKind, DayClosed, DenominationCount, Document, Expense, PaidFrom, ShiftClosed, ShiftOpened,
};
use tillbook_core::ids::{BusinessId, DocumentId, ShiftId};

use super::{Recorded, ShiftNeed, open_shift};
use crate::error::{Result, TillError};
use crate::reports::{expected_cash, sales_summary};
use crate::staff::Session;
use crate::store::{counter, documents};
use crate::till::Till;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ShiftReport {
    pub shift_id: ShiftId,
    pub float: Money,
    pub expected_cash: Money,
    pub counted_cash: Money,
    /// Positive: over (to 4900); negative: short (to 6900).
    pub difference: Money,
    pub recorded: Recorded,
}

/// The cash count: by notes and coins, or a single counted total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CashCount {
    Denominations(Vec<DenominationCount>),
    Total(Money),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ZReport {
    pub report: DayClosed,
    pub recorded: Recorded,
}

impl Till {
    /// Opens a shift with the float already in the drawer.
    pub fn open_shift(&mut self, session: &Session, float: Money) -> Result<(ShiftId, Recorded)> {
        let mut work = self.work(session, ShiftNeed::IfOpen)?;
        if work.shift_id.is_some() {
            return Err(TillError::ShiftAlreadyOpen);
        }
        let opened = ShiftOpened { shift_id: ShiftId::new(), float };
        let recorded = work.record(&Document::ShiftOpened(opened.clone()))?;
        documents::shift_opened(&work, &opened)?;
        // From now on the open shift is this one.
        work.shift_id = Some(opened.shift_id);
        work.commit()?;
        Ok((opened.shift_id, recorded))
    }

    /// Closes the open shift with the cash count; the difference posts as over or short.
    pub fn close_shift(&mut self, session: &Session, count: &CashCount) -> Result<ShiftReport> {
        let mut work = self.work(session, ShiftNeed::Required)?;
        let (shift_id, _) = open_shift(&work.tx)?.ok_or(TillError::NoOpenShift)?;
        let float = counter::shift_float(&work.tx, shift_id)?;
        let expected = expected_cash(&work.tx, shift_id)?;
        let (counted, counts) = match count {
            CashCount::Denominations(counts) => (ShiftClosed::counted_from(counts)?, counts.clone()),
            CashCount::Total(total) => (*total, Vec::new()),
        };
        let closed = ShiftClosed {
            shift_id,
            expected_cash: expected,
            counted_cash: counted,
            difference: counted.checked_sub(expected)?,
            counts,
        };
        let recorded = work.record(&Document::ShiftClosed(closed.clone()))?;
        documents::shift_closed(&work, &closed)?;
        work.commit()?;
        Ok(ShiftReport {
            shift_id,
            float,
            expected_cash: expected,
            counted_cash: counted,
            difference: closed.difference,
            recorded,
        })
    }

    /// A petty-cash expense (or one paid by M-Pesa) to an expense account.
    pub fn record_expense(
        &mut self,
        session: &Session,
        account: AccountCode,
        amount: Money,
        description: &str,
        paid_from: PaidFrom,
    ) -> Result<Recorded> {
        let mut work = self.work(session, ShiftNeed::Required)?;
        let expense = Expense {
            expense_id: DocumentId::new(),
            account,
            amount,
            description: description.trim().to_string(),
            paid_from,
            vat_rate: Default::default(),
        };
        let recorded = work.record(&Document::Expense(expense.clone()))?;
        documents::expense(&work, &expense)?;
        work.commit()?;
        Ok(recorded)
    }

    /// Cash in or out of the drawer that is not a sale: float, banking, owner's drawing.
    pub fn move_cash(
        &mut self,
        session: &Session,
        kind: CashMovementKind,
        amount: Money,
        note: &str,
    ) -> Result<Recorded> {
        if matches!(kind, CashMovementKind::OwnerDrawing) && session.role < tillbook_core::catalog::Role::Supervisor {
            return Err(TillError::NotAuthorised { action: "record an owner's drawing", needed: "supervisor" });
        }
        let mut work = self.work(session, ShiftNeed::Required)?;
        let movement = CashMovement { movement_id: DocumentId::new(), kind, amount, note: note.trim().to_string() };
        let recorded = work.record(&Document::CashMovement(movement.clone()))?;
        documents::cash_movement(&work, &movement)?;
        work.commit()?;
        Ok(recorded)
    }

    /// Closes the business day at this till: the Z report, and how many of the day's events the
    /// server has acknowledged so far (the sync receipt). The shift must be closed first.
    /// Closes today at every business this till serves (the shift must be closed first), one Z
    /// report each. A business already closed today is left as it is; only when every one of
    /// them already was is that the answer.
    pub fn close_days(&mut self, session: &Session) -> Result<Vec<(BusinessId, ZReport)>> {
        let mut reports = Vec::new();
        let mut already = None;
        for business_id in self.info.business_ids.clone() {
            let at = self.switch_business(session, business_id)?;
            match self.close_day(&at) {
                Ok(z) => reports.push((business_id, z)),
                Err(error @ TillError::DayAlreadyClosed(_)) => already = Some(error),
                Err(error) => return Err(error),
            }
        }
        match already {
            Some(error) if reports.is_empty() => Err(error),
            _ => Ok(reports),
        }
    }

    /// Closes today at the business of `session`.
    pub fn close_day(&mut self, session: &Session) -> Result<ZReport> {
        let mut work = self.work(session, ShiftNeed::IfOpen)?;
        if work.shift_id.is_some() {
            return Err(TillError::ShiftStillOpen);
        }
        let day = work.day_text();
        let closed = counter::day_closed_at(&work.tx, work.business.id, &day)?;
        if closed.is_some() {
            return Err(TillError::DayAlreadyClosed(day));
        }
        let summary = sales_summary(&work.tx, work.business.id, work.business_day)?;
        let (recorded_count, acknowledged) = counter::day_event_counts(&work.tx, work.business.id, &day)?;
        let count = |n: i64| u64::try_from(n).map_err(|_| TillError::Invariant("negative count".into()));
        let report = DayClosed {
            business_day: work.business_day,
            sales_total: summary.gross_sales,
            refunds_total: summary.refunds,
            cash_total: summary.cash,
            mpesa_total: summary.mpesa,
            credit_total: summary.credit,
            received_cash_total: summary.received_cash,
            received_mpesa_total: summary.received_mpesa,
            events_recorded: count(recorded_count)?,
            events_acknowledged: count(acknowledged)?,
        };
        let recorded = work.record(&Document::DayClosed(report.clone()))?;
        documents::day_closed(&work, &report)?;
        work.commit()?;
        Ok(ZReport { report, recorded })
    }
}
