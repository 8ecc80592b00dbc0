// Generated from the Rust types by `cargo xtask bindings` (src-tauri/src/bindings.rs): do not edit.

export type AccountCode = string;

export type Allocation = { invoice_id: DocumentId, amount: Money, };

export type BackupFile = { path: string, bytes: number, 
/**
 * The last event the copy holds.
 */
last_device_seq: number, };

export type BusinessForm = { id: string, code: string, name: string, 
/**
 * `water`, `laundry` or `retail` (retail exchanges LPG cylinders too).
 */
kind: string, kra_pin: string, address: string, phone: string, mpesa_number: string, vat_registered: boolean, active: boolean, };

export type BusinessId = string;

export type BusinessKind = "water" | "laundry" | "retail";

export type BusinessProfile = { 
/**
 * The KRA PIN: a letter, nine digits and a letter (`P051234567X`).
 */
kra_pin: string, 
/**
 * Where the shop is, as a customer would find it.
 */
address: string, phone: string, 
/**
 * The M-Pesa till (Buy Goods) or paybill number customers pay to.
 */
mpesa_number: string, 
/**
 * Whether the business charges VAT (a receipt then shows the VAT by rate).
 */
vat_registered: boolean, };

export type BusinessView = { id: BusinessId, code: string, name: string, kind: BusinessKind, };

export type CashCount = { "denominations": Array<DenominationCount> } | { "total": Money };

export type CashMovementKind = "float_from_bank" | "float_from_owner" | "bank_deposit" | "owner_drawing" | "mpesa_to_bank";

export type ChartBar = { business_day: string, net: Money, 
/**
 * 0–100: the bar's height against the best day; a day with nothing or less is 0.
 */
percent: number, };

export type CreditAction = "apply" | "refund";

export type CreditForm = { id: string, customer_id: string, business: string, action: CreditAction, amount: string, 
/**
 * For a refund: cash, or M-Pesa with its code.
 */
method: TenderMethod | null, mpesa_code: string, business_day: string, };

export type CreditOutcome = { document_id: DocumentId, 
/**
 * A refund's receipt number (money leaves the drawer); none for credit applied.
 */
receipt_number: string | null, total: Money, 
/**
 * The invoices the credit paid, and how much of each.
 */
allocations: Array<Allocation>, tenders: Array<Tender>, 
/**
 * What the customer still holds here afterwards.
 */
credit_left: Money, recorded: Recorded, };

export type CustomerAccount = { customer_id: CustomerId, name: string, credit_limit: Money, invoices: Array<InvoiceLine>, 
/**
 * What the customer owes, all businesses.
 */
outstanding: Money, 
/**
 * Money held for the customer: unapplied payments and payments on cancelled jobs (2300).
 */
credit: Money, };

export type CustomerForm = { id: string, name: string, phone: string, credit_limit: string, active: boolean, };

export type CustomerId = string;

export type CustomerSummary = { customer_id: CustomerId, name: string, 
/**
 * Only the last three digits: the full number is not shown at the counter or logged.
 */
phone_hint: string | null, credit_limit: Money, outstanding: Money, };

export type CylinderForm = { id: string, business: string, size_kg: string, brand: string, gas_price: string, gas_cost: string, cylinder_price: string, cylinder_cost: string, deposit: string, vat_rate: string, active: boolean, };

export type CylinderStock = { cylinder_type_id: CylinderTypeId, size_kg: Quantity, brand: string, full: number, empty: number, };

export type CylinderTypeId = string;

export type CylinderView = { full: number, empty: number, id: CylinderTypeId, business_id: BusinessId, size_kg: Quantity, brand: string, 
/**
 * VAT-inclusive price of a refill of gas.
 */
gas_price: Money, 
/**
 * What a refill costs the shop.
 */
gas_cost: Money, 
/**
 * VAT-inclusive price of an empty cylinder sold outright.
 */
cylinder_price: Money, cylinder_cost: Money, 
/**
 * Refundable deposit for a cylinder lent to a customer (no VAT: it is a liability).
 */
deposit: Money, vat_rate: VatRate, active: boolean, };

export type DamagedView = { detail: string, backup_folder: string, last_good: BackupFile | null, };

export type DayCloseView = { business: BusinessView, report: DayClosed, recorded: Recorded, };

export type DayClosed = { business_day: string, sales_total: Money, refunds_total: Money, cash_total: Money, mpesa_total: Money, credit_total: Money, 
/**
 * Money received that day on customers' accounts and laundry jobs (not sales), by cash
 * and M-Pesa: a laundry's takings are all here. Absent from reports of older tills.
 */
received_cash_total: Money, received_mpesa_total: Money, events_recorded: number, events_acknowledged: number, };

export type DenominationCount = { denomination: Money, count: number, };

export type DepositBackRequest = { cylinder_type_id: CylinderTypeId, quantity: number, method: TenderMethod, mpesa_code: string | null, };

export type DeviceStatus = "not_enrolled" | "enrolled" | "revoked" | "token_missing";

export type DocumentId = string;

export type DropOffRequest = { customer_id: CustomerId, items: Array<LaundryItemRequest>, promised_at: string, notes: string, 
/**
 * A deposit taken at drop-off, if any.
 */
deposit: Array<TenderInput>, };

export type EntryId = string;

export type EntryTotals = { debits: Money, credits: Money, 
/**
 * Debits less credits: zero when the entry balances.
 */
difference: Money, balanced: boolean, };

export type EtimsSetUpRequest = { 
/**
 * The business's code.
 */
business: string, 
/**
 * KRA's branch id: two digits, `00` for the head office branch.
 */
branch_id: string, 
/**
 * The device serial KRA issued for this OSCU.
 */
device_serial: string, 
/**
 * The OSCU address: KRA's test server while trying it out, then production.
 */
oscu_url: string, };

export type EventId = string;

export type ExpenseAccount = { code: AccountCode, name: string, };

export type ExpenseForm = { 
/**
 * Made by the screen when the form opened (a UUID).
 */
id: string, 
/**
 * The expense account's code (6100 rent, …).
 */
account: string, description: string, 
/**
 * What was paid, VAT included.
 */
amount: string, 
/**
 * The VAT inside it: "0.16", or "0" when the receipt shows none.
 */
vat_rate: string, paid_from: PaidFrom, 
/**
 * The day it belongs to (YYYY-MM-DD); today when empty.
 */
business_day: string, split_by: SplitBy, shares: Array<ShareForm>, };

export type FormLine = { account: string, debit: string, credit: string, };

export type GoodsForm = { id: string, business: string, 
/**
 * The supplier (`supplier_id`, with its name in `supplier`), their invoice number, the
 * lines and how the goods were paid for.
 */
request: StockReceiptRequest, business_day: string, };

export type InvoiceLine = { invoice_id: DocumentId, number: string, source: string, total: Money, paid: Money, outstanding: Money, status: InvoiceStatus, issued_on: string, due_on: string, };

export type InvoiceStatus = "open" | "partially_paid" | "paid" | "overdue" | "cancelled";

export type JobStatus = "received" | "washing" | "ready" | "collected" | "cancelled";

export type LaundryItemRequest = { service_id: LaundryServiceId, description: string, 
/**
 * Kilos or pieces, as the service is priced.
 */
quantity: Quantity, };

export type LaundryJobSummary = { job_id: DocumentId, ticket_number: string, customer_name: string, status: JobStatus, total: Money, paid: Money, balance: Money, promised_at: string, };

export type LaundryPricing = "per_kg" | "per_piece";

export type LaundryService = { id: LaundryServiceId, business_id: BusinessId, name: string, pricing: LaundryPricing, 
/**
 * VAT-inclusive price per kg or per piece.
 */
price: Money, vat_rate: VatRate, active: boolean, };

export type LaundryServiceId = string;

export type LpgQuote = { total: Money, vat: Money, 
/**
 * The refundable deposit within the total (no VAT), if a cylinder is lent.
 */
deposit: Money, };

export type LpgRequest = { 
/**
 * The full cylinders handed out.
 */
cylinder_type_id: CylinderTypeId, quantity: number, 
/**
 * For an exchange: the customer's empties.
 */
empty_in: CylinderTypeId | null, 
/**
 * For a customer without an empty.
 */
new_cylinder: NewCylinder | null, tenders: Array<TenderInput>, };

export type Money = string;

export type NewCylinder = "sale" | "deposit";

export type OwnerAccount = { server_url: string, email: string, name: string, businesses: Array<OwnerBusiness>, signed_in_at: string, expires_at: string, 
/**
 * What this user may do at head office; the screens show only that (the server enforces
 * it on every request).
 */
role: UserRole, };

export type OwnerBusiness = { code: string, name: string, kind: BusinessKind, };

export type PaidFrom = "cash" | "mpesa" | "bank";

export type Product = { id: ProductId, business_id: BusinessId, name: string, 
/**
 * What a barcode scanner types, if the item has one.
 */
barcode: string | null, 
/**
 * How it is counted at the counter: `bottle`, `litre`, `piece`, `kg`.
 */
unit: string, 
/**
 * VAT-inclusive selling price per unit.
 */
price: Money, vat_rate: VatRate, revenue_account: AccountCode, 
/**
 * `Some` for stocked items: sold quantity leaves stock at `unit_cost` (DESIGN §5).
 */
stock: StockAccounts | null, unit_cost: Money, active: boolean, };

export type ProductForm = { id: string, business: string, name: string, barcode: string, unit: string, price: string, 
/**
 * `0.16`, `0.08` or `0`.
 */
vat_rate: string, 
/**
 * Empty: unchanged (zero for a new product).
 */
unit_cost: string, stocked: boolean, active: boolean, };

export type ProductId = string;

export type PurchaseQuote = { net: Money, vat: Money, total: Money, };

export type Quantity = string;

export type QuarantinedEvent = { device_seq: number, event_type: string, business_day: string, reason_code: string | null, reason_message: string | null, 
/**
 * Head office's decision, once made: `dismissed` or `corrected`, with the owner's note.
 */
resolution: string | null, resolution_note: string | null, };

export type ReceiptHeader = { business_name: string, profile: BusinessProfile, till_code: string, cashier: string, 
/**
 * When it was recorded, in the till's time zone (`2026-11-30 14:03`).
 */
recorded_at: string, 
/**
 * A reprint: the receipt says COPY.
 */
copy: boolean, };

export type ReceiptLine = { text: string, quantity: Quantity, 
/**
 * The price of one, and the VAT rate, where the line has them (goods and laundry).
 */
unit_price: Money | null, vat_rate: VatRate | null, amount: Money, };

export type ReceiptSummary = { receipt_number: string, 
/**
 * `goods`, `lpg` or `payment`.
 */
kind: string, occurred_at: string, total: Money, voided: boolean, };

export type ReceiptView = { 
/**
 * What the UI titles it: `sale`, `lpg`, `drop_off`, `collection`, `payment` or `refund`.
 */
kind: string, receipt_number: string, 
/**
 * The laundry ticket the customer keeps.
 */
ticket_number: string | null, lines: Array<ReceiptLine>, total: Money, vat: Money, tenders: Array<Tender>, change: Money, 
/**
 * Still owed on a laundry job after this receipt.
 */
balance_due: Money | null, 
/**
 * Paid beyond the invoices, kept as the customer's credit.
 */
credit_kept: Money | null, warnings: Array<Warning>, 
/**
 * Who, where and when; set by [`ReceiptView::issued`].
 */
header: ReceiptHeader | null, 
/**
 * The VAT by rate, from the lines that carry one.
 */
vat_by_rate: Array<VatAtRate>, 
/**
 * When a laundry job is promised (`2026-12-02 17:00`), on its ticket.
 */
due: string | null, 
/**
 * KRA's eTIMS answer for this sale, once head office has it and the till pulled it.
 */
kra: Signature | null, 
/**
 * The QR code of KRA's check address (`kra.qr`), as SVG markup drawn here: squares only,
 * no text, so the UI can put it on the receipt as it is.
 */
kra_qr_svg: string | null, 
/**
 * A VAT-registered business's receipt without KRA's answer yet: it says the KRA details
 * will follow (head office transmits the sale once it reaches it, docs/etims.md).
 */
kra_pending: boolean, };

export type ReceivedCylinders = { cylinder_type_id: CylinderTypeId, quantity: number, unit_cost: Money, vat_rate: VatRate, };

export type ReceivedLine = { product_id: ProductId, quantity: Quantity, 
/**
 * Net of VAT, as the supplier's invoice shows it.
 */
unit_cost: Money, 
/**
 * The VAT the supplier's invoice charges on the line (0 when none).
 */
vat_rate: VatRate, };

export type Recorded = { event_id: EventId, device_seq: number, entry_id: EntryId | null, };

export type RefundLineRequest = { 
/**
 * The line's place on the receipt, from 0.
 */
line_no: number, quantity: Quantity, };

export type RefundRequest = { receipt_number: string, lines: Array<RefundLineRequest>, 
/**
 * How the money goes back: cash, M-Pesa (with the reversal's code), or as a credit note
 * against the sale's own invoice.
 */
method: TenderMethod, mpesa_code: string | null, reason: string, };

export type ReportCopy = { report: string, params: { [key in string]: string }, fetched_at: string, live: boolean, 
/**
 * Why the server was not asked or did not answer, when this is a saved copy.
 */
offline_reason: string | null, 
/**
 * The server's JSON, as it sent it: amounts are decimal strings.
 */
body: any, 
/**
 * The sales report's days as bars, sized here (in Rust, from the decimal amounts).
 */
chart: Array<ChartBar> | null, };

export type ResolveForm = { item: string, 
/**
 * `dismiss`, `correct`, or `resend` (a refused eTIMS invoice).
 */
action: string, note: string, business: string, 
/**
 * `YYYY-MM-DD`, or empty for today.
 */
business_day: string, lines: Array<FormLine>, };

export type ResolveResponse = { item: string, 
/**
 * `dismissed` or `corrected`.
 */
status: string, 
/**
 * The correcting entry's number, for `corrected`.
 */
entry_number: number | null, };

export type Restored = { 
/**
 * The last event the backup held.
 */
backup_last_seq: number, 
/**
 * What head office has of this till: events after the backup up to here are in the
 * ledger (not in this till's own figures).
 */
acked_through: number, 
/**
 * The next event will carry this `device_seq`.
 */
next_device_seq: number, 
/**
 * Events recorded after the backup that never reached head office: gone. `None` when the
 * damaged store could not tell.
 */
lost_events: number | null, 
/**
 * Where the damaged store was moved (kept, never deleted).
 */
damaged_store: string | null, };

export type Role = "cashier" | "supervisor" | "owner";

export type SaleLine = { product_id: ProductId, quantity: Quantity, unit_price: Money, discount: Money, vat_rate: VatRate, line_total: Money, };

export type SaleLineRequest = { product_id: ProductId, quantity: Quantity, discount: Money, };

export type SaleQuote = { lines: Array<SaleLine>, total: Money, vat: Money, };

export type SaleRequest = { lines: Array<SaleLineRequest>, tenders: Array<TenderInput>, };

export type SalesSummary = { business_day: string, sales_count: number, 
/**
 * VAT-inclusive sales that stand (voids excluded).
 */
gross_sales: Money, refunds: Money, net_sales: Money, 
/**
 * Net takings by tender: sales less refunds paid back that way.
 */
cash: Money, mpesa: Money, credit: Money, 
/**
 * Payments received on accounts and laundry jobs (standing, not voided), by method.
 */
received_cash: Money, received_mpesa: Money, };

export type ServiceForm = { id: string, business: string, name: string, 
/**
 * `per_kg` or `per_piece`.
 */
pricing: string, price: string, vat_rate: string, active: boolean, };

export type SessionLine = { id: string, 
/**
 * The app that signed in (its User-Agent).
 */
client: string, created_at: string, last_used_at: string, expires_at: string, 
/**
 * The session this request came with.
 */
current: boolean, };

export type SessionView = { staff_id: StaffId, name: string, role: Role, business: BusinessView, 
/**
 * Minutes this till's clock is off head office's, when more than five (as last heard from
 * the server's answers): the login screen warns the cashier in words.
 */
clock_off_minutes: number | null, };

export type SetupState = { set_up: boolean, till: TillView | null, 
/**
 * This computer is the owner's, signed in at head office (DESIGN §9).
 */
owner: OwnerAccount | null, 
/**
 * Set by `cargo xtask run` (TILLBOOK_SERVER_URL, TILLBOOK_ENROL_CODE): the first run
 * enrols with the local demo server without anyone typing the code.
 */
suggested: Suggested | null, 
/**
 * The store failed its check at start: the recovery screen, with the backups to offer.
 */
damaged: DamagedView | null, };

export type ShareForm = { business: string, 
/**
 * An amount, or a percentage.
 */
value: string, };

export type ShiftId = string;

export type ShiftReport = { shift_id: ShiftId, float: Money, expected_cash: Money, counted_cash: Money, 
/**
 * Positive: over (to 4900); negative: short (to 6900).
 */
difference: Money, recorded: Recorded, };

export type ShiftView = { open: boolean, expected_cash: Money | null, };

export type Signature = { document_id: DocumentId, 
/**
 * The business's eTIMS invoice number (`invcNo`).
 */
invoice_number: number, 
/**
 * The control unit's id (`sdcId`) and its receipt number (`curRcptNo`): printed as
 * `SCU ID` and `CU invoice no.`.
 */
control_unit: string, cu_receipt_number: string, cu_date_time: string, receipt_signature: string, internal_data: string, 
/**
 * What the receipt's QR code holds, for the customer to check the receipt with KRA.
 */
qr: string, };

export type SignedOut = { ended_at_head_office: boolean, };

export type SoldLineView = { line_no: number, product_name: string, quantity: Quantity, line_total: Money, returned: Quantity, returned_amount: Money, };

export type SoldReceipt = { receipt_number: string, total: Money, on_account: boolean, voided: boolean, lines: Array<SoldLineView>, };

export type SplitBy = "amount" | "percent";

export type StaffForm = { id: string, name: string, role: string, pin: string, 
/**
 * The businesses (codes) they work in; none keeps what they have.
 */
businesses: Array<string>, active: boolean, };

export type StaffId = string;

export type StaffMember = { id: StaffId, name: string, role: Role, };

export type StockAccounts = { inventory: AccountCode, cost_of_sales: AccountCode, };

export type StockLevel = { product_id: ProductId, name: string, unit: string, quantity: Quantity, };

export type StockReceiptRequest = { 
/**
 * The supplier's record: required on account; its name goes on the receipt.
 */
supplier_id: SupplierId | null, 
/**
 * A supplier with no record (a one-off cash purchase), by name.
 */
supplier: string, 
/**
 * The supplier's invoice or delivery note number.
 */
reference: string, lines: Array<ReceivedLine>, cylinders: Array<ReceivedCylinders>, paid_by: SupplierPayment, };

export type Suggested = { server_url: string, code: string, };

export type Supplier = { id: SupplierId, name: string, 
/**
 * Their KRA PIN, as their invoices show it (input VAT is claimed against it); empty when
 * not known.
 */
kra_pin: string, phone: string | null, 
/**
 * Days of credit they give: an invoice is due this long after it is dated.
 */
terms_days: number, active: boolean, };

export type SupplierForm = { id: string, name: string, kra_pin: string, phone: string, 
/**
 * Days of credit, as typed; empty is 0 (pay on delivery).
 */
terms_days: string, active: boolean, };

export type SupplierId = string;

export type SupplierPayment = "cash" | "mpesa" | "bank" | "on_account";

export type SupplierPaymentForm = { id: string, supplier_id: string, business: string, amount: string, paid_from: PaidFrom, 
/**
 * The transfer's or cheque's reference, or the M-Pesa code.
 */
reference: string, business_day: string, };

export type SupplierPaymentRequest = { supplier_id: SupplierId, paid_from: PaidFrom, reference: string, amount: Money, allocations: Array<Allocation>, };

export type SyncView = { mode: string, online: boolean | null, pending: number, quarantined: number, last_push_at: string | null, last_error: string | null, device_status: DeviceStatus | null, 
/**
 * `false`: the token is kept where a restart clears it; the status bar says so.
 */
token_survives_restart: boolean, stuck: boolean, };

export type Tender = { method: TenderMethod, amount: Money, mpesa_code?: string | null, customer_id?: CustomerId | null, };

export type TenderInput = { method: TenderMethod, amount: Money, mpesa_code?: string | null, customer_id?: CustomerId | null, };

export type TenderMethod = "cash" | "mpesa" | "credit";

export type TillEnrolment = { business: string, till_code: string, code: string, expires_at: string, };

export type TillView = { till_code: string, device_name: string, businesses: Array<BusinessView>, };

export type TodayView = { sales: SalesSummary, expected_cash: Money | null, stock: Array<StockLevel>, cylinders: Array<CylinderStock>, open_jobs: Array<LaundryJobSummary>, };

export type TransferForm = { id: string, business: string, kind: CashMovementKind, amount: string, note: string, business_day: string, };

export type UiError = { code: string, message: string, 
/**
 * The form field at fault, when there is one, for the screen to mark.
 */
field: string | null, };

export type UserForm = { id: string, email: string, name: string, 
/**
 * `owner`, `accountant` or `manager`.
 */
role: string, businesses: Array<string>, password: string, active: boolean, };

export type UserLine = { id: string, email: string, name: string, role: UserRole, businesses: Array<string>, active: boolean, };

export type UserRole = "owner" | "accountant" | "manager";

export type VatAtRate = { rate: VatRate, 
/**
 * The lines' total at this rate, VAT included.
 */
gross: Money, vat: Money, };

export type VatRate = string;

export type Warning = { "code": "duplicate_mpesa_code", mpesa_code: string, } | { "code": "negative_stock", product: string, };
