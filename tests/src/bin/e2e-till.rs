//! A till as a process of its own, for the tests that kill one mid-push or restart one in a new
//! keyring session (DESIGN §6: "a restart loses nothing"):
//!
//! - `e2e-till <store>` syncs the enrolled till at `<store>` until it is killed;
//! - `e2e-till enrol <store> <url> <code> <sales>` enrols a new till with the server, records
//!   `<sales>` cash sales without syncing them, and exits;
//! - `e2e-till sync-until-done <store> <seconds>` syncs until nothing is pending (exit 0), the
//!   till cannot sync without the owner (exit 3: no token, or revoked), or time runs out (exit 4);
//!   it prints the sync status as JSON;
//! - `e2e-till reenrol <store> <url> <code> <seconds>` re-enrols the till with the owner's code,
//!   then syncs as `sync-until-done`.
//!
//! Each prints the keyring it used on its first line (`keyring: secret_service`).

use std::time::{Duration, Instant};

use tillbook_e2e::TestTill;
use tillbook_till::sync::DeviceStatus;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let keyring = tillbook_till::sync::token::prepare().expect("the keyring is usable");
    println!("keyring: {}", serde_json::to_value(keyring).unwrap().as_str().unwrap());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let code = runtime.block_on(async {
        match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["enrol", store, url, code, sales] => {
                let folder = std::path::Path::new(store).parent().expect("a store in a folder");
                let name = std::path::Path::new(store).file_stem().unwrap().to_string_lossy().to_string();
                let mut till = TestTill::enrol(folder, &name, url, code).await;
                assert_eq!(till.path, std::path::Path::new(store), "the store where it was asked for");
                for i in 0..sales.parse::<usize>().expect("a number of sales") {
                    till.sell(i, 1);
                }
                0
            }
            ["sync-until-done", store, seconds] => sync_until_done(store, seconds.parse().expect("seconds")).await,
            ["reenrol", store, url, code, seconds] => {
                let acked = tillbook_till::sync::reenroll(
                    std::path::Path::new(store),
                    &tillbook_till::sync::Server::new(url, None),
                    code,
                )
                .await
                .expect("re-enrolled");
                println!("acked_through: {acked}");
                sync_until_done(store, seconds.parse().expect("seconds")).await
            }
            [store] => {
                let _sync = tillbook_till::sync::start(store.into(), config()).expect("start sync");
                std::future::pending::<i32>().await
            }
            _ => panic!("usage: e2e-till <store> | enrol <store> <url> <code> <sales> | sync-until-done <store> <s>"),
        }
    });
    std::process::exit(code);
}

fn config() -> tillbook_till::sync::SyncConfig {
    tillbook_till::sync::SyncConfig {
        push_delay: Duration::from_millis(10),
        retry_interval: Duration::from_millis(200),
        pull_interval: Duration::from_secs(1),
        backoff_min: Duration::from_millis(100),
        backoff_max: Duration::from_millis(500),
        batch_size: 100,
        ..tillbook_till::sync::SyncConfig::default()
    }
}

async fn sync_until_done(store: &str, seconds: u64) -> i32 {
    let sync = tillbook_till::sync::start(store.into(), config()).expect("start sync");
    let started = Instant::now();
    loop {
        let status = sync.status().expect("status");
        let done = match status.device_status {
            DeviceStatus::TokenMissing | DeviceStatus::Revoked => Some(3),
            DeviceStatus::Enrolled if status.pending == 0 && status.last_push_at.is_some() => Some(0),
            _ if started.elapsed() > Duration::from_secs(seconds) => Some(4),
            _ => None,
        };
        if let Some(code) = done {
            println!("{}", serde_json::to_string(&status).expect("status as JSON"));
            sync.stop().await;
            return code;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
