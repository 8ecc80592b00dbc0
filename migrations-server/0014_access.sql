-- Who may do what at head office, what each till may know, and a trail that shows tampering
-- (issue "Head office that lets no one in where they don't belong"; DESIGN §8).

-- ---------------------------------------------------------------------------------------------
-- Users of head office have a role. An owner does everything; an accountant reads every report
-- and export and the review queue; a manager reports on, reviews and maintains their own
-- businesses only. A disabled user cannot sign in and their sessions end.
ALTER TABLE owner_user ADD COLUMN role TEXT NOT NULL DEFAULT 'owner'
    CHECK (role IN ('owner', 'accountant', 'manager'));
ALTER TABLE owner_user ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;

CREATE TABLE owner_user_business (
    user_id     UUID NOT NULL REFERENCES owner_user (id),
    business_id UUID NOT NULL REFERENCES business (id),
    PRIMARY KEY (user_id, business_id)
);

-- A session can be listed (without its token) and ended; `client` is the app's User-Agent.
ALTER TABLE owner_session ADD COLUMN id UUID;
UPDATE owner_session SET id = gen_random_uuid() WHERE id IS NULL;
ALTER TABLE owner_session ALTER COLUMN id SET NOT NULL;
ALTER TABLE owner_session ADD CONSTRAINT owner_session_id UNIQUE (id);
ALTER TABLE owner_session ADD COLUMN client TEXT NOT NULL DEFAULT '';
ALTER TABLE owner_session ADD COLUMN last_used_at TIMESTAMPTZ NOT NULL DEFAULT now();

GRANT SELECT, INSERT, UPDATE, DELETE ON owner_user_business TO tillbook_app;
GRANT UPDATE ON owner_session TO tillbook_app;

-- ---------------------------------------------------------------------------------------------
-- Staff work in businesses; a till learns of the staff of its own businesses only, and only
-- their current PIN hash (the change feed sends staff to each till by itself, see
-- `changes::publish_staff`). Everyone on staff today worked everywhere.
CREATE TABLE staff_business (
    staff_id    UUID NOT NULL REFERENCES staff (id),
    business_id UUID NOT NULL REFERENCES business (id),
    PRIMARY KEY (staff_id, business_id)
);
INSERT INTO staff_business (staff_id, business_id) SELECT s.id, b.id FROM staff s CROSS JOIN business b;
GRANT SELECT, INSERT, DELETE ON staff_business TO tillbook_app;

-- The newest staff row a till was sent, found without reading the feed.
CREATE INDEX change_log_staff ON change_log (device_id, (data ->> 'id'), seq) WHERE entity = 'staff';

-- Staff rows published to every till before this change carried every hash: tills enrolled
-- from now on are sent their own (device-addressed) rows instead, and each existing till gets
-- its current staff now.
DO $$
DECLARE
    published BIGINT;
BEGIN
    WITH rows AS (
        SELECT d.id AS device_id, s.id AS staff_id,
               EXISTS (SELECT 1 FROM staff_business sb JOIN device_business db ON db.business_id = sb.business_id
                        WHERE sb.staff_id = s.id AND db.device_id = d.id) AS works
          FROM device d CROSS JOIN staff s
         WHERE d.revoked_at IS NULL),
    inserted AS (
        INSERT INTO change_log (seq, device_id, entity, op, data)
        SELECT (SELECT last_change FROM ledger_counter) + row_number() OVER (ORDER BY r.device_id, r.staff_id),
               r.device_id, 'staff', 'upsert',
               jsonb_build_object('id', s.id, 'name', s.name, 'role', s.role,
                                  'pin_hash', CASE WHEN r.works THEN s.pin_hash ELSE '' END,
                                  'active', s.active AND r.works)
          FROM rows r JOIN staff s ON s.id = r.staff_id
        RETURNING seq)
    SELECT count(*) INTO published FROM inserted;
    UPDATE ledger_counter SET last_change = last_change + published;
END $$;

-- ---------------------------------------------------------------------------------------------
-- The audit log names its actor by id: a user of head office, a till, or the operator at the
-- command line (neither id). `actor` stays only on rows written before this change.
ALTER TABLE audit_log ALTER COLUMN actor DROP NOT NULL;
ALTER TABLE audit_log ADD COLUMN actor_user UUID REFERENCES owner_user (id);
ALTER TABLE audit_log ADD COLUMN actor_device UUID REFERENCES device (id);
ALTER TABLE audit_log ADD CONSTRAINT audit_log_one_actor CHECK (num_nonnulls(actor_user, actor_device) <= 1);

-- Each row carries the hash of the row before it and of its own content, so an edit made past
-- the triggers (by a superuser) or a row taken out shows in `verify`. The content is hashed as
-- one JSON array, so no two rows' fields can run together into the same text.
ALTER TABLE audit_log ADD COLUMN prev_hash BYTEA;
ALTER TABLE audit_log ADD COLUMN row_hash BYTEA;

CREATE FUNCTION audit_row_hash(prev BYTEA, r audit_log) RETURNS BYTEA LANGUAGE sql STABLE AS $$
    SELECT sha256(coalesce(prev, '\x'::bytea) || convert_to(json_build_array(
        r.id, to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), r.actor, r.actor_user,
        r.actor_device, r.action, r.subject, r.details)::text, 'UTF8'))
$$;

-- Rows already written are chained in id order, once.
DO $$
DECLARE
    r audit_log;
    previous BYTEA := NULL;
BEGIN
    ALTER TABLE audit_log DISABLE TRIGGER audit_log_immutable;
    FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
        UPDATE audit_log SET prev_hash = previous, row_hash = audit_row_hash(previous, r) WHERE id = r.id;
        previous := audit_row_hash(previous, r);
    END LOOP;
    ALTER TABLE audit_log ENABLE TRIGGER audit_log_immutable;
END $$;

-- A new row takes the chain's lock (held until its transaction ends), then its id, so ids run
-- in chain order, and links to the newest row.
CREATE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    previous BYTEA;
BEGIN
    PERFORM pg_advisory_xact_lock(7365, 1); -- the audit chain
    NEW.id := nextval(pg_get_serial_sequence('audit_log', 'id'));
    SELECT row_hash INTO previous FROM audit_log ORDER BY id DESC LIMIT 1;
    NEW.prev_hash := previous;
    NEW.row_hash := audit_row_hash(previous, NEW);
    RETURN NEW;
END $$;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_chain();

-- The trail as people read it: who, by name.
CREATE VIEW audit_trail AS
SELECT a.id, a.at, coalesce(u.email, 'till ' || d.till_code, a.actor, 'operator (command line)') AS actor,
       a.actor_user, a.actor_device, a.action, a.subject, a.details
  FROM audit_log a
  LEFT JOIN owner_user u ON u.id = a.actor_user
  LEFT JOIN device d ON d.id = a.actor_device;
GRANT SELECT ON audit_trail TO tillbook_app;

-- ---------------------------------------------------------------------------------------------
-- TRUNCATE is refused on every append-only table, as on the journal since the start: a trigger
-- binds the schema owner too, who has the privilege.
DO $$
DECLARE
    name TEXT;
BEGIN
    FOREACH name IN ARRAY ARRAY['inbox', 'quarantine', 'posting_flag', 'audit_log', 'change_log', 'sale',
        'sale_line', 'tender', 'stock_movement', 'lpg_exchange', 'cylinder_movement', 'invoice',
        'invoice_cancellation', 'payment', 'allocation', 'laundry_job', 'laundry_item',
        'laundry_status_history', 'voided_document', 'review_resolution', 'mpesa_statement',
        'mpesa_receipt', 'mpesa_mismatch'] LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I EXECUTE FUNCTION refuse_change()',
                       name || '_no_truncate', name);
    END LOOP;
END $$;
