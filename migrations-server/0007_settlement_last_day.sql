-- Aging and statements as of an earlier day (a month end) settle invoices again from what was
-- dated up to that day. Doing that for every invoice of seven years took over a second; only
-- invoices whose standing changed after the day, or that are open now, can differ from "closed
-- then, closed now". `last_day` is the latest business day of anything that paid, voided or
-- cancelled the invoice (the entries' days), kept by the same triggers as the settlement, so
-- those invoices are found through an index.
ALTER TABLE invoice_settlement ADD COLUMN last_day DATE;

UPDATE invoice_settlement s SET last_day = d.last_day
  FROM (SELECT invoice_id, max(day) AS last_day FROM (
            SELECT a.invoice_id, e.business_day AS day
              FROM allocation a JOIN journal_entry e ON e.event_id = a.event_id
            UNION ALL
            SELECT a.invoice_id, e.business_day
              FROM allocation a JOIN voided_document v ON v.document_id = a.document_id
              JOIN journal_entry e ON e.event_id = v.event_id
            UNION ALL
            SELECT v.document_id, e.business_day
              FROM voided_document v JOIN journal_entry e ON e.event_id = v.event_id
            UNION ALL
            SELECT x.invoice_id, e.business_day
              FROM invoice_cancellation x JOIN journal_entry e ON e.event_id = x.event_id) days
         GROUP BY invoice_id) d
 WHERE d.invoice_id = s.invoice_id;

CREATE INDEX invoice_settlement_last_day ON invoice_settlement (last_day);
-- The allocations an entry made, for the triggers and the dated settlement.
CREATE INDEX allocation_event ON allocation (event_id);

CREATE OR REPLACE FUNCTION settlement_of_new_invoices() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Nothing can be allocated to an invoice before it exists, but a void may name it first.
    INSERT INTO invoice_settlement (invoice_id, amount, paid, cancelled, last_day)
    SELECT n.invoice_id, n.amount, 0,
           EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = n.invoice_id)
             OR EXISTS (SELECT 1 FROM invoice_cancellation x WHERE x.invoice_id = n.invoice_id),
           (SELECT max(e.business_day) FROM voided_document v JOIN journal_entry e ON e.event_id = v.event_id
             WHERE v.document_id = n.invoice_id)
      FROM new_invoices n;
    RETURN NULL;
END $$;

-- Allocations add to what was paid, unless the document behind them is voided already; either
-- way the invoice's standing changed on their entry's day.
CREATE OR REPLACE FUNCTION settlement_of_new_allocations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE invoice_settlement s
       SET paid = s.paid + n.paid,
           last_day = CASE WHEN n.day IS NULL THEN s.last_day ELSE greatest(s.last_day, n.day) END
      FROM (SELECT a.invoice_id,
                   coalesce(sum(a.amount) FILTER (WHERE NOT EXISTS
                       (SELECT 1 FROM voided_document v WHERE v.document_id = a.document_id)), 0) AS paid,
                   max(e.business_day) AS day
              FROM new_allocations a LEFT JOIN journal_entry e ON e.event_id = a.event_id
             GROUP BY a.invoice_id) n
     WHERE s.invoice_id = n.invoice_id;
    RETURN NULL;
END $$;

-- A voided payment or credit note gives back what it paid; a voided invoice is owed by nobody.
CREATE OR REPLACE FUNCTION settlement_of_new_voids() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE invoice_settlement s
       SET paid = s.paid - n.paid,
           last_day = CASE WHEN n.day IS NULL THEN s.last_day ELSE greatest(s.last_day, n.day) END
      FROM (SELECT a.invoice_id, sum(a.amount) AS paid, max(e.business_day) AS day
              FROM allocation a JOIN new_voids v ON v.document_id = a.document_id
              LEFT JOIN journal_entry e ON e.event_id = v.event_id
             GROUP BY a.invoice_id) n
     WHERE s.invoice_id = n.invoice_id;
    UPDATE invoice_settlement s
       SET cancelled = true,
           last_day = CASE WHEN e.business_day IS NULL THEN s.last_day ELSE greatest(s.last_day, e.business_day) END
      FROM new_voids v LEFT JOIN journal_entry e ON e.event_id = v.event_id
     WHERE s.invoice_id = v.document_id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION settlement_of_new_cancellations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE invoice_settlement s
       SET cancelled = true,
           last_day = CASE WHEN e.business_day IS NULL THEN s.last_day ELSE greatest(s.last_day, e.business_day) END
      FROM new_cancellations x LEFT JOIN journal_entry e ON e.event_id = x.event_id
     WHERE s.invoice_id = x.invoice_id;
    RETURN NULL;
END $$;
