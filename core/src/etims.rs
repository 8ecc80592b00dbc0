//! KRA eTIMS: the OSCU sales payload (`POST /saveTrnsSalesOsdc`, request `TrnsSalesSaveWrReq`)
//! head office transmits for a sale or a credit note of a VAT-registered business, worked out
//! here from the document the ledger posted, so that what KRA receives is the books' own figures
//! to the cent (the VAT of each line as the posting credits it, DESIGN §3).
//!
//! Field names and codes are KRA's, from the OSCU specification (public copy: the repository
//! `paybillke/kra-etims-oscu-docs`, `docs/api-reference/purchases/save-sales-transaction.md` and
//! `docs/code-definition/{tax-type,payment-method,sales-receipt-type,transaction-progress,
//! credit-note-reason}.md`); `docs/etims.md` lists which field comes from where and what
//! Tillbook puts in it. Amounts travel as JSON numbers written from the decimal itself, never
//! through a float.

use chrono::{DateTime, FixedOffset};
use serde::{Serialize, Serializer};

use crate::documents::{Document, NewCylinder, TenderMethod, tender::Tender};
use crate::ids::{CylinderTypeId, LaundryServiceId, ProductId};
use crate::money::{AmountError, Money, Quantity, VatRate};

/// Why a document cannot be put into a payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EtimsError {
    #[error("VAT rate {0} has no eTIMS tax type (16%, 8% and 0% have)")]
    UnknownRate(VatRate),
    #[error("a document with no lines has nothing to transmit")]
    NoLines,
    #[error("{0:?} is not registered with eTIMS yet")]
    Unregistered(ItemKey),
    #[error(transparent)]
    Amount(#[from] AmountError),
}

/// KRA's taxation type of an item (`taxTyCd`, code list "Tax Type"). Tillbook's products carry a
/// rate, not a class: 16% is B and 8% is E; 0% is sent as C (zero-rated), since a product has no
/// flag yet that tells exempt (A) from zero-rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TaxType {
    A,
    B,
    C,
    D,
    E,
}

impl TaxType {
    pub fn of(rate: VatRate) -> Result<TaxType, EtimsError> {
        match rate.basis_points() {
            1600 => Ok(TaxType::B),
            800 => Ok(TaxType::E),
            0 => Ok(TaxType::C),
            _ => Err(EtimsError::UnknownRate(rate)),
        }
    }

    /// The rate KRA's header states for the class (`taxRtA`…`taxRtE`), in percent.
    fn percent(self) -> Money {
        match self {
            TaxType::B => Money::from_cents(1600),
            TaxType::E => Money::from_cents(800),
            TaxType::A | TaxType::C | TaxType::D => Money::ZERO,
        }
    }
}

/// KRA's payment type (`pmtTyCd`, code list "Payment Method") of a document's tenders: cash 01,
/// on account 02, cash and account 03, M-Pesa 06 (mobile money), any other mix 07. A document
/// with no tenders (a laundry job, paid later) is on account.
pub fn payment_type(tenders: &[Tender]) -> &'static str {
    let has = |method| tenders.iter().any(|tender| tender.method == method);
    match (has(TenderMethod::Cash), has(TenderMethod::Mpesa), has(TenderMethod::Credit)) {
        (true, false, false) => "01",
        (false, false, _) => "02",
        (true, false, true) => "03",
        (false, true, false) => "06",
        _ => "07",
    }
}

/// How KRA knows an item: registered with `saveItem` before it is first sold (`itemCd` is
/// country, product type, packaging unit, quantity unit and a sequence, e.g. `KE2NTU0000001`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRef {
    pub code: String,
    pub class_code: String,
    pub name: String,
    pub packaging_unit: String,
    pub quantity_unit: String,
}

/// KRA's answer for one sale, as head office publishes it to the till that recorded the sale
/// (entity `etims_receipt`) and a receipt prints it: the control unit, its receipt number and
/// time, the signature and internal data, and what the QR code holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Signature {
    pub document_id: crate::ids::DocumentId,
    /// The business's eTIMS invoice number (`invcNo`).
    pub invoice_number: u64,
    /// The control unit's id (`sdcId`) and its receipt number (`curRcptNo`): printed as
    /// `SCU ID` and `CU invoice no.`.
    pub control_unit: String,
    pub cu_receipt_number: String,
    pub cu_date_time: String,
    pub receipt_signature: String,
    pub internal_data: String,
    /// What the receipt's QR code holds, for the customer to check the receipt with KRA.
    pub qr: String,
}

/// What the QR code of a receipt holds: KRA's receipt check with the seller's PIN, branch and
/// the receipt signature. The address is not in the OSCU specification; docs/etims.md says so.
pub fn qr_text(production: bool, tin: &str, branch_id: &str, signature: &str) -> String {
    let host = if production { "etims.kra.go.ke" } else { "etims-sbx.kra.go.ke" };
    format!("https://{host}/common/link/etims/receipt/indexEtimsReceiptData?Data={tin}{branch_id}{signature}")
}

/// What Tillbook sells that KRA knows as an item: a product, the gas in a cylinder type, the
/// cylinder itself, a laundry service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKey {
    Product(ProductId),
    Gas(CylinderTypeId),
    Cylinder(CylinderTypeId),
    Service(LaundryServiceId),
}

/// What KRA is told of `document`: `Some((is a credit note, lines))` for a goods sale, an LPG
/// sale (the gas, and the cylinder when it is sold: a deposit is held for the customer, not
/// sold), a laundry job at drop-off (its invoice) and a refund; `None` for documents that are no
/// sale (payments, stock, cash). Items are named by `item_of`.
pub fn lines_of(
    document: &Document,
    item_of: &dyn Fn(ItemKey) -> Option<ItemRef>,
) -> Option<Result<(bool, Vec<Line>), EtimsError>> {
    let item = |key: ItemKey| item_of(key).ok_or(EtimsError::Unregistered(key));
    let lines = |credit_note: bool, lines: Result<Vec<Line>, EtimsError>| Some(lines.map(|lines| (credit_note, lines)));
    match document {
        Document::Sale(sale) => lines(
            false,
            sale.lines
                .iter()
                .map(|line| {
                    Ok(Line {
                        item: item(ItemKey::Product(line.product_id))?,
                        quantity: line.quantity,
                        unit_price: line.unit_price,
                        discount: line.discount,
                        vat_rate: line.vat_rate,
                        total: line.line_total,
                    })
                })
                .collect(),
        ),
        Document::LpgSale(sale) => {
            let gas = || -> Result<Vec<Line>, EtimsError> {
                let mut lines = vec![Line {
                    item: item(ItemKey::Gas(sale.cylinder_type_id))?,
                    quantity: sale.quantity,
                    unit_price: sale.gas_price,
                    discount: Money::ZERO,
                    vat_rate: sale.vat_rate,
                    total: sale.gas_total,
                }];
                if sale.new_cylinder == Some(NewCylinder::Sale) {
                    lines.push(Line {
                        item: item(ItemKey::Cylinder(sale.cylinder_type_id))?,
                        quantity: sale.quantity,
                        unit_price: sale.cylinder_charge,
                        discount: Money::ZERO,
                        vat_rate: sale.vat_rate,
                        total: sale.cylinder_total,
                    });
                }
                Ok(lines)
            };
            lines(false, gas())
        }
        Document::LaundryDropOff(job) => lines(
            false,
            job.items
                .iter()
                .map(|line| {
                    Ok(Line {
                        item: item(ItemKey::Service(line.service_id))?,
                        quantity: line.quantity,
                        unit_price: line.unit_price,
                        discount: Money::ZERO,
                        vat_rate: line.vat_rate,
                        total: line.line_total,
                    })
                })
                .collect(),
        ),
        Document::Refund(refund) => lines(
            true,
            refund
                .lines
                .iter()
                .map(|line| {
                    // The amount given back is the sold line's total in proportion; its price
                    // per unit is that amount shared over the quantity, to the cent.
                    let per_unit = line.amount.decimal().checked_div(line.quantity.decimal()).unwrap_or_default();
                    let unit_price = Money::round(per_unit)?;
                    Ok(Line {
                        item: item(ItemKey::Product(line.product_id))?,
                        quantity: line.quantity,
                        unit_price,
                        discount: Money::ZERO,
                        vat_rate: line.vat_rate,
                        total: line.amount,
                    })
                })
                .collect(),
        ),
        _ => None,
    }
}

/// The document a reversal takes back whole: a voided sale or LPG sale (or a voided payment,
/// which KRA never heard of), a cancelled laundry job. KRA is told of it as a credit note of all
/// the original's lines (`lines_of` the original), under reason 06 like a refund: the
/// specification's reasons (01–06) have none closer. `None` for anything else.
pub fn reversed(document: &Document) -> Option<crate::ids::DocumentId> {
    match document {
        Document::SaleVoided(void) | Document::DocumentVoided(void) => Some(void.document_id),
        Document::LaundryStatusChange(change) if change.to == crate::documents::JobStatus::Cancelled => {
            Some(change.job_id)
        }
        _ => None,
    }
}

/// One line of what was sold or given back: VAT-inclusive, as the documents hold them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub item: ItemRef,
    pub quantity: Quantity,
    pub unit_price: Money,
    pub discount: Money,
    pub vat_rate: VatRate,
    /// `quantity × unit_price − discount`.
    pub total: Money,
}

/// A sale, or a credit note that gives back part of an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receipt {
    Sale,
    /// `original` is the invoice number KRA holds for the sale given back.
    CreditNote {
        original: u64,
    },
}

/// Who transmits: the business's KRA PIN and branch, and the user recorded on the invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    pub tin: String,
    pub branch_id: String,
    pub user_id: String,
    pub user_name: String,
}

/// What a payload is made from.
#[derive(Debug, Clone)]
pub struct Invoice<'a> {
    /// The business's own gap-free invoice number for eTIMS (`invcNo`).
    pub number: u64,
    /// The till's receipt number (`trdInvcNo`).
    pub receipt_number: &'a str,
    pub receipt: Receipt,
    pub occurred_at: DateTime<FixedOffset>,
    pub lines: Vec<Line>,
    pub tenders: &'a [Tender],
    /// The buyer's KRA PIN and name, when the sale names a customer who has one.
    pub customer: Option<(String, String)>,
}

/// A decimal written into the JSON as a number, digit for digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount(pub rust_decimal::Decimal);

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw = serde_json::value::RawValue::from_string(self.0.normalize().to_string())
            .map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl From<Money> for Amount {
    fn from(money: Money) -> Amount {
        Amount(money.decimal())
    }
}

impl From<Quantity> for Amount {
    fn from(quantity: Quantity) -> Amount {
        Amount(quantity.decimal())
    }
}

/// `TrnsSalesSaveWrReq`, the fields Tillbook fills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesSave {
    pub trd_invc_no: String,
    pub invc_no: u64,
    pub org_invc_no: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cust_tin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cust_nm: Option<String>,
    /// `N`: a normal sale (not a training or proforma one).
    pub sales_ty_cd: &'static str,
    /// `S` sale, `R` credit note after sale.
    pub rcpt_ty_cd: &'static str,
    pub pmt_ty_cd: &'static str,
    /// `02` approved: the sale happened; `05` for a credit note.
    pub sales_stts_cd: &'static str,
    /// `YYYYMMDDhhmmss`, the till's local time of the sale.
    pub cfm_dt: String,
    /// `YYYYMMDD`.
    pub sales_dt: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rfd_dt: Option<String>,
    /// `06` refund, for a credit note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rfd_rsn_cd: Option<&'static str>,
    pub tot_item_cnt: usize,
    pub taxbl_amt_a: Amount,
    pub taxbl_amt_b: Amount,
    pub taxbl_amt_c: Amount,
    pub taxbl_amt_d: Amount,
    pub taxbl_amt_e: Amount,
    pub tax_rt_a: Amount,
    pub tax_rt_b: Amount,
    pub tax_rt_c: Amount,
    pub tax_rt_d: Amount,
    pub tax_rt_e: Amount,
    pub tax_amt_a: Amount,
    pub tax_amt_b: Amount,
    pub tax_amt_c: Amount,
    pub tax_amt_d: Amount,
    pub tax_amt_e: Amount,
    pub tot_taxbl_amt: Amount,
    pub tot_tax_amt: Amount,
    pub tot_amt: Amount,
    pub prchr_acptc_yn: &'static str,
    pub regr_id: String,
    pub regr_nm: String,
    pub modr_id: String,
    pub modr_nm: String,
    pub receipt: ReceiptPart,
    pub item_list: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptPart {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cust_tin: Option<String>,
    pub rcpt_pbct_dt: String,
    pub prchr_acptc_yn: &'static str,
}

/// One line of `itemList`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    pub item_seq: usize,
    pub item_cd: String,
    pub item_cls_cd: String,
    pub item_nm: String,
    pub pkg_unit_cd: String,
    pub pkg: Amount,
    pub qty_unit_cd: String,
    pub qty: Amount,
    pub prc: Amount,
    /// Quantity × price, before the discount.
    pub sply_amt: Amount,
    /// The discount as a percentage of the supply amount, to two places.
    pub dc_rt: Amount,
    pub dc_amt: Amount,
    pub tax_ty_cd: TaxType,
    /// VAT-inclusive, as KRA's example has it (its `taxblAmt` equals its `totAmt`).
    pub taxbl_amt: Amount,
    pub tax_amt: Amount,
    pub tot_amt: Amount,
}

/// The payload of `invoice` from `issuer`: items in the document's order, header totals per tax
/// type the sums of the items', each line's VAT as the books hold it.
pub fn sales_payload(invoice: &Invoice<'_>, issuer: &Issuer) -> Result<SalesSave, EtimsError> {
    if invoice.lines.is_empty() {
        return Err(EtimsError::NoLines);
    }
    let mut items = Vec::with_capacity(invoice.lines.len());
    // Per tax type A..E: taxable amount and tax.
    let mut by_type = [(Money::ZERO, Money::ZERO); 5];
    for (index, line) in invoice.lines.iter().enumerate() {
        let tax_type = TaxType::of(line.vat_rate)?;
        let vat = line.total.vat_part(line.vat_rate);
        let supply = line.total.checked_add(line.discount)?;
        let slot = &mut by_type[tax_type as usize];
        *slot = (slot.0.checked_add(line.total)?, slot.1.checked_add(vat)?);
        items.push(Item {
            item_seq: index + 1,
            item_cd: line.item.code.clone(),
            item_cls_cd: line.item.class_code.clone(),
            item_nm: line.item.name.clone(),
            pkg_unit_cd: line.item.packaging_unit.clone(),
            pkg: line.quantity.into(),
            qty_unit_cd: line.item.quantity_unit.clone(),
            qty: line.quantity.into(),
            prc: line.unit_price.into(),
            sply_amt: supply.into(),
            dc_rt: Amount(discount_rate(line.discount, supply)),
            dc_amt: line.discount.into(),
            tax_ty_cd: tax_type,
            taxbl_amt: line.total.into(),
            tax_amt: vat.into(),
            tot_amt: line.total.into(),
        });
    }
    let total = Money::sum(by_type.iter().map(|(taxable, _)| *taxable))?;
    let tax = Money::sum(by_type.iter().map(|(_, tax)| *tax))?;
    let stamp = invoice.occurred_at.format("%Y%m%d%H%M%S").to_string();
    let (receipt_type, status, original, refund_date, refund_reason) = match invoice.receipt {
        Receipt::Sale => ("S", "02", 0, None, None),
        Receipt::CreditNote { original } => ("R", "05", original, Some(stamp.clone()), Some("06")),
    };
    let amount = |index: usize, tax: bool| -> Amount {
        let (taxable, vat) = by_type[index];
        if tax { vat.into() } else { taxable.into() }
    };
    let rate = |tax_type: TaxType| -> Amount { tax_type.percent().into() };
    let (customer_tin, customer_name) = match &invoice.customer {
        Some((tin, name)) => (Some(tin.clone()), Some(name.clone())),
        None => (None, None),
    };
    Ok(SalesSave {
        trd_invc_no: invoice.receipt_number.to_string(),
        invc_no: invoice.number,
        org_invc_no: original,
        cust_tin: customer_tin.clone(),
        cust_nm: customer_name,
        sales_ty_cd: "N",
        rcpt_ty_cd: receipt_type,
        pmt_ty_cd: payment_type(invoice.tenders),
        sales_stts_cd: status,
        cfm_dt: stamp.clone(),
        sales_dt: invoice.occurred_at.format("%Y%m%d").to_string(),
        rfd_dt: refund_date,
        rfd_rsn_cd: refund_reason,
        tot_item_cnt: items.len(),
        taxbl_amt_a: amount(0, false),
        taxbl_amt_b: amount(1, false),
        taxbl_amt_c: amount(2, false),
        taxbl_amt_d: amount(3, false),
        taxbl_amt_e: amount(4, false),
        tax_rt_a: rate(TaxType::A),
        tax_rt_b: rate(TaxType::B),
        tax_rt_c: rate(TaxType::C),
        tax_rt_d: rate(TaxType::D),
        tax_rt_e: rate(TaxType::E),
        tax_amt_a: amount(0, true),
        tax_amt_b: amount(1, true),
        tax_amt_c: amount(2, true),
        tax_amt_d: amount(3, true),
        tax_amt_e: amount(4, true),
        tot_taxbl_amt: total.into(),
        tot_tax_amt: tax.into(),
        tot_amt: total.into(),
        prchr_acptc_yn: "N",
        regr_id: issuer.user_id.clone(),
        regr_nm: issuer.user_name.clone(),
        modr_id: issuer.user_id.clone(),
        modr_nm: issuer.user_name.clone(),
        receipt: ReceiptPart { cust_tin: customer_tin, rcpt_pbct_dt: stamp, prchr_acptc_yn: "N" },
        item_list: items,
    })
}

/// `discount / supply × 100`, half-up to two places; 0 when nothing was supplied.
fn discount_rate(discount: Money, supply: Money) -> rust_decimal::Decimal {
    if supply.is_zero() {
        return rust_decimal::Decimal::ZERO;
    }
    (discount.decimal() * rust_decimal::Decimal::ONE_HUNDRED / supply.decimal())
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}
