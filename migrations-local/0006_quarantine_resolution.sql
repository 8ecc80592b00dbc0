-- What head office decided about an event it quarantined (the owner's review queue): dismissed
-- with a note, or corrected by an entry posted there. The event itself stays quarantined and
-- unchanged; the till only stops calling for attention to it.
ALTER TABLE outbox ADD COLUMN resolution TEXT CHECK (resolution IN ('dismissed', 'corrected'));
ALTER TABLE outbox ADD COLUMN resolution_note TEXT;
