-- Two indexes no query reads, and every merge pays for on each row it writes:
--
-- * journal_line_account (business_id, account_code): balances per account are kept in
--   account_balance and account_day_total (DESIGN §8), and every report reads those; the only
--   readers of journal_line are verify and the hledger export, which read it whole, and the
--   merge's own checks, which look lines up by entry. A journal line went into three indexes;
--   now two.
-- * sale_day (business_id, business_day): the sales reports read sales_day_total; sale is read by
--   its key or whole (verify).
--
-- Measured by the merge benchmark's floor (binary COPY of the merge's own rows into copies of
-- its tables): see docs/benchmarks.md. Should a report come to need lines of one account, it
-- should index (business_id, account_code, entry_number), which also orders them.
DROP INDEX journal_line_account;
DROP INDEX sale_day;
