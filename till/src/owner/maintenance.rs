//! The owner's maintenance forms (products and prices, staff and PINs, tills), read here from
//! what was typed: amounts as `Money`, the VAT rate as a `VatRate`, each mistake named by its
//! field before anything is sent. The server checks again and publishes the change to the tills.

use serde::Deserialize;
use tillbook_core::catalog::Role;
use tillbook_core::ids::{ProductId, StaffId};
use tillbook_core::protocol::{ProductChange, StaffChange, UserChange, UserRole};
use tillbook_core::{Money, VatRate};

use super::{OwnerError, Result};

fn invalid(field: &str, message: impl Into<String>) -> OwnerError {
    OwnerError::Invalid { field: field.to_string(), message: message.into() }
}

fn money(field: &str, text: &str) -> Result<Money> {
    let text = text.trim();
    let amount: Money = text.parse().map_err(|_| invalid(field, format!("'{text}' is not an amount (like 120.00)")))?;
    if amount.is_negative() {
        return Err(invalid(field, "never negative"));
    }
    Ok(amount)
}

/// The product form: `id` empty for a new product.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProductForm {
    #[serde(default)]
    pub id: String,
    pub business: String,
    pub name: String,
    #[serde(default)]
    pub barcode: String,
    pub unit: String,
    pub price: String,
    /// `0.16`, `0.08` or `0`.
    pub vat_rate: String,
    /// Empty: unchanged (zero for a new product).
    #[serde(default)]
    pub unit_cost: String,
    #[serde(default)]
    pub stocked: bool,
    pub active: bool,
}

impl ProductForm {
    pub fn change(&self) -> Result<ProductChange> {
        let id = match self.id.trim() {
            "" => None,
            text => Some(ProductId(text.parse().map_err(|_| invalid("id", "not a product id"))?)),
        };
        for (field, value) in [("business", &self.business), ("name", &self.name), ("unit", &self.unit)] {
            if value.trim().is_empty() {
                return Err(invalid(field, "needed"));
            }
        }
        let vat_rate: VatRate = self
            .vat_rate
            .trim()
            .parse()
            .map_err(|_| invalid("vat_rate", format!("'{}' is not a VAT rate", self.vat_rate)))?;
        let unit_cost = match self.unit_cost.trim() {
            "" => None,
            text => Some(money("unit_cost", text)?),
        };
        Ok(ProductChange {
            id,
            business: self.business.trim().to_string(),
            name: self.name.trim().to_string(),
            barcode: Some(self.barcode.trim().to_string()).filter(|code| !code.is_empty()),
            unit: self.unit.trim().to_string(),
            price: money("price", &self.price)?,
            vat_rate,
            unit_cost,
            stocked: self.stocked,
            active: self.active,
        })
    }
}

/// The staff form: `id` empty for someone new; `pin` empty keeps the PIN they have.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StaffForm {
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub role: String,
    #[serde(default)]
    pub pin: String,
    /// The businesses (codes) they work in; none keeps what they have.
    #[serde(default)]
    pub businesses: Vec<String>,
    pub active: bool,
}

impl StaffForm {
    pub fn change(&self) -> Result<StaffChange> {
        let id = match self.id.trim() {
            "" => None,
            text => Some(StaffId(text.parse().map_err(|_| invalid("id", "not a staff id"))?)),
        };
        if self.name.trim().is_empty() {
            return Err(invalid("name", "needed"));
        }
        let pin = self.pin.trim();
        let role = Role::parse(self.role.trim()).ok_or_else(|| invalid("role", "cashier, supervisor or owner"))?;
        if !pin.is_empty() {
            role.check_pin(pin).map_err(|message| invalid("pin", message))?;
        }
        if pin.is_empty() && id.is_none() {
            return Err(invalid("pin", "someone new needs a PIN"));
        }
        Ok(StaffChange {
            id,
            name: self.name.trim().to_string(),
            role: role.as_str().to_string(),
            pin: Some(pin.to_string()).filter(|pin| !pin.is_empty()),
            businesses: Some(self.businesses.iter().map(|code| code.trim().to_uppercase()).collect())
                .filter(|codes: &Vec<String>| !codes.is_empty()),
            active: self.active,
        })
    }
}

/// The user form (only an owner sees it): `id` empty for someone new; `password` empty keeps
/// theirs; `businesses` only for a manager.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UserForm {
    #[serde(default)]
    pub id: String,
    pub email: String,
    pub name: String,
    /// `owner`, `accountant` or `manager`.
    pub role: String,
    #[serde(default)]
    pub businesses: Vec<String>,
    #[serde(default)]
    pub password: String,
    pub active: bool,
}

impl UserForm {
    pub fn change(&self) -> Result<UserChange> {
        let id = match self.id.trim() {
            "" => None,
            text => Some(text.parse().map_err(|_| invalid("id", "not a user id"))?),
        };
        let role = UserRole::parse(self.role.trim()).ok_or_else(|| invalid("role", "owner, accountant or manager"))?;
        if !self.email.contains('@') {
            return Err(invalid("email", "an email address"));
        }
        if self.name.trim().is_empty() {
            return Err(invalid("name", "needed"));
        }
        if role == UserRole::Manager && self.businesses.is_empty() {
            return Err(invalid("businesses", "a manager manages at least one business"));
        }
        if id.is_none() && self.password.is_empty() {
            return Err(invalid("password", "someone new needs a password"));
        }
        Ok(UserChange {
            id,
            email: self.email.trim().to_lowercase(),
            name: self.name.trim().to_string(),
            role,
            businesses: self.businesses.iter().map(|code| code.trim().to_uppercase()).collect(),
            password: Some(self.password.clone()).filter(|password| !password.is_empty()),
            active: self.active,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(result: Result<impl std::fmt::Debug>) -> String {
        match result {
            Err(OwnerError::Invalid { field, .. }) => field,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn forms_are_read_as_money_and_rates_and_mistakes_are_named() {
        let form = ProductForm {
            business: "RETAIL".into(),
            name: "Bread 400 g".into(),
            unit: "loaf".into(),
            price: "75.00".into(),
            vat_rate: "0".into(),
            active: true,
            ..ProductForm::default()
        };
        let change = form.change().unwrap();
        assert_eq!((change.id, change.price, change.unit_cost), (None, "75.00".parse().unwrap(), None));
        assert_eq!(field(ProductForm { price: "75,00".into(), ..form.clone() }.change()), "price");
        assert_eq!(field(ProductForm { price: "-1".into(), ..form.clone() }.change()), "price");
        assert_eq!(field(ProductForm { vat_rate: "16%".into(), ..form.clone() }.change()), "vat_rate");
        assert_eq!(field(ProductForm { unit_cost: "x".into(), ..form.clone() }.change()), "unit_cost");
        assert_eq!(field(ProductForm { name: " ".into(), ..form }.change()), "name");

        let staff = StaffForm {
            name: "Akinyi".into(),
            role: "cashier".into(),
            pin: "4321".into(),
            active: true,
            id: String::new(),
            businesses: vec!["water".into()],
        };
        let change = staff.change().unwrap();
        assert_eq!(change.pin.as_deref(), Some("4321"));
        assert_eq!(change.businesses, Some(vec!["WATER".to_string()]));
        assert_eq!(field(StaffForm { pin: "12a4".into(), ..staff.clone() }.change()), "pin");
        assert_eq!(field(StaffForm { role: "supervisor".into(), ..staff.clone() }.change()), "pin");
        assert_eq!(field(StaffForm { role: "boss".into(), ..staff.clone() }.change()), "role");
        assert_eq!(field(StaffForm { pin: String::new(), ..staff }.change()), "pin");
    }
}
