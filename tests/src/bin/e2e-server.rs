//! The sync server as a process of its own, for the fault run that kills it with SIGKILL in the
//! middle of a merge: `e2e-server <database-url> <address>` serves the API until it is killed,
//! or until SIGTERM, after which it finishes what it is doing (a graceful restart). With a third
//! argument, a folder of eTIMS keys, it also transmits to eTIMS as `serve` does.

use std::str::FromStr;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (url, address, etims_keys) = match args.as_slice() {
        [url, address] => (url, address, None),
        [url, address, keys] => (url, address, Some(keys)),
        _ => panic!("usage: e2e-server <database-url> <address> [<etims-keys>]"),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(async {
        let options = sqlx::postgres::PgConnectOptions::from_str(url)
            .expect("a database URL")
            .application_name(tillbook_e2e::SERVER_PROCESS);
        let login = tillbook_server::db::runtime_login(&options).await.expect("the runtime role");
        let pool = tillbook_server::db::connect_runtime(login, 8).await.expect("the database");
        if let Some(keys) = etims_keys {
            tokio::spawn(tillbook_server::etims::worker::run(
                pool.clone(),
                tillbook_server::etims::KeyStore::new(keys),
                tillbook_server::etims::oscu::Client::new(),
                tillbook_e2e::etims_pace(),
            ));
        }
        let listener = tokio::net::TcpListener::bind(address).await.expect("the server's port");
        let state = tillbook_server::api::AppState::new(pool, chrono_tz::Africa::Nairobi);
        let terminated = async {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM");
            term.recv().await;
        };
        tillbook_server::api::serve(listener, state, terminated).await.expect("serving");
    });
}
