//! Events as a real till makes them: documents of the demo group posted by `tillbook-core`'s
//! own rules, with their journals. Shared by the tests and the merge benchmark (by path).

use chrono::{DateTime, FixedOffset, Utc};
use tillbook_core::catalog::Product;
use tillbook_core::chart::{Business, BusinessKind};
use tillbook_core::documents::{
    Allocation, DepositRefund, Document, LaundryDropOff, LaundryItem, LpgSale, NewCylinder, PaidFrom, Payment,
    PurchaseLine, Refund, RefundLine, Sale, SaleLine, ShiftClosed, ShiftOpened, StockReceipt, SupplierPaid,
    SupplierPayment, Tender, TenderMethod, Void,
};
use tillbook_core::ids::{CustomerId, DeviceId, DocumentId, EntryId, EventId, ProductId};
use tillbook_core::money::{Money, Quantity, VatRate};
use tillbook_core::protocol::Event;
use tillbook_core::seed::{self, MemoryLookup};

/// One till's event stream: numbers its events and posts each document.
pub struct TillEvents {
    pub device: DeviceId,
    pub business: Business,
    pub lookup: MemoryLookup,
    pub next_seq: u64,
    /// When the next events happened; `None`: now.
    pub clock: Option<DateTime<FixedOffset>>,
    /// Who records the next events (the demo's first cashier unless a test says otherwise).
    pub recorded_by: tillbook_core::ids::StaffId,
}

impl TillEvents {
    pub fn new(device: DeviceId, kind: BusinessKind) -> TillEvents {
        let data = seed::demo();
        let business = data.businesses.iter().find(|b| b.kind == kind).cloned().expect("demo business");
        let recorded_by = seed::demo_staff()[2].id;
        TillEvents { device, business, lookup: MemoryLookup::new(data), next_seq: 1, clock: None, recorded_by }
    }

    /// The business's products, in seed order.
    pub fn products(&self) -> Vec<Product> {
        self.lookup.data.products.iter().filter(|p| p.business_id == self.business.id).cloned().collect()
    }

    pub fn event(&mut self, document: Document) -> Event {
        let entry = document.post(&self.business, &self.lookup, EntryId::new()).expect("fixture documents post");
        if let (Some(entry), Some(id)) = (&entry, tillbook_core::documents::document_id(&document)) {
            self.lookup.record(id, entry.clone());
        }
        let nairobi = FixedOffset::east_opt(3 * 3600).expect("offset");
        let event = Event {
            event_id: EventId::new(),
            device_seq: self.next_seq,
            event_type: document.event_type().to_string(),
            business_id: self.business.id,
            occurred_at: self.clock.unwrap_or_else(|| Utc::now().with_timezone(&nairobi)),
            recorded_by: Some(self.recorded_by),
            document: document.to_wire(),
            journal: entry.map(|entry| entry.to_wire()),
        };
        self.next_seq += 1;
        event
    }

    /// A cash sale of `(product index, whole quantity)` lines, paid in cash or by M-Pesa.
    pub fn sale_document(&self, lines: &[(usize, i64)], mpesa_code: Option<&str>) -> Sale {
        let products = self.products();
        let lines: Vec<SaleLine> = lines
            .iter()
            .map(|&(index, quantity)| {
                let product = &products[index % products.len()];
                let quantity = Quantity::whole(quantity);
                SaleLine {
                    product_id: product.id,
                    quantity,
                    unit_price: product.price,
                    discount: Money::ZERO,
                    vat_rate: product.vat_rate,
                    line_total: product.price.times(quantity).expect("fixture amounts fit"),
                }
            })
            .collect();
        let total = Sale::total_of(&lines).unwrap();
        let tender = match mpesa_code {
            Some(code) => Tender {
                method: TenderMethod::Mpesa,
                amount: total,
                mpesa_code: Some(code.to_string()),
                customer_id: None,
            },
            None => Tender { method: TenderMethod::Cash, amount: total, mpesa_code: None, customer_id: None },
        };
        Sale {
            sale_id: DocumentId::new(),
            receipt_number: format!("T-{:06}", self.next_seq),
            lines,
            tenders: vec![tender],
            total,
        }
    }

    /// The next events happen at `when` (RFC 3339, with its offset).
    pub fn at(&mut self, when: &str) {
        self.clock = Some(DateTime::parse_from_rfc3339(when).expect("a fixture time"));
    }

    /// A sale of `lines` wholly on `customer`'s account.
    pub fn credit_sale(&mut self, lines: &[(usize, i64)], customer: CustomerId) -> (Sale, Event) {
        let mut sale = self.sale_document(lines, None);
        sale.tenders = vec![Tender {
            method: TenderMethod::Credit,
            amount: sale.total,
            mpesa_code: None,
            customer_id: Some(customer),
        }];
        (sale.clone(), self.event(Document::Sale(sale)))
    }

    /// A payment beyond any invoice, `receipt`, all of it kept as the customer's credit: in
    /// cash, or by M-Pesa when a code is given.
    pub fn paid_in_advance(
        &mut self,
        customer: CustomerId,
        amount: &str,
        receipt: &str,
        mpesa_code: Option<&str>,
    ) -> Event {
        let amount: Money = amount.parse().expect("a fixture amount");
        let method = if mpesa_code.is_some() { TenderMethod::Mpesa } else { TenderMethod::Cash };
        let payment = Payment {
            payment_id: DocumentId::new(),
            receipt_number: receipt.to_string(),
            customer_id: customer,
            tenders: vec![Tender { method, amount, mpesa_code: mpesa_code.map(str::to_string), customer_id: None }],
            allocations: vec![],
            unapplied: amount,
            total: amount,
        };
        self.event(Document::PaymentReceived(payment))
    }

    /// A payment on account by M-Pesa, allocated to `invoice` (the rest unapplied), with its id.
    pub fn payment(
        &mut self,
        customer: CustomerId,
        amount: &str,
        invoice: DocumentId,
        code: &str,
    ) -> (DocumentId, Event) {
        let amount: Money = amount.parse().expect("a fixture amount");
        let payment = Payment {
            payment_id: DocumentId::new(),
            receipt_number: format!("P-{:06}", self.next_seq),
            customer_id: customer,
            tenders: vec![Tender {
                method: TenderMethod::Mpesa,
                amount,
                mpesa_code: Some(code.to_string()),
                customer_id: None,
            }],
            allocations: vec![Allocation { invoice_id: invoice, amount }],
            unapplied: Money::ZERO,
            total: amount,
        };
        (payment.payment_id, self.event(Document::PaymentReceived(payment)))
    }

    /// `quantity` of line `line_no` of `sale` brought back, as a credit note on its invoice.
    pub fn credit_note(&mut self, sale: &Sale, line_no: usize, quantity: i64, customer: CustomerId) -> Event {
        let sold = &sale.lines[line_no];
        let quantity = Quantity::whole(quantity);
        let product = self.lookup.data.products.iter().find(|p| p.id == sold.product_id).expect("a sold product");
        let amount = sold.line_total.share(quantity, sold.quantity).unwrap();
        let refund = Refund {
            refund_id: DocumentId::new(),
            receipt_number: format!("T-{:06}", self.next_seq),
            sale_id: sale.sale_id,
            lines: vec![RefundLine {
                product_id: sold.product_id,
                quantity,
                amount,
                vat_rate: sold.vat_rate,
                unit_cost: product.unit_cost,
            }],
            tenders: vec![Tender {
                method: TenderMethod::Credit,
                amount,
                mpesa_code: None,
                customer_id: Some(customer),
            }],
            total: amount,
            reason: "damaged".into(),
        };
        self.event(Document::Refund(refund))
    }

    /// One full `kg` cylinder of `brand`, paid in cash: an exchange for an empty (`None`), or
    /// with a new cylinder sold or lent on deposit.
    pub fn lpg_sale(&mut self, kg: i64, brand: &str, new_cylinder: Option<NewCylinder>) -> Event {
        let full = self.lookup.cylinder(kg, brand);
        let empty_in = new_cylinder.is_none().then_some(full.id);
        let mut sale = LpgSale::priced(
            DocumentId::new(),
            format!("T-{:06}", self.next_seq),
            &full,
            Quantity::whole(1),
            empty_in,
            new_cylinder,
        )
        .expect("a demo cylinder prices");
        sale.tenders =
            vec![Tender { method: TenderMethod::Cash, amount: sale.total, mpesa_code: None, customer_id: None }];
        self.event(Document::LpgSale(sale))
    }

    /// A shift opened with `float`, and its close: what the till expected and what was counted.
    pub fn shift(&mut self, float: &str, expected: &str, counted: &str) -> (Event, Event) {
        let shift_id = tillbook_core::ids::ShiftId::new();
        let money = |text: &str| text.parse::<Money>().expect("a fixture amount");
        let opened = self.event(Document::ShiftOpened(ShiftOpened { shift_id, float: money(float) }));
        let (expected_cash, counted_cash) = (money(expected), money(counted));
        let closed = self.event(Document::ShiftClosed(ShiftClosed {
            shift_id,
            expected_cash,
            counted_cash,
            difference: counted_cash.checked_sub(expected_cash).expect("fixture amounts fit"),
            counts: Vec::new(),
        }));
        (opened, closed)
    }

    /// One lent `kg` cylinder of `brand` brought back: its deposit paid back in cash.
    pub fn deposit_refund(&mut self, kg: i64, brand: &str) -> Event {
        let cylinder = self.lookup.cylinder(kg, brand);
        let receipt = format!("T-{:06}", self.next_seq);
        let mut refund = DepositRefund::priced(DocumentId::new(), receipt, &cylinder, Quantity::whole(1))
            .expect("a demo cylinder prices");
        refund.tenders =
            vec![Tender { method: TenderMethod::Cash, amount: refund.total, mpesa_code: None, customer_id: None }];
        self.event(Document::DepositRefund(refund))
    }

    pub fn sale(&mut self, lines: &[(usize, i64)]) -> Event {
        let sale = self.sale_document(lines, None);
        self.event(Document::Sale(sale))
    }

    /// A supplier delivery of `quantity` of every stocked product, on account.
    pub fn stock_receipt(&mut self, quantity: i64) -> Event {
        let quantity = Quantity::whole(quantity);
        let lines: Vec<_> = self
            .products()
            .into_iter()
            .filter(|product| product.stock.is_some())
            .map(|product| (product.id, quantity, product.unit_cost, VatRate::ZERO))
            .collect();
        self.purchase(&lines, SupplierPayment::OnAccount, 1, "INV-FIX").1
    }

    /// Goods from the demo's `supplier`-th supplier, invoice `reference`: per line the product,
    /// quantity, unit cost net of VAT and the VAT rate charged on it.
    pub fn purchase(
        &mut self,
        lines: &[(ProductId, Quantity, Money, VatRate)],
        paid_by: SupplierPayment,
        supplier: u16,
        reference: &str,
    ) -> (DocumentId, Event) {
        let lines: Vec<PurchaseLine> = lines
            .iter()
            .map(|&(product_id, quantity, unit_cost, vat_rate)| {
                let line_cost = unit_cost.times(quantity).expect("fixture amounts fit");
                let vat = line_cost.vat_on(vat_rate).expect("fixture amounts fit");
                PurchaseLine { product_id, quantity, unit_cost, line_cost, vat_rate, vat }
            })
            .collect();
        let receipt = StockReceipt {
            receipt_id: DocumentId::new(),
            supplier: String::new(),
            supplier_id: Some(seed::supplier_id(supplier)),
            reference: reference.into(),
            total: Money::sum(lines.iter().flat_map(|line| [line.line_cost, line.vat])).unwrap(),
            lines,
            cylinders: Vec::new(),
            paid_by,
        };
        (receipt.receipt_id, self.event(Document::StockReceipt(receipt)))
    }

    /// Money to the demo's `supplier`-th supplier, with the invoices chosen for it.
    pub fn supplier_payment(
        &mut self,
        supplier: u16,
        amount: &str,
        paid_from: PaidFrom,
        chosen: &[(DocumentId, &str)],
    ) -> (DocumentId, Event) {
        let payment = SupplierPaid {
            payment_id: DocumentId::new(),
            supplier_id: seed::supplier_id(supplier),
            paid_from,
            reference: "TRF-1".into(),
            amount: amount.parse().unwrap(),
            allocations: chosen
                .iter()
                .map(|&(invoice_id, amount)| Allocation { invoice_id, amount: amount.parse().unwrap() })
                .collect(),
        };
        (payment.payment_id, self.event(Document::SupplierPaid(payment)))
    }

    /// A laundry job of `kilos` of the business's first service for the demo's first customer.
    pub fn drop_off(&mut self, kilos: i64) -> (LaundryDropOff, Event) {
        let service = self.lookup.data.laundry_services.iter().find(|s| s.business_id == self.business.id).cloned();
        let service = service.expect("a laundry business");
        let quantity = Quantity::whole(kilos);
        let line_total = service.price.times(quantity).expect("fixture amounts fit");
        let job = LaundryDropOff {
            job_id: DocumentId::new(),
            ticket_number: format!("L-{:06}", self.next_seq),
            customer_id: self.lookup.data.customers[0].id,
            items: vec![LaundryItem {
                service_id: service.id,
                description: service.name.clone(),
                quantity,
                unit_price: service.price,
                vat_rate: service.vat_rate,
                line_total,
            }],
            total: line_total,
            promised_at: Utc::now().with_timezone(&FixedOffset::east_opt(3 * 3600).expect("offset")),
            notes: String::new(),
        };
        let event = self.event(Document::LaundryDropOff(job.clone()));
        (job, event)
    }

    /// A cash `laundry.paid` of `amount` against `job`.
    pub fn pay_job(&mut self, job: &LaundryDropOff, amount: Money) -> (DocumentId, Event) {
        let payment = Payment {
            payment_id: DocumentId::new(),
            receipt_number: format!("P-{:06}", self.next_seq),
            customer_id: job.customer_id,
            tenders: vec![Tender { method: TenderMethod::Cash, amount, mpesa_code: None, customer_id: None }],
            allocations: vec![Allocation { invoice_id: job.job_id, amount }],
            unapplied: Money::ZERO,
            total: amount,
        };
        (payment.payment_id, self.event(Document::LaundryPaid(payment)))
    }

    pub fn void(&mut self, document_id: DocumentId, original_type: &str) -> Event {
        let event_type = if original_type == "sale.recorded" { "sale.voided" } else { "document.voided" };
        let void = Void {
            void_id: DocumentId::new(),
            document_id,
            original_type: original_type.to_string(),
            reason: "wrong item".into(),
        };
        let document =
            if event_type == "sale.voided" { Document::SaleVoided(void) } else { Document::DocumentVoided(void) };
        self.event(document)
    }
}
