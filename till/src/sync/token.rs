//! The device token in the OS keyring (DESIGN §7): never in SQLite, a file of ours or a log.
//!
//! The store is chosen once per process: on Linux the kernel keyutils store, which works on a
//! headless till as well as a desktop (PLATFORM.md). Keyutils looks keys up through the
//! *session* keyring, and the store also links each key into the user's persistent keyring so
//! that a restarted till finds its token. A thread started outside a login session has no
//! session keyring, and then a key can be written but not read back; credentials are per
//! thread in Linux, so every thread that touches the keyring first joins one of its own
//! ([`prepare`]), through which the persistent keyring is reached.

use std::sync::OnceLock;

use tillbook_core::ids::DeviceId;

const SERVICE: &str = "tillbook";

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("this computer has no keyring the till can use: {0}")]
    NoKeyring(String),
    #[error("the keyring refused the till's token: {0}")]
    Keyring(String),
}

static STORE: OnceLock<Result<(), TokenError>> = OnceLock::new();

/// Makes the keyring usable from the calling thread: the process's store is set up once, and
/// the thread joins a session keyring if it has none. Every function here calls it.
pub fn prepare() -> Result<(), TokenError> {
    STORE.get_or_init(set_up_store).clone()?;
    join_session_keyring()
}

#[cfg(target_os = "linux")]
fn set_up_store() -> Result<(), TokenError> {
    let store = linux_keyutils_keyring_store::Store::new().map_err(|error| TokenError::NoKeyring(error.to_string()))?;
    keyring_core::set_default_store(store);
    Ok(())
}

#[cfg(target_os = "linux")]
fn join_session_keyring() -> Result<(), TokenError> {
    use linux_keyutils::{KeyRing, KeyRingIdentifier};
    thread_local! {
        static JOINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if JOINED.get() {
        return Ok(());
    }
    // `create = true`: a thread with a session keyring keeps it; one without joins a new one.
    KeyRing::from_special_id(KeyRingIdentifier::Session, true)
        .map_err(|error| TokenError::NoKeyring(format!("no session keyring ({error:?})")))?;
    JOINED.set(true);
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn join_session_keyring() -> Result<(), TokenError> {
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn set_up_store() -> Result<(), TokenError> {
    Err(TokenError::NoKeyring("only the Linux keyring is supported so far".into()))
}

fn entry(key: &str) -> Result<keyring_core::Entry, TokenError> {
    prepare()?;
    keyring_core::Entry::new(SERVICE, key).map_err(|error| TokenError::Keyring(error.to_string()))
}

/// The till's device token is kept under the device's id.
pub fn save(device: DeviceId, token: &str) -> Result<(), TokenError> {
    save_secret(&device.to_string(), token)
}

/// The till's token, or `None` when the keyring holds none for it (never enrolled, or wiped).
pub fn load(device: DeviceId) -> Result<Option<String>, TokenError> {
    load_secret(&device.to_string())
}

pub fn delete(device: DeviceId) -> Result<(), TokenError> {
    delete_secret(&device.to_string())
}

/// A secret of this app under `key`: the device token, or the owner's session token.
pub fn save_secret(key: &str, secret: &str) -> Result<(), TokenError> {
    entry(key)?.set_password(secret).map_err(|error| TokenError::Keyring(error.to_string()))
}

pub fn load_secret(key: &str) -> Result<Option<String>, TokenError> {
    match entry(key)?.get_password() {
        Ok(secret) => Ok(Some(secret)),
        Err(keyring_core::Error::NoEntry) => Ok(None),
        Err(error) => Err(TokenError::Keyring(error.to_string())),
    }
}

pub fn delete_secret(key: &str) -> Result<(), TokenError> {
    match entry(key)?.delete_credential() {
        Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
        Err(error) => Err(TokenError::Keyring(error.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_saved_on_one_thread_is_read_on_another_and_deleted() {
        let device = DeviceId::new();
        save(device, "tbd_example").unwrap();
        let read = std::thread::spawn(move || load(device)).join().unwrap().unwrap();
        assert_eq!(read.as_deref(), Some("tbd_example"));
        std::thread::spawn(move || delete(device)).join().unwrap().unwrap();
        assert_eq!(load(device).unwrap(), None);
    }
}
