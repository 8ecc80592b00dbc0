//! Head office against a guesser, a curious till and a superuser with an editor: sign-in
//! throttling, the dummy hash, tills getting only their own staff, the audit chain, CSV cells
//! that cannot run as formulas, and the hygiene of every answer.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tillbook_core::Money;
use tillbook_core::chart::BusinessKind;
use tillbook_core::documents::{CustomerCreated, Document};
use tillbook_core::ids::CustomerId;
use tillbook_core::protocol::PullResponse;

use crate::common::{PASSWORD, TestServer, ack_statuses, server};

async fn sign_in(server: &TestServer, email: &str, password: &str) -> (u16, Option<u64>, Value) {
    let request = json!({ "email": email, "password": password });
    let response = server
        .http
        .post(format!("{}/api/v1/owner/login", server.base))
        .json(&request)
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok());
    (status, retry_after, response.json().await.unwrap_or_default())
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::test]
async fn guessing_is_throttled_per_account_and_the_right_password_still_works_after_the_delay() {
    let server = server().await;
    for email in ["wanjiru@example.com", "otieno@example.com"] {
        tillbook_server::admin::create_owner(&server.owner, email, "Owner", PASSWORD).await.unwrap();
    }

    // 20 wrong passwords: the first five are answered 401, the rest 429 with a wait.
    let mut statuses = Vec::new();
    let mut waits = Vec::new();
    for n in 0..20 {
        let (status, retry_after, _) = sign_in(&server, "wanjiru@example.com", &format!("guess number {n}")).await;
        statuses.push(status);
        waits.extend(retry_after);
    }
    assert_eq!(&statuses[..5], &[401; 5], "{statuses:?}");
    assert!(statuses[5..].iter().all(|status| *status == 429), "{statuses:?}");
    assert!(!waits.is_empty() && waits.iter().all(|wait| *wait >= 1), "{waits:?}");
    // While held back, even the right password waits: a guesser cannot tell it was right.
    let (status, retry_after, body) = sign_in(&server, "wanjiru@example.com", PASSWORD).await;
    assert_eq!((status, body["error"]["code"].as_str()), (429, Some("too_many_attempts")));
    let wait = retry_after.expect("Retry-After");

    // Another account from the same address is not held back.
    let (status, _, body) = sign_in(&server, "otieno@example.com", PASSWORD).await;
    assert_eq!(status, 200, "{body}");

    // After the delay the right password works.
    let deadline = Instant::now() + Duration::from_secs(wait + 5);
    loop {
        let (status, retry_after, body) = sign_in(&server, "wanjiru@example.com", PASSWORD).await;
        if status == 200 {
            break;
        }
        assert_eq!(status, 429, "{body}");
        assert!(Instant::now() < deadline, "still held back past Retry-After");
        tokio::time::sleep(Duration::from_secs(retry_after.unwrap_or(1))).await;
    }

    // Unknown and known emails take the same argon2 work (a dummy hash): measured, logged, not
    // asserted as a timing.
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for n in 0..4 {
        let started = Instant::now();
        let (status, _, _) = sign_in(&server, "otieno@example.com", &format!("wrong {n}")).await;
        known.push(started.elapsed());
        assert_eq!(status, 401);
        let started = Instant::now();
        let (status, _, _) = sign_in(&server, &format!("nobody{n}@example.com"), "wrong").await;
        unknown.push(started.elapsed());
        assert_eq!(status, 401);
    }
    let (known, unknown) = (median(known), median(unknown));
    let ratio = unknown.as_secs_f64() / known.as_secs_f64();
    println!("sign-in median: known email {known:?}, unknown email {unknown:?}, ratio {ratio:.2}");
}

#[tokio::test]
async fn users_change_their_password_see_their_sessions_and_sign_out_everywhere() {
    let server = server().await;
    let first = server.owner_token("wanjiru@example.com").await;
    let second = server.sign_in("wanjiru@example.com", PASSWORD).await;
    let (status, text) = server.get("/api/v1/owner/sessions", Some(&first)).await;
    assert_eq!(status, 200, "{text}");
    let sessions: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    assert!(!text.contains("tbo_"), "no token is ever listed");

    for (new, field) in [("short", "new"), ("password123", "new"), ("wanjiru@example.com", "new")] {
        let answer = server
            .post(
                "/api/v1/owner/password",
                Some(&first),
                serde_json::to_vec(&json!({ "current": PASSWORD, "new": new })).unwrap(),
            )
            .await;
        assert_eq!((answer.status, answer.body["error"]["field"].as_str()), (400, Some(field)), "{}", answer.body);
    }
    let wrong = json!({ "current": "not the password", "new": "chai ya tangawizi" });
    let answer = server.post("/api/v1/owner/password", Some(&first), serde_json::to_vec(&wrong).unwrap()).await;
    assert_eq!((answer.status, answer.body["error"]["code"].as_str()), (403, Some("wrong_password")));
    let change = json!({ "current": PASSWORD, "new": "chai ya tangawizi" });
    let answer = server.post("/api/v1/owner/password", Some(&first), serde_json::to_vec(&change).unwrap()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    // The other session ended; this one goes on; the old password no longer signs in.
    assert_eq!(server.get("/api/v1/owner/sessions", Some(&second)).await.0, 401);
    assert_eq!(server.get("/api/v1/owner/sessions", Some(&first)).await.0, 200);
    assert_eq!(sign_in(&server, "wanjiru@example.com", PASSWORD).await.0, 401);
    let third = server.sign_in("wanjiru@example.com", "chai ya tangawizi").await;

    let answer = server.post("/api/v1/owner/logout-everywhere", Some(&third), vec![]).await;
    assert_eq!((answer.status, answer.body["ended"].as_u64()), (200, Some(2)));
    for token in [&first, &third] {
        let (status, text) = server.get("/api/v1/reports/sales", Some(token)).await;
        assert_eq!(status, 401, "{text}");
    }

    // A disabled user cannot sign in, and their sessions end at once.
    let owner = server.sign_in("wanjiru@example.com", "chai ya tangawizi").await;
    let clerk = json!({ "email": "clerk@example.com", "name": "Clerk", "role": "accountant", "password": PASSWORD, "active": true });
    let saved = server.post("/api/v1/admin/users/save", Some(&owner), serde_json::to_vec(&clerk).unwrap()).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let clerk_token = server.sign_in("clerk@example.com", PASSWORD).await;
    let mut disabled = clerk.clone();
    disabled["id"] = saved.body["id"].clone();
    disabled["active"] = json!(false);
    disabled.as_object_mut().unwrap().remove("password");
    let saved = server.post("/api/v1/admin/users/save", Some(&owner), serde_json::to_vec(&disabled).unwrap()).await;
    assert_eq!((saved.status, saved.body["active"].as_bool()), (200, Some(false)), "{}", saved.body);
    assert_eq!(server.get("/api/v1/reports/sales", Some(&clerk_token)).await.0, 401);
    assert_eq!(sign_in(&server, "clerk@example.com", PASSWORD).await.0, 401);
    // A weak password is refused when the owner sets one too.
    let weak = json!({ "email": "new@example.com", "name": "New", "role": "accountant", "password": "1234567890", "active": true });
    let answer = server.post("/api/v1/admin/users/save", Some(&owner), serde_json::to_vec(&weak).unwrap()).await;
    assert_eq!((answer.status, answer.body["error"]["field"].as_str()), (400, Some("password")));
}

async fn pull_all(server: &TestServer, token: &str) -> Vec<tillbook_core::protocol::Change> {
    let mut cursor = 0;
    let mut changes = Vec::new();
    loop {
        let (status, text) = server.get(&format!("/api/v1/sync/pull?cursor={cursor}"), Some(token)).await;
        assert_eq!(status, 200, "{text}");
        let page: PullResponse = serde_json::from_str(&text).unwrap();
        changes.extend(page.changes);
        cursor = page.next_cursor;
        if !page.more {
            return changes;
        }
    }
}

#[tokio::test]
async fn a_till_receives_only_its_own_businesses_staff_and_only_their_current_pin_hash() {
    let server = server().await;
    let owner = server.owner_token("wanjiru@example.com").await;
    let (_, water_token) = server.enrol("WATER").await;
    let (_, laundry_token) = server.enrol("LAUNDRY").await;
    let save = |body: Value| {
        let owner = owner.clone();
        let server = &server;
        async move { server.post("/api/v1/admin/staff", Some(&owner), serde_json::to_vec(&body).unwrap()).await }
    };
    let added =
        save(json!({ "name": "Nafula", "role": "cashier", "pin": "4321", "businesses": ["LAUNDRY"], "active": true }))
            .await;
    assert_eq!(added.status, 200, "{}", added.body);
    let id = added.body["id"].as_str().unwrap().to_string();
    let changed = save(json!({ "id": id, "name": "Nafula", "role": "cashier", "pin": "8765", "active": true })).await;
    assert_eq!(changed.status, 200, "{}", changed.body);

    let staff_of = |changes: &[tillbook_core::protocol::Change], id: &str| -> Vec<Value> {
        changes.iter().filter(|c| c.entity == "staff" && c.data["id"] == id).map(|c| c.data.clone()).collect()
    };
    // The laundry till gets Nafula once, with the current PIN's hash only.
    let laundry = pull_all(&server, &laundry_token).await;
    let nafula = staff_of(&laundry, &id);
    assert_eq!(nafula.len(), 1, "{nafula:?}");
    let hash = nafula[0]["pin_hash"].as_str().unwrap();
    assert!(tillbook_server::secrets::verify_password("8765", hash));
    // The water till never hears of her, and every hash it holds is of its own staff.
    let water = pull_all(&server, &water_token).await;
    assert!(staff_of(&water, &id).is_empty(), "a WATER till got a LAUNDRY-only hash");
    assert!(water.iter().filter(|c| c.entity == "staff").count() >= 4, "the WATER till still gets its own staff");

    // Moved to WATER: the water till gets her, the laundry till gets her without a hash, inactive.
    let moved =
        save(json!({ "id": id, "name": "Nafula", "role": "cashier", "businesses": ["WATER"], "active": true })).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let water = pull_all(&server, &water_token).await;
    assert_eq!(staff_of(&water, &id).len(), 1);
    let laundry = pull_all(&server, &laundry_token).await;
    let gone = staff_of(&laundry, &id);
    assert_eq!(gone.len(), 1, "{gone:?}");
    assert_eq!((gone[0]["active"].as_bool(), gone[0]["pin_hash"].as_str()), (Some(false), Some("")));
}

#[tokio::test]
async fn verify_finds_an_audit_row_edited_past_the_triggers_and_a_row_taken_out() {
    let server = server().await;
    let owner = server.owner_token("wanjiru@example.com").await;
    for n in 0..3 {
        let change = json!({ "business": "RETAIL", "name": format!("Soap {n}"), "unit": "bar", "price": "50.00",
                             "vat_rate": "0.16", "active": true });
        assert_eq!(
            server.post("/api/v1/admin/products", Some(&owner), serde_json::to_vec(&change).unwrap()).await.status,
            200
        );
    }
    let clean = tillbook_server::verify::verify(&server.owner).await.unwrap();
    assert!(clean.is_clean(), "{clean:?}");
    assert!(clean.audit_rows >= 5 && clean.audit_head.is_some(), "{clean:?}");

    // TRUNCATE is refused on every append-only table, even to the superuser.
    for table in ["audit_log", "inbox", "change_log", "sale", "quarantine", "allocation"] {
        let refused =
            sqlx::query(sqlx::AssertSqlSafe(format!("TRUNCATE {table} CASCADE"))).execute(&server.owner).await;
        assert!(refused.is_err(), "TRUNCATE {table} went through");
    }
    // The runtime role cannot edit a row.
    let mut runtime = server.owner.acquire().await.unwrap();
    sqlx::query("SET ROLE tillbook_app").execute(&mut *runtime).await.unwrap();
    let refused = sqlx::query("UPDATE audit_log SET subject = 'x'").execute(&mut *runtime).await;
    assert!(refused.is_err());
    sqlx::query("RESET ROLE").execute(&mut *runtime).await.unwrap();
    drop(runtime);

    // The superuser edits a row's price past the triggers: verify names that row.
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM audit_log WHERE action = 'product.created' ORDER BY id")
        .fetch_all(&server.owner)
        .await
        .unwrap();
    let mut superuser = server.owner.begin().await.unwrap();
    sqlx::query("SET LOCAL session_replication_role = replica").execute(&mut *superuser).await.unwrap();
    sqlx::query("UPDATE audit_log SET details = jsonb_set(details, '{after,price}', '\"5.00\"') WHERE id = $1")
        .bind(ids[0])
        .execute(&mut *superuser)
        .await
        .unwrap();
    superuser.commit().await.unwrap();
    let report = tillbook_server::verify::verify(&server.owner).await.unwrap();
    assert_eq!((report.audit_edited.clone(), report.audit_broken_links.clone()), (vec![ids[0]], vec![]));
    assert!(!report.is_clean());

    // And deletes another: the row after it no longer links.
    let mut superuser = server.owner.begin().await.unwrap();
    sqlx::query("SET LOCAL session_replication_role = replica").execute(&mut *superuser).await.unwrap();
    sqlx::query("DELETE FROM audit_log WHERE id = $1").bind(ids[1]).execute(&mut *superuser).await.unwrap();
    superuser.commit().await.unwrap();
    let report = tillbook_server::verify::verify(&server.owner).await.unwrap();
    assert_eq!((report.audit_edited, report.audit_broken_links), (vec![ids[0]], vec![ids[2]]));
}

#[tokio::test]
async fn a_customer_named_like_a_formula_comes_out_as_text_in_every_csv_export() {
    let server = server().await;
    let (mut water, token) = server.till(BusinessKind::Water).await;
    let customer = CustomerId::new();
    let name = "=HYPERLINK(\"http://evil.example/pay\",\"Pay here\")";
    let created = water.event(Document::CustomerCreated(CustomerCreated {
        customer_id: customer,
        name: name.into(),
        phone: None,
        credit_limit: Money::from_cents(1_000_000),
    }));
    water.lookup.data.customers.push(tillbook_core::catalog::Customer {
        id: customer,
        name: name.into(),
        phone: None,
        credit_limit: Money::from_cents(1_000_000),
        active: true,
    });
    let (_, sale) = water.credit_sale(&[(0, 1)], customer);
    let answer = server.push(&water, &token, &[created, sale]).await;
    assert_eq!(ack_statuses(&answer), ["posted", "posted"], "{}", answer.body);
    let owner = server.owner_token("wanjiru@example.com").await;

    let mut seen = 0;
    for report in tillbook_core::protocol::OWNER_REPORTS {
        let query = match report {
            "statement" => format!("customer_id={customer}&"),
            "supplier-statement" => format!("supplier_id={}&", tillbook_core::seed::supplier_id(1)),
            _ => String::new(),
        };
        let (status, text) = server.get(&format!("/api/v1/reports/{report}?{query}format=csv"), Some(&owner)).await;
        assert_eq!(status, 200, "{report}: {text}");
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                assert!(!cell.starts_with(['=', '+', '@']), "{report}: a cell could run as a formula: {cell}");
                assert!(!cell.starts_with('-') || cell.parse::<rust_decimal::Decimal>().is_ok(), "{report}: {cell}");
                if cell == format!("'{name}") {
                    seen += 1;
                }
            }
        }
    }
    assert!(seen >= 1, "the customer is in the aging report, as text ({seen})");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_metrics_stay_on_the_machine() {
    let server = server().await;
    for path in ["/api/v1/health", "/api/v1/reports/sales", "/no/such/thing"] {
        let response = server.http.get(format!("{}{path}", server.base)).send().await.unwrap();
        let headers = response.headers();
        assert_eq!(headers.get("x-content-type-options").map(|v| v.to_str().unwrap()), Some("nosniff"), "{path}");
        assert_eq!(headers.get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"), "{path}");
        assert_eq!(headers.get("x-frame-options").map(|v| v.to_str().unwrap()), Some("DENY"), "{path}");
    }
    // The test connects over loopback, which is the server's own machine.
    let (status, text) = server.get("/metrics", None).await;
    assert_eq!(status, 200, "{text}");
}
