-- What a customer owes (DESIGN §5) found from their own open invoices, not the group's.

-- What a customer owes, published after every merge that touches them (`CUSTOMER_BALANCES`),
-- was summed over every open invoice of the group, each then looked up to see whose it was: a
-- group with many customers on account made every merge read all their open invoices. The
-- settlement now carries its invoice's customer (which never changes), and open settlements are
-- indexed by customer with what they still ask.
ALTER TABLE invoice_settlement ADD COLUMN customer_id uuid;
UPDATE invoice_settlement s SET customer_id = i.customer_id FROM invoice i WHERE i.invoice_id = s.invoice_id;
ALTER TABLE invoice_settlement ALTER COLUMN customer_id SET NOT NULL;
CREATE INDEX invoice_settlement_open_by_customer ON invoice_settlement (customer_id) INCLUDE (amount, paid)
    WHERE NOT cancelled AND paid < amount;

CREATE OR REPLACE FUNCTION settlement_of_new_invoices() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Nothing can be allocated to an invoice before it exists, but a void may name it first.
    INSERT INTO invoice_settlement (invoice_id, customer_id, amount, paid, cancelled, last_day)
    SELECT n.invoice_id, n.customer_id, n.amount, 0,
           EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = n.invoice_id)
             OR EXISTS (SELECT 1 FROM invoice_cancellation x WHERE x.invoice_id = n.invoice_id),
           (SELECT max(e.business_day) FROM voided_document v JOIN journal_entry e ON e.event_id = v.event_id
             WHERE v.document_id = n.invoice_id)
      FROM new_invoices n;
    RETURN NULL;
END $$;
