//! The chart of accounts (DESIGN §4): shared accounts plus business-specific ones. Adding a
//! business is data — a `Business` with its account roles — not code.

use std::collections::BTreeSet;
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
    /// Where a new product of the business posts (its sales, and its stock when it keeps
    /// stock). Absent for a business created before the template had it: its products' usual
    /// accounts are taken instead.
    #[serde(default)]
    pub goods: Option<GoodsAccounts>,
}

/// The accounts a new product of a business takes (DESIGN §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoodsAccounts {
    pub revenue: AccountCode,
    /// For goods kept in stock; a business that sells only services has none.
    pub stock: Option<crate::catalog::StockAccounts>,
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

impl BusinessProfile {
    /// The profile with each field trimmed, or the first field that cannot be right: a KRA PIN
    /// is a letter (A for a person, P for a company), nine digits and a letter; an address is
    /// needed; a phone and an M-Pesa number, when given, are numbers.
    pub fn checked(&self) -> Result<BusinessProfile, (&'static str, String)> {
        let kra_pin = crate::catalog::checked_kra_pin(&self.kra_pin).map_err(|message| ("kra_pin", message))?;
        let address = self.address.trim();
        if address.is_empty() || address.chars().count() > 200 {
            return Err(("address", "an address of 1 to 200 characters".into()));
        }
        let phone = match self.phone.trim() {
            "" => String::new(),
            phone => crate::catalog::checked_phone(phone).map_err(|message| ("phone", message))?,
        };
        let mpesa_number = self.mpesa_number.trim();
        let mpesa_shaped = (5..=10).contains(&mpesa_number.len()) && mpesa_number.bytes().all(|b| b.is_ascii_digit());
        if !mpesa_number.is_empty() && !mpesa_shaped {
            return Err(("mpesa_number", "an M-Pesa till or paybill number is 5 to 10 digits".into()));
        }
        Ok(BusinessProfile {
            kra_pin,
            address: address.to_string(),
            phone,
            mpesa_number: mpesa_number.to_string(),
            vat_registered: self.vat_registered,
        })
    }
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

/// The accounts every business of the group shares (DESIGN §4): bank, payables, VAT, deposits,
/// equity, other income and the running costs. Created with the first business.
pub fn shared_chart() -> Vec<Account> {
    let rows: &[(u16, &str)] = &[
        (1170, "Bank — Main"),
        (1171, "Bank — Savings"),
        (2110, "Accounts payable — Suppliers"),
        (2120, "Accounts payable — Other"),
        (2200, "VAT payable"),
        (2300, "Customer deposits and unapplied payments"),
        (3100, "Owner's capital"),
        (3200, "Owner's drawings"),
        (3900, "Opening balance equity"),
        (4900, "Other income (cash over)"),
        (6100, "Rent"),
        (6200, "Utilities"),
        (6300, "Salaries"),
        (6400, "Transport"),
        (6500, "M-Pesa charges"),
        (6900, "Cash short"),
    ];
    rows.iter()
        .map(|&(code, name)| {
            let code = AccountCode::new(code);
            Account { code, name: name.to_string(), kind: code.kind(), business: None, active: true }
        })
        .collect()
}

/// The numbering has no free code left for one of a new business's accounts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the chart has no free account code from {from} to {to} for the {what} account")]
pub struct ChartFull {
    pub what: &'static str,
    pub from: u16,
    pub to: u16,
}

/// Hands out a new business's account codes: each role's usual code (the one the first
/// business of its kind gets, DESIGN §4) when it is free, else the lowest free code of the
/// role's range, so a second water shop's cash is 1100 or 1111 and never another shop's.
struct Numbering<'a> {
    taken: &'a BTreeSet<AccountCode>,
    business: &'a str,
    label: &'a str,
    accounts: Vec<Account>,
}

impl Numbering<'_> {
    fn take(&mut self, what: &'static str, usual: u16, from: u16, to: u16) -> Result<AccountCode, ChartFull> {
        let free = |code: &u16| {
            let code = AccountCode::new(*code);
            !self.taken.contains(&code) && !self.accounts.iter().any(|account| account.code == code)
        };
        let number = std::iter::once(usual).chain(from..=to).find(free).ok_or(ChartFull { what, from, to })?;
        let code = AccountCode::new(number);
        self.accounts.push(Account {
            code,
            name: format!("{what} — {}", self.label),
            kind: code.kind(),
            business: Some(self.business.to_string()),
            active: true,
        });
        Ok(code)
    }
}

/// The accounts of a new business from the chart template (DESIGN §4): what each role posts to,
/// and the accounts to create, named after `label` (the business's name) and owned by
/// `business` (its code). `taken` is every code the chart already has.
pub fn business_chart(
    kind: BusinessKind,
    business: &str,
    label: &str,
    taken: &BTreeSet<AccountCode>,
) -> Result<(BusinessAccounts, Vec<Account>), ChartFull> {
    let mut numbering = Numbering { taken, business, label, accounts: Vec::new() };
    let n = &mut numbering;
    // The usual codes: cash 1110/1120/1130, M-Pesa 1140/1141/1142, receivable 1310/1320/1330.
    let (cash, mpesa, receivable) = match kind {
        BusinessKind::Water => (1110, 1140, 1310),
        BusinessKind::Laundry => (1120, 1141, 1320),
        BusinessKind::Retail => (1130, 1142, 1330),
    };
    let cash = n.take("Cash", cash, 1100, 1139)?;
    let mpesa = n.take("M-Pesa", mpesa, 1140, 1169)?;
    let receivable = n.take("Accounts receivable", receivable, 1300, 1399)?;
    let (goods, laundry_revenue) = match kind {
        BusinessKind::Water => {
            let revenue = n.take("Sales", 4100, 4100, 4199)?;
            let inventory = n.take("Inventory", 1210, 1200, 1299)?;
            let cost_of_sales = n.take("Cost of sales", 5100, 5000, 5999)?;
            (GoodsAccounts { revenue, stock: Some(crate::catalog::StockAccounts { inventory, cost_of_sales }) }, None)
        }
        BusinessKind::Laundry => {
            let revenue = n.take("Laundry services", 4200, 4200, 4299)?;
            (GoodsAccounts { revenue, stock: None }, Some(revenue))
        }
        BusinessKind::Retail => {
            let revenue = n.take("Sales", 4300, 4300, 4399)?;
            let inventory = n.take("Inventory", 1220, 1200, 1299)?;
            let cost_of_sales = n.take("Cost of sales", 5300, 5000, 5999)?;
            (GoodsAccounts { revenue, stock: Some(crate::catalog::StockAccounts { inventory, cost_of_sales }) }, None)
        }
    };
    let lpg = match kind {
        BusinessKind::Retail => Some(LpgAccounts {
            gas_inventory: n.take("Inventory, LPG gas", 1230, 1200, 1299)?,
            cylinder_inventory: n.take("Inventory, LPG cylinders", 1240, 1200, 1299)?,
            cylinder_deposits: n.take("LPG cylinder deposits", 2310, 2310, 2399)?,
            gas_revenue: n.take("LPG gas sales", 4310, 4300, 4399)?,
            cylinder_revenue: n.take("LPG cylinder sales", 4320, 4300, 4399)?,
            cost_of_sales: n.take("Cost of sales, LPG", 5310, 5000, 5999)?,
        }),
        BusinessKind::Water | BusinessKind::Laundry => None,
    };
    let accounts = BusinessAccounts { cash, mpesa, receivable, laundry_revenue, lpg, goods: Some(goods) };
    Ok((accounts, numbering.accounts))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The account roles of the first business of each kind on a chart of shared accounts alone.
    fn standard_accounts(kind: BusinessKind) -> BusinessAccounts {
        let taken = shared_chart().into_iter().map(|account| account.code).collect();
        business_chart(kind, "", "", &taken).expect("an empty chart has room").0
    }

    #[test]
    fn codes_parse_strictly() {
        assert_eq!("1110".parse::<AccountCode>().unwrap(), AccountCode::new(1110));
        for bad in ["111", "11100", "0999", "abcd", " 111", "+111"] {
            assert!(bad.parse::<AccountCode>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_template_gives_the_first_business_of_each_kind_the_usual_codes_and_a_second_free_ones() {
        let mut chart = shared_chart();
        let mut first = Vec::new();
        for (kind, code) in
            [(BusinessKind::Water, "WATER"), (BusinessKind::Laundry, "LAUNDRY"), (BusinessKind::Retail, "RETAIL")]
        {
            let taken = chart.iter().map(|a| a.code).collect();
            let (accounts, new) = business_chart(kind, code, code, &taken).unwrap();
            assert_eq!(accounts, standard_accounts(kind));
            chart.extend(new);
            first.push(accounts);
        }
        assert_eq!(first[0].cash, AccountCode::new(1110));
        assert_eq!(first[2].lpg.as_ref().unwrap().cylinder_deposits, AccountCode::new(2310));
        // A second retail shop with LPG: every account its own, none of the first's.
        let taken: BTreeSet<AccountCode> = chart.iter().map(|a| a.code).collect();
        let (second, new) = business_chart(BusinessKind::Retail, "DUKA2", "Duka Two", &taken).unwrap();
        assert_eq!(second.cash, AccountCode::new(1100));
        assert_eq!(new.len(), 12);
        for account in &new {
            assert!(!taken.contains(&account.code), "{account:?}");
            assert!(account.usable_by("DUKA2") && !account.usable_by("RETAIL"));
            assert!(account.name.ends_with("Duka Two"));
        }
        let lpg = second.lpg.unwrap();
        assert_eq!(lpg.cylinder_deposits.kind(), AccountKind::Liability);
        assert_eq!(lpg.gas_revenue.kind(), AccountKind::Revenue);
        assert_eq!(second.goods.unwrap().stock.unwrap().cost_of_sales.kind(), AccountKind::Expense);
    }

    #[test]
    fn a_full_range_is_a_clear_error_not_another_shops_account() {
        let taken: BTreeSet<AccountCode> = (1100..=1139).map(AccountCode::new).collect();
        let error = business_chart(BusinessKind::Water, "W9", "Nine", &taken).unwrap_err();
        assert_eq!(error, ChartFull { what: "Cash", from: 1100, to: 1139 });
    }

    #[test]
    fn a_business_account_is_not_usable_by_another_business() {
        let mut chart = shared_chart();
        chart.extend(business_chart(BusinessKind::Water, "WATER", "Water", &BTreeSet::new()).unwrap().1);
        let water_cash = chart.iter().find(|a| a.code.number() == 1110).unwrap();
        assert!(water_cash.usable_by("WATER"));
        assert!(!water_cash.usable_by("LAUNDRY"));
        let vat = chart.iter().find(|a| a.code == shared::VAT_PAYABLE).unwrap();
        assert!(vat.usable_by("LAUNDRY"));
    }
}
