-- What a receipt shows of the business: KRA PIN, address, phone, M-Pesa number, whether it
-- charges VAT (JSON of core's BusinessProfile, pulled with the business; '{}' until then).
ALTER TABLE business ADD COLUMN profile TEXT NOT NULL DEFAULT '{}';
