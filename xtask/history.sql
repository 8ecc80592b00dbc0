-- Seven years (by default) of synthetic history for the three demo businesses, written straight
-- into a migrated and seeded central database with set-based SQL (not through the merge, which
-- would take hours): `cargo xtask history` runs it, `cargo xtask bench reports` measures the
-- owner's reports on what it leaves. Every row is one the merge could have written — an inbox
-- event per entry, sales, invoices, allocations — and the running totals are summed from the
-- lines afterwards; the benchmark runs `verify` on the result before timing anything.
--
-- A day, on average: the water shop sells 260 refills and bottles; the shop 192 baskets for cash
-- or M-Pesa and 8 on account (paid 25 days later, 1 in 40 never); the laundry takes 40 jobs on
-- account (paid at collection 2 days later, 1 in 50 never); each business banks its day's cash,
-- and the shop takes a delivery each Monday, paid a week later. About 540 entries and 2,000
-- lines a day: 1.38 M entries and 5.1 M lines over 7 years.
--
-- The number of years is the setting `history.years` (default 7), so that plain SQL runs it:
-- the benchmark through sqlx, `cargo xtask history` through psql. Amounts vary with the day and
-- the document's number, not at random, so two runs generate the same books.

BEGIN;
-- Triggers (the deferred balance check, foreign keys, running totals) are off while the rows go
-- in, set-based, and the running totals are summed afterwards; `verify` checks all of it.
SET LOCAL session_replication_role = replica;

-- Ids as the tills mint them: UUIDv7, whose first 48 bits are the time in milliseconds, so that
-- seven years of ids sort before today's and a new one goes in at the right-hand edge of every
-- index on them, as in a real ledger. (Random v4 ids put each new one somewhere in the middle of
-- seven years of them: the merge at year 7 measured a sixth slower for it.)
CREATE FUNCTION pg_temp.uuid_v7(at TIMESTAMPTZ) RETURNS UUID LANGUAGE sql VOLATILE AS $$
    SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                                          PLACING substring(int8send((extract(epoch FROM at) * 1000)::bigint) FROM 3)
                                          FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
$$;

CREATE TEMP TABLE gen_setting ON COMMIT DROP AS
SELECT coalesce(nullif(current_setting('history.years', true), ''), '7')::int AS years;

CREATE TEMP TABLE gen_business ON COMMIT DROP AS
SELECT b.id, b.code, d.id AS device_id, d.till_code,
       (b.accounts->>'cash')::smallint AS cash, (b.accounts->>'mpesa')::smallint AS mpesa,
       (b.accounts->>'receivable')::smallint AS receivable,
       CASE b.code WHEN 'WATER' THEN 4100 WHEN 'LAUNDRY' THEN 4200 ELSE 4300 END::smallint AS revenue
  FROM business b
  JOIN (VALUES ('WATER', 'H1'), ('LAUNDRY', 'H2'), ('RETAIL', 'H3')) AS t (code, till_code) USING (code)
  CROSS JOIN LATERAL (SELECT gen_random_uuid() AS id, t.till_code) d;

INSERT INTO device (id, name, till_code, token_hash, app_version, enrolled_at, last_seq, last_seen_at)
SELECT device_id, 'History till ' || code, till_code, decode(md5(device_id::text), 'hex'), 'history',
       now() - make_interval(days => s.years * 366), 0, now()
  FROM gen_business CROSS JOIN gen_setting s;
INSERT INTO device_business (device_id, business_id) SELECT device_id, id FROM gen_business;

CREATE TEMP TABLE gen_customer ON COMMIT DROP AS
SELECT n, gen_random_uuid() AS id FROM generate_series(0, 199) n;
INSERT INTO customer (id, name, phone, credit_limit)
SELECT id, 'History customer ' || n, NULL, 20000 FROM gen_customer;

CREATE TEMP TABLE gen_day ON COMMIT DROP AS
SELECT d::date AS day, (d::date - (current_date - s.years * 365))::int AS n
  FROM gen_setting s CROSS JOIN generate_series(current_date - s.years * 365, current_date, interval '1 day') d;

-- One row per document; each becomes one event, one entry and its lines. `dr`/`cr` are the
-- accounts of the amount, `vat` is credited to 2200 out of it, `cost` moves from inventory
-- (1220) to cost of sales (5300).
CREATE TEMP TABLE gen_doc (
    seq        BIGSERIAL,
    business   TEXT NOT NULL,
    event_type TEXT NOT NULL,
    day        DATE NOT NULL,
    k          INT NOT NULL,
    amount     NUMERIC(14, 2) NOT NULL,
    vat        NUMERIC(14, 2) NOT NULL DEFAULT 0,
    cost       NUMERIC(14, 2) NOT NULL DEFAULT 0,
    dr         SMALLINT NOT NULL,
    cr         SMALLINT NOT NULL,
    method     TEXT,                   -- cash, mpesa or credit, for sales and payments
    customer   INT,
    invoice_of BIGINT,                 -- a payment's invoice (its document's seq)
    -- Set once every document is in: when it happened, and ids of that time.
    occurred_at TIMESTAMPTZ,
    id         UUID,
    event_id   UUID
) ON COMMIT DROP;

-- Water: refills and bottles, 16% VAT included, cash or M-Pesa.
INSERT INTO gen_doc (business, event_type, day, k, amount, vat, dr, cr, method)
SELECT 'WATER', 'sale.recorded', d.day, k, a.amount, round(a.amount * 16 / 116, 2),
       CASE WHEN (k + d.n) % 3 = 0 THEN b.mpesa ELSE b.cash END, b.revenue,
       CASE WHEN (k + d.n) % 3 = 0 THEN 'mpesa' ELSE 'cash' END
  FROM gen_day d CROSS JOIN generate_series(1, 250 + d.n % 21) k
  JOIN gen_business b ON b.code = 'WATER'
  CROSS JOIN LATERAL (SELECT ((ARRAY[25, 40, 70, 30, 50, 450])[1 + (k * 7 + d.n) % 6] * (1 + k % 3))::numeric AS amount) a;

-- The shop: a basket of goods, its cost 80% of the price; zero-rated (basic foods) one time in
-- three. Eight a day on a customer's account.
INSERT INTO gen_doc (business, event_type, day, k, amount, vat, cost, dr, cr, method, customer)
SELECT 'RETAIL', 'sale.recorded', d.day, k, a.amount,
       CASE WHEN (k + d.n) % 3 = 1 THEN 0 ELSE round(a.amount * 16 / 116, 2) END, round(a.amount * 0.8, 2),
       CASE WHEN k <= 8 THEN b.receivable WHEN (k + d.n) % 2 = 0 THEN b.mpesa ELSE b.cash END, b.revenue,
       CASE WHEN k <= 8 THEN 'credit' WHEN (k + d.n) % 2 = 0 THEN 'mpesa' ELSE 'cash' END,
       CASE WHEN k <= 8 THEN (k * 31 + d.n * 7) % 200 END
  FROM gen_day d CROSS JOIN generate_series(1, 190 + d.n % 21) k
  JOIN gen_business b ON b.code = 'RETAIL'
  CROSS JOIN LATERAL (SELECT ((ARRAY[210, 65, 60, 180, 350, 165])[1 + (k * 5 + d.n) % 6] * (1 + k % 4))::numeric AS amount) a;

-- The laundry: jobs on the customer's account, paid at collection.
INSERT INTO gen_doc (business, event_type, day, k, amount, vat, dr, cr, method, customer)
SELECT 'LAUNDRY', 'laundry.dropped_off', d.day, k, a.amount, round(a.amount * 16 / 116, 2), b.receivable, b.revenue,
       'credit', (k * 17 + d.n * 3) % 200
  FROM gen_day d CROSS JOIN generate_series(1, 35 + d.n % 11) k
  JOIN gen_business b ON b.code = 'LAUNDRY'
  CROSS JOIN LATERAL (SELECT ((ARRAY[360, 540, 240, 650, 700, 120])[1 + (k * 3 + d.n) % 6])::numeric AS amount) a;

-- Payments of invoices not left unpaid, on the day they fall, up to today.
INSERT INTO gen_doc (business, event_type, day, k, amount, dr, cr, method, customer, invoice_of)
SELECT i.business, 'payment.received', i.day + CASE i.business WHEN 'LAUNDRY' THEN 2 ELSE 25 END, i.k, i.amount,
       CASE WHEN i.k % 2 = 0 THEN b.mpesa ELSE b.cash END, b.receivable,
       CASE WHEN i.k % 2 = 0 THEN 'mpesa' ELSE 'cash' END, i.customer, i.seq
  FROM gen_doc i JOIN gen_business b ON b.code = i.business
 WHERE i.method = 'credit'
   AND i.seq % CASE i.business WHEN 'LAUNDRY' THEN 50 ELSE 40 END <> 0
   AND i.day + CASE i.business WHEN 'LAUNDRY' THEN 2 ELSE 25 END <= current_date;

-- Each business banks the day's cash the same evening.
INSERT INTO gen_doc (business, event_type, day, k, amount, dr, cr)
SELECT g.business, 'cash.moved', g.day, 0, sum(g.amount), 1170, b.cash
  FROM gen_doc g JOIN gen_business b ON b.code = g.business
 WHERE g.method = 'cash'
 GROUP BY g.business, g.day, b.cash;

-- The shop's delivery each Monday (what the week's goods cost), paid a week later from the bank.
INSERT INTO gen_doc (business, event_type, day, k, amount, dr, cr)
SELECT 'RETAIL', 'stock.received', date_trunc('week', day)::date, 0, sum(cost), 1220, 2110
  FROM gen_doc WHERE business = 'RETAIL' AND cost > 0 GROUP BY 3;
INSERT INTO gen_doc (business, event_type, day, k, amount, dr, cr)
SELECT 'RETAIL', 'supplier.paid', day + 7, 0, amount, 2110, 1170
  FROM gen_doc WHERE event_type = 'stock.received' AND day + 7 <= current_date;

UPDATE gen_doc SET (occurred_at, id, event_id) = (
    SELECT at, pg_temp.uuid_v7(at), pg_temp.uuid_v7(at)
      FROM (SELECT (day + time '07:00' + make_interval(secs => (k * 97 + seq) % 43200)) AT TIME ZONE 'Africa/Nairobi' AS at) t);

-- Entries numbered per business in the order of the days, after whatever it already holds.
CREATE TEMP TABLE gen_entry ON COMMIT DROP AS
SELECT g.*, b.id AS business_id, b.device_id,
       (SELECT coalesce(max(entry_number), 0) FROM journal_entry e WHERE e.business_id = b.id)
         + row_number() OVER (PARTITION BY g.business ORDER BY g.day, g.seq) AS entry_number,
       row_number() OVER (PARTITION BY g.business ORDER BY g.day, g.seq) AS device_seq
  FROM gen_doc g JOIN gen_business b ON b.code = g.business;

INSERT INTO inbox (event_id, device_id, device_seq, event_type, business_id, occurred_at, raw, received_at, status)
SELECT event_id, device_id, device_seq, event_type, business_id, occurred_at,
       jsonb_build_object('generated', 'history', 'type', event_type), occurred_at, 'posted'
  FROM gen_entry;

INSERT INTO journal_entry (entry_number, entry_id, business_id, event_id, event_type, document_id, occurred_at, business_day, posted_at)
SELECT entry_number, pg_temp.uuid_v7(occurred_at), business_id, event_id, event_type, id, occurred_at, day, occurred_at
  FROM gen_entry;

INSERT INTO journal_line (entry_number, line_no, business_id, account_code, debit, credit)
SELECT e.entry_number, row_number() OVER (PARTITION BY e.business_id, e.entry_number ORDER BY l.line_no) - 1, e.business_id,
       l.account, l.debit, l.credit
  FROM gen_entry e
 CROSS JOIN LATERAL (VALUES (0, e.dr, e.amount, 0::numeric), (1, e.cr, 0, e.amount - e.vat), (2, 2200::smallint, 0, e.vat),
                            (3, 5300::smallint, e.cost, 0), (4, 1220::smallint, 0, e.cost)) l (line_no, account, debit, credit)
 WHERE l.debit > 0 OR l.credit > 0;

INSERT INTO sale (sale_id, event_id, business_id, device_id, kind, receipt_number, occurred_at, business_day, total)
SELECT e.id, e.event_id, e.business_id, e.device_id, 'sale', b.till_code || '-' || e.device_seq,
       e.occurred_at, e.day, e.amount
  FROM gen_entry e JOIN gen_business b USING (device_id)
 WHERE e.event_type = 'sale.recorded';

INSERT INTO invoice (invoice_id, business_id, customer_id, number, kind, issued_at, business_day, amount, event_id)
SELECT e.id, e.business_id, c.id, 'INV-' || e.business || '-' || e.device_seq,
       CASE e.business WHEN 'LAUNDRY' THEN 'laundry' ELSE 'credit_sale' END, e.occurred_at, e.day, e.amount, e.event_id
  FROM gen_entry e JOIN gen_customer c ON c.n = e.customer
 WHERE e.method = 'credit' AND e.event_type <> 'payment.received';

INSERT INTO payment (payment_id, business_id, customer_id, receipt_number, total, unapplied, occurred_at, event_id)
SELECT e.id, e.business_id, c.id, 'PAY-' || e.business || '-' || e.device_seq, e.amount, 0, e.occurred_at, e.event_id
  FROM gen_entry e JOIN gen_customer c ON c.n = e.customer
 WHERE e.event_type = 'payment.received';

INSERT INTO allocation (invoice_id, document_id, amount, event_id)
SELECT i.id, p.id, p.amount, p.event_id
  FROM gen_entry p JOIN gen_doc i ON i.seq = p.invoice_of
 WHERE p.event_type = 'payment.received';

-- The running totals the triggers would have kept, and each till's place in its sequence.
INSERT INTO account_day_total (business_id, account_code, business_day, debit_total, credit_total)
SELECT l.business_id, l.account_code, e.business_day, sum(l.debit), sum(l.credit)
  FROM journal_line l JOIN journal_entry e USING (business_id, entry_number)
  JOIN gen_entry g USING (business_id, entry_number)
 GROUP BY 1, 2, 3
ON CONFLICT (business_id, business_day, account_code) DO UPDATE
   SET debit_total = account_day_total.debit_total + excluded.debit_total,
       credit_total = account_day_total.credit_total + excluded.credit_total;

INSERT INTO account_balance (business_id, account_code, debit_total, credit_total)
SELECT l.business_id, l.account_code, sum(l.debit), sum(l.credit)
  FROM journal_line l JOIN gen_entry g USING (business_id, entry_number)
 GROUP BY 1, 2
ON CONFLICT (business_id, account_code) DO UPDATE
   SET debit_total = account_balance.debit_total + excluded.debit_total,
       credit_total = account_balance.credit_total + excluded.credit_total;

INSERT INTO invoice_settlement (invoice_id, customer_id, amount, paid, cancelled, last_day)
SELECT i.invoice_id, i.customer_id, i.amount,
       coalesce((SELECT sum(a.amount) FROM allocation a WHERE a.invoice_id = i.invoice_id), 0), false,
       (SELECT max(e.business_day) FROM allocation a JOIN journal_entry e ON e.event_id = a.event_id
         WHERE a.invoice_id = i.invoice_id)
  FROM invoice i JOIN gen_entry g ON g.id = i.invoice_id;

INSERT INTO sales_day_total (business_id, business_day, device_id, sales_count, gross, refunds)
SELECT business_id, day, device_id, count(*), sum(amount), 0
  FROM gen_entry WHERE event_type = 'sale.recorded'
 GROUP BY 1, 2, 3;

-- The counters the merge numbers from: each business's entries and the changes continue after
-- the history, so that the first push to this database takes the next number (`verify` checks
-- them).
INSERT INTO business_entry_counter (business_id, last_entry)
SELECT business_id, max(entry_number) FROM journal_entry GROUP BY business_id
ON CONFLICT (business_id) DO UPDATE SET last_entry = EXCLUDED.last_entry;
UPDATE ledger_counter SET last_change = greatest(last_change, (SELECT coalesce(max(seq), 0) FROM change_log));

UPDATE device d SET last_seq = s.last_seq
  FROM (SELECT device_id, max(device_seq) AS last_seq FROM gen_entry GROUP BY 1) s
 WHERE d.id = s.device_id;

COMMIT;
ANALYZE;

SELECT (SELECT count(*) FROM journal_entry) AS entries, (SELECT count(*) FROM journal_line) AS lines,
       (SELECT count(*) FROM invoice) AS invoices, (SELECT count(*) FROM allocation) AS allocations;
