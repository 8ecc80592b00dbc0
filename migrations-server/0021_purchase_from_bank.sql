-- Goods head office enters from a supplier's invoice may be paid from the bank (1170) as they
-- are entered: `paid_by` gains 'bank', as core's SupplierPayment spells it.
ALTER TABLE purchase DROP CONSTRAINT purchase_paid_by_check;
ALTER TABLE purchase ADD CONSTRAINT purchase_paid_by_check
    CHECK (paid_by IN ('cash', 'mpesa', 'bank', 'on_account'));
