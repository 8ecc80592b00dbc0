//! The sales chart's bars: each business day's net sales across the report's rows (all tills,
//! all businesses in scope), and its height as a whole percentage of the best day. Worked out
//! here from the decimal amounts, so the UI only draws what it is given.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;
use tillbook_core::Money;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChartBar {
    pub business_day: String,
    pub net: Money,
    /// 0–100: the bar's height against the best day; a day with nothing or less is 0.
    pub percent: u8,
}

/// The bars of a sales report body (`[{business_day, net, …}]`); rows it cannot read are left
/// out rather than guessed at.
pub fn bars(body: &serde_json::Value) -> Vec<ChartBar> {
    let mut days: BTreeMap<String, Money> = BTreeMap::new();
    for row in body.as_array().into_iter().flatten() {
        let day = row.get("business_day").and_then(|day| day.as_str());
        let net = row.get("net").and_then(|net| net.as_str()).and_then(|net| net.parse::<Money>().ok());
        if let (Some(day), Some(net)) = (day, net) {
            let total = days.entry(day.to_string()).or_insert(Money::ZERO);
            // The server's day totals are each in range; a sum past it is shown as the largest.
            *total = total.checked_add(net).unwrap_or(Money::from_cents(Money::MAX_CENTS));
        }
    }
    let best = days.values().copied().max_by_key(|net| net.cents()).unwrap_or(Money::ZERO);
    days.into_iter()
        .map(|(business_day, net)| {
            let percent = if best.is_positive() && net.is_positive() {
                (net.decimal() * Decimal::ONE_HUNDRED / best.decimal()).round().try_into().unwrap_or(100u8)
            } else {
                0
            };
            ChartBar { business_day, net, percent }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_summed_across_tills_and_sized_against_the_best_day() {
        let body = serde_json::json!([
            { "business_day": "2026-11-17", "till_code": "T1", "net": "300.00" },
            { "business_day": "2026-11-17", "till_code": "T2", "net": "100.50" },
            { "business_day": "2026-11-18", "till_code": "T1", "net": "133.50" },
            { "business_day": "2026-11-19", "till_code": "T1", "net": "-20.00" },
            { "business_day": "2026-11-20", "till_code": "T1", "net": "not money" },
        ]);
        let bars = bars(&body);
        let shown: Vec<(&str, String, u8)> =
            bars.iter().map(|bar| (bar.business_day.as_str(), bar.net.to_string(), bar.percent)).collect();
        assert_eq!(
            shown,
            [
                ("2026-11-17", "400.50".to_string(), 100),
                ("2026-11-18", "133.50".to_string(), 33),
                ("2026-11-19", "-20.00".to_string(), 0)
            ]
        );
    }
}
