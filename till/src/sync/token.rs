//! The device token in the OS keyring (DESIGN §7): never in SQLite, a file of ours or a log.
//!
//! The store is chosen once per process, the one that keeps the token through a restart first
//! (PLATFORM.md "Keyring: what survives a restart"):
//! - Linux: the Secret Service (GNOME Keyring, KWallet) when a session bus is there and a
//!   Secret Service answers on it; else the kernel's keyutils, which works on any headless till
//!   but lives in memory only — after a power cut the token is gone and the till must be
//!   re-enrolled, so the status bar says so ([`Keyring::survives_restart`]).
//! - Windows: the Credential Manager. macOS: the login keychain.
//!
//! Keyutils looks keys up through the *session* keyring. A thread started outside a login
//! session has none, and then a key can be written but not read back; credentials are per
//! thread in Linux, so every thread that touches keyutils first joins one of its own
//! ([`prepare`]).

use std::sync::OnceLock;

use serde::Serialize;
use tillbook_core::ids::DeviceId;

const SERVICE: &str = "tillbook";

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("this computer has no keyring the till can use: {0}")]
    NoKeyring(String),
    #[error("the keyring refused the till's token: {0}")]
    Keyring(String),
}

/// Where the till's token is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Keyring {
    SecretService,
    /// The kernel's keyutils: in memory only.
    KernelKeyutils,
    WindowsCredentials,
    MacKeychain,
}

impl Keyring {
    /// Whether a token kept here is still there after the computer restarts.
    pub fn survives_restart(self) -> bool {
        self != Keyring::KernelKeyutils
    }
}

static STORE: OnceLock<Result<Keyring, TokenError>> = OnceLock::new();

/// Makes the keyring usable from the calling thread: the process's store is chosen once, and
/// with keyutils the thread joins a session keyring if it has none. Every function here calls
/// it. Returns the store in use.
pub fn prepare() -> Result<Keyring, TokenError> {
    let keyring = STORE.get_or_init(set_up_store).clone()?;
    if keyring == Keyring::KernelKeyutils {
        join_session_keyring()?;
    }
    Ok(keyring)
}

/// The store in use, once [`prepare`] has chosen it.
pub fn keyring() -> Option<Keyring> {
    STORE.get().and_then(|chosen| chosen.clone().ok())
}

#[cfg(target_os = "linux")]
fn set_up_store() -> Result<Keyring, TokenError> {
    match secret_service() {
        Ok(store) => {
            keyring_core::set_default_store(store);
            return Ok(Keyring::SecretService);
        }
        Err(why) => tracing::info!(%why, "no Secret Service; the till's token is kept in keyutils, in memory only"),
    }
    let store = linux_keyutils_keyring_store::Store::new().map_err(|error| TokenError::NoKeyring(error.to_string()))?;
    keyring_core::set_default_store(store);
    Ok(Keyring::KernelKeyutils)
}

/// The Secret Service, if a session bus is there and a provider answers a lookup on it. Only an
/// existing bus is used: with none, libdbus could start one of its own through X11 that no
/// keyring daemon serves, and the till would wait on it.
#[cfg(target_os = "linux")]
fn secret_service() -> Result<std::sync::Arc<dbus_secret_service_keyring_store::Store>, String> {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none_or(|address| address.is_empty()) {
        return Err("no session bus".into());
    }
    let store = dbus_secret_service_keyring_store::Store::new().map_err(|error| error.to_string())?;
    // A lookup of a key that does not exist reads nothing secret and prompts for nothing, but
    // fails when no Secret Service answers on the bus.
    let probe = keyring_core::api::CredentialStoreApi::build(&*store, SERVICE, "probe", None)
        .map_err(|error| error.to_string())?;
    match probe.get_password() {
        Ok(_) | Err(keyring_core::Error::NoEntry) => Ok(store),
        Err(error) => Err(error.to_string()),
    }
}

#[cfg(target_os = "windows")]
fn set_up_store() -> Result<Keyring, TokenError> {
    let store = windows_native_keyring_store::Store::new().map_err(|error| TokenError::NoKeyring(error.to_string()))?;
    keyring_core::set_default_store(store);
    Ok(Keyring::WindowsCredentials)
}

#[cfg(target_os = "macos")]
fn set_up_store() -> Result<Keyring, TokenError> {
    let store =
        apple_native_keyring_store::keychain::Store::new().map_err(|error| TokenError::NoKeyring(error.to_string()))?;
    keyring_core::set_default_store(store);
    Ok(Keyring::MacKeychain)
}

#[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
fn set_up_store() -> Result<Keyring, TokenError> {
    Err(TokenError::NoKeyring("this operating system has no keyring the till knows".into()))
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
