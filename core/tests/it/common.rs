//! Shared fixtures: the demo master data as an in-memory `Lookup`, and a proptest runner that
//! prints its seed so any failure replays.

use std::cell::RefCell;
use std::collections::HashMap;

use tillbook_core::JournalEntry;
use tillbook_core::catalog::{Customer, CylinderType, LaundryService, Lookup, Product};
use tillbook_core::chart::{Account, AccountCode, Business, BusinessKind};
use tillbook_core::ids::{CustomerId, CylinderTypeId, DocumentId, LaundryServiceId, ProductId};
use tillbook_core::journal::Side;
use tillbook_core::money::Money;
use tillbook_core::seed::{self, MasterData};

pub struct MemoryLookup {
    pub data: MasterData,
    pub entries: RefCell<HashMap<DocumentId, JournalEntry>>,
}

impl MemoryLookup {
    pub fn demo() -> Self {
        MemoryLookup { data: seed::demo(), entries: RefCell::new(HashMap::new()) }
    }

    pub fn business(&self, kind: BusinessKind) -> Business {
        self.data.businesses.iter().find(|b| b.kind == kind).cloned().unwrap()
    }

    pub fn product(&self, name: &str) -> Product {
        self.data.products.iter().find(|p| p.name == name).cloned().unwrap_or_else(|| panic!("no product {name}"))
    }

    pub fn service(&self, name: &str) -> LaundryService {
        self.data.laundry_services.iter().find(|s| s.name == name).cloned().unwrap()
    }

    pub fn cylinder(&self, kg: i64, brand: &str) -> CylinderType {
        self.data
            .cylinder_types
            .iter()
            .find(|c| c.size_kg == tillbook_core::Quantity::whole(kg) && c.brand == brand)
            .cloned()
            .unwrap()
    }

    pub fn customer(&self, name: &str) -> Customer {
        self.data.customers.iter().find(|c| c.name == name).cloned().unwrap()
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
    fn entry_of(&self, document: DocumentId) -> Option<JournalEntry> {
        self.entries.borrow().get(&document).cloned()
    }
}

pub fn money(text: &str) -> Money {
    text.parse().unwrap()
}

/// The entry as `(account, "Dr"/"Cr", amount)` rows sorted, for comparing with a hand-made list.
#[track_caller]
pub fn assert_journal(entry: &JournalEntry, expected: &[(u16, &str, &str)]) {
    let mut actual: Vec<(u16, &str, Money)> = entry
        .lines()
        .iter()
        .map(|line| (line.account.number(), if line.side == Side::Debit { "Dr" } else { "Cr" }, line.amount))
        .collect();
    let mut wanted: Vec<(u16, &str, Money)> = expected.iter().map(|&(a, s, m)| (a, s, money(m))).collect();
    actual.sort();
    wanted.sort();
    assert_eq!(actual, wanted, "journal lines differ");
}

pub use crate::seeded::check_property;
