//! The demo group an owner would start from: three businesses, the standard chart, water sizes,
//! laundry services, retail products and LPG cylinders, with real-looking Kenyan prices.
//! Ids are fixed so that every till and the server seeded from this agree on them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use std::collections::HashMap;
use std::sync::Mutex;

use crate::catalog::{
    Customer, CylinderType, LaundryPricing, LaundryService, Lookup, Product, Role, StockAccounts, Supplier,
};
use crate::chart::{Account, AccountCode, Business, BusinessKind, BusinessProfile, business_chart, shared_chart};
use crate::ids::{
    BusinessId, CustomerId, CylinderTypeId, DocumentId, LaundryServiceId, ProductId, StaffId, SupplierId,
};
use crate::journal::JournalEntry;
use crate::money::{Money, Quantity, VatRate};

/// Everything head office owns and the tills pull (DESIGN §7), staff apart: PIN hashes are made
/// where the PINs are set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MasterData {
    pub businesses: Vec<Business>,
    pub accounts: Vec<Account>,
    pub products: Vec<Product>,
    pub laundry_services: Vec<LaundryService>,
    pub cylinder_types: Vec<CylinderType>,
    pub customers: Vec<Customer>,
    /// Absent from a store or data set older than suppliers: none.
    #[serde(default)]
    pub suppliers: Vec<Supplier>,
}

/// The demo's `number`-th supplier (from 1): Bidco, Total Energies, Kirinyaga Packaging.
pub fn supplier_id(number: u16) -> SupplierId {
    SupplierId(seed_uuid(7, number))
}

/// A member of staff of the demo, with the PIN the demo prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoStaff {
    pub id: StaffId,
    pub name: &'static str,
    pub role: Role,
    pub pin: &'static str,
}

/// Fixed, v7-shaped ids: `0193…-7000-8000-…` with a running number per kind.
fn seed_uuid(kind: u8, number: u16) -> Uuid {
    Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0000 | (u128::from(kind) << 16) | u128::from(number))
}

pub fn business_id(kind: BusinessKind) -> BusinessId {
    BusinessId(seed_uuid(1, kind as u16 + 1))
}

fn money(cents: i64) -> Money {
    Money::from_cents(cents * 100)
}

pub fn demo_staff() -> Vec<DemoStaff> {
    vec![
        DemoStaff { id: StaffId(seed_uuid(2, 1)), name: "Wanjiru (owner)", role: Role::Owner, pin: "909090" },
        DemoStaff { id: StaffId(seed_uuid(2, 2)), name: "Otieno (supervisor)", role: Role::Supervisor, pin: "258036" },
        DemoStaff { id: StaffId(seed_uuid(2, 3)), name: "Achieng", role: Role::Cashier, pin: "1357" },
        DemoStaff { id: StaffId(seed_uuid(2, 4)), name: "Kamau", role: Role::Cashier, pin: "2468" },
    ]
}

pub fn demo() -> MasterData {
    let kinds = [BusinessKind::Water, BusinessKind::Laundry, BusinessKind::Retail];
    // The chart as head office makes it when the three are created in turn: the shared
    // accounts, then each business's own from the template.
    let mut chart = shared_chart();
    let businesses = kinds
        .iter()
        .map(|&kind| {
            let (code, name, kra_pin, address, mpesa) = match kind {
                BusinessKind::Water => {
                    ("WATER", "Maji Safi Water Refill", "P051234567W", "Kenyatta Avenue 12, Nakuru", "174379")
                }
                BusinessKind::Laundry => ("LAUNDRY", "Safi Laundry", "P051234568L", "Moi Road 4, Nakuru", "174380"),
                BusinessKind::Retail => {
                    ("RETAIL", "Duka Retail & Gas", "P051234569R", "Oginga Odinga Street 7, Nakuru", "174381")
                }
            };
            let taken = chart.iter().map(|account| account.code).collect();
            let (accounts, own) = business_chart(kind, code, name, &taken).expect("an empty chart has room for three");
            chart.extend(own);
            Business {
                id: business_id(kind),
                code: code.to_string(),
                name: name.to_string(),
                kind,
                accounts,
                profile: BusinessProfile {
                    kra_pin: kra_pin.to_string(),
                    address: address.to_string(),
                    phone: "0712 345 678".to_string(),
                    mpesa_number: mpesa.to_string(),
                    vat_registered: true,
                },
            }
        })
        .collect();
    let water = business_id(BusinessKind::Water);
    let retail = business_id(BusinessKind::Retail);
    let laundry = business_id(BusinessKind::Laundry);
    let code = AccountCode::new;
    let vat16 = VatRate::STANDARD;
    let stocked = |inventory, cost| Some(StockAccounts { inventory: code(inventory), cost_of_sales: code(cost) });

    let mut products = Vec::new();
    let mut add = |business, name: &str, barcode: Option<&str>, unit: &str, price, vat_rate, revenue, stock, cost| {
        let number = u16::try_from(products.len() + 1).expect("a handful of demo products");
        products.push(Product {
            id: ProductId(seed_uuid(3, number)),
            business_id: business,
            name: name.to_string(),
            barcode: barcode.map(str::to_string),
            unit: unit.to_string(),
            price: money(price),
            vat_rate,
            revenue_account: code(revenue),
            stock,
            unit_cost: money(cost),
            active: true,
        });
    };
    // Refills are water from the shop's purifier into the customer's own bottle: not stocked.
    add(water, "Refill 5 L", None, "refill", 25, vat16, 4100, None, 0);
    add(water, "Refill 10 L", None, "refill", 40, vat16, 4100, None, 0);
    add(water, "Refill 20 L", None, "refill", 70, vat16, 4100, None, 0);
    add(water, "Sealed bottle 500 ml", Some("6161100100015"), "bottle", 30, vat16, 4100, stocked(1210, 5100), 12);
    add(water, "Sealed bottle 1 L", Some("6161100100022"), "bottle", 50, vat16, 4100, stocked(1210, 5100), 20);
    add(water, "New 20 L bottle with water", None, "bottle", 450, vat16, 4100, stocked(1210, 5100), 280);
    // Basic foods are zero-rated in Kenya; the rest carry 16%.
    add(
        retail,
        "Maize flour 2 kg",
        Some("6161101600012"),
        "packet",
        210,
        VatRate::ZERO,
        4300,
        stocked(1220, 5300),
        180,
    );
    add(retail, "Bread 400 g", Some("6161101600029"), "loaf", 65, VatRate::ZERO, 4300, stocked(1220, 5300), 55);
    add(retail, "Milk 500 ml", Some("6161101600036"), "packet", 60, VatRate::ZERO, 4300, stocked(1220, 5300), 48);
    add(retail, "Sugar 1 kg", Some("6161101600043"), "packet", 180, vat16, 4300, stocked(1220, 5300), 150);
    add(retail, "Cooking oil 1 L", Some("6161101600050"), "bottle", 350, vat16, 4300, stocked(1220, 5300), 290);
    add(retail, "Bar soap 800 g", Some("6161101600067"), "bar", 165, vat16, 4300, stocked(1220, 5300), 125);
    add(retail, "Airtime top-up service", None, "service", 10, vat16, 4300, None, 0);

    let laundry_services = [
        ("Wash & fold", LaundryPricing::PerKg, 120),
        ("Wash & iron", LaundryPricing::PerKg, 180),
        ("Ironing only", LaundryPricing::PerPiece, 40),
        ("Dry-clean suit", LaundryPricing::PerPiece, 650),
        ("Duvet", LaundryPricing::PerPiece, 700),
    ]
    .iter()
    .enumerate()
    .map(|(index, &(name, pricing, price))| LaundryService {
        id: LaundryServiceId(seed_uuid(4, u16::try_from(index + 1).expect("few services"))),
        business_id: laundry,
        name: name.to_string(),
        pricing,
        price: money(price),
        vat_rate: vat16,
        active: true,
    })
    .collect();

    let mut cylinder_types = Vec::new();
    for (size, gas_price, gas_cost, cylinder_price, cylinder_cost, deposit) in
        [(6, 1_250, 1_000, 3_200, 2_500, 2_000), (13, 2_900, 2_350, 6_800, 5_400, 4_000)]
    {
        for brand in ["K-Gas", "Total", "ProGas"] {
            let number = u16::try_from(cylinder_types.len() + 1).expect("few cylinder types");
            cylinder_types.push(CylinderType {
                id: CylinderTypeId(seed_uuid(5, number)),
                business_id: retail,
                size_kg: Quantity::whole(size),
                brand: brand.to_string(),
                gas_price: money(gas_price),
                gas_cost: money(gas_cost),
                cylinder_price: money(cylinder_price),
                cylinder_cost: money(cylinder_cost),
                deposit: money(deposit),
                vat_rate: vat16,
                active: true,
            });
        }
    }

    let customers = [
        ("Mama Njeri", Some("0712345678"), 3_000),
        ("Hotel Kilimanjaro", Some("0722000111"), 50_000),
        ("Juma Ali", None, 0),
    ]
    .iter()
    .enumerate()
    .map(|(index, &(name, phone, limit))| Customer {
        id: CustomerId(seed_uuid(6, u16::try_from(index + 1).expect("few customers"))),
        name: name.to_string(),
        phone: phone.map(str::to_string),
        credit_limit: money(limit),
        active: true,
    })
    .collect();

    let suppliers = [
        ("Bidco Africa", "P051100001A", Some("0709000100"), 30),
        ("Total Energies Kenya", "P051100002B", Some("0709000200"), 14),
        ("Kirinyaga Packaging", "", None, 0),
    ]
    .iter()
    .enumerate()
    .map(|(index, &(name, kra_pin, phone, terms_days))| Supplier {
        id: supplier_id(u16::try_from(index + 1).expect("few suppliers")),
        name: name.to_string(),
        kra_pin: kra_pin.to_string(),
        phone: phone.map(str::to_string),
        terms_days,
        active: true,
    })
    .collect();

    MasterData { businesses, accounts: chart, products, laundry_services, cylinder_types, customers, suppliers }
}

/// Master data held in memory, with the entries posted so far: the [`Lookup`] of tests,
/// benchmarks and tools that post documents without a till's store. `Send + Sync`, so a server
/// test can share one between tasks.
pub struct MemoryLookup {
    pub data: MasterData,
    entries: Mutex<HashMap<DocumentId, JournalEntry>>,
}

impl MemoryLookup {
    pub fn new(data: MasterData) -> Self {
        MemoryLookup { data, entries: Mutex::new(HashMap::new()) }
    }

    pub fn demo() -> Self {
        Self::new(demo())
    }

    /// Remembers a document's entry, so that a later void or payment can find it.
    pub fn record(&self, document: DocumentId, entry: JournalEntry) {
        self.entries.lock().expect("lookup lock").insert(document, entry);
    }

    pub fn business(&self, kind: BusinessKind) -> Business {
        self.data.businesses.iter().find(|b| b.kind == kind).cloned().expect("the demo has every kind")
    }

    pub fn product(&self, name: &str) -> Product {
        self.data.products.iter().find(|p| p.name == name).cloned().unwrap_or_else(|| panic!("no product {name}"))
    }

    pub fn service(&self, name: &str) -> LaundryService {
        self.data
            .laundry_services
            .iter()
            .find(|s| s.name == name)
            .cloned()
            .unwrap_or_else(|| panic!("no service {name}"))
    }

    pub fn cylinder(&self, kg: i64, brand: &str) -> CylinderType {
        self.data
            .cylinder_types
            .iter()
            .find(|c| c.size_kg == Quantity::whole(kg) && c.brand == brand)
            .cloned()
            .unwrap_or_else(|| panic!("no {kg} kg {brand} cylinder"))
    }

    pub fn customer(&self, name: &str) -> Customer {
        self.data.customers.iter().find(|c| c.name == name).cloned().unwrap_or_else(|| panic!("no customer {name}"))
    }
}

impl Lookup for MemoryLookup {
    fn account(&self, code: AccountCode) -> Option<Account> {
        self.data.accounts.iter().find(|a| a.code == code && a.active).cloned()
    }
    fn product(&self, id: ProductId) -> Option<Product> {
        self.data.products.iter().find(|p| p.id == id).cloned()
    }
    fn laundry_service(&self, id: LaundryServiceId) -> Option<LaundryService> {
        self.data.laundry_services.iter().find(|s| s.id == id).cloned()
    }
    fn cylinder_type(&self, id: CylinderTypeId) -> Option<CylinderType> {
        self.data.cylinder_types.iter().find(|c| c.id == id).cloned()
    }
    fn customer(&self, id: CustomerId) -> Option<Customer> {
        self.data.customers.iter().find(|c| c.id == id).cloned()
    }
    fn supplier(&self, id: SupplierId) -> Option<Supplier> {
        self.data.suppliers.iter().find(|s| s.id == id).cloned()
    }
    fn entry_of(&self, document: DocumentId) -> Option<JournalEntry> {
        self.entries.lock().expect("lookup lock").get(&document).cloned()
    }
}
