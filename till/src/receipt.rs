//! One receipt shape for every kind of counter work, built from what the till recorded, so
//! the UI prints sales, LPG, laundry tickets and payments with the same component and never
//! works out an amount itself.

use crate::{
    Collection, CreditOutcome, DepositBackOutcome, DropOffOutcome, LpgOutcome, PaymentOutcome, RefundOutcome,
    SaleOutcome, Warning,
};
use chrono::DateTime;
use serde::Serialize;
use tillbook_core::DocumentError;
use tillbook_core::chart::BusinessProfile;
use tillbook_core::documents::{Sale, SaleLine, Tender};
use tillbook_core::ids::BusinessId;
use tillbook_core::{Money, Quantity, VatRate};

/// Who issued a receipt, where and when: what a Kenyan customer and KRA expect at its top.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceiptHeader {
    pub business_name: String,
    pub profile: BusinessProfile,
    pub till_code: String,
    pub cashier: String,
    /// When it was recorded, in the till's time zone (`2026-11-30 14:03`).
    pub recorded_at: String,
    /// A reprint: the receipt says COPY.
    pub copy: bool,
}

impl ReceiptHeader {
    /// The header of what `session` has just recorded at `till`, with the time it was
    /// recorded (not the time the receipt is drawn, which may fall in the next minute).
    pub fn of(
        till: &crate::Till,
        session: &crate::Session,
        recorded: &crate::Recorded,
    ) -> crate::Result<ReceiptHeader> {
        let business = till.business(session.business_id)?;
        Ok(ReceiptHeader {
            business_name: business.name,
            profile: business.profile,
            till_code: till.info().till_code.clone(),
            cashier: session.name.clone(),
            recorded_at: recorded.occurred_at.format("%Y-%m-%d %H:%M").to_string(),
            copy: false,
        })
    }

    /// The header of a reprint: the business's, this till's, who recorded it (when the store
    /// keeps that) and when, marked COPY.
    fn copy(
        till: &crate::Till,
        business_id: BusinessId,
        cashier: Option<String>,
        occurred_at: String,
    ) -> crate::Result<ReceiptHeader> {
        let business = till.business(business_id)?;
        Ok(ReceiptHeader {
            business_name: business.name,
            profile: business.profile,
            till_code: till.info().till_code.clone(),
            cashier: cashier.unwrap_or_default(),
            recorded_at: local_minute(occurred_at),
            copy: true,
        })
    }
}

/// The VAT inside the lines at one rate (a receipt lists one row per rate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VatAtRate {
    pub rate: VatRate,
    /// The lines' total at this rate, VAT included.
    pub gross: Money,
    pub vat: Money,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceiptView {
    /// What the UI titles it: `sale`, `lpg`, `drop_off`, `collection`, `payment` or `refund`.
    pub kind: &'static str,
    pub receipt_number: String,
    /// The laundry ticket the customer keeps.
    pub ticket_number: Option<String>,
    pub lines: Vec<ReceiptLine>,
    pub total: Money,
    pub vat: Money,
    pub tenders: Vec<Tender>,
    pub change: Money,
    /// Still owed on a laundry job after this receipt.
    pub balance_due: Option<Money>,
    /// Paid beyond the invoices, kept as the customer's credit.
    pub credit_kept: Option<Money>,
    pub warnings: Vec<Warning>,
    /// Who, where and when; set by [`ReceiptView::issued`].
    pub header: Option<ReceiptHeader>,
    /// The VAT by rate, from the lines that carry one.
    pub vat_by_rate: Vec<VatAtRate>,
    /// When a laundry job is promised (`2026-12-02 17:00`), on its ticket.
    pub due: Option<String>,
    /// KRA's eTIMS answer for this sale, once head office has it and the till pulled it.
    pub kra: Option<tillbook_core::etims::Signature>,
    /// The QR code of KRA's check address (`kra.qr`), as SVG markup drawn here: squares only,
    /// no text, so the UI can put it on the receipt as it is.
    pub kra_qr_svg: Option<String>,
    /// A VAT-registered business's receipt without KRA's answer yet: it says the KRA details
    /// will follow (head office transmits the sale once it reaches it, docs/etims.md).
    pub kra_pending: bool,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceiptLine {
    pub text: String,
    pub quantity: Quantity,
    /// The price of one, and the VAT rate, where the line has them (goods and laundry).
    pub unit_price: Option<Money>,
    pub vat_rate: Option<VatRate>,
    pub amount: Money,
}

impl ReceiptLine {
    fn plain(text: String, quantity: Quantity, amount: Money) -> ReceiptLine {
        ReceiptLine { text, quantity, unit_price: None, vat_rate: None, amount }
    }

    fn priced(text: String, quantity: Quantity, unit_price: Money, vat_rate: VatRate, amount: Money) -> ReceiptLine {
        ReceiptLine { text, quantity, unit_price: Some(unit_price), vat_rate: Some(vat_rate), amount }
    }
}

impl ReceiptView {
    /// What every receipt has; the rest starts empty and each kind fills in its own.
    fn base(
        kind: &'static str,
        receipt_number: String,
        total: Money,
        vat: Money,
        tenders: Vec<Tender>,
        change: Money,
        warnings: Vec<Warning>,
    ) -> ReceiptView {
        ReceiptView {
            kind,
            receipt_number,
            ticket_number: None,
            lines: Vec::new(),
            total,
            vat,
            tenders,
            change,
            balance_due: None,
            credit_kept: None,
            warnings,
            header: None,
            vat_by_rate: Vec::new(),
            due: None,
            kra: None,
            kra_qr_svg: None,
            kra_pending: false,
        }
    }

    /// A goods sale or a refund reprinted from the store, with its own header: when and by
    /// whom it was recorded, and COPY; and KRA's answer once the till has it.
    pub fn reprint(till: &crate::Till, business_id: BusinessId, receipt_number: &str) -> crate::Result<ReceiptView> {
        if let Some(refund) = till.recorded_refund(business_id, receipt_number)? {
            return ReceiptView::refund_copy(till, business_id, refund);
        }
        if let Some(sale) = till.recorded_lpg_sale(business_id, receipt_number)? {
            return ReceiptView::lpg_copy(till, business_id, sale);
        }
        let sale = till.recorded_sale(business_id, receipt_number)?;
        let lines: Vec<ReceiptLine> = sale
            .lines
            .iter()
            .map(|(name, line)| {
                ReceiptLine::priced(name.clone(), line.quantity, line.unit_price, line.vat_rate, line.line_total)
            })
            .collect();
        let only_lines: Vec<SaleLine> = sale.lines.into_iter().map(|(_, line)| line).collect();
        let vat = Sale::vat_of(&only_lines).map_err(DocumentError::from)?;
        let header = ReceiptHeader::copy(till, business_id, sale.cashier, sale.occurred_at)?;
        // The change handed back is not kept (only what was due in cash is a tender): a copy
        // shows the tenders and no change.
        let base =
            ReceiptView::base("sale", sale.receipt_number, sale.total, vat, sale.tenders, Money::ZERO, Vec::new());
        let kra = till.etims_signature(sale.sale_id)?;
        Ok(ReceiptView { lines, kra, ..base }.summarised().issued(header))
    }

    /// A refund reprinted: the lines given back, each at its sale line's VAT rate, and how the
    /// money went back. Refunds do not keep who gave them, so the copy names no cashier.
    fn refund_copy(
        till: &crate::Till,
        business_id: BusinessId,
        refund: crate::store::lookups::RecordedRefund,
    ) -> crate::Result<ReceiptView> {
        let vat = Money::sum(refund.lines.iter().map(|line| line.amount.vat_part(line.vat_rate)))
            .map_err(DocumentError::from)?;
        let lines = refund
            .lines
            .into_iter()
            .map(|line| ReceiptLine {
                vat_rate: Some(line.vat_rate),
                ..ReceiptLine::plain(line.name, line.quantity, line.amount)
            })
            .collect();
        let header = ReceiptHeader::copy(till, business_id, None, refund.occurred_at)?;
        let base = ReceiptView::base(
            "refund",
            refund.receipt_number,
            refund.total,
            vat,
            refund.tenders,
            Money::ZERO,
            Vec::new(),
        );
        let kra = till.etims_signature(refund.refund_id)?;
        Ok(ReceiptView { lines, kra, ..base }.summarised().issued(header))
    }

    /// An LPG sale reprinted: its line as the counter printed it, its VAT as its entry holds it.
    fn lpg_copy(
        till: &crate::Till,
        business_id: BusinessId,
        sale: crate::store::lookups::RecordedLpgSale,
    ) -> crate::Result<ReceiptView> {
        let cylinder = till.cylinder_types(business_id)?.into_iter().find(|c| c.id == sale.cylinder_type_id);
        let quantity = Quantity::try_whole(i64::from(sale.quantity)).map_err(DocumentError::from)?;
        let lines = vec![ReceiptLine::plain(cylinder.as_ref().map(gas_text).unwrap_or_default(), quantity, sale.total)];
        let header = ReceiptHeader::copy(till, business_id, sale.cashier, sale.occurred_at)?;
        let base =
            ReceiptView::base("lpg", sale.receipt_number, sale.total, sale.vat, sale.tenders, Money::ZERO, Vec::new());
        let kra = till.etims_signature(sale.sale_id)?;
        Ok(ReceiptView { lines, kra, ..base }.summarised().issued(header))
    }

    /// A sale of goods; `name` names a product by its id.
    pub fn sale(outcome: SaleOutcome, name: impl Fn(&tillbook_core::ids::ProductId) -> String) -> ReceiptView {
        let lines = outcome
            .lines
            .iter()
            .map(|line| {
                ReceiptLine::priced(
                    name(&line.product_id),
                    line.quantity,
                    line.unit_price,
                    line.vat_rate,
                    line.line_total,
                )
            })
            .collect();
        let base = ReceiptView::base(
            "sale",
            outcome.receipt_number,
            outcome.total,
            outcome.vat,
            outcome.tenders,
            outcome.change,
            outcome.warnings,
        );
        ReceiptView { lines, ..base }.summarised()
    }

    pub fn lpg(outcome: LpgOutcome, text: String, quantity: Quantity) -> ReceiptView {
        let lines = vec![ReceiptLine::plain(text, quantity, outcome.total)];
        let base = ReceiptView::base(
            "lpg",
            outcome.receipt_number,
            outcome.total,
            outcome.vat,
            outcome.tenders,
            outcome.change,
            outcome.warnings,
        );
        ReceiptView { lines, ..base }.summarised()
    }

    /// A deposit paid back for lent cylinders brought back (a refund receipt; no VAT).
    pub fn deposit_back(outcome: DepositBackOutcome, text: String, quantity: Quantity) -> ReceiptView {
        let lines = vec![ReceiptLine::plain(text, quantity, outcome.total)];
        let base = ReceiptView::base(
            "refund",
            outcome.receipt_number,
            outcome.total,
            Money::ZERO,
            outcome.tenders,
            Money::ZERO,
            outcome.warnings,
        );
        ReceiptView { lines, ..base }
    }

    /// The drop-off ticket; `name` names a laundry service by its id.
    pub fn drop_off(
        outcome: DropOffOutcome,
        name: impl Fn(&tillbook_core::ids::LaundryServiceId) -> String,
    ) -> ReceiptView {
        let promised = outcome.promised_at.format("%Y-%m-%d %H:%M").to_string();
        let (receipt_number, tenders, change, warnings) = match outcome.deposit {
            Some(deposit) => (deposit.receipt_number, deposit.tenders, deposit.change, deposit.warnings),
            None => (outcome.ticket_number.clone(), Vec::new(), Money::ZERO, Vec::new()),
        };
        let lines = outcome
            .items
            .iter()
            .map(|item| {
                let service = name(&item.service_id);
                let text = if item.description.is_empty() || item.description == service {
                    service
                } else {
                    format!("{service}: {}", item.description)
                };
                ReceiptLine::priced(text, item.quantity, item.unit_price, item.vat_rate, item.line_total)
            })
            .collect();
        let base = ReceiptView::base("drop_off", receipt_number, outcome.total, outcome.vat, tenders, change, warnings);
        ReceiptView {
            ticket_number: Some(outcome.ticket_number),
            lines,
            balance_due: Some(outcome.balance_due),
            due: Some(promised),
            ..base
        }
        .summarised()
    }

    /// The collection of a laundry job, carrying KRA's answer for the job's invoice (sent at
    /// drop-off) once the till has it: by collection, days later, it usually has.
    pub fn collection(till: &crate::Till, collection: Collection, ticket_number: String) -> crate::Result<ReceiptView> {
        let kra = till.etims_signature(collection.job_id)?;
        let balance_due = Some(collection.balance_left);
        let base = match collection.payment {
            Some(payment) => ReceiptView {
                credit_kept: Some(payment.unapplied).filter(|m| m.is_positive()),
                ..ReceiptView::base(
                    "collection",
                    payment.receipt_number,
                    payment.total,
                    Money::ZERO,
                    payment.tenders,
                    payment.change,
                    payment.warnings,
                )
            },
            None => ReceiptView::base(
                "collection",
                ticket_number.clone(),
                Money::ZERO,
                Money::ZERO,
                Vec::new(),
                Money::ZERO,
                Vec::new(),
            ),
        };
        Ok(ReceiptView { ticket_number: Some(ticket_number), balance_due, kra, ..base })
    }

    pub fn payment(outcome: PaymentOutcome) -> ReceiptView {
        let credit_kept = Some(outcome.unapplied).filter(|m| m.is_positive());
        let base = ReceiptView::base(
            "payment",
            outcome.receipt_number,
            outcome.total,
            Money::ZERO,
            outcome.tenders,
            outcome.change,
            outcome.warnings,
        );
        ReceiptView { credit_kept, ..base }
    }

    /// A customer's credit paid back over the counter: a refund receipt the customer signs.
    pub fn credit_refund(outcome: CreditOutcome, text: String) -> ReceiptView {
        let lines = vec![ReceiptLine::plain(text, Quantity::whole(1), outcome.total)];
        let base = ReceiptView::base(
            "refund",
            outcome.receipt_number.unwrap_or_default(),
            outcome.total,
            Money::ZERO,
            outcome.tenders,
            Money::ZERO,
            Vec::new(),
        );
        ReceiptView { lines, ..base }
    }

    /// Goods returned: the lines given back and the money paid back (no change on a refund).
    pub fn refund(outcome: RefundOutcome, name: impl Fn(&tillbook_core::ids::ProductId) -> String) -> ReceiptView {
        let lines = outcome
            .lines
            .iter()
            .map(|line| ReceiptLine::plain(name(&line.product_id), line.quantity, line.amount))
            .collect();
        let base = ReceiptView::base(
            "refund",
            outcome.receipt_number,
            outcome.total,
            outcome.vat,
            vec![outcome.tender],
            Money::ZERO,
            Vec::new(),
        );
        ReceiptView { lines, ..base }
    }

    /// The receipt as issued: by whom, where and when (a reprint marked COPY).
    pub fn issued(self, header: ReceiptHeader) -> ReceiptView {
        // What KRA is told of: sales and refunds of a VAT-registered business.
        let transmitted = matches!(self.kind, "sale" | "lpg" | "drop_off" | "refund");
        let kra_pending = transmitted && header.profile.vat_registered && self.kra.is_none();
        let kra_qr_svg = self.kra.as_ref().and_then(|kra| qr_svg(&kra.qr));
        ReceiptView { header: Some(header), kra_pending, kra_qr_svg, ..self }
    }

    /// Fills in the VAT by rate from the lines that carry a rate, each line's VAT as its
    /// posting has it (`Money::vat_part` of the line).
    fn summarised(mut self) -> ReceiptView {
        let mut rates: Vec<VatAtRate> = Vec::new();
        for line in &self.lines {
            let Some(rate) = line.vat_rate else { continue };
            let vat = line.amount.vat_part(rate);
            match rates.iter_mut().find(|at| at.rate == rate) {
                // Within a receipt that the till recorded, so within the ledger's range.
                Some(at) => {
                    at.gross = at.gross.checked_add(line.amount).unwrap_or(at.gross);
                    at.vat = at.vat.checked_add(vat).unwrap_or(at.vat);
                }
                None => rates.push(VatAtRate { rate, gross: line.amount, vat }),
            }
        }
        rates.sort_by_key(|at| std::cmp::Reverse(at.rate));
        self.vat_by_rate = rates;
        self
    }
}

/// A stored RFC 3339 time as a receipt prints it (`2026-11-30 14:03`), in the offset it was
/// recorded in; kept as stored if it does not parse.
fn local_minute(occurred_at: String) -> String {
    DateTime::parse_from_rfc3339(&occurred_at).map(|at| at.format("%Y-%m-%d %H:%M").to_string()).unwrap_or(occurred_at)
}

/// `text` as a QR code in SVG, about 30 mm across on a receipt; `None` if it is too long for one
/// (KRA's address with a signature is a fraction of the limit).
fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    Some(code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(120, 120).quiet_zone(true).build())
}

/// How a receipt names gas of a cylinder type: "13 kg Total gas".
pub fn gas_text(cylinder: &tillbook_core::catalog::CylinderType) -> String {
    format!("{} kg {} gas", cylinder.size_kg, cylinder.brand)
}
