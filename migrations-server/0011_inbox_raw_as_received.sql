-- The inbox keeps each event exactly as the till sent it (DESIGN §7: "the inbox keeps every
-- event as received, for audit"): `json` stores the text byte for byte, where `jsonb` took it
-- apart, dropped its spacing and key order, and cost the merge most of the inbox's write time
-- (measured by the merge benchmark; docs/benchmarks.md). Nothing searches inside `raw`; the
-- review queue reads one field of one event at a time, which `json` answers as well.
--
-- ALTER TABLE rewrites the table without firing inbox_immutable: the events keep their content,
-- now as jsonb had normalised it.
ALTER TABLE inbox ALTER COLUMN raw TYPE json USING raw::json;
