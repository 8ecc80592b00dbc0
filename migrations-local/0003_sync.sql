-- Background sync (DESIGN §6–§7): where the till syncs to, how far it has pulled, and what the
-- counter's sync badge shows. The device token is not here: it lives in the OS keyring only.

CREATE TABLE sync_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    server_url      TEXT,
    -- enrolled: the token is in the keyring; revoked: the server answered 401 device_revoked
    -- (or an unknown token), so the till records on but cannot push until re-enrolled.
    device_status   TEXT NOT NULL DEFAULT 'not_enrolled'
                    CHECK (device_status IN ('not_enrolled', 'enrolled', 'revoked')),
    pull_cursor     INTEGER NOT NULL DEFAULT 0 CHECK (pull_cursor >= 0),
    last_push_at    TEXT,
    last_pull_at    TEXT,
    last_error      TEXT,
    last_error_at   TEXT,
    -- The local date of the last completed nightly sync, so it runs once a night.
    last_nightly_on TEXT
);
INSERT INTO sync_state (id) VALUES (1);

-- What other tills of this till's businesses did that this till needs to see: open laundry jobs
-- and customer balances, as the server last published them (server-wins).
CREATE TABLE shared_state (
    entity     TEXT NOT NULL,
    id         TEXT NOT NULL,
    data       TEXT NOT NULL,  -- JSON as pulled
    pulled_seq INTEGER NOT NULL,
    PRIMARY KEY (entity, id)
);
