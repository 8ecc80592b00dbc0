//! Journal entries: the one shape every document becomes (DESIGN §5, §8).
//!
//! A `JournalEntry` cannot exist unbalanced: `JournalEntry::new` is the only way to make one and
//! it refuses an empty entry, a line that is not positive, and debits ≠ credits. This is the
//! first of the three places double entry is enforced (then the server's merge, then Postgres).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::chart::AccountCode;
use crate::ids::EntryId;
use crate::money::{AmountError, Money};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Debit,
    Credit,
}

impl Side {
    pub fn opposite(self) -> Side {
        match self {
            Side::Debit => Side::Credit,
            Side::Credit => Side::Debit,
        }
    }
}

/// One line: a positive amount on one side of one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct JournalLine {
    pub account: AccountCode,
    pub side: Side,
    pub amount: Money,
}

impl JournalLine {
    pub fn debit(&self) -> Money {
        if self.side == Side::Debit { self.amount } else { Money::ZERO }
    }

    pub fn credit(&self) -> Money {
        if self.side == Side::Credit { self.amount } else { Money::ZERO }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JournalError {
    #[error("a journal entry needs at least two lines")]
    TooFewLines,
    #[error("line {line} on account {account} has a non-positive amount {amount}")]
    NotPositive { line: usize, account: AccountCode, amount: Money },
    #[error("line {line} has both a debit and a credit")]
    TwoSided { line: usize },
    #[error("debits {debits} do not equal credits {credits}")]
    Unbalanced { debits: Money, credits: Money },
    #[error("line {line}: {message}")]
    Malformed { line: usize, message: String },
    #[error("an entry may have at most {max} lines")]
    TooManyLines { max: usize },
    #[error("the entry's amounts add up past what the ledger can hold: {0}")]
    OutOfRange(AmountError),
}

impl JournalError {
    /// A stable code for the server's quarantine reasons and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            JournalError::TooFewLines | JournalError::Unbalanced { .. } => "unbalanced",
            JournalError::NotPositive { .. } => "amount_not_positive",
            JournalError::TwoSided { .. } => "two_sided_line",
            JournalError::Malformed { .. } => "malformed_journal",
            JournalError::TooManyLines { .. } => "too_many_lines",
            JournalError::OutOfRange(_) => "amount_out_of_range",
        }
    }
}

/// A balanced journal entry. Fields are private so the invariant cannot be broken after `new`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    entry_id: EntryId,
    lines: Vec<JournalLine>,
    /// The debits (= the credits), summed once by `new`, which proved them in range.
    total: Money,
}

impl JournalEntry {
    /// No document posts anywhere near this many lines; a limit keeps a hostile batch bounded.
    pub const LINES_MAX: usize = 1000;

    pub fn new(entry_id: EntryId, lines: Vec<JournalLine>) -> Result<JournalEntry, JournalError> {
        if lines.len() < 2 {
            return Err(JournalError::TooFewLines);
        }
        if lines.len() > Self::LINES_MAX {
            return Err(JournalError::TooManyLines { max: Self::LINES_MAX });
        }
        for (index, line) in lines.iter().enumerate() {
            if !line.amount.is_positive() {
                return Err(JournalError::NotPositive { line: index, account: line.account, amount: line.amount });
            }
        }
        let debits = Money::sum(lines.iter().map(JournalLine::debit)).map_err(JournalError::OutOfRange)?;
        let credits = Money::sum(lines.iter().map(JournalLine::credit)).map_err(JournalError::OutOfRange)?;
        if debits != credits {
            return Err(JournalError::Unbalanced { debits, credits });
        }
        Ok(JournalEntry { entry_id, lines, total: debits })
    }

    pub fn entry_id(&self) -> EntryId {
        self.entry_id
    }

    pub fn lines(&self) -> &[JournalLine] {
        &self.lines
    }

    /// Sum of the debits (= sum of the credits).
    pub fn total(&self) -> Money {
        self.total
    }

    /// The mirror image of this entry: every line on the other side. A void (DESIGN §5).
    pub fn reversal(&self, entry_id: EntryId) -> JournalEntry {
        let lines = self.lines.iter().map(|line| JournalLine { side: line.side.opposite(), ..*line }).collect();
        JournalEntry::new(entry_id, lines).expect("the mirror of a balanced entry balances")
    }

    /// Net debit (positive) or credit (negative) per account.
    pub fn net_by_account(&self) -> BTreeMap<AccountCode, Money> {
        let mut net = BTreeMap::new();
        for line in &self.lines {
            let signed = match line.side {
                Side::Debit => line.amount,
                Side::Credit => -line.amount,
            };
            let account = net.entry(line.account).or_insert(Money::ZERO);
            // Each side's sum is bounded by the entry's total, which `new` proved in range.
            *account = account.checked_add(signed).expect("bounded by the entry's total");
        }
        net
    }

    pub fn to_wire(&self) -> JournalPayload {
        JournalPayload {
            entry_id: self.entry_id,
            lines: self
                .lines
                .iter()
                .map(|line| WireLine { account: line.account, debit: line.debit(), credit: line.credit() })
                .collect(),
        }
    }

    /// The opening entry of books brought from elsewhere: each account's net balance (debit
    /// positive) as one line on its side, in account order, and what they leave over on
    /// opening-balance equity (3900), last. Answers the entry and the amount credited to 3900
    /// (negative: debited).
    pub fn opening(
        net: &BTreeMap<AccountCode, Money>,
        entry_id: EntryId,
    ) -> Result<(JournalEntry, Money), JournalError> {
        let mut lines = Vec::with_capacity(net.len() + 1);
        let mut left = Money::ZERO;
        for (account, amount) in net.iter().filter(|(_, amount)| !amount.is_zero()) {
            let side = if amount.is_positive() { Side::Debit } else { Side::Credit };
            lines.push(JournalLine { account: *account, side, amount: amount.abs() });
            left = left.checked_add(*amount).map_err(JournalError::OutOfRange)?;
        }
        if !left.is_zero() {
            let side = if left.is_positive() { Side::Credit } else { Side::Debit };
            lines.push(JournalLine { account: crate::chart::shared::OPENING_BALANCE_EQUITY, side, amount: left.abs() });
        }
        Ok((JournalEntry::new(entry_id, lines)?, left))
    }

    /// Rebuilds an entry from the wire, refusing anything `new` would refuse and any line that
    /// carries both a debit and a credit.
    pub fn from_wire(payload: &JournalPayload) -> Result<JournalEntry, JournalError> {
        let mut lines = Vec::with_capacity(payload.lines.len());
        for (index, line) in payload.lines.iter().enumerate() {
            let side_amount = match (line.debit.is_zero(), line.credit.is_zero()) {
                (false, true) => (Side::Debit, line.debit),
                (true, false) => (Side::Credit, line.credit),
                (true, true) => {
                    return Err(JournalError::NotPositive { line: index, account: line.account, amount: Money::ZERO });
                }
                (false, false) => return Err(JournalError::TwoSided { line: index }),
            };
            lines.push(JournalLine { account: line.account, side: side_amount.0, amount: side_amount.1 });
        }
        JournalEntry::new(payload.entry_id, lines)
    }
}

/// The journal part of a sync event (DESIGN §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct JournalPayload {
    pub entry_id: EntryId,
    pub lines: Vec<WireLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WireLine {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1110"))]
    pub account: AccountCode,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "150.00"))]
    pub debit: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "0.00"))]
    pub credit: Money,
}

/// Collects debits and credits while a document is posted, folding lines on the same account
/// and side together and dropping zero amounts (a 0%-VAT line posts no VAT).
#[derive(Debug, Default)]
pub struct EntryBuilder {
    totals: Vec<(AccountCode, Side, Money)>,
    /// The first thing that went wrong while adding (a negative amount, a total out of range):
    /// `build` answers with it, so a posting rule never has to stop at each line to ask.
    fault: Option<JournalError>,
}

impl EntryBuilder {
    pub fn new() -> EntryBuilder {
        EntryBuilder::default()
    }

    pub fn debit(&mut self, account: AccountCode, amount: Money) -> &mut Self {
        self.add(account, Side::Debit, amount)
    }

    pub fn credit(&mut self, account: AccountCode, amount: Money) -> &mut Self {
        self.add(account, Side::Credit, amount)
    }

    /// A signed amount: positive goes to `side`, negative to the other side.
    pub fn signed(&mut self, account: AccountCode, side: Side, amount: Money) -> &mut Self {
        if amount.is_negative() { self.add(account, side.opposite(), -amount) } else { self.add(account, side, amount) }
    }

    fn add(&mut self, account: AccountCode, side: Side, amount: Money) -> &mut Self {
        if amount.is_negative() {
            let line = self.totals.len();
            self.fault.get_or_insert(JournalError::NotPositive { line, account, amount });
            return self;
        }
        if amount.is_zero() {
            return self;
        }
        match self.totals.iter_mut().find(|(a, s, _)| *a == account && *s == side) {
            Some((_, _, total)) => match total.checked_add(amount) {
                Ok(sum) => *total = sum,
                Err(error) => {
                    self.fault.get_or_insert(JournalError::OutOfRange(error));
                }
            },
            None => self.totals.push((account, side, amount)),
        }
        self
    }

    pub fn build(&self, entry_id: EntryId) -> Result<JournalEntry, JournalError> {
        if let Some(fault) = &self.fault {
            return Err(fault.clone());
        }
        let lines = self.totals.iter().map(|&(account, side, amount)| JournalLine { account, side, amount }).collect();
        JournalEntry::new(entry_id, lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(account: u16, side: Side, amount: &str) -> JournalLine {
        JournalLine { account: AccountCode::new(account), side, amount: amount.parse().unwrap() }
    }

    #[test]
    fn an_unbalanced_entry_cannot_be_built() {
        let lines = vec![line(1110, Side::Debit, "150.00"), line(4100, Side::Credit, "149.99")];
        assert!(matches!(JournalEntry::new(EntryId::new(), lines), Err(JournalError::Unbalanced { .. })));
    }

    #[test]
    fn zero_or_negative_lines_are_refused() {
        let lines = vec![line(1110, Side::Debit, "0.00"), line(4100, Side::Credit, "0.00")];
        assert!(matches!(JournalEntry::new(EntryId::new(), lines), Err(JournalError::NotPositive { .. })));
        let lines = vec![line(1110, Side::Debit, "-1.00"), line(4100, Side::Credit, "-1.00")];
        assert!(JournalEntry::new(EntryId::new(), lines).is_err());
        assert_eq!(JournalEntry::new(EntryId::new(), vec![]), Err(JournalError::TooFewLines));
    }

    #[test]
    fn the_wire_form_round_trips_and_refuses_two_sided_lines() {
        let entry = JournalEntry::new(
            EntryId::new(),
            vec![
                line(1110, Side::Debit, "150.00"),
                line(4100, Side::Credit, "129.31"),
                line(2200, Side::Credit, "20.69"),
            ],
        )
        .unwrap();
        let wire = entry.to_wire();
        assert_eq!(JournalEntry::from_wire(&wire).unwrap(), entry);
        let mut two_sided = wire.clone();
        two_sided.lines[0].credit = "1.00".parse().unwrap();
        assert_eq!(JournalEntry::from_wire(&two_sided), Err(JournalError::TwoSided { line: 0 }));
    }

    #[test]
    fn the_reversal_mirrors_every_line() {
        let entry = JournalEntry::new(
            EntryId::new(),
            vec![line(1110, Side::Debit, "10.00"), line(4100, Side::Credit, "10.00")],
        )
        .unwrap();
        let reversal = entry.reversal(EntryId::new());
        assert_eq!(reversal.lines()[0], line(1110, Side::Credit, "10.00"));
        assert_eq!(reversal.lines()[1], line(4100, Side::Debit, "10.00"));
    }

    #[test]
    fn the_builder_folds_lines_and_drops_zero() {
        let mut builder = EntryBuilder::new();
        builder
            .debit(AccountCode::new(1110), "5.00".parse().unwrap())
            .debit(AccountCode::new(1110), "5.00".parse().unwrap())
            .credit(AccountCode::new(2200), Money::ZERO)
            .credit(AccountCode::new(4100), "10.00".parse().unwrap());
        let entry = builder.build(EntryId::new()).unwrap();
        assert_eq!(entry.lines().len(), 2);
        assert_eq!(entry.total(), "10.00".parse().unwrap());
    }

    #[test]
    fn amounts_past_the_ledger_range_are_refused_not_panicked_on() {
        // Two debits of 999,999,999,999.99 against one credit: each line is valid, the sum is not.
        let max = Money::from_cents(Money::MAX_CENTS);
        let lines = vec![
            JournalLine { account: AccountCode::new(1110), side: Side::Debit, amount: max },
            JournalLine { account: AccountCode::new(1120), side: Side::Debit, amount: max },
            JournalLine { account: AccountCode::new(4100), side: Side::Credit, amount: max },
        ];
        let refused = JournalEntry::new(EntryId::new(), lines).unwrap_err();
        assert_eq!(refused.code(), "amount_out_of_range");
        let mut builder = EntryBuilder::new();
        builder
            .debit(AccountCode::new(1110), max)
            .debit(AccountCode::new(1110), max)
            .credit(AccountCode::new(4100), max);
        assert_eq!(builder.build(EntryId::new()).unwrap_err().code(), "amount_out_of_range");
    }
}
