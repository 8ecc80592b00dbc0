-- Laundry jobs of the business dropped off at other tills are pulled into `invoice` and
-- `laundry_job` like the till's own, so a customer can pay and collect at any counter of the
-- business (DESIGN §6). What other tills took against an invoice is kept here, apart from this
-- till's own allocations, as the server last published it.
ALTER TABLE invoice ADD COLUMN paid_elsewhere_cents INTEGER NOT NULL DEFAULT 0 CHECK (paid_elsewhere_cents >= 0);
