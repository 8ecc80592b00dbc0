-- Sales and their lines are written before the business's turn (DESIGN §7), beside every other
-- merge of the business, instead of in it.
--
-- Merges of one business take turns from their entry numbers to their commit, and what is
-- written in that turn is written one merge at a time. A sale and its lines touch no row another
-- merge writes (their day totals are per till, and a till's merges already run one at a time),
-- but they went in after the journal because `sale_checks` (0026) looked each new sale's
-- journal entry up by its event: about a quarter of a sale's writes waited for the turn.
--
-- Now `sale_checks` finds each new sale's event in the inbox, posted. The inbox row goes in
-- before any document of its event, and a posted event's entry goes in with it, in the same
-- transaction; `verify` still counts a sale whose event has no journal entry.

CREATE OR REPLACE FUNCTION check_new_sales() RETURNS trigger LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    bad RECORD;
BEGIN
    SELECT n.sale_id, n.event_id INTO bad FROM new_sales n
     WHERE NOT EXISTS (SELECT 1 FROM inbox i WHERE i.event_id = n.event_id AND i.status = 'posted')
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'sale %: no posted event %', bad.sale_id, bad.event_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
