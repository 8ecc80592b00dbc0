-- The Z report and today's figures sum the day's payments received per business (takings on
-- accounts and laundry jobs): find them by day, as the day's sales are.
CREATE INDEX payment_day ON payment (business_id, business_day);
