//! What the counter screens pick from: the laundry services and cylinders a business offers,
//! the customers with what they owe, the expense accounts, and the receipts recently issued
//! (for a void). Read-only; every figure is from the store, none is worked out by the UI.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use tillbook_core::catalog::{CylinderType, LaundryService, Supplier};
use tillbook_core::chart::AccountCode;
use tillbook_core::chart::shared::CASH_SHORT;
use tillbook_core::ids::{BusinessId, CustomerId};
use tillbook_core::{Money, Quantity};

use crate::error::{Result, TillError};
use crate::master;
use crate::sql::{conversion_error, money, parsed, parsed_opt, quantity, vat_rate};
use crate::till::Till;

/// A customer as the lookup lists them: enough to choose and to see what they owe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CustomerSummary {
    pub customer_id: CustomerId,
    pub name: String,
    /// Only the last three digits: the full number is not shown at the counter or logged.
    pub phone_hint: Option<String>,
    pub credit_limit: Money,
    pub outstanding: Money,
}

/// A receipt the till issued, newest first, with whether it still stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceiptSummary {
    pub receipt_number: String,
    /// `goods`, `lpg` or `payment`.
    pub kind: String,
    pub occurred_at: String,
    pub total: Money,
    pub voided: bool,
}

/// A line of a goods sale as a refund offers it: what was sold and what is left to return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SoldLineView {
    pub line_no: u32,
    pub product_name: String,
    pub quantity: Quantity,
    pub line_total: Money,
    pub returned: Quantity,
    pub returned_amount: Money,
}

/// A goods receipt opened for a refund: its lines, and whether it was on a customer's account
/// (only then can the refund be a credit note).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SoldReceipt {
    pub receipt_number: String,
    pub total: Money,
    pub on_account: bool,
    pub voided: bool,
    pub lines: Vec<SoldLineView>,
}

/// A goods sale as it was recorded, for a reprint: its lines at the prices of the day, its
/// tenders, when and by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedSale {
    pub sale_id: tillbook_core::ids::DocumentId,
    pub receipt_number: String,
    pub occurred_at: String,
    /// Who recorded it (none for a sale recorded before staff were on sales).
    pub cashier: Option<String>,
    pub total: Money,
    /// Each line: the product's name, and the line as priced then.
    pub lines: Vec<(String, tillbook_core::documents::SaleLine)>,
    pub tenders: Vec<tillbook_core::documents::Tender>,
}

/// An LPG sale as it was recorded, for a reprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedLpgSale {
    pub sale_id: tillbook_core::ids::DocumentId,
    pub receipt_number: String,
    pub occurred_at: String,
    pub cashier: Option<String>,
    pub total: Money,
    pub vat: Money,
    /// Cylinders filled (or sold), and their kind.
    pub quantity: u32,
    pub cylinder_type_id: tillbook_core::ids::CylinderTypeId,
    pub tenders: Vec<tillbook_core::documents::Tender>,
}

/// A refund as it was recorded, for a reprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRefund {
    pub refund_id: tillbook_core::ids::DocumentId,
    pub receipt_number: String,
    /// The sale it gave back from (the credit note's original invoice).
    pub sale_receipt: String,
    pub occurred_at: String,
    pub total: Money,
    pub lines: Vec<RefundedLine>,
    /// How the money went back.
    pub tenders: Vec<tillbook_core::documents::Tender>,
}

/// A line of a refund: what went back of one sale line, at that line's VAT rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundedLine {
    pub name: String,
    pub quantity: Quantity,
    pub amount: Money,
    pub vat_rate: tillbook_core::VatRate,
}

/// An event the server would not post, with its reason, for the status bar's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct QuarantinedEvent {
    pub device_seq: i64,
    pub event_type: String,
    pub business_day: String,
    pub reason_code: Option<String>,
    pub reason_message: Option<String>,
    /// Head office's decision, once made: `dismissed` or `corrected`, with the owner's note.
    pub resolution: Option<String>,
    pub resolution_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExpenseAccount {
    pub code: AccountCode,
    pub name: String,
}

impl Till {
    pub fn laundry_services(&self, business_id: BusinessId) -> Result<Vec<LaundryService>> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT * FROM laundry_service WHERE business_id = ?1 AND active = 1 ORDER BY name")?;
        let rows = statement.query_map([business_id.to_string()], master::laundry_service_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn cylinder_types(&self, business_id: BusinessId) -> Result<Vec<CylinderType>> {
        let mut statement = self.connection().prepare_cached(
            "SELECT * FROM cylinder_type WHERE business_id = ?1 AND active = 1 ORDER BY size_milli_kg, brand",
        )?;
        let rows = statement.query_map([business_id.to_string()], master::cylinder_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The group's active suppliers, by name: whom goods come from and payments go to.
    pub fn suppliers(&self) -> Result<Vec<Supplier>> {
        let mut statement =
            self.connection().prepare_cached("SELECT * FROM supplier WHERE active = 1 ORDER BY name, id")?;
        let rows = statement.query_map([], master::supplier_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Active customers whose name or phone contains `query` (all of them for an empty query),
    /// by name, each with what they owe across the group.
    pub fn find_customers(&self, query: &str) -> Result<Vec<CustomerSummary>> {
        let pattern = format!("%{}%", query.trim().replace(['%', '_'], ""));
        let found = {
            let mut statement = self.connection().prepare_cached(
                "SELECT * FROM customer WHERE active = 1 AND (name LIKE ?1 OR COALESCE(phone, '') LIKE ?1)
                 ORDER BY name LIMIT 50",
            )?;
            let rows = statement.query_map([pattern], master::customer_row)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        found
            .into_iter()
            .map(|customer| {
                Ok(CustomerSummary {
                    outstanding: crate::reports::customer_outstanding(self.connection(), customer.id)?,
                    customer_id: customer.id,
                    phone_hint: customer.phone.as_deref().map(phone_hint),
                    name: customer.name,
                    credit_limit: customer.credit_limit,
                })
            })
            .collect()
    }

    /// The expense accounts a counter may pay from the drawer (not "cash short", which only the
    /// drawer count posts to).
    pub fn expense_accounts(&self) -> Result<Vec<ExpenseAccount>> {
        let mut statement =
            self.connection().prepare_cached("SELECT code, name FROM account WHERE active = 1 ORDER BY code")?;
        let rows = statement.query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)))?;
        let mut accounts = Vec::new();
        for row in rows {
            let (code, name) = row?;
            let Ok(code) = AccountCode::try_from(code) else { continue };
            // 6xxx are operating expenses; 5xxx (cost of sales) is posted by the sales themselves.
            if (6000..7000).contains(&code.number()) && code != CASH_SHORT {
                accounts.push(ExpenseAccount { code, name });
            }
        }
        Ok(accounts)
    }

    /// The latest receipts of `business_id` (sales, LPG sales and payments on account).
    pub fn recent_receipts(&self, business_id: BusinessId, limit: u32) -> Result<Vec<ReceiptSummary>> {
        let mut statement = self.connection().prepare_cached(
            "SELECT receipt_number, kind, occurred_at, total_cents,
                    id IN (SELECT document_id FROM reversed_document) AS voided
             FROM (SELECT id, receipt_number, kind, occurred_at, total_cents FROM sale WHERE business_id = ?1
                   UNION ALL
                   SELECT id, receipt_number, 'payment', occurred_at, total_cents FROM payment WHERE business_id = ?1)
             ORDER BY occurred_at DESC, receipt_number DESC LIMIT ?2",
        )?;
        let rows = statement.query_map(params![business_id.to_string(), limit], |row| {
            Ok(ReceiptSummary {
                receipt_number: row.get("receipt_number")?,
                kind: row.get("kind")?,
                occurred_at: row.get("occurred_at")?,
                total: money(row, "total_cents")?,
                voided: row.get("voided")?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A goods sale of this business by its receipt number, as it was recorded.
    pub fn recorded_sale(&self, business_id: BusinessId, receipt_number: &str) -> Result<RecordedSale> {
        let receipt = receipt_number.trim().to_ascii_uppercase();
        let head = self
            .connection()
            .query_row(
                "SELECT s.id, s.occurred_at, s.total_cents, st.name AS cashier
                 FROM sale s LEFT JOIN staff st ON st.id = s.staff_id
                 WHERE s.receipt_number = ?1 AND s.business_id = ?2 AND s.kind = 'goods'",
                params![receipt, business_id.to_string()],
                |row| {
                    let id: String = row.get("id")?;
                    Ok((id, row.get::<_, String>("occurred_at")?, money(row, "total_cents")?, row.get("cashier")?))
                },
            )
            .optional()?;
        let (sale_id, occurred_at, total, cashier) =
            head.ok_or_else(|| crate::store::prune::missing_sale(self.connection(), "sale", &receipt))?;
        let mut statement = self.connection().prepare_cached(
            "SELECT p.name, l.product_id, l.quantity_milli, l.unit_price_cents, l.discount_cents, l.vat_basis_points,
                    l.line_total_cents
             FROM sale_line l JOIN product p ON p.id = l.product_id
             WHERE l.sale_id = ?1 ORDER BY l.line_no",
        )?;
        let lines = statement.query_map([&sale_id], |row| {
            let line = tillbook_core::documents::SaleLine {
                product_id: parsed(row, "product_id")?,
                quantity: quantity(row, "quantity_milli")?,
                unit_price: money(row, "unit_price_cents")?,
                discount: money(row, "discount_cents")?,
                vat_rate: vat_rate(row, "vat_basis_points")?,
                line_total: money(row, "line_total_cents")?,
            };
            Ok((row.get::<_, String>("name")?, line))
        })?;
        let lines = lines.collect::<rusqlite::Result<Vec<_>>>()?;
        let tenders = self.tenders_of(&sale_id)?;
        let sale_id = sale_id.parse().map_err(|_| TillError::Invariant(format!("sale id {sale_id}")))?;
        Ok(RecordedSale { sale_id, receipt_number: receipt, occurred_at, cashier, total, lines, tenders })
    }

    /// The refund of this business with receipt number `receipt_number`, for a reprint (KRA
    /// holds it as a credit note); `None` if no refund has that number.
    pub fn recorded_refund(&self, business_id: BusinessId, receipt_number: &str) -> Result<Option<RecordedRefund>> {
        let receipt = receipt_number.trim().to_ascii_uppercase();
        let head = self
            .connection()
            .query_row(
                "SELECT r.id, r.occurred_at, r.total_cents, s.receipt_number AS sale_receipt
                 FROM refund r JOIN sale s ON s.id = r.sale_id WHERE r.receipt_number = ?1 AND s.business_id = ?2",
                params![receipt, business_id.to_string()],
                |row| {
                    let id: String = row.get("id")?;
                    Ok((id, row.get::<_, String>("occurred_at")?, money(row, "total_cents")?, row.get("sale_receipt")?))
                },
            )
            .optional()?;
        let Some((refund_id, occurred_at, total, sale_receipt)) = head else { return Ok(None) };
        let mut statement = self.connection().prepare_cached(
            "SELECT p.name, r.quantity_milli, r.amount_cents, l.vat_basis_points
             FROM refund_line r JOIN refund f ON f.id = r.refund_id
             JOIN sale_line l ON l.sale_id = f.sale_id AND l.line_no = r.sale_line_no
             JOIN product p ON p.id = l.product_id
             WHERE r.refund_id = ?1 ORDER BY r.sale_line_no",
        )?;
        let lines = statement.query_map([&refund_id], |row| {
            Ok(RefundedLine {
                name: row.get("name")?,
                quantity: quantity(row, "quantity_milli")?,
                amount: money(row, "amount_cents")?,
                vat_rate: vat_rate(row, "vat_basis_points")?,
            })
        })?;
        let lines = lines.collect::<rusqlite::Result<Vec<_>>>()?;
        let tenders = self.tenders_of(&refund_id)?;
        let refund_id = refund_id.parse().map_err(|_| TillError::Invariant(format!("refund id {refund_id}")))?;
        Ok(Some(RecordedRefund {
            refund_id,
            receipt_number: receipt,
            sale_receipt,
            occurred_at,
            total,
            lines,
            tenders,
        }))
    }

    /// The LPG sale of this business with receipt number `receipt_number`, for a reprint; `None`
    /// if no LPG sale has that number. The VAT is what its provisional entry credited to VAT
    /// payable (the sale keeps no VAT of its own); LPG sales are never pruned.
    pub fn recorded_lpg_sale(&self, business_id: BusinessId, receipt_number: &str) -> Result<Option<RecordedLpgSale>> {
        let receipt = receipt_number.trim().to_ascii_uppercase();
        let head = self
            .connection()
            .query_row(
                "SELECT s.id, s.occurred_at, s.total_cents, st.name AS cashier, l.quantity, l.cylinder_type_id,
                        (SELECT coalesce(sum(j.credit_cents - j.debit_cents), 0)
                           FROM journal_entry e JOIN journal_line j ON j.entry_id = e.id
                          WHERE e.document_id = s.id AND j.account = ?3) AS vat_cents
                 FROM sale s JOIN lpg_sale l ON l.sale_id = s.id
                 LEFT JOIN staff st ON st.id = s.staff_id
                 WHERE s.receipt_number = ?1 AND s.business_id = ?2 AND s.kind = 'lpg'",
                params![receipt, business_id.to_string(), tillbook_core::chart::shared::VAT_PAYABLE.number()],
                |row| {
                    Ok(RecordedLpgSale {
                        sale_id: parsed(row, "id")?,
                        receipt_number: receipt.clone(),
                        occurred_at: row.get("occurred_at")?,
                        cashier: row.get("cashier")?,
                        total: money(row, "total_cents")?,
                        vat: money(row, "vat_cents")?,
                        quantity: row.get("quantity")?,
                        cylinder_type_id: parsed(row, "cylinder_type_id")?,
                        tenders: Vec::new(),
                    })
                },
            )
            .optional()?;
        let Some(mut sale) = head else { return Ok(None) };
        sale.tenders = self.tenders_of(&sale.sale_id.to_string())?;
        Ok(Some(sale))
    }

    /// The tenders of a sale, refund or payment, in their order.
    fn tenders_of(&self, document_id: &str) -> Result<Vec<tillbook_core::documents::Tender>> {
        let mut statement = self.connection().prepare_cached(
            "SELECT method, amount_cents, mpesa_code, customer_id FROM tender WHERE document_id = ?1 ORDER BY line_no",
        )?;
        let tenders = statement.query_map([document_id], |row| {
            let method: String = row.get("method")?;
            Ok(tillbook_core::documents::Tender {
                method: tillbook_core::documents::TenderMethod::parse(&method)
                    .ok_or_else(|| conversion_error("method", format!("'{method}' is no tender method")))?,
                amount: money(row, "amount_cents")?,
                mpesa_code: row.get("mpesa_code")?,
                customer_id: parsed_opt(row, "customer_id")?,
            })
        })?;
        Ok(tenders.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// KRA's eTIMS answer for `document`, once head office has published it to this till.
    pub fn etims_signature(
        &self,
        document: tillbook_core::ids::DocumentId,
    ) -> Result<Option<tillbook_core::etims::Signature>> {
        let data: Option<String> = self
            .connection()
            .query_row(
                "SELECT data FROM shared_state WHERE entity = 'etims_receipt' AND id = ?1",
                [document.to_string()],
                |row| row.get(0),
            )
            .optional()?;
        data.map(|data| {
            serde_json::from_str(&data).map_err(|error| TillError::Invariant(format!("a pulled KRA answer: {error}")))
        })
        .transpose()
    }

    /// A goods sale of this business by its receipt number, with what each line has had returned.
    pub fn sold_receipt(&self, business_id: BusinessId, receipt_number: &str) -> Result<SoldReceipt> {
        let receipt = receipt_number.trim().to_ascii_uppercase();
        let head = self
            .connection()
            .query_row(
                "SELECT id, total_cents, id IN (SELECT document_id FROM reversed_document) AS voided,
                        EXISTS (SELECT 1 FROM invoice i WHERE i.id = sale.id AND i.customer_id IS NOT NULL) AS on_account
                 FROM sale WHERE receipt_number = ?1 AND business_id = ?2 AND kind = 'goods'",
                params![receipt, business_id.to_string()],
                |row| Ok((row.get::<_, String>("id")?, money(row, "total_cents")?, row.get("voided")?, row.get("on_account")?)),
            )
            .optional()?;
        let (sale_id, total, voided, on_account) =
            head.ok_or_else(|| crate::store::prune::missing_sale(self.connection(), "sale", &receipt))?;
        let mut statement = self.connection().prepare_cached(
            "SELECT l.line_no, p.name, l.quantity_milli, l.line_total_cents,
                    COALESCE(SUM(rl.quantity_milli), 0) AS returned_milli,
                    COALESCE(SUM(rl.amount_cents), 0) AS returned_cents
             FROM sale_line l
             JOIN product p ON p.id = l.product_id
             LEFT JOIN (refund_line rl JOIN refund r ON r.id = rl.refund_id)
                    ON r.sale_id = l.sale_id AND rl.sale_line_no = l.line_no
             WHERE l.sale_id = ?1
             GROUP BY l.line_no ORDER BY l.line_no",
        )?;
        let lines = statement.query_map([&sale_id], |row| {
            Ok(SoldLineView {
                line_no: row.get("line_no")?,
                product_name: row.get("name")?,
                quantity: quantity(row, "quantity_milli")?,
                line_total: money(row, "line_total_cents")?,
                returned: quantity(row, "returned_milli")?,
                returned_amount: money(row, "returned_cents")?,
            })
        })?;
        let lines = lines.collect::<rusqlite::Result<_>>()?;
        Ok(SoldReceipt { receipt_number: receipt, total, on_account, voided, lines })
    }

    /// What the server quarantined from this till, oldest first.
    pub fn quarantined_events(&self) -> Result<Vec<QuarantinedEvent>> {
        let mut statement = self.connection().prepare_cached(
            "SELECT device_seq, event_type, business_day, reason_code, reason_message, resolution, resolution_note
             FROM outbox WHERE status = 'quarantined' ORDER BY device_seq",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(QuarantinedEvent {
                device_seq: row.get("device_seq")?,
                event_type: row.get("event_type")?,
                business_day: row.get("business_day")?,
                reason_code: row.get("reason_code")?,
                reason_message: row.get("reason_message")?,
                resolution: row.get("resolution")?,
                resolution_note: row.get("resolution_note")?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// "0712345678" → "…678".
fn phone_hint(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let tail: String = digits[digits.len().saturating_sub(3)..].iter().collect();
    format!("…{tail}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_phone_number_is_shown_by_its_last_three_digits_only() {
        assert_eq!(super::phone_hint("0712 345 678"), "…678");
        assert_eq!(super::phone_hint("12"), "…12");
    }
}
