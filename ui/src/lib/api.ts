// The Rust commands, typed. Amounts are decimal strings throughout (see format.ts).
import { invoke } from '@tauri-apps/api/core';
import { wordsFor } from './errors';
import { i18n } from './i18n.svelte';

// What the commands take and answer: generated from the Rust types (src-tauri/src/bindings.rs,
// `cargo xtask bindings`), never copied by hand. The names the screens use stay as they were.
import type {
  BackupFile, BusinessForm, BusinessView, CashMovementKind, DepositBackRequest, CustomerForm, CylinderForm, ServiceForm, CustomerAccount, CustomerSummary, CylinderView, DamagedView,
  DayClosed, DayCloseView, DropOffRequest, EntryTotals, ExpenseAccount, FormLine, InvoiceLine, JobStatus,
  LaundryJobSummary, LaundryService, LpgQuote, LpgRequest, Money, OwnerAccount, Product, ProductForm,
  QuarantinedEvent, ReceiptSummary, ReceiptView, RefundRequest, ReportCopy, ResolveForm, ResolveResponse, Restored,
  SaleLine, SaleLineRequest, SaleQuote, SalesSummary, SessionLine, SessionView, SetupState, ShiftReport, ShiftView,
  SignedOut, SoldLineView, SoldReceipt, StaffForm, StaffMember, SyncView, TenderInput, TenderMethod, TillEnrolment,
  TillView, TodayView, UiError, UserForm, UserLine, UserRole, Warning, Supplier, SupplierForm, StockReceiptRequest,
  PurchaseQuote, SupplierPaymentRequest, ReceivedLine, SupplierPayment, ExpenseForm, TransferForm, PaidFrom, CreditForm, SupplierPaymentForm, GoodsForm, CreditOutcome,
  EtimsSetUpRequest,
} from './generated/types';

export type {
  BackupFile, BusinessForm, CashMovementKind, DepositBackRequest, CustomerForm, CylinderForm, ServiceForm, CustomerAccount, DayClosed, DayCloseView, DropOffRequest, EntryTotals,
  ExpenseAccount, FormLine, InvoiceLine, JobStatus, LaundryService, LpgQuote, LpgRequest, Money, OwnerAccount,
  Product, ProductForm, QuarantinedEvent, ReceiptSummary, ReceiptView, RefundRequest, ReportCopy, ResolveForm,
  ResolveResponse, Restored, SaleLine, SaleQuote, SalesSummary, SessionLine, SessionView, SetupState, ShiftReport,
  ShiftView, SignedOut, SoldReceipt, StaffForm, StaffMember, SyncView, TenderInput, TenderMethod, TillEnrolment,
  TillView, TodayView, UiError, UserForm, UserLine, UserRole, Warning, Supplier, SupplierForm, StockReceiptRequest,
  PurchaseQuote, SupplierPaymentRequest, ReceivedLine, SupplierPayment, PaidFrom, EtimsSetUpRequest,
};
export type Business = BusinessView;
export type Damaged = DamagedView;
export type Cylinder = CylinderView;
export type LaundryJob = LaundryJobSummary;
export type Customer = CustomerSummary;
export type SoldLine = SoldLineView;
export type LineRequest = SaleLineRequest;

// The report names are core's OWNER_REPORTS; the parameters are what the server's reports read.
export type ReportName =
  | 'trial-balance' | 'profit-and-loss' | 'balance-sheet' | 'cash-position' | 'sales' | 'stock' | 'tills' | 'aging'
  | 'statement' | 'review' | 'products' | 'staff' | 'revenue' | 'over-short' | 'businesses' | 'laundry-services' | 'cylinder-types' | 'customers'
  | 'suppliers' | 'payables' | 'supplier-statement' | 'vat-return' | 'etims';
export type ReportParams = Partial<Record<'business' | 'as_of' | 'from' | 'to' | 'customer_id' | 'supplier_id' | 'status', string>>;
/** What an M-Pesa statement import did: head office's answer (sync-server/src/mpesa.rs, ImportedStatement),
 * passed through by the app as JSON. */
export interface MpesaImport {
  statement_id: number; business: string; receipts: number; new_receipts: number; paid_in: Money; matched: number;
  mismatches: { kind: string; mpesa_code: string; recorded_amount: Money | null; received_amount: Money | null; message: string }[];
  new_review_items: number;
}

/** What a bank statement import did: head office's answer (sync-server/src/bank.rs, ImportedBankStatement). */
export interface BankImport {
  statement_id: number; period_from: string; period_to: string; rows: number; new_rows: number; matched: number;
  mismatches: { kind: string; day: string; amount: Money; description: string; message: string }[];
  new_review_items: number;
}

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
  // `serverCa`: head office's own certificate authority (PEM text), for a private head office.
  enrol: (serverUrl: string, code: string, deviceName: string, serverCa: string | null = null) =>
    invoke<TillView>('enrol', { serverUrl, serverCa, code, deviceName }),
  staff: () => invoke<StaffMember[]>('staff'),
  login: (staffId: string, pin: string) => invoke<SessionView>('login', { staffId, pin }),
  unlockStaff: (supervisorId: string, supervisorPin: string, staffId: string) =>
    invoke<void>('unlock_staff', { supervisorId, supervisorPin, staffId }),
  logout: () => invoke<void>('logout'),
  shift: () => invoke<ShiftView>('shift'),
  openShift: (float: Money) => invoke<ShiftView>('open_shift', { float }),
  businesses: () => invoke<Business[]>('businesses'),
  switchBusiness: (businessId: string) => invoke<SessionView>('switch_business', { businessId }),
  syncStatus: () => invoke<SyncView>('sync_status'),
  reenrol: (code: string) => invoke<number>('reenrol', { code }),
  restoreBackup: (path: string) => invoke<Restored>('restore_backup', { path }),
  quarantined: () => invoke<QuarantinedEvent[]>('quarantined'),
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
  refundDeposit: (request: DepositBackRequest) => invoke<ReceiptView>('refund_deposit', { request }),
  lpgSale: (request: LpgRequest) => invoke<ReceiptView>('lpg_sale', { request }),
  laundryServices: () => invoke<LaundryService[]>('laundry_services'),
  laundryJobs: () => invoke<LaundryJob[]>('laundry_jobs'),
  laundryDropOff: (request: DropOffRequest) => invoke<ReceiptView>('laundry_drop_off', { request }),
  laundrySetStatus: (ticketNumber: string, status: JobStatus) =>
    invoke<void>('laundry_set_status', { ticketNumber, status }),
  laundryCollect: (ticketNumber: string, tenders: TenderInput[]) =>
    invoke<ReceiptView>('laundry_collect', { ticketNumber, tenders }),
  customers: (query: string) => invoke<Customer[]>('customers', { query }),
  // A credit limit needs a supervisor's PIN (Rust checks it; a cashier alone adds cash customers).
  createCustomer: (
    name: string,
    phone: string | null,
    creditLimit: Money | null = null,
    supervisorId: string | null = null,
    supervisorPin: string | null = null,
  ) => invoke<string>('create_customer', { name, phone, creditLimit, supervisorId, supervisorPin }),
  changeCustomer: (
    customerId: string,
    name: string,
    phone: string | null,
    creditLimit: Money,
    supervisorId: string | null,
    supervisorPin: string | null,
  ) => invoke<void>('change_customer', { customerId, name, phone, creditLimit, supervisorId, supervisorPin }),
  customerAccount: (customerId: string) => invoke<CustomerAccount>('customer_account', { customerId }),
  receivePayment: (customerId: string, tenders: TenderInput[]) =>
    invoke<ReceiptView>('receive_payment', { customerId, tenders }),
  recentReceipts: () => invoke<ReceiptSummary[]>('recent_receipts'),
  voidReceipt: (receiptNumber: string, reason: string, supervisorId: string, supervisorPin: string) =>
    invoke<void>('void_receipt', { receiptNumber, reason, supervisorId, supervisorPin }),
  soldReceipt: (receiptNumber: string) => invoke<SoldReceipt>('sold_receipt', { receiptNumber }),
  reprintReceipt: (receiptNumber: string) => invoke<ReceiptView>('reprint_receipt', { receiptNumber }),
  applyCredit: (customerId: string, amount: Money) => invoke<CreditOutcome>('apply_credit', { customerId, amount }),
  refundCredit: (customerId: string, tender: TenderInput, supervisorId: string, supervisorPin: string) =>
    invoke<ReceiptView>('refund_credit', { customerId, tender, supervisorId, supervisorPin }),
  refundSale: (request: RefundRequest, supervisorId: string, supervisorPin: string) =>
    invoke<ReceiptView>('refund_sale', { request, supervisorId, supervisorPin }),
  expenseAccounts: () => invoke<ExpenseAccount[]>('expense_accounts'),
  recordExpense: (account: string, amount: Money, description: string, paidFrom: 'cash' | 'mpesa') =>
    invoke<void>('record_expense', { account, amount, description, paidFrom }),
  moveCash: (kind: CashMovementKind, amount: Money, note: string) => invoke<void>('move_cash', { kind, amount, note }),
  suppliers: () => invoke<Supplier[]>('suppliers'),
  quoteGoods: (request: StockReceiptRequest) => invoke<PurchaseQuote>('quote_goods', { request }),
  receiveGoods: (request: StockReceiptRequest) => invoke<PurchaseQuote>('receive_goods', { request }),
  paySupplier: (request: SupplierPaymentRequest) => invoke<void>('pay_supplier', { request }),
  closeShift: (denominations: { denomination: Money; count: number }[]) =>
    invoke<ShiftReport>('close_shift', { count: { denominations } }),
  closeDay: () => invoke<DayCloseView[]>('close_day'),
  today: () => invoke<TodayView>('today'),
  ownerSignIn: (serverUrl: string, email: string, password: string, serverCa: string | null = null) =>
    invoke<OwnerAccount>('owner_sign_in', { serverUrl, serverCa, email, password }),
  ownerSignOut: () => invoke<SignedOut>('owner_sign_out'),
  ownerSignOutEverywhere: () => invoke<number>('owner_sign_out_everywhere'),
  ownerSessions: () => invoke<SessionLine[]>('owner_sessions'),
  ownerChangePassword: (current: string, newPassword: string) =>
    invoke<void>('owner_change_password', { current, new: newPassword }),
  ownerUsers: () => invoke<UserLine[]>('owner_users'),
  ownerSaveUser: (form: UserForm) => invoke<UserLine>('owner_save_user', { form }),
  ownerReport: (report: ReportName, params: ReportParams) => invoke<ReportCopy>('owner_report', { report, params }),
  ownerExport: (report: ReportName, params: ReportParams) => invoke<string>('owner_export', { report, params }),
  ownerResolve: (form: ResolveForm) => invoke<ResolveResponse>('owner_resolve', { form }),
  ownerImportBank: (fileName: string, text: string) => invoke<BankImport>('owner_import_bank', { fileName, text }),
  ownerImportMpesa: (business: string, fileName: string, text: string) =>
    invoke<MpesaImport>('owner_import_mpesa', { business, fileName, text }),
  ownerSaveProduct: (form: ProductForm) => invoke<unknown>('owner_save_product', { form }),
  ownerSaveStaff: (form: StaffForm) => invoke<unknown>('owner_save_staff', { form }),
  ownerSaveBusiness: (form: BusinessForm) => invoke<unknown>('owner_save_business', { form }),
  ownerSaveService: (form: ServiceForm) => invoke<unknown>('owner_save_service', { form }),
  ownerSaveCylinder: (form: CylinderForm) => invoke<unknown>('owner_save_cylinder', { form }),
  ownerSaveCustomer: (form: CustomerForm) => invoke<unknown>('owner_save_customer', { form }),
  ownerSaveSupplier: (form: SupplierForm) => invoke<unknown>('owner_save_supplier', { form }),
  ownerRecordExpense: (form: ExpenseForm) => invoke<unknown>('owner_record_expense', { form }),
  ownerRecordTransfer: (form: TransferForm) => invoke<unknown>('owner_record_transfer', { form }),
  ownerRecordCredit: (form: CreditForm) => invoke<unknown>('owner_record_credit', { form }),
  ownerRecordSupplierPayment: (form: SupplierPaymentForm) => invoke<unknown>('owner_record_supplier_payment', { form }),
  ownerQuoteGoods: (form: GoodsForm) => invoke<PurchaseQuote>('owner_quote_goods', { form }),
  ownerRecordGoods: (form: GoodsForm) => invoke<unknown>('owner_record_goods', { form }),
  ownerEnrolTill: (business: string, name: string) => invoke<TillEnrolment>('owner_enrol_till', { business, name }),
  ownerRevokeTill: (tillCode: string) => invoke<void>('owner_revoke_till', { tillCode }),
  ownerSetUpEtims: (form: EtimsSetUpRequest) => invoke<unknown>('owner_set_up_etims', { form }),
  ownerReenrolTill: (tillCode: string) => invoke<TillEnrolment>('owner_reenrol_till', { tillCode }),
  ownerEntryTotals: (lines: FormLine[]) => invoke<EntryTotals>('owner_entry_totals', { lines }),
};
