//! The `Till`: one shop till's local store and the handle every UI command and test goes
//! through. Recording methods live in `record/`, read models in `reports`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Local};
use chrono_tz::Tz;
use rusqlite::Connection;
use serde::Serialize;
use tillbook_core::catalog::Role;
use tillbook_core::ids::{BusinessId, DeviceId, StaffId};
use tillbook_core::seed::MasterData;
use tillbook_core::time::parse_time_zone;

use crate::error::{Result, TillError};
use crate::staff::{self, Session, StaffMember};
use crate::{master, store};

/// The till's clock. Tests and simulations replace it to record a day's work at chosen times.
pub type Clock = Arc<dyn Fn() -> DateTime<FixedOffset> + Send + Sync>;

/// What a new till is set up with: its identity and the businesses it records for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TillSetup {
    pub device_id: DeviceId,
    /// Short code printed on receipts: `W1`, `L1`, `R2`.
    pub till_code: String,
    pub device_name: String,
    /// The first is the business staff record for unless they switch.
    pub business_ids: Vec<BusinessId>,
    pub time_zone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TillInfo {
    pub device_id: DeviceId,
    pub till_code: String,
    pub device_name: String,
    pub primary_business_id: BusinessId,
    pub business_ids: Vec<BusinessId>,
    pub time_zone: String,
}

pub struct Till {
    pub(crate) connection: Connection,
    /// The store's file: a clean close marks it so (`backup::closed_cleanly`).
    path: PathBuf,
    pub(crate) info: TillInfo,
    pub(crate) zone: Tz,
    pub(crate) clock: Clock,
}

impl Till {
    /// Sets up a new till in the store at `path` (created if missing). Refuses a store that
    /// already belongs to a till: re-enrolment must never silently mix two tills' work.
    pub fn create(path: &Path, setup: TillSetup) -> Result<Till> {
        let mut connection = store::open_connection(path)?;
        if let Some(code) = store::till_row::till_code(&connection)? {
            return Err(TillError::AlreadySetUp(code));
        }
        let primary = *setup.business_ids.first().ok_or(TillError::NotThisTillsBusiness)?;
        if parse_time_zone(&setup.time_zone).is_none() {
            return Err(TillError::Setup(format!("unknown time zone {}", setup.time_zone)));
        }
        let code_ok =
            (1..=8).contains(&setup.till_code.len()) && setup.till_code.bytes().all(|b| b.is_ascii_alphanumeric());
        if !code_ok {
            return Err(TillError::Setup(format!("till code '{}' must be 1–8 letters or digits", setup.till_code)));
        }
        store::till_row::write(&mut connection, &setup, primary)?;
        drop(connection);
        Till::open(path)
    }

    /// Opens an existing till's store, applying any new migrations. A store that was not closed
    /// cleanly (a power cut, a crash) or that the nightly backup found damaged is checked with
    /// SQLite's `quick_check` first, and refused as [`TillError::Damaged`] before anything is
    /// written to it: the app then offers the last good backup (`backup::last_good`). A store
    /// closed cleanly opens without reading every page (`backup::check_if_needed`).
    pub fn open(path: &Path) -> Result<Till> {
        if path.exists() {
            crate::backup::check_if_needed(path)?;
        }
        let connection = store::open_connection(path)?;
        let info = store::till_row::read(&connection)?;
        let zone = parse_time_zone(&info.time_zone)
            .ok_or_else(|| TillError::Invariant(format!("unknown time zone {}", info.time_zone)))?;
        let clock: Clock = Arc::new(|| Local::now().fixed_offset());
        // From here the store is open until this `Till` drops.
        crate::backup::opened(path);
        Ok(Till { connection, path: path.to_path_buf(), info, zone, clock })
    }

    /// Lets go of the sales head office acknowledged before `before` (`store::prune`).
    pub fn prune_acknowledged(&mut self, before: chrono::NaiveDate) -> Result<store::prune::Pruned> {
        let today = self.now().date_naive();
        store::prune::prune_acknowledged(&mut self.connection, before, today)
    }

    pub fn info(&self) -> &TillInfo {
        &self.info
    }

    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    pub fn now(&self) -> DateTime<FixedOffset> {
        (self.clock)()
    }

    /// The store's own connection: for this crate's read models, and (with the `test-support`
    /// feature) for tests that inspect the store or inject faults into it. The app goes through
    /// `Till`'s methods only.
    #[cfg(feature = "test-support")]
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    #[cfg(not(feature = "test-support"))]
    pub(crate) fn connection(&self) -> &Connection {
        &self.connection
    }

    #[cfg(feature = "test-support")]
    pub fn connection_mut(&mut self) -> &mut Connection {
        &mut self.connection
    }

    #[cfg(not(feature = "test-support"))]
    pub(crate) fn connection_mut(&mut self) -> &mut Connection {
        &mut self.connection
    }

    /// A business this store knows.
    pub fn business(&self, id: BusinessId) -> Result<tillbook_core::chart::Business> {
        master::business(&self.connection, id)
    }

    /// The businesses `session` may record for here: the till's own, and for the owner every
    /// business the store knows (DESIGN §6: only the owner sees other businesses).
    pub fn businesses_for(&self, session: &Session) -> Result<Vec<BusinessId>> {
        if session.role == Role::Owner {
            master::business_ids(&self.connection)
        } else {
            Ok(self.info.business_ids.clone())
        }
    }

    /// Where this till stands with head office: enrolment, server, cursor, last push.
    pub fn sync_state(&self) -> Result<crate::sync::store::SyncState> {
        crate::sync::store::state(&self.connection)
    }

    /// Keeps the folder (a USB drive) the nightly backup goes to.
    pub fn set_backup_folder(&self, folder: &Path) -> Result<()> {
        crate::backup::set_folder(&self.connection, folder)
    }

    /// Writes head office's master data (server-wins upsert), all or nothing.
    pub fn load_master_data(&mut self, data: &MasterData) -> Result<()> {
        let transaction = self.connection.transaction()?;
        master::load(&transaction, data)?;
        transaction.commit()?;
        Ok(())
    }

    /// Adds or changes a member of staff, hashing the PIN.
    pub fn set_staff(&mut self, id: StaffId, name: &str, role: Role, pin: &str) -> Result<()> {
        let hash = staff::hash_pin(role, pin)?;
        staff::save_staff(&self.connection, id, name, role, &hash)
    }

    pub fn staff(&self) -> Result<Vec<StaffMember>> {
        staff::list(&self.connection)
    }

    /// Logs a member of staff in with their PIN, for the till's primary business. Five wrong
    /// PINs in a row lock them for five minutes (`staff_locked`), or until a supervisor unlocks
    /// them ([`Till::unlock_staff`]).
    pub fn login(&self, staff_id: StaffId, pin: &str) -> Result<Session> {
        self.login_at(staff_id, pin, chrono::Utc::now())
    }

    /// As [`Till::login`], at `now` (a test's clock).
    pub fn login_at(&self, staff_id: StaffId, pin: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Session> {
        let member = staff::check_pin_counted(&self.connection, staff_id, pin, now)?;
        Ok(Session {
            staff_id: member.id,
            name: member.name,
            role: member.role,
            business_id: self.info.primary_business_id,
        })
    }

    /// A supervisor (or the owner), by their PIN, unlocks a member of staff locked by wrong PINs.
    pub fn unlock_staff(&self, supervisor_id: StaffId, supervisor_pin: &str, staff_id: StaffId) -> Result<()> {
        let supervisor = self.login(supervisor_id, supervisor_pin)?;
        staff::unlock(&self.connection, &supervisor, staff_id)
    }

    /// The same person recording for another business of this till (the owner: any business).
    pub fn switch_business(&self, session: &Session, business_id: BusinessId) -> Result<Session> {
        let allowed = self.info.business_ids.contains(&business_id) || session.role == Role::Owner;
        if !allowed {
            return Err(TillError::NotThisTillsBusiness);
        }
        master::business(&self.connection, business_id)?;
        Ok(Session { business_id, ..session.clone() })
    }
}

impl Drop for Till {
    fn drop(&mut self) {
        crate::backup::closed(&self.path);
    }
}
