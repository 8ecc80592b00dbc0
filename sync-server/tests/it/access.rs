//! Who may call each route: one table over every route of the API and seven callers, the
//! statuses each gets, and nothing written by a refusal. The table must name every route
//! `api::routes()` serves and the API's description lists, so a route added without an entry
//! fails here.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use tillbook_server::api;

use crate::common::{PASSWORD, TestServer, server_with};

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Nobody,
    Device,
    Owner,
    Accountant,
    /// A manager of WATER; every business-specific request below is about RETAIL.
    OtherManager,
    Expired,
    SignedOut,
}

const CALLERS: [Caller; 7] = [
    Caller::Nobody,
    Caller::Device,
    Caller::Owner,
    Caller::Accountant,
    Caller::OtherManager,
    Caller::Expired,
    Caller::SignedOut,
];

/// One row: the route, what to send, and the status each caller of [`CALLERS`] gets.
struct Row {
    method: &'static str,
    path: &'static str,
    /// The request's path and query, and its body.
    request: Request,
    expected: [u16; 7],
    /// Signing out ends the caller's session: sign them in again afterwards.
    ends_sessions: bool,
}

/// What the requests refer to.
struct Fixture {
    mismatch_item: String,
    retail_till: String,
    device: tillbook_core::ids::DeviceId,
}

fn body(value: Value) -> Vec<u8> {
    serde_json::to_vec(&value).unwrap()
}

const STATEMENT: &str = "Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance\n\
                         {code},2026-11-20 13:00:00,,Payment from 2547****000,Completed,1500.00,,2770.00\n";

type Request = fn(&Fixture, usize) -> (String, Vec<u8>);

fn row(method: &'static str, path: &'static str, request: Request, expected: [u16; 7]) -> Row {
    Row { method, path, request, expected, ends_sessions: false }
}

/// A statement of one payment nobody recorded, with a receipt number of its own.
fn statement(n: usize) -> Vec<u8> {
    STATEMENT.replace("{code}", &format!("QK{n:08}")).into_bytes()
}

fn table() -> Vec<Row> {
    //            nobody device owner accountant other-manager expired signed-out
    const PUBLIC_401: [u16; 7] = [401, 401, 401, 401, 401, 401, 401];
    const DEVICE_ONLY: [u16; 7] = [401, 200, 401, 401, 401, 401, 401];
    const OWN: [u16; 7] = [401, 401, 200, 200, 200, 401, 401];
    const OWNER_ONLY: [u16; 7] = [401, 401, 200, 403, 403, 401, 401];
    const READERS: [u16; 7] = [401, 401, 200, 200, 403, 401, 401];
    const OPEN: [u16; 7] = [200; 7];
    vec![
        row(
            "POST",
            "/api/v1/devices/enroll",
            |_, _| {
                let request = json!({ "enrollment_code": "AAAA-BBBB-CCCC", "device_id": tillbook_core::ids::DeviceId::new(),
                                  "device_name": "Guess", "app_version": "1" });
                ("/api/v1/devices/enroll".into(), body(request))
            },
            PUBLIC_401,
        ),
        row(
            "POST",
            "/api/v1/sync/push",
            |f, _| ("/api/v1/sync/push".into(), body(json!({ "protocol": 1, "device_id": f.device, "events": [] }))),
            DEVICE_ONLY,
        ),
        row("GET", "/api/v1/sync/pull", |_, _| ("/api/v1/sync/pull?cursor=0".into(), vec![]), DEVICE_ONLY),
        row(
            "POST",
            "/api/v1/owner/login",
            |_, n| {
                (
                    "/api/v1/owner/login".into(),
                    body(json!({ "email": format!("nobody{n}@example.com"), "password": "not this one" })),
                )
            },
            PUBLIC_401,
        ),
        Row {
            method: "POST",
            path: "/api/v1/owner/logout",
            request: |_, _| ("/api/v1/owner/logout".into(), vec![]),
            expected: OWN,
            ends_sessions: true,
        },
        Row {
            method: "POST",
            path: "/api/v1/owner/logout-everywhere",
            request: |_, _| ("/api/v1/owner/logout-everywhere".into(), vec![]),
            expected: OWN,
            ends_sessions: true,
        },
        row("GET", "/api/v1/owner/sessions", |_, _| ("/api/v1/owner/sessions".into(), vec![]), OWN),
        // A new password too short: let in, then refused 400, and nothing changes.
        row(
            "POST",
            "/api/v1/owner/password",
            |_, _| ("/api/v1/owner/password".into(), body(json!({ "current": PASSWORD, "new": "short" }))),
            [401, 401, 400, 400, 400, 401, 401],
        ),
        row(
            "GET",
            "/api/v1/reports/{report}",
            |_, _| ("/api/v1/reports/trial-balance?business=RETAIL&format=csv".into(), vec![]),
            READERS,
        ),
        row(
            "POST",
            "/api/v1/review/resolve",
            |f, _| {
                let request = json!({ "item": f.mismatch_item, "action": "dismiss", "note": "seen at the bank" });
                ("/api/v1/review/resolve".into(), body(request))
            },
            OWNER_ONLY,
        ),
        row(
            "POST",
            "/api/v1/mpesa/statements",
            |_, n| ("/api/v1/mpesa/statements?business=RETAIL".into(), statement(n)),
            OWNER_ONLY,
        ),
        row(
            "POST",
            "/api/v1/admin/products",
            |_, n| {
                let request = json!({ "business": "RETAIL", "name": format!("Matches {n}"), "unit": "box", "price": "10.00",
                                  "vat_rate": "0.16", "active": true });
                ("/api/v1/admin/products".into(), body(request))
            },
            OWNER_ONLY,
        ),
        row(
            "POST",
            "/api/v1/admin/staff",
            |_, n| {
                let request = json!({ "name": format!("Mwangi {n}"), "role": "cashier", "pin": "4321",
                                  "businesses": ["RETAIL"], "active": true });
                ("/api/v1/admin/staff".into(), body(request))
            },
            OWNER_ONLY,
        ),
        row(
            "POST",
            "/api/v1/admin/businesses",
            |_, n| {
                let request = json!({ "code": format!("SHOP{n}"), "name": format!("Shop {n}"), "kind": "laundry",
                                  "profile": { "kra_pin": "P051234599Q", "address": "Market Lane 3, Nakuru",
                                               "phone": "0712 000 111", "mpesa_number": "512345", "vat_registered": false },
                                  "active": true });
                ("/api/v1/admin/businesses".into(), body(request))
            },
            OWNER_ONLY,
        ),
        row(
            "POST",
            "/api/v1/admin/laundry-services",
            |_, n| {
                let request = json!({ "business": "LAUNDRY", "name": format!("Curtains {n}"), "pricing": "per_piece",
                                  "price": "300.00", "vat_rate": "0.16", "active": true });
                ("/api/v1/admin/laundry-services".into(), body(request))
            },
            OWNER_ONLY,
        ),
        row(
            "POST",
            "/api/v1/admin/cylinder-types",
            |_, n| {
                let request = json!({ "business": "RETAIL", "size_kg": "13", "brand": format!("Brand {n}"),
                                  "gas_price": "3100.00", "gas_cost": "2600.00", "cylinder_price": "4500.00",
                                  "cylinder_cost": "3800.00", "deposit": "2000.00", "vat_rate": "0.16", "active": true });
                ("/api/v1/admin/cylinder-types".into(), body(request))
            },
            OWNER_ONLY,
        ),
        // Customers are the group's, not one business's: a manager of any business keeps them.
        row(
            "POST",
            "/api/v1/admin/customers",
            |_, n| {
                let request = json!({ "name": format!("Customer {n}"), "phone": "0722 123 456", "credit_limit": "5000.00",
                                  "active": true });
                ("/api/v1/admin/customers".into(), body(request))
            },
            [401, 401, 200, 403, 200, 401, 401],
        ),
        // A document recorded at head office for RETAIL: not for an accountant, nor WATER's manager.
        row(
            "POST",
            "/api/v1/office/documents",
            |_, n| {
                let expense = json!({ "expense_id": tillbook_core::ids::DocumentId::new(), "account": "6400",
                                      "amount": format!("{}.00", 100 + n), "description": "Delivery van",
                                      "paid_from": "bank" });
                let request = json!({ "documents": [{ "event_id": tillbook_core::ids::EventId::new(), "business": "RETAIL",
                                                      "type": "expense.recorded", "document": expense }] });
                ("/api/v1/office/documents".into(), body(request))
            },
            OWNER_ONLY,
        ),
        // The bank is the whole group's: its statement is the owner's to import.
        row(
            "POST",
            "/api/v1/bank/statements",
            |_, n| {
                let statement = format!(
                    "Date,Description,Money out,Money in\n2026-12-0{},Deposit {n},,{}.00\n",
                    1 + n % 9,
                    100 + n
                );
                ("/api/v1/bank/statements".into(), statement.into_bytes())
            },
            OWNER_ONLY,
        ),
        // Suppliers too: any business may buy from them.
        row(
            "POST",
            "/api/v1/admin/suppliers",
            |_, n| {
                let request = json!({ "name": format!("Supplier {n}"), "kra_pin": "P051234567W", "terms_days": 30,
                                  "active": true });
                ("/api/v1/admin/suppliers".into(), body(request))
            },
            [401, 401, 200, 403, 200, 401, 401],
        ),
        row(
            "POST",
            "/api/v1/admin/tills",
            |_, _| ("/api/v1/admin/tills".into(), body(json!({ "business": "RETAIL", "name": "Counter 9" }))),
            OWNER_ONLY,
        ),
        row(
            "POST",
            "/api/v1/admin/etims",
            |_, _| {
                let request = json!({ "business": "RETAIL", "branch_id": "00", "device_serial": "TB-RETAIL-1",
                                      "oscu_url": "http://127.0.0.1:9/" });
                ("/api/v1/admin/etims".into(), body(request))
            },
            // The owner passes; this server keeps no eTIMS keys, so the set-up is refused (409)
            // before anything is written.
            [401, 401, 409, 403, 403, 401, 401],
        ),
        row(
            "POST",
            "/api/v1/admin/tills/revoke",
            |f, _| ("/api/v1/admin/tills/revoke".into(), body(json!({ "till_code": f.retail_till }))),
            OWNER_ONLY,
        ),
        row(
            "POST",
            "/api/v1/admin/tills/reenrol",
            |f, _| ("/api/v1/admin/tills/reenrol".into(), body(json!({ "till_code": f.retail_till }))),
            OWNER_ONLY,
        ),
        row("GET", "/api/v1/admin/users", |_, _| ("/api/v1/admin/users".into(), vec![]), OWNER_ONLY),
        row(
            "POST",
            "/api/v1/admin/users/save",
            |_, n| {
                let request = json!({ "email": format!("clerk{n}@example.com"), "name": "Clerk", "role": "accountant",
                                  "password": PASSWORD, "active": true });
                ("/api/v1/admin/users/save".into(), body(request))
            },
            OWNER_ONLY,
        ),
        row("GET", "/api/v1/health", |_, _| ("/api/v1/health".into(), vec![]), OPEN),
        row("GET", "/api/v1/openapi.json", |_, _| ("/api/v1/openapi.json".into(), vec![]), OPEN),
        // Metrics ask for their own token here, which no caller has.
        row("GET", "/metrics", |_, _| ("/metrics".into(), vec![]), PUBLIC_401),
    ]
}

/// What every table of this database holds: its rows and the newest transaction that wrote
/// one. An insert, update or delete by a refused request changes it. (Transaction ids alone
/// would not do: the cluster is shared with tests running beside this one.)
async fn footprint(server: &TestServer) -> Vec<(String, i64, i64)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
          ORDER BY 1",
    )
    .fetch_all(&server.owner)
    .await
    .unwrap();
    let query = tables
        .iter()
        .map(|table| format!("SELECT '{table}', count(*), coalesce(max(xmin::text::bigint), 0) FROM {table}"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    sqlx::query_as(sqlx::AssertSqlSafe(query)).fetch_all(&server.owner).await.unwrap()
}

async fn send(server: &TestServer, method: &str, path: &str, token: Option<&str>, body: Vec<u8>) -> (u16, String) {
    let url = format!("{}{path}", server.base);
    let mut request = match method {
        "GET" => server.http.get(url),
        _ => server.http.post(url).body(body).header("content-type", "application/json"),
    };
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the server answers");
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Creates a user of head office as the owner would, and signs them in.
async fn user(server: &TestServer, owner: &str, email: &str, role: &str, businesses: &[&str]) -> String {
    let request = json!({ "email": email, "name": role, "role": role, "businesses": businesses,
                          "password": PASSWORD, "active": true });
    let saved = server.post("/api/v1/admin/users/save", Some(owner), body(request)).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    server.sign_in(email, PASSWORD).await
}

#[tokio::test]
async fn every_route_answers_each_caller_as_its_role_allows_and_a_refusal_writes_nothing() {
    let server = server_with(|state| state.with_metrics_token("metrics-token-of-this-test")).await;

    // The table covers exactly the routes served, and those the API's description lists.
    let rows = table();
    let in_table: BTreeSet<(String, String)> =
        rows.iter().map(|row| (row.method.to_string(), row.path.to_string())).collect();
    assert_eq!(in_table.len(), rows.len(), "a route is in the table twice");
    let served: BTreeSet<(String, String)> =
        api::routes().iter().map(|route| (route.method.to_string(), route.path.to_string())).collect();
    assert_eq!(in_table, served, "every route needs a row saying who may call it");
    let (_, described) = server.get("/api/v1/openapi.json", None).await;
    let described: Value = serde_json::from_str(&described).unwrap();
    let described: BTreeSet<String> = described["paths"].as_object().unwrap().keys().cloned().collect();
    let served_paths: BTreeSet<String> = served.iter().map(|(_, path)| path.clone()).collect();
    assert_eq!(described, served_paths, "every route is described");

    // The callers.
    tillbook_server::admin::create_owner(&server.owner, "wanjiru@example.com", "Wanjiru", PASSWORD).await.unwrap();
    let mut owner = server.sign_in("wanjiru@example.com", PASSWORD).await;
    let mut accountant = user(&server, &owner, "hesabu@example.com", "accountant", &[]).await;
    let mut manager = user(&server, &owner, "maji@example.com", "manager", &["WATER"]).await;
    let expired = user(&server, &owner, "zamani@example.com", "accountant", &[]).await;
    sqlx::query("UPDATE owner_session SET expires_at = now() - interval '1 minute' WHERE token_hash = $1")
        .bind(tillbook_server::secrets::secret_hash(&expired))
        .execute(&server.owner)
        .await
        .unwrap();
    let signed_out = server.sign_in("wanjiru@example.com", PASSWORD).await;
    assert_eq!(server.post("/api/v1/owner/logout", Some(&signed_out), vec![]).await.status, 200);
    let (device, device_token) = server.enrol("WATER").await;

    // What the requests refer to: a RETAIL till, and a RETAIL review item.
    let (_, retail_token) = server.enrol("RETAIL").await;
    assert!(!retail_token.is_empty());
    let retail_till: String =
        sqlx::query_scalar("SELECT till_code FROM device d JOIN device_business db ON db.device_id = d.id JOIN business b ON b.id = db.business_id WHERE b.code = 'RETAIL'")
            .fetch_one(&server.owner)
            .await
            .unwrap();
    let imported = server.post("/api/v1/mpesa/statements?business=RETAIL", Some(&owner), statement(0)).await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    let mismatch: i64 = sqlx::query_scalar("SELECT id FROM mpesa_mismatch").fetch_one(&server.owner).await.unwrap();
    let fixture = Fixture { mismatch_item: format!("mpesa:{mismatch}"), retail_till, device };

    let mut failures = Vec::new();
    let mut n = 0;
    for row in &rows {
        for (caller, expected) in CALLERS.iter().zip(row.expected) {
            n += 1;
            let token = match caller {
                Caller::Nobody => None,
                Caller::Device => Some(device_token.as_str()),
                Caller::Owner => Some(owner.as_str()),
                Caller::Accountant => Some(accountant.as_str()),
                Caller::OtherManager => Some(manager.as_str()),
                Caller::Expired => Some(expired.as_str()),
                Caller::SignedOut => Some(signed_out.as_str()),
            };
            let (path, request_body) = (row.request)(&fixture, n);
            let before = footprint(&server).await;
            let (status, answer) = send(&server, row.method, &path, token, request_body).await;
            if status != expected {
                failures
                    .push(format!("{} {} as {caller:?}: {status}, expected {expected}: {answer}", row.method, path));
            }
            if status == 401 || status == 403 {
                let after = footprint(&server).await;
                let changed: Vec<&str> =
                    before.iter().zip(&after).filter(|(b, a)| b != a).map(|(b, _)| b.0.as_str()).collect();
                if !changed.is_empty() {
                    failures
                        .push(format!("{} {} as {caller:?} was refused but wrote to {changed:?}", row.method, path));
                }
                let error: Value = serde_json::from_str(&answer).unwrap_or_default();
                if error["error"]["code"].as_str().is_none() {
                    failures.push(format!(
                        "{} {} as {caller:?}: a refusal without a JSON code: {answer}",
                        row.method, path
                    ));
                }
            }
            if row.ends_sessions && status == 200 {
                let email = match caller {
                    Caller::Owner => "wanjiru@example.com",
                    Caller::Accountant => "hesabu@example.com",
                    _ => "maji@example.com",
                };
                let fresh = server.sign_in(email, PASSWORD).await;
                match caller {
                    Caller::Owner => owner = fresh,
                    Caller::Accountant => accountant = fresh,
                    _ => manager = fresh,
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {n} calls answered wrongly:\n{}", failures.len(), failures.join("\n"));

    // The metrics token is what lets a monitor in.
    let (status, text) = server.get("/metrics", Some("metrics-token-of-this-test")).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("tillbook_"), "{text}");
    // The manager reads their own business, and the accountant may not change anything.
    let (status, _) = server.get("/api/v1/reports/trial-balance?business=WATER", Some(&manager)).await;
    assert_eq!(status, 200);
    let (status, text) = server.get("/api/v1/reports/sales", Some(&manager)).await;
    assert_eq!(status, 200, "a manager of one business gets it by default: {text}");
    let (status, text) = server.get("/api/v1/reports/aging", Some(&manager)).await;
    assert_eq!(status, 403, "{text}");
}
