-- Two checks every credit sale and every entry still paid for more than they need
-- (docs/benchmarks.md, "Merging").
--
-- * An invoice's settlement row (0004) checked its invoice by foreign key: a query per row,
--   planned once per connection. Planned while the table of invoices was small (a new group's
--   first day), it scanned the whole table, and went on scanning as the table grew: about a
--   twentieth of a fresh ledger's merge went into finding invoices inserted a moment before.
--   Yet a settlement row is only ever written by the trigger of its invoice's insert
--   (`settlement_of_new_invoices`, from the invoices of that same statement). That is now the
--   rule: a settlement row written any other way is refused, so the key has nothing left to
--   check and goes. `verify` still compares every settlement with the invoices and
--   allocations it derives from, and would count one without its invoice.
-- * The balance of each entry a statement's lines touch (0026) was summed from the ledger, an
--   index scan per entry, and each entry was found by `OR NOT EXISTS`, which Postgres answered
--   by reading every entry of the ledger into a hash table, once per statement. The balance is
--   now summed from the statement's own lines (every statement that ever wrote lines was held
--   to the same check, so an entry whose earlier lines balanced still balances exactly when the
--   new ones balance among themselves), and each entry is found by its key.

ALTER TABLE invoice_settlement DROP CONSTRAINT invoice_settlement_invoice_id_fkey;

-- Only from within another trigger (`settlement_of_new_invoices`): never by a statement of
-- the server's own. The history generator and restores write with triggers off.
CREATE FUNCTION refuse_settlement_of_its_own() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'invoice_settlement: a settlement is written by its invoice''s insert, never by itself'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER invoice_settlement_from_invoices BEFORE INSERT ON invoice_settlement
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_settlement_of_its_own();

-- Each entry a statement's lines touch: it exists, and its new lines balance with at least two.
CREATE OR REPLACE FUNCTION check_new_journal_lines() RETURNS trigger LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad RECORD;
BEGIN
    SELECT n.account_code INTO bad FROM (SELECT DISTINCT account_code FROM new_lines) n
     WHERE NOT EXISTS (SELECT 1 FROM account a WHERE a.code = n.account_code)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal line: no account %', bad.account_code USING ERRCODE = 'foreign_key_violation';
    END IF;
    -- A join, not `OR NOT EXISTS`: Postgres answers that with a hashed subplan, which read the
    -- whole of `journal_entry` into a hash table once per statement while it fitted in memory.
    SELECT t.business_id, t.entry_number, t.debits, t.credits, t.lines, e.entry_number IS NULL AS missing
      INTO bad
      FROM (SELECT business_id, entry_number, sum(debit) AS debits, sum(credit) AS credits, count(*) AS lines
              FROM new_lines GROUP BY business_id, entry_number) t
      LEFT JOIN journal_entry e ON e.business_id = t.business_id AND e.entry_number = t.entry_number
     WHERE t.lines < 2 OR t.debits <> t.credits OR t.debits = 0 OR e.entry_number IS NULL
     LIMIT 1;
    IF FOUND AND bad.missing THEN
        RAISE EXCEPTION 'journal lines of entry %: no such journal entry of business %', bad.entry_number, bad.business_id
            USING ERRCODE = 'foreign_key_violation';
    ELSIF FOUND THEN
        RAISE EXCEPTION 'journal entry % does not balance: debits %, credits %, % lines',
            bad.entry_number, bad.debits, bad.credits, bad.lines
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
