//! Worked examples: each document type posted and checked to the cent against a journal
//! computed by hand (VAT 16% inclusive: vat = round_half_up(amount × 0.16 / 1.16)).

use chrono::DateTime;
use tillbook_core::chart::BusinessKind;
use tillbook_core::documents::*;
use tillbook_core::ids::{DocumentId, EntryId, ShiftId, SupplierId};
use tillbook_core::money::VatRate;
use tillbook_core::{JournalEntry, Money, Quantity, seed};

use crate::common::{MemoryLookup, assert_journal, money};

fn post(lookup: &MemoryLookup, kind: BusinessKind, document: &Document) -> JournalEntry {
    document.post(&lookup.business(kind), lookup, EntryId::new()).unwrap().expect("this document posts")
}

fn q(text: &str) -> Quantity {
    text.parse().unwrap()
}

#[test]
fn water_refill_sale_in_cash() {
    let lookup = MemoryLookup::demo();
    let refill = lookup.product("Refill 20 L");
    let line = SaleLine::priced(&refill, q("2"), money("0"), 0).unwrap();
    let sale = Sale {
        sale_id: DocumentId::new(),
        receipt_number: "W1-000001".into(),
        tenders: vec![Tender::cash(money("140.00"))],
        total: line.line_total,
        lines: vec![line],
    };
    // 140 × 0.16 / 1.16 = 19.3103… → 19.31; net 120.69. Refills are not stocked.
    assert_journal(
        &post(&lookup, BusinessKind::Water, &Document::Sale(sale)),
        &[(1110, "Dr", "140.00"), (4100, "Cr", "120.69"), (2200, "Cr", "19.31")],
    );
}

#[test]
fn retail_sale_with_zero_rated_and_standard_lines_and_split_tender() {
    let lookup = MemoryLookup::demo();
    let lines = vec![
        SaleLine::priced(&lookup.product("Maize flour 2 kg"), q("2"), money("0"), 0).unwrap(), // 420.00, 0%
        SaleLine::priced(&lookup.product("Sugar 1 kg"), q("1"), money("0"), 1).unwrap(),       // 180.00 → VAT 24.83
        SaleLine::priced(&lookup.product("Cooking oil 1 L"), q("1"), money("0"), 2).unwrap(),  // 350.00 → VAT 48.28
    ];
    let sale = Sale {
        sale_id: DocumentId::new(),
        receipt_number: "R1-000001".into(),
        total: Sale::total_of(&lines).unwrap(),
        lines,
        tenders: vec![Tender::cash(money("500")), Tender::mpesa(money("450"), "QK41ABC2XY")],
    };
    assert_eq!(sale.total, money("950.00"));
    // Revenue 420 + 155.17 + 301.72 = 876.89; VAT 73.11; cost 2×180 + 150 + 290 = 800.
    assert_journal(
        &post(&lookup, BusinessKind::Retail, &Document::Sale(sale)),
        &[
            (1130, "Dr", "500.00"),
            (1142, "Dr", "450.00"),
            (4300, "Cr", "876.89"),
            (2200, "Cr", "73.11"),
            (5300, "Dr", "800.00"),
            (1220, "Cr", "800.00"),
        ],
    );
}

#[test]
fn discounted_line_posts_vat_on_the_discounted_total_and_credit_goes_to_receivable() {
    let lookup = MemoryLookup::demo();
    let customer = lookup.customer("Hotel Kilimanjaro");
    let line = SaleLine::priced(&lookup.product("Sealed bottle 500 ml"), q("6"), money("10"), 0).unwrap();
    assert_eq!(line.line_total, money("170.00"));
    let sale = Sale {
        sale_id: DocumentId::new(),
        receipt_number: "W1-000002".into(),
        total: line.line_total,
        lines: vec![line],
        tenders: vec![Tender::credit(money("170.00"), customer.id)],
    };
    // 170 × 0.16 / 1.16 = 23.448… → 23.45; net 146.55; cost 6 × 12 = 72.
    assert_journal(
        &post(&lookup, BusinessKind::Water, &Document::Sale(sale)),
        &[
            (1310, "Dr", "170.00"),
            (4100, "Cr", "146.55"),
            (2200, "Cr", "23.45"),
            (5100, "Dr", "72.00"),
            (1210, "Cr", "72.00"),
        ],
    );
}

fn drop_off(lookup: &MemoryLookup) -> LaundryDropOff {
    let wash = lookup.service("Wash & fold");
    let duvet = lookup.service("Duvet");
    let items = vec![
        LaundryItem {
            service_id: wash.id,
            description: "Family wash".into(),
            quantity: q("4.5"),
            unit_price: wash.price,
            vat_rate: wash.vat_rate,
            line_total: money("540.00"),
        },
        LaundryItem {
            service_id: duvet.id,
            description: "Blue duvet".into(),
            quantity: q("1"),
            unit_price: duvet.price,
            vat_rate: duvet.vat_rate,
            line_total: money("700.00"),
        },
    ];
    LaundryDropOff {
        job_id: DocumentId::new(),
        ticket_number: "L1-000001".into(),
        customer_id: lookup.customer("Mama Njeri").id,
        items,
        total: money("1240.00"),
        promised_at: DateTime::parse_from_rfc3339("2026-11-23T17:00:00+03:00").unwrap(),
        notes: String::new(),
    }
}

#[test]
fn laundry_drop_off_is_an_invoice_and_cancellation_reverses_it_keeping_payments_as_credit() {
    let lookup = MemoryLookup::demo();
    let job = drop_off(&lookup);
    let entry = post(&lookup, BusinessKind::Laundry, &Document::LaundryDropOff(job.clone()));
    // VAT 540 → 74.48, 700 → 96.55: 171.03; revenue 1068.97.
    assert_journal(&entry, &[(1320, "Dr", "1240.00"), (4200, "Cr", "1068.97"), (2200, "Cr", "171.03")]);

    lookup.record(job.job_id, entry);
    let cancel = LaundryStatusChange {
        job_id: job.job_id,
        ticket_number: job.ticket_number.clone(),
        from: JobStatus::Washing,
        to: JobStatus::Cancelled,
        reason: "customer changed mind".into(),
        paid: money("500.00"),
    };
    assert_journal(
        &post(&lookup, BusinessKind::Laundry, &Document::LaundryStatusChange(cancel)),
        &[
            (4200, "Dr", "1068.97"),
            (2200, "Dr", "171.03"),
            (1320, "Cr", "1240.00"),
            (1320, "Dr", "500.00"),
            (2300, "Cr", "500.00"),
        ],
    );
    let washing = LaundryStatusChange {
        job_id: job.job_id,
        ticket_number: job.ticket_number,
        from: JobStatus::Received,
        to: JobStatus::Washing,
        reason: String::new(),
        paid: money("0"),
    };
    let laundry = lookup.business(BusinessKind::Laundry);
    assert_eq!(Document::LaundryStatusChange(washing).post(&laundry, &lookup, EntryId::new()), Ok(None));
}

#[test]
fn laundry_payment_over_the_balance_goes_to_customer_deposits() {
    let lookup = MemoryLookup::demo();
    let payment = Payment {
        payment_id: DocumentId::new(),
        receipt_number: "L1-000002".into(),
        customer_id: lookup.customer("Mama Njeri").id,
        tenders: vec![Tender::mpesa(money("800.00"), "QK41ABC2XY")],
        allocations: vec![Allocation { invoice_id: DocumentId::new(), amount: money("740.00") }],
        unapplied: money("60.00"),
        total: money("800.00"),
    };
    assert_journal(
        &post(&lookup, BusinessKind::Laundry, &Document::LaundryPaid(payment)),
        &[(1141, "Dr", "800.00"), (1320, "Cr", "740.00"), (2300, "Cr", "60.00")],
    );
}

#[test]
fn lpg_exchange_posts_gas_revenue_vat_and_cost() {
    let lookup = MemoryLookup::demo();
    let full = lookup.cylinder(13, "K-Gas");
    let mut sale = LpgSale::priced(
        DocumentId::new(),
        "R1-000002".into(),
        &full,
        q("1"),
        Some(lookup.cylinder(13, "Total").id),
        None,
    )
    .unwrap();
    sale.tenders = vec![Tender::mpesa(money("2900"), "QK41ABE4YV")];
    // 2900 × 0.16 / 1.16 = 400.00 exactly.
    assert_journal(
        &post(&lookup, BusinessKind::Retail, &Document::LpgSale(sale)),
        &[
            (1142, "Dr", "2900.00"),
            (4310, "Cr", "2500.00"),
            (2200, "Cr", "400.00"),
            (5310, "Dr", "2350.00"),
            (1230, "Cr", "2350.00"),
        ],
    );
}

#[test]
fn lpg_new_cylinder_sold_outright_or_against_a_deposit() {
    let lookup = MemoryLookup::demo();
    let full = lookup.cylinder(6, "ProGas");
    let mut sold =
        LpgSale::priced(DocumentId::new(), "R1-000003".into(), &full, q("1"), None, Some(NewCylinder::Sale)).unwrap();
    sold.tenders = vec![Tender::cash(money("4450"))];
    // Gas 1250: VAT 172.41, net 1077.59. Cylinder 3200: VAT 441.38, net 2758.62. Costs 1000 + 2500.
    assert_journal(
        &post(&lookup, BusinessKind::Retail, &Document::LpgSale(sold)),
        &[
            (1130, "Dr", "4450.00"),
            (4310, "Cr", "1077.59"),
            (4320, "Cr", "2758.62"),
            (2200, "Cr", "613.79"),
            (5310, "Dr", "3500.00"),
            (1230, "Cr", "1000.00"),
            (1240, "Cr", "2500.00"),
        ],
    );
    let full = lookup.cylinder(13, "K-Gas");
    let mut lent =
        LpgSale::priced(DocumentId::new(), "R1-000004".into(), &full, q("1"), None, Some(NewCylinder::Deposit))
            .unwrap();
    lent.tenders = vec![Tender::cash(money("6900"))];
    // The deposit is a liability without VAT; the cylinder stays in inventory.
    assert_journal(
        &post(&lookup, BusinessKind::Retail, &Document::LpgSale(lent)),
        &[
            (1130, "Dr", "6900.00"),
            (4310, "Cr", "2500.00"),
            (2200, "Cr", "400.00"),
            (2310, "Cr", "4000.00"),
            (5310, "Dr", "2350.00"),
            (1230, "Cr", "2350.00"),
        ],
    );
}

/// The lent 13 kg K-Gas comes back: its 4,000.00 deposit is paid back by M-Pesa, no VAT, and
/// the empty cylinder is the shop's again. A deposit that is not today's, a credit tender, or
/// a refund short of the deposit are refused.
#[test]
fn a_deposit_is_paid_back_when_the_cylinder_comes_back() {
    let lookup = MemoryLookup::demo();
    let full = lookup.cylinder(13, "K-Gas");
    let mut back = DepositRefund::priced(DocumentId::new(), "R1-000005".into(), &full, q("1")).unwrap();
    back.tenders = vec![Tender::mpesa(money("4000"), "QK41DEP001")];
    let document = Document::DepositRefund(back.clone());
    assert_journal(
        &post(&lookup, BusinessKind::Retail, &document),
        &[(2310, "Dr", "4000.00"), (1142, "Cr", "4000.00")],
    );
    let effects = document.effects().unwrap();
    assert_eq!((effects.cylinders.len(), effects.cylinders[0].empty_delta, effects.money_back), (1, 1, true));

    let business = lookup.business(BusinessKind::Retail);
    let refused = |refund: DepositRefund| Document::DepositRefund(refund).validate(&business, &lookup).unwrap_err();
    let mut cheaper = back.clone();
    cheaper.deposit = money("3000");
    cheaper.total = money("3000");
    cheaper.tenders = vec![Tender::cash(money("3000"))];
    assert!(matches!(refused(cheaper), tillbook_core::DocumentError::TotalMismatch { .. }));
    let mut on_account = back.clone();
    on_account.tenders = vec![Tender {
        method: TenderMethod::Credit,
        amount: money("4000"),
        mpesa_code: None,
        customer_id: Some(lookup.customer("Mama Njeri").id),
    }];
    assert!(matches!(refused(on_account), tillbook_core::DocumentError::CreditNotAllowed(_)));
    let mut short = back;
    short.tenders = vec![Tender::cash(money("3999"))];
    assert!(matches!(refused(short), tillbook_core::DocumentError::TendersDoNotMatchTotal { .. }));
    let water = lookup.business(BusinessKind::Water);
    let elsewhere =
        Document::DepositRefund(DepositRefund::priced(DocumentId::new(), "W1-1".into(), &full, q("1")).unwrap());
    assert!(elsewhere.validate(&water, &lookup).is_err(), "a water shop keeps no cylinder deposits");
}

#[test]
fn payment_on_account_allocates_and_keeps_the_rest_unapplied() {
    let lookup = MemoryLookup::demo();
    let payment = Payment {
        payment_id: DocumentId::new(),
        receipt_number: "W1-000003".into(),
        customer_id: lookup.customer("Hotel Kilimanjaro").id,
        tenders: vec![Tender::cash(money("100")), Tender::mpesa(money("500"), "QK41ABC2XY")],
        allocations: vec![Allocation { invoice_id: DocumentId::new(), amount: money("450") }],
        unapplied: money("150"),
        total: money("600"),
    };
    assert_journal(
        &post(&lookup, BusinessKind::Water, &Document::PaymentReceived(payment)),
        &[(1110, "Dr", "100.00"), (1140, "Dr", "500.00"), (1310, "Cr", "450.00"), (2300, "Cr", "150.00")],
    );
}

#[test]
fn expense_and_every_cash_movement() {
    let lookup = MemoryLookup::demo();
    let expense = Expense {
        expense_id: DocumentId::new(),
        account: tillbook_core::chart::shared::TRANSPORT,
        amount: money("300"),
        description: "Boda boda".into(),
        paid_from: PaidFrom::Cash,
        vat_rate: VatRate::ZERO,
    };
    assert_journal(
        &post(&lookup, BusinessKind::Water, &Document::Expense(expense.clone())),
        &[(6400, "Dr", "300.00"), (1110, "Cr", "300.00")],
    );
    // Rent of 11,600.00 from the bank with 16% VAT inside: 10,000.00 rent, 1,600.00 input VAT.
    let rent = Expense {
        account: tillbook_core::chart::shared::RENT,
        amount: money("11600"),
        description: "Rent, December".into(),
        paid_from: PaidFrom::Bank,
        vat_rate: VatRate::STANDARD,
        ..expense
    };
    assert_journal(
        &post(&lookup, BusinessKind::Water, &Document::Expense(rent)),
        &[(2200, "Dr", "1600.00"), (6100, "Dr", "10000.00"), (1170, "Cr", "11600.00")],
    );
    for (kind, debit, credit) in [
        (CashMovementKind::FloatFromBank, 1130, 1170),
        (CashMovementKind::FloatFromOwner, 1130, 3100),
        (CashMovementKind::BankDeposit, 1170, 1130),
        (CashMovementKind::OwnerDrawing, 3200, 1130),
        (CashMovementKind::MpesaToBank, 1170, 1142),
    ] {
        let movement =
            CashMovement { movement_id: DocumentId::new(), kind, amount: money("1000"), note: String::new() };
        assert_journal(
            &post(&lookup, BusinessKind::Retail, &Document::CashMovement(movement)),
            &[(debit, "Dr", "1000.00"), (credit, "Cr", "1000.00")],
        );
    }
}

#[test]
fn stock_receipt_production_and_count() {
    let lookup = MemoryLookup::demo();
    let flour = lookup.product("Maize flour 2 kg");
    // Flour at 180.00 net + 16% VAT (28.80 a bag, 576.00 on 20); the gas refill zero-rated.
    let receipt = StockReceipt {
        receipt_id: DocumentId::new(),
        supplier: "Bidco Africa".into(),
        supplier_id: Some(seed::supplier_id(1)),
        reference: "BID-0042".into(),
        lines: vec![PurchaseLine {
            product_id: flour.id,
            quantity: q("20"),
            unit_cost: money("180"),
            line_cost: money("3600"),
            vat_rate: VatRate::STANDARD,
            vat: money("576"),
        }],
        cylinders: vec![CylinderRefill {
            cylinder_type_id: lookup.cylinder(13, "K-Gas").id,
            quantity: q("2"),
            unit_cost: money("2350"),
            line_cost: money("4700"),
            vat_rate: VatRate::ZERO,
            vat: Money::ZERO,
        }],
        total: money("8876"),
        paid_by: SupplierPayment::OnAccount,
    };
    assert_journal(
        &post(&lookup, BusinessKind::Retail, &Document::StockReceipt(receipt.clone())),
        &[(1220, "Dr", "3600.00"), (1230, "Dr", "4700.00"), (2200, "Dr", "576.00"), (2110, "Cr", "8876.00")],
    );
    let retail = lookup.business(BusinessKind::Retail);
    let refused = |receipt: StockReceipt| receipt.validate(&retail, &lookup).unwrap_err().code();
    // On account needs the supplier's record and their invoice number; the VAT is checked.
    assert_eq!(refused(StockReceipt { supplier_id: None, ..receipt.clone() }), "on_account_without_supplier");
    assert_eq!(refused(StockReceipt { reference: " ".into(), ..receipt.clone() }), "on_account_without_supplier");
    assert_eq!(refused(StockReceipt { supplier_id: Some(SupplierId::new()), ..receipt.clone() }), "unknown_supplier");
    let mut wrong_vat = receipt.clone();
    wrong_vat.lines[0].vat = money("575.99");
    assert_eq!(refused(wrong_vat), "vat_mismatch");
    assert_eq!(refused(StockReceipt { total: money("8300"), ..receipt.clone() }), "total_mismatch");
    // Paid in cash, no record is needed: Cr the drawer.
    let cash = StockReceipt { supplier_id: None, reference: String::new(), paid_by: SupplierPayment::Cash, ..receipt };
    assert_journal(
        &post(&lookup, BusinessKind::Retail, &Document::StockReceipt(cash.clone())),
        &[(1220, "Dr", "3600.00"), (1230, "Dr", "4700.00"), (2200, "Dr", "576.00"), (1130, "Cr", "8876.00")],
    );
    // Entered at head office and paid from the bank as it is entered: Cr 1170.
    let bank = StockReceipt { paid_by: SupplierPayment::Bank, ..cash };
    assert_journal(
        &post(&lookup, BusinessKind::Retail, &Document::StockReceipt(bank)),
        &[(1220, "Dr", "3600.00"), (1230, "Dr", "4700.00"), (2200, "Dr", "576.00"), (1170, "Cr", "8876.00")],
    );

    // Paying the supplier: Dr 2110 / Cr the bank (or the drawer, or M-Pesa).
    let payment = SupplierPaid {
        payment_id: DocumentId::new(),
        supplier_id: seed::supplier_id(1),
        paid_from: PaidFrom::Bank,
        reference: "EFT 7781".into(),
        amount: money("5000"),
        allocations: vec![Allocation { invoice_id: DocumentId::new(), amount: money("5000") }],
    };
    assert_journal(
        &post(&lookup, BusinessKind::Retail, &Document::SupplierPaid(payment.clone())),
        &[(2110, "Dr", "5000.00"), (1170, "Cr", "5000.00")],
    );
    let over = SupplierPaid {
        allocations: vec![Allocation { invoice_id: DocumentId::new(), amount: money("5000.01") }],
        ..payment.clone()
    };
    assert_eq!(over.validate(&lookup).unwrap_err().code(), "over_allocated");
    let nothing = SupplierPaid { amount: Money::ZERO, allocations: vec![], ..payment.clone() };
    assert_eq!(nothing.validate(&lookup).unwrap_err().code(), "zero_total");
    let stranger = SupplierPaid { supplier_id: SupplierId::new(), ..payment };
    assert_eq!(stranger.validate(&lookup).unwrap_err().code(), "unknown_supplier");
    let bottle = lookup.product("Sealed bottle 500 ml");
    let production = WaterProduction {
        production_id: DocumentId::new(),
        lines: vec![CostedLine {
            product_id: bottle.id,
            quantity: q("48"),
            unit_cost: money("12"),
            line_cost: money("576"),
        }],
    };
    assert_journal(
        &post(&lookup, BusinessKind::Water, &Document::WaterProduction(production)),
        &[(1210, "Dr", "576.00"), (5100, "Cr", "576.00")],
    );
    let count = StockCount {
        count_id: DocumentId::new(),
        lines: vec![CountLine { product_id: flour.id, expected: q("10"), counted: q("8"), unit_cost: money("180") }],
    };
    assert_journal(
        &post(&lookup, BusinessKind::Retail, &Document::StockCount(count)),
        &[(5300, "Dr", "360.00"), (1220, "Cr", "360.00")],
    );
}

#[test]
fn shift_close_posts_over_and_short_and_nothing_when_exact() {
    let lookup = MemoryLookup::demo();
    let close = |counted: &str| ShiftClosed {
        shift_id: ShiftId::new(),
        expected_cash: money("5000"),
        counted_cash: money(counted),
        difference: money(counted).checked_sub(money("5000")).unwrap(),
        counts: vec![],
    };
    assert_journal(
        &post(&lookup, BusinessKind::Water, &Document::ShiftClosed(close("5050"))),
        &[(1110, "Dr", "50.00"), (4900, "Cr", "50.00")],
    );
    assert_journal(
        &post(&lookup, BusinessKind::Water, &Document::ShiftClosed(close("4980"))),
        &[(6900, "Dr", "20.00"), (1110, "Cr", "20.00")],
    );
    let water = lookup.business(BusinessKind::Water);
    assert_eq!(Document::ShiftClosed(close("5000")).post(&water, &lookup, EntryId::new()), Ok(None));
}

#[test]
fn a_void_mirrors_the_original_and_a_refund_reverses_the_returned_part() {
    let lookup = MemoryLookup::demo();
    let sugar = lookup.product("Sugar 1 kg");
    let line = SaleLine::priced(&sugar, q("2"), money("0"), 0).unwrap();
    let sale = Sale {
        sale_id: DocumentId::new(),
        receipt_number: "R1-000010".into(),
        total: line.line_total,
        lines: vec![line],
        tenders: vec![Tender::cash(money("360"))],
    };
    let original = post(&lookup, BusinessKind::Retail, &Document::Sale(sale.clone()));
    lookup.record(sale.sale_id, original.clone());
    let void = Void {
        void_id: DocumentId::new(),
        document_id: sale.sale_id,
        original_type: "sale.recorded".into(),
        reason: "wrong item".into(),
    };
    let reversal = post(&lookup, BusinessKind::Retail, &Document::SaleVoided(void));
    assert_eq!(
        reversal.net_by_account().values().map(|m| -*m).collect::<Vec<_>>(),
        original.net_by_account().values().copied().collect::<Vec<_>>()
    );

    // One of the two bags back: 180 → VAT 24.83, net 155.17, at the sale's cost of 150.
    let refund = Refund {
        refund_id: DocumentId::new(),
        receipt_number: "R1-000011".into(),
        sale_id: sale.sale_id,
        lines: vec![RefundLine {
            product_id: sugar.id,
            quantity: q("1"),
            amount: money("180"),
            vat_rate: sugar.vat_rate,
            unit_cost: money("150"),
        }],
        tenders: vec![Tender::cash(money("180"))],
        total: money("180"),
        reason: "damaged bag".into(),
    };
    assert_journal(
        &post(&lookup, BusinessKind::Retail, &Document::Refund(refund)),
        &[
            (4300, "Dr", "155.17"),
            (2200, "Dr", "24.83"),
            (1220, "Dr", "150.00"),
            (5300, "Cr", "150.00"),
            (1130, "Cr", "180.00"),
        ],
    );
}

#[test]
fn documents_that_move_no_money_post_nothing() {
    let lookup = MemoryLookup::demo();
    let water = lookup.business(BusinessKind::Water);
    let customer = CustomerCreated {
        customer_id: tillbook_core::ids::CustomerId::new(),
        name: "Amina".into(),
        phone: None,
        credit_limit: money("0"),
    };
    assert_eq!(Document::CustomerCreated(customer).post(&water, &lookup, EntryId::new()), Ok(None));
    let opened = ShiftOpened { shift_id: ShiftId::new(), float: money("2000") };
    assert_eq!(Document::ShiftOpened(opened).post(&water, &lookup, EntryId::new()), Ok(None));
}
