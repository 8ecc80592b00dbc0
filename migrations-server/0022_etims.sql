-- KRA eTIMS from head office (issue "KRA eTIMS from an offline till", docs/etims.md). Every sale
-- reaches head office exactly once, so head office transmits it: each business's OSCU set-up,
-- the items registered with KRA, and the durable queue of invoices, filled by the merge in the
-- same transaction as the posting.

-- A business's OSCU device. Its KRA PIN and whether it charges VAT are the business's own
-- (`business.kra_pin`, `business.vat_registered`). The communication key KRA gives at
-- initialisation is kept in the server's key folder, never here and never in a log.
CREATE TABLE etims_setup (
    business_id    UUID PRIMARY KEY REFERENCES business (id),
    branch_id      TEXT NOT NULL CHECK (branch_id ~ '^[0-9]{2}$'),
    device_serial  TEXT NOT NULL CHECK (length(device_serial) BETWEEN 1 AND 100),
    oscu_url       TEXT NOT NULL CHECK (oscu_url ~ '^https?://'),
    initialised_at TIMESTAMPTZ,
    sdc_id         TEXT,
    mrc_no         TEXT,
    -- The business's invoice numbers for eTIMS: gap-free, taken under the merge's lock on the
    -- business, so two businesses never wait for each other's numbers.
    last_invoice   BIGINT NOT NULL DEFAULT 0 CHECK (last_invoice >= 0),
    last_item      BIGINT NOT NULL DEFAULT 0 CHECK (last_item >= 0)
);

-- What KRA knows each sellable thing by (`saveItem`): a product, the gas of a cylinder type, the
-- cylinder itself, a laundry service. Registered before the first invoice that names it.
CREATE TABLE etims_item (
    business_id   UUID NOT NULL REFERENCES business (id),
    item_key      TEXT NOT NULL,  -- 'product:<id>', 'gas:<id>', 'cylinder:<id>', 'service:<id>'
    item_code     TEXT NOT NULL,
    name          TEXT NOT NULL,
    quantity_unit TEXT NOT NULL,
    registered_at TIMESTAMPTZ,
    PRIMARY KEY (business_id, item_key),
    UNIQUE (business_id, item_code)
);

-- One row per sale or credit note to transmit, numbered per business in the order merged. The
-- payload is built once, at the first attempt, and sent byte for byte the same on every retry.
CREATE TABLE etims_invoice (
    business_id       UUID NOT NULL REFERENCES business (id),
    invoice_number    BIGINT NOT NULL CHECK (invoice_number > 0),
    event_id          UUID NOT NULL UNIQUE REFERENCES inbox (event_id),
    document_id       UUID NOT NULL,
    receipt_number    TEXT NOT NULL,
    -- A credit note's sale (its invoice number), when that sale was transmitted.
    original_document UUID,
    queued_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- waiting: not sent yet; sending: sent at least once, answer not saved (it may have reached
    -- KRA); signed: KRA's answer saved; rejected: KRA refused it (in the owner's review queue).
    state             TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'sending', 'signed', 'rejected')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error        TEXT,
    payload           TEXT,  -- the JSON exactly as sent
    result_code       TEXT,
    result_message    TEXT,
    -- KRA's answer: the control unit's receipt number, the receipt signature, the internal data
    -- and the control unit's time, which the receipt and its QR code carry.
    cu_receipt_number TEXT,
    receipt_signature TEXT,
    internal_data     TEXT,
    cu_date_time      TEXT,
    answered_at       TIMESTAMPTZ,
    PRIMARY KEY (business_id, invoice_number),
    -- Signed: KRA answered 000, or 994 to a retry (it held the invoice already). Refused: any
    -- other answer, 994 to a first attempt included (the number was used by something else).
    CHECK (state <> 'signed' OR (answered_at IS NOT NULL AND result_code IN ('000', '994'))),
    CHECK (state <> 'rejected' OR (answered_at IS NOT NULL AND result_code IS NOT NULL))
);
CREATE INDEX etims_invoice_open ON etims_invoice (business_id, invoice_number) WHERE state IN ('waiting', 'sending');
CREATE INDEX etims_invoice_document ON etims_invoice (document_id);

GRANT SELECT, INSERT, UPDATE ON etims_setup, etims_item, etims_invoice TO tillbook_app;
