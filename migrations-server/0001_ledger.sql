-- The central ledger (DESIGN §8). Runs as the database owner; the server's runtime role
-- `tillbook_app` (created at the end) may read everything and insert into the ledger, but is not
-- granted UPDATE or DELETE on it, and triggers refuse both to the owner too.

CREATE DOMAIN money_amount AS NUMERIC(14, 2);
CREATE DOMAIN quantity AS NUMERIC(14, 3);
CREATE DOMAIN vat_rate AS NUMERIC(5, 4) CHECK (VALUE BETWEEN 0 AND 1);

-- ---------------------------------------------------------------------------------------------
-- Master data, owned by head office and pulled by the tills. Deactivated, never deleted.

CREATE TABLE business (
    id       UUID PRIMARY KEY,
    code     TEXT NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9_]{1,19}$'),
    name     TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('water', 'laundry', 'retail')),
    accounts JSONB NOT NULL,  -- core's BusinessAccounts: the accounts of each role
    active   BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE account (
    code          SMALLINT PRIMARY KEY CHECK (code BETWEEN 1000 AND 9999),
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('asset', 'liability', 'equity', 'revenue', 'expense')),
    business_code TEXT REFERENCES business (code),  -- NULL: shared by every business
    active        BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE product (
    id                UUID PRIMARY KEY,
    business_id       UUID NOT NULL REFERENCES business (id),
    name              TEXT NOT NULL,
    barcode           TEXT,
    unit              TEXT NOT NULL,
    price             money_amount NOT NULL CHECK (price >= 0),
    vat_rate          vat_rate NOT NULL,
    revenue_account   SMALLINT NOT NULL REFERENCES account (code),
    inventory_account SMALLINT REFERENCES account (code),
    cost_account      SMALLINT REFERENCES account (code),
    unit_cost         money_amount NOT NULL CHECK (unit_cost >= 0),
    active            BOOLEAN NOT NULL DEFAULT TRUE,
    CHECK ((inventory_account IS NULL) = (cost_account IS NULL))
);

CREATE TABLE laundry_service (
    id          UUID PRIMARY KEY,
    business_id UUID NOT NULL REFERENCES business (id),
    name        TEXT NOT NULL,
    pricing     TEXT NOT NULL CHECK (pricing IN ('per_kg', 'per_piece')),
    price       money_amount NOT NULL CHECK (price >= 0),
    vat_rate    vat_rate NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE cylinder_type (
    id             UUID PRIMARY KEY,
    business_id    UUID NOT NULL REFERENCES business (id),
    size_kg        quantity NOT NULL CHECK (size_kg > 0),
    brand          TEXT NOT NULL,
    gas_price      money_amount NOT NULL CHECK (gas_price >= 0),
    gas_cost       money_amount NOT NULL CHECK (gas_cost >= 0),
    cylinder_price money_amount NOT NULL CHECK (cylinder_price >= 0),
    cylinder_cost  money_amount NOT NULL CHECK (cylinder_cost >= 0),
    deposit        money_amount NOT NULL CHECK (deposit >= 0),
    vat_rate       vat_rate NOT NULL,
    active         BOOLEAN NOT NULL DEFAULT TRUE
);

-- Shared across businesses; created at head office or at any till (`customer.created`).
CREATE TABLE customer (
    id           UUID PRIMARY KEY,
    name         TEXT NOT NULL,
    phone        TEXT,
    credit_limit money_amount NOT NULL CHECK (credit_limit >= 0),
    active       BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE staff (
    id       UUID PRIMARY KEY,
    name     TEXT NOT NULL,
    role     TEXT NOT NULL CHECK (role IN ('cashier', 'supervisor', 'owner')),
    pin_hash TEXT NOT NULL,  -- argon2 PHC string; the PIN itself is never stored
    active   BOOLEAN NOT NULL DEFAULT TRUE
);

-- The people who sign in to head office (the owner's laptop): email and an argon2 password hash.
CREATE TABLE owner_user (
    id            UUID PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);


-- Master data in the JSON shapes of `tillbook-core` (catalog and chart types): what the merge
-- validates against and what the tills pull. Money and quantities as decimal strings.
CREATE VIEW business_wire AS
SELECT id, json_build_object('id', id, 'code', code, 'name', name, 'kind', kind, 'accounts', accounts) AS data
  FROM business;

CREATE VIEW account_wire AS
SELECT code, json_build_object('code', code::text, 'name', name, 'kind', kind, 'business', business_code,
                               'active', active) AS data
  FROM account;

CREATE VIEW product_wire AS
SELECT id, business_id, json_build_object(
           'id', id, 'business_id', business_id, 'name', name, 'barcode', barcode, 'unit', unit,
           'price', price::text, 'vat_rate', vat_rate::text, 'revenue_account', revenue_account::text,
           'stock', CASE WHEN inventory_account IS NULL THEN NULL
                         ELSE json_build_object('inventory', inventory_account::text,
                                                'cost_of_sales', cost_account::text) END,
           'unit_cost', unit_cost::text, 'active', active) AS data
  FROM product;

CREATE VIEW laundry_service_wire AS
SELECT id, business_id, json_build_object(
           'id', id, 'business_id', business_id, 'name', name, 'pricing', pricing, 'price', price::text,
           'vat_rate', vat_rate::text, 'active', active) AS data
  FROM laundry_service;

CREATE VIEW cylinder_type_wire AS
SELECT id, business_id, json_build_object(
           'id', id, 'business_id', business_id, 'size_kg', size_kg::text, 'brand', brand,
           'gas_price', gas_price::text, 'gas_cost', gas_cost::text, 'cylinder_price', cylinder_price::text,
           'cylinder_cost', cylinder_cost::text, 'deposit', deposit::text, 'vat_rate', vat_rate::text,
           'active', active) AS data
  FROM cylinder_type;

CREATE VIEW customer_wire AS
SELECT id, json_build_object('id', id, 'name', name, 'phone', phone, 'credit_limit', credit_limit::text,
                             'active', active) AS data
  FROM customer;

CREATE VIEW staff_wire AS
SELECT id, json_build_object('id', id, 'name', name, 'role', role, 'pin_hash', pin_hash, 'active', active) AS data
  FROM staff;

-- ---------------------------------------------------------------------------------------------
-- Tills. Only a hash of each device token is kept; a revoked till is answered 401.

CREATE TABLE device (
    id           UUID PRIMARY KEY,
    name         TEXT NOT NULL,
    till_code    TEXT NOT NULL UNIQUE,
    token_hash   BYTEA NOT NULL UNIQUE,
    app_version  TEXT NOT NULL,
    enrolled_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at   TIMESTAMPTZ,
    last_seq     BIGINT NOT NULL DEFAULT 0 CHECK (last_seq >= 0),  -- every event through here is merged
    last_seen_at TIMESTAMPTZ
);

CREATE TABLE device_business (
    device_id   UUID NOT NULL REFERENCES device (id),
    business_id UUID NOT NULL REFERENCES business (id),
    PRIMARY KEY (device_id, business_id)
);

-- One-time codes the owner hands to a new till; only their hash is kept.
CREATE TABLE enrollment_code (
    code_hash   BYTEA PRIMARY KEY,
    business_id UUID NOT NULL REFERENCES business (id),
    device_name TEXT NOT NULL,
    till_code   TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ,
    used_by     UUID REFERENCES device (id)
);

-- ---------------------------------------------------------------------------------------------
-- The ledger.

-- Gap-free numbers: journal entries and the change feed. Taking a number locks this row until
-- commit, so numbers are handed out in commit order and a rolled-back merge gives them back.
CREATE TABLE ledger_counter (
    id          BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
    last_entry  BIGINT NOT NULL DEFAULT 0,
    last_change BIGINT NOT NULL DEFAULT 0
);
INSERT INTO ledger_counter DEFAULT VALUES;

-- Every event as received, posted or not: the audit trail of what each till sent.
CREATE TABLE inbox (
    event_id     UUID PRIMARY KEY,
    device_id    UUID NOT NULL REFERENCES device (id),
    device_seq   BIGINT NOT NULL CHECK (device_seq > 0),
    event_type   TEXT NOT NULL,
    business_id  UUID NOT NULL,  -- as sent: may name a business that does not exist
    occurred_at  TIMESTAMPTZ NOT NULL,
    recorded_by  UUID,
    raw          JSONB NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    status       TEXT NOT NULL CHECK (status IN ('posted', 'quarantined')),
    entry_number BIGINT,
    UNIQUE (device_id, device_seq)
);

CREATE TABLE journal_entry (
    entry_number BIGINT PRIMARY KEY CHECK (entry_number > 0),
    entry_id     UUID NOT NULL UNIQUE,
    business_id  UUID NOT NULL REFERENCES business (id),
    event_id     UUID UNIQUE REFERENCES inbox (event_id),  -- NULL for entries made at head office
    event_type   TEXT NOT NULL,
    document_id  UUID,
    occurred_at  TIMESTAMPTZ NOT NULL,
    business_day DATE NOT NULL,
    posted_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX journal_entry_document ON journal_entry (document_id);
CREATE INDEX journal_entry_day ON journal_entry (business_id, business_day);

CREATE TABLE journal_line (
    entry_number BIGINT NOT NULL REFERENCES journal_entry (entry_number),
    line_no      SMALLINT NOT NULL CHECK (line_no >= 0),
    business_id  UUID NOT NULL,  -- the entry's, so a shared account still splits per business
    account_code SMALLINT NOT NULL REFERENCES account (code),
    debit        money_amount NOT NULL DEFAULT 0,
    credit       money_amount NOT NULL DEFAULT 0,
    -- one-sided and positive (DESIGN §8)
    CHECK ((debit > 0 AND credit = 0) OR (credit > 0 AND debit = 0)),
    PRIMARY KEY (entry_number, line_no)
);
CREATE INDEX journal_line_account ON journal_line (business_id, account_code);

-- Kept in the same transaction as the lines; `tillbook-server verify` recomputes it.
CREATE TABLE account_balance (
    business_id  UUID NOT NULL REFERENCES business (id),
    account_code SMALLINT NOT NULL REFERENCES account (code),
    debit_total  NUMERIC(16, 2) NOT NULL DEFAULT 0,
    credit_total NUMERIC(16, 2) NOT NULL DEFAULT 0,
    PRIMARY KEY (business_id, account_code)
);

-- Double entry, enforced by the database at commit: an entry's debits equal its credits, and
-- it has lines. Deferred, so the merge can insert an entry and then its lines.
CREATE FUNCTION check_entry_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    debits  NUMERIC;
    credits NUMERIC;
    lines   INTEGER;
BEGIN
    SELECT coalesce(sum(debit), 0), coalesce(sum(credit), 0), count(*)
      INTO debits, credits, lines
      FROM journal_line WHERE entry_number = NEW.entry_number;
    IF lines < 2 OR debits <> credits OR debits = 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance: debits %, credits %, % lines',
            NEW.entry_number, debits, credits, lines
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER journal_entry_balances AFTER INSERT ON journal_entry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_entry_balances();
CREATE CONSTRAINT TRIGGER journal_line_balances AFTER INSERT ON journal_line
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_entry_balances();

-- Immutability: corrections are reversal entries, never edits.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER journal_entry_immutable BEFORE UPDATE OR DELETE ON journal_entry
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER journal_line_immutable BEFORE UPDATE OR DELETE ON journal_line
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER inbox_immutable BEFORE UPDATE OR DELETE ON inbox
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER journal_entry_no_truncate BEFORE TRUNCATE ON journal_entry
    EXECUTE FUNCTION refuse_change();
CREATE TRIGGER journal_line_no_truncate BEFORE TRUNCATE ON journal_line
    EXECUTE FUNCTION refuse_change();

-- Events that cannot be true in a ledger, kept verbatim (in the inbox) with why. Resolutions are
-- rows of their own, so the queue itself is never edited.
CREATE TABLE quarantine (
    event_id       UUID PRIMARY KEY REFERENCES inbox (event_id),
    reason_code    TEXT NOT NULL,
    reason_message TEXT NOT NULL,
    quarantined_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TRIGGER quarantine_immutable BEFORE UPDATE OR DELETE ON quarantine
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Business facts the owner should look at, on events that were posted: stock below zero, an old
-- price, a clock far off, an M-Pesa code seen before.
CREATE TABLE posting_flag (
    id           BIGSERIAL PRIMARY KEY,
    event_id     UUID NOT NULL REFERENCES inbox (event_id),
    code         TEXT NOT NULL,
    message      TEXT NOT NULL,
    flagged_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX posting_flag_event ON posting_flag (event_id);

-- Every change made by a person, and every security event. Append-only; kept 7 years.
CREATE TABLE audit_log (
    id      BIGSERIAL PRIMARY KEY,
    at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL,
    details JSONB NOT NULL DEFAULT '{}'
);
CREATE TRIGGER audit_log_immutable BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- What the tills pull, in commit order (`seq` comes from ledger_counter.last_change). A change
-- with a business goes to that business's tills, one with a device to that till only, one with
-- neither to every till.
CREATE TABLE change_log (
    seq         BIGINT PRIMARY KEY,
    business_id UUID,
    device_id   UUID,
    entity      TEXT NOT NULL,
    op          TEXT NOT NULL CHECK (op IN ('upsert', 'deactivate')),
    data        JSONB NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------------------------
-- Operational tables: the documents behind the entries, for reports and for the tills.

-- Operational rows reference the entry or event they came from and the master data they name.
-- Their copies of the entry's business, device and event are not checked again by a foreign
-- key: each check is a query per row, and on the merge's hottest rows they were a third of its
-- checks while proving nothing the entry's own keys do not.
CREATE TABLE sale (
    sale_id        UUID PRIMARY KEY,
    event_id       UUID NOT NULL,  -- the entry's event
    entry_number   BIGINT NOT NULL REFERENCES journal_entry (entry_number),
    business_id    UUID NOT NULL,  -- the entry's business
    device_id      UUID NOT NULL,  -- the event's device
    kind           TEXT NOT NULL CHECK (kind IN ('sale', 'lpg', 'refund')),
    receipt_number TEXT NOT NULL,
    occurred_at    TIMESTAMPTZ NOT NULL,
    business_day   DATE NOT NULL,
    total          money_amount NOT NULL,
    original_id    UUID  -- a refund's sale
);
CREATE INDEX sale_day ON sale (business_id, business_day);

CREATE TABLE sale_line (
    sale_id    UUID NOT NULL REFERENCES sale (sale_id),
    line_no    SMALLINT NOT NULL,
    product_id UUID NOT NULL REFERENCES product (id),
    quantity   quantity NOT NULL,
    unit_price money_amount NOT NULL,
    discount   money_amount NOT NULL,
    vat_rate   vat_rate NOT NULL,
    line_total money_amount NOT NULL,
    PRIMARY KEY (sale_id, line_no)
);

-- Money in or out of a document: sales, refunds, payments, LPG exchanges.
CREATE TABLE tender (
    document_id UUID NOT NULL,
    line_no     SMALLINT NOT NULL,
    business_id UUID NOT NULL,  -- the document's entry's business
    method      TEXT NOT NULL CHECK (method IN ('cash', 'mpesa', 'credit')),
    amount      money_amount NOT NULL CHECK (amount > 0),
    mpesa_code  TEXT,
    customer_id UUID REFERENCES customer (id),
    occurred_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (document_id, line_no)
);
CREATE INDEX tender_mpesa_code ON tender (mpesa_code) WHERE mpesa_code IS NOT NULL;

-- Signed quantities: + in (receipts, production, returns, count surplus), − out.
CREATE TABLE stock_movement (
    id          BIGSERIAL PRIMARY KEY,
    business_id UUID NOT NULL,  -- the product's business
    product_id  UUID NOT NULL REFERENCES product (id),
    quantity    quantity NOT NULL CHECK (quantity <> 0),
    reason      TEXT NOT NULL,
    document_id UUID NOT NULL,
    event_id    UUID NOT NULL REFERENCES inbox (event_id),
    occurred_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX stock_movement_document ON stock_movement (document_id);

CREATE TABLE stock_level (
    product_id UUID PRIMARY KEY REFERENCES product (id),
    quantity   NUMERIC(16, 3) NOT NULL
);

CREATE TABLE lpg_exchange (
    sale_id          UUID PRIMARY KEY REFERENCES sale (sale_id),
    cylinder_type_id UUID NOT NULL REFERENCES cylinder_type (id),
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    empty_in         UUID REFERENCES cylinder_type (id),  -- the empty taken in, if any
    new_cylinder     TEXT CHECK (new_cylinder IN ('sale', 'deposit')),
    gas_total        money_amount NOT NULL,
    cylinder_total   money_amount NOT NULL
);

-- Full and empty cylinders, signed like stock movements.
CREATE TABLE cylinder_movement (
    id               BIGSERIAL PRIMARY KEY,
    cylinder_type_id UUID NOT NULL REFERENCES cylinder_type (id),
    full_delta       INTEGER NOT NULL,
    empty_delta      INTEGER NOT NULL,
    reason           TEXT NOT NULL,
    document_id      UUID NOT NULL,
    event_id         UUID NOT NULL REFERENCES inbox (event_id)
);
CREATE INDEX cylinder_movement_document ON cylinder_movement (document_id);

CREATE TABLE cylinder_stock (
    cylinder_type_id UUID PRIMARY KEY REFERENCES cylinder_type (id),
    full_count       INTEGER NOT NULL,
    empty_count      INTEGER NOT NULL
);

-- Credit sales and laundry jobs. Status is derived from allocations (DESIGN §5), except
-- `cancelled`, which is a fact of its own.
CREATE TABLE invoice (
    invoice_id   UUID PRIMARY KEY,
    business_id  UUID NOT NULL REFERENCES business (id),
    customer_id  UUID NOT NULL REFERENCES customer (id),
    number       TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('credit_sale', 'laundry')),
    issued_at    TIMESTAMPTZ NOT NULL,
    business_day DATE NOT NULL,
    amount       money_amount NOT NULL CHECK (amount > 0),
    event_id     UUID NOT NULL REFERENCES inbox (event_id)
);
CREATE INDEX invoice_customer ON invoice (customer_id);

CREATE TABLE invoice_cancellation (
    invoice_id UUID PRIMARY KEY REFERENCES invoice (invoice_id),
    event_id   UUID NOT NULL REFERENCES inbox (event_id)
);

CREATE TABLE payment (
    payment_id     UUID PRIMARY KEY,
    business_id    UUID NOT NULL REFERENCES business (id),
    customer_id    UUID NOT NULL REFERENCES customer (id),
    receipt_number TEXT NOT NULL,
    total          money_amount NOT NULL,
    unapplied      money_amount NOT NULL,
    occurred_at    TIMESTAMPTZ NOT NULL,
    event_id       UUID NOT NULL REFERENCES inbox (event_id)
);

-- Money applied to invoices: payments, refunds on credit (credit notes) and cancellations.
CREATE TABLE allocation (
    id          BIGSERIAL PRIMARY KEY,
    invoice_id  UUID NOT NULL REFERENCES invoice (invoice_id),
    document_id UUID NOT NULL,
    amount      money_amount NOT NULL CHECK (amount > 0),
    event_id    UUID NOT NULL REFERENCES inbox (event_id)
);
CREATE INDEX allocation_invoice ON allocation (invoice_id);

CREATE TABLE laundry_job (
    job_id        UUID PRIMARY KEY REFERENCES invoice (invoice_id),
    business_id   UUID NOT NULL REFERENCES business (id),
    ticket_number TEXT NOT NULL,
    customer_id   UUID NOT NULL REFERENCES customer (id),
    total         money_amount NOT NULL,
    promised_at   TIMESTAMPTZ NOT NULL,
    notes         TEXT NOT NULL,
    dropped_off_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE laundry_item (
    job_id      UUID NOT NULL REFERENCES laundry_job (job_id),
    line_no     SMALLINT NOT NULL,
    service_id  UUID NOT NULL REFERENCES laundry_service (id),
    description TEXT NOT NULL,
    quantity    quantity NOT NULL,
    unit_price  money_amount NOT NULL,
    line_total  money_amount NOT NULL,
    PRIMARY KEY (job_id, line_no)
);

-- A job's current status is its latest row here.
CREATE TABLE laundry_status_history (
    id          BIGSERIAL PRIMARY KEY,
    job_id      UUID NOT NULL REFERENCES laundry_job (job_id),
    from_status TEXT,
    to_status   TEXT NOT NULL CHECK (to_status IN ('received', 'washing', 'ready', 'collected', 'cancelled')),
    occurred_at TIMESTAMPTZ NOT NULL,
    event_id    UUID NOT NULL REFERENCES inbox (event_id)
);
CREATE INDEX laundry_status_job ON laundry_status_history (job_id, id);

-- Documents undone by a void; the void's own entry mirrors the original's.
CREATE TABLE voided_document (
    document_id UUID PRIMARY KEY,
    void_id     UUID NOT NULL,
    event_id    UUID NOT NULL REFERENCES inbox (event_id)
);

-- ---------------------------------------------------------------------------------------------
-- The runtime role. Roles belong to the cluster, so several databases (tests) share it; create
-- it once and tolerate a concurrent creator.
DO $$
BEGIN
    CREATE ROLE tillbook_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END $$;

GRANT USAGE ON SCHEMA public TO tillbook_app;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO tillbook_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO tillbook_app;
-- The ledger and its trail: insert only.
GRANT INSERT ON inbox, journal_entry, journal_line, quarantine, posting_flag, audit_log, change_log
    TO tillbook_app;
-- Running state the merge and the owner keep current.
GRANT INSERT, UPDATE ON account_balance, ledger_counter, device, device_business, enrollment_code,
    stock_level, cylinder_stock TO tillbook_app;
GRANT INSERT, UPDATE ON business, account, product, laundry_service, cylinder_type, customer, staff,
    owner_user TO tillbook_app;
GRANT INSERT ON sale, sale_line, tender, stock_movement, lpg_exchange, cylinder_movement, invoice,
    invoice_cancellation, payment, allocation, laundry_job, laundry_item, laundry_status_history,
    voided_document TO tillbook_app;
