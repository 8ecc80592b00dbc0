-- Bank reconciliation (issue "The books a Kenyan owner files"): the group's bank statements,
-- their rows (kept once however often a statement is imported), and what did not match the
-- books' account 1170 — each an item of the owner's review queue, like M-Pesa's.
CREATE TABLE bank_statement (
    id           BIGSERIAL PRIMARY KEY,
    file_name    TEXT NOT NULL,
    period_from  DATE NOT NULL,
    period_to    DATE NOT NULL,
    rows         INTEGER NOT NULL,
    imported_by  TEXT NOT NULL,
    imported_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Money in positive, money out negative. A row in two overlapping statements is one row.
CREATE TABLE bank_line (
    id           BIGSERIAL PRIMARY KEY,
    statement_id BIGINT NOT NULL REFERENCES bank_statement (id),
    day          DATE NOT NULL,
    description  TEXT NOT NULL,
    reference    TEXT NOT NULL,
    amount       money_amount NOT NULL CHECK (amount <> 0),
    balance      NUMERIC(16, 2),
    UNIQUE NULLS NOT DISTINCT (day, amount, description, reference, balance)
);

-- `key`: the statement row (`line:<id>`) or the booked entry (`entry:<number>`) it is about.
CREATE TABLE bank_mismatch (
    id           BIGSERIAL PRIMARY KEY,
    statement_id BIGINT NOT NULL REFERENCES bank_statement (id),
    kind         TEXT NOT NULL CHECK (kind IN ('bank_not_recorded', 'bank_not_on_statement')),
    key          TEXT NOT NULL,
    day          DATE NOT NULL,
    amount       NUMERIC(16, 2) NOT NULL,
    description  TEXT NOT NULL,
    business_id  UUID REFERENCES business (id),
    message      TEXT NOT NULL,
    raised_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (kind, key)
);

CREATE TRIGGER bank_statement_immutable BEFORE UPDATE OR DELETE ON bank_statement FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER bank_line_immutable BEFORE UPDATE OR DELETE ON bank_line FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER bank_mismatch_immutable BEFORE UPDATE OR DELETE ON bank_mismatch FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- A mismatch is decided like any other item of the queue.
ALTER TABLE review_resolution ADD COLUMN bank_mismatch_id BIGINT UNIQUE REFERENCES bank_mismatch (id);
ALTER TABLE review_resolution DROP CONSTRAINT review_resolution_one_item;
ALTER TABLE review_resolution ADD CONSTRAINT review_resolution_one_item
    CHECK (num_nonnulls(quarantine_event, flag_id, mpesa_mismatch_id, bank_mismatch_id) = 1);

GRANT SELECT, INSERT ON bank_statement, bank_line, bank_mismatch TO tillbook_app;
GRANT USAGE ON SEQUENCE bank_statement_id_seq, bank_line_id_seq, bank_mismatch_id_seq TO tillbook_app;
