//! A till that restarts (DESIGN §6, PLATFORM.md "Keyring: what survives a restart"): a new
//! process in a new keyring session, as after a power cut. With the Secret Service (a real
//! `gnome-keyring-daemon` on a private session bus, its files under the till's home) the token
//! is still there and the till sends everything. With keyutils alone the token is gone: the till
//! says so in words, the owner re-enrols it, and it sends everything, nothing doubled.

use std::path::Path;
use std::process::{Command, Output};

use tillbook_e2e::{Central, Scratch, TestTill, run};

const SALES: &str = "50";

/// `e2e-till args…` in a session of its own: a new D-Bus session bus with an unlocked GNOME
/// keyring whose files live under `home`, so a second session with the same home is the same
/// machine after a restart.
fn in_secret_service_session(home: &Path, args: &[&str]) -> Output {
    let till = env!("CARGO_BIN_EXE_e2e-till");
    let script = r#"printf restart-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@""#;
    Command::new("dbus-run-session")
        .args(["--", "sh", "-c", script, "sh", till])
        .args(args)
        .env("HOME", home)
        .env_remove("DISPLAY")
        .output()
        .expect("dbus-run-session runs (package dbus; gnome-keyring for the daemon)")
}

/// `e2e-till args…` in a new kernel session keyring, with no session bus: keyutils only.
fn in_keyutils_session(args: &[&str]) -> Output {
    Command::new("keyctl")
        .args(["session", "-", env!("CARGO_BIN_EXE_e2e-till")])
        .args(args)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .output()
        .expect("keyctl runs (package keyutils)")
}

/// Runs a till process off the test's runtime (the server shares it), and shows what it said.
async fn till_process(run: impl FnOnce() -> Output + Send + 'static) -> (Option<i32>, String) {
    let output = tokio::task::spawn_blocking(run).await.expect("the till process ran");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    eprintln!("till process ({:?}):\n{stdout}{}", output.status, String::from_utf8_lossy(&output.stderr));
    // When the till asks for the Secret Service before the daemon started above has taken its
    // name on the bus, the bus starts another daemon itself, whose stdout is the session's:
    // it announces its variables (`GNOME_KEYRING_CONTROL=…`) among the till's lines.
    let said: String = stdout
        .lines()
        .filter(|line| !line.starts_with("GNOME_KEYRING_") && !line.starts_with("SSH_AUTH_SOCK="))
        .map(|line| format!("{line}\n"))
        .collect();
    (output.status.code(), said)
}

/// The last line a till process printed: its sync status.
fn status(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout.lines().last().expect("a status line")).expect("the status is JSON")
}

/// Every event posted once, entry numbers gap-free, the till's provisional journal equal to
/// what the server posted for it.
async fn assert_all_posted_once(central: &Central, store: &Path) {
    let till = TestTill::open(store.to_path_buf());
    assert_eq!(till.pending(), 0);
    assert_eq!(central.scalar_i64("SELECT count(*) FROM inbox").await, till.events(), "every event reached the server");
    assert_eq!(central.scalar_i64("SELECT count(*) FROM journal_entry").await, till.entries(), "nothing doubled");
    central.assert_entry_numbers_gap_free().await;
    assert_eq!(till.local_lines(), central.posted_lines_of(till.device()).await);
    central.verify_clean().await;
}

#[test]
fn a_till_restarted_with_a_persistent_keyring_keeps_its_token_and_sends_everything() {
    run(async {
        let scratch = Scratch::new();
        let home = scratch.0.join("home");
        std::fs::create_dir_all(&home).unwrap();
        let mut central = Central::new().await;
        central.start().await;
        let store = scratch.0.join("water.sqlite").to_string_lossy().to_string();
        let (url, code) = (central.url(), central.enrollment_code("WATER").await);

        let (home_1, store_1) = (home.clone(), store.clone());
        let (exit, stdout) =
            till_process(move || in_secret_service_session(&home_1, &["enrol", &store_1, &url, &code, SALES])).await;
        assert_eq!(exit, Some(0));
        assert!(stdout.starts_with("keyring: secret_service"), "the Secret Service keeps the token: {stdout}");
        assert_eq!(central.scalar_i64("SELECT count(*) FROM inbox").await, 0, "the sales were not sent yet");

        // The power comes back: a new session bus and keyring daemon over the same files.
        let (exit, stdout) =
            till_process(move || in_secret_service_session(&home, &["sync-until-done", &store, "90"])).await;
        assert_eq!(exit, Some(0), "the till still has its token and sends everything");
        let status = status(&stdout);
        assert_eq!(status["keyring"], "secret_service");
        assert_eq!(status["token_survives_restart"], true);
        let offset = status["server_clock_offset_seconds"].as_i64().expect("the server's clock is known");
        assert!(offset.abs() <= 5, "the till learnt the server's time from its answers: {offset} s off");
        assert_all_posted_once(&central, &scratch.0.join("water.sqlite")).await;
        central.stop().await;
    });
}

#[test]
fn a_till_restarted_with_keyutils_only_is_reenrolled_by_the_owner_and_sends_everything() {
    run(async {
        let scratch = Scratch::new();
        let mut central = Central::new().await;
        central.start().await;
        let path = scratch.0.join("retail.sqlite");
        let store = path.to_string_lossy().to_string();
        let (url, code) = (central.url(), central.enrollment_code("RETAIL").await);

        let (url_1, store_1) = (url.clone(), store.clone());
        let (exit, stdout) =
            till_process(move || in_keyutils_session(&["enrol", &store_1, &url_1, &code, SALES])).await;
        assert_eq!(exit, Some(0));
        assert!(stdout.starts_with("keyring: kernel_keyutils"), "{stdout}");
        // A restart empties the kernel's memory, and the key with it; here the key is
        // invalidated, which is what the kernel's keyrings then hold: nothing.
        let device = TestTill::open(path.clone()).device();
        tillbook_till::sync::token::delete(device).expect("the key is invalidated");

        let store_2 = store.clone();
        let (exit, stdout) = till_process(move || in_keyutils_session(&["sync-until-done", &store_2, "60"])).await;
        assert_eq!(exit, Some(3), "the till cannot send without its token");
        let status = status(&stdout);
        assert_eq!(status["device_status"], "token_missing", "not 'revoked': the server still trusts the till");
        assert_eq!(status["token_survives_restart"], false, "the status says the token does not survive a restart");
        let words = status["last_error"].as_str().unwrap_or_default();
        assert!(
            words.contains("no longer in this computer's keyring") && words.contains("re-enrolment code"),
            "{words}"
        );
        assert_eq!(central.scalar_i64("SELECT count(*) FROM inbox").await, 0);

        // The owner issues a re-enrolment code for this till; it keeps everything it recorded.
        let till_code = TestTill::open(path.clone()).till.info().till_code.clone();
        let (code, _) = tillbook_server::admin::create_reenrollment_code_by(
            &central.owner,
            tillbook_server::audit::OPERATOR,
            &till_code,
        )
        .await
        .expect("a re-enrolment code");
        let (exit, stdout) = till_process(move || in_keyutils_session(&["reenrol", &store, &url, &code, "90"])).await;
        assert_eq!(exit, Some(0), "re-enrolled, the till sends everything");
        assert!(stdout.contains("acked_through: 0"), "{stdout}");
        assert_all_posted_once(&central, &path).await;
        let (reenrolled,): (i64,) = sqlx::query_as("SELECT count(*) FROM audit_log WHERE action = 'device.reenrolled'")
            .fetch_one(&central.owner)
            .await
            .unwrap();
        assert_eq!(reenrolled, 1, "the re-enrolment is audited");
        central.stop().await;
    });
}
