//! Push under random mutation (DESIGN §7: "a 500 on client input is a bug"): valid events are
//! mutated at random — huge, negative and odd-scale amounts, wrong types, missing and extra
//! fields, random times, long and odd Unicode text, NUL — and pushed. The server must never
//! answer 5xx or drop the connection: it answers every event, or refuses the batch with a 4xx
//! naming the field. The ledger stays whole throughout.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use tillbook_core::chart::BusinessKind;

use crate::common::server;

use crate::ledger::seeded;

/// What to do at one place in an event.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(Value),
    Remove,
    AddField(String, Value),
}

fn odd_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        // Amounts and quantities: huge, negative, odd scale, not numbers.
        Just(json!("999999999999.99")),
        Just(json!("99999999999999999999999999.99")),
        Just(json!("-5.00")),
        Just(json!("0.001")),
        Just(json!("1.234567")),
        Just(json!("1e9")),
        Just(json!("NaN")),
        Just(json!("")),
        // Wrong types.
        Just(json!(7)),
        Just(json!(-1)),
        Just(json!(1.5)),
        Just(json!(u64::MAX)),
        Just(json!(null)),
        Just(json!(true)),
        Just(json!([])),
        Just(json!({})),
        Just(json!([{ "a": 1 }])),
        // Times: plausible, implausible, malformed.
        Just(json!("1999-12-31T23:59:00+03:00")),
        Just(json!("2999-01-01T00:00:00Z")),
        Just(json!("0001-01-01T00:00:00Z")),
        Just(json!("2026-02-30T10:00:00+03:00")),
        Just(json!("yesterday")),
        // Text: long, odd Unicode, NUL, ids that are not.
        Just(json!("x".repeat(20_000))),
        Just(json!("\u{202e}\u{0301}🧺ñ\u{feff}")),
        Just(json!("a\u{0}b")),
        Just(json!("00000000-0000-0000-0000-000000000000")),
        "[\\PC]{0,40}".prop_map(|text| json!(text)),
        any::<i64>().prop_map(|n| json!(n.to_string())),
    ]
}

fn mutation() -> impl Strategy<Value = (usize, usize, Mutation)> {
    let kind = prop_oneof![
        4 => odd_value().prop_map(Mutation::Replace),
        1 => Just(Mutation::Remove),
        1 => ("[a-z_]{1,12}", odd_value()).prop_map(|(name, value)| Mutation::AddField(name, value)),
    ];
    // Which event of the batch, which place in it (taken modulo the places it has), and what.
    (0usize..6, any::<usize>(), kind)
}

/// Every place in `value`, as a JSON pointer, the root included.
fn places(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => map.iter().for_each(|(key, item)| places(item, format!("{at}/{key}"), out)),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, item)| places(item, format!("{at}/{i}"), out)),
        _ => {}
    }
}

fn apply(event: &mut Value, place: usize, mutation: &Mutation) {
    let mut all = Vec::new();
    places(event, String::new(), &mut all);
    let pointer = &all[place % all.len()];
    match mutation {
        Mutation::Replace(value) => {
            if let Some(target) = event.pointer_mut(pointer) {
                *target = value.clone();
            }
        }
        Mutation::Remove => {
            let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", ""));
            match event.pointer_mut(parent) {
                Some(Value::Object(map)) => {
                    map.remove(key);
                }
                Some(Value::Array(items)) => {
                    if let Ok(index) = key.parse::<usize>()
                        && index < items.len()
                    {
                        items.remove(index);
                    }
                }
                _ => {}
            }
        }
        Mutation::AddField(name, value) => {
            if let Some(Value::Object(map)) = event.pointer_mut(pointer) {
                map.insert(name.clone(), value.clone());
            }
        }
    }
}

#[test]
fn mutated_pushes_are_answered_per_event_or_refused_naming_the_field_never_5xx() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let server = runtime.block_on(server());
    let strategy = (prop::collection::vec(mutation(), 1..5), 0u8..3);
    seeded::check_property("push never fails on client input", 48, strategy, |(mutations, kind)| {
        runtime.block_on(async {
            let kind = [BusinessKind::Water, BusinessKind::Retail, BusinessKind::Laundry][kind as usize];
            let (mut till, token) = server.till(kind).await;
            let events: Vec<_> =
                (0..6)
                    .map(|i| {
                        if kind == BusinessKind::Laundry { till.drop_off(1 + i as i64).1 } else { till.sale(&[(i, 1)]) }
                    })
                    .collect();
            let mut events: Vec<Value> = events.iter().map(|event| serde_json::to_value(event).unwrap()).collect();
            for (index, place, mutation) in &mutations {
                let count = events.len();
                apply(&mut events[index % count], *place, mutation);
            }
            let body = json!({ "protocol": 1, "device_id": till.device, "events": events });
            // `post` fails the test on a dropped connection or a body that is not JSON.
            let answer = server.post("/api/v1/sync/push", Some(&token), serde_json::to_vec(&body).unwrap()).await;
            prop_assert!(answer.status < 500, "a {} on client input: {}", answer.status, answer.body);
            if answer.status == 200 {
                let acks = answer.body["acks"].as_array().cloned().unwrap_or_default();
                prop_assert_eq!(acks.len(), events.len(), "every event is answered: {}", answer.body);
                for (ack, event) in acks.iter().zip(&events) {
                    prop_assert_eq!(&ack["event_id"], &event["event_id"]);
                    let status = ack["status"].as_str().unwrap_or_default();
                    prop_assert!(["posted", "quarantined"].contains(&status), "{}", ack);
                }
            } else {
                let field = answer.body["error"]["field"].as_str().unwrap_or_default();
                prop_assert!(!field.is_empty(), "a {} must name the field: {}", answer.status, answer.body);
            }
            Ok::<(), TestCaseError>(())
        })
    });
    runtime.block_on(async {
        assert_eq!(server.metric("tillbook_panics_total").await, 0);
        server.verify_clean().await;
    });
}
