//! The drawer: petty-cash expenses, cash movements, shifts with their float and count, and the
//! day close (DESIGN §5, §6).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::check_text;
use crate::catalog::Lookup;
use crate::chart::{AccountCode, AccountKind, Business, shared};
use crate::error::DocumentError;
use crate::ids::{DocumentId, ShiftId};
use crate::journal::EntryBuilder;
use crate::money::{Money, VatRate};

/// Where an expense or a supplier is paid from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PaidFrom {
    Cash,
    Mpesa,
    /// The group's main bank account (1170): head office's expenses and supplier payments.
    Bank,
}

impl PaidFrom {
    pub fn account(self, business: &Business) -> AccountCode {
        match self {
            PaidFrom::Cash => business.accounts.cash,
            PaidFrom::Mpesa => business.accounts.mpesa,
            PaidFrom::Bank => shared::BANK_MAIN,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PaidFrom::Cash => "cash",
            PaidFrom::Mpesa => "mpesa",
            PaidFrom::Bank => "bank",
        }
    }
}

/// Money spent: from the drawer, by M-Pesa, or (at head office) from the bank. `amount` is what
/// was paid, VAT included; a supplier's receipt with VAT (`vat_rate`, none before input VAT was
/// recorded on expenses) puts the VAT in it on 2200 as input VAT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expense {
    pub expense_id: DocumentId,
    pub account: AccountCode,
    pub amount: Money,
    pub description: String,
    pub paid_from: PaidFrom,
    #[serde(default)]
    pub vat_rate: VatRate,
}

impl Expense {
    pub fn validate(&self, business: &Business, lookup: &dyn Lookup) -> Result<(), DocumentError> {
        check_text("description", &self.description, 200)?;
        if self.description.trim().is_empty() {
            return Err(DocumentError::Empty("description"));
        }
        let account = lookup.account(self.account).ok_or(DocumentError::UnknownAccount(self.account))?;
        if account.kind != AccountKind::Expense {
            return Err(DocumentError::NotAnExpenseAccount(self.account));
        }
        if !account.usable_by(&business.code) {
            return Err(DocumentError::OtherBusiness { what: format!("account {}", self.account) });
        }
        if !self.amount.is_positive() {
            return Err(DocumentError::ZeroTotal);
        }
        Ok(())
    }

    /// The expense net of VAT, and the input VAT inside what was paid.
    pub fn split_vat(&self) -> (Money, Money) {
        self.amount.split_vat(self.vat_rate)
    }

    /// Dr the expense net, Dr 2200 the input VAT / Cr where it was paid from.
    pub fn post(&self, business: &Business, builder: &mut EntryBuilder) {
        let (net, vat) = self.split_vat();
        builder.debit(self.account, net).debit(shared::VAT_PAYABLE, vat);
        builder.credit(self.paid_from.account(business), self.amount);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CashMovementKind {
    /// Cash brought to the drawer from the bank: Dr cash / Cr 1170.
    FloatFromBank,
    /// Cash the owner puts in: Dr cash / Cr 3100.
    FloatFromOwner,
    /// Takings banked: Dr 1170 / Cr cash.
    BankDeposit,
    /// The owner takes cash out: Dr 3200 / Cr cash.
    OwnerDrawing,
    /// The business's M-Pesa swept to the bank: Dr 1170 / Cr M-Pesa.
    MpesaToBank,
}

impl CashMovementKind {
    /// Every kind, in the order the counter screen offers them.
    pub const ALL: [CashMovementKind; 5] = [
        CashMovementKind::FloatFromBank,
        CashMovementKind::FloatFromOwner,
        CashMovementKind::BankDeposit,
        CashMovementKind::OwnerDrawing,
        CashMovementKind::MpesaToBank,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CashMovementKind::FloatFromBank => "float_from_bank",
            CashMovementKind::FloatFromOwner => "float_from_owner",
            CashMovementKind::BankDeposit => "bank_deposit",
            CashMovementKind::OwnerDrawing => "owner_drawing",
            CashMovementKind::MpesaToBank => "mpesa_to_bank",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashMovement {
    pub movement_id: DocumentId,
    pub kind: CashMovementKind,
    pub amount: Money,
    #[serde(default)]
    pub note: String,
}

impl CashMovement {
    pub fn validate(&self) -> Result<(), DocumentError> {
        check_text("note", &self.note, 200)?;
        if !self.amount.is_positive() {
            return Err(DocumentError::ZeroTotal);
        }
        Ok(())
    }

    pub fn post(&self, business: &Business, builder: &mut EntryBuilder) {
        let cash = business.accounts.cash;
        let (debit, credit) = match self.kind {
            CashMovementKind::FloatFromBank => (cash, shared::BANK_MAIN),
            CashMovementKind::FloatFromOwner => (cash, shared::OWNER_CAPITAL),
            CashMovementKind::BankDeposit => (shared::BANK_MAIN, cash),
            CashMovementKind::OwnerDrawing => (shared::OWNER_DRAWINGS, cash),
            CashMovementKind::MpesaToBank => (shared::BANK_MAIN, business.accounts.mpesa),
        };
        builder.debit(debit, self.amount).credit(credit, self.amount);
    }
}

/// A cashier opens a shift with the float already in the drawer (DESIGN §6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftOpened {
    pub shift_id: ShiftId,
    pub float: Money,
}

impl ShiftOpened {
    pub fn validate(&self) -> Result<(), DocumentError> {
        if self.float.is_negative() {
            return Err(DocumentError::NegativeAmount { line: 0, what: "the float" });
        }
        Ok(())
    }
}

/// How many of one note or coin were counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DenominationCount {
    pub denomination: Money,
    pub count: u32,
}

/// The cash count at the end of a shift: the difference from what the drawer should hold goes
/// to 4900 (over) or 6900 (short).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftClosed {
    pub shift_id: ShiftId,
    pub expected_cash: Money,
    pub counted_cash: Money,
    pub difference: Money,
    #[serde(default)]
    pub counts: Vec<DenominationCount>,
}

impl ShiftClosed {
    /// Kenyan notes and coins, the rows of the count sheet.
    pub const DENOMINATIONS_KES: [i64; 10] = [100_000, 50_000, 20_000, 10_000, 5_000, 2_000, 1_000, 500, 100, 50];

    pub fn counted_from(counts: &[DenominationCount]) -> Result<Money, DocumentError> {
        let mut total = Money::ZERO;
        for count in counts {
            // The count is a pushed number: past what a quantity holds it is refused, not a panic.
            let subtotal = count.denomination.times(crate::money::Quantity::try_whole(i64::from(count.count))?)?;
            total = total.checked_add(subtotal)?;
        }
        Ok(total)
    }

    pub fn validate(&self) -> Result<(), DocumentError> {
        if self.counted_cash.is_negative() {
            return Err(DocumentError::NegativeAmount { line: 0, what: "the counted cash" });
        }
        if self.counts.len() > 20 {
            return Err(DocumentError::TooManyLines { max: 20 });
        }
        if !self.counts.is_empty() {
            let counted = ShiftClosed::counted_from(&self.counts)?;
            if counted != self.counted_cash {
                return Err(DocumentError::CountMismatch { counted, stated: self.counted_cash });
            }
        }
        let expected = self.counted_cash.checked_sub(self.expected_cash)?;
        if expected != self.difference {
            return Err(DocumentError::TotalMismatch { expected, actual: self.difference });
        }
        Ok(())
    }

    /// Over: Dr cash / Cr 4900. Short: Dr 6900 / Cr cash. Exact: no entry.
    pub fn post(&self, business: &Business, builder: &mut EntryBuilder) -> bool {
        let cash = business.accounts.cash;
        if self.difference.is_positive() {
            builder.debit(cash, self.difference).credit(shared::OTHER_INCOME, self.difference);
        } else if self.difference.is_negative() {
            builder.debit(shared::CASH_SHORT, -self.difference).credit(cash, -self.difference);
        }
        !self.difference.is_zero()
    }
}

/// The Z report of a business day at one till, with its sync receipt: how many of the day's
/// events the server had acknowledged when the day was closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DayClosed {
    pub business_day: NaiveDate,
    pub sales_total: Money,
    pub refunds_total: Money,
    pub cash_total: Money,
    pub mpesa_total: Money,
    pub credit_total: Money,
    /// Money received that day on customers' accounts and laundry jobs (not sales), by cash
    /// and M-Pesa: a laundry's takings are all here. Absent from reports of older tills.
    #[serde(default)]
    pub received_cash_total: Money,
    #[serde(default)]
    pub received_mpesa_total: Money,
    pub events_recorded: u64,
    pub events_acknowledged: u64,
}
