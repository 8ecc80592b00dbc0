-- Suppliers (pulled from head office like customers): who goods received are from, and who a
-- supplier payment pays. What is owed to them is head office's to work out.
CREATE TABLE supplier (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kra_pin    TEXT NOT NULL DEFAULT '',
    phone      TEXT,
    terms_days INTEGER NOT NULL CHECK (terms_days BETWEEN 0 AND 365),
    active     INTEGER NOT NULL DEFAULT 1
);
