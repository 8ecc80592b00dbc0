-- Merges number their journal entries last (DESIGN §7 "Merge"): a batch writes its inbox rows
-- and operational tables while other businesses' merges write theirs, and takes the ledger's
-- counter only for the journal itself and the commit. Rows written before the numbers are known
-- no longer carry them: an event's entry is the one with its event_id (journal_entry.event_id
-- is unique), and a sale's entry is reached the same way, checked at commit.

ALTER TABLE inbox DROP COLUMN entry_number;

ALTER TABLE sale DROP COLUMN entry_number;
ALTER TABLE sale ADD CONSTRAINT sale_entry FOREIGN KEY (event_id) REFERENCES journal_entry (event_id)
    DEFERRABLE INITIALLY DEFERRED;
