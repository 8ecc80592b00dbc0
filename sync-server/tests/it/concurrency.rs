//! Exactly once under concurrency: several tills at once, and a retry racing its own first try.

use std::collections::BTreeSet;

use tillbook_core::chart::BusinessKind;

use crate::common::{ack_statuses, entry_numbers, server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_tills_pushing_at_once_post_each_event_once() {
    let server = std::sync::Arc::new(server().await);
    let mut tasks = Vec::new();
    for kind in [BusinessKind::Water, BusinessKind::Retail, BusinessKind::Water, BusinessKind::Retail] {
        let (mut till, token) = server.till(kind).await;
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            let mut numbers = Vec::new();
            for _ in 0..5 {
                let events: Vec<_> = (0..20).map(|i| till.sale(&[(i, 1), (i + 3, 2), (i + 5, 1)])).collect();
                let answer = server.push(&till, &token, &events).await;
                assert_eq!(ack_statuses(&answer), vec!["posted"; 20], "{}", answer.body);
                numbers.extend(entry_numbers(&answer));
            }
            numbers
        }));
    }
    let mut all = BTreeSet::new();
    for task in tasks {
        for number in task.await.unwrap() {
            assert!(all.insert(number), "entry number {number} handed out twice");
        }
    }
    assert_eq!(all, (1..=400).collect(), "gap-free across tills");
    let report = server.verify_clean().await;
    assert_eq!(report.entries, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_racing_its_first_attempt_posts_once() {
    let server = server().await;
    let (mut till, token) = server.till(BusinessKind::Retail).await;
    for round in 0..5 {
        let events: Vec<_> = (0..50).map(|i| till.sale(&[(i, 1), (i + 1, 1)])).collect();
        let (first, second) = tokio::join!(server.push(&till, &token, &events), server.push(&till, &token, &events));
        assert_eq!((first.status, second.status), (200, 200));
        let mut statuses = ack_statuses(&first);
        statuses.extend(ack_statuses(&second));
        assert_eq!(statuses.iter().filter(|s| *s == "posted").count(), 50, "round {round}: {statuses:?}");
        assert_eq!(statuses.iter().filter(|s| *s == "duplicate").count(), 50);
        assert_eq!(entry_numbers(&first), entry_numbers(&second), "both answers name the same entries");
    }
    assert_eq!(server.count("inbox").await, 250);
    assert_eq!(server.verify_clean().await.entries, 250);
}
