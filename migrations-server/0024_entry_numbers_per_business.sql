-- Entry numbers are gap-free per business, not across the ledger (DESIGN §8, §11; issue "Year
-- seven at full speed"). One counter for the whole ledger made every merge end under one lock,
-- so merges of different businesses waited for each other; KRA's invoice sequences are per
-- taxpayer anyway, and a ledger distributed by `business_id` cannot keep one counter row. A
-- journal entry is now known by `(business_id, entry_number)`, its lines by that and their
-- `line_no`; `business_entry_counter` hands out each business's numbers, locked until commit,
-- so they stay gap-free and in commit order within the business. `ledger_counter` keeps only
-- the change feed's number.
--
-- Entries already in the ledger are renumbered 1, 2, … per business in their old order; the
-- number each had before is kept in `former_number`, so that a number printed or shown on a
-- till before this migration can still be found.

ALTER TABLE journal_entry ADD COLUMN former_number BIGINT;
COMMENT ON COLUMN journal_entry.former_number IS
    'The entry''s number across the whole ledger before migration 0024 numbered entries per business; NULL since.';

CREATE TEMP TABLE renumbered ON COMMIT DROP AS
SELECT entry_number AS old, business_id,
       row_number() OVER (PARTITION BY business_id ORDER BY entry_number) AS new
  FROM journal_entry;
CREATE UNIQUE INDEX ON renumbered (old);

-- The ledger refuses UPDATE; this one renumbering is the migration's, made as the owner.
ALTER TABLE journal_entry DISABLE TRIGGER journal_entry_immutable;
ALTER TABLE journal_line DISABLE TRIGGER journal_line_immutable;
ALTER TABLE review_resolution DISABLE TRIGGER review_resolution_immutable;

-- What pointed at an entry by its number: a correcting entry's review decision. It now names
-- the entry by its id, which was always unique, and keeps the number for display.
ALTER TABLE review_resolution ADD COLUMN entry_id UUID REFERENCES journal_entry (entry_id);
UPDATE review_resolution r SET entry_id = e.entry_id FROM journal_entry e WHERE e.entry_number = r.entry_number;
ALTER TABLE review_resolution DROP CONSTRAINT review_resolution_entry_number_fkey;
UPDATE review_resolution r SET entry_number = n.new FROM renumbered n WHERE n.old = r.entry_number;
ALTER TABLE review_resolution ADD CONSTRAINT review_resolution_entry_named
    CHECK ((entry_number IS NULL) = (entry_id IS NULL));

ALTER TABLE journal_line DROP CONSTRAINT journal_line_pkey;
ALTER TABLE journal_entry DROP CONSTRAINT journal_entry_pkey;
UPDATE journal_entry e SET former_number = e.entry_number, entry_number = n.new
  FROM renumbered n WHERE n.old = e.entry_number;
UPDATE journal_line l SET entry_number = n.new FROM renumbered n WHERE n.old = l.entry_number;
-- A bank movement's review item was keyed by its entry's number; it is keyed by the entry's id
-- now (`bank.rs`), so that importing the statement again raises nothing twice.
ALTER TABLE bank_mismatch DISABLE TRIGGER bank_mismatch_immutable;
UPDATE bank_mismatch m SET key = 'entry:' || e.entry_id
  FROM journal_entry e WHERE m.key = 'entry:' || e.former_number;
ALTER TABLE bank_mismatch ENABLE TRIGGER bank_mismatch_immutable;

ALTER TABLE journal_entry ADD PRIMARY KEY (business_id, entry_number);
ALTER TABLE journal_line ADD PRIMARY KEY (business_id, entry_number, line_no);

ALTER TABLE journal_entry ENABLE TRIGGER journal_entry_immutable;
ALTER TABLE journal_line ENABLE TRIGGER journal_line_immutable;
ALTER TABLE review_resolution ENABLE TRIGGER review_resolution_immutable;

CREATE TABLE business_entry_counter (
    business_id UUID PRIMARY KEY REFERENCES business (id),
    last_entry  BIGINT NOT NULL CHECK (last_entry >= 0)
);
INSERT INTO business_entry_counter (business_id, last_entry)
SELECT business_id, max(entry_number) FROM journal_entry GROUP BY business_id;
ALTER TABLE ledger_counter DROP COLUMN last_entry;
GRANT SELECT, INSERT, UPDATE ON business_entry_counter TO tillbook_app;

-- The checks and running totals that found an entry's lines by its number alone.
CREATE OR REPLACE FUNCTION check_entry_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    debits  NUMERIC;
    credits NUMERIC;
    lines   INTEGER;
BEGIN
    SELECT coalesce(sum(debit), 0), coalesce(sum(credit), 0), count(*)
      INTO debits, credits, lines
      FROM journal_line WHERE business_id = NEW.business_id AND entry_number = NEW.entry_number;
    IF lines < 2 OR debits <> credits OR debits = 0 THEN
        RAISE EXCEPTION 'journal entry % of business % does not balance: debits %, credits %, % lines',
            NEW.entry_number, NEW.business_id, debits, credits, lines
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION check_new_journal_lines() RETURNS trigger LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad RECORD;
BEGIN
    SELECT l.entry_number, l.line_no INTO bad FROM new_lines l
     WHERE NOT EXISTS (SELECT 1 FROM journal_entry e
                        WHERE e.business_id = l.business_id AND e.entry_number = l.entry_number)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal line % of entry %: no such journal entry of its business', bad.line_no, bad.entry_number
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT l.entry_number, l.account_code INTO bad FROM new_lines l
     WHERE NOT EXISTS (SELECT 1 FROM account a WHERE a.code = l.account_code)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal entry %: no account %', bad.entry_number, bad.account_code
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT t.entry_number, s.debits, s.credits, s.lines INTO bad
      FROM (SELECT DISTINCT business_id, entry_number FROM new_lines) t
      CROSS JOIN LATERAL (
          SELECT coalesce(sum(debit), 0) AS debits, coalesce(sum(credit), 0) AS credits, count(*) AS lines
            FROM journal_line j WHERE j.business_id = t.business_id AND j.entry_number = t.entry_number) s
     WHERE s.lines < 2 OR s.debits <> s.credits OR s.debits = 0
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal entry % does not balance: debits %, credits %, % lines',
            bad.entry_number, bad.debits, bad.credits, bad.lines
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION add_account_day_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_day_total AS t (business_id, account_code, business_day, debit_total, credit_total)
    SELECT n.business_id, n.account_code, e.business_day, sum(n.debit), sum(n.credit)
      FROM new_lines n JOIN journal_entry e USING (business_id, entry_number)
     GROUP BY 1, 2, 3
    ON CONFLICT (business_id, business_day, account_code) DO UPDATE
       SET debit_total = t.debit_total + EXCLUDED.debit_total,
           credit_total = t.credit_total + EXCLUDED.credit_total;
    RETURN NULL;
END $$;
