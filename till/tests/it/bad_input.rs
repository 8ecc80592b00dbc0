//! Bad input gets a typed error with a clear message and writes nothing: every table's row count
//! and every counter (device_seq, receipt numbers) is the same after the refusal.

use tillbook_core::catalog::Role;
use tillbook_core::chart::BusinessKind;
use tillbook_core::documents::{TenderInput, TenderMethod};
use tillbook_core::ids::ProductId;
use tillbook_core::seed;
use tillbook_till::demo::{cash, mpesa};
use tillbook_till::*;

use crate::common::*;

fn sale(name: &str, quantity: &str, tenders: Vec<TenderInput>) -> SaleRequest {
    SaleRequest {
        lines: vec![SaleLineRequest { product_id: product(name), quantity: q(quantity), discount: money("0") }],
        tenders,
    }
}

/// Runs `action`, which must fail with `code`, and checks it left the store untouched.
#[track_caller]
fn refused<T: std::fmt::Debug>(till: &mut Till, code: &str, action: impl FnOnce(&mut Till) -> Result<T>) -> String {
    let before = footprint(till.connection());
    let error = action(till).expect_err("the action must be refused");
    assert_eq!(error.code(), code, "{error}");
    assert_eq!(footprint(till.connection()), before, "a refused action wrote something");
    error.to_string()
}

#[test]
fn refused_sales_write_nothing_and_say_why() {
    let dir = TempDir::new("bad-sales");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Water);
    till.open_shift(&cashier, money("0")).unwrap();
    till.record_sale(&cashier, &sale("Refill 20 L", "1", vec![cash("70")])).unwrap();

    let message = refused(&mut till, "quantity_not_positive", |t| {
        t.record_sale(&cashier, &sale("Refill 20 L", "-2", vec![cash("100")]))
    });
    assert_eq!(message, "line 0: the quantity must be more than zero");
    refused(&mut till, "quantity_not_positive", |t| {
        t.record_sale(&cashier, &sale("Refill 20 L", "0", vec![cash("100")]))
    });
    let unknown = SaleRequest {
        lines: vec![SaleLineRequest { product_id: ProductId::new(), quantity: q("1"), discount: money("0") }],
        tenders: vec![cash("100")],
    };
    refused(&mut till, "unknown_product", |t| t.record_sale(&cashier, &unknown));
    refused(&mut till, "wrong_business", |t| t.record_sale(&cashier, &sale("Sugar 1 kg", "1", vec![cash("200")])));
    let message =
        refused(&mut till, "under_tendered", |t| t.record_sale(&cashier, &sale("Refill 20 L", "2", vec![cash("100")])));
    assert_eq!(message, "140.00 is due but only 100.00 was paid");
    let message = refused(&mut till, "malformed_mpesa_code", |t| {
        t.record_sale(&cashier, &sale("Refill 20 L", "2", vec![mpesa("140", "QK41-2XY")]))
    });
    assert!(message.contains("QK41-2XY"), "{message}");
    // Three lines of 10⁹ bottles: each line fits NUMERIC(14,2), their sum does not. A typed
    // refusal, never a panic, and the same for a quote.
    let bottles = SaleLineRequest {
        product_id: product("New 20 L bottle with water"),
        quantity: q("1000000000"),
        discount: money("0"),
    };
    let huge = SaleRequest { lines: vec![bottles.clone(), bottles.clone(), bottles], tenders: vec![cash("1")] };
    let message = refused(&mut till, "amount_out_of_range", |t| t.record_sale(&cashier, &huge));
    assert!(message.contains("out of range"), "{message}");
    assert_eq!(till.quote_sale(&cashier, &huge.lines).unwrap_err().code(), "amount_out_of_range");
    refused(&mut till, "over_tendered", |t| {
        t.record_sale(&cashier, &sale("Refill 20 L", "2", vec![mpesa("500", "QK41ABC2XY")]))
    });
    let discount = SaleRequest {
        lines: vec![SaleLineRequest { product_id: product("Refill 20 L"), quantity: q("1"), discount: money("71") }],
        tenders: vec![cash("1")],
    };
    refused(&mut till, "discount_too_large", |t| t.record_sale(&cashier, &discount));
    refused(&mut till, "no_lines", |t| {
        t.record_sale(&cashier, &SaleRequest { lines: vec![], tenders: vec![cash("1")] })
    });
    let too_precise: std::result::Result<SaleLineRequest, _> = serde_json::from_value(
        serde_json::json!({"product_id": product("Refill 20 L"), "quantity": "1", "discount": "0.001"}),
    );
    assert!(too_precise.is_err(), "a third decimal place never reaches the till");
}

#[test]
fn credit_beyond_the_limit_and_credit_without_a_customer_are_refused() {
    let dir = TempDir::new("bad-credit");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Retail);
    till.open_shift(&cashier, money("0")).unwrap();
    let njeri = seed::demo().customers.into_iter().find(|c| c.name == "Mama Njeri").unwrap().id;
    let juma = seed::demo().customers.into_iter().find(|c| c.name == "Juma Ali").unwrap().id;
    let on_credit = |customer, amount: &str| TenderInput {
        method: TenderMethod::Credit,
        amount: money(amount),
        mpesa_code: None,
        customer_id: customer,
    };
    till.record_sale(&cashier, &sale("Cooking oil 1 L", "8", vec![on_credit(Some(njeri), "2800")])).unwrap();
    let message = refused(&mut till, "credit_limit_exceeded", |t| {
        t.record_sale(&cashier, &sale("Cooking oil 1 L", "1", vec![on_credit(Some(njeri), "350")]))
    });
    assert_eq!(message, "this would take Mama Njeri to 3150.00, over the credit limit of 3000.00");
    refused(&mut till, "credit_limit_exceeded", |t| {
        t.record_sale(&cashier, &sale("Bread 400 g", "1", vec![on_credit(Some(juma), "65")]))
    });
    refused(&mut till, "credit_without_customer", |t| {
        t.record_sale(&cashier, &sale("Bread 400 g", "1", vec![on_credit(None, "65")]))
    });
}

#[test]
fn a_wrong_pin_and_a_bad_pin_are_refused_without_a_session() {
    let dir = TempDir::new("bad-pin");
    let mut till = demo_till(&dir);
    let cashier = seed::demo_staff().into_iter().find(|m| m.role == Role::Cashier).unwrap();
    // Only the count of wrong PINs is kept (pin_lock); nothing else is written.
    let outside_the_count = |till: &Till| {
        footprint(till.connection()).into_iter().filter(|(table, _)| table != "pin_lock").collect::<Vec<_>>()
    };
    let before = outside_the_count(&till);
    assert_eq!(till.login(cashier.id, "0000").unwrap_err().code(), "wrong_pin");
    assert_eq!(till.login(cashier.id, "").unwrap_err().code(), "wrong_pin");
    assert_eq!(till.login(tillbook_core::ids::StaffId::new(), cashier.pin).unwrap_err().code(), "unknown_staff");
    assert_eq!(till.set_staff(cashier.id, "Achieng", Role::Cashier, "12ab").unwrap_err().code(), "pin_format");
    assert_eq!(till.set_staff(cashier.id, "Achieng", Role::Supervisor, "1234").unwrap_err().code(), "pin_format");
    assert_eq!(outside_the_count(&till), before);
    let hash: String = till
        .connection()
        .query_row("SELECT pin_hash FROM staff WHERE id = ?1", [cashier.id.to_string()], |r| r.get(0))
        .unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains(cashier.pin), "PINs are stored only as argon2 hashes");
}

#[test]
fn refused_reversals_write_nothing() {
    let dir = TempDir::new("bad-reversals");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Retail);
    let supervisor = login(&till, Role::Supervisor, BusinessKind::Retail);
    till.open_shift(&cashier, money("0")).unwrap();
    let sold = till.record_sale(&cashier, &sale("Bread 400 g", "2", vec![cash("130")])).unwrap();
    till.void_receipt(&cashier, &supervisor, &sold.receipt_number, "wrong bread").unwrap();
    let void_id = voiding_document(&till);
    refused(&mut till, "not_voidable", |t| t.void_document(&cashier, &supervisor, void_id, "void the void"));
    refused(&mut till, "already_reversed", |t| t.void_receipt(&cashier, &supervisor, &sold.receipt_number, "again"));
    refused(&mut till, "not_authorised", |t| t.void_receipt(&cashier, &cashier, &sold.receipt_number, "again"));
    refused(&mut till, "not_found", |t| t.void_receipt(&cashier, &supervisor, "T1-999999", "no such receipt"));
    let second = till.record_sale(&cashier, &sale("Bread 400 g", "2", vec![cash("130")])).unwrap();
    let too_many = RefundRequest {
        receipt_number: second.receipt_number.clone(),
        lines: vec![RefundLineRequest { line_no: 0, quantity: q("3") }],
        method: TenderMethod::Cash,
        mpesa_code: None,
        reason: "more than sold".into(),
    };
    refused(&mut till, "refund_exceeds_sold", |t| t.refund_sale(&cashier, &supervisor, &too_many));
    let no_line = RefundRequest { lines: vec![RefundLineRequest { line_no: 5, quantity: q("1") }], ..too_many.clone() };
    refused(&mut till, "not_found", |t| t.refund_sale(&cashier, &supervisor, &no_line));
    let on_credit = RefundRequest {
        lines: vec![RefundLineRequest { line_no: 0, quantity: q("1") }],
        method: TenderMethod::Credit,
        ..too_many
    };
    refused(&mut till, "credit_without_customer", |t| t.refund_sale(&cashier, &supervisor, &on_credit));
}

#[test]
fn the_ledger_and_outbox_refuse_edits_in_the_database_itself() {
    let dir = TempDir::new("immutable");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Water);
    till.open_shift(&cashier, money("0")).unwrap();
    till.record_sale(&cashier, &sale("Refill 20 L", "1", vec![cash("70")])).unwrap();
    let connection = till.connection();
    for sql in [
        "UPDATE journal_line SET debit_cents = debit_cents + 1",
        "DELETE FROM journal_line",
        "DELETE FROM journal_entry",
        "DELETE FROM outbox",
        "UPDATE outbox SET payload = '{}'",
        "UPDATE journal_entry SET business_day = '2000-01-01'",
        "INSERT INTO journal_line (entry_id, line_no, account, debit_cents, credit_cents)
         SELECT entry_id, 99, 1110, 5, 5 FROM journal_line LIMIT 1",
    ] {
        assert!(connection.execute(sql, []).is_err(), "{sql} should fail");
    }
    assert_store_consistent(connection);
}

#[test]
fn a_bad_till_setup_is_refused_as_such() {
    let dir = TempDir::new("bad-setup");
    let setup = |code: &str, zone: &str| TillSetup {
        device_id: tillbook_core::ids::DeviceId::new(),
        till_code: code.into(),
        device_name: "Till".into(),
        business_ids: vec![seed::business_id(BusinessKind::Water)],
        time_zone: zone.into(),
    };
    let error = Till::create(&dir.file("a.sqlite"), setup("W-1", "Africa/Nairobi")).err().unwrap();
    assert_eq!(
        (error.code(), error.to_string().as_str()),
        ("invalid_setup", "cannot set up the till: till code 'W-1' must be 1–8 letters or digits")
    );
    let error = Till::create(&dir.file("b.sqlite"), setup("W1", "Africa/Mombasa")).err().unwrap();
    assert_eq!(error.code(), "invalid_setup");
}

#[test]
fn a_corrupt_stored_value_fails_loudly_instead_of_being_read_as_a_default() {
    let dir = TempDir::new("corrupt");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Water);
    till.open_shift(&cashier, money("0")).unwrap();
    till.connection().execute("UPDATE account SET kind = 'bogus' WHERE code = 6400", []).unwrap();
    refused(&mut till, "store_failed", |t| {
        t.record_expense(
            &cashier,
            tillbook_core::chart::shared::TRANSPORT,
            money("10"),
            "fare",
            tillbook_core::documents::PaidFrom::Cash,
        )
    });
}

/// A full disk while recording (SQLite's `max_page_count` holds the store at its size, as a full
/// disk would): a typed, worded refusal that writes nothing, and recording resumes once there is
/// room again.
#[test]
fn a_full_disk_refuses_the_sale_in_words_and_writes_nothing() {
    let dir = TempDir::new("full-disk");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Water);
    till.open_shift(&cashier, money("0")).unwrap();
    let pages: i64 = till.connection().query_row("PRAGMA page_count", [], |row| row.get(0)).unwrap();
    till.connection().pragma_update(None, "max_page_count", pages).unwrap();
    let mut recorded = 0;
    let message = loop {
        let before = footprint(till.connection());
        match till.record_sale(&cashier, &sale("Refill 20 L", "1", vec![cash("70")])) {
            Ok(_) => recorded += 1,
            Err(error) => {
                assert_eq!(error.code(), "disk_full", "{error}");
                assert_eq!(footprint(till.connection()), before, "a refused sale wrote nothing");
                break error.to_string();
            }
        }
        assert!(recorded < 10_000, "the store never filled");
    };
    assert!(message.starts_with("the disk is full: nothing was recorded"), "{message}");
    let last = footprint_seq(&till);
    till.connection().pragma_update(None, "max_page_count", pages * 4).unwrap();
    let sale = till.record_sale(&cashier, &sale("Refill 20 L", "1", vec![cash("70")])).expect("room again");
    assert_eq!(sale.recorded.device_seq, last + 1, "the refused sale took no number");
}

fn footprint_seq(till: &Till) -> u64 {
    till.connection().query_row("SELECT MAX(device_seq) FROM outbox", [], |row| row.get::<_, i64>(0)).unwrap() as u64
}

/// Counts typed at the till past what a quantity holds (four billion cylinders) are refused in
/// words, never a panic.
#[test]
fn a_count_past_the_limit_is_refused_in_words() {
    let dir = TempDir::new("huge-count");
    let mut till = demo_till(&dir);
    let cashier = login(&till, Role::Cashier, BusinessKind::Retail);
    till.open_shift(&cashier, money("0")).unwrap();
    let cylinder = seed::demo().cylinder_types[0].id;
    let request = LpgRequest {
        cylinder_type_id: cylinder,
        quantity: u32::MAX,
        empty_in: Some(cylinder),
        new_cylinder: None,
        tenders: vec![cash("100")],
    };
    refused(&mut till, "amount_out_of_range", |t| t.lpg_sale(&cashier, &request));
}

#[test]
fn five_wrong_pins_lock_a_cashier_for_five_minutes_or_until_a_supervisor_unlocks() {
    let dir = TempDir::new("pin-lock");
    let till = demo_till(&dir);
    let staff = seed::demo_staff();
    let cashier = staff.iter().find(|m| m.role == Role::Cashier).unwrap();
    let supervisor = staff.iter().find(|m| m.role == Role::Supervisor).unwrap();
    let now = chrono::Utc::now();

    // A right PIN between wrong ones starts the count again.
    for _ in 0..4 {
        assert_eq!(till.login_at(cashier.id, "0000", now).unwrap_err().code(), "wrong_pin");
    }
    till.login_at(cashier.id, cashier.pin, now).unwrap();
    for _ in 0..4 {
        assert_eq!(till.login_at(cashier.id, "0000", now).unwrap_err().code(), "wrong_pin");
    }
    // The fifth in a row locks; then even the right PIN is refused, until five minutes pass.
    let locked = till.login_at(cashier.id, "0000", now).unwrap_err();
    assert_eq!(locked.code(), "staff_locked", "{locked}");
    assert_eq!(till.login_at(cashier.id, cashier.pin, now).unwrap_err().code(), "staff_locked");
    let later = now + chrono::Duration::minutes(4);
    assert_eq!(till.login_at(cashier.id, cashier.pin, later).unwrap_err().code(), "staff_locked");
    // The lock is on disk: a restart of the app does not lift it.
    drop(till);
    let till = Till::open(&dir.file("till.sqlite")).unwrap();
    assert_eq!(till.login_at(cashier.id, cashier.pin, later).unwrap_err().code(), "staff_locked");
    let after = now + chrono::Duration::minutes(5) + chrono::Duration::seconds(1);
    till.login_at(cashier.id, cashier.pin, after).unwrap();

    // Locked again, and a supervisor unlocks at once; a cashier may not, nor a wrong PIN.
    for _ in 0..5 {
        till.login(cashier.id, "0000").unwrap_err();
    }
    assert_eq!(till.login(cashier.id, cashier.pin).unwrap_err().code(), "staff_locked");
    let other_cashier = staff.iter().find(|m| m.role == Role::Cashier && m.id != cashier.id).unwrap();
    assert_eq!(
        till.unlock_staff(other_cashier.id, other_cashier.pin, cashier.id).unwrap_err().code(),
        "not_authorised"
    );
    assert_eq!(till.unlock_staff(supervisor.id, "000000", cashier.id).unwrap_err().code(), "wrong_pin");
    till.unlock_staff(supervisor.id, supervisor.pin, cashier.id).unwrap();
    till.login(cashier.id, cashier.pin).unwrap();
}
