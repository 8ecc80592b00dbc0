-- M-Pesa reconciliation (DESIGN §5): the statement a business downloads from M-Pesa, matched
-- at head office against the codes its tills recorded. What does not match — a code recorded
-- but never received, a receipt no till recorded, a code whose amount or time differs — becomes
-- an item of the owner's review queue, with its amounts.

-- Each import of a statement file, as it was given.
CREATE TABLE mpesa_statement (
    id           BIGSERIAL PRIMARY KEY,
    business_id  UUID NOT NULL REFERENCES business (id),
    file_name    TEXT NOT NULL,
    period_from  TIMESTAMPTZ NOT NULL,
    period_to    TIMESTAMPTZ NOT NULL,
    receipts     INTEGER NOT NULL,
    paid_in      NUMERIC(16, 2) NOT NULL,
    imported_by  TEXT NOT NULL,
    imported_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Money received, one row per M-Pesa receipt: a receipt in two overlapping statements is kept once.
CREATE TABLE mpesa_receipt (
    business_id  UUID NOT NULL REFERENCES business (id),
    receipt_no   TEXT NOT NULL,
    statement_id BIGINT NOT NULL REFERENCES mpesa_statement (id),
    completed_at TIMESTAMPTZ NOT NULL,
    details      TEXT NOT NULL,
    paid_in      money_amount NOT NULL CHECK (paid_in > 0),
    balance      NUMERIC(16, 2),
    PRIMARY KEY (business_id, receipt_no)
);

-- What did not match. One item per business, kind and code: importing again adds nothing new.
CREATE TABLE mpesa_mismatch (
    id              BIGSERIAL PRIMARY KEY,
    business_id     UUID NOT NULL REFERENCES business (id),
    statement_id    BIGINT NOT NULL REFERENCES mpesa_statement (id),
    kind            TEXT NOT NULL CHECK (kind IN ('mpesa_not_received', 'mpesa_not_recorded',
                                                  'mpesa_amount_differs', 'mpesa_time_differs')),
    mpesa_code      TEXT NOT NULL,
    recorded_amount NUMERIC(16, 2),
    received_amount NUMERIC(16, 2),
    recorded_at     TIMESTAMPTZ,
    received_at     TIMESTAMPTZ,
    -- The till's document that recorded the code, when one did.
    document_id     UUID,
    message         TEXT NOT NULL,
    raised_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (business_id, kind, mpesa_code)
);

CREATE TRIGGER mpesa_statement_immutable BEFORE UPDATE OR DELETE ON mpesa_statement
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER mpesa_receipt_immutable BEFORE UPDATE OR DELETE ON mpesa_receipt
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER mpesa_mismatch_immutable BEFORE UPDATE OR DELETE ON mpesa_mismatch
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- A mismatch is decided like any other item of the queue.
ALTER TABLE review_resolution ADD COLUMN mpesa_mismatch_id BIGINT UNIQUE REFERENCES mpesa_mismatch (id);
ALTER TABLE review_resolution DROP CONSTRAINT review_resolution_check;
ALTER TABLE review_resolution ADD CONSTRAINT review_resolution_one_item
    CHECK (num_nonnulls(quarantine_event, flag_id, mpesa_mismatch_id) = 1);

CREATE INDEX tender_mpesa_time ON tender (business_id, occurred_at) WHERE method = 'mpesa';

GRANT SELECT, INSERT ON mpesa_statement, mpesa_receipt, mpesa_mismatch TO tillbook_app;
GRANT USAGE ON SEQUENCE mpesa_statement_id_seq, mpesa_mismatch_id_seq TO tillbook_app;
