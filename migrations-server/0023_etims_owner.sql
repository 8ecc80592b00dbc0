-- eTIMS for the owner (docs/etims.md): the tills report's oldest unsigned sale per till, items
-- kept in step with the products they name, and a refused invoice decided in the review queue.

-- What is not signed yet (waiting, sending or refused) is a small part of the queue: the tills
-- report finds each till's oldest through this, not through every invoice ever signed.
CREATE INDEX etims_invoice_unsigned ON etims_invoice (event_id) WHERE state <> 'signed';

-- What KRA was last told of an item (`saveItem`): when the product's name or VAT rate changes,
-- the next invoice that names it registers it again first, so KRA's item and the receipt agree.
ALTER TABLE etims_item ADD COLUMN registered_name TEXT, ADD COLUMN registered_tax_type TEXT;
UPDATE etims_item SET registered_name = name WHERE registered_at IS NOT NULL;

-- A refused invoice is decided like any other item of the queue (dismissed with a note, or
-- corrected); sending it again is no decision and writes none (the audit log keeps it).
ALTER TABLE review_resolution ADD COLUMN etims_business_id UUID, ADD COLUMN etims_invoice_number BIGINT,
    ADD FOREIGN KEY (etims_business_id, etims_invoice_number) REFERENCES etims_invoice (business_id, invoice_number),
    ADD UNIQUE (etims_business_id, etims_invoice_number),
    ADD CHECK ((etims_business_id IS NULL) = (etims_invoice_number IS NULL));
ALTER TABLE review_resolution DROP CONSTRAINT review_resolution_one_item;
ALTER TABLE review_resolution ADD CONSTRAINT review_resolution_one_item
    CHECK (num_nonnulls(quarantine_event, flag_id, mpesa_mismatch_id, bank_mismatch_id, etims_invoice_number) = 1);
