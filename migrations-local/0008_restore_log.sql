-- Restores from a backup (DESIGN §6 "Backups and recovery"): when, from which file, what the
-- backup held and what head office had already merged. Numbering resumes after the larger, so
-- the outbox may skip from backup_last_seq to resumed_at_seq: those events are in the ledger.
CREATE TABLE restore_log (
    id              INTEGER PRIMARY KEY,
    restored_at     TEXT NOT NULL,
    backup_file     TEXT NOT NULL,
    backup_last_seq INTEGER NOT NULL CHECK (backup_last_seq >= 0),
    acked_through   INTEGER NOT NULL CHECK (acked_through >= 0),
    resumed_at_seq  INTEGER NOT NULL CHECK (resumed_at_seq > 0)
);

-- The till's own settings, kept with its data: where the nightly backup goes.
CREATE TABLE till_setting (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
