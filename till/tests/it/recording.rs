//! Counter work recorded through the till: each document's entry checked to the cent, and the
//! till's own figures after it.

use chrono::Duration;
use tillbook_core::catalog::Role;
use tillbook_core::chart::{BusinessKind, shared};
use tillbook_core::documents::{
    CashMovementKind, JobStatus, NewCylinder, PaidFrom, SupplierPayment, TenderInput, TenderMethod,
};
use tillbook_core::receivables::InvoiceStatus;
use tillbook_core::seed;
use tillbook_till::demo::{cash, mpesa};
use tillbook_till::*;

use crate::common::*;

fn line(name: &str, quantity: &str, discount: &str) -> SaleLineRequest {
    SaleLineRequest { product_id: product(name), quantity: q(quantity), discount: money(discount) }
}

fn credit(amount: &str, customer: &str) -> TenderInput {
    let id = data().customers.into_iter().find(|c| c.name == customer).unwrap().id;
    TenderInput { method: TenderMethod::Credit, amount: money(amount), mpesa_code: None, customer_id: Some(id) }
}

#[test]
fn a_cash_water_sale_gives_change_posts_vat_and_fills_the_drawer() {
    let dir = TempDir::new("water-sale");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Water);
    till.open_shift(&cashier, money("1000")).unwrap();
    // The counter shows the total before payment: priced by the store, nothing recorded.
    let before = footprint(till.connection());
    let quote = till.quote_sale(&cashier, &[line("Refill 20 L", "2", "0")]).unwrap();
    assert_eq!((quote.total, quote.vat), (money("140.00"), money("19.31")));
    assert_eq!(footprint(till.connection()), before, "a quote writes nothing");
    let water = till.products(seed::business_id(BusinessKind::Water)).unwrap();
    assert!(water.iter().any(|p| p.name == "Refill 20 L") && water.iter().all(|p| p.active));
    let sale = till
        .record_sale(&cashier, &SaleRequest { lines: vec![line("Refill 20 L", "2", "0")], tenders: vec![cash("200")] })
        .unwrap();
    assert_eq!((sale.total, sale.vat, sale.change), (money("140.00"), money("19.31"), money("60.00")));
    assert_eq!(sale.lines, quote.lines, "what was quoted is what was sold");
    assert_eq!(sale.receipt_number, "T1-000001");
    assert_eq!(sale.recorded.device_seq, 2, "the shift opening was event 1");
    assert_entry(
        &till,
        sale.recorded.entry_id,
        &[(1110, "Dr", "140.00"), (4100, "Cr", "120.69"), (2200, "Cr", "19.31")],
    );
    assert_eq!(till.expected_cash_in_drawer().unwrap(), Some(money("1140.00")));
    let today = till.sales_on(seed::business_id(BusinessKind::Water), now_fixed().date_naive()).unwrap();
    assert_eq!((today.sales_count, today.gross_sales, today.cash), (1, money("140.00"), money("140.00")));
    assert_eq!(till.outbox_counts().unwrap().pending, 2);
    let events = till.pending_events(10).unwrap();
    assert_eq!(events.iter().map(|e| e.event_type.as_str()).collect::<Vec<_>>(), ["shift.opened", "sale.recorded"]);
    assert_eq!(events[1].document["total"], "140.00");
    assert_store_consistent(till.connection());
}

#[test]
fn a_retail_sale_with_split_tender_takes_stock_at_cost() {
    let dir = TempDir::new("retail-sale");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Retail);
    till.open_shift(&cashier, money("0")).unwrap();
    till.receive_stock(
        &cashier,
        &StockReceiptRequest {
            supplier_id: Some(tillbook_core::seed::supplier_id(1)),
            supplier: String::new(),
            reference: "INV-1".into(),
            lines: vec![
                ReceivedLine {
                    product_id: product("Maize flour 2 kg"),
                    quantity: q("10"),
                    unit_cost: money("180"),
                    vat_rate: Default::default(),
                },
                ReceivedLine {
                    product_id: product("Sugar 1 kg"),
                    quantity: q("10"),
                    unit_cost: money("150"),
                    vat_rate: Default::default(),
                },
                ReceivedLine {
                    product_id: product("Cooking oil 1 L"),
                    quantity: q("10"),
                    unit_cost: money("290"),
                    vat_rate: Default::default(),
                },
            ],
            cylinders: vec![],
            paid_by: SupplierPayment::OnAccount,
        },
    )
    .unwrap();
    let sale = till
        .record_sale(
            &cashier,
            &SaleRequest {
                lines: vec![
                    line("Maize flour 2 kg", "2", "0"),
                    line("Sugar 1 kg", "1", "0"),
                    line("Cooking oil 1 L", "1", "0"),
                ],
                tenders: vec![cash("500"), mpesa("450", "qk41abc2xy")],
            },
        )
        .unwrap();
    assert_eq!((sale.total, sale.change), (money("950.00"), money("0.00")));
    assert_entry(
        &till,
        sale.recorded.entry_id,
        &[
            (1130, "Dr", "500.00"),
            (1142, "Dr", "450.00"),
            (2200, "Cr", "73.11"),
            (4300, "Cr", "876.89"),
            (1220, "Cr", "800.00"),
            (5300, "Dr", "800.00"),
        ],
    );
    let levels = till.stock_levels(seed::business_id(BusinessKind::Retail)).unwrap();
    let level = |name: &str| levels.iter().find(|l| l.name == name).unwrap().quantity;
    assert_eq!((level("Maize flour 2 kg"), level("Sugar 1 kg"), level("Bread 400 g")), (q("8"), q("9"), q("0")));
    assert_eq!(till.account_balance(tillbook_core::chart::AccountCode::new(1220)).unwrap(), money("5400.00"));
    assert_store_consistent(till.connection());
}

#[test]
fn credit_sales_become_invoices_and_payments_go_to_the_oldest_first() {
    let dir = TempDir::new("credit");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Water);
    till.open_shift(&cashier, money("0")).unwrap();
    let first = till
        .record_sale(
            &cashier,
            &SaleRequest {
                lines: vec![line("Refill 20 L", "5", "0")],
                tenders: vec![credit("350", "Hotel Kilimanjaro")],
            },
        )
        .unwrap();
    assert_entry(
        &till,
        first.recorded.entry_id,
        &[(1310, "Dr", "350.00"), (4100, "Cr", "301.72"), (2200, "Cr", "48.28")],
    );
    let second = till
        .record_sale(
            &cashier,
            &SaleRequest {
                lines: vec![line("Refill 10 L", "5", "0")],
                tenders: vec![credit("200", "Hotel Kilimanjaro")],
            },
        )
        .unwrap();
    let hotel = data().customers.into_iter().find(|c| c.name == "Hotel Kilimanjaro").unwrap().id;
    assert_eq!(till.customer_account(hotel).unwrap().outstanding, money("550.00"));

    let payment = till.receive_payment(&cashier, hotel, &[mpesa("400", "QK41PAY001")], None).unwrap();
    assert_eq!(
        payment.allocations.iter().map(|a| (a.invoice_id, a.amount)).collect::<Vec<_>>(),
        vec![(first.sale_id, money("350.00")), (second.sale_id, money("50.00")),]
    );
    assert_entry(&till, payment.recorded.entry_id, &[(1140, "Dr", "400.00"), (1310, "Cr", "400.00")]);
    let account = till.customer_account(hotel).unwrap();
    assert_eq!(account.outstanding, money("150.00"));
    assert_eq!(
        account.invoices.iter().map(|i| i.status).collect::<Vec<_>>(),
        [InvoiceStatus::Paid, InvoiceStatus::PartiallyPaid]
    );

    let overpaid = till.receive_payment(&cashier, hotel, &[cash("200")], None).unwrap();
    assert_eq!(overpaid.unapplied, money("50.00"));
    assert_entry(
        &till,
        overpaid.recorded.entry_id,
        &[(1110, "Dr", "200.00"), (1310, "Cr", "150.00"), (2300, "Cr", "50.00")],
    );
    let account = till.customer_account(hotel).unwrap();
    assert_eq!((account.outstanding, account.credit), (money("0.00"), money("50.00")));
    assert_eq!(till.account_balance(tillbook_core::chart::AccountCode::new(1310)).unwrap(), money("0.00"));

    // The 50.00 of credit: nothing is owed yet, so none of it can be applied.
    let refused = till.apply_credit(&cashier, hotel, money("10")).unwrap_err();
    assert_eq!(refused.code(), "credit_beyond_invoices");
    // A new invoice of 120.00: 30.00 of the credit pays part of it.
    let third = till
        .record_sale(
            &cashier,
            &SaleRequest {
                lines: vec![line("Refill 10 L", "3", "0")],
                tenders: vec![credit("120", "Hotel Kilimanjaro")],
            },
        )
        .unwrap();
    let applied = till.apply_credit(&cashier, hotel, money("30")).unwrap();
    assert_eq!(
        applied.allocations.iter().map(|a| (a.invoice_id, a.amount)).collect::<Vec<_>>(),
        [(third.sale_id, money("30.00"))]
    );
    assert_entry(&till, applied.recorded.entry_id, &[(2300, "Dr", "30.00"), (1310, "Cr", "30.00")]);
    let account = till.customer_account(hotel).unwrap();
    assert_eq!(
        (account.outstanding, account.credit, applied.credit_left),
        (money("90.00"), money("20.00"), money("20.00"))
    );
    // More than is held is refused and writes nothing.
    let before = footprint(till.connection());
    assert_eq!(till.apply_credit(&cashier, hotel, money("25")).unwrap_err().code(), "not_enough_credit");
    assert_eq!(footprint(till.connection()), before);
    // The last 20.00 paid back in cash, which a supervisor authorises.
    let back = cash("20");
    let refused = till.refund_credit(&cashier, &cashier, hotel, &back).unwrap_err();
    assert_eq!(refused.code(), "not_authorised");
    let supervisor = login(&till, Role::Supervisor, BusinessKind::Water);
    let refunded = till.refund_credit(&cashier, &supervisor, hotel, &back).unwrap();
    assert!(refunded.receipt_number.is_some());
    assert_entry(&till, refunded.recorded.entry_id, &[(2300, "Dr", "20.00"), (1110, "Cr", "20.00")]);
    assert_eq!(till.customer_account(hotel).unwrap().credit, money("0.00"));
    assert_eq!(till.account_balance(shared::CUSTOMER_DEPOSITS).unwrap(), money("0.00"));
    assert_store_consistent(till.connection());
}

#[test]
fn a_laundry_job_from_drop_off_with_deposit_to_collection_with_overpayment() {
    let dir = TempDir::new("laundry");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Laundry);
    till.open_shift(&cashier, money("0")).unwrap();
    let service = |name: &str| data().laundry_services.into_iter().find(|s| s.name == name).unwrap().id;
    let njeri = data().customers.into_iter().find(|c| c.name == "Mama Njeri").unwrap().id;
    let job = till
        .laundry_drop_off(
            &cashier,
            &DropOffRequest {
                customer_id: njeri,
                items: vec![
                    LaundryItemRequest {
                        service_id: service("Wash & fold"),
                        description: "Family wash".into(),
                        quantity: q("4.5"),
                    },
                    LaundryItemRequest { service_id: service("Duvet"), description: String::new(), quantity: q("1") },
                ],
                promised_at: now_fixed() + Duration::days(1),
                notes: "no bleach".into(),
                deposit: vec![cash("500")],
            },
        )
        .unwrap();
    assert_eq!((job.total, job.balance_due), (money("1240.00"), money("740.00")));
    assert_entry(
        &till,
        job.recorded.entry_id,
        &[(1320, "Dr", "1240.00"), (4200, "Cr", "1068.97"), (2200, "Cr", "171.03")],
    );
    let deposit = job.deposit.unwrap();
    assert_entry(&till, deposit.recorded.entry_id, &[(1120, "Dr", "500.00"), (1320, "Cr", "500.00")]);

    till.laundry_set_status(&cashier, &job.ticket_number, JobStatus::Washing).unwrap();
    till.laundry_set_status(&cashier, &job.ticket_number, JobStatus::Ready).unwrap();
    let board = till.open_laundry_jobs(seed::business_id(BusinessKind::Laundry)).unwrap();
    assert_eq!((board.len(), board[0].status, board[0].balance), (1, JobStatus::Ready, money("740.00")));
    assert!(
        till.laundry_set_status(&cashier, &job.ticket_number, JobStatus::Washing).is_err(),
        "jobs do not move back"
    );

    let collected =
        till.laundry_collect(&cashier, &job.ticket_number.to_lowercase(), &[mpesa("800", "QK41LAU001")]).unwrap();
    let payment = collected.payment.unwrap();
    assert_eq!((payment.unapplied, collected.balance_left), (money("60.00"), money("0.00")));
    assert_entry(
        &till,
        payment.recorded.entry_id,
        &[(1141, "Dr", "800.00"), (1320, "Cr", "740.00"), (2300, "Cr", "60.00")],
    );
    assert!(till.open_laundry_jobs(seed::business_id(BusinessKind::Laundry)).unwrap().is_empty());
    assert_eq!(till.customer_account(njeri).unwrap().credit, money("60.00"));
    // The laundry's takings are payments, not sales: the Z report carries them.
    till.close_shift(&cashier, &CashCount::Total(money("500"))).unwrap();
    let z = till.close_day(&cashier).unwrap().report;
    assert_eq!(
        (z.sales_total, z.received_cash_total, z.received_mpesa_total),
        (money("0.00"), money("500.00"), money("800.00"))
    );
    assert_store_consistent(till.connection());
}

#[test]
fn cancelling_a_paid_laundry_job_needs_a_supervisor_and_keeps_the_payment_as_credit() {
    let dir = TempDir::new("laundry-cancel");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Laundry);
    let supervisor = login(&till, Role::Supervisor, BusinessKind::Laundry);
    till.open_shift(&cashier, money("0")).unwrap();
    let service = data().laundry_services.into_iter().find(|s| s.name == "Dry-clean suit").unwrap().id;
    let juma = data().customers.into_iter().find(|c| c.name == "Juma Ali").unwrap().id;
    let job = till
        .laundry_drop_off(
            &cashier,
            &DropOffRequest {
                customer_id: juma,
                items: vec![LaundryItemRequest {
                    service_id: service,
                    description: "Grey suit".into(),
                    quantity: q("1"),
                }],
                promised_at: now_fixed() + Duration::days(2),
                notes: String::new(),
                deposit: vec![cash("200")],
            },
        )
        .unwrap();
    let refused = till.laundry_cancel(&cashier, &cashier, &job.ticket_number, "changed mind").unwrap_err();
    assert_eq!(refused.code(), "not_authorised");
    let cancelled = till.laundry_cancel(&cashier, &supervisor, &job.ticket_number, "changed mind").unwrap();
    // 650 at 16%: VAT 89.66, net 560.34; the 200 paid moves to the customer's credit.
    assert_entry(
        &till,
        cancelled.entry_id,
        &[
            (1320, "Cr", "650.00"),
            (1320, "Dr", "200.00"),
            (2200, "Dr", "89.66"),
            (2300, "Cr", "200.00"),
            (4200, "Dr", "560.34"),
        ],
    );
    let account = till.customer_account(juma).unwrap();
    assert_eq!((account.outstanding, account.credit), (money("0.00"), money("200.00")));
    assert_eq!(account.invoices[0].status, InvoiceStatus::Cancelled);
    assert_eq!(till.account_balance(tillbook_core::chart::AccountCode::new(1320)).unwrap(), money("0.00"));
    assert_store_consistent(till.connection());
}

#[test]
fn lpg_exchanges_and_new_cylinders_move_full_and_empty_stock() {
    let dir = TempDir::new("lpg");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Retail);
    till.open_shift(&cashier, money("0")).unwrap();
    let cylinder = |kg: i64, brand: &str| {
        data()
            .cylinder_types
            .into_iter()
            .find(|c| c.size_kg == tillbook_core::Quantity::whole(kg) && c.brand == brand)
            .unwrap()
            .id
    };
    till.receive_stock(
        &cashier,
        &StockReceiptRequest {
            supplier_id: Some(tillbook_core::seed::supplier_id(1)),
            supplier: String::new(),
            reference: "GAS-77".into(),
            lines: vec![],
            cylinders: vec![ReceivedCylinders {
                cylinder_type_id: cylinder(13, "K-Gas"),
                quantity: 4,
                unit_cost: money("2350"),
                vat_rate: Default::default(),
            }],
            paid_by: SupplierPayment::OnAccount,
        },
    )
    .unwrap();
    let exchange = till
        .lpg_sale(
            &cashier,
            &LpgRequest {
                cylinder_type_id: cylinder(13, "K-Gas"),
                quantity: 1,
                empty_in: Some(cylinder(13, "Total")),
                new_cylinder: None,
                tenders: vec![cash("3000")],
            },
        )
        .unwrap();
    assert_eq!((exchange.total, exchange.vat, exchange.change), (money("2900.00"), money("400.00"), money("100.00")));
    assert_entry(
        &till,
        exchange.recorded.entry_id,
        &[
            (1130, "Dr", "2900.00"),
            (1230, "Cr", "2350.00"),
            (2200, "Cr", "400.00"),
            (4310, "Cr", "2500.00"),
            (5310, "Dr", "2350.00"),
        ],
    );
    let deposit = till
        .lpg_sale(
            &cashier,
            &LpgRequest {
                cylinder_type_id: cylinder(13, "K-Gas"),
                quantity: 1,
                empty_in: None,
                new_cylinder: Some(NewCylinder::Deposit),
                tenders: vec![mpesa("6900", "QK41LPG002")],
            },
        )
        .unwrap();
    assert_entry(
        &till,
        deposit.recorded.entry_id,
        &[
            (1142, "Dr", "6900.00"),
            (1230, "Cr", "2350.00"),
            (2200, "Cr", "400.00"),
            (2310, "Cr", "4000.00"),
            (4310, "Cr", "2500.00"),
            (5310, "Dr", "2350.00"),
        ],
    );
    let stock = till.cylinder_stock(seed::business_id(BusinessKind::Retail)).unwrap();
    let of = |brand: &str| {
        stock.iter().find(|c| c.size_kg == q("13") && c.brand == brand).map(|c| (c.full, c.empty)).unwrap()
    };
    assert_eq!(of("K-Gas"), (2, -4), "4 refilled against empties, 2 sold");
    assert_eq!(of("Total"), (0, 1), "the customer's empty came in");

    // The lent cylinder comes back: 4,000.00 paid back in cash, out of the drawer (which held
    // the exchange's 2,900.00), and the empty is the shop's again. An M-Pesa refund with no
    // code is refused and records nothing.
    let back = |method, code: Option<&str>| DepositBackRequest {
        cylinder_type_id: cylinder(13, "K-Gas"),
        quantity: 1,
        method,
        mpesa_code: code.map(str::to_string),
    };
    let before = till.expected_cash_in_drawer().unwrap();
    assert_eq!(
        till.refund_deposit(&cashier, &back(TenderMethod::Mpesa, None)).unwrap_err().code(),
        "missing_mpesa_code"
    );
    let refunded = till.refund_deposit(&cashier, &back(TenderMethod::Cash, None)).unwrap();
    assert_eq!(refunded.total, money("4000.00"));
    assert_entry(&till, refunded.recorded.entry_id, &[(1130, "Cr", "4000.00"), (2310, "Dr", "4000.00")]);
    assert_eq!(till.expected_cash_in_drawer().unwrap(), Some(before.unwrap().checked_sub(money("4000.00")).unwrap()));
    let stock = till.cylinder_stock(seed::business_id(BusinessKind::Retail)).unwrap();
    let k_gas = stock.iter().find(|c| c.size_kg == q("13") && c.brand == "K-Gas").map(|c| (c.full, c.empty)).unwrap();
    assert_eq!(k_gas, (2, -3), "the lent cylinder is back, empty");
    let cylinder_deposits = tillbook_core::chart::AccountCode::new(2310);
    assert_eq!(till.account_balance(cylinder_deposits).unwrap(), money("0.00"), "the one deposit taken is paid back");
    assert_store_consistent(till.connection());
}

#[test]
fn voids_and_refunds_reverse_money_and_stock_and_never_twice() {
    let dir = TempDir::new("reversals");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Retail);
    let supervisor = login(&till, Role::Supervisor, BusinessKind::Retail);
    till.open_shift(&cashier, money("0")).unwrap();
    let sale = till
        .record_sale(&cashier, &SaleRequest { lines: vec![line("Sugar 1 kg", "3", "0")], tenders: vec![cash("540")] })
        .unwrap();
    let retail = seed::business_id(BusinessKind::Retail);

    let refund_request = |quantity: &str| RefundRequest {
        receipt_number: sale.receipt_number.clone(),
        lines: vec![RefundLineRequest { line_no: 0, quantity: q(quantity) }],
        method: TenderMethod::Cash,
        mpesa_code: None,
        reason: "damaged".into(),
    };
    assert_eq!(till.refund_sale(&cashier, &cashier, &refund_request("1")).unwrap_err().code(), "not_authorised");
    let refund = till.refund_sale(&cashier, &supervisor, &refund_request("1")).unwrap();
    assert_eq!(refund.total, money("180.00"));
    assert_entry(
        &till,
        refund.recorded.entry_id,
        &[
            (1130, "Cr", "180.00"),
            (1220, "Dr", "150.00"),
            (2200, "Dr", "24.83"),
            (4300, "Dr", "155.17"),
            (5300, "Cr", "150.00"),
        ],
    );
    let opened = till.sold_receipt(retail, &sale.receipt_number.to_lowercase()).unwrap();
    assert_eq!((opened.total, opened.on_account, opened.voided), (money("540.00"), false, false));
    let sold = &opened.lines[0];
    assert_eq!(
        (sold.product_name.as_str(), sold.quantity, sold.line_total, sold.returned, sold.returned_amount),
        ("Sugar 1 kg", q("3"), money("540.00"), q("1"), money("180.00")),
        "the refund panel shows what is left to return"
    );
    assert_eq!(refund.lines.len(), 1);
    assert_eq!((refund.tender.method, refund.tender.amount), (TenderMethod::Cash, money("180.00")));
    let water = seed::business_id(BusinessKind::Water);
    assert_eq!(
        till.sold_receipt(water, &sale.receipt_number).unwrap_err().code(),
        "not_found",
        "another business's sale"
    );
    let too_many = till.refund_sale(&cashier, &supervisor, &refund_request("3")).unwrap_err();
    assert!(matches!(too_many, TillError::RefundExceedsSold { line: 0, .. }), "{too_many}");
    assert_eq!(
        till.void_receipt(&cashier, &supervisor, &sale.receipt_number, "x").unwrap_err().code(),
        "partly_refunded"
    );
    let rest = till.refund_sale(&cashier, &supervisor, &refund_request("2")).unwrap();
    assert_eq!(rest.total, money("360.00"));
    let summary = till.sales_on(retail, now_fixed().date_naive()).unwrap();
    assert_eq!(
        (summary.gross_sales, summary.refunds, summary.net_sales, summary.cash),
        (money("540.00"), money("540.00"), money("0.00"), money("0.00"))
    );

    let second = till
        .record_sale(
            &cashier,
            &SaleRequest { lines: vec![line("Airtime top-up service", "5", "0")], tenders: vec![cash("50")] },
        )
        .unwrap();
    let void = till.void_receipt(&cashier, &supervisor, &second.receipt_number, "rang up twice").unwrap();
    assert_entry(&till, void.entry_id, &[(1130, "Cr", "50.00"), (2200, "Dr", "6.90"), (4300, "Dr", "43.10")]);
    assert_eq!(
        till.void_receipt(&cashier, &supervisor, &second.receipt_number, "again").unwrap_err().code(),
        "already_reversed"
    );
    let void_document = voiding_document(&till);
    let void_of_void = till.void_document(&cashier, &supervisor, void_document, "undo").unwrap_err();
    assert_eq!(void_of_void.code(), "not_voidable");
    let summary = till.sales_on(retail, now_fixed().date_naive()).unwrap();
    assert_eq!((summary.sales_count, summary.gross_sales), (1, money("540.00")), "the voided sale drops out");
    assert_store_consistent(till.connection());
}

#[test]
fn a_day_at_the_drawer_closes_short_and_the_z_report_carries_the_sync_receipt() {
    let dir = TempDir::new("day-close");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Water);
    let supervisor = login(&till, Role::Supervisor, BusinessKind::Water);
    till.open_shift(&cashier, money("1000")).unwrap();
    till.record_sale(
        &cashier,
        &SaleRequest { lines: vec![line("Refill 20 L", "10", "0")], tenders: vec![cash("700")] },
    )
    .unwrap();
    till.record_sale(
        &cashier,
        &SaleRequest { lines: vec![line("Refill 5 L", "4", "0")], tenders: vec![mpesa("100", "QK41DAY001")] },
    )
    .unwrap();
    till.record_expense(&cashier, shared::TRANSPORT, money("150"), "Delivery", PaidFrom::Cash).unwrap();
    assert_eq!(
        till.move_cash(&cashier, CashMovementKind::OwnerDrawing, money("100"), "").unwrap_err().code(),
        "not_authorised"
    );
    till.move_cash(&supervisor, CashMovementKind::BankDeposit, money("500"), "banked").unwrap();
    // 1000 float + 700 sale − 150 expense − 500 banked.
    assert_eq!(till.expected_cash_in_drawer().unwrap(), Some(money("1050.00")));
    assert_eq!(till.close_day(&cashier).unwrap_err().code(), "shift_still_open");

    let counts = vec![
        tillbook_core::documents::DenominationCount { denomination: money("1000"), count: 1 },
        tillbook_core::documents::DenominationCount { denomination: money("20"), count: 1 },
        tillbook_core::documents::DenominationCount { denomination: money("10"), count: 1 },
    ];
    let report = till.close_shift(&cashier, &CashCount::Denominations(counts)).unwrap();
    assert_eq!(
        (report.expected_cash, report.counted_cash, report.difference),
        (money("1050.00"), money("1030.00"), money("-20.00"))
    );
    assert_entry(&till, report.recorded.entry_id, &[(1110, "Cr", "20.00"), (6900, "Dr", "20.00")]);
    assert_eq!(
        till.record_sale(
            &cashier,
            &SaleRequest { lines: vec![line("Refill 5 L", "1", "0")], tenders: vec![cash("25")] }
        )
        .unwrap_err()
        .code(),
        "no_open_shift"
    );

    let z = till.close_day(&cashier).unwrap();
    assert_eq!(
        (z.report.sales_total, z.report.cash_total, z.report.mpesa_total),
        (money("800.00"), money("700.00"), money("100.00"))
    );
    assert_eq!(
        (z.report.events_recorded, z.report.events_acknowledged),
        (6, 0),
        "six events before the close, none synced yet"
    );
    assert_eq!(till.close_day(&cashier).unwrap_err().code(), "day_already_closed");
    assert_store_consistent(till.connection());
}

#[test]
fn production_and_counts_move_stock_at_standard_cost() {
    let dir = TempDir::new("stock");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Water);
    let produced = till.record_production(&cashier, &[(product("Sealed bottle 500 ml"), q("48"))]).unwrap();
    assert_entry(&till, produced.entry_id, &[(1210, "Dr", "576.00"), (5100, "Cr", "576.00")]);
    let counted = till.count_stock(&cashier, &[(product("Sealed bottle 500 ml"), q("45"))]).unwrap();
    assert_entry(&till, counted.entry_id, &[(1210, "Cr", "36.00"), (5100, "Dr", "36.00")]);
    let levels = till.stock_levels(seed::business_id(BusinessKind::Water)).unwrap();
    assert_eq!(levels.iter().find(|l| l.name == "Sealed bottle 500 ml").unwrap().quantity, q("45"));
    assert_eq!(till.account_balance(tillbook_core::chart::AccountCode::new(1210)).unwrap(), money("540.00"));
    assert_store_consistent(till.connection());
}

#[test]
fn a_new_customer_works_offline_at_once_and_only_a_supervisor_grants_credit() {
    let dir = TempDir::new("customer");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Water);
    let supervisor = login(&till, Role::Supervisor, BusinessKind::Water);
    assert_eq!(
        till.create_customer(&cashier, "Amina", Some("0700111222"), money("500")).unwrap_err().code(),
        "not_authorised"
    );
    let (amina, recorded) = till.create_customer(&supervisor, "Amina", Some("0700111222"), money("500")).unwrap();
    assert_eq!(recorded.entry_id, None, "a customer moves no money");
    till.open_shift(&cashier, money("0")).unwrap();
    let sale = till
        .record_sale(
            &cashier,
            &SaleRequest {
                lines: vec![line("Refill 20 L", "2", "0")],
                tenders: vec![TenderInput {
                    method: TenderMethod::Credit,
                    amount: money("140"),
                    mpesa_code: None,
                    customer_id: Some(amina),
                }],
            },
        )
        .unwrap();
    assert_eq!(sale.change, money("0.00"));
    assert_eq!(till.customer_account(amina).unwrap().outstanding, money("140.00"));

    // Changed at the till: a cashier corrects the name and keeps the phone, but may not raise
    // the limit (refused, nothing recorded); a supervisor may.
    let before = till_events(&till);
    assert_eq!(
        till.change_customer(&cashier, amina, "Amina Wanjiku", None, money("900")).unwrap_err().code(),
        "not_authorised"
    );
    assert_eq!(till_events(&till), before, "a refused change records nothing");
    till.change_customer(&cashier, amina, "Amina Wanjiku", None, money("500")).unwrap();
    till.change_customer(&supervisor, amina, "Amina Wanjiku", None, money("900")).unwrap();
    let account = till.customer_account(amina).unwrap();
    assert_eq!((account.name.as_str(), account.credit_limit), ("Amina Wanjiku", money("900.00")));
    let phone: Option<String> = till
        .connection()
        .query_row("SELECT phone FROM customer WHERE id = ?1", [amina.to_string()], |row| row.get(0))
        .unwrap();
    assert_eq!(phone.as_deref(), Some("0700111222"), "no phone given keeps the one the till has");
    assert_eq!(till_events(&till), before + 2);
    let unknown = tillbook_core::ids::CustomerId::new();
    assert_eq!(
        till.change_customer(&supervisor, unknown, "Nobody", None, money("0")).unwrap_err().code(),
        "unknown_customer"
    );
}

fn till_events(till: &Till) -> i64 {
    till.connection()
        .query_row("SELECT count(*) FROM outbox WHERE event_type = 'customer.changed'", [], |row| row.get(0))
        .unwrap()
}

/// Goods on account with input VAT, then the supplier paid from the drawer: 2200 carries the
/// input VAT, 2110 the debt until it is paid, and the drawer's expected cash drops by the payment.
/// A receipt on account without the supplier's invoice number is refused and records nothing.
#[test]
fn goods_on_account_with_input_vat_and_a_supplier_paid_from_the_drawer() {
    let dir = TempDir::new("supplier");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Retail);
    till.open_shift(&cashier, money("1000")).unwrap();
    // 10 sugar × 150.00 net + 16% = 1,500.00 + 240.00 = 1,740.00 owed to Bidco.
    let request = StockReceiptRequest {
        supplier_id: Some(seed::supplier_id(1)),
        supplier: "ignored: the record's name is used".into(),
        reference: "B-100".into(),
        lines: vec![ReceivedLine {
            product_id: product("Sugar 1 kg"),
            quantity: q("10"),
            unit_cost: money("150"),
            vat_rate: tillbook_core::money::VatRate::STANDARD,
        }],
        cylinders: vec![],
        paid_by: SupplierPayment::OnAccount,
    };
    let quote = PurchaseQuote::of_request(&request).unwrap();
    assert_eq!((quote.net, quote.vat, quote.total), (money("1500.00"), money("240.00"), money("1740.00")));
    let before = till.pending_events(100).unwrap().len();
    let refused = till.receive_stock(&cashier, &StockReceiptRequest { reference: String::new(), ..request.clone() });
    assert_eq!(refused.unwrap_err().code(), "on_account_without_supplier");
    assert_eq!(till.pending_events(100).unwrap().len(), before, "a refusal records nothing");
    till.receive_stock(&cashier, &request).unwrap();
    let events = till.pending_events(100).unwrap();
    let receipt = &events.last().unwrap().document;
    assert_eq!((receipt["supplier"].as_str(), receipt["total"].as_str()), (Some("Bidco Africa"), Some("1740.00")));
    assert_eq!(till.account_balance(shared::VAT_PAYABLE).unwrap(), money("240.00"));
    assert_eq!(till.account_balance(shared::PAYABLE_SUPPLIERS).unwrap(), money("-1740.00"));

    let cash_before = till.expected_cash_in_drawer().unwrap().unwrap();
    let payment = SupplierPaymentRequest {
        supplier_id: seed::supplier_id(1),
        paid_from: PaidFrom::Cash,
        reference: String::new(),
        amount: money("1000.00"),
        allocations: vec![],
    };
    till.pay_supplier(&cashier, &payment).unwrap();
    assert_eq!(till.account_balance(shared::PAYABLE_SUPPLIERS).unwrap(), money("-740.00"));
    assert_eq!(till.expected_cash_in_drawer().unwrap().unwrap(), cash_before.checked_sub(money("1000.00")).unwrap());
    assert_eq!(till.pending_events(100).unwrap().last().unwrap().event_type, "supplier.paid");
    assert_store_consistent(till.connection());
}
