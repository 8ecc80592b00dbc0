//! What is on the shelves: stocked products (water bottles, shop goods) at their running level
//! and cost, and LPG cylinders full and empty by size and brand. Levels below zero are shown,
//! not hidden: they are sales recorded before the stock was, for the owner to look into.

use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgPool;
use tillbook_core::{Money, Quantity};

use super::{ReportError, Result, Scope, money};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockLine {
    pub business_code: String,
    pub product: String,
    pub unit: String,
    pub quantity: Quantity,
    pub unit_cost: Money,
    pub value: Money,
    /// Below zero: sales recorded before the stock was (each also a `negative_stock` flag in
    /// the review queue).
    pub negative: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CylinderLine {
    pub business_code: String,
    pub size_kg: Quantity,
    pub brand: String,
    pub full: i64,
    pub empty: i64,
    pub negative: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockReport {
    pub scope: String,
    pub products: Vec<StockLine>,
    pub cylinders: Vec<CylinderLine>,
    pub total_value: Money,
}

fn quantity(value: Decimal) -> Result<Quantity> {
    value.normalize().to_string().parse().map_err(|_| ReportError::OutOfRange(value.to_string()))
}

pub async fn stock(pool: &PgPool, scope: &Scope) -> Result<StockReport> {
    let products: Vec<(String, String, String, Decimal, Decimal)> = sqlx::query_as(
        "SELECT b.code, p.name, p.unit, coalesce(l.quantity, 0), p.unit_cost
           FROM product p
           JOIN business b ON b.id = p.business_id
           LEFT JOIN stock_level l ON l.product_id = p.id
          WHERE p.inventory_account IS NOT NULL AND ($1::uuid IS NULL OR p.business_id = $1)
          ORDER BY b.code, p.name",
    )
    .bind(scope.business_id)
    .fetch_all(pool)
    .await?;
    let products = products
        .into_iter()
        .map(|(business_code, product, unit, level, unit_cost)| {
            Ok(StockLine {
                business_code,
                product,
                unit,
                quantity: quantity(level)?,
                unit_cost: money(unit_cost)?,
                value: money(level * unit_cost)?,
                negative: level.is_sign_negative() && !level.is_zero(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let cylinders: Vec<(String, Decimal, String, i32, i32)> = sqlx::query_as(
        "SELECT b.code, c.size_kg, c.brand, coalesce(s.full_count, 0), coalesce(s.empty_count, 0)
           FROM cylinder_type c
           JOIN business b ON b.id = c.business_id
           LEFT JOIN cylinder_stock s ON s.cylinder_type_id = c.id
          WHERE $1::uuid IS NULL OR c.business_id = $1
          ORDER BY b.code, c.size_kg, c.brand",
    )
    .bind(scope.business_id)
    .fetch_all(pool)
    .await?;
    let cylinders = cylinders
        .into_iter()
        .map(|(business_code, size_kg, brand, full, empty)| {
            Ok(CylinderLine {
                business_code,
                size_kg: quantity(size_kg)?,
                brand,
                full: i64::from(full),
                empty: i64::from(empty),
                negative: full < 0 || empty < 0,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(StockReport {
        scope: scope.label.clone(),
        total_value: Money::sum(products.iter().map(|line| line.value))?,
        products,
        cylinders,
    })
}
