//! Shared fixtures: the demo master data as an in-memory `Lookup`, and a proptest runner that
//! prints its seed so any failure replays.

use tillbook_core::JournalEntry;
use tillbook_core::journal::Side;
use tillbook_core::money::Money;

pub use tillbook_core::seed::MemoryLookup;

pub fn money(text: &str) -> Money {
    text.parse().unwrap()
}

/// The entry as `(account, "Dr"/"Cr", amount)` rows sorted, for comparing with a hand-made list.
#[track_caller]
pub fn assert_journal(entry: &JournalEntry, expected: &[(u16, &str, &str)]) {
    let mut actual: Vec<(u16, &str, Money)> = entry
        .lines()
        .iter()
        .map(|line| (line.account.number(), if line.side == Side::Debit { "Dr" } else { "Cr" }, line.amount))
        .collect();
    let mut wanted: Vec<(u16, &str, Money)> = expected.iter().map(|&(a, s, m)| (a, s, money(m))).collect();
    actual.sort();
    wanted.sort();
    assert_eq!(actual, wanted, "journal lines differ");
}

pub use crate::seeded::check_property;
