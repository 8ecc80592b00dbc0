-- Wrong PINs at this till (issue "Head office that lets no one in"): after 5 in a row a member
-- of staff is locked for 5 minutes, or until a supervisor unlocks them. Kept on disk, so that
-- restarting the app does not give a guesser five more tries.
CREATE TABLE pin_lock (
    staff_id     TEXT PRIMARY KEY REFERENCES staff (id),
    failures     INTEGER NOT NULL CHECK (failures >= 0),
    locked_until TEXT  -- RFC 3339, UTC; NULL while not locked
);
