//! Property: for any sequence of valid counter work, the operational rows the till writes and the
//! rows the server's merge writes agree field by field — stock and cylinder movements with their
//! reasons, tenders, invoices, allocations, credit used, laundry status changes, cancellations and voids. Both
//! ends write them from core's `Document::effects`; this is what catches one end drifting (a
//! refund's stock coming back as `return` on one side and `refund` on the other).

use std::collections::BTreeSet;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use tillbook_core::Quantity;
use tillbook_core::documents::{Document, JobStatus, NewCylinder, SupplierPayment, TenderInput, TenderMethod};
use tillbook_core::money::Money;
use tillbook_core::seed;
use tillbook_e2e::{Central, Scratch, TestTill, cash, fast_sync, wait_until};
use tillbook_till::*;

#[path = "../../core/tests/it/seeded.rs"]
mod seeded;

#[derive(Debug, Clone)]
enum Op {
    /// Lines of `(product, whole units)`, paid by `pay` (cash, M-Pesa, credit, split).
    Sale {
        retail: bool,
        lines: Vec<(usize, i64)>,
        pay: u8,
    },
    Lpg {
        cylinder: usize,
        mode: u8,
    },
    DropOff {
        service: usize,
        units: i64,
        deposit: bool,
    },
    Advance {
        job: usize,
        ready: bool,
    },
    Collect {
        job: usize,
    },
    Cancel {
        job: usize,
    },
    PayOnAccount {
        retail: bool,
        cents: i64,
    },
    Receive {
        product: usize,
        units: i64,
        cylinders: bool,
    },
    Produce {
        units: i64,
    },
    Count {
        product: usize,
        units: i64,
    },
    Refund {
        sale: usize,
        credit: bool,
    },
    Void {
        sale: usize,
    },
    /// The hotel's credit at one till applied to its invoices there, or paid back in cash.
    UseCredit {
        retail: bool,
        cents: i64,
        refund: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (any::<bool>(), prop::collection::vec((0usize..8, 1i64..4), 1..4), 0u8..5)
            .prop_map(|(retail, lines, pay)| Op::Sale { retail, lines, pay }),
        1 => (0usize..6, 0u8..3).prop_map(|(cylinder, mode)| Op::Lpg { cylinder, mode }),
        2 => (0usize..5, 1i64..5, any::<bool>()).prop_map(|(service, units, deposit)| Op::DropOff { service, units, deposit }),
        1 => (0usize..4, any::<bool>()).prop_map(|(job, ready)| Op::Advance { job, ready }),
        1 => (0usize..4).prop_map(|job| Op::Collect { job }),
        2 => (0usize..4).prop_map(|job| Op::Cancel { job }),
        1 => (any::<bool>(), 100i64..50_000).prop_map(|(retail, cents)| Op::PayOnAccount { retail, cents }),
        1 => (0usize..8, 1i64..20, any::<bool>()).prop_map(|(product, units, cylinders)| Op::Receive { product, units, cylinders }),
        1 => (1i64..20).prop_map(|units| Op::Produce { units }),
        1 => (0usize..8, 0i64..30).prop_map(|(product, units)| Op::Count { product, units }),
        2 => (0usize..6, any::<bool>()).prop_map(|(sale, credit)| Op::Refund { sale, credit }),
        2 => (0usize..6).prop_map(|sale| Op::Void { sale }),
        1 => (any::<bool>(), 100i64..20_000, any::<bool>()).prop_map(|(retail, cents, refund)| Op::UseCredit { retail, cents, refund }),
    ]
}

/// The three tills of a group, one per business, and what they have issued so far.
struct Shop {
    water: TestTill,
    retail: TestTill,
    laundry: TestTill,
    /// Receipt numbers of goods sales, with whether the retail till made them.
    sales: Vec<(bool, String)>,
    jobs: Vec<String>,
}

fn hotel() -> tillbook_core::ids::CustomerId {
    seed::demo().customers.iter().find(|customer| customer.name == "Hotel Kilimanjaro").expect("demo customer").id
}

fn tenders(pay: u8, total: Money) -> Vec<TenderInput> {
    let credit =
        |amount| TenderInput { method: TenderMethod::Credit, amount, mpesa_code: None, customer_id: Some(hotel()) };
    let mpesa = |amount, code: &str| TenderInput {
        method: TenderMethod::Mpesa,
        amount,
        mpesa_code: Some(code.to_string()),
        customer_id: None,
    };
    match pay {
        0 => vec![cash(10_000_000)],
        1 => vec![mpesa(total, "QK41EFCT01")],
        2 => vec![credit(total)],
        3 => vec![mpesa(Money::from_cents(100), "QK41EFCT02"), cash(10_000_000)],
        _ => {
            let third = Money::from_cents(total.cents() / 3);
            vec![mpesa(third, "QK41EFCT03"), credit(third), cash(10_000_000)]
        }
    }
}

/// Applies one action; a refusal (the generator does not avoid them all) writes nothing and is
/// not a failure, a broken store is.
fn apply(shop: &mut Shop, op: &Op) -> Result<(), TillError> {
    let data = seed::demo();
    let refused = |result: Result<(), TillError>| match result {
        Err(TillError::Store(_) | TillError::Invariant(_)) => result,
        _ => Ok(()),
    };
    match op.clone() {
        Op::Sale { retail, lines, pay } => {
            let till = if retail { &mut shop.retail } else { &mut shop.water };
            let products = till.products();
            let lines: Vec<SaleLineRequest> = lines
                .iter()
                .map(|&(product, units)| SaleLineRequest {
                    product_id: products[product % products.len()].id,
                    quantity: Quantity::whole(units),
                    discount: Money::ZERO,
                })
                .collect();
            let total = till.till.quote_sale(&till.session, &lines)?.total;
            let request = SaleRequest { lines, tenders: tenders(pay, total) };
            match till.till.record_sale(&till.session, &request) {
                Ok(sale) => shop.sales.push((retail, sale.receipt_number)),
                Err(error) => refused(Err(error))?,
            }
        }
        Op::Lpg { cylinder, mode } => {
            let full = &data.cylinder_types[cylinder % data.cylinder_types.len()];
            let (empty_in, new_cylinder) = match mode {
                0 => (Some(full.id), None),
                1 => (None, Some(NewCylinder::Sale)),
                _ => (None, Some(NewCylinder::Deposit)),
            };
            let request = LpgRequest {
                cylinder_type_id: full.id,
                quantity: 1,
                empty_in,
                new_cylinder,
                tenders: vec![cash(2_000_000)],
            };
            refused(shop.retail.till.lpg_sale(&shop.retail.session, &request).map(drop))?;
        }
        Op::DropOff { service, units, deposit } => {
            let till = &mut shop.laundry;
            let business = till.session.business_id;
            let services: Vec<_> =
                data.laundry_services.iter().filter(|s| s.business_id == business && s.active).collect();
            let request = DropOffRequest {
                customer_id: hotel(),
                items: vec![LaundryItemRequest {
                    service_id: services[service % services.len()].id,
                    description: String::new(),
                    quantity: Quantity::whole(units),
                }],
                promised_at: till.till.now() + chrono::Duration::days(2),
                notes: String::new(),
                deposit: if deposit { vec![cash(10_000)] } else { vec![] },
            };
            let job = till.till.laundry_drop_off(&till.session, &request)?;
            shop.jobs.push(job.ticket_number);
        }
        Op::Advance { job, ready } => {
            let Some(ticket) = shop.jobs.get(job) else { return Ok(()) };
            let to = if ready { JobStatus::Ready } else { JobStatus::Washing };
            let till = &mut shop.laundry;
            refused(till.till.laundry_set_status(&till.session, ticket, to).map(drop))?;
        }
        Op::Collect { job } => {
            let Some(ticket) = shop.jobs.get(job) else { return Ok(()) };
            let till = &mut shop.laundry;
            refused(till.till.laundry_collect(&till.session, ticket, &[cash(10_000_000)]).map(drop))?;
        }
        Op::Cancel { job } => {
            let Some(ticket) = shop.jobs.get(job) else { return Ok(()) };
            let till = &mut shop.laundry;
            let owner = till.session.clone();
            refused(till.till.laundry_cancel(&till.session, &owner, ticket, "customer changed mind").map(drop))?;
        }
        Op::PayOnAccount { retail, cents } => {
            let till = if retail { &mut shop.retail } else { &mut shop.water };
            let paid = [cash(cents)];
            refused(till.till.receive_payment(&till.session, hotel(), &paid, None).map(drop))?;
        }
        Op::Receive { product, units, cylinders } => {
            let till = &mut shop.retail;
            let stocked: Vec<_> = till.products().into_iter().filter(|p| p.stock.is_some()).collect();
            let product = &stocked[product % stocked.len()];
            let refills = if cylinders {
                let cylinder = &data.cylinder_types[product.name.len() % data.cylinder_types.len()];
                vec![ReceivedCylinders {
                    cylinder_type_id: cylinder.id,
                    quantity: 2,
                    unit_cost: cylinder.gas_cost,
                    vat_rate: Default::default(),
                }]
            } else {
                vec![]
            };
            let request = StockReceiptRequest {
                supplier_id: Some(tillbook_core::seed::supplier_id(1)),
                supplier: String::new(),
                reference: "INV-E".into(),
                lines: vec![ReceivedLine {
                    product_id: product.id,
                    quantity: Quantity::whole(units),
                    unit_cost: product.unit_cost,
                    vat_rate: Default::default(),
                }],
                cylinders: refills,
                paid_by: SupplierPayment::OnAccount,
            };
            till.till.receive_stock(&till.session, &request)?;
        }
        Op::Produce { units } => {
            let till = &mut shop.water;
            let stocked: Vec<_> = till.products().into_iter().filter(|p| p.stock.is_some()).collect();
            let Some(product) = stocked.first() else { return Ok(()) };
            refused(till.till.record_production(&till.session, &[(product.id, Quantity::whole(units))]).map(drop))?;
        }
        Op::Count { product, units } => {
            let till = &mut shop.retail;
            let stocked: Vec<_> = till.products().into_iter().filter(|p| p.stock.is_some()).collect();
            let product = &stocked[product % stocked.len()];
            till.till.count_stock(&till.session, &[(product.id, Quantity::whole(units))])?;
        }
        Op::Refund { sale, credit } => {
            let Some((retail, receipt)) = shop.sales.get(sale).cloned() else { return Ok(()) };
            let till = if retail { &mut shop.retail } else { &mut shop.water };
            let request = RefundRequest {
                receipt_number: receipt,
                lines: vec![RefundLineRequest { line_no: 0, quantity: Quantity::whole(1) }],
                method: if credit { TenderMethod::Credit } else { TenderMethod::Cash },
                mpesa_code: None,
                reason: "returned".into(),
            };
            let owner = till.session.clone();
            refused(till.till.refund_sale(&till.session, &owner, &request).map(drop))?;
        }
        Op::Void { sale } => {
            let Some((retail, receipt)) = shop.sales.get(sale).cloned() else { return Ok(()) };
            let till = if retail { &mut shop.retail } else { &mut shop.water };
            let owner = till.session.clone();
            refused(till.till.void_receipt(&till.session, &owner, &receipt, "mistake").map(drop))?;
        }
        Op::UseCredit { retail, cents, refund } => {
            let till = if retail { &mut shop.retail } else { &mut shop.water };
            use_credit(till, Money::from_cents(cents), refund).or_else(|error| refused(Err(error)))?;
        }
    }
    Ok(())
}

fn use_credit(till: &mut TestTill, amount: Money, refund: bool) -> Result<(), TillError> {
    if refund {
        let owner = till.session.clone();
        till.till.refund_credit(&till.session, &owner, hotel(), &cash(amount.cents())).map(drop)
    } else {
        till.till.apply_credit(&till.session, hotel(), amount).map(drop)
    }
}

/// Credit used in every case, so that its comparison always has rows: the hotel clears what
/// it owes at the shop with 200.00 over, takes a bag of sugar on account, and 100.00 of the
/// credit pays for it; 50.00 is paid back.
fn credit_used_at_the_shop(shop: &mut Shop) -> Result<(), TillError> {
    let till = &mut shop.retail;
    let owed = till.till.customer_account(hotel())?.outstanding;
    let paid = [cash(owed.cents() + 20_000)];
    till.till.receive_payment(&till.session, hotel(), &paid, None)?;
    let sugar = till.products().into_iter().find(|p| p.name == "Sugar 1 kg").expect("the demo's sugar");
    till.sell_on_account(&sugar, hotel());
    use_credit(till, Money::from_cents(10_000), false)?;
    use_credit(till, Money::from_cents(5_000), true)
}

/// The rows of one kind, each as one line of text, sorted: what the two ends are compared by.
type Rows = BTreeSet<String>;

/// The documents a till recorded (from its outbox), and the laundry jobs among them.
fn recorded(store: &rusqlite::Connection) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut statement = store.prepare("SELECT payload FROM outbox").unwrap();
    let (mut documents, mut jobs) = (BTreeSet::new(), BTreeSet::new());
    for payload in statement.query_map([], |row| row.get::<_, String>(0)).unwrap() {
        let event: tillbook_core::protocol::Event = serde_json::from_str(&payload.unwrap()).unwrap();
        let document = Document::from_wire(&event.event_type, &event.document).unwrap();
        if let Some(id) = tillbook_core::documents::document_id(&document) {
            documents.insert(id.to_string());
        }
        if let Document::LaundryDropOff(job) = &document {
            jobs.insert(job.job_id.to_string());
        }
    }
    (documents, jobs)
}

fn till_rows(store: &rusqlite::Connection, sql: &str, keep: &BTreeSet<String>) -> Rows {
    let mut statement = store.prepare(sql).unwrap();
    let columns = statement.column_count();
    statement
        .query_map([], |row| {
            let key: String = row.get(0)?;
            let mut line = key.clone();
            for index in 1..columns {
                let value: rusqlite::types::Value = row.get(index)?;
                line.push('|');
                line.push_str(&match value {
                    rusqlite::types::Value::Null => String::new(),
                    rusqlite::types::Value::Integer(number) => number.to_string(),
                    rusqlite::types::Value::Text(text) => text,
                    other => panic!("{sql}: unexpected {other:?}"),
                });
            }
            Ok((key, line))
        })
        .unwrap()
        .map(Result::unwrap)
        .filter(|(key, _)| keep.contains(key))
        .map(|(_, line)| line)
        .collect()
}

async fn server_rows(central: &Central, sql: &str, device: uuid::Uuid) -> Rows {
    let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(device)
        .fetch_all(&central.owner)
        .await
        .unwrap_or_else(|error| panic!("{sql}: {error}"));
    rows.into_iter().map(|(line,)| line).collect()
}

/// Events of the till `$1`, for the server's side of each comparison.
const OF_DEVICE: &str = "event_id IN (SELECT event_id FROM inbox WHERE device_id = $1)";

/// Each kind of row: the till's query (first column the document it belongs to) and the
/// server's, giving the same fields joined by `|`.
fn comparisons() -> Vec<(&'static str, &'static str, String)> {
    vec![
        (
            "stock movements",
            "SELECT document_id, product_id, quantity_milli, reason FROM stock_movement",
            format!(
                "SELECT concat_ws('|', document_id, product_id, (quantity * 1000)::bigint, reason) FROM stock_movement WHERE {OF_DEVICE}"
            ),
        ),
        (
            "cylinder movements",
            "SELECT document_id, cylinder_type_id, full_delta, empty_delta, reason FROM cylinder_movement",
            format!(
                "SELECT concat_ws('|', document_id, cylinder_type_id, full_delta, empty_delta, reason) FROM cylinder_movement WHERE {OF_DEVICE}"
            ),
        ),
        (
            "tenders",
            "SELECT document_id, line_no, method, amount_cents, mpesa_code, customer_id FROM tender",
                "SELECT document_id || '|' || line_no || '|' || method || '|' || (amount * 100)::bigint || '|' || coalesce(mpesa_code, '') || '|' || coalesce(customer_id::text, '')
                   FROM tender t WHERE EXISTS (SELECT 1 FROM inbox i JOIN journal_entry e USING (event_id) WHERE i.device_id = $1 AND e.document_id = t.document_id)"
                .to_string(),
        ),
        (
            "invoices",
            // The till's schema calls a credit sale's invoice `sale` (since its first migration).
            "SELECT id, customer_id, number, CASE source WHEN 'sale' THEN 'credit_sale' ELSE source END, total_cents FROM invoice",
            format!(
                "SELECT concat_ws('|', invoice_id, customer_id, number, kind, (amount * 100)::bigint) FROM invoice WHERE {OF_DEVICE}"
            ),
        ),
        (
            "allocations",
            "SELECT source_id, invoice_id, amount_cents FROM allocation",
            format!("SELECT concat_ws('|', document_id, invoice_id, (amount * 100)::bigint) FROM allocation WHERE {OF_DEVICE}"),
        ),
        (
            "credit uses",
            "SELECT document_id, customer_id, kind, amount_cents FROM credit_use",
            format!(
                "SELECT concat_ws('|', document_id, customer_id, kind, (amount * 100)::bigint) FROM credit_use WHERE {OF_DEVICE}"
            ),
        ),
        (
            "cancellations",
            "SELECT document_id, kind FROM reversed_document WHERE kind = 'cancellation'",
            format!("SELECT invoice_id || '|cancellation' FROM invoice_cancellation WHERE {OF_DEVICE}"),
        ),
        (
            "voids",
            "SELECT document_id, kind FROM reversed_document WHERE kind = 'void'",
            format!("SELECT document_id || '|void' FROM voided_document WHERE {OF_DEVICE}"),
        ),
    ]
}

const STATUS_TILL: &str = "SELECT job_id, coalesce(from_status, ''), to_status FROM laundry_status_history";

fn status_server() -> String {
    format!(
        "SELECT job_id || '|' || coalesce(from_status, '') || '|' || to_status FROM laundry_status_history WHERE {OF_DEVICE}"
    )
}

/// Compares every kind of row of one till, counting the rows of each kind compared.
async fn compare(central: &Central, till: &TestTill, counted: &Counted) -> Result<(), TestCaseError> {
    let store = rusqlite::Connection::open(&till.path).unwrap();
    let (documents, jobs) = recorded(&store);
    let device = till.device().0;
    let mut kinds = comparisons();
    kinds.push(("laundry status changes", STATUS_TILL, status_server()));
    for (what, at_till, at_server) in kinds {
        let keep = if what == "laundry status changes" { &jobs } else { &documents };
        let local = till_rows(&store, at_till, keep);
        let merged = server_rows(central, &at_server, device).await;
        prop_assert_eq!(&local, &merged, "{} of {} differ (till left, server right)", what, till.path.display());
        *counted.lock().unwrap().entry(what).or_default() += local.len();
    }
    Ok(())
}

type Counted = std::sync::Mutex<std::collections::BTreeMap<&'static str, usize>>;

#[test]
fn the_rows_a_till_writes_and_the_rows_the_merge_writes_agree_field_by_field() {
    tillbook_till::sync::token::prepare().expect("the keyring is usable");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let counted = Counted::default();
    seeded::check_property("till and server write the same effects", 10, prop::collection::vec(op(), 10..40), |ops| {
        runtime.block_on(async {
            let scratch = Scratch::new();
            let mut central = Central::new().await;
            central.start().await;
            let mut shop = Shop {
                water: central.enrol(&scratch.0, "water", "WATER").await,
                retail: central.enrol(&scratch.0, "retail", "RETAIL").await,
                laundry: central.enrol(&scratch.0, "laundry", "LAUNDRY").await,
                sales: Vec::new(),
                jobs: Vec::new(),
            };
            shop.retail.receive_stock(50);
            for op in &ops {
                apply(&mut shop, op)
                    .map_err(|error| TestCaseError::fail(format!("{op:?} broke the store: {error}")))?;
            }
            credit_used_at_the_shop(&mut shop)
                .map_err(|error| TestCaseError::fail(format!("credit at the shop was refused: {error}")))?;
            for till in [&mut shop.water, &mut shop.retail, &mut shop.laundry] {
                till.start_sync(fast_sync());
            }
            for till in [&shop.water, &shop.retail, &shop.laundry] {
                wait_until(Duration::from_secs(60), "every event acknowledged", || async { till.pending() == 0 }).await;
            }
            prop_assert_eq!(
                central.scalar_i64("SELECT count(*) FROM quarantine").await,
                0,
                "valid work was quarantined"
            );
            for till in [&shop.water, &shop.retail, &shop.laundry] {
                compare(&central, till, &counted).await?;
            }
            Ok(())
        })
    });
    // A comparison of empty tables proves nothing: the run must have written rows of each kind.
    let counted = counted.into_inner().unwrap();
    eprintln!("rows compared: {counted:?}");
    for (what, _, _) in comparisons() {
        assert!(counted.get(what).is_some_and(|rows| *rows > 0), "no {what} were compared: {counted:?}");
    }
}
