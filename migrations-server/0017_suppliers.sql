-- Suppliers, what the group buys from them and what it owes them (issue "The books a Kenyan
-- owner files"). A stock receipt is a purchase: its input VAT is the VAT return's purchases
-- side, and taken on account it is a supplier invoice owed in 2110 until a `supplier.paid`
-- settles it. The merge writes `purchase`, `supplier_payment` and `supplier_allocation` from
-- core's effects; like every document table they are append-only, and a void is a row of
-- `voided_document`, never an edit.
CREATE TABLE supplier (
    id         UUID PRIMARY KEY,
    name       TEXT NOT NULL,
    kra_pin    TEXT NOT NULL DEFAULT '',
    phone      TEXT,
    terms_days INTEGER NOT NULL CHECK (terms_days BETWEEN 0 AND 365),
    active     BOOLEAN NOT NULL DEFAULT TRUE
);
GRANT SELECT, INSERT, UPDATE ON supplier TO tillbook_app;

CREATE VIEW supplier_wire AS
SELECT id, json_build_object('id', id, 'name', name, 'kra_pin', kra_pin, 'phone', phone,
                             'terms_days', terms_days, 'active', active) AS data
  FROM supplier;
GRANT SELECT ON supplier_wire TO tillbook_app;

CREATE TABLE purchase (
    purchase_id   UUID PRIMARY KEY,            -- the stock receipt's document id
    business_id   UUID NOT NULL REFERENCES business (id),
    supplier_id   UUID REFERENCES supplier (id), -- none before suppliers were kept
    supplier_name TEXT NOT NULL,
    reference     TEXT NOT NULL,               -- the supplier's invoice number
    business_day  DATE NOT NULL,
    net           money_amount NOT NULL,
    vat           money_amount NOT NULL,
    total         money_amount NOT NULL CHECK (total > 0),
    paid_by       TEXT NOT NULL CHECK (paid_by IN ('cash', 'mpesa', 'on_account')),
    due_on        DATE,                        -- on account: the day by the supplier's terms
    event_id      UUID NOT NULL REFERENCES inbox (event_id)
);
CREATE INDEX purchase_open ON purchase (supplier_id, business_id, business_day) WHERE paid_by = 'on_account';
CREATE INDEX purchase_day ON purchase (business_day);

CREATE TABLE supplier_payment (
    payment_id   UUID PRIMARY KEY,
    business_id  UUID NOT NULL REFERENCES business (id),
    supplier_id  UUID NOT NULL REFERENCES supplier (id),
    paid_from    TEXT NOT NULL CHECK (paid_from IN ('cash', 'mpesa', 'bank')),
    reference    TEXT NOT NULL,
    amount       money_amount NOT NULL CHECK (amount > 0),
    business_day DATE NOT NULL,
    event_id     UUID NOT NULL REFERENCES inbox (event_id)
);
CREATE INDEX supplier_payment_supplier ON supplier_payment (supplier_id, business_id);

-- Which invoices a payment settled: the ones chosen at the till, then the oldest open ones,
-- decided by the merge under the business's lock.
CREATE TABLE supplier_allocation (
    payment_id  UUID NOT NULL REFERENCES supplier_payment (payment_id),
    purchase_id UUID NOT NULL REFERENCES purchase (purchase_id),
    amount      money_amount NOT NULL CHECK (amount > 0),
    PRIMARY KEY (payment_id, purchase_id)
);
CREATE INDEX supplier_allocation_purchase ON supplier_allocation (purchase_id);

CREATE TRIGGER purchase_immutable BEFORE UPDATE OR DELETE ON purchase FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER supplier_payment_immutable BEFORE UPDATE OR DELETE ON supplier_payment FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER supplier_allocation_immutable BEFORE UPDATE OR DELETE ON supplier_allocation FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER purchase_no_truncate BEFORE TRUNCATE ON purchase EXECUTE FUNCTION refuse_change();
CREATE TRIGGER supplier_payment_no_truncate BEFORE TRUNCATE ON supplier_payment EXECUTE FUNCTION refuse_change();
CREATE TRIGGER supplier_allocation_no_truncate BEFORE TRUNCATE ON supplier_allocation EXECUTE FUNCTION refuse_change();
GRANT SELECT, INSERT ON purchase, supplier_payment, supplier_allocation TO tillbook_app;

-- What is still owed on each invoice taken on account: its total less what payments not voided
-- allocated to it; nothing for a voided invoice.
CREATE VIEW supplier_invoice_open AS
SELECT p.purchase_id, p.business_id, p.supplier_id, p.reference, p.business_day, p.due_on, p.total,
       p.total - coalesce((SELECT sum(a.amount) FROM supplier_allocation a
                            WHERE a.purchase_id = p.purchase_id
                              AND NOT EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = a.payment_id)), 0)
         AS open
  FROM purchase p
 WHERE p.paid_by = 'on_account'
   AND NOT EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = p.purchase_id);
GRANT SELECT ON supplier_invoice_open TO tillbook_app;

-- The receipts merged before this migration, from the events as received: purchases with no
-- supplier record and no input VAT (neither was recorded then). Their day is the receipt's
-- day in the group's default zone, as in 0016.
INSERT INTO purchase
SELECT (i.raw -> 'document' ->> 'receipt_id')::uuid, i.business_id, NULL, i.raw -> 'document' ->> 'supplier',
       coalesce(i.raw -> 'document' ->> 'reference', ''), (i.occurred_at AT TIME ZONE 'Africa/Nairobi')::date,
       (i.raw -> 'document' ->> 'total')::numeric, 0, (i.raw -> 'document' ->> 'total')::numeric,
       i.raw -> 'document' ->> 'paid_by', NULL, i.event_id
  FROM inbox i
 WHERE i.event_type = 'stock.received' AND i.status = 'posted';
