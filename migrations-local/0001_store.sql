-- The till's local store (DESIGN §6). Money is INTEGER cents, quantities INTEGER thousandths,
-- VAT rates INTEGER basis points, times RFC 3339 text with the till's offset, ids UUID v7 text
-- (time-ordered, so new rows append to each index).

-- The till itself: exactly one row.
CREATE TABLE till (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    device_id           TEXT NOT NULL,
    till_code           TEXT NOT NULL,
    device_name         TEXT NOT NULL,
    primary_business_id TEXT NOT NULL,
    time_zone           TEXT NOT NULL,
    created_at          TEXT NOT NULL
);

-- The businesses this till records for.
CREATE TABLE till_business (
    business_id TEXT PRIMARY KEY
);

-- Gap-free numbers ('device_seq', 'receipt') taken inside the recording transaction, so a
-- rolled-back recording gives its number back.
CREATE TABLE counter (
    name       TEXT PRIMARY KEY,
    last_value INTEGER NOT NULL CHECK (last_value >= 0)
);

-- Master data: head office's, pulled (or seeded for the demo). Server-wins; deactivated, never
-- deleted, because old documents still name them.
CREATE TABLE business (
    id       TEXT PRIMARY KEY,
    code     TEXT NOT NULL UNIQUE,
    name     TEXT NOT NULL,
    kind     TEXT NOT NULL,
    accounts TEXT NOT NULL  -- JSON of core's BusinessAccounts: the accounts by role
);

CREATE TABLE account (
    code          INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    business_code TEXT,     -- NULL: shared by every business
    active        INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE product (
    id                TEXT PRIMARY KEY,
    business_id       TEXT NOT NULL REFERENCES business (id),
    name              TEXT NOT NULL,
    barcode           TEXT,
    unit              TEXT NOT NULL,
    price_cents       INTEGER NOT NULL CHECK (price_cents >= 0),
    vat_basis_points  INTEGER NOT NULL CHECK (vat_basis_points BETWEEN 0 AND 10000),
    revenue_account   INTEGER NOT NULL,
    inventory_account INTEGER,
    cost_account      INTEGER,
    unit_cost_cents   INTEGER NOT NULL CHECK (unit_cost_cents >= 0),
    active            INTEGER NOT NULL DEFAULT 1,
    CHECK ((inventory_account IS NULL) = (cost_account IS NULL))
);
CREATE INDEX product_barcode ON product (barcode) WHERE barcode IS NOT NULL;

CREATE TABLE laundry_service (
    id               TEXT PRIMARY KEY,
    business_id      TEXT NOT NULL REFERENCES business (id),
    name             TEXT NOT NULL,
    pricing          TEXT NOT NULL CHECK (pricing IN ('per_kg', 'per_piece')),
    price_cents      INTEGER NOT NULL CHECK (price_cents >= 0),
    vat_basis_points INTEGER NOT NULL CHECK (vat_basis_points BETWEEN 0 AND 10000),
    active           INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE cylinder_type (
    id                   TEXT PRIMARY KEY,
    business_id          TEXT NOT NULL REFERENCES business (id),
    size_milli_kg        INTEGER NOT NULL CHECK (size_milli_kg > 0),
    brand                TEXT NOT NULL,
    gas_price_cents      INTEGER NOT NULL CHECK (gas_price_cents >= 0),
    gas_cost_cents       INTEGER NOT NULL CHECK (gas_cost_cents >= 0),
    cylinder_price_cents INTEGER NOT NULL CHECK (cylinder_price_cents >= 0),
    cylinder_cost_cents  INTEGER NOT NULL CHECK (cylinder_cost_cents >= 0),
    deposit_cents        INTEGER NOT NULL CHECK (deposit_cents >= 0),
    vat_basis_points     INTEGER NOT NULL CHECK (vat_basis_points BETWEEN 0 AND 10000),
    active               INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE customer (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    phone              TEXT,
    credit_limit_cents INTEGER NOT NULL CHECK (credit_limit_cents >= 0),
    active             INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE staff (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    role     TEXT NOT NULL CHECK (role IN ('cashier', 'supervisor', 'owner')),
    pin_hash TEXT NOT NULL,  -- argon2 PHC string; the PIN is never stored
    active   INTEGER NOT NULL DEFAULT 1
);

-- The journal: one provisional entry per document that moves money, kept until the server posts
-- it. Lines are immutable; an entry's status is the only thing that ever changes.
CREATE TABLE journal_entry (
    id           TEXT PRIMARY KEY,
    business_id  TEXT NOT NULL REFERENCES business (id),
    event_id     TEXT NOT NULL UNIQUE,
    event_type   TEXT NOT NULL,
    document_id  TEXT,
    occurred_at  TEXT NOT NULL,
    business_day TEXT NOT NULL,   -- YYYY-MM-DD in the installation's time zone
    shift_id     TEXT,
    status       TEXT NOT NULL DEFAULT 'provisional'
                 CHECK (status IN ('provisional', 'posted', 'quarantined'))
);
CREATE INDEX journal_entry_document ON journal_entry (document_id);
CREATE INDEX journal_entry_shift ON journal_entry (shift_id);

CREATE TABLE journal_line (
    entry_id     TEXT NOT NULL REFERENCES journal_entry (id),
    line_no      INTEGER NOT NULL,
    account      INTEGER NOT NULL REFERENCES account (code),
    debit_cents  INTEGER NOT NULL CHECK (debit_cents >= 0),
    credit_cents INTEGER NOT NULL CHECK (credit_cents >= 0),
    -- one-sided and positive (DESIGN §5)
    CHECK ((debit_cents > 0 AND credit_cents = 0) OR (credit_cents > 0 AND debit_cents = 0)),
    PRIMARY KEY (entry_id, line_no)
) WITHOUT ROWID;
CREATE INDEX journal_line_account ON journal_line (account);

CREATE TRIGGER journal_line_no_update BEFORE UPDATE ON journal_line
BEGIN SELECT RAISE(ABORT, 'journal lines are immutable: record a reversal'); END;
CREATE TRIGGER journal_line_no_delete BEFORE DELETE ON journal_line
BEGIN SELECT RAISE(ABORT, 'journal lines are immutable: record a reversal'); END;
CREATE TRIGGER journal_entry_no_delete BEFORE DELETE ON journal_entry
BEGIN SELECT RAISE(ABORT, 'journal entries are never deleted'); END;
CREATE TRIGGER journal_entry_fixed BEFORE UPDATE OF id, business_id, event_id, event_type, document_id,
    occurred_at, business_day, shift_id ON journal_entry
BEGIN SELECT RAISE(ABORT, 'only an entry''s status may change'); END;

-- The outbox: every recorded document as the event to push, in device_seq order. Never deleted
-- from; an event moves pending → posted (with the server's entry number) or → quarantined.
CREATE TABLE outbox (
    device_seq      INTEGER PRIMARY KEY CHECK (device_seq > 0),
    event_id        TEXT NOT NULL UNIQUE,
    event_type      TEXT NOT NULL,
    business_id     TEXT NOT NULL,
    business_day    TEXT NOT NULL,
    payload         TEXT NOT NULL,  -- the event as JSON, exactly as it will be pushed
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'posted', 'quarantined')),
    entry_number    INTEGER,
    reason_code     TEXT,
    reason_message  TEXT,
    acknowledged_at TEXT
);
CREATE INDEX outbox_pending ON outbox (device_seq) WHERE status = 'pending';

CREATE TRIGGER outbox_no_delete BEFORE DELETE ON outbox
BEGIN SELECT RAISE(ABORT, 'the outbox is never deleted from'); END;
CREATE TRIGGER outbox_fixed BEFORE UPDATE OF device_seq, event_id, event_type, business_id, business_day,
    payload ON outbox
BEGIN SELECT RAISE(ABORT, 'an event is never changed once recorded'); END;

-- Shifts: a cashier's float and count. At most one open shift per till.
CREATE TABLE shift (
    id             TEXT PRIMARY KEY,
    business_id    TEXT NOT NULL REFERENCES business (id),
    staff_id       TEXT NOT NULL,
    opened_at      TEXT NOT NULL,
    business_day   TEXT NOT NULL,
    float_cents    INTEGER NOT NULL CHECK (float_cents >= 0),
    closed_at      TEXT,
    expected_cents INTEGER,
    counted_cents  INTEGER
);
CREATE UNIQUE INDEX shift_one_open ON shift ((closed_at IS NULL)) WHERE closed_at IS NULL;

-- Sales of goods and of LPG; `receipt_number` is the till's gap-free number.
CREATE TABLE sale (
    id             TEXT PRIMARY KEY,
    business_id    TEXT NOT NULL REFERENCES business (id),
    kind           TEXT NOT NULL CHECK (kind IN ('goods', 'lpg')),
    receipt_number TEXT NOT NULL UNIQUE,
    occurred_at    TEXT NOT NULL,
    business_day   TEXT NOT NULL,
    shift_id       TEXT,
    staff_id       TEXT,
    total_cents    INTEGER NOT NULL CHECK (total_cents > 0)
);
CREATE INDEX sale_day ON sale (business_id, business_day);

CREATE TABLE sale_line (
    sale_id          TEXT NOT NULL REFERENCES sale (id),
    line_no          INTEGER NOT NULL,
    product_id       TEXT NOT NULL REFERENCES product (id),
    quantity_milli   INTEGER NOT NULL CHECK (quantity_milli > 0),
    unit_price_cents INTEGER NOT NULL,
    discount_cents   INTEGER NOT NULL,
    vat_basis_points INTEGER NOT NULL,
    line_total_cents INTEGER NOT NULL,
    unit_cost_cents  INTEGER NOT NULL,  -- the cost stock left at, so a return comes back at it
    PRIMARY KEY (sale_id, line_no)
) WITHOUT ROWID;

-- Tenders of sales, refunds and payments (money in, or paid back for a refund).
CREATE TABLE tender (
    document_id  TEXT NOT NULL,
    line_no      INTEGER NOT NULL,
    method       TEXT NOT NULL CHECK (method IN ('cash', 'mpesa', 'credit')),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    mpesa_code   TEXT,
    customer_id  TEXT,
    PRIMARY KEY (document_id, line_no)
) WITHOUT ROWID;
CREATE INDEX tender_mpesa_code ON tender (mpesa_code) WHERE mpesa_code IS NOT NULL;

CREATE TABLE lpg_sale (
    sale_id          TEXT PRIMARY KEY REFERENCES sale (id),
    cylinder_type_id TEXT NOT NULL REFERENCES cylinder_type (id),
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    empty_in         TEXT REFERENCES cylinder_type (id),
    new_cylinder     TEXT CHECK (new_cylinder IN ('sale', 'deposit'))
);

CREATE TABLE refund (
    id             TEXT PRIMARY KEY,
    sale_id        TEXT NOT NULL REFERENCES sale (id),
    receipt_number TEXT NOT NULL UNIQUE,
    occurred_at    TEXT NOT NULL,
    business_day   TEXT NOT NULL,
    total_cents    INTEGER NOT NULL CHECK (total_cents > 0)
);

CREATE TABLE refund_line (
    refund_id      TEXT NOT NULL REFERENCES refund (id),
    sale_line_no   INTEGER NOT NULL,
    quantity_milli INTEGER NOT NULL CHECK (quantity_milli > 0),
    amount_cents   INTEGER NOT NULL CHECK (amount_cents >= 0),
    PRIMARY KEY (refund_id, sale_line_no)
) WITHOUT ROWID;

-- Documents reversed by a void or a cancellation; reports and balances leave them out.
CREATE TABLE reversed_document (
    document_id       TEXT PRIMARY KEY,
    reversal_event_id TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('void', 'cancellation'))
);

-- Stock is a sum of movements, so offline movements from several tills add up on merge.
CREATE TABLE stock_movement (
    id             INTEGER PRIMARY KEY,
    product_id     TEXT NOT NULL REFERENCES product (id),
    document_id    TEXT NOT NULL,
    quantity_milli INTEGER NOT NULL,
    reason         TEXT NOT NULL,
    occurred_at    TEXT NOT NULL
);
CREATE INDEX stock_movement_product ON stock_movement (product_id);

CREATE TABLE cylinder_movement (
    id               INTEGER PRIMARY KEY,
    cylinder_type_id TEXT NOT NULL REFERENCES cylinder_type (id),
    document_id      TEXT NOT NULL,
    full_delta       INTEGER NOT NULL,
    empty_delta      INTEGER NOT NULL,
    reason           TEXT NOT NULL,
    occurred_at      TEXT NOT NULL
);

-- Customer accounts: invoices (credit sales, laundry jobs) and what was applied to them.
-- Outstanding and status are derived, never stored (DESIGN §5).
CREATE TABLE invoice (
    id           TEXT PRIMARY KEY,  -- the credit sale's or laundry job's id
    business_id  TEXT NOT NULL REFERENCES business (id),
    customer_id  TEXT NOT NULL REFERENCES customer (id),
    number       TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('sale', 'laundry')),
    total_cents  INTEGER NOT NULL CHECK (total_cents > 0),
    issued_on    TEXT NOT NULL,
    due_on       TEXT NOT NULL
);
CREATE INDEX invoice_customer ON invoice (customer_id);

CREATE TABLE payment (
    id              TEXT PRIMARY KEY,
    business_id     TEXT NOT NULL REFERENCES business (id),
    customer_id     TEXT NOT NULL REFERENCES customer (id),
    receipt_number  TEXT NOT NULL UNIQUE,
    occurred_at     TEXT NOT NULL,
    business_day    TEXT NOT NULL,
    total_cents     INTEGER NOT NULL CHECK (total_cents > 0),
    unapplied_cents INTEGER NOT NULL CHECK (unapplied_cents >= 0)
);

-- Money applied to an invoice: by a payment, or a credit note from a refund.
CREATE TABLE allocation (
    source_id    TEXT NOT NULL,  -- the payment or refund
    invoice_id   TEXT NOT NULL REFERENCES invoice (id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    PRIMARY KEY (source_id, invoice_id)
) WITHOUT ROWID;
CREATE INDEX allocation_invoice ON allocation (invoice_id);

CREATE TABLE laundry_job (
    id             TEXT PRIMARY KEY REFERENCES invoice (id),
    business_id    TEXT NOT NULL REFERENCES business (id),
    ticket_number  TEXT NOT NULL UNIQUE,
    customer_id    TEXT NOT NULL REFERENCES customer (id),
    promised_at    TEXT NOT NULL,
    dropped_off_at TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('received', 'washing', 'ready', 'collected', 'cancelled')),
    notes          TEXT NOT NULL DEFAULT ''
);

CREATE TABLE laundry_item (
    job_id           TEXT NOT NULL REFERENCES laundry_job (id),
    line_no          INTEGER NOT NULL,
    service_id       TEXT NOT NULL REFERENCES laundry_service (id),
    description      TEXT NOT NULL,
    quantity_milli   INTEGER NOT NULL CHECK (quantity_milli > 0),
    unit_price_cents INTEGER NOT NULL,
    line_total_cents INTEGER NOT NULL,
    PRIMARY KEY (job_id, line_no)
) WITHOUT ROWID;

CREATE TABLE laundry_status_history (
    job_id      TEXT NOT NULL REFERENCES laundry_job (id),
    from_status TEXT,
    to_status   TEXT NOT NULL,
    changed_at  TEXT NOT NULL,
    staff_id    TEXT,
    reason      TEXT NOT NULL DEFAULT ''
);

CREATE TABLE expense (
    id           TEXT PRIMARY KEY,
    business_id  TEXT NOT NULL REFERENCES business (id),
    account      INTEGER NOT NULL REFERENCES account (code),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    description  TEXT NOT NULL,
    paid_from    TEXT NOT NULL,
    occurred_at  TEXT NOT NULL
);

CREATE TABLE cash_movement (
    id           TEXT PRIMARY KEY,
    business_id  TEXT NOT NULL REFERENCES business (id),
    kind         TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    note         TEXT NOT NULL,
    occurred_at  TEXT NOT NULL
);

-- The Z report of each closed business day, with its sync receipt.
CREATE TABLE day_close (
    business_id         TEXT NOT NULL REFERENCES business (id),
    business_day        TEXT NOT NULL,
    closed_at           TEXT NOT NULL,
    staff_id            TEXT,
    report              TEXT NOT NULL,  -- JSON of the DayClosed document
    PRIMARY KEY (business_id, business_day)
);
