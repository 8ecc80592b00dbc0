//! Master data that documents refer to: products, laundry services, cylinder types, customers,
//! staff. Owned by head office and pulled by the tills (DESIGN §7 "Pull"); server-wins,
//! deactivated rather than deleted.

use serde::{Deserialize, Serialize};

use crate::chart::{Account, AccountCode};
use crate::ids::{
    BusinessId, CustomerId, CylinderTypeId, DocumentId, LaundryServiceId, ProductId, StaffId, SupplierId,
};
use crate::journal::JournalEntry;
use crate::money::{Money, Quantity, VatRate};

/// Where a stocked product's value sits and where it goes when sold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StockAccounts {
    pub inventory: AccountCode,
    pub cost_of_sales: AccountCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Product {
    pub id: ProductId,
    pub business_id: BusinessId,
    pub name: String,
    /// What a barcode scanner types, if the item has one.
    pub barcode: Option<String>,
    /// How it is counted at the counter: `bottle`, `litre`, `piece`, `kg`.
    pub unit: String,
    /// VAT-inclusive selling price per unit.
    pub price: Money,
    pub vat_rate: VatRate,
    pub revenue_account: AccountCode,
    /// `Some` for stocked items: sold quantity leaves stock at `unit_cost` (DESIGN §5).
    pub stock: Option<StockAccounts>,
    pub unit_cost: Money,
    pub active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LaundryPricing {
    PerKg,
    PerPiece,
}

impl LaundryPricing {
    pub fn as_str(self) -> &'static str {
        match self {
            LaundryPricing::PerKg => "per_kg",
            LaundryPricing::PerPiece => "per_piece",
        }
    }

    pub fn parse(text: &str) -> Option<LaundryPricing> {
        match text {
            "per_kg" => Some(LaundryPricing::PerKg),
            "per_piece" => Some(LaundryPricing::PerPiece),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LaundryService {
    pub id: LaundryServiceId,
    pub business_id: BusinessId,
    pub name: String,
    pub pricing: LaundryPricing,
    /// VAT-inclusive price per kg or per piece.
    pub price: Money,
    pub vat_rate: VatRate,
    pub active: bool,
}

/// A kind of LPG cylinder — size and brand — with its prices and costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CylinderType {
    pub id: CylinderTypeId,
    pub business_id: BusinessId,
    pub size_kg: Quantity,
    pub brand: String,
    /// VAT-inclusive price of a refill of gas.
    pub gas_price: Money,
    /// What a refill costs the shop.
    pub gas_cost: Money,
    /// VAT-inclusive price of an empty cylinder sold outright.
    pub cylinder_price: Money,
    pub cylinder_cost: Money,
    /// Refundable deposit for a cylinder lent to a customer (no VAT: it is a liability).
    pub deposit: Money,
    pub vat_rate: VatRate,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    pub name: String,
    pub phone: Option<String>,
    /// How much the customer may owe across credit sales; zero means cash only.
    pub credit_limit: Money,
    pub active: bool,
}

/// Someone the group buys from. Goods taken on account are owed to them (2110) until paid,
/// and fall due `terms_days` after their invoice (DESIGN §5, "Supplier invoice").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Supplier {
    pub id: SupplierId,
    pub name: String,
    /// Their KRA PIN, as their invoices show it (input VAT is claimed against it); empty when
    /// not known.
    #[serde(default)]
    pub kra_pin: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// Days of credit they give: an invoice is due this long after it is dated.
    pub terms_days: u16,
    pub active: bool,
}

/// A KRA PIN as typed, upper-cased and trimmed: A (a person) or P (a company), nine digits and
/// a letter, like `P051234567W`.
pub fn checked_kra_pin(pin: &str) -> Result<String, String> {
    let pin = pin.trim().to_uppercase();
    let bytes = pin.as_bytes();
    let shaped = bytes.len() == 11
        && matches!(bytes[0], b'A' | b'P')
        && bytes[1..10].iter().all(u8::is_ascii_digit)
        && bytes[10].is_ascii_uppercase();
    if shaped { Ok(pin) } else { Err("a KRA PIN is A or P, nine digits and a letter (P051234567W)".into()) }
}

/// A phone number as typed (`0712 345 678`, `+254 712 345 678`), trimmed: 9 to 15 digits,
/// with spaces, dashes and a leading `+` allowed between them.
pub fn checked_phone(phone: &str) -> Result<String, String> {
    let phone = phone.trim();
    let digits = phone.bytes().filter(u8::is_ascii_digit).count();
    let shaped =
        phone.bytes().enumerate().all(|(at, b)| b.is_ascii_digit() || b == b' ' || b == b'-' || (b == b'+' && at == 0));
    if !shaped || !(9..=15).contains(&digits) {
        return Err("a phone number of 9 to 15 digits (0712 345 678)".into());
    }
    Ok(phone.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Cashier,
    Supervisor,
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Cashier => "cashier",
            Role::Supervisor => "supervisor",
            Role::Owner => "owner",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "cashier" => Some(Role::Cashier),
            "supervisor" => Some(Role::Supervisor),
            "owner" => Some(Role::Owner),
            _ => None,
        }
    }

    /// The fewest digits this role's PIN may have. A supervisor's or owner's PIN approves
    /// voids and refunds, and a 4-digit PIN's hash is cheap to guess offline.
    pub fn shortest_pin(self) -> usize {
        match self {
            Role::Cashier => 4,
            Role::Supervisor | Role::Owner => 6,
        }
    }

    /// Whether `pin` is a PIN this role may have: digits only, from [`Role::shortest_pin`] to 8.
    /// The words say what is wrong, for the form that asked.
    pub fn check_pin(self, pin: &str) -> Result<(), String> {
        let shortest = self.shortest_pin();
        if (shortest..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
            Ok(())
        } else {
            Err(format!("a {}'s PIN is {shortest} to 8 digits", self.as_str()))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    pub id: StaffId,
    pub name: String,
    pub role: Role,
    /// argon2 PHC string; the PIN itself is never stored.
    pub pin_hash: String,
    pub active: bool,
}

/// What posting rules need to look up. The till answers from SQLite inside its recording
/// transaction, the server from Postgres, tests from memory.
pub trait Lookup {
    fn account(&self, code: AccountCode) -> Option<Account>;
    fn product(&self, id: ProductId) -> Option<Product>;
    fn laundry_service(&self, id: LaundryServiceId) -> Option<LaundryService>;
    fn cylinder_type(&self, id: CylinderTypeId) -> Option<CylinderType>;
    fn customer(&self, id: CustomerId) -> Option<Customer>;
    fn supplier(&self, id: SupplierId) -> Option<Supplier>;
    /// The journal entry a document posted, for voids and cancellations that mirror it.
    fn entry_of(&self, document: DocumentId) -> Option<JournalEntry>;
    /// Whether the product's stock is kept (its movements count). A lookup that holds its
    /// products may answer without copying one.
    fn stocks(&self, id: ProductId) -> bool {
        self.product(id).is_some_and(|product| product.stock.is_some())
    }
}
