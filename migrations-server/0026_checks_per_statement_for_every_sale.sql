-- The rest of the checks every sale runs, once per statement over the inserted rows instead of
-- once per row, as 0009 did for journal, sale and stock lines (docs/benchmarks.md, "Merging").
-- A batch of 500 sales still ran about 3,000 row-at-a-time checks: each journal entry's and
-- VAT line's event and business, each inbox row's device (foreign keys, a query each that
-- locks the row it finds), and at commit each entry's balance again (`check_entry_balances`,
-- deferred, once per entry). Postgres spent about a fifth of a merge in them.
--
-- * An entry and its lines are inserted by one statement (the merge and head office write
--   them with one `WITH … INSERT`; `tillbook_server::journal::insert_journal`). At the end of
--   that statement `journal_entry_checks` finds each new entry's event (when it has one: head
--   office's entries have none), its business and at least one line, and `journal_line_checks`
--   finds each touched entry, its accounts, and that it balances with at least two lines. An
--   entry without lines is refused at once rather than at commit, and the deferred per-entry
--   trigger of 0001 goes.
-- * The statement-level checks look each distinct entry, sale, product, account and event up
--   once, not once per line that names it.
-- * VAT lines: their event and business. Inbox rows: their device.
-- * `account_day_total` is written by that same statement, like `account_balance`, instead of
--   by a trigger on the lines.
-- * A sale's entry (0008's `sale_entry`, a deferred key checked per sale at commit): the merge
--   now writes the journal before the documents, and `sale_checks` finds each new sale's entry
--   by its event at the end of the sale's statement.
--
-- Each looks rows up by primary key: hash and merge joins are off inside these functions, so
-- that a plan cached on a small ledger never turns into a scan of a large table.
--
-- What the dropped keys guarded is made permanent instead: inbox rows already refuse UPDATE and
-- DELETE; businesses and devices now refuse DELETE and a change of id (a till is revoked, never
-- removed; a business keeps its books). `verify` counts rows whose references are missing.

ALTER TABLE inbox DROP CONSTRAINT inbox_device_id_fkey;
ALTER TABLE journal_entry DROP CONSTRAINT journal_entry_event_id_fkey;
ALTER TABLE journal_entry DROP CONSTRAINT journal_entry_business_id_fkey;
ALTER TABLE vat_line DROP CONSTRAINT vat_line_event_id_fkey;
ALTER TABLE vat_line DROP CONSTRAINT vat_line_business_id_fkey;
ALTER TABLE sale DROP CONSTRAINT sale_entry;
-- The accounts' day totals (0002) are kept by the statement that writes the lines, as the
-- balances are, from the entries it writes beside them: the trigger looked each line's entry
-- up again to date it.
DROP TRIGGER journal_line_day_totals ON journal_line;
DROP FUNCTION add_account_day_totals();
DROP TRIGGER journal_entry_balances ON journal_entry;
DROP FUNCTION check_entry_balances();

CREATE FUNCTION check_new_inbox_rows() RETURNS trigger LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad RECORD;
BEGIN
    SELECT n.device_id INTO bad FROM (SELECT DISTINCT device_id FROM new_rows) n
     WHERE NOT EXISTS (SELECT 1 FROM device d WHERE d.id = n.device_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'inbox: no device %', bad.device_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER inbox_checks AFTER INSERT ON inbox
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION check_new_inbox_rows();

-- A new row's event (when it has one: head office's and the importer's have none) and business:
-- journal entries and VAT lines.
CREATE FUNCTION check_new_event_rows() RETURNS trigger LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad RECORD;
BEGIN
    SELECT n.event_id INTO bad FROM (SELECT DISTINCT event_id FROM new_rows WHERE event_id IS NOT NULL) n
     WHERE NOT EXISTS (SELECT 1 FROM inbox i WHERE i.event_id = n.event_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '%: no event %', TG_TABLE_NAME, bad.event_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT n.business_id INTO bad FROM (SELECT DISTINCT business_id FROM new_rows) n
     WHERE NOT EXISTS (SELECT 1 FROM business b WHERE b.id = n.business_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '%: no business %', TG_TABLE_NAME, bad.business_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER journal_entry_checks AFTER INSERT ON journal_entry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION check_new_event_rows();
CREATE TRIGGER vat_line_checks AFTER INSERT ON vat_line
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION check_new_event_rows();

-- Every new entry got lines in its statement; `journal_line_checks` proves they balance.
CREATE FUNCTION check_new_entries_have_lines() RETURNS trigger LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad RECORD;
BEGIN
    SELECT n.business_id, n.entry_number INTO bad FROM new_entries n
     WHERE NOT EXISTS (SELECT 1 FROM journal_line l
                        WHERE l.business_id = n.business_id AND l.entry_number = n.entry_number)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal entry % of business % has no lines: an entry and its lines are inserted by one statement',
            bad.entry_number, bad.business_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER journal_entry_has_lines AFTER INSERT ON journal_entry
    REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION check_new_entries_have_lines();

-- Each distinct entry a statement's lines touch: it exists, and balances with at least two lines.
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
    SELECT t.business_id, t.entry_number, s.debits, s.credits, s.lines,
           NOT EXISTS (SELECT 1 FROM journal_entry e
                        WHERE e.business_id = t.business_id AND e.entry_number = t.entry_number) AS missing
      INTO bad
      FROM (SELECT DISTINCT business_id, entry_number FROM new_lines) t
      CROSS JOIN LATERAL (
          SELECT coalesce(sum(debit), 0) AS debits, coalesce(sum(credit), 0) AS credits, count(*) AS lines
            FROM journal_line j WHERE j.business_id = t.business_id AND j.entry_number = t.entry_number) s
     WHERE s.lines < 2 OR s.debits <> s.credits OR s.debits = 0
        OR NOT EXISTS (SELECT 1 FROM journal_entry e
                        WHERE e.business_id = t.business_id AND e.entry_number = t.entry_number)
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

CREATE FUNCTION check_new_sales() RETURNS trigger LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad RECORD;
BEGIN
    SELECT n.sale_id, n.event_id INTO bad FROM new_sales n
     WHERE NOT EXISTS (SELECT 1 FROM journal_entry e WHERE e.event_id = n.event_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'sale %: no journal entry of event %', bad.sale_id, bad.event_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER sale_checks AFTER INSERT ON sale
    REFERENCING NEW TABLE AS new_sales FOR EACH STATEMENT EXECUTE FUNCTION check_new_sales();

CREATE OR REPLACE FUNCTION check_new_sale_lines() RETURNS trigger LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad RECORD;
BEGIN
    SELECT n.sale_id INTO bad FROM (SELECT DISTINCT sale_id FROM new_lines) n
     WHERE NOT EXISTS (SELECT 1 FROM sale s WHERE s.sale_id = n.sale_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'sale lines of sale %: no such sale', bad.sale_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT n.product_id INTO bad FROM (SELECT DISTINCT product_id FROM new_lines) n
     WHERE NOT EXISTS (SELECT 1 FROM product p WHERE p.id = n.product_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'sale line: no product %', bad.product_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION check_new_stock_movements() RETURNS trigger LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad RECORD;
BEGIN
    SELECT n.product_id INTO bad FROM (SELECT DISTINCT product_id FROM new_moves) n
     WHERE NOT EXISTS (SELECT 1 FROM product p WHERE p.id = n.product_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'stock movement: no product %', bad.product_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT n.event_id INTO bad
      FROM (SELECT DISTINCT event_id FROM new_moves WHERE event_id IS NOT NULL) n  -- the importer's have none
     WHERE NOT EXISTS (SELECT 1 FROM inbox i WHERE i.event_id = n.event_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'stock movement: no event %', bad.event_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION refuse_removal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are kept: retire one instead (active = false; a till is revoked)', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER business_kept BEFORE DELETE OR UPDATE OF id ON business
    FOR EACH ROW EXECUTE FUNCTION refuse_removal();
CREATE TRIGGER device_kept BEFORE DELETE OR UPDATE OF id ON device
    FOR EACH ROW EXECUTE FUNCTION refuse_removal();
