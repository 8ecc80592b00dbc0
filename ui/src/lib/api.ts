// The Rust commands, typed. Amounts are decimal strings throughout (see format.ts).
import { invoke } from '@tauri-apps/api/core';

export type Money = string;

export interface Business { id: string; code: string; name: string; kind: 'water' | 'laundry' | 'retail' }
export interface TillView { till_code: string; device_name: string; businesses: Business[] }
export interface SetupState { set_up: boolean; till: TillView | null }
export interface StaffMember { id: string; name: string; role: string }
export interface SessionView { staff_id: string; name: string; role: string; business: Business }
export interface ShiftView { open: boolean; expected_cash: Money | null }
export interface Product { id: string; name: string; barcode: string | null; unit: string; price: Money }
export interface SaleLine { product_id: string; quantity: string; unit_price: Money; discount: Money; line_total: Money }
export interface SaleQuote { lines: SaleLine[]; total: Money; vat: Money }
export interface TenderInput { method: 'cash' | 'mpesa' | 'credit'; amount: Money; mpesa_code?: string | null; customer_id?: string | null }
export interface LineRequest { product_id: string; quantity: string; discount?: Money }
export interface SaleOutcome {
  sale_id: string; receipt_number: string; lines: SaleLine[]; total: Money; vat: Money;
  tenders: TenderInput[]; change: Money;
}
export interface SyncView {
  mode: 'demo' | 'enrolled'; online: boolean | null; pending: number; quarantined: number;
  last_push_at: string | null; last_error: string | null;
}
/** What a refused command answers: a stable code and the till's own words. */
export interface UiError { code: string; message: string }

export function errorText(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) return String((error as UiError).message);
  return String(error);
}

export const api = {
  setupState: () => invoke<SetupState>('setup_state'),
  createDemo: () => invoke<TillView>('create_demo'),
  enrol: (serverUrl: string, code: string, deviceName: string) =>
    invoke<TillView>('enrol', { serverUrl, code, deviceName }),
  staff: () => invoke<StaffMember[]>('staff'),
  login: (staffId: string, pin: string) => invoke<SessionView>('login', { staffId, pin }),
  logout: () => invoke<void>('logout'),
  shift: () => invoke<ShiftView>('shift'),
  openShift: (float: Money) => invoke<ShiftView>('open_shift', { float }),
  products: () => invoke<Product[]>('products'),
  quoteSale: (lines: LineRequest[]) => invoke<SaleQuote>('quote_sale', { lines }),
  recordSale: (lines: LineRequest[], tenders: TenderInput[]) =>
    invoke<SaleOutcome>('record_sale', { request: { lines, tenders } }),
  syncStatus: () => invoke<SyncView>('sync_status'),
};
