//! The real counter app, built by cargo, under Xvfb, driven through WebDriver: `tauri-driver`
//! (installed by `cargo xtask test`) with Debian's `WebKitWebDriver`, as PLATFORM.md describes.
//! The store is a real SQLite file the test reads afterwards; screenshots of the screens are
//! written to `target/screenshots/`.

mod counter;
mod day;
mod driver;
