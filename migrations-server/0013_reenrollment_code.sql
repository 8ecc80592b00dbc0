-- Re-enrolment (DESIGN §7 "Enrol"): a one-time code the owner issues for an existing till, whose
-- token was lost (a restart cleared the keyring) or revoked. Exchanging it gives the same device a
-- new token and kills the old one; the till keeps its device id, till code, receipt numbering and
-- outbox, and sends what the server has not merged. A code with no device_id enrols a new till.
ALTER TABLE enrollment_code ADD COLUMN device_id UUID REFERENCES device (id);
