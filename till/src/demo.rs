//! The demo till: a store seeded with the demo group's master data and staff, and a sample day
//! of counter work across all three businesses. `cargo xtask run` shows it; tests and the
//! benchmark start from it.

use std::path::Path;

use chrono::{Duration, TimeZone};
use tillbook_core::chart::{BusinessKind, shared};
use tillbook_core::documents::{
    CashMovementKind, JobStatus, NewCylinder, PaidFrom, SupplierPayment, TenderInput, TenderMethod,
};
use tillbook_core::ids::DeviceId;
use tillbook_core::seed::{self, MasterData};
use tillbook_core::time::DEFAULT_TIME_ZONE;
use tillbook_core::{Money, Quantity};

use crate::error::Result;
use crate::record::drawer::CashCount;
use crate::record::laundry::{DropOffRequest, LaundryItemRequest};
use crate::record::lpg::LpgRequest;
use crate::record::sales::{SaleLineRequest, SaleRequest};
use crate::record::stock::{ReceivedCylinders, ReceivedLine, StockReceiptRequest};
use crate::staff::Session;
use crate::till::{Till, TillSetup};

/// Creates a till for the demo businesses of `kinds` (the first is its own), with the demo
/// master data and staff loaded.
pub fn create_demo_till(path: &Path, till_code: &str, kinds: &[BusinessKind]) -> Result<Till> {
    let setup = TillSetup {
        device_id: DeviceId::new(),
        till_code: till_code.to_string(),
        device_name: format!("Demo till {till_code}"),
        business_ids: kinds.iter().map(|&kind| seed::business_id(kind)).collect(),
        time_zone: DEFAULT_TIME_ZONE.to_string(),
    };
    let mut till = Till::create(path, setup)?;
    till.load_master_data(&seed::demo())?;
    for member in seed::demo_staff() {
        till.set_staff(member.id, member.name, member.role, member.pin)?;
    }
    Ok(till)
}

/// Logs in the demo member of staff with `role`.
pub fn demo_login(till: &Till, role: tillbook_core::catalog::Role) -> Result<Session> {
    let member = seed::demo_staff().into_iter().find(|m| m.role == role).expect("the demo has every role");
    till.login(member.id, member.pin)
}

pub fn cash(amount: &str) -> TenderInput {
    TenderInput { method: TenderMethod::Cash, amount: money(amount), mpesa_code: None, customer_id: None }
}

pub fn mpesa(amount: &str, code: &str) -> TenderInput {
    TenderInput {
        method: TenderMethod::Mpesa,
        amount: money(amount),
        mpesa_code: Some(code.to_string()),
        customer_id: None,
    }
}

pub fn money(text: &str) -> Money {
    text.parse().expect("demo amounts are well-formed")
}

pub fn quantity(text: &str) -> Quantity {
    text.parse().expect("demo quantities are well-formed")
}

/// A day of work on a till that serves all three demo businesses, from 07:30 Nairobi time.
pub fn record_demo_day(till: &mut Till) -> Result<()> {
    let data: MasterData = seed::demo();
    let product = |name: &str| data.products.iter().find(|p| p.name == name).expect("demo product").id;
    let service = |name: &str| data.laundry_services.iter().find(|s| s.name == name).expect("demo service").id;
    let cylinder = |kg: i64, brand: &str| {
        data.cylinder_types
            .iter()
            .find(|c| c.size_kg == Quantity::whole(kg) && c.brand == brand)
            .expect("demo cylinder")
            .id
    };
    let customer = |name: &str| data.customers.iter().find(|c| c.name == name).expect("demo customer").id;
    let start = chrono::FixedOffset::east_opt(3 * 3600)
        .expect("Nairobi is UTC+3")
        .from_local_datetime(&chrono::Local::now().date_naive().and_hms_opt(7, 30, 0).expect("a valid time"))
        .single()
        .expect("a fixed offset has no gaps");
    let step = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
    let clock_step = step.clone();
    till.set_clock(std::sync::Arc::new(move || {
        start + Duration::minutes(7 * clock_step.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
    }));

    let owner = demo_login(till, tillbook_core::catalog::Role::Owner)?;
    let supervisor = demo_login(till, tillbook_core::catalog::Role::Supervisor)?;
    let water = till.switch_business(
        &demo_login(till, tillbook_core::catalog::Role::Cashier)?,
        seed::business_id(BusinessKind::Water),
    )?;
    let laundry = till.switch_business(&water, seed::business_id(BusinessKind::Laundry))?;
    let retail = till.switch_business(&water, seed::business_id(BusinessKind::Retail))?;

    // The first day: the drawer starts empty and the owner puts in the float.
    till.open_shift(&water, Money::ZERO)?;
    till.move_cash(&owner, CashMovementKind::FloatFromOwner, money("2000"), "Opening float")?;
    till.record_production(
        &water,
        &[
            (product("Sealed bottle 500 ml"), quantity("48")),
            (product("Sealed bottle 1 L"), quantity("24")),
            (product("New 20 L bottle with water"), quantity("5")),
        ],
    )?;
    till.record_sale(
        &water,
        &SaleRequest {
            lines: vec![SaleLineRequest {
                product_id: product("Refill 20 L"),
                quantity: quantity("2"),
                discount: Money::ZERO,
            }],
            tenders: vec![cash("200")],
        },
    )?;
    till.record_sale(
        &water,
        &SaleRequest {
            lines: vec![
                SaleLineRequest { product_id: product("Refill 10 L"), quantity: quantity("1"), discount: Money::ZERO },
                SaleLineRequest {
                    product_id: product("Sealed bottle 500 ml"),
                    quantity: quantity("6"),
                    discount: money("10"),
                },
            ],
            tenders: vec![mpesa("210", "QK41ABC2XY")],
        },
    )?;
    till.record_sale(
        &water,
        &SaleRequest {
            lines: vec![SaleLineRequest {
                product_id: product("New 20 L bottle with water"),
                quantity: quantity("1"),
                discount: Money::ZERO,
            }],
            tenders: vec![TenderInput {
                method: TenderMethod::Credit,
                amount: money("450"),
                mpesa_code: None,
                customer_id: Some(customer("Hotel Kilimanjaro")),
            }],
        },
    )?;

    till.receive_stock(
        &retail,
        &StockReceiptRequest {
            supplier_id: Some(tillbook_core::seed::supplier_id(1)),
            supplier: String::new(),
            reference: "INV-5531".into(),
            lines: vec![
                ReceivedLine {
                    product_id: product("Maize flour 2 kg"),
                    quantity: quantity("20"),
                    unit_cost: money("180"),
                    vat_rate: Default::default(),
                },
                ReceivedLine {
                    product_id: product("Sugar 1 kg"),
                    quantity: quantity("20"),
                    unit_cost: money("150"),
                    vat_rate: Default::default(),
                },
                ReceivedLine {
                    product_id: product("Cooking oil 1 L"),
                    quantity: quantity("12"),
                    unit_cost: money("290"),
                    vat_rate: Default::default(),
                },
            ],
            cylinders: vec![ReceivedCylinders {
                cylinder_type_id: cylinder(13, "K-Gas"),
                quantity: 5,
                unit_cost: money("2350"),
                vat_rate: Default::default(),
            }],
            paid_by: SupplierPayment::OnAccount,
        },
    )?;
    till.record_sale(
        &retail,
        &SaleRequest {
            lines: vec![
                SaleLineRequest {
                    product_id: product("Maize flour 2 kg"),
                    quantity: quantity("2"),
                    discount: Money::ZERO,
                },
                SaleLineRequest { product_id: product("Sugar 1 kg"), quantity: quantity("1"), discount: Money::ZERO },
                SaleLineRequest {
                    product_id: product("Cooking oil 1 L"),
                    quantity: quantity("1"),
                    discount: Money::ZERO,
                },
            ],
            tenders: vec![cash("500"), mpesa("450", "QK41ABD3ZW")],
        },
    )?;
    till.lpg_sale(
        &retail,
        &LpgRequest {
            cylinder_type_id: cylinder(13, "K-Gas"),
            quantity: 1,
            empty_in: Some(cylinder(13, "Total")),
            new_cylinder: None,
            tenders: vec![mpesa("2900", "QK41ABE4YV")],
        },
    )?;
    till.lpg_sale(
        &retail,
        &LpgRequest {
            cylinder_type_id: cylinder(13, "K-Gas"),
            quantity: 1,
            empty_in: None,
            new_cylinder: Some(NewCylinder::Deposit),
            tenders: vec![cash("7000")],
        },
    )?;

    let ticket = till.laundry_drop_off(
        &laundry,
        &DropOffRequest {
            customer_id: customer("Mama Njeri"),
            items: vec![
                LaundryItemRequest {
                    service_id: service("Wash & fold"),
                    description: "Family wash".into(),
                    quantity: quantity("4.5"),
                },
                LaundryItemRequest {
                    service_id: service("Duvet"),
                    description: "Blue duvet".into(),
                    quantity: quantity("1"),
                },
            ],
            promised_at: till.now() + Duration::days(1),
            notes: String::new(),
            deposit: vec![cash("500")],
        },
    )?;
    till.laundry_set_status(&laundry, &ticket.ticket_number, JobStatus::Washing)?;
    till.record_expense(&water, shared::TRANSPORT, money("300"), "Boda boda to the supplier", PaidFrom::Cash)?;
    till.move_cash(&supervisor, CashMovementKind::BankDeposit, money("1000"), "Midday banking")?;
    let expected = till.expected_cash_in_drawer()?.unwrap_or(Money::ZERO);
    till.close_shift(&water, &CashCount::Total(expected.checked_sub(money("20"))?))?;
    till.close_day(&owner)?;
    Ok(())
}
