//! What the till's benchmarks share: the sale they record and how they read their timings.

use std::time::Duration;

use tillbook_till::demo::{cash, money, quantity};
use tillbook_till::{SaleLineRequest, SaleRequest};

/// The benchmarks' sale: three lines of two stocked items each, paid in cash with change.
pub fn sale_request(n: usize, products: &[tillbook_core::ids::ProductId]) -> SaleRequest {
    SaleRequest {
        lines: (0..3)
            .map(|k| SaleLineRequest {
                product_id: products[(n + k) % products.len()],
                quantity: quantity("2"),
                discount: money("0"),
            })
            .collect(),
        tenders: vec![cash("2000")],
    }
}

/// The `p`th percentile of timings already sorted.
pub fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

/// The `p`th percentile of timings in any order.
pub fn percentile_of(each: &[Duration], p: usize) -> Duration {
    let mut sorted = each.to_vec();
    sorted.sort();
    percentile(&sorted, p)
}
