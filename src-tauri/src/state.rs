//! What the app holds while it runs: the till's store (once it is set up), who is logged in,
//! and the background sync when the till is enrolled with a server.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use serde::Serialize;
use tillbook_till::owner::{OwnerDesk, OwnerError};
use tillbook_till::sync::{DeviceStatus, SyncConfig, SyncHandle};
use tillbook_till::{Session, Till, TillError};

/// A refusal the UI shows: a stable code for the UI's own wording and the till's message.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct UiError {
    pub code: String,
    pub message: String,
    /// The form field at fault, when there is one, for the screen to mark.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl From<TillError> for UiError {
    fn from(error: TillError) -> UiError {
        UiError { code: error.code().to_string(), message: error.to_string(), field: None }
    }
}

impl From<OwnerError> for UiError {
    fn from(error: OwnerError) -> UiError {
        let message = error.to_string();
        let field = match &error {
            OwnerError::Invalid { field, .. } => Some(field.clone()),
            _ => None,
        };
        UiError { code: error.code().to_string(), message, field }
    }
}

impl UiError {
    pub fn new(code: &str, message: &str) -> UiError {
        UiError { code: code.to_string(), message: message.to_string(), field: None }
    }
}

pub type Answer<T> = Result<T, UiError>;

pub struct App {
    pub folder: PathBuf,
    till: Mutex<Option<Till>>,
    session: Mutex<Option<Session>>,
    sync: Mutex<Option<SyncHandle>>,
    /// Set when this computer is the owner's (signed in at head office) rather than a till.
    owner: Mutex<Option<OwnerDesk>>,
    /// Why the store was refused at start (it failed its check): the app shows the recovery
    /// screen until a backup is restored.
    damaged: Mutex<Option<String>>,
}

impl App {
    /// Opens the till's store if this machine has one; a first run has none yet.
    pub fn open(folder: PathBuf) -> Result<App, TillError> {
        let path = folder.join("till.sqlite");
        let (till, damaged) = match path.exists().then(|| Till::open(&path)) {
            None => (None, None),
            Some(Ok(till)) => (Some(till), None),
            Some(Err(TillError::Damaged(detail))) => {
                tracing::error!(%detail, "the till's store is damaged; offering the last good backup");
                (None, Some(detail))
            }
            Some(Err(error)) => return Err(error),
        };
        // A store the app cannot read is not a reason to refuse to start: the owner signs in again.
        let owner = OwnerDesk::open(&folder).unwrap_or_else(|error| {
            tracing::warn!(%error, "the owner's saved sign-in cannot be read");
            None
        });
        Ok(App {
            folder,
            till: Mutex::new(till),
            session: Mutex::new(None),
            sync: Mutex::new(None),
            owner: Mutex::new(owner),
            damaged: Mutex::new(damaged),
        })
    }

    /// Why the store was refused at start, until a backup is restored.
    pub fn damaged(&self) -> Answer<Option<String>> {
        Ok(self.damaged.lock().map_err(|_| UiError::new("internal", "the store's state is unavailable"))?.clone())
    }

    /// Where the nightly backup goes: the folder the owner set (in the store's settings), else
    /// `backups` beside the store.
    pub fn backup_folder(&self) -> PathBuf {
        tillbook_till::backup::folder_setting(&self.store_path()).unwrap_or_else(|| self.folder.join("backups"))
    }

    /// Opens the store again (after a restore), and forgets that it was damaged.
    pub fn reopen(&self) -> Answer<()> {
        let till = Till::open(&self.store_path())?;
        self.set_till(till)?;
        *self.damaged.lock().map_err(|_| UiError::new("internal", "the store's state is unavailable"))? = None;
        Ok(())
    }

    /// The owner's desk, if this computer is signed in as the owner (a copy: it is used
    /// across awaits, and the lock is never held across one).
    pub fn owner(&self) -> Answer<Option<OwnerDesk>> {
        Ok(self.owner.lock().map_err(|_| UiError::new("internal", "the owner's desk is unavailable"))?.clone())
    }

    pub fn set_owner(&self, owner: Option<OwnerDesk>) -> Answer<()> {
        *self.owner.lock().map_err(|_| UiError::new("internal", "the owner's desk is unavailable"))? = owner;
        Ok(())
    }

    pub fn store_path(&self) -> PathBuf {
        self.folder.join("till.sqlite")
    }

    pub fn till(&self) -> Answer<MutexGuard<'_, Option<Till>>> {
        self.till.lock().map_err(|_| UiError::new("internal", "the till's store is unavailable"))
    }

    pub fn set_till(&self, till: Till) -> Answer<()> {
        *self.till()? = Some(till);
        Ok(())
    }

    /// Runs `work` on the open till; a till not set up yet is a clear refusal.
    pub fn with_till<T>(&self, work: impl FnOnce(&mut Till) -> Result<T, TillError>) -> Answer<T> {
        let mut till = self.till()?;
        let till = till.as_mut().ok_or_else(|| UiError::new("not_set_up", "this till is not set up yet"))?;
        Ok(work(till)?)
    }

    pub fn session(&self) -> Answer<Session> {
        let session = self.session.lock().map_err(|_| UiError::new("internal", "the session is unavailable"))?;
        session.clone().ok_or_else(|| UiError::new("not_logged_in", "log in with your PIN first"))
    }

    pub fn set_session(&self, session: Option<Session>) -> Answer<()> {
        *self.session.lock().map_err(|_| UiError::new("internal", "the session is unavailable"))? = session;
        Ok(())
    }

    /// Stops background sync (a sign-out or a wipe), waiting until it has stopped.
    pub async fn stop_sync(&self) -> Answer<()> {
        let handle = self.sync.lock().map_err(|_| UiError::new("internal", "sync is unavailable"))?.take();
        if let Some(handle) = handle {
            handle.stop().await;
        }
        Ok(())
    }

    /// Closes the store (a wipe): the app goes back to set-up.
    pub fn close_till(&self) -> Answer<()> {
        *self.till()? = None;
        self.set_session(None)
    }

    /// Starts background sync if the store is enrolled with a server (never for a demo till).
    /// Must run inside the async runtime.
    pub fn start_sync_if_enrolled(&self) -> Answer<()> {
        let path = self.store_path();
        let enrolled = self.with_till(|till| Ok(till.sync_state()?.device_status != DeviceStatus::NotEnrolled))?;
        let mut sync = self.sync.lock().map_err(|_| UiError::new("internal", "sync is unavailable"))?;
        if enrolled && sync.is_none() {
            *sync = Some(tillbook_till::sync::start(path, SyncConfig::default())?);
        }
        Ok(())
    }

    /// Something was recorded: push it soon.
    pub fn nudge(&self) {
        if let Ok(sync) = self.sync.lock()
            && let Some(sync) = sync.as_ref()
        {
            sync.nudge();
        }
    }

    pub fn sync_status(&self) -> Answer<Option<tillbook_till::sync::SyncStatus>> {
        let sync = self.sync.lock().map_err(|_| UiError::new("internal", "sync is unavailable"))?;
        sync.as_ref().map(|sync| sync.status().map_err(UiError::from)).transpose()
    }
}
