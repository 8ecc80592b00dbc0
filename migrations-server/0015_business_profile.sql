-- What a receipt shows and KRA knows each business by (issue "From an empty server to a real
-- group trading"): KRA PIN, address, phone, the M-Pesa till or paybill, and whether it charges
-- VAT. Tills pull it with the business (core's `BusinessProfile`).
ALTER TABLE business ADD COLUMN kra_pin TEXT NOT NULL DEFAULT ''
    CHECK (kra_pin = '' OR kra_pin ~ '^[A-Z][0-9]{9}[A-Z]$');
ALTER TABLE business ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE business ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE business ADD COLUMN mpesa_number TEXT NOT NULL DEFAULT '';
ALTER TABLE business ADD COLUMN vat_registered BOOLEAN NOT NULL DEFAULT FALSE;

CREATE OR REPLACE VIEW business_wire AS
SELECT id, json_build_object('id', id, 'code', code, 'name', name, 'kind', kind, 'accounts', accounts,
                             'profile', json_build_object('kra_pin', kra_pin, 'address', address, 'phone', phone,
                                                          'mpesa_number', mpesa_number,
                                                          'vat_registered', vat_registered)) AS data
  FROM business;
