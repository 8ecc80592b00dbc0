//! Device tokens, enrolment codes and passwords. Tokens and codes are random and long, so the
//! server keeps a fast hash of each (BLAKE2s) and compares hashes; owner passwords and staff PINs
//! are short and human, so they get argon2 (DESIGN §7, STYLE: secrets).

use argon2::Argon2;
use blake2::{Blake2s256, Digest};
use password_hash::rand_core::{OsRng, RngCore};
use password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// A new device token: 32 random bytes, hex, with a prefix that makes a leaked one recognisable.
pub fn new_device_token() -> String {
    format!("tbd_{}", random_hex(32))
}

/// A new owner session token, like a device token with its own prefix.
pub fn new_owner_token() -> String {
    format!("tbo_{}", random_hex(32))
}

/// A one-time enrolment code short enough to type at a till: 12 characters in groups of four,
/// from an alphabet without look-alikes (about 60 bits).
pub fn new_enrollment_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 12];
    OsRng.fill_bytes(&mut bytes);
    let chars: Vec<char> = bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
    chars.chunks(4).map(|group| group.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// What is stored for a token or code. Codes are compared without their dashes and case.
pub fn secret_hash(secret: &str) -> Vec<u8> {
    Blake2s256::digest(secret.trim().as_bytes()).to_vec()
}

pub fn code_hash(code: &str) -> Vec<u8> {
    let normalised: String =
        code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    secret_hash(&normalised)
}

/// argon2id PHC string of a PIN or password.
pub fn hash_password(password: &str) -> Result<String, password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buffer);
    buffer.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_however_they_are_typed() {
        let code = new_enrollment_code();
        assert_eq!(code.len(), 14);
        assert_eq!(code_hash(&code), code_hash(&code.to_lowercase().replace('-', " ")));
        assert_ne!(code_hash(&code), code_hash(&new_enrollment_code()));
    }

    #[test]
    fn tokens_are_distinct_and_hashed() {
        let (a, b) = (new_device_token(), new_device_token());
        assert_ne!(a, b);
        assert_eq!(secret_hash(&a), secret_hash(&a));
        assert_ne!(secret_hash(&a), secret_hash(&b));
    }

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("kahawa tamu").unwrap();
        assert!(verify_password("kahawa tamu", &hash));
        assert!(!verify_password("kahawa chungu", &hash));
    }
}
