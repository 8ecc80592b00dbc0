//! The chart of accounts (DESIGN §4): shared accounts plus business-specific ones. Adding a
//! business is data — a `Business` with its account roles — not code.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ids::BusinessId;

/// A four-digit account code such as `1110`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct AccountCode(u16);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a four-digit account code")]
pub struct AccountCodeError(pub String);

impl AccountCode {
    pub const fn new(code: u16) -> AccountCode {
        assert!(code >= 1000 && code <= 9999, "account codes have four digits");
        AccountCode(code)
    }

    pub fn number(self) -> u16 {
        self.0
    }

    /// The first digit fixes the kind, as in every chart built on this numbering.
    pub fn kind(self) -> AccountKind {
        match self.0 / 1000 {
            1 => AccountKind::Asset,
            2 => AccountKind::Liability,
            3 => AccountKind::Equity,
            4 => AccountKind::Revenue,
            _ => AccountKind::Expense,
        }
    }
}

impl TryFrom<i64> for AccountCode {
    type Error = AccountCodeError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        u16::try_from(value)
            .ok()
            .filter(|code| (1000..=9999).contains(code))
            .map(AccountCode)
            .ok_or_else(|| AccountCodeError(value.to_string()))
    }
}

impl FromStr for AccountCode {
    type Err = AccountCodeError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AccountCodeError(text.to_string()));
        }
        let number: i64 = text.parse().map_err(|_| AccountCodeError(text.to_string()))?;
        AccountCode::try_from(number)
    }
}

impl fmt::Display for AccountCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for AccountCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Account({})", self.0)
    }
}

impl Serialize for AccountCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AccountCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?.parse().map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Asset,
    Liability,
    Equity,
    Revenue,
    Expense,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Asset => "asset",
            AccountKind::Liability => "liability",
            AccountKind::Equity => "equity",
            AccountKind::Revenue => "revenue",
            AccountKind::Expense => "expense",
        }
    }
}

/// Shared accounts every business posts to; the per-business ones come from `BusinessAccounts`.
pub mod shared {
    use super::AccountCode;
    pub const BANK_MAIN: AccountCode = AccountCode::new(1170);
    pub const BANK_SAVINGS: AccountCode = AccountCode::new(1171);
    pub const PAYABLE_SUPPLIERS: AccountCode = AccountCode::new(2110);
    pub const PAYABLE_OTHER: AccountCode = AccountCode::new(2120);
    pub const VAT_PAYABLE: AccountCode = AccountCode::new(2200);
    pub const CUSTOMER_DEPOSITS: AccountCode = AccountCode::new(2300);
    pub const OWNER_CAPITAL: AccountCode = AccountCode::new(3100);
    pub const OWNER_DRAWINGS: AccountCode = AccountCode::new(3200);
    pub const OPENING_BALANCE_EQUITY: AccountCode = AccountCode::new(3900);
    pub const OTHER_INCOME: AccountCode = AccountCode::new(4900);
    pub const RENT: AccountCode = AccountCode::new(6100);
    pub const UTILITIES: AccountCode = AccountCode::new(6200);
    pub const SALARIES: AccountCode = AccountCode::new(6300);
    pub const TRANSPORT: AccountCode = AccountCode::new(6400);
    pub const MPESA_CHARGES: AccountCode = AccountCode::new(6500);
    pub const CASH_SHORT: AccountCode = AccountCode::new(6900);
}

/// The kinds of business Tillbook knows how to run. A fourth shop of an existing kind is data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BusinessKind {
    Water,
    Laundry,
    Retail,
}

impl BusinessKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BusinessKind::Water => "water",
            BusinessKind::Laundry => "laundry",
            BusinessKind::Retail => "retail",
        }
    }

    pub fn parse(text: &str) -> Option<BusinessKind> {
        match text {
            "water" => Some(BusinessKind::Water),
            "laundry" => Some(BusinessKind::Laundry),
            "retail" => Some(BusinessKind::Retail),
            _ => None,
        }
    }
}

/// The accounts a business's documents post to, by role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessAccounts {
    pub cash: AccountCode,
    pub mpesa: AccountCode,
    pub receivable: AccountCode,
    /// Laundry services revenue, for a business that takes laundry jobs.
    pub laundry_revenue: Option<AccountCode>,
    /// Present for a business that exchanges LPG cylinders.
    pub lpg: Option<LpgAccounts>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LpgAccounts {
    pub gas_revenue: AccountCode,
    pub cylinder_revenue: AccountCode,
    pub cylinder_deposits: AccountCode,
    pub gas_inventory: AccountCode,
    pub cylinder_inventory: AccountCode,
    pub cost_of_sales: AccountCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Business {
    pub id: BusinessId,
    /// Short code used by operators: `WATER`, `LAUNDRY`, `RETAIL`.
    pub code: String,
    pub name: String,
    pub kind: BusinessKind,
    pub accounts: BusinessAccounts,
    /// What a receipt shows and KRA knows the business by. Absent from a server older than
    /// the profile: empty.
    #[serde(default)]
    pub profile: BusinessProfile,
}

/// A business as its customers and KRA see it: on every receipt (DESIGN §5, "Receipts").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BusinessProfile {
    /// The KRA PIN: a letter, nine digits and a letter (`P051234567X`).
    #[serde(default)]
    pub kra_pin: String,
    /// Where the shop is, as a customer would find it.
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    /// The M-Pesa till (Buy Goods) or paybill number customers pay to.
    #[serde(default)]
    pub mpesa_number: String,
    /// Whether the business charges VAT (a receipt then shows the VAT by rate).
    #[serde(default)]
    pub vat_registered: bool,
}

/// One account of the chart. `business` is the code of the business that owns a
/// business-scoped account, `None` for a shared one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub code: AccountCode,
    pub name: String,
    pub kind: AccountKind,
    pub business: Option<String>,
    pub active: bool,
}

impl Account {
    /// DESIGN §8: an account may be used by its own business, or by any when shared.
    pub fn usable_by(&self, business_code: &str) -> bool {
        self.active && self.business.as_deref().is_none_or(|owner| owner == business_code)
    }
}

/// The standard chart of DESIGN §4 for the demo group (WATER, LAUNDRY, RETAIL).
pub fn standard_chart() -> Vec<Account> {
    let rows: &[(u16, &str, Option<&str>)] = &[
        (1110, "Cash — Water", Some("WATER")),
        (1120, "Cash — Laundry", Some("LAUNDRY")),
        (1130, "Cash — Retail", Some("RETAIL")),
        (1140, "M-Pesa — Water", Some("WATER")),
        (1141, "M-Pesa — Laundry", Some("LAUNDRY")),
        (1142, "M-Pesa — Retail", Some("RETAIL")),
        (1170, "Bank — Main", None),
        (1171, "Bank — Savings", None),
        (1210, "Inventory — Water", Some("WATER")),
        (1220, "Inventory — Retail", Some("RETAIL")),
        (1230, "Inventory — LPG gas", Some("RETAIL")),
        (1240, "Inventory — LPG cylinders", Some("RETAIL")),
        (1310, "Accounts receivable — Water", Some("WATER")),
        (1320, "Accounts receivable — Laundry", Some("LAUNDRY")),
        (1330, "Accounts receivable — Retail", Some("RETAIL")),
        (2110, "Accounts payable — Suppliers", None),
        (2120, "Accounts payable — Other", None),
        (2200, "VAT payable", None),
        (2300, "Customer deposits and unapplied payments", None),
        (2310, "LPG cylinder deposits", Some("RETAIL")),
        (3100, "Owner's capital", None),
        (3200, "Owner's drawings", None),
        (3900, "Opening balance equity", None),
        (4100, "Water sales", Some("WATER")),
        (4200, "Laundry services", Some("LAUNDRY")),
        (4300, "Retail sales", Some("RETAIL")),
        (4310, "LPG gas sales", Some("RETAIL")),
        (4320, "LPG cylinder sales", Some("RETAIL")),
        (4900, "Other income (cash over)", None),
        (5100, "Cost of sales — Water", Some("WATER")),
        (5300, "Cost of sales — Retail", Some("RETAIL")),
        (5310, "Cost of sales — LPG", Some("RETAIL")),
        (6100, "Rent", None),
        (6200, "Utilities", None),
        (6300, "Salaries", None),
        (6400, "Transport", None),
        (6500, "M-Pesa charges", None),
        (6900, "Cash short", None),
    ];
    rows.iter()
        .map(|&(code, name, business)| {
            let code = AccountCode::new(code);
            Account {
                code,
                name: name.to_string(),
                kind: code.kind(),
                business: business.map(str::to_string),
                active: true,
            }
        })
        .collect()
}

/// The account roles of the three demo businesses, matching `standard_chart`.
pub fn standard_accounts(kind: BusinessKind) -> BusinessAccounts {
    let code = AccountCode::new;
    match kind {
        BusinessKind::Water => BusinessAccounts {
            cash: code(1110),
            mpesa: code(1140),
            receivable: code(1310),
            laundry_revenue: None,
            lpg: None,
        },
        BusinessKind::Laundry => BusinessAccounts {
            cash: code(1120),
            mpesa: code(1141),
            receivable: code(1320),
            laundry_revenue: Some(code(4200)),
            lpg: None,
        },
        BusinessKind::Retail => BusinessAccounts {
            cash: code(1130),
            mpesa: code(1142),
            receivable: code(1330),
            laundry_revenue: None,
            lpg: Some(LpgAccounts {
                gas_revenue: code(4310),
                cylinder_revenue: code(4320),
                cylinder_deposits: code(2310),
                gas_inventory: code(1230),
                cylinder_inventory: code(1240),
                cost_of_sales: code(5310),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_strictly() {
        assert_eq!("1110".parse::<AccountCode>().unwrap(), AccountCode::new(1110));
        for bad in ["111", "11100", "0999", "abcd", " 111", "+111"] {
            assert!(bad.parse::<AccountCode>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn every_role_of_the_demo_businesses_is_in_the_chart_and_usable() {
        let chart = standard_chart();
        for (kind, code) in
            [(BusinessKind::Water, "WATER"), (BusinessKind::Laundry, "LAUNDRY"), (BusinessKind::Retail, "RETAIL")]
        {
            let accounts = standard_accounts(kind);
            let mut roles = vec![accounts.cash, accounts.mpesa, accounts.receivable];
            roles.extend(accounts.laundry_revenue);
            if let Some(lpg) = &accounts.lpg {
                roles.extend([
                    lpg.gas_revenue,
                    lpg.cylinder_revenue,
                    lpg.cylinder_deposits,
                    lpg.gas_inventory,
                    lpg.cylinder_inventory,
                    lpg.cost_of_sales,
                ]);
            }
            for role in roles {
                let account = chart.iter().find(|a| a.code == role).expect("in chart");
                assert!(account.usable_by(code), "{role} for {code}");
            }
        }
    }

    #[test]
    fn a_business_account_is_not_usable_by_another_business() {
        let chart = standard_chart();
        let water_cash = chart.iter().find(|a| a.code.number() == 1110).unwrap();
        assert!(!water_cash.usable_by("LAUNDRY"));
        let vat = chart.iter().find(|a| a.code == shared::VAT_PAYABLE).unwrap();
        assert!(vat.usable_by("LAUNDRY"));
    }
}
