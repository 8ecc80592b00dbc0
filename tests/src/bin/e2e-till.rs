//! A till's sync running as a process of its own, for the test that kills one mid-push:
//! `e2e-till <store>` syncs the enrolled till at `<store>` until it is killed.

use std::time::Duration;

fn main() {
    let store = std::env::args().nth(1).expect("usage: e2e-till <store>");
    tillbook_till::sync::token::prepare().expect("the keyring is usable");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    runtime.block_on(async {
        let config = tillbook_till::sync::SyncConfig {
            push_delay: Duration::from_millis(10),
            retry_interval: Duration::from_millis(200),
            pull_interval: Duration::from_secs(1),
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_millis(500),
            batch_size: 100,
            ..tillbook_till::sync::SyncConfig::default()
        };
        let _sync = tillbook_till::sync::start(store.into(), config).expect("start sync");
        std::future::pending::<()>().await;
    });
}
