-- Running stock levels, kept by triggers in the same transaction as each movement.
-- Stock is still a sum of movements (the movements are the record and travel in the events);
-- these tables only save summing every movement of a product on each sale, which made a
-- recording slow down as the store grew (docs/benchmarks.md). A test checks that they always
-- equal the sums.

CREATE TABLE stock_level (
    product_id     TEXT PRIMARY KEY REFERENCES product (id),
    quantity_milli INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE cylinder_level (
    cylinder_type_id TEXT PRIMARY KEY REFERENCES cylinder_type (id),
    full             INTEGER NOT NULL,
    empty            INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO stock_level (product_id, quantity_milli)
SELECT product_id, SUM(quantity_milli) FROM stock_movement GROUP BY product_id;

INSERT INTO cylinder_level (cylinder_type_id, full, empty)
SELECT cylinder_type_id, SUM(full_delta), SUM(empty_delta) FROM cylinder_movement GROUP BY cylinder_type_id;

CREATE TRIGGER stock_movement_level AFTER INSERT ON stock_movement
BEGIN
    INSERT INTO stock_level (product_id, quantity_milli) VALUES (NEW.product_id, NEW.quantity_milli)
    ON CONFLICT (product_id) DO UPDATE SET quantity_milli = quantity_milli + excluded.quantity_milli;
END;

CREATE TRIGGER cylinder_movement_level AFTER INSERT ON cylinder_movement
BEGIN
    INSERT INTO cylinder_level (cylinder_type_id, full, empty) VALUES (NEW.cylinder_type_id, NEW.full_delta, NEW.empty_delta)
    ON CONFLICT (cylinder_type_id) DO UPDATE SET full = full + excluded.full, empty = empty + excluded.empty;
END;

-- Movements are facts: never changed or removed, so the levels cannot drift.
CREATE TRIGGER stock_movement_fixed BEFORE UPDATE ON stock_movement
BEGIN SELECT RAISE(ABORT, 'stock movements are never changed: record another movement'); END;
CREATE TRIGGER stock_movement_kept BEFORE DELETE ON stock_movement
BEGIN SELECT RAISE(ABORT, 'stock movements are never deleted'); END;
CREATE TRIGGER cylinder_movement_fixed BEFORE UPDATE ON cylinder_movement
BEGIN SELECT RAISE(ABORT, 'cylinder movements are never changed: record another movement'); END;
CREATE TRIGGER cylinder_movement_kept BEFORE DELETE ON cylinder_movement
BEGIN SELECT RAISE(ABORT, 'cylinder movements are never deleted'); END;
