-- The journal goes in by binary `COPY` (entries, then their lines), as the inbox and the sales
-- do, instead of one `WITH … INSERT` of both with the balances (DESIGN §8).
--
-- That statement's work was the largest part of a merge's turn: every value unpacked from an
-- array, every row gathered into a tuple store for the `RETURNING` its running totals read, and
-- each new entry's lines looked up one by one (`journal_entry_has_lines`), because an entry
-- without lines could only be refused at the end of the statement that inserted it. Entries
-- and lines are now two statements, so that check moves to commit, where the contract's §8 put
-- it, and reads each business's new entries as one range of numbers rather than one at a time:
--
-- * every new entry's number was taken from its business's counter (`business_entry_counter`)
--   in its transaction: a new entry past the counter is refused at its statement;
-- * at commit, each counter moved from `a` to `b` finds entries `a + 1 ..= b` all there, each
--   with lines. `journal_line_checks` (0027) still proves at each statement that a line's entry
--   exists and that the lines each entry gets balance, with at least two.
--
-- Numbers at or below the counter are all taken (the counter only moves when its entries go in
-- with it), so an entry cannot slip in without lines beside these checks.

DROP TRIGGER journal_entry_has_lines ON journal_entry;
DROP FUNCTION check_new_entries_have_lines();

CREATE FUNCTION check_new_entries_numbered() RETURNS trigger LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad RECORD;
BEGIN
    SELECT n.business_id, n.last INTO bad
      FROM (SELECT business_id, max(entry_number) AS last FROM new_entries GROUP BY business_id) n
      LEFT JOIN business_entry_counter c ON c.business_id = n.business_id
     WHERE c.last_entry IS NULL OR n.last > c.last_entry
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal entry % of business % is past its counter: entry numbers are taken from business_entry_counter in the same transaction',
            bad.last, bad.business_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER journal_entry_numbered AFTER INSERT ON journal_entry
    REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION check_new_entries_numbered();

-- At commit: the numbers a counter handed out are all entries, each with lines. Two range reads
-- of the business's newest keys; the entry at fault is looked for only when one is.
CREATE FUNCTION check_numbers_taken() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    first BIGINT := CASE WHEN TG_OP = 'UPDATE' THEN OLD.last_entry ELSE 0 END + 1;
    entries BIGINT;
    with_lines BIGINT;
    missing BIGINT;
BEGIN
    IF NEW.last_entry < first THEN
        RETURN NULL;
    END IF;
    SELECT count(*) INTO entries FROM journal_entry
     WHERE business_id = NEW.business_id AND entry_number BETWEEN first AND NEW.last_entry;
    SELECT count(DISTINCT entry_number) INTO with_lines FROM journal_line
     WHERE business_id = NEW.business_id AND entry_number BETWEEN first AND NEW.last_entry;
    IF entries = NEW.last_entry - first + 1 AND with_lines = entries THEN
        RETURN NULL;
    END IF;
    SELECT n INTO missing FROM generate_series(first, NEW.last_entry) n
     WHERE NOT EXISTS (SELECT 1 FROM journal_entry e WHERE e.business_id = NEW.business_id AND e.entry_number = n)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'entry number % of business % was taken but no entry has it', missing, NEW.business_id
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT n INTO missing FROM generate_series(first, NEW.last_entry) n
     WHERE NOT EXISTS (SELECT 1 FROM journal_line l WHERE l.business_id = NEW.business_id AND l.entry_number = n)
     LIMIT 1;
    RAISE EXCEPTION 'journal entry % of business % has no lines: an entry goes in with its lines, in one transaction',
        missing, NEW.business_id
        USING ERRCODE = 'check_violation';
END $$;

CREATE CONSTRAINT TRIGGER business_entry_counter_numbers_taken AFTER INSERT OR UPDATE ON business_entry_counter
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_numbers_taken();
