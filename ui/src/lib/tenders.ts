// The cashier's payment rows turned into the tenders Rust records. No arithmetic here: amounts
// go as typed (Rust checks they cover the total and works out change); a single blank row
// stands for exactly the amount due.
import type { Money, TenderInput, TenderMethod } from './api';
import { parseAmountInput } from './format';
import type { MessageKey } from './i18n.svelte';

export type TenderRow = { method: TenderMethod; amount: string; code: string };

/** The rows as tenders, or the message key of the first thing wrong with them. */
export function tendersOf(rows: TenderRow[], fill: Money | null, customer: string | null): TenderInput[] | { error: MessageKey } {
  const tenders: TenderInput[] = [];
  for (const row of rows) {
    let amount: string | null;
    if (row.amount.trim() === '') {
      if (rows.length === 1 && fill !== null) amount = fill;
      else continue;
    } else {
      amount = parseAmountInput(row.amount);
      if (amount === null) return { error: 'error_amount' };
    }
    if (row.method === 'mpesa') tenders.push({ method: 'mpesa', amount, mpesa_code: row.code.trim() });
    else if (row.method === 'credit') {
      if (!customer) return { error: 'error_credit_customer' };
      tenders.push({ method: 'credit', amount, customer_id: customer });
    } else tenders.push({ method: 'cash', amount });
  }
  return tenders;
}
