-- The checks on the rows every sale writes run once per statement over all of its rows, not
-- once per row (docs/benchmarks.md, "Merging"). A merge writes about 17 rows a sale; Postgres
-- checked each journal line's, sale line's and stock movement's references with a query of its
-- own (locking the row it found) and each line's entry again at commit, which was most of the
-- merge's time. The same facts are now checked by one statement-level trigger per table, with
-- the inserted rows as a transition table:
--
-- * journal_line: its entry and account exist, and every entry it touches balances (debits =
--   credits, at least two lines) at the end of the statement. All of an entry's lines are
--   therefore inserted in one statement, as the merge, head office and the importer do; a line
--   added later to an existing entry is refused at once. The per-entry deferred trigger of 0001
--   stays: an entry without lines still cannot commit.
-- * sale_line: its sale and product exist.
-- * stock_movement: its product exists, and its event when it has one.
--
-- Each looks rows up by primary key: hash and merge joins are off inside these functions, so
-- that a plan cached while the ledger was small never turns into a scan of a large table.
--
-- Without foreign keys nothing stops the referenced rows from going away, so they are made
-- permanent instead: inbox and journal_entry already refuse UPDATE and DELETE; sales now do
-- too (a void or refund is a row of its own), and products and accounts refuse DELETE and a
-- change of their key (they are retired with `active = false`).

ALTER TABLE journal_line DROP CONSTRAINT journal_line_entry_number_fkey;
ALTER TABLE journal_line DROP CONSTRAINT journal_line_account_code_fkey;
DROP TRIGGER journal_line_balances ON journal_line;
ALTER TABLE sale_line DROP CONSTRAINT sale_line_sale_id_fkey;
ALTER TABLE sale_line DROP CONSTRAINT sale_line_product_id_fkey;
ALTER TABLE stock_movement DROP CONSTRAINT stock_movement_product_id_fkey;
ALTER TABLE stock_movement DROP CONSTRAINT stock_movement_event_id_fkey;

CREATE FUNCTION check_new_journal_lines() RETURNS trigger LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad RECORD;
BEGIN
    SELECT l.entry_number, l.line_no INTO bad FROM new_lines l
     WHERE NOT EXISTS (SELECT 1 FROM journal_entry e WHERE e.entry_number = l.entry_number)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal line % of entry %: no such journal entry', bad.line_no, bad.entry_number
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
      FROM (SELECT DISTINCT entry_number FROM new_lines) t
      CROSS JOIN LATERAL (
          SELECT coalesce(sum(debit), 0) AS debits, coalesce(sum(credit), 0) AS credits, count(*) AS lines
            FROM journal_line j WHERE j.entry_number = t.entry_number) s
     WHERE s.lines < 2 OR s.debits <> s.credits OR s.debits = 0
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal entry % does not balance: debits %, credits %, % lines',
            bad.entry_number, bad.debits, bad.credits, bad.lines
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER journal_line_checks AFTER INSERT ON journal_line
    REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION check_new_journal_lines();

CREATE FUNCTION check_new_sale_lines() RETURNS trigger LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad RECORD;
BEGIN
    SELECT l.sale_id, l.line_no INTO bad FROM new_lines l
     WHERE NOT EXISTS (SELECT 1 FROM sale s WHERE s.sale_id = l.sale_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'sale line % of sale %: no such sale', bad.line_no, bad.sale_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT l.sale_id, l.product_id INTO bad FROM new_lines l
     WHERE NOT EXISTS (SELECT 1 FROM product p WHERE p.id = l.product_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'sale %: no product %', bad.sale_id, bad.product_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER sale_line_checks AFTER INSERT ON sale_line
    REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION check_new_sale_lines();

CREATE FUNCTION check_new_stock_movements() RETURNS trigger LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad RECORD;
BEGIN
    SELECT m.document_id, m.product_id INTO bad FROM new_moves m
     WHERE NOT EXISTS (SELECT 1 FROM product p WHERE p.id = m.product_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'stock movement of document %: no product %', bad.document_id, bad.product_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT m.document_id, m.event_id INTO bad FROM new_moves m
     WHERE m.event_id IS NOT NULL  -- opening stock from the importer has no event
       AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.event_id = m.event_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'stock movement of document %: no event %', bad.document_id, bad.event_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER stock_movement_checks AFTER INSERT ON stock_movement
    REFERENCING NEW TABLE AS new_moves FOR EACH STATEMENT EXECUTE FUNCTION check_new_stock_movements();

-- What those rows refer to stays.
CREATE TRIGGER sale_immutable BEFORE UPDATE OR DELETE ON sale
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER sale_line_immutable BEFORE UPDATE OR DELETE ON sale_line
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE FUNCTION refuse_removal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are kept: retire one with active = false instead', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER product_kept BEFORE DELETE OR UPDATE OF id ON product
    FOR EACH ROW EXECUTE FUNCTION refuse_removal();
CREATE TRIGGER account_kept BEFORE DELETE OR UPDATE OF code ON account
    FOR EACH ROW EXECUTE FUNCTION refuse_removal();
