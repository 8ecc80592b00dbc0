//! The end-to-end harness: a fresh central database per test in the cluster `DATABASE_URL`
//! names, the real server on loopback (started, stopped and started again like the real
//! thing), tills on real SQLite files syncing through the real client, and a fault proxy.

pub mod oscu;
pub mod proxy;

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgPool};
use tillbook_server::{admin, api, db};
use tillbook_till::sync::{SyncConfig, SyncHandle};
use tillbook_till::{Session, Till};

/// Runs a test's body on a runtime built after the keyring is prepared on this thread, so the
/// runtime's threads share the thread's session keyring.
pub fn run<F: Future<Output = ()>>(body: F) {
    tillbook_till::sync::token::prepare().expect("the keyring is usable");
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime").block_on(body);
}

/// A private head office's certificate authority made for one test, and the server's
/// certificate it signed (for `localhost` and 127.0.0.1), written as PEM files into a folder.
pub struct TestCa {
    /// The CA's certificate, as a till is given it.
    pub ca_pem: String,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TestCa {
    pub fn new(folder: &Path) -> TestCa {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, "Tillbook test head office CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        let ca_key = KeyPair::generate().expect("a CA key");
        let ca_cert = ca.self_signed(&ca_key).expect("the CA certificate");
        let issuer = Issuer::new(ca, ca_key);
        let server =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).expect("server parameters");
        let server_key = KeyPair::generate().expect("a server key");
        let server_cert = server.signed_by(&server_key, &issuer).expect("the server certificate");
        let (cert, key) = (folder.join("server.crt"), folder.join("server.key"));
        std::fs::write(&cert, server_cert.pem()).expect("write the certificate");
        std::fs::write(&key, server_key.serialize_pem()).expect("write the key");
        TestCa { ca_pem: ca_cert.pem(), cert, key }
    }
}

/// The `application_name` of the server when it runs as a process (`e2e-server`), by which a
/// test sees its transactions in `pg_stat_activity`.
pub const SERVER_PROCESS: &str = "tillbook-e2e-server";

/// The central database of one test, and the server that serves it when it is up: in the
/// test's own runtime, or as a process of its own that can be killed.
pub struct Central {
    pub owner: PgPool,
    pub options: PgConnectOptions,
    /// The server's address, fixed for the test so it can be stopped and started again.
    pub address: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    served: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    process: Option<std::process::Child>,
    /// The eTIMS worker, when head office transmits ([`Central::start_etims`]).
    etims: Option<tokio::task::JoinHandle<()>>,
    /// Where the server keeps eTIMS keys for the owner's set-up, once the worker is started.
    etims_keys: Option<tillbook_server::etims::KeyStore>,
}

/// The eTIMS worker's pace in the tests: the same code paths as the defaults, in milliseconds.
pub fn etims_pace() -> tillbook_server::etims::worker::Pace {
    tillbook_server::etims::worker::Pace {
        poll: Duration::from_millis(50),
        retry_min: Duration::from_millis(50),
        retry_max: Duration::from_millis(400),
    }
}

impl Central {
    /// A migrated, seeded database; the server is not started.
    pub async fn new() -> Central {
        Central::create(true).await
    }

    /// A database with the schema alone, as `migrate` leaves a new head office: no business,
    /// no account, no staff. The server is not started.
    pub async fn new_empty() -> Central {
        Central::create(false).await
    }

    async fn create(seeded: bool) -> Central {
        let url = std::env::var("DATABASE_URL").expect("DATABASE_URL names the test cluster: run `cargo xtask test`");
        let base = PgConnectOptions::from_str(&url).expect("DATABASE_URL parses");
        let (options, owner) = if seeded {
            db::create_seeded_database(&base, "tillbook_e2e").await
        } else {
            db::create_migrated_database(&base, "tillbook_e2e").await
        }
        .expect("a fresh database");
        // A port of our own, free now; the server binds it each time it starts.
        let address = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        Central { owner, options, address, shutdown: None, served: None, process: None, etims: None, etims_keys: None }
    }

    /// The test database's URL: `DATABASE_URL` with this test's database in its path.
    fn database_url(&self) -> String {
        let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
        let (before_query, query) = base.split_once('?').map_or((base.as_str(), None), |(a, b)| (a, Some(b)));
        let (server, _) = before_query.rsplit_once('/').expect("a URL with a path");
        let database = self.options.get_database().expect("the test's database");
        match query {
            Some(query) => format!("{server}/{database}?{query}"),
            None => format!("{server}/{database}"),
        }
    }

    /// Starts the server as a process of its own (`e2e-server`), on the test's address, and
    /// waits until it accepts connections.
    pub async fn start_process(&mut self, binary: &str) {
        self.start_process_with(binary, None).await;
    }

    /// As [`Central::start_process`], the process also transmitting to eTIMS with the keys in
    /// `etims_keys`, as `serve` does.
    pub async fn start_process_with(&mut self, binary: &str, etims_keys: Option<&Path>) {
        assert!(self.process.is_none() && self.shutdown.is_none(), "the server is already up");
        let mut command = std::process::Command::new(binary);
        command.args([self.database_url(), self.address.to_string()]);
        if let Some(keys) = etims_keys {
            command.arg(keys);
        }
        let child = command.spawn().expect("start the server process");
        self.process = Some(child);
        wait_until(Duration::from_secs(30), "the server process listens", || async {
            tokio::net::TcpStream::connect(self.address).await.is_ok()
        })
        .await;
    }

    /// Kills the server process with SIGKILL as soon as one of its transactions has written (a
    /// merge under way), and waits for it to be gone. Returns whether a transaction was seen
    /// open at the moment of the kill (it may commit in the instant between).
    pub async fn kill_process_mid_merge(&mut self) -> bool {
        let started = Instant::now();
        let mut seen = false;
        while !seen && started.elapsed() < Duration::from_secs(20) {
            let open: i64 = sqlx::query_scalar(
                // A transaction that has written (it has an xid): a merge under way, not a pull.
                "SELECT count(*) FROM pg_stat_activity
                  WHERE application_name = $1 AND backend_xid IS NOT NULL",
            )
            .bind(SERVER_PROCESS)
            .fetch_one(&self.owner)
            .await
            .expect("pg_stat_activity");
            seen = open > 0;
            if !seen {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
        self.kill_process().await;
        seen
    }

    /// Kills the server process with SIGKILL at once, whatever it is doing, and waits for it to
    /// be gone.
    pub async fn kill_process(&mut self) {
        let mut child = self.process.take().expect("a server process");
        child.kill().expect("SIGKILL");
        let _ = tokio::task::spawn_blocking(move || child.wait()).await;
    }

    /// Stops the server process with SIGTERM: it finishes what it is doing, then exits.
    pub async fn stop_process(&mut self) {
        let mut child = self.process.take().expect("a server process");
        let _ = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let _ = tokio::task::spawn_blocking(move || child.wait()).await;
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The address over HTTPS, by the name the test certificate carries.
    pub fn https_url(&self) -> String {
        format!("https://localhost:{}", self.address.port())
    }

    /// Starts the server over HTTPS with `tls`'s certificate, in the test's own runtime.
    pub async fn start_tls(&mut self, tls: &TestCa) {
        assert!(self.shutdown.is_none(), "the server is already up");
        let login = db::runtime_login(&self.options).await.expect("the runtime role");
        let runtime = db::connect_runtime(login, 8).await.expect("runtime pool");
        let listener = std::net::TcpListener::bind(self.address).expect("bind the server's port");
        let (send, receive) = tokio::sync::oneshot::channel::<()>();
        let state = api::AppState::new(runtime, chrono_tz::Africa::Nairobi);
        let files = api::Tls { cert: tls.cert.clone(), key: tls.key.clone() };
        self.served = Some(tokio::spawn(async move {
            api::serve_tls(listener, state, &files, async {
                let _ = receive.await;
            })
            .await
        }));
        self.shutdown = Some(send);
    }

    pub async fn start(&mut self) {
        assert!(self.shutdown.is_none(), "the server is already up");
        let login = db::runtime_login(&self.options).await.expect("the runtime role");
        let runtime = db::connect_runtime(login, 8).await.expect("runtime pool");
        let listener = tokio::net::TcpListener::bind(self.address).await.expect("bind the server's port");
        let (send, receive) = tokio::sync::oneshot::channel::<()>();
        let mut state = api::AppState::new(runtime, chrono_tz::Africa::Nairobi);
        if let Some(keys) = &self.etims_keys {
            state = state.with_etims_keys(keys.clone());
        }
        self.served = Some(tokio::spawn(api::serve(listener, state, async {
            let _ = receive.await;
        })));
        self.shutdown = Some(send);
    }

    /// Starts head office's eTIMS worker in the test's runtime, on the server's own role, as
    /// `serve` does; it runs until [`Central::stop`]. The server started after this keeps its
    /// keys in `keys` too, for the owner's set-up.
    pub async fn start_etims(&mut self, keys: tillbook_server::etims::KeyStore) {
        assert!(self.etims.is_none(), "the eTIMS worker is already running");
        self.etims_keys = Some(keys.clone());
        let login = db::runtime_login(&self.options).await.expect("the runtime role");
        // Eight connections, as a small server's: two businesses' passes go side by side.
        let runtime = db::connect_runtime(login, 8).await.expect("runtime pool");
        let client = tillbook_server::etims::oscu::Client::new();
        self.etims = Some(tokio::spawn(tillbook_server::etims::worker::run(runtime, keys, client, etims_pace())));
    }

    /// Stops the server (in-flight requests finish first, as a graceful restart would).
    pub async fn stop(&mut self) {
        if let Some(etims) = self.etims.take() {
            etims.abort();
            let _ = etims.await;
        }
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(served) = self.served.take() {
            let _ = served.await;
        }
    }

    pub async fn enrollment_code(&self, business: &str) -> String {
        admin::create_enrollment_code(&self.owner, business, "e2e till").await.expect("enrolment code")
    }

    /// A new till of `business` enrolled straight with this server (it must be up), its store
    /// in `folder`.
    pub async fn enrol(&self, folder: &Path, name: &str, business: &str) -> TestTill {
        TestTill::enrol(folder, name, &self.url(), &self.enrollment_code(business).await).await
    }

    pub async fn scalar_i64(&self, sql: &str) -> i64 {
        let (value,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&self.owner)
            .await
            .unwrap_or_else(|error| panic!("{sql}: {error}"));
        value
    }

    /// The server's posted lines of one till, as `(event_id, account, debit cents, credit cents)`, sorted.
    pub async fn posted_lines_of(&self, device: tillbook_core::ids::DeviceId) -> Vec<(String, i64, i64, i64)> {
        let mut lines: Vec<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT e.event_id::text, l.account_code::bigint, (l.debit * 100)::bigint, (l.credit * 100)::bigint
               FROM journal_line l JOIN journal_entry e USING (business_id, entry_number) JOIN inbox i ON i.event_id = e.event_id
              WHERE i.device_id = $1",
        )
        .bind(device.0)
        .fetch_all(&self.owner)
        .await
        .expect("posted lines");
        lines.sort();
        lines
    }

    /// A counter from the server's `/metrics` (the server must be up).
    pub async fn metric(&self, name: &str) -> u64 {
        let text = reqwest::get(format!("{}/metrics", self.url())).await.expect("/metrics").text().await.expect("text");
        metric_in(&text, name)
    }

    /// What the owner's tills report says holds each till up (`None`: nothing), by till code.
    pub async fn stuck_reasons(&self) -> Vec<(String, Option<String>)> {
        let today = chrono::Utc::now().date_naive();
        let tills = tillbook_server::reports::tills::tills(&self.owner, chrono_tz::Africa::Nairobi, today)
            .await
            .expect("the tills report");
        tills.into_iter().map(|till| (till.till_code, till.stuck)).collect()
    }

    /// Each business's entry numbers run 1..=n with no gap and no repeat.
    pub async fn assert_entry_numbers_gap_free(&self) {
        let businesses: Vec<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT b.code, count(*), max(e.entry_number), count(DISTINCT e.entry_number)
               FROM journal_entry e JOIN business b ON b.id = e.business_id GROUP BY b.code ORDER BY b.code",
        )
        .fetch_all(&self.owner)
        .await
        .expect("entry numbers");
        assert!(!businesses.is_empty(), "no entries at all");
        for (business, count, max, distinct) in businesses {
            assert_eq!((max, distinct), (count, count), "{business}'s entry numbers are 1..={count}, each once");
        }
    }

    pub async fn verify_clean(&self) -> tillbook_server::verify::VerifyReport {
        let report = tillbook_server::verify::verify(&self.owner).await.expect("verify runs");
        assert!(report.is_clean(), "verify found problems: {report:?}");
        report
    }
}

impl Drop for Central {
    /// A failed test must not leave a server process behind.
    fn drop(&mut self) {
        if let Some(mut child) = self.process.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        db::drop_database_after_test(&self.options);
    }
}

/// A till of the test: its store on disk and its sync task.
pub struct TestTill {
    pub path: PathBuf,
    pub till: Till,
    pub session: Session,
    pub sync: Option<SyncHandle>,
}

/// Timings short enough for a test; the same code paths as the defaults.
pub fn fast_sync() -> SyncConfig {
    SyncConfig {
        push_delay: Duration::from_millis(50),
        retry_interval: Duration::from_millis(300),
        pull_interval: Duration::from_millis(500),
        backoff_min: Duration::from_millis(100),
        backoff_max: Duration::from_millis(800),
        watchdog_after: Duration::from_secs(30),
        request_timeout: Duration::from_secs(3),
        ..SyncConfig::default()
    }
}

impl TestTill {
    /// Enrols a new till of `business` in `folder` (the server must be reachable at `url`),
    /// with the demo's cashier logged in and a shift open.
    pub async fn enrol(folder: &Path, name: &str, url: &str, code: &str) -> TestTill {
        TestTill::enrol_with(folder, name, &tillbook_till::sync::Server::new(url, None), code).await
    }

    /// As [`TestTill::enrol`], with head office's own certificate authority.
    pub async fn enrol_with(folder: &Path, name: &str, server: &tillbook_till::sync::Server, code: &str) -> TestTill {
        let path = folder.join(format!("{name}.sqlite"));
        let till = tillbook_till::sync::enroll(&path, server, code, name).await.expect("enrol");
        let mut test_till = TestTill::open_logged_in(path, till);
        let (_, _) = test_till.till.open_shift(&test_till.session, tillbook_core::Money::ZERO).expect("open shift");
        test_till
    }

    /// The till whose store is at `path` (enrolled before, perhaps by another process), with
    /// the demo's owner logged in.
    pub fn open(path: PathBuf) -> TestTill {
        let till = Till::open(&path).expect("the till's store opens");
        TestTill::open_logged_in(path, till)
    }

    fn open_logged_in(path: PathBuf, till: Till) -> TestTill {
        let owner = tillbook_core::seed::demo_staff()
            .into_iter()
            .find(|staff| staff.role == tillbook_core::catalog::Role::Owner)
            .expect("the demo has an owner");
        let session = till.login(owner.id, owner.pin).expect("the owner's PIN hash was pulled");
        TestTill { path, till, session, sync: None }
    }

    pub fn start_sync(&mut self, config: SyncConfig) {
        self.sync = Some(tillbook_till::sync::start(self.path.clone(), config).expect("start sync"));
    }

    pub fn status(&self) -> tillbook_till::sync::SyncStatus {
        self.sync.as_ref().expect("sync started").status().expect("status")
    }

    pub fn nudge(&self) {
        if let Some(sync) = &self.sync {
            sync.nudge();
        }
    }

    /// The till's journal lines of events the server posted, in the form of [`Central::posted_lines_of`].
    pub fn local_lines(&self) -> Vec<(String, i64, i64, i64)> {
        let mut statement = self
            .till
            .connection()
            .prepare(
                "SELECT e.event_id, l.account, l.debit_cents, l.credit_cents
                   FROM journal_line l JOIN journal_entry e ON e.id = l.entry_id",
            )
            .unwrap();
        let mut lines: Vec<(String, i64, i64, i64)> = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        lines.sort();
        lines
    }

    /// The active products of the business this till records for, in seed order.
    pub fn products(&self) -> Vec<tillbook_core::catalog::Product> {
        let business = self.session.business_id;
        tillbook_core::seed::demo().products.into_iter().filter(|p| p.business_id == business && p.active).collect()
    }

    /// A piece of the business's everyday work, varied by `i`: a sale where the business sells
    /// products, a laundry drop-off at the laundry.
    pub fn work(&mut self, i: usize, quantity: i64) {
        if self.products().is_empty() {
            let _job = self.drop_off(i, quantity);
        } else {
            self.sell(i, quantity);
        }
    }

    /// A laundry job of one item, the service picked by index, with a cash deposit.
    pub fn drop_off(&mut self, i: usize, quantity: i64) -> tillbook_till::DropOffOutcome {
        let data = tillbook_core::seed::demo();
        let business = self.session.business_id;
        let services: Vec<_> = data.laundry_services.iter().filter(|s| s.business_id == business && s.active).collect();
        let customer = data.customers.iter().find(|c| c.active).expect("a demo customer");
        let request = tillbook_till::DropOffRequest {
            customer_id: customer.id,
            items: vec![tillbook_till::LaundryItemRequest {
                service_id: services[i % services.len()].id,
                description: "shirts".into(),
                quantity: tillbook_core::Quantity::whole(quantity),
            }],
            promised_at: self.till.now() + chrono::Duration::days(2),
            notes: String::new(),
            deposit: vec![tillbook_core::documents::TenderInput {
                method: tillbook_core::documents::TenderMethod::Cash,
                amount: tillbook_core::Money::from_cents(10_000),
                mpesa_code: None,
                customer_id: None,
            }],
        };
        let outcome = self.till.laundry_drop_off(&self.session, &request).expect("the drop-off is recorded");
        self.nudge();
        outcome
    }

    /// Entries in the till's provisional journal.
    pub fn entries(&self) -> i64 {
        self.till.connection().query_row("SELECT COUNT(*) FROM journal_entry", [], |row| row.get(0)).unwrap()
    }

    /// A cash sale of one line, the product picked by index; the sync task is nudged.
    pub fn sell(&mut self, index: usize, quantity: i64) -> tillbook_till::SaleOutcome {
        let products = self.products();
        let product = &products[index % products.len()];
        self.sell_product(product.id, quantity)
    }

    pub fn sell_product(
        &mut self,
        product_id: tillbook_core::ids::ProductId,
        quantity: i64,
    ) -> tillbook_till::SaleOutcome {
        let request = tillbook_till::SaleRequest {
            lines: vec![tillbook_till::SaleLineRequest {
                product_id,
                quantity: tillbook_core::Quantity::whole(quantity),
                discount: tillbook_core::Money::ZERO,
            }],
            tenders: vec![cash(100_000_000)],
        };
        let outcome = self.till.record_sale(&self.session, &request).expect("the sale is recorded");
        self.nudge();
        outcome
    }

    /// One of `product` (at its price) on `customer`'s account.
    pub fn sell_on_account(
        &mut self,
        product: &tillbook_core::catalog::Product,
        customer: tillbook_core::ids::CustomerId,
    ) -> tillbook_till::SaleOutcome {
        let request = tillbook_till::SaleRequest {
            lines: vec![tillbook_till::SaleLineRequest {
                product_id: product.id,
                quantity: tillbook_core::Quantity::whole(1),
                discount: tillbook_core::Money::ZERO,
            }],
            tenders: vec![tillbook_core::documents::TenderInput {
                method: tillbook_core::documents::TenderMethod::Credit,
                amount: product.price,
                mpesa_code: None,
                customer_id: Some(customer),
            }],
        };
        self.till.record_sale(&self.session, &request).expect("the sale is recorded")
    }

    /// A delivery of `quantity` of every stocked product of the business, on account.
    pub fn receive_stock(&mut self, quantity: i64) {
        let lines = self
            .products()
            .into_iter()
            .filter(|product| product.stock.is_some())
            .map(|product| tillbook_till::ReceivedLine {
                product_id: product.id,
                quantity: tillbook_core::Quantity::whole(quantity),
                unit_cost: product.unit_cost,
                vat_rate: Default::default(),
            })
            .collect();
        let request = tillbook_till::StockReceiptRequest {
            supplier_id: Some(tillbook_core::seed::supplier_id(1)),
            supplier: String::new(),
            reference: "INV-T".into(),
            lines,
            cylinders: Vec::new(),
            paid_by: tillbook_core::documents::SupplierPayment::OnAccount,
        };
        self.till.receive_stock(&self.session, &request).expect("the delivery is recorded");
        self.nudge();
    }

    /// Events recorded at this till.
    pub fn events(&self) -> i64 {
        self.till.connection().query_row("SELECT COUNT(*) FROM outbox", [], |row| row.get(0)).unwrap()
    }

    pub fn pending(&self) -> i64 {
        self.till
            .connection()
            .query_row("SELECT COUNT(*) FROM outbox WHERE status = 'pending'", [], |row| row.get(0))
            .unwrap()
    }

    pub fn device(&self) -> tillbook_core::ids::DeviceId {
        self.till.info().device_id
    }
}

/// Cash handed over: enough for any sale of the tests; the till gives change.
pub fn cash(cents: i64) -> tillbook_core::documents::TenderInput {
    tillbook_core::documents::TenderInput {
        method: tillbook_core::documents::TenderMethod::Cash,
        amount: tillbook_core::Money::from_cents(cents),
        mpesa_code: None,
        customer_id: None,
    }
}

/// Polls `condition` until it holds, failing the test after `limit`.
pub async fn wait_until<F, Fut>(limit: Duration, what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    while !condition().await {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The value of the counter `name` in Prometheus text.
pub fn metric_in(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no counter {name} in:\n{text}"))
}

pub use tillbook_till::backup::damage_an_index_page;

/// A scratch folder under the workspace's `target/`, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new() -> Scratch {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../target/tmp")
            .join(format!("e2e-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&path).expect("scratch folder");
        Scratch(path)
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch::new()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
