//! The commands the UI invokes. Each one checks who is logged in, calls `tillbook-till`, and
//! returns what it answered; none adds up money or decides a business rule itself. This module
//! holds start-up, login and the status bar; the counter work is in the submodules.

pub mod accounts;
pub mod counter;
pub mod drawer;
pub mod laundry;
pub mod owner;

use serde::Serialize;
use tauri::State;
use tillbook_core::Money;
use tillbook_core::catalog::Role;
use tillbook_core::chart::BusinessKind;
use tillbook_core::ids::{BusinessId, StaffId};
use tillbook_till::staff::StaffMember;
use tillbook_till::{Session, Till};

use crate::state::{Answer, App};

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct BusinessView {
    pub id: BusinessId,
    pub code: String,
    pub name: String,
    pub kind: BusinessKind,
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct TillView {
    pub till_code: String,
    pub device_name: String,
    pub businesses: Vec<BusinessView>,
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct SetupState {
    pub set_up: bool,
    pub till: Option<TillView>,
    /// This computer is the owner's, signed in at head office (DESIGN §9).
    pub owner: Option<tillbook_till::owner::OwnerAccount>,
    /// Set by `cargo xtask run` (TILLBOOK_SERVER_URL, TILLBOOK_ENROL_CODE): the first run
    /// enrols with the local demo server without anyone typing the code.
    pub suggested: Option<Suggested>,
    /// The store failed its check at start: the recovery screen, with the backups to offer.
    pub damaged: Option<DamagedView>,
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct DamagedView {
    pub detail: String,
    pub backup_folder: String,
    pub last_good: Option<tillbook_till::backup::BackupFile>,
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Suggested {
    pub server_url: String,
    pub code: String,
}

/// Head office as the person typed it: its address, and its own certificate authority (PEM)
/// when it uses a private one — given on the screen, or else the file `TILLBOOK_SERVER_CA`
/// names (an installer can place it there).
pub fn server(url: &str, ca_pem: Option<String>) -> Answer<tillbook_till::sync::Server> {
    let given = ca_pem.filter(|pem| !pem.trim().is_empty());
    let ca_pem = match (given, std::env::var_os("TILLBOOK_SERVER_CA")) {
        (Some(pem), _) => Some(pem),
        (None, Some(path)) => Some(std::fs::read_to_string(&path).map_err(|error| {
            crate::state::UiError::new("invalid_certificate", &format!("TILLBOOK_SERVER_CA cannot be read: {error}"))
        })?),
        (None, None) => None,
    };
    Ok(tillbook_till::sync::Server::new(url, ca_pem.as_deref()))
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct SessionView {
    pub staff_id: StaffId,
    pub name: String,
    pub role: Role,
    pub business: BusinessView,
    /// Minutes this till's clock is off head office's, when more than five (as last heard from
    /// the server's answers): the login screen warns the cashier in words.
    pub clock_off_minutes: Option<i64>,
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct ShiftView {
    pub open: bool,
    pub expected_cash: Option<Money>,
}

/// The badge: `demo` tills never sync; enrolled ones report the sync task's status.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct SyncView {
    pub mode: &'static str,
    pub online: Option<bool>,
    pub pending: u64,
    pub quarantined: u64,
    pub last_push_at: Option<String>,
    pub last_error: Option<String>,
    pub device_status: Option<tillbook_till::sync::DeviceStatus>,
    /// `false`: the token is kept where a restart clears it; the status bar says so.
    pub token_survives_restart: bool,
    pub stuck: bool,
}

pub(crate) fn business_view(till: &Till, id: BusinessId) -> Result<BusinessView, tillbook_till::TillError> {
    let business = till.business(id)?;
    Ok(BusinessView { id, code: business.code, name: business.name, kind: business.kind })
}

fn till_view(till: &Till) -> Result<TillView, tillbook_till::TillError> {
    let info = till.info();
    let businesses = info.business_ids.iter().map(|id| business_view(till, *id)).collect::<Result<_, _>>()?;
    Ok(TillView { till_code: info.till_code.clone(), device_name: info.device_name.clone(), businesses })
}

#[tauri::command]
pub fn setup_state(app: State<'_, App>) -> Answer<SetupState> {
    let owner = app.owner()?.map(|desk| desk.account().clone());
    if let Some(detail) = app.damaged()? {
        let folder = app.backup_folder();
        let last_good = tillbook_till::backup::last_good(&folder)?;
        let damaged = DamagedView { detail, backup_folder: folder.display().to_string(), last_good };
        return Ok(SetupState { set_up: true, till: None, owner, suggested: None, damaged: Some(damaged) });
    }
    let till = app.till()?;
    Ok(match till.as_ref() {
        Some(till) => SetupState { set_up: true, till: Some(till_view(till)?), owner, suggested: None, damaged: None },
        None => {
            let suggested = match (std::env::var("TILLBOOK_SERVER_URL"), std::env::var("TILLBOOK_ENROL_CODE")) {
                (Ok(server_url), Ok(code)) => Some(Suggested { server_url, code }),
                _ => None,
            };
            SetupState { set_up: owner.is_some(), till: None, owner, suggested, damaged: None }
        }
    })
}

/// A standalone demo till with the demo group's three businesses and staff; it never syncs.
#[tauri::command]
pub fn create_demo(app: State<'_, App>) -> Answer<TillView> {
    let path = app.store_path();
    let kinds = [BusinessKind::Water, BusinessKind::Laundry, BusinessKind::Retail];
    let till = tillbook_till::demo::create_demo_till(&path, "D1", &kinds)?;
    let view = till_view(&till)?;
    app.set_till(till)?;
    Ok(view)
}

/// First run against a server: the enrolment code becomes a device token in the keyring, the
/// first pull brings the business's master data and staff, and sync starts.
#[tauri::command]
pub async fn enrol(
    app: State<'_, App>,
    server_url: String,
    server_ca: Option<String>,
    code: String,
    device_name: String,
) -> Answer<TillView> {
    let path = app.store_path();
    let server = server(&server_url, server_ca)?;
    let till = tillbook_till::sync::enroll(&path, &server, code.trim(), device_name.trim()).await?;
    let view = till_view(&till)?;
    app.set_till(till)?;
    app.start_sync_if_enrolled()?;
    Ok(view)
}

#[tauri::command]
pub fn staff(app: State<'_, App>) -> Answer<Vec<StaffMember>> {
    app.with_till(|till| till.staff())
}

#[tauri::command]
pub async fn login(app: State<'_, App>, staff_id: StaffId, pin: String) -> Answer<SessionView> {
    app.start_sync_if_enrolled()?;
    let (session, view) = app.with_till(|till| {
        let session = till.login(staff_id, &pin)?;
        let view = session_view(till, &session)?;
        Ok((session, view))
    })?;
    app.set_session(Some(session))?;
    Ok(view)
}

/// A supervisor (or the owner), by their PIN, unlocks a member of staff locked after five
/// wrong PINs.
#[tauri::command]
pub fn unlock_staff(
    app: State<'_, App>,
    supervisor_id: StaffId,
    supervisor_pin: String,
    staff_id: StaffId,
) -> Answer<()> {
    app.with_till(|till| till.unlock_staff(supervisor_id, &supervisor_pin, staff_id))
}

fn session_view(till: &Till, session: &Session) -> Result<SessionView, tillbook_till::TillError> {
    Ok(SessionView {
        staff_id: session.staff_id,
        name: session.name.clone(),
        role: session.role,
        business: business_view(till, session.business_id)?,
        clock_off_minutes: tillbook_till::sync::client::server_clock_offset()
            .map(|offset| offset.num_minutes().abs())
            .filter(|minutes| *minutes > CLOCK_WARNING_MINUTES),
    })
}

/// A clock further off head office's than this is worth a word at login (sales would carry the
/// wrong time, and a clock set back is flagged for the owner).
const CLOCK_WARNING_MINUTES: i64 = 5;

/// Re-enrols this till with the owner's code (its token was lost or revoked): the same till,
/// with everything it recorded; sync resumes and sends what head office has not merged.
#[tauri::command]
pub async fn reenrol(app: State<'_, App>, code: String) -> Answer<u64> {
    let path = app.store_path();
    let state = app.with_till(|till| till.sync_state())?;
    let server_url = state
        .server_url
        .ok_or_else(|| crate::state::UiError::new("not_enrolled", "this till was never enrolled with head office"))?;
    let server = tillbook_till::sync::Server::new(&server_url, state.server_ca.as_deref());
    let acked = tillbook_till::sync::reenroll(&path, &server, code.trim()).await?;
    // A running sync loop sees the till enrolled again on its next round; start one if none runs.
    app.start_sync_if_enrolled()?;
    Ok(acked)
}

/// Restores a backup over the damaged store (the recovery screen), then opens the till again.
#[tauri::command]
pub async fn restore_backup(app: State<'_, App>, path: String) -> Answer<tillbook_till::backup::Restored> {
    let restored = tillbook_till::sync::restore(std::path::Path::new(&path), &app.store_path()).await?;
    app.reopen()?;
    app.start_sync_if_enrolled()?;
    Ok(restored)
}

/// Signs this till out of head office (its token leaves the keyring). Refused while events wait
/// to be sent, unless the owner confirms with their PIN.
#[tauri::command]
pub async fn sign_out_till(app: State<'_, App>, owner_id: Option<StaffId>, owner_pin: Option<String>) -> Answer<()> {
    app.with_till(|till| {
        let confirmed = tillbook_till::sync::owner_confirms(till, owner_id.zip(owner_pin.as_deref()))?;
        tillbook_till::sync::forget_token(till, confirmed)
    })?;
    app.stop_sync().await
}

/// Takes the till's data off this computer (moved aside, never deleted) and returns the app to
/// set-up. Refused while events wait to be sent, unless the owner confirms with their PIN.
#[tauri::command]
pub async fn wipe_till(app: State<'_, App>, owner_id: Option<StaffId>, owner_pin: Option<String>) -> Answer<String> {
    let confirmed = app.with_till(|till| {
        let confirmed = tillbook_till::sync::owner_confirms(till, owner_id.zip(owner_pin.as_deref()))?;
        tillbook_till::sync::guard_unsynced(till, "wipe this till", confirmed)?;
        Ok(confirmed)
    })?;
    app.stop_sync().await?;
    app.close_till()?;
    let aside = tillbook_till::sync::wipe(&app.store_path(), confirmed)?;
    Ok(aside.display().to_string())
}

/// Where the nightly backup goes now.
#[tauri::command]
pub fn backup_folder(app: State<'_, App>) -> String {
    app.backup_folder().display().to_string()
}

/// Points the nightly backup at `folder` (a USB drive, say), for a supervisor or the owner. The
/// folder is created if missing and must take a file, or nothing changes.
#[tauri::command]
pub fn set_backup_folder(app: State<'_, App>, folder: String) -> Answer<String> {
    let session = app.session()?;
    if !matches!(session.role, Role::Owner | Role::Supervisor) {
        return Err(tillbook_till::TillError::NotAuthorised {
            action: "choose the backup folder",
            needed: "supervisor",
        }
        .into());
    }
    let folder = std::path::PathBuf::from(folder.trim());
    let unusable = |error: std::io::Error| {
        crate::state::UiError::new("backup_failed", &format!("{} cannot take a backup: {error}", folder.display()))
    };
    if folder.as_os_str().is_empty() || !folder.is_absolute() {
        return Err(crate::state::UiError::new(
            "backup_failed",
            "give the folder's full path, like /media/usb/tillbook",
        ));
    }
    std::fs::create_dir_all(&folder).map_err(unusable)?;
    let probe = folder.join(".tillbook-write-test");
    std::fs::write(&probe, b"ok").map_err(unusable)?;
    let _ = std::fs::remove_file(&probe);
    app.with_till(|till| till.set_backup_folder(&folder))?;
    Ok(folder.display().to_string())
}

/// Backs the store up now into the backup folder (what the nightly backup does).
#[tauri::command]
pub fn backup_now(app: State<'_, App>) -> Answer<tillbook_till::backup::BackupFile> {
    Ok(tillbook_till::backup::back_up_now(&app.store_path(), &app.backup_folder())?)
}

/// The businesses this person may record for here: the till's own, and for the owner every
/// business the store knows (DESIGN §6: only the owner sees other businesses).
#[tauri::command]
pub fn businesses(app: State<'_, App>) -> Answer<Vec<BusinessView>> {
    let session = app.session()?;
    app.with_till(|till| till.businesses_for(&session)?.into_iter().map(|id| business_view(till, id)).collect())
}

#[tauri::command]
pub fn switch_business(app: State<'_, App>, business_id: BusinessId) -> Answer<SessionView> {
    let session = app.session()?;
    let (session, view) = app.with_till(|till| {
        let session = till.switch_business(&session, business_id)?;
        let view = session_view(till, &session)?;
        Ok((session, view))
    })?;
    app.set_session(Some(session))?;
    Ok(view)
}

#[tauri::command]
pub fn logout(app: State<'_, App>) -> Answer<()> {
    app.set_session(None)
}

#[tauri::command]
pub fn shift(app: State<'_, App>) -> Answer<ShiftView> {
    let expected_cash = app.with_till(|till| till.expected_cash_in_drawer())?;
    Ok(ShiftView { open: expected_cash.is_some(), expected_cash })
}

#[tauri::command]
pub fn open_shift(app: State<'_, App>, float: Money) -> Answer<ShiftView> {
    let session = app.session()?;
    app.with_till(|till| till.open_shift(&session, float).map(|_| ()))?;
    app.nudge();
    shift(app)
}

#[tauri::command]
pub fn quarantined(app: State<'_, App>) -> Answer<Vec<tillbook_till::lookups::QuarantinedEvent>> {
    app.with_till(|till| till.quarantined_events())
}

#[tauri::command]
pub fn sync_status(app: State<'_, App>) -> Answer<SyncView> {
    if let Some(status) = app.sync_status()? {
        return Ok(SyncView {
            mode: "enrolled",
            online: status.online,
            pending: status.pending,
            quarantined: status.quarantined,
            last_push_at: status.last_push_at,
            last_error: status.last_error,
            device_status: Some(status.device_status),
            token_survives_restart: status.token_survives_restart,
            stuck: status.stuck,
        });
    }
    let counts = app.with_till(|till| till.outbox_counts())?;
    Ok(SyncView {
        mode: "demo",
        online: None,
        pending: counts.pending,
        quarantined: counts.quarantined,
        last_push_at: None,
        last_error: None,
        device_status: None,
        token_survives_restart: true,
        stuck: false,
    })
}
