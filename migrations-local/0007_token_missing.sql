-- "Token missing" is not "revoked" (DESIGN §7): after a restart cleared the keyring, the server
-- still trusts the till and a re-enrolment code brings it back with everything it recorded;
-- revoked means the owner (or a re-enrolment elsewhere) ended its token. SQLite cannot change a
-- CHECK in place, so the one-row table is rebuilt with the new state allowed.
CREATE TABLE sync_state_new (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    server_url      TEXT,
    device_status   TEXT NOT NULL DEFAULT 'not_enrolled'
                    CHECK (device_status IN ('not_enrolled', 'enrolled', 'revoked', 'token_missing')),
    pull_cursor     INTEGER NOT NULL DEFAULT 0 CHECK (pull_cursor >= 0),
    last_push_at    TEXT,
    last_pull_at    TEXT,
    last_error      TEXT,
    last_error_at   TEXT,
    last_nightly_on TEXT
);
INSERT INTO sync_state_new SELECT id, server_url, device_status, pull_cursor, last_push_at, last_pull_at,
       last_error, last_error_at, last_nightly_on FROM sync_state;
DROP TABLE sync_state;
ALTER TABLE sync_state_new RENAME TO sync_state;
