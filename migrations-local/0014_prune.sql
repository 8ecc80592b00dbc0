-- Pruning what head office has acknowledged (docs/till-store.md "At year seven"). Head office
-- and the nightly backups hold every event; after 90 days the till keeps of a plain sale only
-- its outbox row without the JSON (device_seq, event id, status, entry number), and carries
-- what its journal lines and stock movements added up to in running totals, so the till's trial
-- balance and stock levels stay what they were.

-- Holds one row only inside a prune's transaction: the immutability triggers below let that
-- transaction, and nothing else, delete journal lines and stock movements and drop an event's
-- JSON.
CREATE TABLE pruning (
    active INTEGER PRIMARY KEY CHECK (active = 1)
);

-- What the pruned entries' lines added up to, per account.
CREATE TABLE journal_carried (
    account      INTEGER PRIMARY KEY REFERENCES account (code),
    debit_cents  INTEGER NOT NULL CHECK (debit_cents >= 0),
    credit_cents INTEGER NOT NULL CHECK (credit_cents >= 0)
) WITHOUT ROWID;

-- What the pruned stock movements added up to, per product: stock_level = this + the movements.
CREATE TABLE stock_carried (
    product_id     TEXT PRIMARY KEY REFERENCES product (id),
    quantity_milli INTEGER NOT NULL
) WITHOUT ROWID;

-- A pruned sale's receipt number and day, so that a refund, a void or a reprint asked of it says
-- why the till cannot, rather than that it never sold it.
CREATE TABLE pruned_sale (
    receipt_number TEXT PRIMARY KEY,
    business_day   TEXT NOT NULL
) WITHOUT ROWID;

-- The day an event's JSON was dropped; its payload is then ''.
ALTER TABLE outbox ADD COLUMN pruned_on TEXT;

-- A sale's movements and refunds are found by the sale (a void reverses them; the prune skips
-- refunded sales) rather than by scanning every row. The day's refunds by their day: with only
-- the index by sale, the first screen read every sale of the business to find today's refunds
-- (6 s at year seven). The day's events by their day, for the shift's close.
CREATE INDEX stock_movement_document ON stock_movement (document_id);
CREATE INDEX refund_sale ON refund (sale_id);
CREATE INDEX refund_day ON refund (business_day);
CREATE INDEX outbox_day ON outbox (business_id, business_day);

DROP TRIGGER journal_line_no_delete;
CREATE TRIGGER journal_line_no_delete BEFORE DELETE ON journal_line WHEN NOT EXISTS (SELECT 1 FROM pruning)
BEGIN SELECT RAISE(ABORT, 'journal lines are immutable: record a reversal'); END;

DROP TRIGGER journal_entry_no_delete;
CREATE TRIGGER journal_entry_no_delete BEFORE DELETE ON journal_entry WHEN NOT EXISTS (SELECT 1 FROM pruning)
BEGIN SELECT RAISE(ABORT, 'journal entries are never deleted'); END;

DROP TRIGGER stock_movement_kept;
CREATE TRIGGER stock_movement_kept BEFORE DELETE ON stock_movement WHEN NOT EXISTS (SELECT 1 FROM pruning)
BEGIN SELECT RAISE(ABORT, 'stock movements are never deleted'); END;

DROP TRIGGER outbox_fixed;
CREATE TRIGGER outbox_fixed BEFORE UPDATE OF device_seq, event_id, event_type, business_id, business_day,
    payload ON outbox
WHEN NOT EXISTS (SELECT 1 FROM pruning)
  OR NEW.device_seq IS NOT OLD.device_seq OR NEW.event_id IS NOT OLD.event_id
  OR NEW.event_type IS NOT OLD.event_type OR NEW.business_id IS NOT OLD.business_id
  OR NEW.business_day IS NOT OLD.business_day OR OLD.status <> 'posted' OR NEW.payload <> ''
BEGIN SELECT RAISE(ABORT, 'an event is never changed once recorded'); END;
