//! The background sync task (DESIGN §7 "When"): pushes the outbox in `device_seq` order a few
//! seconds after each recording and on a timer while anything is pending, backs off with jitter
//! while the server is unreachable, pulls on its own timer, and runs the nightly sync. A
//! supervisor restarts the loop if it ends or stops beating. Recording never waits on any of it:
//! the loop has its own SQLite connection and the counter only ever calls [`SyncHandle::nudge`].

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use chrono::{DateTime, Local, NaiveTime, Utc};
use rusqlite::Connection;
use serde::Serialize;
use tokio::sync::{Notify, watch};

use super::client::{Client, Server, SyncError};
use super::store::{self as sync_store, DeviceStatus};
use super::token;
use crate::error::{Result, TillError};
use crate::store;

/// The timings of DESIGN §7; tests shorten them.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// After a recording, wait this long for more before pushing (one batch, not one each).
    pub push_delay: Duration,
    /// While events are pending, try again this often even if nothing new is recorded.
    pub retry_interval: Duration,
    pub pull_interval: Duration,
    /// The nightly sync, in the till's local time.
    pub nightly_at: NaiveTime,
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    pub batch_size: usize,
    /// And at most this many bytes of body: well below the server's limit (4 MiB), so that a
    /// batch of unusually large events is sent in parts rather than refused whole.
    pub batch_bytes: usize,
    /// After the server refuses a whole batch (a fault in what the till sends, not in one
    /// event), wait this long before offering it again: a new server may take it, but resending
    /// it every few seconds only fills the server's log.
    pub refused_retry: Duration,
    /// A loop that has not beaten for this long is taken for stuck and restarted.
    pub watchdog_after: Duration,
    /// How long one request may take before it is given up (a server that accepts and never
    /// answers).
    pub request_timeout: Duration,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            push_delay: Duration::from_secs(3),
            retry_interval: Duration::from_secs(30),
            pull_interval: Duration::from_secs(180),
            nightly_at: NaiveTime::from_hms_opt(23, 30, 0).expect("a valid time"),
            // Jitter adds up to the delay again, so a till tries again within a minute of head
            // office coming back (docs/benchmarks.md, "Catch-up"): 30 s at most between tries,
            // a few requests a minute from every till while it is down, which a server bears.
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(30),
            batch_size: 500,
            batch_bytes: 1024 * 1024,
            refused_retry: Duration::from_secs(3600),
            // Longer than any wait plus a request's timeout.
            watchdog_after: Duration::from_secs(300) + super::client::REQUEST_TIMEOUT * 3,
            request_timeout: super::client::REQUEST_TIMEOUT,
        }
    }
}

/// What the sync badge shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    /// `None` until the first attempt has an answer.
    pub online: Option<bool>,
    pub device_status: DeviceStatus,
    pub pending: u64,
    pub oldest_pending_age_seconds: Option<i64>,
    pub quarantined: u64,
    pub last_push_at: Option<String>,
    pub last_pull_at: Option<String>,
    pub last_error: Option<String>,
    /// The watchdog found the loop stuck and restarted it this many times.
    pub restarts: u32,
    /// Where the token is kept; `None` until the keyring has been opened.
    pub keyring: Option<token::Keyring>,
    /// `false` when the token is kept where a restart clears it: the till will need
    /// re-enrolling after the next power cut, and the status bar says so.
    pub token_survives_restart: bool,
    /// The server refused a whole batch; the words are in `last_error`. Nothing more is sent
    /// until the batch is offered again (`SyncConfig::refused_retry`).
    pub stuck: bool,
    /// The server's clock minus this till's, from the last answer's `Date` header.
    pub server_clock_offset_seconds: Option<i64>,
}

struct Shared {
    path: PathBuf,
    config: SyncConfig,
    nudge: Notify,
    online: watch::Sender<Option<bool>>,
    heartbeat_ms: AtomicI64,
    restarts: AtomicU32,
    stuck: std::sync::atomic::AtomicBool,
    /// For [`SyncHandle::status`]: reads only.
    reader: Mutex<Connection>,
}

pub struct SyncHandle {
    shared: Arc<Shared>,
    supervisor: tokio::task::JoinHandle<()>,
}

/// Starts syncing the till whose store is at `path`, on the current tokio runtime.
pub fn start(path: PathBuf, config: SyncConfig) -> Result<SyncHandle> {
    let reader = store::open_connection(&path)?;
    let shared = Arc::new(Shared {
        path,
        config,
        nudge: Notify::new(),
        online: watch::Sender::new(None),
        heartbeat_ms: AtomicI64::new(Utc::now().timestamp_millis()),
        restarts: AtomicU32::new(0),
        stuck: std::sync::atomic::AtomicBool::new(false),
        reader: Mutex::new(reader),
    });
    let supervisor = tokio::spawn(supervise(shared.clone()));
    Ok(SyncHandle { shared, supervisor })
}

impl SyncHandle {
    /// Something was recorded: push soon.
    pub fn nudge(&self) {
        self.shared.nudge.notify_one();
    }

    pub fn status(&self) -> Result<SyncStatus> {
        let connection = self.shared.reader.lock().map_err(|_| TillError::Invariant("sync status lock".into()))?;
        let state = sync_store::state(&connection)?;
        let outbox = sync_store::outbox_state(&connection)?;
        let now = Local::now().fixed_offset();
        Ok(SyncStatus {
            online: *self.shared.online.borrow(),
            device_status: state.device_status,
            pending: outbox.pending,
            oldest_pending_age_seconds: outbox.oldest_pending_at.map(|at| (now - at).num_seconds().max(0)),
            quarantined: outbox.quarantined,
            last_push_at: state.last_push_at,
            last_pull_at: state.last_pull_at,
            last_error: state.last_error,
            restarts: self.shared.restarts.load(Ordering::Relaxed),
            keyring: token::keyring(),
            token_survives_restart: token::keyring().is_none_or(token::Keyring::survives_restart),
            stuck: self.shared.stuck.load(Ordering::Relaxed),
            server_clock_offset_seconds: super::client::server_clock_offset().map(|offset| offset.num_seconds()),
        })
    }

    pub async fn stop(self) {
        self.supervisor.abort();
        let _ = self.supervisor.await;
    }
}

/// Runs the loop, and runs it again if it ends (a panic, an error opening the store) or stops
/// beating (a request that never returns despite its timeout, a lock never released).
async fn supervise(shared: Arc<Shared>) {
    loop {
        shared.heartbeat_ms.store(Utc::now().timestamp_millis(), Ordering::Relaxed);
        // Aborted with the supervisor: stopping sync must stop the loop, not orphan it.
        let mut task = AbortOnDrop(tokio::spawn(run(shared.clone())));
        let check = (shared.config.watchdog_after / 4).max(Duration::from_millis(50));
        let why = loop {
            tokio::select! {
                ended = &mut task.0 => break match ended {
                    Ok(Ok(())) => "the sync loop ended".to_string(),
                    Ok(Err(error)) => format!("the sync loop stopped: {error}"),
                    Err(error) => format!("the sync loop failed: {error}"),
                },
                () = tokio::time::sleep(check) => {
                    let silent = Utc::now().timestamp_millis() - shared.heartbeat_ms.load(Ordering::Relaxed);
                    if silent > shared.config.watchdog_after.as_millis() as i64 {
                        task.0.abort();
                        break format!("the sync loop was silent for {} s and was restarted", silent / 1000);
                    }
                }
            }
        };
        shared.restarts.fetch_add(1, Ordering::Relaxed);
        tracing::error!("{why}");
        if let Ok(connection) = store::open_connection(&shared.path) {
            let _ = sync_store::set_error(&connection, Some(&why), &Local::now().fixed_offset().to_rfc3339());
        }
        tokio::time::sleep(shared.config.backoff_min).await;
    }
}

/// A task that ends when its handle is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<Result<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn backoff(config: &SyncConfig) -> impl Iterator<Item = Duration> + use<> {
    ExponentialBuilder::default()
        .with_min_delay(config.backoff_min)
        .with_max_delay(config.backoff_max)
        .with_factor(2.0)
        .with_jitter()
        .without_max_times()
        .build()
}

async fn run(shared: Arc<Shared>) -> Result<()> {
    let config = shared.config.clone();
    let mut connection = store::open_connection(&shared.path)?;
    let device = sync_store::device_id(&connection)?.ok_or(TillError::NotSetUp)?;
    let mut delays = backoff(&config);
    let mut next_pull = tokio::time::Instant::now();
    // After a whole batch is refused, pushing waits until then, however many sales nudge it.
    let mut refused_until: Option<tokio::time::Instant> = None;
    loop {
        shared.heartbeat_ms.store(Utc::now().timestamp_millis(), Ordering::Relaxed);
        let state = sync_store::state(&connection)?;
        let now = Local::now();
        let nightly = nightly_due(now, config.nightly_at, state.last_nightly_on);
        let wait = match (&state.server_url, state.device_status) {
            (Some(url), DeviceStatus::Enrolled) => {
                let pull_due = nightly || tokio::time::Instant::now() >= next_pull;
                let push = refused_until.is_none_or(|until| tokio::time::Instant::now() >= until);
                let round = Round { push, pull: pull_due, full_refresh: nightly };
                // An address or certificate that cannot be used is a failure of this round like
                // any other: said in the status bar, tried again later.
                let server = Server::new(url, state.server_ca.as_deref());
                let outcome = match Client::with_timeout(&server, config.request_timeout) {
                    Ok(client) => cycle(&mut connection, &client, device, &config, round).await,
                    Err(error) => Err(Failure::Sync(error)),
                };
                match outcome {
                    Ok(_) if !push => {
                        // Still held back by a refused batch: pulled only.
                        shared.online.send_replace(Some(true));
                        if pull_due {
                            next_pull = tokio::time::Instant::now() + config.pull_interval;
                        }
                        let until = refused_until.unwrap_or_else(tokio::time::Instant::now);
                        until.saturating_duration_since(tokio::time::Instant::now()).min(config.pull_interval)
                    }
                    Ok(pending) => {
                        shared.online.send_replace(Some(true));
                        shared.stuck.store(false, Ordering::Relaxed);
                        refused_until = None;
                        delays = backoff(&config);
                        sync_store::set_error(&connection, None, &stamp())?;
                        if pull_due {
                            next_pull = tokio::time::Instant::now() + config.pull_interval;
                        }
                        if nightly {
                            sync_store::set_nightly_done(&connection, now.date_naive())?;
                        }
                        if pending > 0 { config.retry_interval } else { config.pull_interval }
                    }
                    Err(Failure::TokenMissing) => {
                        shared.online.send_replace(None);
                        let pending = sync_store::outbox_state(&connection)?.pending;
                        let words = format!(
                            "This till's sync key is no longer in this computer's keyring (the keyring it was kept \
                             in is cleared when the computer restarts). Recording goes on; {pending} event(s) wait to \
                             be sent. Ask the owner for a re-enrolment code for this till."
                        );
                        tracing::warn!("the keyring holds no token for this till");
                        sync_store::set_error(&connection, Some(&words), &stamp())?;
                        sync_store::set_device_status(&connection, DeviceStatus::TokenMissing)?;
                        config.pull_interval
                    }
                    Err(Failure::Sync(SyncError::Refused { status, code, message, field }))
                        if (400..500).contains(&status) && status != 429 =>
                    {
                        // The whole batch was refused: resending it unchanged every few seconds
                        // would change nothing. Say so, and offer it again much later.
                        shared.online.send_replace(Some(true));
                        let place = field.map(|field| format!(" at {field}")).unwrap_or_default();
                        let words = format!(
                            "Head office refused this till's last batch as a whole ({code}{place}: {message}). \
                             Recording goes on and nothing is lost; the batch will be offered again later. The \
                             owner's tills report shows this till as stuck, with the reason."
                        );
                        tracing::error!(%code, status, "the server refused a whole batch");
                        sync_store::set_error(&connection, Some(&words), &stamp())?;
                        // Stuck only once the words are kept: the status never says "stuck"
                        // without saying why.
                        shared.stuck.store(true, Ordering::Relaxed);
                        refused_until = Some(tokio::time::Instant::now() + config.refused_retry);
                        config.refused_retry.min(config.pull_interval)
                    }
                    Err(Failure::Sync(SyncError::Revoked { code, message })) => {
                        shared.online.send_replace(Some(true));
                        let words = format!(
                            "The server no longer accepts this till ({code}: {message}). It keeps recording; \
                             ask the owner to enrol it again so its work can be sent."
                        );
                        tracing::warn!(code = %code, "the server refused this till's token");
                        // The words first, so that whoever sees "revoked" also sees why.
                        sync_store::set_error(&connection, Some(&words), &stamp())?;
                        sync_store::set_device_status(&connection, DeviceStatus::Revoked)?;
                        config.pull_interval
                    }
                    Err(failure) => {
                        let unreachable = matches!(failure, Failure::Sync(SyncError::Unreachable(_)));
                        shared.online.send_replace(Some(!unreachable));
                        tracing::warn!(error = %failure, "sync failed; trying again later");
                        sync_store::set_error(&connection, Some(&failure.to_string()), &stamp())?;
                        delays.next().unwrap_or(config.backoff_max)
                    }
                }
            }
            // Not enrolled, or revoked: nothing to send; look again later (enrolment may happen).
            _ => config.retry_interval,
        };
        let wait = wait.min(until_nightly(Local::now(), config.nightly_at)).max(Duration::from_millis(10));
        shared.heartbeat_ms.store(Utc::now().timestamp_millis(), Ordering::Relaxed);
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = shared.nudge.notified() => {
                // Let a burst of recordings land, then push them as one batch.
                tokio::time::sleep(config.push_delay).await;
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error("the till's store: {0}")]
    Store(#[from] TillError),
    #[error("{0}")]
    Token(#[from] token::TokenError),
    #[error("the keyring holds no token for this till")]
    TokenMissing,
}

/// What one round of the loop does.
#[derive(Debug, Clone, Copy)]
struct Round {
    push: bool,
    pull: bool,
    /// Pull everything from the start (the nightly sync).
    full_refresh: bool,
}

/// One round: push everything pending (resending from where the server says on a gap), then
/// pull if due. Returns how many events are still pending.
async fn cycle(
    connection: &mut Connection,
    client: &Client,
    device: tillbook_core::ids::DeviceId,
    config: &SyncConfig,
    round: Round,
) -> std::result::Result<u64, Failure> {
    let Round { push, pull, full_refresh } = round;
    let token = token::load(device)?.ok_or(Failure::TokenMissing)?;
    let mut resend_from = None;
    while push
        && let Some(batch) =
            sync_store::next_batch(connection, device, resend_from, config.batch_size, config.batch_bytes)?
    {
        match client.push(&token, batch.body).await {
            Ok(response) => {
                let changed = sync_store::apply_acks(connection, &response, &stamp())?;
                sync_store::set_pushed(connection, &stamp())?;
                if batch.events < config.batch_size {
                    break; // the end of the outbox
                }
                match resend_from {
                    Some(_) => resend_from = Some(batch.first_seq + batch.events as u64),
                    // An answer that settles nothing would send the same batch for ever.
                    None if changed == 0 => {
                        return Err(SyncError::Refused {
                            status: 200,
                            code: "no_progress".into(),
                            message: "the server answered without acknowledging the batch".into(),
                            field: None,
                        }
                        .into());
                    }
                    None => {}
                }
            }
            Err(SyncError::SequenceGap { expected }) if resend_from != Some(expected) => {
                tracing::warn!(expected, first = batch.first_seq, "the server asks for older events; resending");
                resend_from = Some(expected);
            }
            Err(error) => return Err(error.into()),
        }
    }
    if pull {
        let mut cursor = if full_refresh { 0 } else { sync_store::state(connection)?.pull_cursor };
        let pending = sync_store::outbox_state(connection)?.pending;
        loop {
            let page = client.pull(&token, cursor, pending).await?;
            sync_store::apply_changes(connection, &page.changes, page.next_cursor, &stamp())?;
            cursor = page.next_cursor;
            if !page.more {
                break;
            }
        }
    }
    Ok(sync_store::outbox_state(connection)?.pending)
}

fn stamp() -> String {
    Local::now().fixed_offset().to_rfc3339()
}

fn nightly_due(now: DateTime<Local>, at: NaiveTime, last: Option<chrono::NaiveDate>) -> bool {
    now.time() >= at && last.is_none_or(|day| day < now.date_naive())
}

/// How long until tonight's (or tomorrow night's) nightly sync.
fn until_nightly(now: DateTime<Local>, at: NaiveTime) -> Duration {
    let today = now.date_naive().and_time(at);
    let next = if now.naive_local() < today { today } else { today + chrono::Duration::days(1) };
    (next - now.naive_local()).to_std().unwrap_or(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_nightly_sync_runs_once_a_night_after_its_time() {
        let at = NaiveTime::from_hms_opt(23, 30, 0).unwrap();
        let evening = Local.with_ymd_and_hms(2026, 11, 21, 23, 45, 0).unwrap();
        let afternoon = Local.with_ymd_and_hms(2026, 11, 21, 15, 0, 0).unwrap();
        assert!(nightly_due(evening, at, None));
        assert!(nightly_due(evening, at, Some(evening.date_naive().pred_opt().unwrap())));
        assert!(!nightly_due(evening, at, Some(evening.date_naive())), "already done tonight");
        assert!(!nightly_due(afternoon, at, None), "not before its time");
        assert_eq!(until_nightly(afternoon, at), Duration::from_secs(8 * 3600 + 30 * 60));
        assert_eq!(until_nightly(evening, at), Duration::from_secs(24 * 3600 - 15 * 60));
    }
}
