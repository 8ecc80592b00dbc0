//! Journal entries made at head office rather than at a till: the opening balances of `import`
//! and the owner's correcting entries from the review queue. No event stands behind them; they
//! take their business's next entry number and go in through the same entry-lines-and-balances
//! statement as the merge's, so the database's own checks and the running totals see them alike.
//! The caller holds the ledger's lock (`changes::lock`) for its whole transaction.

use chrono::{DateTime, FixedOffset, NaiveDate};
use sqlx::PgConnection;
use tillbook_core::JournalEntry;
use tillbook_core::ids::{BusinessId, DocumentId};
use uuid::Uuid;

use crate::journal::{EntryRow, LineRow, insert_journal, line_rows};

/// What a head-office entry is, when, and for which business.
pub struct HeadOfficeEntry<'a> {
    pub business_id: Uuid,
    /// What made it (`opening.imported`, `review.corrected`): the journal's `event_type`.
    pub kind: &'a str,
    pub document_id: Uuid,
    pub occurred_at: DateTime<FixedOffset>,
    pub business_day: NaiveDate,
    pub entry: &'a JournalEntry,
}

/// Posts the entry with its lines and balances; answers its entry number (its business's).
pub async fn post(tx: &mut PgConnection, entry: &HeadOfficeEntry<'_>) -> Result<i64, sqlx::Error> {
    let business = BusinessId(entry.business_id);
    let last_before = crate::changes::take_entry_numbers(&mut *tx, &[(business, 1)]).await?;
    let entry_number = last_before[&business] + 1;
    let head = EntryRow {
        entry_number,
        entry_id: entry.entry.entry_id(),
        business_id: business,
        event_id: None,
        event_type: entry.kind.to_string(),
        document_id: Some(DocumentId(entry.document_id)),
        occurred_at: entry.occurred_at,
        business_day: entry.business_day,
    };
    let lines: Vec<LineRow> = line_rows(entry_number, business, entry.entry).collect();
    insert_journal(tx, &[head], &lines).await?;
    Ok(entry_number)
}
