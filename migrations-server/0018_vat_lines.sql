-- The VAT each document charged (output) or paid (input), per rate: the monthly VAT return's
-- lines (issue "The books a Kenyan owner files"). Core decides them with the posting (a
-- document's `Effects::vat`, exactly what its entry puts on 2200); a void or a cancelled
-- laundry job is written as the mirror of its original's lines, on its own day. So the lines of
-- a period add up to 2200's movement in it. Append-only like every document table.
CREATE TABLE vat_line (
    id           BIGSERIAL PRIMARY KEY,
    event_id     UUID NOT NULL REFERENCES inbox (event_id),
    document_id  UUID NOT NULL,        -- whose VAT it is: the document, the void, or the cancelled job
    business_id  UUID NOT NULL REFERENCES business (id),
    business_day DATE NOT NULL,
    input        BOOLEAN NOT NULL,     -- paid on purchases (input), or charged on sales (output)
    rate         NUMERIC(5, 4) NOT NULL,
    net          NUMERIC(14, 2) NOT NULL,
    vat          NUMERIC(14, 2) NOT NULL
);
CREATE INDEX vat_line_day ON vat_line (business_day, business_id);
CREATE INDEX vat_line_document ON vat_line (document_id);

CREATE TRIGGER vat_line_immutable BEFORE UPDATE OR DELETE ON vat_line FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER vat_line_no_truncate BEFORE TRUNCATE ON vat_line EXECUTE FUNCTION refuse_change();
GRANT SELECT, INSERT ON vat_line TO tillbook_app;
GRANT USAGE ON SEQUENCE vat_line_id_seq TO tillbook_app;

-- The documents merged before this migration, from the events as received, split as core splits
-- them: the VAT inside a VAT-inclusive amount is round(amount × rate / (1 + rate)), half away
-- from zero (amounts here are positive, so that is core's half-up); a purchase line states its
-- own (none before input VAT was recorded).
CREATE TEMPORARY TABLE vat_backfill AS
SELECT i.event_id, i.event_type, i.raw -> 'document' AS doc, i.business_id, e.business_day
  FROM inbox i JOIN journal_entry e ON e.event_id = i.event_id
 WHERE i.status = 'posted';

INSERT INTO vat_line (event_id, document_id, business_id, business_day, input, rate, net, vat)
SELECT event_id, document_id, business_id, business_day, input, rate, sum(amount - part), sum(part)
  FROM (
    SELECT b.event_id, (b.doc ->> 'sale_id')::uuid AS document_id, b.business_id, b.business_day, false AS input,
           (l ->> 'vat_rate')::numeric AS rate, (l ->> 'line_total')::numeric AS amount,
           round((l ->> 'line_total')::numeric * (l ->> 'vat_rate')::numeric / (1 + (l ->> 'vat_rate')::numeric), 2) AS part
      FROM vat_backfill b, json_array_elements(b.doc -> 'lines') l
     WHERE b.event_type = 'sale.recorded'
    UNION ALL
    SELECT b.event_id, (b.doc ->> 'refund_id')::uuid, b.business_id, b.business_day, false,
           (l ->> 'vat_rate')::numeric, -(l ->> 'amount')::numeric,
           -round((l ->> 'amount')::numeric * (l ->> 'vat_rate')::numeric / (1 + (l ->> 'vat_rate')::numeric), 2)
      FROM vat_backfill b, json_array_elements(b.doc -> 'lines') l
     WHERE b.event_type = 'sale.refunded'
    UNION ALL
    SELECT b.event_id, (b.doc ->> 'job_id')::uuid, b.business_id, b.business_day, false,
           (l ->> 'vat_rate')::numeric, (l ->> 'line_total')::numeric,
           round((l ->> 'line_total')::numeric * (l ->> 'vat_rate')::numeric / (1 + (l ->> 'vat_rate')::numeric), 2)
      FROM vat_backfill b, json_array_elements(b.doc -> 'items') l
     WHERE b.event_type = 'laundry.dropped_off'
    UNION ALL
    SELECT b.event_id, (b.doc ->> 'sale_id')::uuid, b.business_id, b.business_day, false,
           (b.doc ->> 'vat_rate')::numeric, x.amount,
           round(x.amount * (b.doc ->> 'vat_rate')::numeric / (1 + (b.doc ->> 'vat_rate')::numeric), 2)
      FROM vat_backfill b,
           LATERAL (SELECT (b.doc ->> 'gas_total')::numeric AS amount
                    UNION ALL
                    SELECT (b.doc ->> 'cylinder_total')::numeric WHERE b.doc ->> 'new_cylinder' = 'sale') x
     WHERE b.event_type = 'lpg.exchanged'
    UNION ALL
    SELECT b.event_id, (b.doc ->> 'receipt_id')::uuid, b.business_id, b.business_day, true,
           coalesce((l ->> 'vat_rate')::numeric, 0), (l ->> 'line_cost')::numeric + coalesce((l ->> 'vat')::numeric, 0),
           coalesce((l ->> 'vat')::numeric, 0)
      FROM vat_backfill b,
           LATERAL (SELECT * FROM json_array_elements(coalesce(b.doc -> 'lines', '[]'::json))
                    UNION ALL
                    SELECT * FROM json_array_elements(coalesce(b.doc -> 'cylinders', '[]'::json))) AS lines(l)
     WHERE b.event_type = 'stock.received'
    UNION ALL
    SELECT b.event_id, (b.doc ->> 'expense_id')::uuid, b.business_id, b.business_day, true,
           (b.doc ->> 'vat_rate')::numeric, (b.doc ->> 'amount')::numeric,
           round((b.doc ->> 'amount')::numeric * (b.doc ->> 'vat_rate')::numeric / (1 + (b.doc ->> 'vat_rate')::numeric), 2)
      FROM vat_backfill b
     WHERE b.event_type = 'expense.recorded' AND coalesce((b.doc ->> 'vat_rate')::numeric, 0) <> 0
  ) lines
 GROUP BY event_id, document_id, business_id, business_day, input, rate;

-- Then the mirrors: voids of those documents, and cancelled laundry jobs.
INSERT INTO vat_line (event_id, document_id, business_id, business_day, input, rate, net, vat)
SELECT b.event_id, (b.doc ->> 'void_id')::uuid, l.business_id, b.business_day, l.input, l.rate, -l.net, -l.vat
  FROM vat_backfill b JOIN vat_line l ON l.document_id = (b.doc ->> 'document_id')::uuid
 WHERE b.event_type IN ('sale.voided', 'document.voided');
INSERT INTO vat_line (event_id, document_id, business_id, business_day, input, rate, net, vat)
SELECT b.event_id, l.document_id, l.business_id, b.business_day, l.input, l.rate, -l.net, -l.vat
  FROM vat_backfill b JOIN vat_line l ON l.document_id = (b.doc ->> 'job_id')::uuid
 WHERE b.event_type = 'laundry.status_changed' AND b.doc ->> 'to' = 'cancelled';

DROP TABLE vat_backfill;
