//! Property: every valid document of random shape posts one balanced entry (debits = credits,
//! every line one-sided and positive), the money in equals the document total, and both the
//! document and the entry survive the wire unchanged.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use tillbook_core::chart::AccountCode;
use tillbook_core::chart::{AccountKind, BusinessKind};
use tillbook_core::documents::*;
use tillbook_core::ids::{DocumentId, EntryId, ShiftId};
use tillbook_core::journal::{JournalLine, Side};
use tillbook_core::money::VatRate;
use tillbook_core::{JournalEntry, Money, Quantity};

use crate::common::{MemoryLookup, check_property};

/// A document described by indices and fractions, resolved against the demo catalog.
#[derive(Debug, Clone)]
enum Shape {
    Sale { retail: bool, lines: Vec<(usize, i64, u8)>, split: (u8, u8), credit: bool },
    Laundry { items: Vec<(usize, i64)> },
    Lpg { cylinder: usize, quantity: i64, mode: u8, brand: usize, split: (u8, u8) },
    Payment { cents: i64, allocated_percent: u8 },
    Expense { account: usize, cents: i64 },
    CashMovement { kind: u8, cents: i64 },
    Receipt { lines: Vec<(usize, i64, i64)> },
    ShiftClose { expected: i64, counted: i64 },
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        (
            any::<bool>(),
            prop::collection::vec((0usize..20, 1i64..20_000, 0u8..=100), 1..6),
            (0u8..=100, 0u8..=100),
            any::<bool>()
        )
            .prop_map(|(retail, lines, split, credit)| Shape::Sale { retail, lines, split, credit }),
        prop::collection::vec((0usize..5, 1i64..25_000), 1..4).prop_map(|items| Shape::Laundry { items }),
        (0usize..6, 1i64..4, 0u8..3, 0usize..3, (0u8..=100, 0u8..=100))
            .prop_map(|(cylinder, quantity, mode, brand, split)| Shape::Lpg { cylinder, quantity, mode, brand, split }),
        (1i64..10_000_000, 0u8..=100)
            .prop_map(|(cents, allocated_percent)| Shape::Payment { cents, allocated_percent }),
        (0usize..6, 1i64..10_000_000).prop_map(|(account, cents)| Shape::Expense { account, cents }),
        (0u8..5, 1i64..10_000_000).prop_map(|(kind, cents)| Shape::CashMovement { kind, cents }),
        prop::collection::vec((0usize..20, 1i64..100_000, 0i64..100_000), 1..5)
            .prop_map(|lines| Shape::Receipt { lines }),
        (0i64..10_000_000, 0i64..10_000_000).prop_map(|(expected, counted)| Shape::ShiftClose { expected, counted }),
    ]
}

fn percent(total: Money, share: u8) -> Money {
    Money::round(total.decimal() * rust_decimal::Decimal::from(share) / rust_decimal::Decimal::from(100)).unwrap()
}

/// Splits `total` into M-Pesa, credit (or more M-Pesa) and cash parts, dropping empty ones.
fn tenders(lookup: &MemoryLookup, total: Money, split: (u8, u8), credit: bool) -> Vec<Tender> {
    let first = percent(total, split.0);
    let second = percent(total.checked_sub(first).unwrap(), split.1);
    let cash = total.checked_sub(first).unwrap().checked_sub(second).unwrap();
    let second = if credit {
        Tender::credit(second, lookup.customer("Hotel Kilimanjaro").id)
    } else {
        Tender::mpesa(second, "QK41ABC2XY")
    };
    [Tender::mpesa(first, "RA12BC34DE"), second, Tender::cash(cash)]
        .into_iter()
        .filter(|t| t.amount.is_positive())
        .collect()
}

fn build(lookup: &MemoryLookup, shape: &Shape) -> Option<(BusinessKind, Document)> {
    let data = &lookup.data;
    Some(match shape.clone() {
        Shape::Sale { retail, lines, split, credit } => {
            let kind = if retail { BusinessKind::Retail } else { BusinessKind::Water };
            let business = lookup.business(kind);
            let products: Vec<_> = data.products.iter().filter(|p| p.business_id == business.id).collect();
            let mut priced = Vec::new();
            for (index, (product, milli, discount_percent)) in lines.into_iter().enumerate() {
                let product = products[product % products.len()];
                let quantity = Quantity::from_milli(milli);
                let gross = product.price.times(quantity).unwrap();
                priced.push(SaleLine::priced(product, quantity, percent(gross, discount_percent), index).unwrap());
            }
            let total = Sale::total_of(&priced).unwrap();
            if !total.is_positive() {
                return None;
            }
            let tenders = tenders(lookup, total, split, credit);
            (
                kind,
                Document::Sale(Sale {
                    sale_id: DocumentId::new(),
                    receipt_number: "X1-000001".into(),
                    lines: priced,
                    tenders,
                    total,
                }),
            )
        }
        Shape::Laundry { items } => {
            let items: Vec<LaundryItem> = items
                .into_iter()
                .map(|(service, milli)| {
                    let service = &data.laundry_services[service % data.laundry_services.len()];
                    let quantity = match service.pricing {
                        tillbook_core::catalog::LaundryPricing::PerKg => Quantity::from_milli(milli),
                        tillbook_core::catalog::LaundryPricing::PerPiece => Quantity::whole(milli % 12 + 1),
                    };
                    LaundryItem {
                        service_id: service.id,
                        description: String::new(),
                        quantity,
                        unit_price: service.price,
                        vat_rate: service.vat_rate,
                        line_total: service.price.times(quantity).unwrap(),
                    }
                })
                .collect();
            let total = Money::sum(items.iter().map(|i| i.line_total)).unwrap();
            (
                BusinessKind::Laundry,
                Document::LaundryDropOff(LaundryDropOff {
                    job_id: DocumentId::new(),
                    ticket_number: "L1-000001".into(),
                    customer_id: lookup.customer("Mama Njeri").id,
                    items,
                    total,
                    promised_at: chrono::DateTime::parse_from_rfc3339("2026-11-23T17:00:00+03:00").unwrap(),
                    notes: String::new(),
                }),
            )
        }
        Shape::Lpg { cylinder, quantity, mode, brand, split } => {
            let full = &data.cylinder_types[cylinder];
            let same_size: Vec<_> = data.cylinder_types.iter().filter(|c| c.size_kg == full.size_kg).collect();
            let (empty_in, new_cylinder) = match mode {
                0 => (Some(same_size[brand % same_size.len()].id), None),
                1 => (None, Some(NewCylinder::Sale)),
                _ => (None, Some(NewCylinder::Deposit)),
            };
            let mut sale = LpgSale::priced(
                DocumentId::new(),
                "R1-000001".into(),
                full,
                Quantity::whole(quantity),
                empty_in,
                new_cylinder,
            )
            .unwrap();
            sale.tenders = tenders(lookup, sale.total, split, false);
            (BusinessKind::Retail, Document::LpgSale(sale))
        }
        Shape::Payment { cents, allocated_percent } => {
            let total = Money::from_cents(cents);
            let allocated = percent(total, allocated_percent);
            let allocations = if allocated.is_positive() {
                vec![Allocation { invoice_id: DocumentId::new(), amount: allocated }]
            } else {
                vec![]
            };
            (
                BusinessKind::Laundry,
                Document::PaymentReceived(Payment {
                    payment_id: DocumentId::new(),
                    receipt_number: "L1-000002".into(),
                    customer_id: lookup.customer("Mama Njeri").id,
                    tenders: vec![Tender::cash(total)],
                    allocations,
                    unapplied: total.checked_sub(allocated).unwrap(),
                    total,
                }),
            )
        }
        Shape::Expense { account, cents } => {
            let accounts: Vec<_> =
                data.accounts.iter().filter(|a| a.kind == AccountKind::Expense && a.business.is_none()).collect();
            (
                BusinessKind::Water,
                Document::Expense(Expense {
                    expense_id: DocumentId::new(),
                    account: accounts[account % accounts.len()].code,
                    amount: Money::from_cents(cents),
                    description: "petty cash".into(),
                    paid_from: if cents % 3 == 0 { PaidFrom::Bank } else { PaidFrom::Cash },
                    vat_rate: if cents % 2 == 0 { VatRate::STANDARD } else { VatRate::ZERO },
                }),
            )
        }
        Shape::CashMovement { kind, cents } => {
            let kind = CashMovementKind::ALL[usize::from(kind)];
            (
                BusinessKind::Retail,
                Document::CashMovement(CashMovement {
                    movement_id: DocumentId::new(),
                    kind,
                    amount: Money::from_cents(cents),
                    note: String::new(),
                }),
            )
        }
        Shape::Receipt { lines } => {
            let retail = lookup.business(BusinessKind::Retail);
            let stocked: Vec<_> =
                data.products.iter().filter(|p| p.business_id == retail.id && p.stock.is_some()).collect();
            // Every other line carries 16% input VAT, the rest none.
            let lines: Vec<PurchaseLine> = lines
                .into_iter()
                .map(|(product, milli, cost_cents)| {
                    let quantity = Quantity::from_milli(milli);
                    let unit_cost = Money::from_cents(cost_cents);
                    let line_cost = unit_cost.times(quantity).unwrap();
                    let vat_rate = if cost_cents % 2 == 0 { VatRate::STANDARD } else { VatRate::ZERO };
                    PurchaseLine {
                        product_id: stocked[product % stocked.len()].id,
                        quantity,
                        unit_cost,
                        line_cost,
                        vat_rate,
                        vat: line_cost.vat_on(vat_rate).unwrap(),
                    }
                })
                .collect();
            let total = Money::sum(lines.iter().flat_map(|l| [l.line_cost, l.vat])).unwrap();
            if !total.is_positive() {
                return None;
            }
            (
                BusinessKind::Retail,
                Document::StockReceipt(StockReceipt {
                    receipt_id: DocumentId::new(),
                    supplier: String::new(),
                    supplier_id: Some(tillbook_core::seed::supplier_id(1)),
                    reference: "INV-P".into(),
                    lines,
                    cylinders: vec![],
                    total,
                    paid_by: SupplierPayment::OnAccount,
                }),
            )
        }
        Shape::ShiftClose { expected, counted } => {
            if expected == counted {
                return None;
            }
            let (expected, counted) = (Money::from_cents(expected), Money::from_cents(counted));
            (
                BusinessKind::Water,
                Document::ShiftClosed(ShiftClosed {
                    shift_id: ShiftId::new(),
                    expected_cash: expected,
                    counted_cash: counted,
                    difference: counted.checked_sub(expected).unwrap(),
                    counts: vec![],
                }),
            )
        }
    })
}

fn money_in(document: &Document) -> Option<Money> {
    match document {
        Document::Sale(sale) => Some(sale.total),
        Document::LpgSale(sale) => Some(sale.total),
        Document::PaymentReceived(payment) => Some(payment.total),
        Document::LaundryDropOff(job) => Some(job.total),
        _ => None,
    }
}

#[test]
fn every_valid_document_posts_one_balanced_entry_that_survives_the_wire() {
    let lookup = MemoryLookup::demo();
    check_property("posting balances", 2_000, shape(), |shape| {
        let Some((kind, document)) = build(&lookup, &shape) else { return Ok(()) };
        let business = lookup.business(kind);
        let entry = document
            .post(&business, &lookup, EntryId::new())
            .map_err(|error| TestCaseError::fail(format!("{error} for {document:?}")))?
            .ok_or_else(|| TestCaseError::fail("a money document posted nothing"))?;
        let debits = Money::sum(entry.lines().iter().map(|l| l.debit())).unwrap();
        let credits = Money::sum(entry.lines().iter().map(|l| l.credit())).unwrap();
        prop_assert_eq!(debits, credits);
        prop_assert!(debits.is_positive());
        for line in entry.lines() {
            prop_assert!(line.amount.is_positive());
        }
        if let Some(total) = money_in(&document) {
            // What comes in (tenders or the receivable) equals the document total.
            let tender_accounts = [business.accounts.cash, business.accounts.mpesa, business.accounts.receivable];
            let received =
                Money::sum(entry.lines().iter().filter(|l| tender_accounts.contains(&l.account)).map(|l| l.debit()))
                    .unwrap();
            prop_assert_eq!(received, total);
        }
        // The VAT the document declares (the VAT return's lines) is what its entry puts on 2200:
        // output less input equals 2200's credit less its debit.
        let effects = document.effects().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let signed = |line: &VatAmount| if line.input { -line.vat } else { line.vat };
        let declared = Money::sum(effects.vat.iter().map(signed)).unwrap();
        let on_2200 = entry.lines().iter().filter(|l| l.account == tillbook_core::chart::shared::VAT_PAYABLE);
        let posted = Money::sum(on_2200.map(|l| l.credit().checked_sub(l.debit()).unwrap())).unwrap();
        prop_assert_eq!(declared, posted);
        let back = Document::from_wire(document.event_type(), &document.to_wire())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&back, &document);
        prop_assert_eq!(JournalEntry::from_wire(&entry.to_wire()).ok(), Some(entry));
        Ok(())
    });
}

/// Amounts near the ledger's limit: a sum is either exact or refused, never a panic or a wrong
/// total, and a journal whose sides pass the limit is refused `amount_out_of_range`.
#[test]
fn sums_near_the_limit_are_exact_or_refused() {
    let near_limit = prop_oneof![
        3 => (Money::MAX_CENTS - 1_000)..=Money::MAX_CENTS,
        1 => -Money::MAX_CENTS..=Money::MAX_CENTS,
        1 => 0i64..1_000,
    ];
    let amounts = prop::collection::vec(near_limit, 1..6);
    check_property("sums near the limit", 256, amounts, |cents| {
        let exact: i128 = cents.iter().map(|&c| i128::from(c)).sum();
        let mut running = 0i128;
        let stays_in_range = cents.iter().all(|&c| {
            running += i128::from(c);
            running.abs() <= i128::from(Money::MAX_CENTS)
        });
        let summed = Money::sum(cents.iter().map(|&c| Money::from_cents(c)));
        match summed {
            Ok(total) => {
                prop_assert!(stays_in_range);
                prop_assert_eq!(i128::from(total.cents()), exact);
            }
            Err(_) => prop_assert!(!stays_in_range, "a sum in range was refused"),
        }
        // The same amounts as the debits of an entry, with one credit line per debit.
        let positive: Vec<Money> = cents.iter().filter(|&&c| c > 0).map(|&c| Money::from_cents(c)).collect();
        if positive.len() >= 2 {
            let mut lines: Vec<JournalLine> = positive
                .iter()
                .map(|&amount| JournalLine { account: AccountCode::new(1110), side: Side::Debit, amount })
                .collect();
            lines.extend(positive.iter().map(|&amount| JournalLine {
                account: AccountCode::new(4100),
                side: Side::Credit,
                amount,
            }));
            let fits = positive.iter().map(|m| i128::from(m.cents())).sum::<i128>() <= i128::from(Money::MAX_CENTS);
            match JournalEntry::new(EntryId::new(), lines) {
                Ok(entry) => prop_assert!(fits && entry.total().cents() > 0),
                Err(error) => {
                    prop_assert!(!fits, "an entry in range was refused: {}", error);
                    prop_assert_eq!(error.code(), "amount_out_of_range");
                }
            }
        }
        Ok(())
    });
}

/// A cost shared across businesses (rent by percentage or amount): the shares always add up to
/// the amount to the cent, none is negative, and each is within a cent of its exact proportion.
#[test]
fn an_amount_split_by_weights_adds_up_to_the_cent() {
    let shape = (1i64..100_000_000, prop::collection::vec(1u32..10_000, 1..6));
    check_property("split adds up", 1_000, shape, |(cents, weights)| {
        let total = Money::from_cents(cents);
        let weights: Vec<rust_decimal::Decimal> = weights.into_iter().map(rust_decimal::Decimal::from).collect();
        let shares = total.split(&weights).ok_or_else(|| TestCaseError::fail("a split of positive weights"))?;
        prop_assert_eq!(Money::sum(shares.iter().copied()).unwrap(), total);
        let sum: rust_decimal::Decimal = weights.iter().sum();
        for (share, weight) in shares.iter().zip(&weights) {
            prop_assert!(!share.is_negative());
            let exact = total.decimal() * weight / sum;
            prop_assert!(
                (share.decimal() - exact).abs()
                    <= rust_decimal::Decimal::new(1, 2) * rust_decimal::Decimal::from(weights.len())
            );
        }
        Ok(())
    });
    let equal = [rust_decimal::Decimal::ONE; 3];
    assert_eq!(
        Money::from_cents(1_000_000).split(&equal).unwrap(),
        [Money::from_cents(333_334), Money::from_cents(333_333), Money::from_cents(333_333)]
    );
    assert!(Money::from_cents(100).split(&[rust_decimal::Decimal::ZERO]).is_none());
}
