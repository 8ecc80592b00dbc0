//! The real counter app, built by cargo, under Xvfb, driven through WebDriver: `tauri-driver`
//! (installed by `cargo xtask test`) with Debian's `WebKitWebDriver`, as PLATFORM.md describes.
//! The store is a real SQLite file the test reads afterwards; screenshots of the screens are
//! written to `target/screenshots/`.

mod accounts;
mod counter;
mod day;
// Shared with benches/app.rs, which alone uses the start-up time and the process ids.
#[allow(dead_code)]
mod driver;
mod etims;
mod first_day;
mod first_start;
mod office;
mod owner;
mod receipts;
mod recovery;
