//! Head-office maintenance by the owner: a price change and a new product reach the retail
//! till's pull feed and the old price is flagged on the next sale; staff added with an argon2
//! PIN the log never sees; a till enrolled with a one-time code and another revoked. Every
//! change audited with the owner's email; every wrong field named with nothing written.

use serde_json::{Value, json};
use tillbook_core::chart::BusinessKind;
use tillbook_core::protocol::PullResponse;

use crate::common::{TestServer, ack_statuses, server};

async fn pull_from(server: &TestServer, token: &str, cursor: u64) -> PullResponse {
    let (status, body) = server.get(&format!("/api/v1/sync/pull?cursor={cursor}"), Some(token)).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn report(server: &TestServer, token: &str, path: &str) -> Vec<Value> {
    let (status, body) = server.get(path, Some(token)).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<Value>(&body).unwrap().as_array().unwrap().clone()
}

async fn post(server: &TestServer, token: &str, path: &str, body: Value) -> crate::common::Answer {
    server.post(path, Some(token), serde_json::to_vec(&body).unwrap()).await
}

#[tokio::test]
async fn the_owner_changes_prices_staff_and_tills_and_the_tills_pull_it() {
    let server = server().await;
    let (mut retail, till_token) = server.till(BusinessKind::Retail).await;
    let token = server.owner_token("wanjiru@example.com").await;
    let mut cursor = 0;
    loop {
        let page = pull_from(&server, &till_token, cursor).await;
        cursor = page.next_cursor;
        if !page.more {
            break;
        }
    }

    let products = report(&server, &token, "/api/v1/reports/products?business=RETAIL").await;
    let bread = products.iter().find(|p| p["name"].as_str().unwrap().starts_with("Bread")).unwrap().clone();
    let water = report(&server, &token, "/api/v1/reports/products?business=WATER").await[0].clone();
    let change = |overrides: Value| {
        let mut body = json!({ "id": bread["id"], "business": "RETAIL", "name": bread["name"], "unit": bread["unit"],
                               "price": "75.00", "vat_rate": bread["vat_rate"], "active": true });
        for (key, value) in overrides.as_object().unwrap() {
            body[key] = value.clone();
        }
        body
    };

    // Wrong changes: each named, nothing written.
    let before = (server.count("audit_log").await, server.count("change_log").await);
    for (body, status, field) in [
        (change(json!({ "price": "-1.00" })), 400, Some("price")),
        (change(json!({ "name": "  " })), 400, Some("name")),
        (change(json!({ "business": "BAKERY" })), 400, Some("business")),
        (change(json!({ "id": water["id"] })), 400, Some("business")),
        (
            change(json!({ "name": products.iter().find(|p| p["id"] != bread["id"]).unwrap()["name"] })),
            400,
            Some("name"),
        ),
        (change(json!({ "barcode": "12-34" })), 400, Some("barcode")),
        // An id head office does not know is a new product: a second "Bread 400 g" of RETAIL.
        (change(json!({ "id": uuid::Uuid::now_v7() })), 400, Some("name")),
        (change(json!({ "vat_rate": "lots" })), 400, Some("body")),
    ] {
        let answer = post(&server, &token, "/api/v1/admin/products", body.clone()).await;
        assert_eq!((answer.status, answer.body["error"]["field"].as_str()), (status, field), "{body}: {}", answer.body);
    }
    assert_eq!((server.count("audit_log").await, server.count("change_log").await), before);
    let unsigned = server.post("/api/v1/admin/products", None, serde_json::to_vec(&change(json!({}))).unwrap()).await;
    assert_eq!(unsigned.status, 401);

    // The price change: saved, audited with before and after, pulled by the retail till.
    let saved = post(&server, &token, "/api/v1/admin/products", change(json!({}))).await;
    assert_eq!((saved.status, saved.body["price"].as_str()), (200, Some("75.00")), "{}", saved.body);
    let (actor, details): (String, Value) =
        sqlx::query_as("SELECT actor, details FROM audit_trail WHERE action = 'product.changed'")
            .fetch_one(&server.owner)
            .await
            .unwrap();
    assert_eq!(actor, "wanjiru@example.com");
    assert_eq!(
        (details["before"]["price"].clone(), details["after"]["price"].as_str()),
        (bread["price"].clone(), Some("75.00"))
    );
    let page = pull_from(&server, &till_token, cursor).await;
    let pulled = page.changes.iter().find(|c| c.entity == "product").expect("the new price is pulled");
    assert_eq!((pulled.data["id"].clone(), pulled.data["price"].as_str()), (bread["id"].clone(), Some("75.00")));
    cursor = page.next_cursor;
    // A till that sells before it pulls charges the old price: posted, and flagged.
    let bread_line = retail.products().iter().position(|p| p.id.to_string() == bread["id"].as_str().unwrap()).unwrap();
    let sale = retail.sale(&[(bread_line, 1)]);
    assert_eq!(ack_statuses(&server.push(&retail, &till_token, &[sale]).await), ["posted"]);
    let flagged: i64 = sqlx::query_scalar("SELECT count(*) FROM posting_flag WHERE code = 'old_price'")
        .fetch_one(&server.owner)
        .await
        .unwrap();
    assert_eq!(flagged, 1);

    // A new stocked product takes the accounts the business's stocked products use.
    let created = post(
        &server,
        &token,
        "/api/v1/admin/products",
        json!({
        "business": "retail", "name": "Cooking gas lighter", "unit": "piece", "price": "150.00",
        "vat_rate": "0.16", "unit_cost": "90.00", "stocked": true, "active": true }),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!((created.body["stocked"].as_bool(), created.body["unit_cost"].as_str()), (Some(true), Some("90.00")));
    let page = pull_from(&server, &till_token, cursor).await;
    let pulled = page.changes.iter().find(|c| c.entity == "product").expect("the new product is pulled");
    assert_eq!(pulled.data["name"].as_str(), Some("Cooking gas lighter"));
    assert!(pulled.data["stock"]["inventory"].is_string(), "{}", pulled.data);
    cursor = page.next_cursor;

    // Staff: a PIN of digits only, hashed; the log never sees it.
    for (body, field) in [
        (
            json!({ "name": "Akinyi", "role": "cashier", "pin": "12ab", "businesses": ["RETAIL"], "active": true }),
            "pin",
        ),
        (json!({ "name": "Akinyi", "role": "cashier", "businesses": ["RETAIL"], "active": true }), "pin"),
        (
            json!({ "name": "Akinyi", "role": "manager", "pin": "4321", "businesses": ["RETAIL"], "active": true }),
            "role",
        ),
        (
            json!({ "name": "Akinyi", "role": "supervisor", "pin": "4321", "businesses": ["RETAIL"], "active": true }),
            "pin",
        ),
        (json!({ "name": "Akinyi", "role": "cashier", "pin": "4321", "active": true }), "businesses"),
        (
            json!({ "name": "Akinyi", "role": "cashier", "pin": "4321", "businesses": ["NOPE"], "active": true }),
            "businesses",
        ),
    ] {
        let answer = post(&server, &token, "/api/v1/admin/staff", body).await;
        assert_eq!((answer.status, answer.body["error"]["field"].as_str()), (400, Some(field)), "{}", answer.body);
    }
    let added = post(
        &server,
        &token,
        "/api/v1/admin/staff",
        json!({ "name": "Akinyi", "role": "cashier", "pin": "4321", "businesses": ["retail"], "active": true }),
    )
    .await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(added.body["businesses"], json!(["RETAIL"]));
    let staff_id = added.body["id"].clone();
    let page = pull_from(&server, &till_token, cursor).await;
    let pulled = page.changes.iter().find(|c| c.entity == "staff").expect("the new cashier is pulled");
    let hash = pulled.data["pin_hash"].as_str().unwrap();
    assert!(tillbook_server::secrets::verify_password("4321", hash), "the tills get a hash of the PIN");
    cursor = page.next_cursor;
    let logged: Vec<(String,)> = sqlx::query_as("SELECT details::text FROM audit_log WHERE action LIKE 'staff.%'")
        .fetch_all(&server.owner)
        .await
        .unwrap();
    assert!(logged.iter().all(|(details,)| !details.contains("4321") && details.contains("pin_changed")), "{logged:?}");
    let away = post(
        &server,
        &token,
        "/api/v1/admin/staff",
        json!({ "id": staff_id, "name": "Akinyi", "role": "cashier", "active": false }),
    )
    .await;
    assert_eq!((away.status, away.body["active"].as_bool()), (200, Some(false)), "{}", away.body);
    let page = pull_from(&server, &till_token, cursor).await;
    let pulled = page.changes.iter().find(|c| c.entity == "staff").unwrap();
    assert_eq!(
        (pulled.data["active"].as_bool(), pulled.data["pin_hash"].as_str()),
        (Some(false), Some(hash)),
        "the PIN stays"
    );
    let staff = report(&server, &token, "/api/v1/reports/staff").await;
    assert!(staff.iter().all(|member| member.get("pin_hash").is_none()));

    // Tills: a code for a new one, which enrols once; the old one revoked is refused.
    let enrolment =
        post(&server, &token, "/api/v1/admin/tills", json!({ "business": "RETAIL", "name": "Counter 2" })).await;
    assert_eq!(enrolment.status, 200, "{}", enrolment.body);
    let request = json!({ "enrollment_code": enrolment.body["code"], "device_id": tillbook_core::ids::DeviceId::new(),
                          "device_name": "Counter 2", "app_version": "1.0" });
    let enrolled = server.post("/api/v1/devices/enroll", None, serde_json::to_vec(&request).unwrap()).await;
    assert_eq!((enrolled.status, enrolled.body["till_code"].clone()), (201, enrolment.body["till_code"].clone()));
    let (old_code,): (String,) = sqlx::query_as("SELECT till_code FROM device WHERE id = $1")
        .bind(retail.device.0)
        .fetch_one(&server.owner)
        .await
        .unwrap();
    let unknown = post(&server, &token, "/api/v1/admin/tills/revoke", json!({ "till_code": "Z9" })).await;
    assert_eq!((unknown.status, unknown.body["error"]["field"].as_str()), (400, Some("till_code")));
    let revoked = post(&server, &token, "/api/v1/admin/tills/revoke", json!({ "till_code": old_code })).await;
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    let after_revocation = retail.sale(&[(0, 1)]);
    let refused = server.push(&retail, &till_token, &[after_revocation]).await;
    assert_eq!((refused.status, refused.body["error"]["code"].as_str()), (401, Some("device_revoked")));
    let audited: Vec<(String, String)> = sqlx::query_as(
        "SELECT actor, action FROM audit_trail WHERE action IN ('device.enrollment_code_created', 'device.revoked') ORDER BY id",
    )
    .fetch_all(&server.owner)
    .await
    .unwrap();
    let owner = "wanjiru@example.com".to_string();
    assert_eq!(
        audited,
        [
            ("operator (command line)".to_string(), "device.enrollment_code_created".to_string()),
            (owner.clone(), "device.enrollment_code_created".to_string()),
            (owner, "device.revoked".to_string()),
        ]
    );
}
