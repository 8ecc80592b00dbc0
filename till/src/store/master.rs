//! Master data in the till's store: loading what head office owns (the demo seed now, the pull
//! later) and answering core's `Lookup` from SQLite inside the recording transaction.

use std::cell::RefCell;

use rusqlite::{Connection, OptionalExtension, Row, params};
use tillbook_core::catalog::{
    Customer, CylinderType, LaundryPricing, LaundryService, Lookup, Product, StockAccounts, Supplier,
};
use tillbook_core::chart::{Account, AccountCode, AccountKind, Business, BusinessKind};
use tillbook_core::ids::{BusinessId, CustomerId, CylinderTypeId, DocumentId, LaundryServiceId, ProductId, SupplierId};
use tillbook_core::journal::{JournalEntry, JournalLine, Side};
use tillbook_core::seed::MasterData;

use crate::error::{Result, TillError};
use crate::sql::{cached_row, conversion_error, money, parsed, quantity, vat_rate};

/// Writes master data, server-wins: a row that exists is overwritten, nothing is deleted.
pub fn load(connection: &Connection, data: &MasterData) -> Result<()> {
    for business in &data.businesses {
        upsert_business(connection, business)?;
    }
    for account in &data.accounts {
        upsert_account(connection, account)?;
    }
    for product in &data.products {
        upsert_product(connection, product)?;
    }
    for service in &data.laundry_services {
        upsert_laundry_service(connection, service)?;
    }
    for cylinder in &data.cylinder_types {
        upsert_cylinder(connection, cylinder)?;
    }
    for customer in &data.customers {
        upsert_customer(connection, customer)?;
    }
    for supplier in &data.suppliers {
        upsert_supplier(connection, supplier)?;
    }
    Ok(())
}

pub fn upsert_business(connection: &Connection, business: &Business) -> Result<()> {
    let accounts = serde_json::to_string(&business.accounts).expect("account roles serialise");
    let profile = serde_json::to_string(&business.profile).expect("a business profile serialises");
    connection.execute(
        "INSERT INTO business (id, code, name, kind, accounts, profile) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name, kind = excluded.kind,
             accounts = excluded.accounts, profile = excluded.profile",
        params![business.id.to_string(), business.code, business.name, business.kind.as_str(), accounts, profile],
    )?;
    Ok(())
}

pub fn upsert_account(connection: &Connection, account: &Account) -> Result<()> {
    connection.execute(
        "INSERT INTO account (code, name, kind, business_code, active) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,
             business_code = excluded.business_code, active = excluded.active",
        params![account.code.number(), account.name, account.kind.as_str(), account.business, account.active],
    )?;
    Ok(())
}

pub fn upsert_product(connection: &Connection, product: &Product) -> Result<()> {
    connection.execute(
        "INSERT INTO product (id, business_id, name, barcode, unit, price_cents, vat_basis_points, revenue_account,
             inventory_account, cost_account, unit_cost_cents, active)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (id) DO UPDATE SET business_id = excluded.business_id, name = excluded.name,
             barcode = excluded.barcode, unit = excluded.unit, price_cents = excluded.price_cents,
             vat_basis_points = excluded.vat_basis_points, revenue_account = excluded.revenue_account,
             inventory_account = excluded.inventory_account, cost_account = excluded.cost_account,
             unit_cost_cents = excluded.unit_cost_cents, active = excluded.active",
        params![
            product.id.to_string(),
            product.business_id.to_string(),
            product.name,
            product.barcode,
            product.unit,
            product.price.cents(),
            product.vat_rate.basis_points(),
            product.revenue_account.number(),
            product.stock.as_ref().map(|s| s.inventory.number()),
            product.stock.as_ref().map(|s| s.cost_of_sales.number()),
            product.unit_cost.cents(),
            product.active,
        ],
    )?;
    Ok(())
}

pub fn upsert_laundry_service(connection: &Connection, service: &LaundryService) -> Result<()> {
    connection.execute(
        "INSERT INTO laundry_service (id, business_id, name, pricing, price_cents, vat_basis_points, active)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET business_id = excluded.business_id, name = excluded.name,
             pricing = excluded.pricing, price_cents = excluded.price_cents,
             vat_basis_points = excluded.vat_basis_points, active = excluded.active",
        params![
            service.id.to_string(),
            service.business_id.to_string(),
            service.name,
            service.pricing.as_str(),
            service.price.cents(),
            service.vat_rate.basis_points(),
            service.active,
        ],
    )?;
    Ok(())
}

pub fn upsert_cylinder(connection: &Connection, cylinder: &CylinderType) -> Result<()> {
    connection.execute(
        "INSERT INTO cylinder_type (id, business_id, size_milli_kg, brand, gas_price_cents, gas_cost_cents,
             cylinder_price_cents, cylinder_cost_cents, deposit_cents, vat_basis_points, active)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (id) DO UPDATE SET business_id = excluded.business_id, size_milli_kg = excluded.size_milli_kg,
             brand = excluded.brand, gas_price_cents = excluded.gas_price_cents,
             gas_cost_cents = excluded.gas_cost_cents, cylinder_price_cents = excluded.cylinder_price_cents,
             cylinder_cost_cents = excluded.cylinder_cost_cents, deposit_cents = excluded.deposit_cents,
             vat_basis_points = excluded.vat_basis_points, active = excluded.active",
        params![
            cylinder.id.to_string(),
            cylinder.business_id.to_string(),
            cylinder.size_kg.milli(),
            cylinder.brand,
            cylinder.gas_price.cents(),
            cylinder.gas_cost.cents(),
            cylinder.cylinder_price.cents(),
            cylinder.cylinder_cost.cents(),
            cylinder.deposit.cents(),
            cylinder.vat_rate.basis_points(),
            cylinder.active,
        ],
    )?;
    Ok(())
}

/// A member of staff as head office publishes them, with the argon2 hash of their PIN.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct PulledStaff {
    pub id: tillbook_core::ids::StaffId,
    pub name: String,
    pub role: tillbook_core::catalog::Role,
    pub pin_hash: String,
    pub active: bool,
}

pub fn upsert_pulled_staff(connection: &Connection, staff: &PulledStaff) -> Result<()> {
    crate::staff::save_staff(connection, staff.id, &staff.name, staff.role, &staff.pin_hash)?;
    connection.execute("UPDATE staff SET active = ?2 WHERE id = ?1", params![staff.id.to_string(), staff.active])?;
    Ok(())
}

pub fn upsert_customer(connection: &Connection, customer: &Customer) -> Result<()> {
    connection.execute(
        "INSERT INTO customer (id, name, phone, credit_limit_cents, active) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, phone = excluded.phone,
             credit_limit_cents = excluded.credit_limit_cents, active = excluded.active",
        params![customer.id.to_string(), customer.name, customer.phone, customer.credit_limit.cents(), customer.active],
    )?;
    Ok(())
}

pub fn business(connection: &Connection, id: BusinessId) -> Result<Business> {
    cached_row(connection, "SELECT * FROM business WHERE id = ?1", [id.to_string()], business_row)
        .optional()?
        .ok_or(TillError::NotThisTillsBusiness)
}

/// Every business this store knows, by code (the owner's till may hold several).
pub fn business_ids(connection: &Connection) -> Result<Vec<BusinessId>> {
    let mut statement = connection.prepare_cached("SELECT id FROM business ORDER BY code")?;
    let ids = statement.query_map([], |row| parsed(row, "id"))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}

fn business_row(row: &Row<'_>) -> rusqlite::Result<Business> {
    let kind: String = row.get("kind")?;
    let accounts: String = row.get("accounts")?;
    let profile: String = row.get("profile")?;
    let bad = |what: String| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, what.into());
    Ok(Business {
        id: parsed(row, "id")?,
        code: row.get("code")?,
        name: row.get("name")?,
        kind: BusinessKind::parse(&kind).ok_or_else(|| bad(format!("business kind {kind}")))?,
        accounts: serde_json::from_str(&accounts).map_err(|error| bad(error.to_string()))?,
        profile: serde_json::from_str(&profile).map_err(|error| bad(error.to_string()))?,
    })
}

pub fn product_row(row: &Row<'_>) -> rusqlite::Result<Product> {
    let inventory: Option<i64> = row.get("inventory_account")?;
    let cost: Option<i64> = row.get("cost_account")?;
    let code = |value: i64| {
        AccountCode::try_from(value)
            .map_err(|error| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Integer, error.into()))
    };
    let stock = match (inventory, cost) {
        (Some(inventory), Some(cost)) => {
            Some(StockAccounts { inventory: code(inventory)?, cost_of_sales: code(cost)? })
        }
        _ => None,
    };
    Ok(Product {
        id: parsed(row, "id")?,
        business_id: parsed(row, "business_id")?,
        name: row.get("name")?,
        barcode: row.get("barcode")?,
        unit: row.get("unit")?,
        price: money(row, "price_cents")?,
        vat_rate: vat_rate(row, "vat_basis_points")?,
        revenue_account: code(row.get("revenue_account")?)?,
        stock,
        unit_cost: money(row, "unit_cost_cents")?,
        active: row.get("active")?,
    })
}

pub fn laundry_service_row(row: &Row<'_>) -> rusqlite::Result<LaundryService> {
    let pricing: String = row.get("pricing")?;
    Ok(LaundryService {
        id: parsed(row, "id")?,
        business_id: parsed(row, "business_id")?,
        name: row.get("name")?,
        pricing: LaundryPricing::parse(&pricing).ok_or_else(|| conversion_error("pricing", pricing.clone()))?,
        price: money(row, "price_cents")?,
        vat_rate: vat_rate(row, "vat_basis_points")?,
        active: row.get("active")?,
    })
}

pub fn cylinder_row(row: &Row<'_>) -> rusqlite::Result<CylinderType> {
    Ok(CylinderType {
        id: parsed(row, "id")?,
        business_id: parsed(row, "business_id")?,
        size_kg: quantity(row, "size_milli_kg")?,
        brand: row.get("brand")?,
        gas_price: money(row, "gas_price_cents")?,
        gas_cost: money(row, "gas_cost_cents")?,
        cylinder_price: money(row, "cylinder_price_cents")?,
        cylinder_cost: money(row, "cylinder_cost_cents")?,
        deposit: money(row, "deposit_cents")?,
        vat_rate: vat_rate(row, "vat_basis_points")?,
        active: row.get("active")?,
    })
}

pub fn upsert_supplier(connection: &Connection, supplier: &Supplier) -> Result<()> {
    connection.execute(
        "INSERT INTO supplier (id, name, kra_pin, phone, terms_days, active) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, kra_pin = excluded.kra_pin, phone = excluded.phone,
             terms_days = excluded.terms_days, active = excluded.active",
        params![
            supplier.id.to_string(),
            supplier.name,
            supplier.kra_pin,
            supplier.phone,
            supplier.terms_days,
            supplier.active
        ],
    )?;
    Ok(())
}

pub fn supplier_row(row: &Row<'_>) -> rusqlite::Result<Supplier> {
    Ok(Supplier {
        id: parsed(row, "id")?,
        name: row.get("name")?,
        kra_pin: row.get("kra_pin")?,
        phone: row.get("phone")?,
        terms_days: row.get("terms_days")?,
        active: row.get("active")?,
    })
}

pub fn customer_row(row: &Row<'_>) -> rusqlite::Result<Customer> {
    Ok(Customer {
        id: parsed(row, "id")?,
        name: row.get("name")?,
        phone: row.get("phone")?,
        credit_limit: money(row, "credit_limit_cents")?,
        active: row.get("active")?,
    })
}

/// Core's `Lookup` over the store. `Lookup` answers `Option`, so a database failure is kept
/// here and the recorder turns it into an error after posting, rather than letting it pass as
/// "unknown product".
pub struct SqlLookup<'a> {
    connection: &'a Connection,
    failure: RefCell<Option<rusqlite::Error>>,
    /// Products this recording has read already (the ones a sale was priced from): answered
    /// from here, not read again for the posting and the effects.
    known: &'a [Product],
}

impl<'a> SqlLookup<'a> {
    pub fn new(connection: &'a Connection) -> Self {
        SqlLookup::knowing(connection, &[])
    }

    /// A lookup that answers `known` products without reading them again.
    pub fn knowing(connection: &'a Connection, known: &'a [Product]) -> Self {
        SqlLookup { connection, failure: RefCell::new(None), known }
    }

    /// The first database error any lookup met, if one did.
    pub fn check(self) -> Result<()> {
        match self.failure.into_inner() {
            Some(error) => Err(TillError::Store(error)),
            None => Ok(()),
        }
    }

    fn one<T>(&self, sql: &str, key: String, map: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>) -> Option<T> {
        match cached_row(self.connection, sql, [key], map).optional() {
            Ok(found) => found,
            Err(error) => {
                self.failure.borrow_mut().get_or_insert(error);
                None
            }
        }
    }
}

impl Lookup for SqlLookup<'_> {
    fn account(&self, code: AccountCode) -> Option<Account> {
        self.one("SELECT * FROM account WHERE code = ?1 AND active", code.to_string(), |row| {
            Ok(Account {
                code,
                name: row.get("name")?,
                kind: {
                    let kind: String = row.get("kind")?;
                    account_kind(&kind).ok_or_else(|| conversion_error("kind", kind))?
                },
                business: row.get("business_code")?,
                active: row.get("active")?,
            })
        })
    }

    fn product(&self, id: ProductId) -> Option<Product> {
        if let Some(product) = self.known.iter().find(|product| product.id == id) {
            return Some(product.clone());
        }
        self.one("SELECT * FROM product WHERE id = ?1", id.to_string(), product_row)
    }

    fn laundry_service(&self, id: LaundryServiceId) -> Option<LaundryService> {
        self.one("SELECT * FROM laundry_service WHERE id = ?1", id.to_string(), laundry_service_row)
    }

    fn cylinder_type(&self, id: CylinderTypeId) -> Option<CylinderType> {
        self.one("SELECT * FROM cylinder_type WHERE id = ?1", id.to_string(), cylinder_row)
    }

    fn customer(&self, id: CustomerId) -> Option<Customer> {
        self.one("SELECT * FROM customer WHERE id = ?1", id.to_string(), customer_row)
    }

    fn supplier(&self, id: SupplierId) -> Option<Supplier> {
        self.one("SELECT * FROM supplier WHERE id = ?1", id.to_string(), supplier_row)
    }

    fn entry_of(&self, document: DocumentId) -> Option<JournalEntry> {
        let entry_id: tillbook_core::ids::EntryId = self.one(
            "SELECT id FROM journal_entry WHERE document_id = ?1 ORDER BY rowid LIMIT 1",
            document.to_string(),
            |row| parsed(row, "id"),
        )?;
        let lines = self.connection.prepare_cached(
            "SELECT account, debit_cents, credit_cents FROM journal_line WHERE entry_id = ?1 ORDER BY line_no",
        );
        let result = lines.and_then(|mut statement| {
            statement
                .query_map([entry_id.to_string()], |row| {
                    let account: i64 = row.get(0)?;
                    let (debit, credit) = (money(row, "debit_cents")?, money(row, "credit_cents")?);
                    let account = AccountCode::try_from(account).map_err(|error| {
                        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Integer, error.into())
                    })?;
                    Ok(if debit.is_positive() {
                        JournalLine { account, side: Side::Debit, amount: debit }
                    } else {
                        JournalLine { account, side: Side::Credit, amount: credit }
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
        });
        match result {
            Ok(lines) => JournalEntry::new(entry_id, lines).ok(),
            Err(error) => {
                self.failure.borrow_mut().get_or_insert(error);
                None
            }
        }
    }
}

fn account_kind(text: &str) -> Option<AccountKind> {
    [AccountKind::Asset, AccountKind::Liability, AccountKind::Equity, AccountKind::Revenue, AccountKind::Expense]
        .into_iter()
        .find(|kind| kind.as_str() == text)
}
