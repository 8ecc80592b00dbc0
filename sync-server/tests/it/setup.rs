//! A group set up from nothing (issue "From an empty server to a real group trading"): the
//! server has only its schema; the owner creates businesses, whose accounts come from the chart
//! template, what they sell and their customers over HTTP, and the operator does the same from
//! a set-up file with the real binary. Every refusal names its field and writes nothing; every
//! change is audited and reaches the tills.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::common::{Answer, TestServer, empty_server};

async fn post(server: &TestServer, token: &str, path: &str, body: Value) -> Answer {
    server.post(path, Some(token), serde_json::to_vec(&body).unwrap()).await
}

fn business(code: &str, name: &str, kind: &str) -> Value {
    json!({ "code": code, "name": name, "kind": kind, "active": true,
            "profile": { "kra_pin": "P051234567W", "address": "Kenyatta Avenue 12, Nakuru", "phone": "0712 345 678",
                         "mpesa_number": "174379", "vat_registered": true } })
}

/// `base` with the fields of `patch` replaced (a `null` removes one).
fn with(base: &Value, patch: Value) -> Value {
    let mut value = base.clone();
    for (key, new) in patch.as_object().unwrap() {
        if new.is_null() {
            value.as_object_mut().unwrap().remove(key);
        } else {
            value[key] = new.clone();
        }
    }
    value
}

/// The account codes a business's roles post to, as saved.
fn codes(saved: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, into: &mut BTreeSet<String>) {
        match value {
            Value::String(code) => {
                into.insert(code.clone());
            }
            Value::Object(map) => map.values().for_each(|value| walk(value, into)),
            _ => {}
        }
    }
    let mut into = BTreeSet::new();
    walk(&saved["accounts"], &mut into);
    into
}

/// The rows of every table a set-up change writes.
async fn master_data(server: &TestServer) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in
        ["business", "account", "product", "laundry_service", "cylinder_type", "customer", "audit_log", "change_log"]
    {
        counts.push(server.count(table).await);
    }
    counts
}

#[tokio::test]
async fn an_owner_sets_up_a_group_on_an_empty_server_and_its_tills_pull_it() {
    let server = empty_server().await;
    let token = server.owner_token("founder@example.com").await;
    let (status, listed) = server.get("/api/v1/reports/businesses", Some(&token)).await;
    assert_eq!((status, listed.as_str()), (200, "[]"));
    assert_eq!(server.count("account").await, 0);

    // A water shop and a retail shop with LPG: the first of their kinds, so the usual codes.
    let maji = post(&server, &token, "/api/v1/admin/businesses", business("MAJI", "Maji Safi", "water")).await;
    assert_eq!(maji.status, 200, "{}", maji.body);
    assert_eq!(maji.body["accounts"]["cash"], "1110");
    assert_eq!(maji.body["profile"]["kra_pin"], "P051234567W");
    let duka = post(&server, &token, "/api/v1/admin/businesses", business("DUKA", "Duka & Gas", "retail")).await;
    assert_eq!(duka.status, 200, "{}", duka.body);
    assert_eq!(duka.body["accounts"]["lpg"]["cylinder_deposits"], "2310");
    // The shared accounts came with the first business, once: 16 shared, 6 water, 12 retail.
    assert_eq!(server.count("account").await, 16 + 6 + 12);

    // A second retail shop takes free codes of each range: none of the first's.
    let second = post(&server, &token, "/api/v1/admin/businesses", business("DUKA2", "Duka Two", "retail")).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert!(codes(&second.body).is_disjoint(&codes(&duka.body)), "{} / {}", second.body, duka.body);
    let (owned,): (i64,) = sqlx::query_as("SELECT count(*) FROM account WHERE business_code = 'DUKA2'")
        .fetch_one(&server.owner)
        .await
        .unwrap();
    assert_eq!(owned, 12);

    // What a refused change names, with nothing written.
    let before = master_data(&server).await;
    let service = json!({ "business": "DUKA", "name": "Wash & fold", "pricing": "per_kg", "price": "120.00",
                          "vat_rate": "0.16", "active": true });
    let cylinder = json!({ "business": "DUKA", "size_kg": "13", "brand": "Total", "gas_price": "3100.00",
                           "gas_cost": "2600.00", "cylinder_price": "4500.00", "cylinder_cost": "3800.00",
                           "deposit": "2000.00", "vat_rate": "0.16", "active": true });
    let customer = json!({ "name": "Mama Mboga", "phone": "0722 123 456", "credit_limit": "5000.00", "active": true });
    let water = business("MAJI", "Maji Safi", "water");
    for (path, body, field) in [
        (
            "businesses",
            with(&water, json!({ "code": "MAJI3", "profile": { "kra_pin": "12345", "address": "x" } })),
            "kra_pin",
        ),
        (
            "businesses",
            with(&water, json!({ "code": "MAJI3", "profile": { "kra_pin": "P051234567W", "address": " " } })),
            "address",
        ),
        ("businesses", with(&water, json!({ "code": "m" })), "code"),
        ("businesses", with(&water, json!({ "name": "Another" })), "code"),
        ("businesses", with(&water, json!({ "id": maji.body["id"], "kind": "retail" })), "kind"),
        ("businesses", with(&water, json!({ "id": maji.body["id"], "code": "MAJI9" })), "code"),
        ("businesses", with(&water, json!({ "kind": "bakery" })), "body"),
        ("laundry-services", service.clone(), "business"),
        ("laundry-services", with(&service, json!({ "business": "NOWHERE" })), "business"),
        ("cylinder-types", with(&cylinder, json!({ "business": "MAJI" })), "business"),
        ("cylinder-types", with(&cylinder, json!({ "size_kg": "0" })), "size_kg"),
        ("cylinder-types", with(&cylinder, json!({ "deposit": "-1.00" })), "deposit"),
        ("customers", with(&customer, json!({ "phone": "call me" })), "phone"),
        ("customers", with(&customer, json!({ "credit_limit": "-5.00" })), "credit_limit"),
        ("customers", with(&customer, json!({ "name": "" })), "name"),
    ] {
        let answer = post(&server, &token, &format!("/api/v1/admin/{path}"), body.clone()).await;
        assert_eq!(
            (answer.status, answer.body["error"]["field"].as_str()),
            (400, Some(field)),
            "{body}: {}",
            answer.body
        );
    }
    assert_eq!(master_data(&server).await, before);

    // What they sell, and a customer with a credit limit.
    let laundry = post(&server, &token, "/api/v1/admin/businesses", business("SAFI", "Safi Laundry", "laundry")).await;
    assert_eq!(laundry.status, 200, "{}", laundry.body);
    let saved =
        post(&server, &token, "/api/v1/admin/laundry-services", with(&service, json!({ "business": "SAFI" }))).await;
    assert_eq!((saved.status, saved.body["price"].as_str()), (200, Some("120.00")), "{}", saved.body);
    let saved = post(&server, &token, "/api/v1/admin/cylinder-types", cylinder.clone()).await;
    assert_eq!((saved.status, saved.body["deposit"].as_str()), (200, Some("2000.00")), "{}", saved.body);
    let same = post(&server, &token, "/api/v1/admin/cylinder-types", cylinder.clone()).await;
    assert_eq!((same.status, same.body["error"]["field"].as_str()), (400, Some("brand")), "{}", same.body);
    let product = json!({ "business": "DUKA2", "name": "Sugar 1 kg", "unit": "packet", "price": "180.00",
                          "vat_rate": "0.16", "unit_cost": "150.00", "stocked": true, "active": true });
    let sugar = post(&server, &token, "/api/v1/admin/products", product).await;
    assert_eq!(sugar.status, 200, "{}", sugar.body);
    let (revenue, inventory): (i16, i16) =
        sqlx::query_as("SELECT revenue_account, inventory_account FROM product WHERE name = 'Sugar 1 kg'")
            .fetch_one(&server.owner)
            .await
            .unwrap();
    let second_goods = &second.body["accounts"]["goods"];
    assert_eq!(
        (revenue.to_string(), inventory.to_string()),
        (
            second_goods["revenue"].as_str().unwrap().to_string(),
            second_goods["stock"]["inventory"].as_str().unwrap().to_string()
        )
    );
    let mboga = post(&server, &token, "/api/v1/admin/customers", customer.clone()).await;
    assert_eq!((mboga.status, mboga.body["credit_limit"].as_str()), (200, Some("5000.00")), "{}", mboga.body);
    let raised = post(
        &server,
        &token,
        "/api/v1/admin/customers",
        with(&customer, json!({ "id": mboga.body["id"], "credit_limit": "8000.00" })),
    )
    .await;
    assert_eq!((raised.status, raised.body["credit_limit"].as_str()), (200, Some("8000.00")), "{}", raised.body);
    let (details,): (Value,) =
        sqlx::query_as("SELECT details FROM audit_log WHERE action = 'customer.changed' ORDER BY id DESC LIMIT 1")
            .fetch_one(&server.owner)
            .await
            .unwrap();
    assert_eq!(
        (details["credit_limit_before"].as_str(), details["credit_limit"].as_str()),
        (Some("5000.00"), Some("8000.00"))
    );
    assert!(!details.to_string().contains("0722"), "the audit keeps no phone number: {details}");

    // Every change is in the audit log.
    let actions: Vec<(String, i64)> =
        sqlx::query_as("SELECT action, count(*) FROM audit_log WHERE action NOT LIKE 'owner.%' GROUP BY 1 ORDER BY 1")
            .fetch_all(&server.owner)
            .await
            .unwrap();
    let actions: Vec<(&str, i64)> = actions.iter().map(|(action, count)| (action.as_str(), *count)).collect();
    assert_eq!(
        actions,
        [
            ("business.created", 4),
            ("customer.changed", 1),
            ("customer.created", 1),
            ("cylinder_type.created", 1),
            ("laundry_service.created", 1),
            ("product.created", 1)
        ]
    );

    // A till of DUKA enrols and pulls its business, its accounts, its cylinder and the customer.
    let (_, till_token) = server.enrol("DUKA").await;
    let (status, pulled) = server.get("/api/v1/sync/pull?cursor=0", Some(&till_token)).await;
    assert_eq!(status, 200, "{pulled}");
    let pulled: Value = serde_json::from_str(&pulled).unwrap();
    let changes = pulled["changes"].as_array().unwrap();
    let has = |entity: &str, key: &str, value: &str| {
        changes.iter().any(|change| change["entity"] == entity && change["data"][key].as_str() == Some(value))
    };
    assert!(has("business", "code", "DUKA") && has("business", "code", "MAJI"), "{pulled}");
    assert!(has("account", "code", "2310") && has("cylinder_type", "brand", "Total"), "{pulled}");
    assert!(has("customer", "credit_limit", "8000.00"), "{pulled}");
    assert!(!has("laundry_service", "name", "Wash & fold"), "another business's service stays away: {pulled}");
    server.verify_clean().await;
}

#[tokio::test]
async fn the_operator_sets_up_a_group_from_a_file_all_or_nothing() {
    let server = empty_server().await;
    let folder = std::env::temp_dir().join(format!("tillbook-setup-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&folder).unwrap();
    let url = format!(
        "postgres://{}@{}:{}/{}",
        server.options.get_username(),
        server.options.get_host(),
        server.options.get_port(),
        server.options.get_database().unwrap()
    );
    let run = |file: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tillbook-server"))
            .args(["setup", file.to_str().unwrap()])
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let group = json!({
        "businesses": [business("MAJI", "Maji Safi", "water")],
        "products": [{ "business": "MAJI", "name": "Refill 20 L", "unit": "refill", "price": "70.00", "vat_rate": "0.16",
                       "active": true }],
        "customers": [{ "name": "Hoteli Bora", "credit_limit": "20000.00", "active": true }],
        "staff": [{ "name": "Akinyi", "role": "cashier", "pin": "8642", "businesses": ["MAJI"], "active": true },
                  { "name": "Baraka", "role": "supervisor", "pin": "1234", "businesses": ["MAJI"], "active": true }],
    });
    // The supervisor's PIN is too short: the whole file is refused, naming that change.
    let file = folder.join("group.json");
    std::fs::write(&file, group.to_string()).unwrap();
    let refused = run(&file);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(stderr.contains("member of staff 2") && stderr.contains("6 to 8 digits"), "{stderr}");
    assert!(!stderr.contains("8642"), "no PIN is ever printed: {stderr}");
    assert_eq!(
        (server.count("business").await, server.count("staff").await, server.count("audit_log").await),
        (0, 0, 0)
    );

    let mut group = group;
    group["staff"][1]["pin"] = json!("123456");
    std::fs::write(&file, group.to_string()).unwrap();
    let applied = run(&file);
    assert!(applied.status.success(), "{}", String::from_utf8_lossy(&applied.stderr));
    let printed: Value = serde_json::from_slice(&applied.stdout).unwrap();
    assert_eq!(printed["businesses"][0]["accounts"]["cash"], "1110");
    assert_eq!(printed["products"][0]["price"], "70.00");
    assert!(!String::from_utf8_lossy(&applied.stdout).contains("8642"));
    assert_eq!((server.count("business").await, server.count("staff").await), (1, 2));
    server.verify_clean().await;
    std::fs::remove_dir_all(&folder).unwrap();
}

/// A customer changed at a till (`customer.changed`): head office takes the new name and limit,
/// audits the change under the till, and publishes the customer to every till; a change of a
/// customer head office never heard of is quarantined, alone.
#[tokio::test]
async fn a_customer_changed_at_a_till_reaches_head_office_and_every_till() {
    use tillbook_core::documents::{CustomerCreated, Document};
    let server = crate::common::server().await;
    let (mut water, token) = server.till(tillbook_core::chart::BusinessKind::Water).await;
    let njeri = tillbook_core::seed::demo().customers.into_iter().find(|c| c.name == "Mama Njeri").unwrap();
    let changed = |customer_id, limit: &str| {
        Document::CustomerChanged(CustomerCreated {
            customer_id,
            name: "Mama Njeri Kamau".into(),
            phone: Some("0712 999 888".into()),
            credit_limit: limit.parse().unwrap(),
        })
    };
    let events = [
        water.event(changed(njeri.id, "4500.00")),
        water.event(changed(tillbook_core::ids::CustomerId::new(), "100.00")),
        // A credit sale to the changed customer, later in the same batch.
        water.credit_sale(&[(2, 50)], njeri.id).1,
    ];
    let answer = server.push(&water, &token, &events).await;
    assert_eq!(crate::common::ack_statuses(&answer), ["posted", "quarantined", "posted"], "{}", answer.body);
    assert_eq!(crate::common::ack_codes(&answer)[1], "unknown_customer");
    let (name, limit): (String, rust_decimal::Decimal) =
        sqlx::query_as("SELECT name, credit_limit FROM customer WHERE id = $1")
            .bind(njeri.id.0)
            .fetch_one(&server.owner)
            .await
            .unwrap();
    assert_eq!((name.as_str(), limit.to_string().as_str()), ("Mama Njeri Kamau", "4500.00"));
    let (actor, details): (Option<uuid::Uuid>, Value) = sqlx::query_as(
        "SELECT actor_device, details FROM audit_log WHERE action = 'customer.changed' AND subject = $1",
    )
    .bind(njeri.id.0.to_string())
    .fetch_one(&server.owner)
    .await
    .unwrap();
    assert_eq!(actor, Some(water.device.0));
    assert!(!details.to_string().contains("0712"), "the audit keeps no phone number: {details}");
    let (published,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM change_log WHERE entity = 'customer' AND data->>'id' = $1::text AND data->>'credit_limit' = '4500.00'",
    )
    .bind(njeri.id.0)
    .fetch_one(&server.owner)
    .await
    .unwrap();
    assert_eq!(published, 1, "every till pulls the changed customer");
    server.verify_clean().await;
}
