-- A till whose whole batch the server refused (an envelope it cannot place, a body too large, an
-- event id reused): its work is stuck behind that batch. The owner's tills report shows the till
-- as stuck with the server's reason until a push from it is merged again (DESIGN §7).
ALTER TABLE device
    ADD COLUMN refused_code    TEXT,
    ADD COLUMN refused_message TEXT,
    ADD COLUMN refused_at      TIMESTAMPTZ;
