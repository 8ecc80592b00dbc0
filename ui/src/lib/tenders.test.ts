import { describe, expect, it } from 'vitest';
import { tendersOf } from './tenders';

describe('tendersOf', () => {
  it('reads a single blank row as exactly the amount due', () => {
    expect(tendersOf([{ method: 'cash', amount: '', code: '' }], '70.00', null)).toEqual([{ method: 'cash', amount: '70.00' }]);
  });

  it('passes a split tender through as typed, for Rust to check and make change', () => {
    const rows = [
      { method: 'cash' as const, amount: '200', code: '' },
      { method: 'mpesa' as const, amount: '1,000', code: ' QK41SPLIT1 ' },
    ];
    expect(tendersOf(rows, '1150.00', null)).toEqual([
      { method: 'cash', amount: '200' },
      { method: 'mpesa', amount: '1000', mpesa_code: 'QK41SPLIT1' },
    ]);
  });

  it('refuses an amount that is not one, and credit without a customer', () => {
    expect(tendersOf([{ method: 'cash', amount: '12.345', code: '' }], '10', null)).toEqual({ error: 'error_amount' });
    expect(tendersOf([{ method: 'credit', amount: '10', code: '' }], '10', null)).toEqual({ error: 'error_credit_customer' });
    expect(tendersOf([{ method: 'credit', amount: '', code: '' }], '10', 'c-1')).toEqual([
      { method: 'credit', amount: '10', customer_id: 'c-1' },
    ]);
  });

  it('gives no tender for an optional payment left blank', () => {
    expect(tendersOf([{ method: 'cash', amount: '', code: '' }], null, null)).toEqual([]);
  });
});
