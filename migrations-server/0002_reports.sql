-- The owner's reports (DESIGN §9) and starting from existing books.
--
-- Reports read running totals, never a scan of seven years of lines: `account_day_total` (per
-- business, account and business day) and `sales_day_total` (per business, till and day) are
-- kept by statement-level triggers in the same transaction as the rows they sum, whoever writes
-- them (the merge, a correcting entry, the importer). `tillbook-server verify` recomputes both.

CREATE TABLE account_day_total (
    business_id  UUID NOT NULL REFERENCES business (id),
    account_code SMALLINT NOT NULL REFERENCES account (code),
    business_day DATE NOT NULL,
    debit_total  NUMERIC(16, 2) NOT NULL,
    credit_total NUMERIC(16, 2) NOT NULL,
    PRIMARY KEY (business_id, business_day, account_code)
);

INSERT INTO account_day_total (business_id, account_code, business_day, debit_total, credit_total)
SELECT l.business_id, l.account_code, e.business_day, sum(l.debit), sum(l.credit)
  FROM journal_line l JOIN journal_entry e USING (entry_number)
 GROUP BY 1, 2, 3;

CREATE FUNCTION add_account_day_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_day_total AS t (business_id, account_code, business_day, debit_total, credit_total)
    SELECT n.business_id, n.account_code, e.business_day, sum(n.debit), sum(n.credit)
      FROM new_lines n JOIN journal_entry e USING (entry_number)
     GROUP BY 1, 2, 3
    ON CONFLICT (business_id, business_day, account_code) DO UPDATE
       SET debit_total = t.debit_total + EXCLUDED.debit_total,
           credit_total = t.credit_total + EXCLUDED.credit_total;
    RETURN NULL;
END $$;

CREATE TRIGGER journal_line_day_totals AFTER INSERT ON journal_line
    REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION add_account_day_totals();

-- Sales of goods and gas (`sale`, `lpg`) and refunds, per till and business day; a voided sale
-- drops out again.
CREATE TABLE sales_day_total (
    business_id  UUID NOT NULL REFERENCES business (id),
    business_day DATE NOT NULL,
    device_id    UUID NOT NULL,
    sales_count  INTEGER NOT NULL,
    gross        NUMERIC(16, 2) NOT NULL,
    refunds      NUMERIC(16, 2) NOT NULL,
    PRIMARY KEY (business_id, business_day, device_id)
);

INSERT INTO sales_day_total (business_id, business_day, device_id, sales_count, gross, refunds)
SELECT business_id, business_day, device_id,
       count(*) FILTER (WHERE kind <> 'refund'),
       coalesce(sum(total) FILTER (WHERE kind <> 'refund'), 0),
       coalesce(sum(total) FILTER (WHERE kind = 'refund'), 0)
  FROM sale s
 WHERE NOT EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = s.sale_id)
 GROUP BY 1, 2, 3;

-- `sign` is +1 for sales just inserted and -1 for sales just voided.
CREATE FUNCTION sales_day_upsert_sql(source TEXT, sign INTEGER) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT format(
        'INSERT INTO sales_day_total AS t (business_id, business_day, device_id, sales_count, gross, refunds)
         SELECT business_id, business_day, device_id,
                %1$s * count(*) FILTER (WHERE kind <> ''refund''),
                %1$s * coalesce(sum(total) FILTER (WHERE kind <> ''refund''), 0),
                %1$s * coalesce(sum(total) FILTER (WHERE kind = ''refund''), 0)
           FROM (%2$s) s
          GROUP BY 1, 2, 3
         ON CONFLICT (business_id, business_day, device_id) DO UPDATE
            SET sales_count = t.sales_count + EXCLUDED.sales_count,
                gross = t.gross + EXCLUDED.gross,
                refunds = t.refunds + EXCLUDED.refunds', sign, source);
$$;

CREATE FUNCTION sales_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sales_day_upsert_sql('SELECT * FROM new_sales', 1);
    RETURN NULL;
END $$;

CREATE FUNCTION sales_voided() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sales_day_upsert_sql('SELECT s.* FROM sale s JOIN new_voids v ON v.document_id = s.sale_id', -1);
    RETURN NULL;
END $$;

CREATE TRIGGER sale_day_totals AFTER INSERT ON sale
    REFERENCING NEW TABLE AS new_sales FOR EACH STATEMENT EXECUTE FUNCTION sales_added();
CREATE TRIGGER voided_sale_day_totals AFTER INSERT ON voided_document
    REFERENCING NEW TABLE AS new_voids FOR EACH STATEMENT EXECUTE FUNCTION sales_voided();

-- The owner's signed-in sessions: only a hash of each token, like the tills'.
CREATE TABLE owner_session (
    token_hash BYTEA PRIMARY KEY,
    owner_id   UUID NOT NULL REFERENCES owner_user (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL
);

-- What each till last said it still had to push (it sends its outbox's pending count with each
-- pull): the server cannot know it otherwise, and the owner's till report shows it.
ALTER TABLE device ADD COLUMN pending_reported BIGINT CHECK (pending_reported >= 0);

-- Opening balances (`tillbook-server import`) are entered at head office, not by a till: what
-- a customer owed becomes an `opening` invoice, and opening stock a movement, neither with an
-- event behind it.
ALTER TABLE invoice ALTER COLUMN event_id DROP NOT NULL;
ALTER TABLE invoice DROP CONSTRAINT invoice_kind_check;
ALTER TABLE invoice ADD CONSTRAINT invoice_kind_check CHECK (kind IN ('credit_sale', 'laundry', 'opening'));
ALTER TABLE stock_movement ALTER COLUMN event_id DROP NOT NULL;

GRANT SELECT, INSERT, UPDATE ON account_day_total, sales_day_total TO tillbook_app;
GRANT SELECT, INSERT, DELETE ON owner_session TO tillbook_app;
