//! Every report as CSV, for the accountant's spreadsheet: one header row, amounts as decimal
//! strings exactly as the report has them, sections of a statement in a `section` column.

use serde::Serialize;

use super::customers::{Aging, Statement};
use super::ledger::{AccountLine, BalanceSheet, CashPosition, ProfitAndLoss, TrialBalance};
use super::sales::SalesDay;
use super::stock::StockReport;
use super::tills::TillStatus;
use tillbook_core::Money;

/// Writes rows of one flat shape, every text cell [`neutralised`].
fn write<R: Serialize>(rows: impl IntoIterator<Item = R>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.serialize(row).expect("report rows are flat and serialise");
    }
    let plain = writer.into_inner().expect("writing to memory cannot fail");
    // Read back as records, so each cell is neutralised after serde wrote it, whatever its type.
    // Raw bytes and flexible lengths: reading a slice can then fail on nothing at all.
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(plain.as_slice());
    let mut safe = csv::Writer::from_writer(Vec::new());
    for record in reader.byte_records().flatten() {
        let cells = record.iter().map(|cell| neutralised(&String::from_utf8_lossy(cell)).into_owned());
        safe.write_record(cells.collect::<Vec<_>>()).expect("writing to memory cannot fail");
    }
    String::from_utf8(safe.into_inner().expect("writing to memory cannot fail")).expect("CSV of UTF-8 text")
}

/// A cell a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return: a customer named `=HYPERLINK(…)`) gets a leading `'`, so it shows as the
/// text it is. A negative amount stays a number: `-12.50` is an amount, not a formula (no
/// amount is written with a `+`).
pub fn neutralised(cell: &str) -> std::borrow::Cow<'_, str> {
    let formula = cell.starts_with(['=', '+', '@', '\t', '\r'])
        || (cell.starts_with('-') && cell.parse::<rust_decimal::Decimal>().is_err());
    if formula { std::borrow::Cow::Owned(format!("'{cell}")) } else { std::borrow::Cow::Borrowed(cell) }
}

#[derive(Serialize)]
struct SectionRow<'a> {
    section: &'a str,
    account_code: Option<i16>,
    account_name: &'a str,
    debit: Option<Money>,
    credit: Option<Money>,
    amount: Money,
}

fn section_rows<'a>(section: &'a str, lines: &'a [AccountLine]) -> impl Iterator<Item = SectionRow<'a>> {
    lines.iter().map(move |line| SectionRow {
        section,
        account_code: Some(line.account_code),
        account_name: &line.account_name,
        debit: Some(line.debit),
        credit: Some(line.credit),
        amount: line.balance,
    })
}

fn total_row(section: &str, amount: Money) -> SectionRow<'_> {
    SectionRow { section, account_code: None, account_name: "", debit: None, credit: None, amount }
}

pub fn trial_balance(report: &TrialBalance) -> String {
    #[derive(Serialize)]
    struct Row<'a> {
        account_code: Option<i16>,
        account_name: &'a str,
        debit: Money,
        credit: Money,
    }
    let lines = report.lines.iter().map(|line| Row {
        account_code: Some(line.account_code),
        account_name: &line.account_name,
        debit: line.debit,
        credit: line.credit,
    });
    let total =
        Row { account_code: None, account_name: "Total", debit: report.total_debit, credit: report.total_credit };
    write(lines.chain(std::iter::once(total)))
}

pub fn profit_and_loss(report: &ProfitAndLoss) -> String {
    let rows = section_rows("revenue", &report.revenue)
        .chain(std::iter::once(total_row("total revenue", report.total_revenue)))
        .chain(section_rows("expenses", &report.expenses))
        .chain(std::iter::once(total_row("total expenses", report.total_expenses)))
        .chain(std::iter::once(total_row("net profit", report.net_profit)));
    write(rows)
}

pub fn balance_sheet(report: &BalanceSheet) -> String {
    let rows = section_rows("assets", &report.assets)
        .chain(std::iter::once(total_row("total assets", report.total_assets)))
        .chain(section_rows("liabilities", &report.liabilities))
        .chain(std::iter::once(total_row("total liabilities", report.total_liabilities)))
        .chain(section_rows("equity", &report.equity))
        .chain(std::iter::once(total_row("earnings", report.earnings)))
        .chain(std::iter::once(total_row("total equity", report.total_equity)));
    write(rows)
}

pub fn cash_position(rows: &[CashPosition]) -> String {
    write(rows)
}

pub fn sales(rows: &[SalesDay]) -> String {
    write(rows)
}

pub fn stock(report: &StockReport) -> String {
    #[derive(Serialize)]
    struct Row<'a> {
        business_code: &'a str,
        item: String,
        quantity: String,
        full: Option<i64>,
        empty: Option<i64>,
        unit_cost: Option<Money>,
        value: Option<Money>,
        negative: bool,
    }
    let products = report.products.iter().map(|line| Row {
        business_code: &line.business_code,
        item: line.product.clone(),
        quantity: format!("{} {}", line.quantity, line.unit),
        full: None,
        empty: None,
        unit_cost: Some(line.unit_cost),
        value: Some(line.value),
        negative: line.negative,
    });
    let cylinders = report.cylinders.iter().map(|line| Row {
        business_code: &line.business_code,
        item: format!("{} kg {}", line.size_kg, line.brand),
        quantity: String::new(),
        full: Some(line.full),
        empty: Some(line.empty),
        unit_cost: None,
        value: None,
        negative: line.negative,
    });
    write(products.chain(cylinders))
}

/// The staff list, their businesses in one cell.
pub fn staff(rows: &[crate::maintenance::StaffLine]) -> String {
    #[derive(Serialize)]
    struct Row<'a> {
        id: uuid::Uuid,
        name: &'a str,
        role: &'a str,
        businesses: String,
        active: bool,
    }
    write(rows.iter().map(|member| Row {
        id: member.id,
        name: &member.name,
        role: &member.role,
        businesses: member.businesses.join(" "),
        active: member.active,
    }))
}

pub fn businesses(rows: &[crate::setup::BusinessLine]) -> String {
    #[derive(Serialize)]
    struct Row<'a> {
        id: uuid::Uuid,
        code: &'a str,
        name: &'a str,
        kind: &'a str,
        kra_pin: &'a str,
        address: &'a str,
        phone: &'a str,
        mpesa_number: &'a str,
        vat_registered: bool,
        active: bool,
    }
    write(rows.iter().map(|line| {
        let (business, profile) = (&line.business, &line.business.profile);
        Row {
            id: business.id.0,
            code: &business.code,
            name: &business.name,
            kind: business.kind.as_str(),
            kra_pin: &profile.kra_pin,
            address: &profile.address,
            phone: &profile.phone,
            mpesa_number: &profile.mpesa_number,
            vat_registered: profile.vat_registered,
            active: line.active,
        }
    }))
}

pub fn tills(rows: &[TillStatus]) -> String {
    #[derive(Serialize)]
    struct Row<'a> {
        till_code: &'a str,
        name: &'a str,
        businesses: String,
        last_seen_at: Option<String>,
        merged_through: i64,
        pending_reported: Option<i64>,
        days_not_synced: i64,
        revoked: bool,
        stuck: Option<&'a str>,
        etims_unsigned: i64,
        oldest_unsigned_at: Option<String>,
    }
    write(rows.iter().map(|till| Row {
        till_code: &till.till_code,
        name: &till.name,
        businesses: till.businesses.join(" "),
        last_seen_at: till.last_seen_at.map(|at| at.to_rfc3339()),
        merged_through: till.merged_through,
        pending_reported: till.pending_reported,
        days_not_synced: till.days_not_synced,
        revoked: till.revoked,
        stuck: till.stuck.as_deref(),
        etims_unsigned: till.unsigned,
        oldest_unsigned_at: till.oldest_unsigned_at.map(|at| at.to_rfc3339()),
    }))
}

pub fn aging(report: &Aging) -> String {
    write(report.customers.iter().chain(std::iter::once(&report.total)))
}

pub fn statement(report: &Statement) -> String {
    write(&report.invoices)
}

/// A list of flat rows as they are (the review queue, products, staff).
pub fn rows<R: Serialize>(rows: &[R]) -> String {
    write(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_amounts_stay_numbers() {
        for formula in ["=HYPERLINK(\"http://x\")", "+254700", "-2+3", "@SUM(A1)", "\tx", "\r=1"] {
            assert_eq!(neutralised(formula), format!("'{formula}"));
        }
        for plain in ["-12.50", "150.00", "Wanjiru", "", "0.16"] {
            assert_eq!(neutralised(plain), plain);
        }
        #[derive(Serialize)]
        struct Row<'a> {
            name: &'a str,
            owed: Money,
        }
        let text = write([Row { name: "=HYPERLINK(\"http://x\",\"pay\")", owed: "-3.00".parse().unwrap() }]);
        assert_eq!(text, "name,owed\n\"'=HYPERLINK(\"\"http://x\"\",\"\"pay\"\")\",-3.00\n");
    }
}

/// One row of the VAT return's CSV, in the order of KRA's VAT3 schedules: the sales by rate, the
/// purchases by rate, each purchase invoice (supplier PIN, name, date, number), then the totals.
#[derive(Serialize)]
struct VatRow<'a> {
    section: &'a str,
    rate: Option<rust_decimal::Decimal>,
    invoice_date: Option<chrono::NaiveDate>,
    supplier_pin: &'a str,
    supplier_name: &'a str,
    invoice_number: &'a str,
    net: Option<Money>,
    vat: Money,
}

pub fn vat_return(report: &super::vat::VatReturn) -> String {
    let blank = VatRow {
        section: "",
        rate: None,
        invoice_date: None,
        supplier_pin: "",
        supplier_name: "",
        invoice_number: "",
        net: None,
        vat: Money::ZERO,
    };
    let by_rate = |section, lines: &[super::vat::RateLine]| {
        lines
            .iter()
            .map(|line| VatRow { section, rate: Some(line.rate), net: Some(line.net), vat: line.vat, ..blank })
            .collect::<Vec<_>>()
    };
    let mut rows = by_rate("sales", &report.sales);
    rows.extend(by_rate("purchases", &report.purchases));
    rows.extend(report.purchase_invoices.iter().map(|invoice| VatRow {
        section: "purchase invoice",
        invoice_date: Some(invoice.invoice_date),
        supplier_pin: &invoice.supplier_pin,
        supplier_name: &invoice.supplier_name,
        invoice_number: &invoice.invoice_number,
        net: Some(invoice.net),
        vat: invoice.vat,
        ..blank
    }));
    for (section, vat) in
        [("output VAT", report.output_vat), ("input VAT", report.input_vat), ("net payable", report.net_payable)]
    {
        rows.push(VatRow { section, vat, ..blank });
    }
    write(rows)
}
