-- A row per M-Pesa code a merge has named, locked by each merge that names it until it commits
-- (`changes::lock_for_merge`), so that two merges recording the same code one after the other
-- judge it against each other's tenders and the second flags it, while merges naming different
-- codes never wait for each other. Before, codes were hashed into 32 advisory-lock buckets: a
-- batch with a day's M-Pesa sales named every bucket, and all merges ran one at a time
-- (docs/benchmarks.md, "Year seven at full speed"). A row lock lives in the row, not in
-- Postgres's bounded lock table, so a batch can name as many codes as it has.
--
-- Nothing else reads it: whether a code was already recorded is still decided from `tender`.
-- Codes merged before this migration have no row; the first merge naming one again inserts it.
CREATE TABLE mpesa_code_guard (
    code TEXT PRIMARY KEY
);
GRANT SELECT, INSERT, UPDATE ON mpesa_code_guard TO tillbook_app;
