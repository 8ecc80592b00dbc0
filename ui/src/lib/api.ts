// The Rust commands, typed. Amounts are decimal strings throughout (see format.ts).
import { invoke } from '@tauri-apps/api/core';
import { wordsFor } from './errors';
import { i18n } from './i18n.svelte';

export type Money = string;

export interface Business { id: string; code: string; name: string; kind: 'water' | 'laundry' | 'retail' }
export interface TillView { till_code: string; device_name: string; businesses: Business[] }
export interface SetupState {
  set_up: boolean; till: TillView | null; owner: OwnerAccount | null; suggested: { server_url: string; code: string } | null;
  /** The store failed its check at start (DESIGN §6): the recovery screen, with the last good backup. */
  damaged: Damaged | null;
}
export interface BackupFile { path: string; bytes: number; last_device_seq: number }
export interface Damaged { detail: string; backup_folder: string; last_good: BackupFile | null; backups: BackupFile[] }
/** What a restore did (till/src/backup.rs, Restored). */
export interface Restored {
  backup_last_seq: number; acked_through: number; next_device_seq: number; lost_events: number | null;
  damaged_store: string | null;
}
/** The owner's sign-in on this computer (src-tauri/src/commands/owner.rs). */
export interface OwnerAccount {
  server_url: string; email: string; name: string; signed_in_at: string; expires_at: string;
  businesses: { code: string; name: string; kind: Business['kind'] }[];
}
export type ReportName =
  | 'trial-balance' | 'profit-and-loss' | 'balance-sheet' | 'cash-position' | 'sales' | 'stock' | 'tills' | 'aging'
  | 'statement' | 'review' | 'products' | 'staff';
export type ReportParams = Partial<Record<'business' | 'as_of' | 'from' | 'to' | 'customer_id' | 'status', string>>;
/** The owner's decision on an item of the review queue, as typed (read as money in Rust). */
export interface ResolveForm {
  item: string; action: 'dismiss' | 'correct'; note: string; business: string; business_day: string;
  lines: FormLine[];
}
export interface FormLine { account: string; debit: string; credit: string }
export interface EntryTotals { debits: Money; credits: Money; difference: Money; balanced: boolean }
/** What an M-Pesa statement import did (sync-server/src/mpesa.rs, ImportedStatement). */
export interface MpesaImport {
  statement_id: number; business: string; receipts: number; new_receipts: number; paid_in: Money; matched: number;
  mismatches: { kind: string; mpesa_code: string; recorded_amount: Money | null; received_amount: Money | null; message: string }[];
  new_review_items: number;
}
/** The maintenance forms, as typed (read as money and rates in Rust, till/src/owner/maintenance.rs). */
export interface ProductForm {
  id: string; business: string; name: string; barcode: string; unit: string; price: string; vat_rate: string;
  unit_cost: string; stocked: boolean; active: boolean;
}
export interface StaffForm { id: string; name: string; role: 'cashier' | 'supervisor' | 'owner'; pin: string; active: boolean }
export interface TillEnrolment { business: string; till_code: string; code: string; expires_at: string }
export interface ResolveResponse { item: string; status: 'dismissed' | 'corrected'; entry_number: number | null }
/** A report fresh from the server (`live`) or the last copy kept on this computer. */
export interface ReportCopy {
  report: ReportName; params: ReportParams; fetched_at: string; live: boolean; offline_reason: string | null;
  // The server's JSON as sent; each report's view reads its own fields (amounts are strings).
  body: any;
  chart: { business_day: string; net: Money; percent: number }[] | null;
}
export interface StaffMember { id: string; name: string; role: string }
export interface SessionView {
  staff_id: string; name: string; role: string; business: Business;
  /** Minutes this till's clock is off the server's, when more than 5 (as last heard). */
  clock_off_minutes: number | null;
}
export interface ShiftView { open: boolean; expected_cash: Money | null }
export interface Product { id: string; name: string; barcode: string | null; unit: string; price: Money }
export interface SaleLine { product_id: string; quantity: string; unit_price: Money; discount: Money; line_total: Money }
export interface SaleQuote { lines: SaleLine[]; total: Money; vat: Money }
export type TenderMethod = 'cash' | 'mpesa' | 'credit';
export interface TenderInput { method: TenderMethod; amount: Money; mpesa_code?: string | null; customer_id?: string | null }
export interface LineRequest { product_id: string; quantity: string; discount?: Money }
/** What Rust warns about a recording it saved all the same. */
export interface Warning { code: 'duplicate_mpesa_code' | 'negative_stock'; mpesa_code?: string; product?: string }
/** Every kind of counter work comes back as one receipt shape (src-tauri/src/receipt.rs). */
export interface ReceiptView {
  kind: 'sale' | 'lpg' | 'drop_off' | 'collection' | 'payment' | 'refund';
  receipt_number: string; ticket_number: string | null;
  lines: { text: string; quantity: string; amount: Money }[];
  total: Money; vat: Money; tenders: TenderInput[]; change: Money;
  balance_due: Money | null; credit_kept: Money | null; warnings: Warning[];
}
export interface Cylinder {
  id: string; size_kg: string; brand: string; gas_price: Money; cylinder_price: Money; deposit: Money;
  full: number; empty: number;
}
export interface LpgRequest {
  cylinder_type_id: string; quantity: number; empty_in: string | null;
  new_cylinder: 'sale' | 'deposit' | null; tenders: TenderInput[];
}
export interface LpgQuote { total: Money; vat: Money; deposit: Money }
export interface LaundryService { id: string; name: string; pricing: 'per_kg' | 'per_piece'; price: Money }
export type JobStatus = 'received' | 'washing' | 'ready' | 'collected' | 'cancelled';
export interface LaundryJob {
  job_id: string; ticket_number: string; customer_name: string; status: JobStatus;
  total: Money; paid: Money; balance: Money; promised_at: string;
}
export interface DropOffRequest {
  customer_id: string; items: { service_id: string; description: string; quantity: string }[];
  promised_at: string; notes: string; deposit: TenderInput[];
}
export interface Customer { customer_id: string; name: string; phone_hint: string | null; credit_limit: Money; outstanding: Money }
export interface InvoiceLine {
  invoice_id: string; number: string; source: string; total: Money; paid: Money; outstanding: Money;
  status: string; issued_on: string; due_on: string;
}
export interface CustomerAccount { customer_id: string; name: string; credit_limit: Money; invoices: InvoiceLine[]; outstanding: Money; credit: Money }
export interface ReceiptSummary { receipt_number: string; kind: string; occurred_at: string; total: Money; voided: boolean }
export interface SoldLine {
  line_no: number; product_name: string; quantity: string; line_total: Money; returned: string; returned_amount: Money;
}
export interface SoldReceipt { receipt_number: string; total: Money; on_account: boolean; voided: boolean; lines: SoldLine[] }
export interface RefundRequest {
  receipt_number: string; lines: { line_no: number; quantity: string }[]; method: TenderMethod;
  mpesa_code: string | null; reason: string;
}
export interface ExpenseAccount { code: string; name: string }
export type CashMovementKind = 'float_from_bank' | 'float_from_owner' | 'bank_deposit' | 'owner_drawing';
export interface ShiftReport { float: Money; expected_cash: Money; counted_cash: Money; difference: Money }
export interface DayClosed {
  business_day: string; sales_total: Money; refunds_total: Money; cash_total: Money; mpesa_total: Money;
  credit_total: Money; received_cash_total: Money; received_mpesa_total: Money;
  events_recorded: number; events_acknowledged: number;
}
export interface DayCloseView { business: Business; report: DayClosed }
export interface SalesSummary {
  business_day: string; sales_count: number; gross_sales: Money; refunds: Money; net_sales: Money;
  cash: Money; mpesa: Money; credit: Money; received_cash: Money; received_mpesa: Money;
}
export interface TodayView {
  sales: SalesSummary; expected_cash: Money | null;
  stock: { product_id: string; name: string; unit: string; quantity: string }[];
  cylinders: { cylinder_type_id: string; size_kg: string; brand: string; full: number; empty: number }[];
  open_jobs: LaundryJob[];
}
export interface SyncView {
  mode: 'demo' | 'enrolled'; online: boolean | null; pending: number; quarantined: number;
  last_push_at: string | null; last_error: string | null;
  device_status: 'not_enrolled' | 'enrolled' | 'revoked' | 'token_missing' | null;
  /** False when the token is kept where a restart clears it (keyutils): re-enrolment after a power cut. */
  token_survives_restart: boolean;
  /** The server refused a whole batch; the words are in last_error. */
  stuck: boolean;
}
/** What a refused command answers: a stable code and the till's own words. */
export interface UiError { code: string; message: string; field?: string }

/** A refusal in the till's language: the words for its code, Rust's message as the detail. */
export function errorText(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { code, message } = error as UiError;
    return wordsFor(String(code ?? ''), String(message), i18n.language);
  }
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
  businesses: () => invoke<Business[]>('businesses'),
  switchBusiness: (businessId: string) => invoke<SessionView>('switch_business', { businessId }),
  syncStatus: () => invoke<SyncView>('sync_status'),
  reenrol: (code: string) => invoke<number>('reenrol', { code }),
  restoreBackup: (path: string) => invoke<Restored>('restore_backup', { path }),
  backupNow: () => invoke<BackupFile>('backup_now'),
  backupFolder: () => invoke<string>('backup_folder'),
  setBackupFolder: (folder: string) => invoke<string>('set_backup_folder', { folder }),
  signOutTill: (ownerId: string | null, ownerPin: string | null) => invoke<void>('sign_out_till', { ownerId, ownerPin }),
  wipeTill: (ownerId: string | null, ownerPin: string | null) => invoke<string>('wipe_till', { ownerId, ownerPin }),
  products: () => invoke<Product[]>('products'),
  quoteSale: (lines: LineRequest[]) => invoke<SaleQuote>('quote_sale', { lines }),
  recordSale: (lines: LineRequest[], tenders: TenderInput[]) =>
    invoke<ReceiptView>('record_sale', { request: { lines, tenders } }),
  cylinders: () => invoke<Cylinder[]>('cylinders'),
  quoteLpg: (request: LpgRequest) => invoke<LpgQuote>('quote_lpg', { request }),
  lpgSale: (request: LpgRequest) => invoke<ReceiptView>('lpg_sale', { request }),
  laundryServices: () => invoke<LaundryService[]>('laundry_services'),
  laundryJobs: () => invoke<LaundryJob[]>('laundry_jobs'),
  laundryDropOff: (request: DropOffRequest) => invoke<ReceiptView>('laundry_drop_off', { request }),
  laundrySetStatus: (ticketNumber: string, status: JobStatus) =>
    invoke<void>('laundry_set_status', { ticketNumber, status }),
  laundryCollect: (ticketNumber: string, tenders: TenderInput[]) =>
    invoke<ReceiptView>('laundry_collect', { ticketNumber, tenders }),
  customers: (query: string) => invoke<Customer[]>('customers', { query }),
  createCustomer: (name: string, phone: string | null) => invoke<string>('create_customer', { name, phone }),
  customerAccount: (customerId: string) => invoke<CustomerAccount>('customer_account', { customerId }),
  receivePayment: (customerId: string, tenders: TenderInput[]) =>
    invoke<ReceiptView>('receive_payment', { customerId, tenders }),
  recentReceipts: () => invoke<ReceiptSummary[]>('recent_receipts'),
  voidReceipt: (receiptNumber: string, reason: string, supervisorId: string, supervisorPin: string) =>
    invoke<void>('void_receipt', { receiptNumber, reason, supervisorId, supervisorPin }),
  soldReceipt: (receiptNumber: string) => invoke<SoldReceipt>('sold_receipt', { receiptNumber }),
  refundSale: (request: RefundRequest, supervisorId: string, supervisorPin: string) =>
    invoke<ReceiptView>('refund_sale', { request, supervisorId, supervisorPin }),
  expenseAccounts: () => invoke<ExpenseAccount[]>('expense_accounts'),
  recordExpense: (account: string, amount: Money, description: string, paidFrom: 'cash' | 'mpesa') =>
    invoke<void>('record_expense', { account, amount, description, paidFrom }),
  moveCash: (kind: CashMovementKind, amount: Money, note: string) => invoke<void>('move_cash', { kind, amount, note }),
  closeShift: (denominations: { denomination: Money; count: number }[]) =>
    invoke<ShiftReport>('close_shift', { count: { denominations } }),
  closeDay: () => invoke<DayCloseView[]>('close_day'),
  today: () => invoke<TodayView>('today'),
  ownerSignIn: (serverUrl: string, email: string, password: string) =>
    invoke<OwnerAccount>('owner_sign_in', { serverUrl, email, password }),
  ownerSignOut: () => invoke<void>('owner_sign_out'),
  ownerReport: (report: ReportName, params: ReportParams) => invoke<ReportCopy>('owner_report', { report, params }),
  ownerExport: (report: ReportName, params: ReportParams) => invoke<string>('owner_export', { report, params }),
  ownerResolve: (form: ResolveForm) => invoke<ResolveResponse>('owner_resolve', { form }),
  ownerImportMpesa: (business: string, fileName: string, text: string) =>
    invoke<MpesaImport>('owner_import_mpesa', { business, fileName, text }),
  ownerSaveProduct: (form: ProductForm) => invoke<unknown>('owner_save_product', { form }),
  ownerSaveStaff: (form: StaffForm) => invoke<unknown>('owner_save_staff', { form }),
  ownerEnrolTill: (business: string, name: string) => invoke<TillEnrolment>('owner_enrol_till', { business, name }),
  ownerRevokeTill: (tillCode: string) => invoke<void>('owner_revoke_till', { tillCode }),
  ownerReenrolTill: (tillCode: string) => invoke<TillEnrolment>('owner_reenrol_till', { tillCode }),
  ownerEntryTotals: (lines: FormLine[]) => invoke<EntryTotals>('owner_entry_totals', { lines }),
};
