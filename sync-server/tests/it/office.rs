//! Documents recorded at head office (`tillbook_server::office`): rent paid from the bank and
//! shared across the three businesses with its input VAT, M-Pesa swept to the bank, a supplier
//! paid from the bank — through the merge, exactly once, each mistake named and nothing
//! written. Figures by hand:
//!
//!   Rent of 34,800.00 paid from the bank, 16% VAT inside (30,000.00 + 4,800.00), shared 50/30/20:
//!     WATER   17,400.00 = 15,000.00 rent + 2,400.00 VAT
//!     LAUNDRY 10,440.00 =  9,000.00 rent + 1,440.00 VAT
//!     RETAIL   6,960.00 =  6,000.00 rent +   960.00 VAT
//!   WATER's M-Pesa, 5,000.00, swept to the bank.
//!   1170 moves −34,800.00 + 5,000.00 = −29,800.00.

use rust_decimal::Decimal;
use serde_json::json;
use tillbook_core::Money;
use tillbook_core::chart::shared;
use tillbook_core::documents::{CashMovement, CashMovementKind, Document, Expense, PaidFrom};
use tillbook_core::ids::{DocumentId, EventId};
use tillbook_core::money::VatRate;
use tillbook_server::reports::{Period, Scope, ledger, vat};

use crate::common::server;

fn kes(text: &str) -> Money {
    text.parse().unwrap()
}

fn office(event_id: EventId, business: &str, document: &Document) -> serde_json::Value {
    json!({ "event_id": event_id, "business": business, "type": document.event_type(), "document": document.to_wire(),
            "business_day": "2026-12-01" })
}

#[tokio::test]
async fn rent_from_the_bank_is_shared_across_the_businesses_with_its_vat_exactly_once() {
    let server = server().await;
    let token = server.owner_token("wanjiru@example.com").await;
    let rent = Expense {
        expense_id: DocumentId::new(),
        account: shared::RENT,
        amount: kes("34800.00"),
        description: "Rent, December: Kenyatta Avenue".into(),
        paid_from: PaidFrom::Bank,
        vat_rate: VatRate::STANDARD,
    };
    let shares = rent.amount.split(&[Decimal::from(50), Decimal::from(30), Decimal::from(20)]).unwrap();
    assert_eq!(shares, [kes("17400.00"), kes("10440.00"), kes("6960.00")]);
    let mut documents = Vec::new();
    for (business, share) in ["WATER", "LAUNDRY", "RETAIL"].into_iter().zip(shares) {
        let part = Document::Expense(Expense { expense_id: DocumentId::new(), amount: share, ..rent.clone() });
        documents.push(office(EventId::new(), business, &part));
    }
    let sweep = Document::CashMovement(CashMovement {
        movement_id: DocumentId::new(),
        kind: CashMovementKind::MpesaToBank,
        amount: kes("5000.00"),
        note: "to Equity".into(),
    });
    let sweep = serde_json::to_vec(&json!({ "documents": [office(EventId::new(), "WATER", &sweep)] })).unwrap();
    let request = serde_json::to_vec(&json!({ "documents": documents })).unwrap();

    // Mistakes first: each named, nothing written.
    let footprint = server.footprint().await;
    let mut bad_type = documents.clone();
    bad_type[0]["type"] = json!("sale.recorded");
    let mut bad_business = documents.clone();
    bad_business[1]["business"] = json!("BAKERY");
    let mut bad_document = documents.clone();
    bad_document[2]["document"]["account"] = json!("4100");
    for (bad, code, field) in [
        (bad_type, "invalid_type", "documents[0].type"),
        (bad_business, "invalid_parameter", "documents[1].business"),
        (bad_document, "not_an_expense_account", "documents[2].document"),
    ] {
        let answer = server
            .post("/api/v1/office/documents", Some(&token), serde_json::to_vec(&json!({ "documents": bad })).unwrap())
            .await;
        assert_eq!(answer.status, 400, "{}", answer.body);
        assert_eq!(
            (answer.body["error"]["code"].as_str(), answer.body["error"]["field"].as_str()),
            (Some(code), Some(field))
        );
    }
    assert_eq!(server.footprint().await, footprint, "a refused request writes nothing");
    let nobody = server.post("/api/v1/office/documents", None, request.clone()).await;
    assert_eq!(nobody.status, 401);

    let answer = server.post("/api/v1/office/documents", Some(&token), request.clone()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let statuses: Vec<&str> =
        answer.body["acks"].as_array().unwrap().iter().map(|a| a["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["posted"; 3]);
    // The same request again (a retry after a lost answer) records nothing more.
    let again = server.post("/api/v1/office/documents", Some(&token), request).await;
    assert_eq!(again.status, 200, "{}", again.body);
    let statuses: Vec<&str> =
        again.body["acks"].as_array().unwrap().iter().map(|a| a["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["duplicate"; 3]);
    assert_eq!(answer.body["acks"][2]["entry_number"], again.body["acks"][2]["entry_number"]);
    // The sweep is a request of its own: a bank movement of its own.
    let swept = server.post("/api/v1/office/documents", Some(&token), sweep).await;
    assert_eq!(swept.status, 200, "{}", swept.body);

    let pool = &server.owner;
    let december = Period::new("2026-12-01".parse().unwrap(), "2026-12-31".parse().unwrap()).unwrap();
    for (business, rent, vat_in) in
        [("WATER", "15000.00", "2400.00"), ("LAUNDRY", "9000.00", "1440.00"), ("RETAIL", "6000.00", "960.00")]
    {
        let scope = Scope::of(pool, Some(business)).await.unwrap();
        let pnl = ledger::profit_and_loss(pool, &scope, december).await.unwrap();
        let expenses: Vec<(i16, Money)> = pnl.expenses.iter().map(|l| (l.account_code, l.balance)).collect();
        assert_eq!(expenses, [(6100, kes(rent))], "{business}");
        let vat_return = vat::vat_return(pool, &scope, december).await.unwrap();
        assert_eq!((vat_return.input_vat, vat_return.ledger_2200), (kes(vat_in), -kes(vat_in)), "{business}");
    }
    let trial = ledger::trial_balance(pool, &Scope::consolidated(), "2026-12-31".parse().unwrap()).await.unwrap();
    let bank = trial.lines.iter().find(|l| l.account_code == 1170).unwrap();
    assert_eq!(bank.balance, kes("-29800.00"));
    // Head office is no till: the tills report does not list it.
    let tills = tillbook_server::reports::tills::tills(pool, chrono_tz::Africa::Nairobi, "2026-12-01".parse().unwrap())
        .await
        .unwrap();
    assert!(tills.iter().all(|till| till.till_code != "HO"));
    the_bank_statement_matches_and_sends_the_charge_to_review(&server, &token).await;
    server.verify_clean().await;
}

/// A customer's credit used at head office. Hotel Kilimanjaro buys 4 bottles of oil on account
/// (1,400.00) and pays 2,000.00 by M-Pesa in advance, unallocated: 2,000.00 of credit (2300).
/// Head office applies 1,400.00 of it to the invoice and pays 500.00 back in cash: 100.00 stays.
/// Paying back 200.00 more is refused (`not_enough_credit`) and writes nothing.
#[tokio::test]
async fn credit_is_applied_to_an_invoice_and_paid_back_but_never_more_than_is_held() {
    use tillbook_core::documents::{Allocation, CreditApplied, CreditRefunded, Tender, TenderMethod};
    let server = server().await;
    let token = server.owner_token("wanjiru@example.com").await;
    let hotel = tillbook_core::seed::demo().customers.into_iter().find(|c| c.name == "Hotel Kilimanjaro").unwrap().id;
    let (mut retail, till_token) = server.till(tillbook_core::chart::BusinessKind::Retail).await;
    retail.at("2026-12-01T10:00:00+03:00");
    let (sale, on_account) = retail.credit_sale(&[(4, 4)], hotel);
    assert_eq!(sale.total, kes("1400.00"));
    retail.at("2026-12-02T10:00:00+03:00");
    let paid = retail.paid_in_advance(hotel, "2000.00", "P-ADV-1", Some("QK12ADV001"));
    let pushed = server.push(&retail, &till_token, &[on_account, paid]).await;
    assert_eq!(crate::common::ack_statuses(&pushed), ["posted", "posted"], "{}", pushed.body);

    let applied = Document::CreditApplied(CreditApplied {
        application_id: DocumentId::new(),
        customer_id: hotel,
        allocations: vec![Allocation { invoice_id: sale.sale_id, amount: kes("1400.00") }],
        total: kes("1400.00"),
    });
    let refund = |amount: &str| {
        Document::CreditRefunded(CreditRefunded {
            refund_id: DocumentId::new(),
            receipt_number: "HO-1".into(),
            customer_id: hotel,
            tenders: vec![Tender {
                method: TenderMethod::Cash,
                amount: kes(amount),
                mpesa_code: None,
                customer_id: None,
            }],
            total: kes(amount),
        })
    };
    let documents = json!({ "documents": [office(EventId::new(), "RETAIL", &applied), office(EventId::new(), "RETAIL", &refund("500.00"))] });
    let answer = server.post("/api/v1/office/documents", Some(&token), serde_json::to_vec(&documents).unwrap()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);

    let footprint = server.footprint().await;
    let too_much = json!({ "documents": [office(EventId::new(), "RETAIL", &refund("200.00"))] });
    let refused = server.post("/api/v1/office/documents", Some(&token), serde_json::to_vec(&too_much).unwrap()).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(
        (refused.body["error"]["code"].as_str(), refused.body["error"]["field"].as_str()),
        (Some("not_enough_credit"), Some("documents[0].document"))
    );
    assert_eq!(server.footprint().await, footprint, "a refused document writes nothing");

    let pool = &server.owner;
    let day = "2026-12-31".parse().unwrap();
    let aging = tillbook_server::reports::customers::aging(pool, day).await.unwrap();
    let line = aging.customers.iter().find(|line| line.customer_id == hotel.0).unwrap();
    assert_eq!((line.outstanding, line.credit), (Money::ZERO, kes("100.00")));
    // The statement shows where the credit came from and went, adding up to what is held.
    let statement = tillbook_server::reports::customers::statement(pool, hotel.0, day).await.unwrap();
    let mut lines: Vec<(String, String, Money)> =
        statement.credit_lines.iter().map(|l| (l.kind.clone(), l.reference.clone(), l.amount)).collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            ("applied".to_string(), sale.receipt_number.clone(), kes("-1400.00")),
            ("paid_in_advance".to_string(), "P-ADV-1".to_string(), kes("2000.00")),
            ("refunded".to_string(), "HO-1".to_string(), kes("-500.00")),
        ]
    );
    assert_eq!(Money::sum(statement.credit_lines.iter().map(|l| l.amount)).unwrap(), statement.credit);
    let trial = ledger::trial_balance(pool, &Scope::consolidated(), day).await.unwrap();
    let balance = |code: i16| trial.lines.iter().find(|l| l.account_code == code).map_or(Money::ZERO, |l| l.balance);
    assert_eq!((balance(2300), balance(1330)), (kes("100.00"), Money::ZERO));
    server.verify_clean().await;
}

/// The bank statement of the same days: the rent shows as one payment of 34,800.00 (the three
/// businesses' expenses, recorded together, are one bank movement), the M-Pesa sweep arrives a
/// day later, and a bank charge of 150.00 nobody recorded goes to the review queue — once, however
/// often the statement is imported. A file with a bad row is refused whole, naming the row.
async fn the_bank_statement_matches_and_sends_the_charge_to_review(server: &crate::common::TestServer, token: &str) {
    let statement = "Equity Bank statement,,,,,\nAccount: 0123456789,,,,,\n\
        Transaction Date,Narrative,Reference,Debit,Credit,Balance\n\
        01/12/2026,RENT DECEMBER KENYATTA AVE,SO-7781,\"34,800.00\",,\"65,200.00\"\n\
        02/12/2026,MPESA SWEEP,MP77,,\"5,000.00\",\"70,200.00\"\n\
        03/12/2026,LEDGER FEE,,150.00,,\"70,050.00\"\n";
    let post = |text: String| {
        let url = format!("{}/api/v1/bank/statements?file_name=equity-dec.csv", server.base);
        server.http.post(url).bearer_auth(token).header("content-type", "text/csv").body(text).send()
    };
    let bad = statement.replace("03/12/2026", "31/13/2026");
    let refused = post(bad).await.unwrap();
    assert_eq!(refused.status(), 400);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["field"], "line 6 date", "{body}");
    assert_eq!(server.count("bank_line").await, 0, "a refused file stores nothing");

    let imported: serde_json::Value = post(statement.to_string()).await.unwrap().json().await.unwrap();
    assert_eq!((imported["rows"].as_u64(), imported["matched"].as_u64()), (Some(3), Some(2)), "{imported}");
    assert_eq!(imported["mismatches"][0]["kind"], "bank_not_recorded");
    assert_eq!(imported["mismatches"][0]["amount"], "-150.00");
    assert_eq!(imported["new_review_items"], 1);
    let again: serde_json::Value = post(statement.to_string()).await.unwrap().json().await.unwrap();
    assert_eq!((again["new_rows"].as_u64(), again["new_review_items"].as_u64()), (Some(0), Some(0)), "{again}");

    let (status, queue) = server.get("/api/v1/reports/review", Some(token)).await;
    assert_eq!(status, 200);
    let queue: serde_json::Value = serde_json::from_str(&queue).unwrap();
    let item =
        queue.as_array().unwrap().iter().find(|item| item["kind"] == "bank").expect("the charge is in the queue");
    assert_eq!((item["code"].as_str(), item["amount"].as_str()), (Some("bank_not_recorded"), Some("-150.00")));
    let resolve =
        json!({ "item": item["item"], "action": "dismiss", "note": "bank charges: booked with the month's expenses" });
    let resolved = server.post("/api/v1/review/resolve", Some(token), serde_json::to_vec(&resolve).unwrap()).await;
    assert_eq!(resolved.status, 200, "{}", resolved.body);
}

/// A laundry job paid 100.00 and then cancelled: the 100.00 becomes the customer's credit, and
/// the statement says where it came from.
#[tokio::test]
async fn what_was_paid_on_a_cancelled_job_is_credit_on_the_statement() {
    use tillbook_core::documents::{JobStatus, LaundryStatusChange};
    let server = server().await;
    let (mut till, token) = server.till(tillbook_core::chart::BusinessKind::Laundry).await;
    let (job, dropped) = till.drop_off(3);
    let (_, paid) = till.pay_job(&job, kes("100.00"));
    let cancelled = till.event(Document::LaundryStatusChange(LaundryStatusChange {
        job_id: job.job_id,
        ticket_number: job.ticket_number.clone(),
        from: JobStatus::Received,
        to: JobStatus::Cancelled,
        reason: "customer changed their mind".into(),
        paid: kes("100.00"),
    }));
    let pushed = server.push(&till, &token, &[dropped, paid, cancelled]).await;
    assert_eq!(crate::common::ack_statuses(&pushed), ["posted", "posted", "posted"], "{}", pushed.body);

    let statement =
        tillbook_server::reports::customers::statement(&server.owner, job.customer_id.0, "2099-12-31".parse().unwrap())
            .await
            .unwrap();
    let lines: Vec<(&str, &str, Money)> =
        statement.credit_lines.iter().map(|l| (l.kind.as_str(), l.reference.as_str(), l.amount)).collect();
    assert_eq!(lines, [("paid_on_cancelled", job.ticket_number.as_str(), kes("100.00"))]);
    assert_eq!((statement.credit, statement.outstanding), (kes("100.00"), Money::ZERO));
    server.verify_clean().await;
}

/// A till's batch that takes credit and uses it: a customer with no credit before pays 500.00
/// beyond their invoices and 300.00 of it goes to a sale on account in the same push. The merge
/// counts what the batch paid in before it judges what the batch uses: every event posts.
#[tokio::test]
async fn credit_paid_in_and_used_in_one_batch_posts() {
    use tillbook_core::documents::{Allocation, CreditApplied};
    let server = server().await;
    let hotel = tillbook_core::seed::demo().customers.into_iter().find(|c| c.name == "Hotel Kilimanjaro").unwrap().id;
    let (mut retail, token) = server.till(tillbook_core::chart::BusinessKind::Retail).await;
    let paid = retail.paid_in_advance(hotel, "500.00", "P-ADV-2", None);
    let (sale, on_account) = retail.credit_sale(&[(4, 1)], hotel);
    assert_eq!(sale.total, kes("350.00"));
    let applied = retail.event(Document::CreditApplied(CreditApplied {
        application_id: DocumentId::new(),
        customer_id: hotel,
        allocations: vec![Allocation { invoice_id: sale.sale_id, amount: kes("300.00") }],
        total: kes("300.00"),
    }));
    let pushed = server.push(&retail, &token, &[paid, on_account, applied]).await;
    assert_eq!(crate::common::ack_statuses(&pushed), ["posted", "posted", "posted"], "{}", pushed.body);
    let statement =
        tillbook_server::reports::customers::statement(&server.owner, hotel.0, "2099-12-31".parse().unwrap())
            .await
            .unwrap();
    assert_eq!((statement.outstanding, statement.credit), (kes("50.00"), kes("200.00")));
    server.verify_clean().await;
}
