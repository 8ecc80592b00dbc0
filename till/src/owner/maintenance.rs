//! The owner's maintenance forms (products and prices, staff and PINs, tills), read here from
//! what was typed: amounts as `Money`, the VAT rate as a `VatRate`, each mistake named by its
//! field before anything is sent. The server checks again and publishes the change to the tills.

use serde::Deserialize;
use tillbook_core::catalog::LaundryPricing;
use tillbook_core::catalog::Role;
use tillbook_core::chart::{BusinessKind, BusinessProfile};
use tillbook_core::ids::{ProductId, StaffId};
use tillbook_core::protocol::{
    BusinessChange, CustomerChange, CylinderTypeChange, LaundryServiceChange, ProductChange, StaffChange,
    SupplierChange, UserChange, UserRole,
};
use tillbook_core::{Money, Quantity, VatRate};

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

/// An id typed or carried by a form: empty for something new.
fn id<T: std::str::FromStr>(text: &str) -> Result<Option<T>> {
    match text.trim() {
        "" => Ok(None),
        text => Ok(Some(text.parse().map_err(|_| invalid("id", "not an id"))?)),
    }
}

fn vat_rate(text: &str) -> Result<VatRate> {
    text.trim().parse().map_err(|_| invalid("vat_rate", format!("'{text}' is not a VAT rate")))
}

/// The business form (an owner's): `id` empty for a new business, whose accounts head office
/// makes from the chart template. The code and kind of a business never change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BusinessForm {
    #[serde(default)]
    pub id: String,
    pub code: String,
    pub name: String,
    /// `water`, `laundry` or `retail` (retail exchanges LPG cylinders too).
    pub kind: String,
    pub kra_pin: String,
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub mpesa_number: String,
    pub vat_registered: bool,
    pub active: bool,
}

impl BusinessForm {
    pub fn change(&self) -> Result<BusinessChange> {
        let kind = BusinessKind::parse(self.kind.trim()).ok_or_else(|| invalid("kind", "water, laundry or retail"))?;
        if self.name.trim().is_empty() {
            return Err(invalid("name", "needed"));
        }
        let profile = BusinessProfile {
            kra_pin: self.kra_pin.clone(),
            address: self.address.clone(),
            phone: self.phone.clone(),
            mpesa_number: self.mpesa_number.clone(),
            vat_registered: self.vat_registered,
        }
        .checked()
        .map_err(|(field, message)| invalid(field, message))?;
        Ok(BusinessChange {
            id: id(&self.id)?,
            code: self.code.trim().to_uppercase(),
            name: self.name.trim().to_string(),
            kind,
            profile,
            active: self.active,
        })
    }
}

/// The laundry service form: `id` empty for a new service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ServiceForm {
    #[serde(default)]
    pub id: String,
    pub business: String,
    pub name: String,
    /// `per_kg` or `per_piece`.
    pub pricing: String,
    pub price: String,
    pub vat_rate: String,
    pub active: bool,
}

impl ServiceForm {
    pub fn change(&self) -> Result<LaundryServiceChange> {
        if self.name.trim().is_empty() {
            return Err(invalid("name", "needed"));
        }
        let pricing =
            LaundryPricing::parse(self.pricing.trim()).ok_or_else(|| invalid("pricing", "per kg or per piece"))?;
        Ok(LaundryServiceChange {
            id: id(&self.id)?,
            business: self.business.trim().to_uppercase(),
            name: self.name.trim().to_string(),
            pricing,
            price: money("price", &self.price)?,
            vat_rate: vat_rate(&self.vat_rate)?,
            active: self.active,
        })
    }
}

/// The cylinder type form: `id` empty for a new size or brand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CylinderForm {
    #[serde(default)]
    pub id: String,
    pub business: String,
    pub size_kg: String,
    pub brand: String,
    pub gas_price: String,
    pub gas_cost: String,
    pub cylinder_price: String,
    pub cylinder_cost: String,
    pub deposit: String,
    pub vat_rate: String,
    pub active: bool,
}

impl CylinderForm {
    pub fn change(&self) -> Result<CylinderTypeChange> {
        let size = self.size_kg.trim();
        let size_kg: Quantity =
            size.parse().map_err(|_| invalid("size_kg", format!("'{size}' is not a size in kg (like 13)")))?;
        if !size_kg.is_positive() {
            return Err(invalid("size_kg", "more than 0 kg"));
        }
        if self.brand.trim().is_empty() {
            return Err(invalid("brand", "needed"));
        }
        Ok(CylinderTypeChange {
            id: id(&self.id)?,
            business: self.business.trim().to_uppercase(),
            size_kg,
            brand: self.brand.trim().to_string(),
            gas_price: money("gas_price", &self.gas_price)?,
            gas_cost: money("gas_cost", &self.gas_cost)?,
            cylinder_price: money("cylinder_price", &self.cylinder_price)?,
            cylinder_cost: money("cylinder_cost", &self.cylinder_cost)?,
            deposit: money("deposit", &self.deposit)?,
            vat_rate: vat_rate(&self.vat_rate)?,
            active: self.active,
        })
    }
}

/// The customer form at head office: `id` empty for a new customer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CustomerForm {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub phone: String,
    pub credit_limit: String,
    pub active: bool,
}

impl CustomerForm {
    pub fn change(&self) -> Result<CustomerChange> {
        if self.name.trim().is_empty() {
            return Err(invalid("name", "needed"));
        }
        let phone = match self.phone.trim() {
            "" => None,
            phone => Some(tillbook_core::catalog::checked_phone(phone).map_err(|message| invalid("phone", message))?),
        };
        let credit_limit = match self.credit_limit.trim() {
            "" => Money::ZERO,
            limit => money("credit_limit", limit)?,
        };
        Ok(CustomerChange {
            id: id(&self.id)?,
            name: self.name.trim().to_string(),
            phone,
            credit_limit,
            active: self.active,
        })
    }
}

/// The supplier form at head office: `id` empty for a new supplier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SupplierForm {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub kra_pin: String,
    #[serde(default)]
    pub phone: String,
    /// Days of credit, as typed; empty is 0 (pay on delivery).
    #[serde(default)]
    pub terms_days: String,
    pub active: bool,
}

impl SupplierForm {
    pub fn change(&self) -> Result<SupplierChange> {
        if self.name.trim().is_empty() {
            return Err(invalid("name", "needed"));
        }
        let kra_pin = match self.kra_pin.trim() {
            "" => String::new(),
            pin => tillbook_core::catalog::checked_kra_pin(pin).map_err(|message| invalid("kra_pin", message))?,
        };
        let phone = match self.phone.trim() {
            "" => None,
            phone => Some(tillbook_core::catalog::checked_phone(phone).map_err(|message| invalid("phone", message))?),
        };
        let terms_days = match self.terms_days.trim() {
            "" => 0,
            days => days
                .parse::<u16>()
                .ok()
                .filter(|days| *days <= 365)
                .ok_or_else(|| invalid("terms_days", "0 to 365 days"))?,
        };
        Ok(SupplierChange {
            id: id(&self.id)?,
            name: self.name.trim().to_string(),
            kra_pin,
            phone,
            terms_days,
            active: self.active,
        })
    }
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
    fn set_up_forms_name_the_field_that_is_wrong() {
        let shop = BusinessForm {
            code: "duka2".into(),
            name: "Duka Two".into(),
            kind: "retail".into(),
            kra_pin: "p051234567w".into(),
            address: "Moi Avenue 1, Nakuru".into(),
            vat_registered: true,
            active: true,
            ..BusinessForm::default()
        };
        let change = shop.change().unwrap();
        assert_eq!((change.code.as_str(), change.profile.kra_pin.as_str()), ("DUKA2", "P051234567W"));
        assert_eq!(field(BusinessForm { kind: "bakery".into(), ..shop.clone() }.change()), "kind");
        assert_eq!(field(BusinessForm { kra_pin: "P05".into(), ..shop.clone() }.change()), "kra_pin");
        assert_eq!(field(BusinessForm { mpesa_number: "12ab".into(), ..shop.clone() }.change()), "mpesa_number");
        assert_eq!(field(BusinessForm { phone: "call me".into(), ..shop }.change()), "phone");

        let gas = CylinderForm {
            business: "DUKA2".into(),
            size_kg: "13".into(),
            brand: "Total".into(),
            gas_price: "3100".into(),
            gas_cost: "2600".into(),
            cylinder_price: "4500".into(),
            cylinder_cost: "3800".into(),
            deposit: "2000".into(),
            vat_rate: "0.16".into(),
            active: true,
            ..CylinderForm::default()
        };
        assert_eq!(gas.change().unwrap().deposit, Money::from_cents(200_000));
        assert_eq!(field(CylinderForm { size_kg: "0".into(), ..gas.clone() }.change()), "size_kg");
        assert_eq!(field(CylinderForm { deposit: "-5".into(), ..gas }.change()), "deposit");

        let service = ServiceForm {
            business: "SAFI".into(),
            name: "Duvet".into(),
            pricing: "per_piece".into(),
            price: "700".into(),
            vat_rate: "0.16".into(),
            active: true,
            ..ServiceForm::default()
        };
        assert_eq!(service.change().unwrap().pricing, LaundryPricing::PerPiece);
        assert_eq!(field(ServiceForm { pricing: "per_bag".into(), ..service }.change()), "pricing");

        let customer =
            CustomerForm { name: "Mama Mboga".into(), credit_limit: "5000".into(), active: true, ..Default::default() };
        assert_eq!(customer.change().unwrap().credit_limit, Money::from_cents(500_000));
        assert_eq!(field(CustomerForm { credit_limit: "lots".into(), ..customer.clone() }.change()), "credit_limit");
        assert_eq!(field(CustomerForm { phone: "12".into(), ..customer }.change()), "phone");

        let supplier = SupplierForm {
            name: "Bidco Africa".into(),
            kra_pin: "p051100001a".into(),
            terms_days: "30".into(),
            active: true,
            ..Default::default()
        };
        let change = supplier.change().unwrap();
        assert_eq!((change.kra_pin.as_str(), change.terms_days), ("P051100001A", 30));
        assert_eq!(field(SupplierForm { kra_pin: "051100001".into(), ..supplier.clone() }.change()), "kra_pin");
        assert_eq!(field(SupplierForm { terms_days: "400".into(), ..supplier.clone() }.change()), "terms_days");
        assert_eq!(field(SupplierForm { name: " ".into(), ..supplier }.change()), "name");
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
