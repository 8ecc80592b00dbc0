-- A customer's credit (2300) used (issue "The books a Kenyan owner files"): applied to their
-- invoices (`credit.applied`, whose allocations settle the invoices) or paid back to them
-- (`credit.refunded`). The credit a customer holds is what they paid beyond their invoices and
-- what was paid on invoices since cancelled, less these uses (not voided). Written by the merge;
-- append-only like every document table.
CREATE TABLE credit_use (
    document_id  UUID PRIMARY KEY,
    customer_id  UUID NOT NULL REFERENCES customer (id),
    business_id  UUID NOT NULL REFERENCES business (id),
    kind         TEXT NOT NULL CHECK (kind IN ('applied', 'refunded')),
    amount       money_amount NOT NULL CHECK (amount > 0),
    business_day DATE NOT NULL,
    event_id     UUID NOT NULL REFERENCES inbox (event_id)
);
CREATE INDEX credit_use_customer ON credit_use (customer_id);

CREATE TRIGGER credit_use_immutable BEFORE UPDATE OR DELETE ON credit_use FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER credit_use_no_truncate BEFORE TRUNCATE ON credit_use EXECUTE FUNCTION refuse_change();
GRANT SELECT, INSERT ON credit_use TO tillbook_app;
