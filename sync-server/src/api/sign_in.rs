//! What makes guessing passwords slow and cheap to resist (DESIGN §7 "Head office's users").
//!
//! - [`Throttle`]: after 5 wrong passwords for one account, or 30 from one client address (an
//!   office's NAT carries several people, who may each mistype), sign-in is refused with 429
//!   and `Retry-After` for a delay that doubles with each further failure, up to 15 minutes.
//!   Kept in memory: a restart forgets it, which only gives a guesser one more round of five.
//! - [`Hashing`]: argon2 costs about 19 MiB and tens of milliseconds a check, so the checks run
//!   a few at a time; a request that finds them all busy is answered 503 at once rather than
//!   queued, so that unauthenticated requests cannot pile up memory.
//! - An unknown email is checked against a dummy hash, so it takes as long as a known one.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::error::ApiError;
use crate::secrets::{hash_password, verify_password};

/// Failures of one account before it is held back.
pub const ACCOUNT_FAILURES: u32 = 5;
/// Failures from one client address before it is held back.
pub const ADDRESS_FAILURES: u32 = 30;
/// The longest hold.
pub const LONGEST_DELAY: Duration = Duration::from_secs(15 * 60);
/// Entries kept at most; the oldest go first when a flood of addresses fills it.
const MOST_ENTRIES: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    until: Option<Instant>,
    last: Instant,
}

/// Failed sign-ins by account and by client address.
#[derive(Debug, Default)]
pub struct Throttle {
    entries: Mutex<HashMap<String, Failures>>,
}

fn account_key(email: &str) -> String {
    format!("account:{email}")
}

fn address_key(address: Option<IpAddr>) -> String {
    address.map_or_else(|| "address:unknown".to_string(), |address| format!("address:{address}"))
}

impl Throttle {
    /// Refuses (429 with the seconds to wait) while the account or the address is held back.
    pub fn check(&self, email: &str, address: Option<IpAddr>) -> Result<(), ApiError> {
        let now = Instant::now();
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let wait = [account_key(email), address_key(address)]
            .iter()
            .filter_map(|key| entries.get(key).and_then(|failures| failures.until))
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max();
        match wait {
            None => Ok(()),
            Some(wait) => Err(ApiError::too_many_attempts(wait.as_secs().max(1))),
        }
    }

    /// Counts a wrong password; past the limit, holds back for a doubling delay.
    pub fn failed(&self, email: &str, address: Option<IpAddr>) {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= MOST_ENTRIES {
            entries.retain(|_, failures| failures.until.is_some_and(|until| until > now));
            if entries.len() >= MOST_ENTRIES
                && let Some(oldest) =
                    entries.iter().min_by_key(|(_, failures)| failures.last).map(|(key, _)| key.clone())
            {
                entries.remove(&oldest);
            }
        }
        for (key, limit) in [(account_key(email), ACCOUNT_FAILURES), (address_key(address), ADDRESS_FAILURES)] {
            let failures = entries.entry(key).or_insert(Failures { count: 0, until: None, last: now });
            // A quiet quarter of an hour forgives what came before.
            if now.duration_since(failures.last) > LONGEST_DELAY {
                *failures = Failures { count: 0, until: None, last: now };
            }
            failures.count += 1;
            failures.last = now;
            if failures.count >= limit {
                let doublings = (failures.count - limit).min(10);
                let delay = Duration::from_secs(1u64 << doublings).min(LONGEST_DELAY);
                failures.until = Some(now + delay);
            }
        }
    }

    /// The right password: the account's count starts again (the address's does not, so one
    /// account of a guesser's own cannot clear the way for guessing others).
    pub fn succeeded(&self, email: &str) {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&account_key(email));
    }
}

/// The bounded pool of argon2 work, and the dummy hash unknown emails are checked against.
pub struct Hashing {
    permits: Semaphore,
    dummy: String,
}

impl Hashing {
    /// `permits` checks at a time (each holds argon2's memory while it runs).
    pub fn new(permits: usize) -> Hashing {
        let dummy = hash_password("not anyone's password").unwrap_or_default();
        Hashing { permits: Semaphore::new(permits), dummy }
    }

    /// Runs `work` on the blocking pool if a permit is free; 503 `busy` if not.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
        let Ok(_permit) = self.permits.try_acquire() else {
            return Err(ApiError::busy("sign-in is busy; try again in a moment"));
        };
        tokio::task::spawn_blocking(work).await.map_err(ApiError::internal)
    }

    /// Checks `password` against `hash`, or against the dummy when there is no user: the same
    /// work either way, and `false` for no user.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, ApiError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy.clone());
        let matches = self.run(move || verify_password(&password, &hash)).await?;
        Ok(known && matches)
    }

    /// An argon2 hash of a new password or PIN.
    pub async fn hash(&self, secret: String) -> Result<String, ApiError> {
        self.run(move || hash_password(&secret)).await?.map_err(ApiError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_hold_an_account_back_and_others_are_untouched() {
        let throttle = Throttle::default();
        let address = Some(IpAddr::from([192, 0, 2, 7]));
        for _ in 0..ACCOUNT_FAILURES - 1 {
            throttle.failed("a@example.com", address);
        }
        assert!(throttle.check("a@example.com", address).is_ok());
        throttle.failed("a@example.com", address);
        let refused = throttle.check("a@example.com", address).unwrap_err();
        assert_eq!(refused.status, axum::http::StatusCode::TOO_MANY_REQUESTS);
        assert!(throttle.check("b@example.com", address).is_ok());
        throttle.succeeded("a@example.com");
        assert!(throttle.check("a@example.com", address).is_ok());
    }

    #[test]
    fn many_failures_from_one_address_hold_the_address_back() {
        let throttle = Throttle::default();
        let address = Some(IpAddr::from([192, 0, 2, 8]));
        for n in 0..ADDRESS_FAILURES {
            throttle.failed(&format!("guess{n}@example.com"), address);
        }
        assert!(throttle.check("new@example.com", address).is_err());
        assert!(throttle.check("new@example.com", Some(IpAddr::from([192, 0, 2, 9]))).is_ok());
    }
}
