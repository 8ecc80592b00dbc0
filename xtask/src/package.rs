//! `cargo xtask package`: the till's Debian package, built by the Tauri bundler (the npm
//! package `@tauri-apps/cli`, installed by `npm ci`) from a release build, then checked as a
//! shop would get it: unpacked into a scratch root with `dpkg -x` (nothing installed on this
//! machine), its binary started under Xvfb through WebDriver, and the set-up screen must show.
//! Slow (a release build of the app): not part of `cargo xtask test`. The AppImage and Windows
//! (NSIS) bundles are configured too, but their bundlers download tools while bundling, so they
//! are built on a machine with internet (README, "Install a till").

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, ensure};

use crate::postgres::path_str;

pub fn package(root: &Path) -> Result<()> {
    crate::install_missing()?;
    crate::ui(root, false)?;
    let started = Instant::now();
    let tauri = root.join("ui/node_modules/.bin/tauri");
    ensure!(tauri.exists(), "the Tauri CLI is not in ui/node_modules: run npm ci in ui/");
    crate::step_in(path_str(&tauri)?, &["build", "--bundles", "deb", "--ci"], &root.join("src-tauri"))?;
    let built = started.elapsed();
    let bundle = root.join("target/release/bundle/deb");
    let deb = std::fs::read_dir(&bundle)
        .with_context(|| format!("reading {}", bundle.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .find(|path| path.extension().is_some_and(|extension| extension == "deb"))
        .context("the bundler made no .deb")?;
    let size = std::fs::metadata(&deb)?.len();
    let fields = std::process::Command::new("dpkg-deb").args(["--field", path_str(&deb)?]).output()?;
    let fields = String::from_utf8_lossy(&fields.stdout).to_string();
    print!("{fields}");
    for needed in ["Package: tillbook", "Depends:", "gnome-keyring", "Description:"] {
        ensure!(fields.contains(needed), "the package's control file has no '{needed}':\n{fields}");
    }

    // As a shop gets it: unpacked, not installed, and started from there.
    let unpacked = root.join("target/package-root");
    if unpacked.exists() {
        std::fs::remove_dir_all(&unpacked)?;
    }
    crate::step("dpkg", &["-x", path_str(&deb)?, path_str(&unpacked)?])?;
    // The bundler names the binary after the product; there is one.
    let binary = std::fs::read_dir(unpacked.join("usr/bin"))
        .context("the package has no usr/bin")?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .next()
        .context("the package has no program in usr/bin")?;
    let checked = Instant::now();
    crate::step_with_env(
        "cargo",
        &[
            "test",
            "--package",
            "tillbook-app",
            "--test",
            "it",
            "first_start",
            "--",
            "--exact",
            "first_start::a_fresh_app_opens_on_the_set_up_screen",
        ],
        &[("TILLBOOK_APP_BINARY", path_str(&binary)?)],
    )?;
    println!(
        "==> {} ({:.1} MB): release build and bundle {:.0?}; unpacked and started under Xvfb to the set-up screen {:.0?}",
        deb.display(),
        size as f64 / 1_000_000.0,
        built,
        checked.elapsed()
    );
    Ok(())
}
