-- The Z reports reach head office (issue "The books a Kenyan owner files"): each shift a till
-- opened and closed, with the float, the cash expected and counted and the difference, so the
-- owner sees over/short per cashier and day. Written by the merge from `shift.opened` and
-- `shift.closed`, keyed by the event (a till that sent one shift twice cannot make a merge
-- fail); append-only like every other document table.
CREATE TABLE shift_opened (
    event_id     UUID PRIMARY KEY REFERENCES inbox (event_id),
    shift_id     UUID NOT NULL,
    business_id  UUID NOT NULL REFERENCES business (id),
    device_id    UUID NOT NULL REFERENCES device (id),
    opened_by    UUID,
    float        NUMERIC(14, 2) NOT NULL,
    occurred_at  TIMESTAMPTZ NOT NULL,
    business_day DATE NOT NULL
);
CREATE INDEX shift_opened_shift ON shift_opened (shift_id);

CREATE TABLE shift_closed (
    event_id     UUID PRIMARY KEY REFERENCES inbox (event_id),
    shift_id     UUID NOT NULL,
    business_id  UUID NOT NULL REFERENCES business (id),
    device_id    UUID NOT NULL REFERENCES device (id),
    closed_by    UUID,
    expected     NUMERIC(14, 2) NOT NULL,
    counted      NUMERIC(14, 2) NOT NULL,
    difference   NUMERIC(14, 2) NOT NULL,
    occurred_at  TIMESTAMPTZ NOT NULL,
    business_day DATE NOT NULL
);
CREATE INDEX shift_closed_day ON shift_closed (business_day, business_id);

CREATE TRIGGER shift_opened_immutable BEFORE UPDATE OR DELETE ON shift_opened FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER shift_closed_immutable BEFORE UPDATE OR DELETE ON shift_closed FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER shift_opened_no_truncate BEFORE TRUNCATE ON shift_opened EXECUTE FUNCTION refuse_change();
CREATE TRIGGER shift_closed_no_truncate BEFORE TRUNCATE ON shift_closed EXECUTE FUNCTION refuse_change();
GRANT SELECT, INSERT ON shift_opened, shift_closed TO tillbook_app;

-- The shifts merged before this migration, from the events as received. Their business day is
-- the day of the shift's close in the group's default zone (head office's own is not known
-- to a migration); a group in another zone sees old shifts on the day of that zone.
INSERT INTO shift_opened
SELECT i.event_id, (i.raw -> 'document' ->> 'shift_id')::uuid, i.business_id, i.device_id, i.recorded_by,
       (i.raw -> 'document' ->> 'float')::numeric, i.occurred_at, (i.occurred_at AT TIME ZONE 'Africa/Nairobi')::date
  FROM inbox i
 WHERE i.event_type = 'shift.opened' AND i.status = 'posted';
INSERT INTO shift_closed
SELECT i.event_id, (i.raw -> 'document' ->> 'shift_id')::uuid, i.business_id, i.device_id, i.recorded_by,
       (i.raw -> 'document' ->> 'expected_cash')::numeric, (i.raw -> 'document' ->> 'counted_cash')::numeric,
       (i.raw -> 'document' ->> 'difference')::numeric, i.occurred_at,
       (i.occurred_at AT TIME ZONE 'Africa/Nairobi')::date
  FROM inbox i
 WHERE i.event_type = 'shift.closed' AND i.status = 'posted';
