-- A customer's credit used at this till: applied to their invoices (`credit.applied`) or paid
-- back over the counter (`credit.refunded`). The credit the till shows is what it took itself
-- (payments beyond invoices, payments on jobs since cancelled) less these, unless voided.
CREATE TABLE credit_use (
    document_id  TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customer (id),
    kind         TEXT NOT NULL CHECK (kind IN ('applied', 'refunded')),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0)
);
CREATE INDEX credit_use_customer ON credit_use (customer_id);
