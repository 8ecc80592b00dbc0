//! Starting the app under WebDriver, and the few helpers the tests share.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use tillbook_core::chart::BusinessKind;

/// The processes a test starts, stopped by the ids started here (never by name): the app
/// ends with its display, so stopping `tauri-driver` and then Xvfb leaves nothing behind, even
/// when a test fails half-way.
struct Processes {
    xvfb: Child,
    driver: Child,
}

impl Drop for Processes {
    fn drop(&mut self) {
        // tauri-driver runs in a process group of its own, with WebKitWebDriver under it.
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.driver.wait();
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

/// The app in a WebDriver session, on a display of its own.
pub struct Driver {
    pub client: Client,
    pub folder: PathBuf,
    /// When the request that launched the app was sent (WebDriver starts the app for the
    /// session), for the start-up benchmark.
    pub launched_at: Instant,
    processes: Processes,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A virtual display (PLATFORM: without one the app cannot start); its number is read from
/// Xvfb itself (`-displayfd`), so parallel tests never collide.
fn start_xvfb() -> (Child, String) {
    let mut xvfb = Command::new("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb is installed (cargo xtask test)");
    let mut number = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(xvfb.stdout.take().unwrap()), &mut number).unwrap();
    assert!(!number.trim().is_empty(), "Xvfb did not report its display");
    (xvfb, format!(":{}", number.trim()))
}

impl Driver {
    /// The app on a fresh demo store (the three demo businesses and staff), with its window open.
    pub async fn start_demo(label: &str) -> Driver {
        let folder = Driver::new_folder(label);
        let kinds = [BusinessKind::Water, BusinessKind::Laundry, BusinessKind::Retail];
        drop(tillbook_till::demo::create_demo_till(&folder.join("till.sqlite"), "T1", &kinds).unwrap());
        Driver::launch(folder, &[]).await
    }

    /// The app on a computer where it has never run (it opens on set-up), with `envs` besides
    /// its data folder.
    pub async fn start_fresh(label: &str, envs: &[(&str, &Path)]) -> Driver {
        Driver::launch(Driver::new_folder(label), envs).await
    }

    /// The app on a data folder the test prepared itself (a store, backups).
    pub async fn start_in(folder: PathBuf) -> Driver {
        Driver::launch(folder, &[]).await
    }

    pub fn new_folder(label: &str) -> PathBuf {
        let folder = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("app-{label}-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&folder).unwrap();
        folder
    }

    async fn launch(folder: PathBuf, envs: &[(&str, &Path)]) -> Driver {
        let (xvfb, display) = start_xvfb();
        let (port, native_port) = (free_port(), free_port());
        let mut command = Command::new("tauri-driver");
        command
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("DISPLAY", &display)
            .env("TILLBOOK_DATA_DIR", &folder)
            .envs(envs.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let driver = command.spawn().expect("tauri-driver is installed (cargo xtask test)");
        let processes = Processes { xvfb, driver };
        let started = Instant::now();
        // Both tauri-driver and the WebKitWebDriver behind it listening: the session request
        // then launches the app at once, so it times the app's start and nothing else.
        for listening in [port, native_port] {
            while std::net::TcpStream::connect(("127.0.0.1", listening)).is_err() {
                assert!(started.elapsed() < Duration::from_secs(30), "tauri-driver did not start");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        // The app cargo built, or another build of it (`cargo xtask package` points this at the
        // binary unpacked from the .deb).
        let application =
            std::env::var("TILLBOOK_APP_BINARY").unwrap_or_else(|_| env!("CARGO_BIN_EXE_tillbook-app").to_string());
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("tauri:options".into(), serde_json::json!({ "application": application }));
        // tauri-driver answers before WebKitWebDriver behind it is up: retry the session, bounded.
        let (client, launched_at) = loop {
            let launched_at = Instant::now();
            let attempt = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await;
            match attempt {
                Ok(client) => break (client, launched_at),
                Err(error) => {
                    assert!(started.elapsed() < Duration::from_secs(60), "no WebDriver session with the app: {error}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        };
        Driver { client, folder, launched_at, processes }
    }

    /// The process id of tauri-driver, whose descendants are the app and its web processes.
    pub fn driver_pid(&self) -> u32 {
        self.processes.driver.id()
    }

    pub async fn find(&self, css: &str) -> Element {
        self.wait_for(Locator::Css(css), css).await
    }

    /// The button whose text is `text` (trimmed), waiting for it.
    pub async fn button(&self, text: &str) -> Element {
        self.find_xpath(&format!("//button[normalize-space(.)='{text}']")).await
    }

    pub async fn find_xpath(&self, xpath: &str) -> Element {
        self.wait_for(Locator::XPath(xpath), xpath).await
    }

    async fn wait_for(&self, locator: Locator<'_>, what: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(locator)
            .await
            .unwrap_or_else(|error| panic!("{what} did not appear: {error}"))
    }

    /// Waits until the element's text is `expected`.
    pub async fn wait_text(&self, css: &str, expected: &str) {
        let started = Instant::now();
        loop {
            let text = self.find(css).await.text().await.unwrap_or_default();
            if text.trim() == expected {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(15), "{css} shows {text:?}, not {expected:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Replaces an input's text.
    pub async fn fill(&self, css: &str, text: &str) {
        self.fill_nth(css, 0, text).await;
    }

    /// Replaces the text of the `index`-th input matching `css`, waiting for it to exist.
    pub async fn fill_nth(&self, css: &str, index: usize, text: &str) {
        self.find(css).await;
        let started = Instant::now();
        // An input can be there but not yet usable (still rendering, or disabled while the
        // screen waits for Rust): try again until it takes the text, within the bound.
        loop {
            let mut all = self.client.find_all(Locator::Css(css)).await.unwrap();
            if all.len() > index {
                let input = all.swap_remove(index);
                let filled = match input.clear().await {
                    // WebDriver refuses to send no keys at all: clearing is all an empty text needs.
                    Ok(()) if text.is_empty() => Ok(()),
                    Ok(()) => input.send_keys(text).await,
                    Err(error) => Err(error),
                };
                match filled {
                    Ok(()) => return,
                    Err(error) => {
                        assert!(
                            started.elapsed() < Duration::from_secs(15),
                            "{css} number {index} takes no text: {error}"
                        )
                    }
                }
            }
            assert!(started.elapsed() < Duration::from_secs(15), "no {css} number {index}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks the element once it is there and enabled: a button disabled while its screen
    /// loads ignores a click, as it does a cashier's, and the test would wait for what the
    /// click never opened.
    pub async fn click(&self, css: &str) {
        self.click_enabled(Locator::Css(css), css).await;
    }

    pub async fn click_xpath(&self, xpath: &str) {
        self.click_enabled(Locator::XPath(xpath), xpath).await;
    }

    async fn click_enabled(&self, locator: Locator<'_>, what: &str) {
        let started = Instant::now();
        loop {
            let element = self.wait_for(locator, what).await;
            if element.is_enabled().await.unwrap_or(false) {
                element.click().await.unwrap();
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(15), "{what} stayed disabled");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Logs `name` in with `pin` on the PIN pad, as a cashier would.
    pub async fn attribute(&self, css: &str, name: &str) -> Option<String> {
        self.find(css).await.attr(name).await.unwrap()
    }

    /// Waits until the element's attribute is `expected` (what is shown is what was asked for).
    pub async fn wait_attribute(&self, css: &str, name: &str, expected: &str) {
        let started = Instant::now();
        loop {
            if self.attribute(css, name).await.as_deref() == Some(expected) {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(15), "{css} [{name}] never became {expected:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Ticks or unticks a checkbox, whatever it showed before.
    pub async fn set_checked(&self, css: &str, checked: bool) {
        let now = self.find(css).await.prop("checked").await.unwrap().as_deref() == Some("true");
        if now != checked {
            self.click(css).await;
        }
    }

    pub async fn log_in(&self, name: &str, pin: &str) {
        self.click_xpath(&format!("//button[@data-testid='staff'][contains(., '{name}')]")).await;
        for digit in pin.chars() {
            self.button(&digit.to_string()).await.click().await.unwrap();
        }
        self.click("[data-testid=pin-enter]").await;
    }

    /// Sets a fresh app up as the owner's computer: signs in to head office at `server` and
    /// waits for the first report fetched from it.
    pub async fn sign_in_owner(&self, server: &str, email: &str, password: &str) {
        self.click("[data-testid=setup-owner]").await;
        self.fill("[data-testid=owner-server]", server).await;
        self.fill("[data-testid=owner-email]", email).await;
        self.fill("[data-testid=owner-password]", password).await;
        self.click("[data-testid=owner-sign-in]").await;
        self.wait_attribute("[data-testid=report-status]", "data-live", "true").await;
    }

    /// Serves another of the till's businesses, through the status bar's switcher.
    pub async fn switch_to(&self, kind: BusinessKind) {
        let business = tillbook_core::seed::business_id(kind).to_string();
        self.find("[data-testid=business]").await.select_by_value(&business).await.unwrap();
        self.wait_text("[data-testid=business] option:checked", &business_name(kind)).await;
    }

    pub async fn screenshot(&self, name: &str) {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
        std::fs::create_dir_all(&folder).unwrap();
        // WebKit takes a snapshot from the next frame it paints, and with the DMA-BUF renderer
        // off (src-tauri/src/main.rs) an idle page with no caret blinking may paint none: keep
        // an invisible change going while the snapshot is taken. Bounded all the same, so a
        // snapshot that never comes fails the test instead of hanging it.
        self.client
            .execute(
                "window.__repaint = setInterval(() => { const s = document.body.style; \
                 s.opacity = s.opacity === '0.999' ? '1' : '0.999'; }, 30);",
                vec![],
            )
            .await
            .unwrap();
        let png = tokio::time::timeout(Duration::from_secs(30), self.client.screenshot())
            .await
            .unwrap_or_else(|_| panic!("the {name} screenshot did not come back in 30 s"))
            .expect("a screenshot");
        self.client
            .execute("clearInterval(window.__repaint); document.body.style.opacity = '';", vec![])
            .await
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
        std::fs::write(folder.join(format!("{name}.png")), png).unwrap();
    }

    /// A read of the app's store, as the app left it (WAL: readers never block the app).
    pub fn count(&self, sql: &str) -> i64 {
        let connection = rusqlite::Connection::open(self.folder.join("till.sqlite")).unwrap();
        connection.query_row(sql, [], |row| row.get(0)).unwrap()
    }
}

/// The demo's name for the business of `kind`.
pub fn business_name(kind: BusinessKind) -> String {
    tillbook_core::seed::demo().businesses.into_iter().find(|b| b.kind == kind).unwrap().name
}
