//! Bad documents get a typed error with a stable code, never a journal entry.

use tillbook_core::chart::{AccountCode, BusinessKind};
use tillbook_core::documents::*;
use tillbook_core::ids::{DocumentId, EntryId, ProductId};
use tillbook_core::{DocumentError, Quantity};

use crate::common::{MemoryLookup, money};

fn q(text: &str) -> Quantity {
    text.parse().unwrap()
}

fn refill_sale(lookup: &MemoryLookup) -> Sale {
    let line = SaleLine::priced(&lookup.product("Refill 20 L"), q("2"), money("0"), 0).unwrap();
    Sale {
        sale_id: DocumentId::new(),
        receipt_number: "W1-000001".into(),
        total: line.line_total,
        lines: vec![line],
        tenders: vec![Tender::cash(money("140"))],
    }
}

fn error_of(lookup: &MemoryLookup, kind: BusinessKind, document: Document) -> DocumentError {
    document.post(&lookup.business(kind), lookup, EntryId::new()).expect_err("the document must be refused")
}

#[test]
fn a_quantity_that_is_not_positive_is_refused() {
    let lookup = MemoryLookup::demo();
    let refill = lookup.product("Refill 20 L");
    assert_eq!(SaleLine::priced(&refill, q("-1"), money("0"), 3), Err(DocumentError::QuantityNotPositive { line: 3 }));
    let mut sale = refill_sale(&lookup);
    sale.lines[0].quantity = q("0");
    assert_eq!(error_of(&lookup, BusinessKind::Water, Document::Sale(sale)).code(), "quantity_not_positive");
}

#[test]
fn unknown_products_and_other_businesses_products_are_refused() {
    let lookup = MemoryLookup::demo();
    let mut sale = refill_sale(&lookup);
    let unknown = ProductId::new();
    sale.lines[0].product_id = unknown;
    assert_eq!(
        error_of(&lookup, BusinessKind::Water, Document::Sale(sale.clone())),
        DocumentError::UnknownProduct(unknown)
    );
    let sale = refill_sale(&lookup);
    assert_eq!(error_of(&lookup, BusinessKind::Retail, Document::Sale(sale)).code(), "wrong_business");
}

#[test]
fn tenders_must_add_up_to_the_total() {
    let lookup = MemoryLookup::demo();
    let mut sale = refill_sale(&lookup);
    sale.tenders = vec![Tender::cash(money("100"))];
    assert_eq!(
        error_of(&lookup, BusinessKind::Water, Document::Sale(sale)),
        DocumentError::TendersDoNotMatchTotal { total: money("140"), tendered: money("100") }
    );
    let under = settle(
        money("140"),
        &[TenderInput { method: TenderMethod::Cash, amount: money("100"), mpesa_code: None, customer_id: None }],
    );
    assert_eq!(under.unwrap_err().code(), "under_tendered");
}

#[test]
fn a_malformed_mpesa_code_is_refused() {
    let lookup = MemoryLookup::demo();
    let mut sale = refill_sale(&lookup);
    sale.tenders = vec![Tender::mpesa(money("140"), "QK41ABC2")];
    assert_eq!(
        error_of(&lookup, BusinessKind::Water, Document::Sale(sale)),
        DocumentError::MalformedMpesaCode("QK41ABC2".into())
    );
}

#[test]
fn a_tampered_line_total_is_refused() {
    let lookup = MemoryLookup::demo();
    let mut sale = refill_sale(&lookup);
    sale.lines[0].line_total = money("14.00");
    sale.total = money("14.00");
    sale.tenders = vec![Tender::cash(money("14.00"))];
    assert_eq!(error_of(&lookup, BusinessKind::Water, Document::Sale(sale)).code(), "line_total_mismatch");
}

#[test]
fn a_void_of_a_void_or_a_drop_off_is_refused() {
    let lookup = MemoryLookup::demo();
    for original in ["sale.voided", "document.voided", "sale.refunded", "laundry.dropped_off", "shift.closed"] {
        let void = Void {
            void_id: DocumentId::new(),
            document_id: DocumentId::new(),
            original_type: original.into(),
            reason: "x".into(),
        };
        assert_eq!(
            error_of(&lookup, BusinessKind::Water, Document::DocumentVoided(void)),
            DocumentError::NotVoidable(original.into())
        );
    }
}

#[test]
fn unknown_event_types_and_malformed_documents_are_told_apart() {
    assert_eq!(
        Document::from_wire("sale.teleported", &serde_json::json!({})),
        Err(DocumentError::UnknownType("sale.teleported".into()))
    );
    let malformed = Document::from_wire("sale.recorded", &serde_json::json!({"sale_id": "nope"})).unwrap_err();
    assert_eq!(malformed.code(), "malformed_document");
    let number_amount = serde_json::json!({"customer_id": DocumentId::new(), "name": "A", "credit_limit": 5});
    assert_eq!(Document::from_wire("customer.created", &number_amount).unwrap_err().code(), "malformed_document");
    // Read from the text as sent, the message names what is wrong, not a place in text the
    // till never wrote; and a key given twice is not read as whichever came last.
    let Err(DocumentError::Malformed(message)) = Document::from_wire_text("sale.recorded", r#"{"sale_id": "nope"}"#)
    else {
        panic!("a sale id that is not a UUID is malformed");
    };
    assert!(message.contains("UUID") && !message.contains(" at line "), "{message}");
    let id = DocumentId::new();
    let twice = format!(r#"{{"customer_id": "{id}", "name": "A", "name": "B", "credit_limit": "5.00"}}"#);
    let Err(DocumentError::Malformed(message)) = Document::from_wire_text("customer.created", &twice) else {
        panic!("a key given twice is malformed");
    };
    assert!(message.contains("duplicate field `name`"), "{message}");
    let once = format!(r#"{{"customer_id": "{id}", "name": "B", "credit_limit": "5.00"}}"#);
    assert_eq!(
        Document::from_wire_text("customer.created", &once),
        Document::from_wire("customer.created", &serde_json::from_str(&once).unwrap()),
        "the text and the value read alike"
    );
    assert!(Document::from_wire_text("customer.created", &once).is_ok(), "{once}");
}

#[test]
fn expenses_go_only_to_expense_accounts() {
    let lookup = MemoryLookup::demo();
    let expense = Expense {
        expense_id: DocumentId::new(),
        account: AccountCode::new(4100),
        amount: money("10"),
        description: "not an expense".into(),
        paid_from: PaidFrom::Cash,
        vat_rate: Default::default(),
    };
    assert_eq!(
        error_of(&lookup, BusinessKind::Water, Document::Expense(expense)),
        DocumentError::NotAnExpenseAccount(AccountCode::new(4100))
    );
}

#[test]
fn an_exchange_needs_an_empty_of_the_same_size() {
    let lookup = MemoryLookup::demo();
    let full = lookup.cylinder(13, "K-Gas");
    let mut sale =
        LpgSale::priced(DocumentId::new(), "R1-1".into(), &full, q("1"), Some(lookup.cylinder(6, "K-Gas").id), None)
            .unwrap();
    sale.tenders = vec![Tender::cash(sale.total)];
    assert_eq!(error_of(&lookup, BusinessKind::Retail, Document::LpgSale(sale)).code(), "cylinder_size_mismatch");
    let mut neither = LpgSale::priced(DocumentId::new(), "R1-2".into(), &full, q("1"), None, None).unwrap();
    neither.tenders = vec![Tender::cash(neither.total)];
    assert_eq!(
        error_of(&lookup, BusinessKind::Retail, Document::LpgSale(neither)),
        DocumentError::ExchangeOrNewCylinder
    );
}

#[test]
fn laundry_by_the_piece_takes_whole_pieces_and_only_a_laundry_takes_jobs() {
    let lookup = MemoryLookup::demo();
    let duvet = lookup.service("Duvet");
    let job = LaundryDropOff {
        job_id: DocumentId::new(),
        ticket_number: "L1-1".into(),
        customer_id: lookup.customer("Juma Ali").id,
        items: vec![LaundryItem {
            service_id: duvet.id,
            description: "half a duvet".into(),
            quantity: q("0.5"),
            unit_price: duvet.price,
            vat_rate: duvet.vat_rate,
            line_total: money("350"),
        }],
        total: money("350"),
        promised_at: chrono::DateTime::parse_from_rfc3339("2026-11-23T17:00:00+03:00").unwrap(),
        notes: String::new(),
    };
    assert_eq!(
        error_of(&lookup, BusinessKind::Laundry, Document::LaundryDropOff(job.clone())).code(),
        "not_whole_quantity"
    );
    assert_eq!(
        error_of(&lookup, BusinessKind::Water, Document::LaundryDropOff(job)),
        DocumentError::NotOfferedHere("take laundry jobs")
    );
}

#[test]
fn payments_must_account_for_every_shilling_and_cannot_be_on_credit() {
    let lookup = MemoryLookup::demo();
    let customer = lookup.customer("Mama Njeri").id;
    let mut payment = Payment {
        payment_id: DocumentId::new(),
        receipt_number: "L1-3".into(),
        customer_id: customer,
        tenders: vec![Tender::cash(money("100"))],
        allocations: vec![Allocation { invoice_id: DocumentId::new(), amount: money("60") }],
        unapplied: money("30"),
        total: money("100"),
    };
    assert_eq!(
        error_of(&lookup, BusinessKind::Laundry, Document::PaymentReceived(payment.clone())).code(),
        "allocation_mismatch"
    );
    payment.unapplied = money("40");
    payment.tenders = vec![Tender::credit(money("100"), customer)];
    assert_eq!(
        error_of(&lookup, BusinessKind::Laundry, Document::PaymentReceived(payment)),
        DocumentError::CreditNotAllowed("a payment")
    );
}

#[test]
fn an_unbalanced_journal_from_the_wire_is_refused() {
    let payload: tillbook_core::journal::JournalPayload = serde_json::from_value(serde_json::json!({
        "entry_id": EntryId::new(),
        "lines": [{"account": "1110", "debit": "150.00", "credit": "0.00"}, {"account": "4100", "debit": "0.00", "credit": "149.00"}]
    }))
    .unwrap();
    let error = tillbook_core::JournalEntry::from_wire(&payload).unwrap_err();
    assert_eq!(DocumentError::from(error).code(), "unbalanced");
}

#[test]
fn a_cash_count_past_what_a_quantity_holds_is_refused_in_words() {
    let lookup = MemoryLookup::demo();
    let closed = ShiftClosed {
        shift_id: tillbook_core::ids::ShiftId::new(),
        expected_cash: money("0"),
        counted_cash: money("1"),
        difference: money("1"),
        counts: vec![DenominationCount { denomination: money("1000"), count: u32::MAX }],
    };
    let error = error_of(&lookup, BusinessKind::Water, Document::ShiftClosed(closed));
    assert_eq!(error.code(), "amount_out_of_range", "{error}");
}
