//! What head office accepts as a password: at least 10 characters, not one of the passwords
//! every guessing list starts with, and not the email it signs in with.

/// The fewest characters of a password.
pub const SHORTEST: usize = 10;

const COMMON: &str = include_str!("common-passwords.txt");

/// Whether `password` may be used by the user of `email`; the words say why not.
pub fn check(password: &str, email: &str) -> Result<(), String> {
    if password.chars().count() < SHORTEST {
        return Err(format!("a password needs at least {SHORTEST} characters"));
    }
    let folded: String = password.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
    let common = COMMON.lines().filter(|line| !line.starts_with('#')).any(|line| line.trim() == folded);
    if common {
        return Err("this password is on the lists of common passwords that guessing starts with".into());
    }
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    if folded == email.to_lowercase() || (!local.is_empty() && folded == local) {
        return Err("a password must not be the email address".into());
    }
    if folded.chars().all(|c| folded.starts_with(c)) {
        return Err("a password of one character repeated is guessed at once".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_common_and_own_email_passwords_are_refused() {
        assert!(check("kahawa tamu sana", "wanjiru@example.com").is_ok());
        assert!(check("kahawa", "wanjiru@example.com").unwrap_err().contains("10 characters"));
        assert!(check("Password123", "a@example.com").unwrap_err().contains("common"));
        assert!(check("qwerty uiop", "a@example.com").unwrap_err().contains("common"));
        assert!(check("wanjiru@example.com", "Wanjiru@example.com").unwrap_err().contains("email"));
        assert!(check("zzzzzzzzzzzz", "a@example.com").unwrap_err().contains("repeated"));
    }
}
