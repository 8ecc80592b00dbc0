-- The owner's review queue (DESIGN §7, §9): quarantined events and flagged postings wait for a
-- decision — a correcting entry posted at head office, or dismissal with a note. Both are kept
-- here for good (and written to the audit log); nothing in the queue is ever deleted.

CREATE TABLE review_resolution (
    id               BIGSERIAL PRIMARY KEY,
    quarantine_event UUID UNIQUE REFERENCES quarantine (event_id),
    flag_id          BIGINT UNIQUE REFERENCES posting_flag (id),
    action           TEXT NOT NULL CHECK (action IN ('dismissed', 'corrected')),
    note             TEXT NOT NULL CHECK (btrim(note) <> ''),
    -- The correcting entry, for `corrected`.
    entry_number     BIGINT REFERENCES journal_entry (entry_number),
    resolved_by      UUID NOT NULL REFERENCES owner_user (id),
    resolved_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(quarantine_event, flag_id) = 1),
    CHECK ((action = 'corrected') = (entry_number IS NOT NULL))
);
CREATE TRIGGER review_resolution_immutable BEFORE UPDATE OR DELETE ON review_resolution
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

GRANT SELECT, INSERT ON review_resolution TO tillbook_app;
GRANT USAGE ON SEQUENCE review_resolution_id_seq TO tillbook_app;
