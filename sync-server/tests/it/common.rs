//! A fresh database per test in the cluster `DATABASE_URL` names (`cargo xtask test` starts
//! one), migrated as the owner, and the real server on a loopback port using the runtime role.

use std::str::FromStr;

use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPool};
use tillbook_core::chart::BusinessKind;
use tillbook_core::ids::DeviceId;
use tillbook_core::protocol::{EnrollRequest, EnrollResponse, Event, PushRequest};
use tillbook_server::{admin, api, db};

use crate::fixtures::TillEvents;

pub struct TestServer {
    pub owner: PgPool,
    pub base: String,
    pub http: reqwest::Client,
    pub options: PgConnectOptions,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        db::drop_database_after_test(&self.options);
    }
}

/// A migrated, seeded database of its own, with the server listening on it.
pub async fn server() -> TestServer {
    server_with(|state| state).await
}

/// As [`server`], with the server's state set up by `configure` (a metrics token, …).
pub async fn server_with(configure: impl FnOnce(api::AppState) -> api::AppState) -> TestServer {
    start(true, configure).await
}

/// A server with nothing but its schema: what `migrate` leaves, before anyone set a group up.
pub async fn empty_server() -> TestServer {
    start(false, |state| state).await
}

async fn start(seeded: bool, configure: impl FnOnce(api::AppState) -> api::AppState) -> TestServer {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL names the test cluster: run `cargo xtask test`");
    let base = PgConnectOptions::from_str(&url).expect("DATABASE_URL parses");
    let (options, owner) = if seeded {
        db::create_seeded_database(&base, "tillbook_test").await
    } else {
        db::create_migrated_database(&base, "tillbook_test").await
    }
    .expect("a fresh database");
    let login = db::runtime_login(&options).await.expect("the runtime role");
    let runtime = db::connect_runtime(login, 8).await.expect("runtime pool");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base_url = format!("http://{}", listener.local_addr().expect("address"));
    let (send, receive) = tokio::sync::oneshot::channel::<()>();
    let state = configure(api::AppState::new(runtime, chrono_tz::Africa::Nairobi));
    tokio::spawn(api::serve(listener, state, async {
        let _ = receive.await;
    }));
    TestServer { owner, base: base_url, http: reqwest::Client::new(), options, shutdown: Some(send) }
}

/// The password of the users tests create.
pub const PASSWORD: &str = "kahawa tamu sana";

/// An answer: status and JSON body.
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl TestServer {
    pub async fn post(&self, path: &str, token: Option<&str>, body: Vec<u8>) -> Answer {
        let mut request =
            self.http.post(format!("{}{path}", self.base)).body(body).header("content-type", "application/json");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        Answer { status, body: serde_json::from_str(&text).unwrap_or_else(|_| panic!("a JSON body, got: {text}")) }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("the server answers");
        (response.status().as_u16(), response.text().await.expect("a body"))
    }

    /// A new owner signed in over HTTP: the session token.
    pub async fn owner_token(&self, email: &str) -> String {
        tillbook_server::admin::create_owner(&self.owner, email, "Owner", PASSWORD).await.expect("an owner");
        self.sign_in(email, PASSWORD).await
    }

    /// Signs `email` in over HTTP: the session token.
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let login = serde_json::json!({ "email": email, "password": password });
        let signed_in = self.post("/api/v1/owner/login", None, serde_json::to_vec(&login).unwrap()).await;
        assert_eq!(signed_in.status, 200, "{}", signed_in.body);
        signed_in.body["token"].as_str().expect("a token").to_string()
    }

    /// Enrols a new till of `business` over HTTP, as a till would.
    pub async fn enrol(&self, business: &str) -> (DeviceId, String) {
        let code = admin::create_enrollment_code(&self.owner, business, "Test till").await.expect("code");
        let device = DeviceId::new();
        let request = EnrollRequest {
            enrollment_code: code,
            device_id: device,
            device_name: "Test till".into(),
            app_version: "test".into(),
        };
        let answer = self.post("/api/v1/devices/enroll", None, serde_json::to_vec(&request).unwrap()).await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        let response: EnrollResponse = serde_json::from_value(answer.body).unwrap();
        (device, response.device_token)
    }

    /// An enrolled till and its event stream.
    pub async fn till(&self, kind: BusinessKind) -> (TillEvents, String) {
        let code = match kind {
            BusinessKind::Water => "WATER",
            BusinessKind::Laundry => "LAUNDRY",
            BusinessKind::Retail => "RETAIL",
        };
        let (device, token) = self.enrol(code).await;
        (TillEvents::new(device, kind), token)
    }

    pub async fn push(&self, till: &TillEvents, token: &str, events: &[Event]) -> Answer {
        let request = PushRequest { protocol: 1, device_id: till.device, events: events.to_vec() };
        self.post("/api/v1/sync/push", Some(token), serde_json::to_vec(&request).unwrap()).await
    }

    pub async fn count(&self, table: &str) -> i64 {
        let (count,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
            .fetch_one(&self.owner)
            .await
            .expect("count");
        count
    }

    /// Row counts of every table the merge writes, to show that a refusal stored nothing.
    pub async fn footprint(&self) -> Vec<(String, i64)> {
        let mut counts = Vec::new();
        for table in FOOTPRINT_TABLES {
            counts.push((table.to_string(), self.count(table).await));
        }
        counts
    }

    /// A counter from `/metrics`.
    pub async fn metric(&self, name: &str) -> u64 {
        let (_, text) = self.get("/metrics", None).await;
        text.lines()
            .find_map(|line| line.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or_else(|| panic!("no counter {name} in:\n{text}"))
    }

    /// What the owner's tills report says holds each till up (`None`: nothing), by how far each
    /// till is merged.
    pub async fn stuck_reasons(&self) -> Vec<(i64, Option<String>)> {
        let today = chrono::Utc::now().date_naive();
        let tills = tillbook_server::reports::tills::tills(&self.owner, chrono_tz::Africa::Nairobi, today)
            .await
            .expect("the tills report");
        tills.into_iter().map(|till| (till.merged_through, till.stuck)).collect()
    }

    pub async fn verify_clean(&self) -> tillbook_server::verify::VerifyReport {
        let report = tillbook_server::verify::verify(&self.owner).await.expect("verify runs");
        assert!(report.is_clean(), "verify found problems: {report:#?}");
        report
    }
}

pub const FOOTPRINT_TABLES: [&str; 21] = [
    "inbox",
    "journal_entry",
    "journal_line",
    "account_balance",
    "quarantine",
    "posting_flag",
    "sale",
    "sale_line",
    "tender",
    "stock_movement",
    "stock_level",
    "invoice",
    "payment",
    "allocation",
    "laundry_job",
    "voided_document",
    "change_log",
    "purchase",
    "supplier_payment",
    "supplier_allocation",
    "vat_line",
];

pub fn ack_statuses(answer: &Answer) -> Vec<String> {
    answer.body["acks"]
        .as_array()
        .expect("acks")
        .iter()
        .map(|ack| ack["status"].as_str().unwrap().to_string())
        .collect()
}

/// Each ack's reason code, or its status when it has none (`posted`, `duplicate`).
pub fn ack_codes(answer: &Answer) -> Vec<String> {
    answer.body["acks"]
        .as_array()
        .expect("acks")
        .iter()
        .map(|ack| ack["reason"]["code"].as_str().or(ack["status"].as_str()).unwrap_or_default().to_string())
        .collect()
}

pub fn entry_numbers(answer: &Answer) -> Vec<i64> {
    answer.body["acks"].as_array().expect("acks").iter().filter_map(|ack| ack["entry_number"].as_i64()).collect()
}

/// The hledger export of everything posted passes `hledger check --strict`, and each account's
/// balance there equals the server's trial balance.
pub async fn assert_hledger_agrees(server: &TestServer) {
    use rust_decimal::Decimal;
    use std::collections::BTreeMap;
    use std::process::Command;
    let mut journal = Vec::new();
    tillbook_server::export::export_hledger(&server.owner, &mut journal).await.unwrap();
    let path =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("ledger-{}.journal", uuid::Uuid::now_v7()));
    std::fs::write(&path, &journal).unwrap();
    let check = Command::new("hledger")
        .args(["-f", path.to_str().unwrap(), "check", "--strict"])
        .output()
        .expect("hledger is installed (cargo xtask test installs it)");
    assert!(check.status.success(), "hledger check: {}", String::from_utf8_lossy(&check.stderr));
    let balances = Command::new("hledger")
        .args(["-f", path.to_str().unwrap(), "balance", "--flat", "--no-total", "-O", "csv"])
        .output()
        .unwrap();
    assert!(balances.status.success(), "{}", String::from_utf8_lossy(&balances.stderr));
    let mut hledger: BTreeMap<String, Decimal> = BTreeMap::new();
    for line in String::from_utf8(balances.stdout).unwrap().lines().skip(1) {
        let fields: Vec<&str> = line.split("\",\"").map(|field| field.trim_matches('"')).collect();
        let amount: Decimal = fields[1].trim_start_matches("KES").trim().replace(',', "").parse().unwrap();
        hledger.insert(fields[0].to_string(), amount);
    }
    let trial = tillbook_server::verify::trial_balance(&server.owner).await.unwrap();
    let accounts: Vec<(i16, String)> =
        sqlx::query_as("SELECT code, kind FROM account").fetch_all(&server.owner).await.unwrap();
    let kinds: BTreeMap<i16, String> = accounts.into_iter().collect();
    let mut ours: BTreeMap<String, Decimal> = BTreeMap::new();
    for row in &trial {
        let net = row.debit_total - row.credit_total;
        if !net.is_zero() {
            let name = tillbook_server::export::account_name(
                &kinds[&row.account_code],
                row.account_code,
                &row.account_name,
                &row.business_code,
            );
            ours.insert(name, net);
        }
    }
    assert!(!ours.is_empty());
    assert_eq!(hledger, ours);
    assert_eq!(ours.values().copied().sum::<Decimal>(), Decimal::ZERO, "the trial balance nets to zero");
}
