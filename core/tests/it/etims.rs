//! The eTIMS sales payload of each kind of document, field by field, with amounts worked out by
//! hand (issue "KRA eTIMS from an offline till": Mapping). VAT per line is
//! `round_half_up(total × rate / (1 + rate))`, as the books post it.

use chrono::DateTime;
use tillbook_core::documents::lpg::LpgSale;
use tillbook_core::documents::reversal::{Refund, RefundLine};
use tillbook_core::documents::sale::{Sale, SaleLine};
use tillbook_core::documents::tender::Tender;
use tillbook_core::documents::{Document, LaundryDropOff, LaundryItem, NewCylinder, TenderMethod};
use tillbook_core::etims::{EtimsError, Invoice, Issuer, ItemKey, ItemRef, Receipt, lines_of, sales_payload};
use tillbook_core::ids::{CustomerId, CylinderTypeId, DocumentId, LaundryServiceId, ProductId};
use tillbook_core::{Money, Quantity, VatRate};

fn money(text: &str) -> Money {
    text.parse().unwrap()
}

fn quantity(text: &str) -> Quantity {
    text.parse().unwrap()
}

fn rate(text: &str) -> VatRate {
    text.parse().unwrap()
}

fn tender(method: TenderMethod, amount: &str) -> Tender {
    Tender { method, amount: money(amount), mpesa_code: None, customer_id: None }
}

/// Every item registered, its code saying what it is.
fn registered(key: ItemKey) -> Option<ItemRef> {
    let (code, name, unit) = match key {
        ItemKey::Product(_) => ("KE2NTU0000001", "Product", "U"),
        ItemKey::Gas(_) => ("KE2NTKG0000002", "LPG gas", "U"),
        ItemKey::Cylinder(_) => ("KE2NTU0000003", "LPG cylinder", "U"),
        ItemKey::Service(_) => ("KE3NTKG0000004", "Wash and fold", "KG"),
    };
    Some(ItemRef {
        code: code.into(),
        class_code: "5059690800".into(),
        name: name.into(),
        packaging_unit: "NT".into(),
        quantity_unit: unit.into(),
    })
}

fn issuer() -> Issuer {
    Issuer {
        tin: "P051234567X".into(),
        branch_id: "00".into(),
        user_id: "tillbook".into(),
        user_name: "Tillbook".into(),
    }
}

/// The payload of `document` as JSON text, numbered 7 (or a credit note of invoice 41).
fn payload(document: &Document, tenders: &[Tender], receipt_number: &str) -> String {
    let (credit_note, lines) = lines_of(document, &registered).expect("a sale or a credit note").unwrap();
    let invoice = Invoice {
        number: 7,
        receipt_number,
        receipt: if credit_note { Receipt::CreditNote { original: 41 } } else { Receipt::Sale },
        occurred_at: DateTime::parse_from_rfc3339("2026-11-21T14:03:22+03:00").unwrap(),
        lines,
        tenders,
        customer: None,
    };
    serde_json::to_string(&sales_payload(&invoice, &issuer()).unwrap()).unwrap()
}

#[track_caller]
fn has(json: &str, fields: &[&str]) {
    for field in fields {
        assert!(json.contains(field), "{field} missing from {json}");
    }
}

#[test]
fn a_water_sale_maps_to_every_field_of_the_payload() {
    let tenders = vec![tender(TenderMethod::Cash, "140.00")];
    let sale = Sale {
        sale_id: DocumentId::new(),
        receipt_number: "W1-000012".into(),
        lines: vec![SaleLine {
            product_id: ProductId::new(),
            quantity: quantity("2"),
            unit_price: money("70.00"),
            discount: Money::ZERO,
            vat_rate: rate("0.16"),
            line_total: money("140.00"),
        }],
        tenders: tenders.clone(),
        total: money("140.00"),
    };
    // 140.00 × 0.16 / 1.16 = 19.3103… → 19.31.
    let expected = r#"{"trdInvcNo":"W1-000012","invcNo":7,"orgInvcNo":0,"salesTyCd":"N","rcptTyCd":"S","pmtTyCd":"01","salesSttsCd":"02","cfmDt":"20261121140322","salesDt":"20261121","totItemCnt":1,"taxblAmtA":0,"taxblAmtB":140,"taxblAmtC":0,"taxblAmtD":0,"taxblAmtE":0,"taxRtA":0,"taxRtB":16,"taxRtC":0,"taxRtD":0,"taxRtE":8,"taxAmtA":0,"taxAmtB":19.31,"taxAmtC":0,"taxAmtD":0,"taxAmtE":0,"totTaxblAmt":140,"totTaxAmt":19.31,"totAmt":140,"prchrAcptcYn":"N","regrId":"tillbook","regrNm":"Tillbook","modrId":"tillbook","modrNm":"Tillbook","receipt":{"rcptPbctDt":"20261121140322","prchrAcptcYn":"N"},"itemList":[{"itemSeq":1,"itemCd":"KE2NTU0000001","itemClsCd":"5059690800","itemNm":"Product","pkgUnitCd":"NT","pkg":2,"qtyUnitCd":"U","qty":2,"prc":70,"splyAmt":140,"dcRt":0,"dcAmt":0,"taxTyCd":"B","taxblAmt":140,"taxAmt":19.31,"totAmt":140}]}"#;
    assert_eq!(payload(&Document::Sale(sale), &tenders, "W1-000012"), expected);
}

#[test]
fn a_retail_sale_with_three_vat_rates_and_a_discount_totals_each_tax_type() {
    let tenders = vec![tender(TenderMethod::Mpesa, "300.00"), tender(TenderMethod::Cash, "226.00")];
    let line = |price: &str, qty: &str, discount: &str, vat: &str, total: &str| SaleLine {
        product_id: ProductId::new(),
        quantity: quantity(qty),
        unit_price: money(price),
        discount: money(discount),
        vat_rate: rate(vat),
        line_total: money(total),
    };
    let sale = Sale {
        sale_id: DocumentId::new(),
        receipt_number: "R1-000003".into(),
        lines: vec![
            line("120.00", "3", "10.00", "0.16", "350.00"),
            line("85.50", "1", "0", "0", "85.50"),
            line("45.25", "2", "0", "0.08", "90.50"),
        ],
        tenders: tenders.clone(),
        total: money("526.00"),
    };
    let json = payload(&Document::Sale(sale), &tenders, "R1-000003");
    has(
        &json,
        &[
            // M-Pesa and cash together: "other".
            r#""pmtTyCd":"07""#,
            r#""totItemCnt":3"#,
            // B: 350.00 × 16/116 = 48.2758… → 48.28. C: zero-rated. E: 90.50 × 8/108 = 6.7037… → 6.70.
            r#""taxblAmtB":350,"taxblAmtC":85.5,"taxblAmtD":0,"taxblAmtE":90.5"#,
            r#""taxAmtA":0,"taxAmtB":48.28,"taxAmtC":0,"taxAmtD":0,"taxAmtE":6.7"#,
            r#""totTaxblAmt":526,"totTaxAmt":54.98,"totAmt":526"#,
            // 3 × 120.00 = 360.00 supplied, 10.00 off: 2.777…% → 2.78.
            r#""qty":3,"prc":120,"splyAmt":360,"dcRt":2.78,"dcAmt":10,"taxTyCd":"B","taxblAmt":350,"taxAmt":48.28,"totAmt":350"#,
            r#""prc":85.5,"splyAmt":85.5,"dcRt":0,"dcAmt":0,"taxTyCd":"C","taxblAmt":85.5,"taxAmt":0,"totAmt":85.5"#,
            r#""prc":45.25,"splyAmt":90.5,"dcRt":0,"dcAmt":0,"taxTyCd":"E","taxblAmt":90.5,"taxAmt":6.7,"totAmt":90.5"#,
        ],
    );
}

#[test]
fn a_laundry_job_is_invoiced_at_drop_off_on_account_by_weight_and_by_piece() {
    let item = |qty: &str, price: &str, total: &str| LaundryItem {
        service_id: LaundryServiceId::new(),
        description: String::new(),
        quantity: quantity(qty),
        unit_price: money(price),
        vat_rate: rate("0.16"),
        line_total: money(total),
    };
    let job = LaundryDropOff {
        job_id: DocumentId::new(),
        ticket_number: "L1-000044".into(),
        customer_id: CustomerId::new(),
        items: vec![item("4.5", "150.00", "675.00"), item("2", "250.00", "500.00")],
        total: money("1175.00"),
        promised_at: DateTime::parse_from_rfc3339("2026-11-22T17:00:00+03:00").unwrap(),
        notes: String::new(),
    };
    let json = payload(&Document::LaundryDropOff(job), &[], "L1-000044");
    has(
        &json,
        &[
            // Paid later: on account.
            r#""pmtTyCd":"02""#,
            r#""qtyUnitCd":"KG","qty":4.5,"prc":150,"splyAmt":675"#,
            // 675.00 × 16/116 = 93.1034… → 93.10; 500.00 → 68.9655… → 68.97.
            r#""taxAmt":93.1,"totAmt":675"#,
            r#""taxAmt":68.97,"totAmt":500"#,
            r#""taxblAmtB":1175"#,
            r#""totTaxAmt":162.07,"totAmt":1175"#,
        ],
    );
}

fn lpg(new_cylinder: Option<NewCylinder>) -> LpgSale {
    let (charge, cylinders) = match new_cylinder {
        Some(NewCylinder::Sale) => ("4500.00", "4500.00"),
        Some(NewCylinder::Deposit) => ("2000.00", "2000.00"),
        None => ("0", "0"),
    };
    let cylinder_total = money(cylinders);
    LpgSale {
        sale_id: DocumentId::new(),
        receipt_number: "G1-000009".into(),
        cylinder_type_id: CylinderTypeId::new(),
        quantity: quantity("1"),
        empty_in: None,
        new_cylinder,
        gas_price: money("2900.00"),
        gas_total: money("2900.00"),
        cylinder_charge: money(charge),
        cylinder_total,
        vat_rate: rate("0.16"),
        tenders: vec![],
        total: money("2900.00").checked_add(cylinder_total).unwrap(),
    }
}

#[test]
fn an_lpg_sale_sends_the_gas_and_a_sold_cylinder_but_never_a_deposit() {
    let tenders = vec![tender(TenderMethod::Mpesa, "7400.00")];
    let json = payload(&Document::LpgSale(lpg(Some(NewCylinder::Sale))), &tenders, "G1-000009");
    has(
        &json,
        &[
            r#""pmtTyCd":"06""#,
            r#""totItemCnt":2"#,
            // 2,900.00 × 16/116 = 400.00 exactly; 4,500.00 → 620.6896… → 620.69.
            r#""itemCd":"KE2NTKG0000002","itemClsCd":"5059690800","itemNm":"LPG gas","pkgUnitCd":"NT","pkg":1,"qtyUnitCd":"U","qty":1,"prc":2900,"splyAmt":2900,"dcRt":0,"dcAmt":0,"taxTyCd":"B","taxblAmt":2900,"taxAmt":400,"totAmt":2900"#,
            r#""itemCd":"KE2NTU0000003","itemClsCd":"5059690800","itemNm":"LPG cylinder","pkgUnitCd":"NT","pkg":1,"qtyUnitCd":"U","qty":1,"prc":4500,"splyAmt":4500,"dcRt":0,"dcAmt":0,"taxTyCd":"B","taxblAmt":4500,"taxAmt":620.69,"totAmt":4500"#,
            r#""totTaxblAmt":7400,"totTaxAmt":1020.69,"totAmt":7400"#,
        ],
    );
    // A deposit is the customer's money held, not a supply: only the gas is sold.
    let json = payload(&Document::LpgSale(lpg(Some(NewCylinder::Deposit))), &tenders, "G1-000010");
    has(&json, &[r#""totItemCnt":1"#, r#""totTaxblAmt":2900,"totTaxAmt":400,"totAmt":2900"#]);
    assert!(!json.contains("LPG cylinder"), "{json}");
}

#[test]
fn a_refund_is_a_credit_note_naming_the_original_invoice() {
    let refund = Refund {
        refund_id: DocumentId::new(),
        receipt_number: "R1-000004".into(),
        sale_id: DocumentId::new(),
        // One of three sold at 120.00 less 10.00 on the line: 350.00 / 3 = 116.666… → 116.67.
        lines: vec![RefundLine {
            product_id: ProductId::new(),
            quantity: quantity("1"),
            amount: money("116.67"),
            vat_rate: rate("0.16"),
            unit_cost: money("80.00"),
        }],
        tenders: vec![tender(TenderMethod::Cash, "116.67")],
        total: money("116.67"),
        reason: "leaking".into(),
    };
    let tenders = refund.tenders.clone();
    let json = payload(&Document::Refund(refund), &tenders, "R1-000004");
    has(
        &json,
        &[
            r#""trdInvcNo":"R1-000004","invcNo":7,"orgInvcNo":41"#,
            r#""rcptTyCd":"R","pmtTyCd":"01","salesSttsCd":"05""#,
            r#""rfdDt":"20261121140322","rfdRsnCd":"06""#,
            // 116.67 × 16/116 = 16.0924… → 16.09.
            r#""qty":1,"prc":116.67,"splyAmt":116.67,"dcRt":0,"dcAmt":0,"taxTyCd":"B","taxblAmt":116.67,"taxAmt":16.09,"totAmt":116.67"#,
            r#""totTaxblAmt":116.67,"totTaxAmt":16.09,"totAmt":116.67"#,
        ],
    );
}

#[test]
fn what_cannot_be_mapped_is_refused_in_words() {
    let sale = |vat: &str| {
        Document::Sale(Sale {
            sale_id: DocumentId::new(),
            receipt_number: "W1-000013".into(),
            lines: vec![SaleLine {
                product_id: ProductId::new(),
                quantity: quantity("1"),
                unit_price: money("70.00"),
                discount: Money::ZERO,
                vat_rate: rate(vat),
                line_total: money("70.00"),
            }],
            tenders: vec![],
            total: money("70.00"),
        })
    };
    let unregistered = lines_of(&sale("0.16"), &|_| None).unwrap().unwrap_err();
    assert!(matches!(unregistered, EtimsError::Unregistered(ItemKey::Product(_))), "{unregistered}");
    let (_, lines) = lines_of(&sale("0.14"), &registered).unwrap().unwrap();
    let invoice = Invoice {
        number: 8,
        receipt_number: "W1-000013",
        receipt: Receipt::Sale,
        occurred_at: DateTime::parse_from_rfc3339("2026-11-21T14:03:22+03:00").unwrap(),
        lines,
        tenders: &[],
        customer: None,
    };
    let error = sales_payload(&invoice, &issuer()).unwrap_err();
    assert_eq!(error.to_string(), "VAT rate 0.14 has no eTIMS tax type (16%, 8% and 0% have)");
    let payment = Document::CashMovement(tillbook_core::documents::CashMovement {
        movement_id: DocumentId::new(),
        kind: tillbook_core::documents::CashMovementKind::ALL[0],
        amount: money("10.00"),
        note: String::new(),
    });
    assert!(lines_of(&payment, &registered).is_none(), "a cash movement is no sale");
}

#[test]
fn a_void_and_a_cancelled_laundry_job_reverse_their_original_and_nothing_else_does() {
    use tillbook_core::documents::reversal::Void;
    use tillbook_core::documents::{JobStatus, LaundryStatusChange};
    let (sale, job) = (DocumentId::new(), DocumentId::new());
    let void = |original_type: &str| Void {
        void_id: DocumentId::new(),
        document_id: sale,
        original_type: original_type.into(),
        reason: "wrong item".into(),
    };
    assert_eq!(tillbook_core::etims::reversed(&Document::SaleVoided(void("sale.recorded"))), Some(sale));
    assert_eq!(tillbook_core::etims::reversed(&Document::DocumentVoided(void("lpg.exchanged"))), Some(sale));
    let change = |to: JobStatus| {
        Document::LaundryStatusChange(LaundryStatusChange {
            job_id: job,
            ticket_number: "L-000001".into(),
            from: JobStatus::Received,
            to,
            reason: String::new(),
            paid: Money::ZERO,
        })
    };
    assert_eq!(tillbook_core::etims::reversed(&change(JobStatus::Cancelled)), Some(job));
    assert_eq!(tillbook_core::etims::reversed(&change(JobStatus::Ready)), None, "a job made ready reverses nothing");
}
