-- What each invoice stands at, kept running (DESIGN §5, §9). The definition does not change —
-- paid is what was allocated to the invoice by documents not voided, and a voided or cancelled
-- invoice is owed by nobody — but it is no longer recomputed from every allocation of seven
-- years at each read: statement-level triggers keep it in the same transaction as the rows it
-- follows (invoices, allocations, voids, cancellations), whoever writes them, and the aging
-- report reads only the invoices still open through a partial index. `verify` recomputes it.

CREATE TABLE invoice_settlement (
    invoice_id UUID PRIMARY KEY REFERENCES invoice (invoice_id),
    -- The invoice's amount, repeated so the index of open invoices can say what "open" is.
    amount     NUMERIC(16, 2) NOT NULL,
    paid       NUMERIC(16, 2) NOT NULL,
    cancelled  BOOLEAN NOT NULL
);

INSERT INTO invoice_settlement (invoice_id, amount, paid, cancelled)
SELECT invoice_id, amount, paid, cancelled FROM invoice_standing;

CREATE INDEX invoice_settlement_open ON invoice_settlement (invoice_id) WHERE NOT cancelled AND paid < amount;
-- Money paid on an invoice since cancelled is the customer's credit.
CREATE INDEX invoice_settlement_cancelled_paid ON invoice_settlement (invoice_id) WHERE cancelled AND paid > 0;
-- Payments with money not yet applied are the customer's credit.
CREATE INDEX payment_unapplied ON payment (customer_id) WHERE unapplied > 0;

CREATE FUNCTION settlement_of_new_invoices() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Nothing can be allocated to an invoice before it exists, but a void may name it first.
    INSERT INTO invoice_settlement (invoice_id, amount, paid, cancelled)
    SELECT n.invoice_id, n.amount, 0,
           EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = n.invoice_id)
             OR EXISTS (SELECT 1 FROM invoice_cancellation x WHERE x.invoice_id = n.invoice_id)
      FROM new_invoices n;
    RETURN NULL;
END $$;

-- Allocations add to what was paid, unless the document behind them is voided already.
CREATE FUNCTION settlement_of_new_allocations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE invoice_settlement s SET paid = s.paid + n.paid
      FROM (SELECT a.invoice_id, sum(a.amount) AS paid FROM new_allocations a
             WHERE NOT EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = a.document_id)
             GROUP BY a.invoice_id) n
     WHERE s.invoice_id = n.invoice_id;
    RETURN NULL;
END $$;

-- A voided payment or credit note gives back what it paid; a voided invoice is owed by nobody.
CREATE FUNCTION settlement_of_new_voids() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE invoice_settlement s SET paid = s.paid - n.paid
      FROM (SELECT a.invoice_id, sum(a.amount) AS paid
              FROM allocation a JOIN new_voids v ON v.document_id = a.document_id
             GROUP BY a.invoice_id) n
     WHERE s.invoice_id = n.invoice_id;
    UPDATE invoice_settlement s SET cancelled = true
      FROM new_voids v WHERE s.invoice_id = v.document_id AND NOT s.cancelled;
    RETURN NULL;
END $$;

CREATE FUNCTION settlement_of_new_cancellations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE invoice_settlement s SET cancelled = true
      FROM new_cancellations x WHERE s.invoice_id = x.invoice_id AND NOT s.cancelled;
    RETURN NULL;
END $$;

CREATE TRIGGER invoice_settlement_invoices AFTER INSERT ON invoice
    REFERENCING NEW TABLE AS new_invoices FOR EACH STATEMENT EXECUTE FUNCTION settlement_of_new_invoices();
CREATE TRIGGER invoice_settlement_allocations AFTER INSERT ON allocation
    REFERENCING NEW TABLE AS new_allocations FOR EACH STATEMENT EXECUTE FUNCTION settlement_of_new_allocations();
CREATE TRIGGER invoice_settlement_voids AFTER INSERT ON voided_document
    REFERENCING NEW TABLE AS new_voids FOR EACH STATEMENT EXECUTE FUNCTION settlement_of_new_voids();
CREATE TRIGGER invoice_settlement_cancellations AFTER INSERT ON invoice_cancellation
    REFERENCING NEW TABLE AS new_cancellations FOR EACH STATEMENT EXECUTE FUNCTION settlement_of_new_cancellations();

-- The one definition of what a customer owes now reads the running settlement.
DROP VIEW invoice_standing;
CREATE VIEW invoice_standing AS
SELECT i.*, s.paid, s.cancelled
  FROM invoice i JOIN invoice_settlement s USING (invoice_id);

GRANT SELECT ON invoice_standing TO tillbook_app;
GRANT SELECT, INSERT, UPDATE ON invoice_settlement TO tillbook_app;
