-- One definition of what a customer owes (DESIGN §5), for the tills' balances, the owner's
-- reports and `verify` alike: each invoice with what was paid against it by documents not
-- voided, and whether it still stands (a voided or cancelled invoice is owed by nobody).
CREATE VIEW invoice_standing AS
SELECT i.*,
       coalesce((SELECT sum(a.amount) FROM allocation a
                  WHERE a.invoice_id = i.invoice_id
                    AND NOT EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = a.document_id)), 0) AS paid,
       EXISTS (SELECT 1 FROM voided_document v WHERE v.document_id = i.invoice_id)
         OR EXISTS (SELECT 1 FROM invoice_cancellation x WHERE x.invoice_id = i.invoice_id) AS cancelled
  FROM invoice i;

GRANT SELECT ON invoice_standing TO tillbook_app;
