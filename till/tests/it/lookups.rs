//! What the counter screens pick from and show before anything is recorded: the LPG quote, the
//! customers with what they owe, the expense accounts, recent receipts and quarantined events.

use tillbook_core::Money;
use tillbook_core::catalog::Role;
use tillbook_core::chart::BusinessKind;
use tillbook_core::documents::{NewCylinder, TenderInput, TenderMethod};
use tillbook_core::seed;
use tillbook_till::demo::cash;
use tillbook_till::*;

use crate::common::*;

fn cylinder(kg: i64, brand: &str) -> tillbook_core::ids::CylinderTypeId {
    data()
        .cylinder_types
        .into_iter()
        .find(|c| c.size_kg == tillbook_core::Quantity::whole(kg) && c.brand == brand)
        .unwrap()
        .id
}

#[test]
fn an_lpg_quote_is_what_the_sale_then_charges_and_records_nothing() {
    let dir = TempDir::new("lpg-quote");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Retail);
    till.open_shift(&cashier, money("0")).unwrap();
    for (empty_in, new_cylinder, total, vat, deposit) in [
        (Some(cylinder(6, "ProGas")), None, "1250.00", "172.41", "0"),
        (None, Some(NewCylinder::Deposit), "3250.00", "172.41", "2000.00"),
        (None, Some(NewCylinder::Sale), "4450.00", "613.79", "0"),
    ] {
        let mut request = LpgRequest {
            cylinder_type_id: cylinder(6, "K-Gas"),
            quantity: 1,
            empty_in,
            new_cylinder,
            tenders: Vec::new(),
        };
        let events = till.outbox_counts().unwrap().pending;
        let quote = till.quote_lpg(&cashier, &request).unwrap();
        assert_eq!((quote.total, quote.vat, quote.deposit), (money(total), money(vat), money(deposit)));
        assert_eq!(till.outbox_counts().unwrap().pending, events, "a quote records nothing");
        request.tenders = vec![cash(total)];
        let sale = till.lpg_sale(&cashier, &request).unwrap();
        assert_eq!((sale.total, sale.vat), (quote.total, quote.vat), "the sale charges what was quoted");
        let copy =
            tillbook_till::receipt::ReceiptView::reprint(&till, cashier.business_id, &sale.receipt_number).unwrap();
        assert_eq!((copy.kind, copy.total, copy.vat, copy.lines.len()), ("lpg", sale.total, sale.vat, 1), "the copy");
        assert!(copy.header.as_ref().is_some_and(|header| header.copy) && copy.lines[0].text.ends_with("K-Gas gas"));
        till.void_receipt(
            &cashier,
            &login(&till, Role::Supervisor, BusinessKind::Retail),
            &sale.receipt_number,
            "test",
        )
        .unwrap();
    }
    let refused = till.quote_lpg(
        &cashier,
        &LpgRequest {
            cylinder_type_id: cylinder(6, "K-Gas"),
            quantity: 0,
            empty_in: None,
            new_cylinder: None,
            tenders: vec![],
        },
    );
    assert_eq!(refused.unwrap_err().code(), "quantity_not_positive");
}

#[test]
fn the_counter_lists_customers_with_what_they_owe_and_recent_receipts_with_voids() {
    let dir = TempDir::new("lookups");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Retail);
    let supervisor = login(&till, Role::Supervisor, BusinessKind::Retail);
    till.open_shift(&cashier, money("0")).unwrap();
    let hotel = data().customers.into_iter().find(|c| c.name == "Hotel Kilimanjaro").unwrap();
    let on_credit = TenderInput {
        method: TenderMethod::Credit,
        amount: money("180"),
        mpesa_code: None,
        customer_id: Some(hotel.id),
    };
    let sugar = SaleLineRequest { product_id: product("Sugar 1 kg"), quantity: q("1"), discount: money("0") };
    let first =
        till.record_sale(&cashier, &SaleRequest { lines: vec![sugar.clone()], tenders: vec![on_credit] }).unwrap();
    let second = till.record_sale(&cashier, &SaleRequest { lines: vec![sugar], tenders: vec![cash("200")] }).unwrap();
    till.void_receipt(&cashier, &supervisor, &second.receipt_number, "rang up twice").unwrap();

    let found = till.find_customers("kilim").unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].name.as_str(), found[0].outstanding), ("Hotel Kilimanjaro", money("180.00")));
    assert_eq!(found[0].phone_hint.as_deref(), Some("…111"), "only the last digits of a phone are shown");
    assert_eq!(till.find_customers("").unwrap().len(), data().customers.len());
    assert!(till.find_customers("%").unwrap().len() == data().customers.len(), "a wildcard is not special");

    let receipts = till.recent_receipts(seed::business_id(BusinessKind::Retail), 10).unwrap();
    let shown: Vec<_> = receipts.iter().map(|r| (r.receipt_number.as_str(), r.total, r.voided)).collect();
    assert_eq!(
        shown,
        [
            (second.receipt_number.as_str(), money("180.00"), true),
            (first.receipt_number.as_str(), money("180.00"), false)
        ],
        "newest first, the void marked"
    );
    assert!(till.recent_receipts(seed::business_id(BusinessKind::Water), 10).unwrap().is_empty());

    let accounts: Vec<u16> = till.expense_accounts().unwrap().iter().map(|a| a.code.number()).collect();
    assert_eq!(accounts, [6100, 6200, 6300, 6400, 6500], "operating expenses, not cost of sales or cash short");
    assert!(till.quarantined_events().unwrap().is_empty());
    let services = till.laundry_services(seed::business_id(BusinessKind::Laundry)).unwrap();
    assert_eq!(services.len(), data().laundry_services.len());
    assert_eq!(till.cylinder_types(seed::business_id(BusinessKind::Retail)).unwrap().len(), 6);
}

/// A VAT-registered business's receipt says the KRA details will follow until head office has
/// KRA's answer; once the till pulls it, a reprint carries the CU number, signature and QR text.
#[test]
fn a_reprint_carries_kras_signature_once_pulled_and_says_it_will_follow_until_then() {
    use tillbook_core::protocol::{Change, Entity};
    use tillbook_till::receipt::{ReceiptHeader, ReceiptView};
    let dir = TempDir::new("etims-receipt");
    let mut till = demo_till(&dir);
    let water = login(&till, Role::Cashier, BusinessKind::Water);
    till.open_shift(&water, Money::from_cents(100_000)).unwrap();
    // Head office says the business charges VAT (its profile, as pulled with the business).
    till.connection()
        .execute(
            "UPDATE business SET profile = json_set(profile, '$.vat_registered', json('true'), '$.kra_pin', 'P051234567X')
              WHERE id = ?1",
            [water.business_id.to_string()],
        )
        .unwrap();
    let request = SaleRequest {
        lines: vec![SaleLineRequest { product_id: product("Refill 20 L"), quantity: q("1"), discount: Money::ZERO }],
        tenders: vec![tillbook_till::demo::cash("100")],
    };
    let sale = till.record_sale(&water, &request).unwrap();
    let header = ReceiptHeader::of(&till, &water, &sale.recorded).unwrap();
    let receipt = ReceiptView::sale(sale.clone(), |_| "Refill 20 L".into()).issued(header);
    assert!(receipt.kra_pending && receipt.kra.is_none(), "the first receipt says KRA's details will follow");
    let copy = ReceiptView::reprint(&till, water.business_id, &sale.receipt_number).unwrap();
    assert!(copy.kra_pending && copy.kra.is_none());

    let signature = tillbook_core::etims::Signature {
        document_id: sale.sale_id,
        invoice_number: 17,
        control_unit: "KRACU0100000001".into(),
        cu_receipt_number: "17".into(),
        cu_date_time: "20261121140330".into(),
        receipt_signature: "QUII27MATATSHFRB".into(),
        internal_data: "EAHSAV6ECUUXSY6PCCJYAUP6MI".into(),
        qr: tillbook_core::etims::qr_text(false, "P051234567X", "00", "QUII27MATATSHFRB"),
    };
    let change = Change {
        seq: 90,
        entity: Entity::EtimsReceipt,
        op: "upsert".into(),
        data: serde_json::to_value(&signature).unwrap(),
    };
    sync::store::apply_changes(till.connection_mut(), &[change], 90, "2026-11-21T15:00:00+03:00").unwrap();
    let copy = ReceiptView::reprint(&till, water.business_id, &sale.receipt_number).unwrap();
    assert!(!copy.kra_pending);
    assert_eq!(copy.kra.as_ref(), Some(&signature));
    assert_eq!(
        signature.qr,
        "https://etims-sbx.kra.go.ke/common/link/etims/receipt/indexEtimsReceiptData?Data=P051234567X00QUII27MATATSHFRB"
    );
    // The QR code is drawn for the receipt: an SVG of dark squares at least 120 units across,
    // with no text in it for the UI to trust.
    let svg = copy.kra_qr_svg.as_deref().expect("the QR code is drawn once KRA's answer is here");
    assert!(svg.starts_with("<?xml") && svg.contains("<svg") && svg.contains("<path"), "{svg}");
    let width: u32 = svg.split("width=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap().parse().unwrap();
    assert!(width >= 120, "{width}");
    assert!(!svg.contains("<text") && !svg.contains("<script"));
    assert!(ReceiptView::reprint(&till, water.business_id, &sale.receipt_number).unwrap().kra_qr_svg.is_some());
}
