//! Turning a fresh install into an enrolled till (DESIGN §7 "Enrol"), and the guard that keeps a
//! till's unsynced work from being thrown away by a sign-out, a re-enrolment or a wipe.

use std::path::Path;

use rusqlite::Connection;

use tillbook_core::ids::DeviceId;

use super::client::{Client, Server};
use super::store as sync_store;
use super::token;
use crate::error::{Result, TillError};
use crate::till::{Till, TillSetup};

/// Enrols a new till with the owner's one-time code: the server names the till, its
/// businesses and the group's time zone, the token goes into the keyring (only there), and the
/// first pull fills in head office's master data so the counter can start.
pub async fn enroll(path: &Path, server: &Server, code: &str, device_name: &str) -> Result<Till> {
    if path.exists() {
        // An existing store belongs to a till already; never mix two tills' work.
        let till = Till::open(path)?;
        return Err(TillError::AlreadySetUp(till.info().till_code.clone()));
    }
    let client = Client::new(server)?;
    token::prepare()?;
    let device = DeviceId::new();
    let answer = client.enroll(code, device, device_name).await?;
    token::save(answer.device_id, &answer.device_token)?;
    let mut till = Till::create(
        path,
        TillSetup {
            device_id: answer.device_id,
            till_code: answer.till_code,
            device_name: device_name.to_string(),
            business_ids: answer.business_ids,
            time_zone: answer.time_zone,
        },
    )?;
    sync_store::set_enrolled(till.connection(), server)?;
    let mut cursor = 0;
    loop {
        // A till just set up has recorded nothing yet.
        let page = client.pull(&answer.device_token, cursor, 0).await?;
        let now = till.now().to_rfc3339();
        sync_store::apply_changes(till.connection_mut(), &page.changes, page.next_cursor, &now)?;
        cursor = page.next_cursor;
        if !page.more {
            break;
        }
    }
    Ok(till)
}

/// Brings back an existing till whose token was lost (a restart cleared the keyring) or revoked,
/// with a re-enrolment code the owner issued for it: the server gives the same device a new
/// token (the old one dies), and the till keeps its device id, till code, receipt numbering and
/// outbox. Nothing is resent by hand: the sync loop sends what is pending, the server answers
/// what it already has as duplicates and asks for the rest from its `acked_through`, which is
/// returned here.
pub async fn reenroll(store: &Path, server: &Server, code: &str) -> Result<u64> {
    let client = Client::new(server)?;
    token::prepare()?;
    // No store handle is held across the exchange: the counter may record meanwhile.
    let info = Till::open(store)?.info().clone();
    let answer = client.enroll(code, info.device_id, &info.device_name).await?;
    if answer.device_id != info.device_id || answer.till_code != info.till_code {
        return Err(TillError::Invariant(format!(
            "the server answered for till {}, not {}",
            answer.till_code, info.till_code
        )));
    }
    token::save(answer.device_id, &answer.device_token)?;
    sync_store::set_enrolled(&crate::store::open_connection(store)?, server)?;
    Ok(answer.acked_through)
}

/// How far head office has merged this till's events: asked with an empty push, which the
/// server answers with its `acked_through` and changes nothing. `0` for a till that is not
/// enrolled (a demo till). Fails when the server cannot be reached: a restore waits for the
/// answer rather than number new events that may collide with what the server holds.
pub async fn server_position(store: &Path) -> Result<crate::backup::Continuation> {
    let connection = Connection::open_with_flags(store, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let device = sync_store::device_id(&connection)?.ok_or(TillError::NotSetUp)?;
    let state = sync_store::state(&connection)?;
    drop(connection);
    let server = match (state.server_url, state.device_status) {
        (Some(url), sync_store::DeviceStatus::Enrolled) => Server::new(&url, state.server_ca.as_deref()),
        (None, _) | (_, sync_store::DeviceStatus::NotEnrolled) => {
            return Ok(crate::backup::Continuation { acked_through: 0 });
        }
        (Some(_), _) => {
            return Err(TillError::BackupFailed(
                "this till must be re-enrolled before a restore, so head office can say how far it got".into(),
            ));
        }
    };
    token::prepare()?;
    let token = token::load(device)?.ok_or_else(|| {
        TillError::BackupFailed("this till's sync key is missing: re-enrol it before restoring".into())
    })?;
    let body =
        format!(r#"{{"protocol":{},"device_id":"{device}","events":[]}}"#, tillbook_core::protocol::PROTOCOL_VERSION);
    let answer = Client::new(&server)?.push(&token, body).await?;
    Ok(crate::backup::Continuation { acked_through: answer.acked_through })
}

/// Restores `backup` over the till's store at `store` (DESIGN §6): asks head office how far it
/// got first, so that numbering continues after it. Nothing changes when the server cannot be
/// reached.
pub async fn restore(backup: &Path, store: &Path) -> Result<crate::backup::Restored> {
    crate::backup::check_integrity(backup)?;
    let continuation = server_position(backup).await?;
    crate::backup::restore(backup, store, continuation, chrono::Local::now().fixed_offset())
}

/// Refuses to `action` while events wait for the server, unless the owner has confirmed.
pub fn guard_unsynced(till: &Till, action: &'static str, owner_confirmed: bool) -> Result<()> {
    let pending = sync_store::outbox_state(till.connection())?.pending;
    if pending > 0 && !owner_confirmed {
        return Err(TillError::Unsynced { pending, action });
    }
    Ok(())
}

/// Whether the owner confirmed, with their PIN, an action that would strand unsynced work:
/// `None` is no confirmation; a PIN that is wrong, or not an owner's, is refused.
pub fn owner_confirms(till: &Till, owner: Option<(tillbook_core::ids::StaffId, &str)>) -> Result<bool> {
    let Some((staff_id, pin)) = owner else { return Ok(false) };
    let member = crate::staff::check_pin(till.connection(), staff_id, pin)?;
    if member.role != tillbook_core::catalog::Role::Owner {
        return Err(TillError::NotAuthorised { action: "confirm this", needed: "owner" });
    }
    Ok(true)
}

/// Takes the till's data off this computer, guarded like a sign-out: the token is removed and
/// the store moved aside as `…wiped-<time>` (kept, never deleted: it is the only copy of what
/// never reached head office). The caller must have closed its handles on the store.
pub fn wipe(store: &Path, owner_confirmed: bool) -> Result<std::path::PathBuf> {
    let till = Till::open(store)?;
    guard_unsynced(&till, "wipe this till", owner_confirmed)?;
    token::delete(till.info().device_id)?;
    drop(till);
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let aside = std::path::PathBuf::from(format!("{}.wiped-{stamp}", store.display()));
    for suffix in ["", "-wal", "-shm"] {
        let from = std::path::PathBuf::from(format!("{}{suffix}", store.display()));
        if from.exists() {
            std::fs::rename(&from, format!("{}{suffix}", aside.display()))
                .map_err(|error| TillError::Setup(format!("moving {} aside: {error}", from.display())))?;
        }
    }
    Ok(aside)
}

/// Removes the till's token from the keyring (signing the device out of sync), guarded.
pub fn forget_token(till: &Till, owner_confirmed: bool) -> Result<()> {
    guard_unsynced(till, "sign this till out", owner_confirmed)?;
    token::delete(till.info().device_id)?;
    sync_store::set_device_status(till.connection(), sync_store::DeviceStatus::NotEnrolled)?;
    Ok(())
}
