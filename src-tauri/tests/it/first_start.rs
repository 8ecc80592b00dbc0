//! The app on a computer where it has never run opens on the set-up screen, with its three ways
//! in: enrol with head office, a demo till, or the owner's sign-in. `cargo xtask package` runs
//! this same test against the binary unpacked from the Debian package (TILLBOOK_APP_BINARY).

use crate::driver::Driver;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_app_opens_on_the_set_up_screen() {
    let app = Driver::start_fresh("first-start", &[]).await;
    for testid in ["setup-demo", "setup-owner", "setup-server-ca"] {
        app.find(&format!("[data-testid={testid}]")).await;
    }
    let title = app.find("h1").await.text().await.unwrap();
    assert_eq!(title, "Set up this till");
    app.screenshot("first-start").await;
    // Nothing was set up by opening it: no store yet.
    assert!(!app.folder.join("till.sqlite").exists());
}
