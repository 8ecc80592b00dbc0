//! A till killed (`SIGKILL`) in the middle of a push, and restarted.

use std::process::{Child, Command};
use std::time::Duration;

use tillbook_e2e::proxy::{Faults, Proxy};
use tillbook_e2e::{Central, Scratch, TestTill, run, wait_until};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn till_process(store: &std::path::Path) -> Killed {
    Killed(Command::new(env!("CARGO_BIN_EXE_e2e-till")).arg(store).spawn().expect("start the till process"))
}

#[test]
fn a_till_killed_mid_push_resumes_after_restart_with_nothing_lost_or_doubled() {
    run(async {
        let scratch = Scratch::new();
        let mut central = Central::new().await;
        central.start().await;
        let proxy = Proxy::start(central.address).await;
        let mut retail =
            TestTill::enrol(&scratch.0, "retail", &proxy.url(), &central.enrollment_code("RETAIL").await).await;
        for i in 0..1200 {
            retail.sell(i, 1);
        }
        let recorded = retail.events();
        // Slow the link so that the kill lands while a batch is on its way.
        proxy.set(Faults { delay: Duration::from_millis(20), ..Faults::default() });
        let path = retail.path.clone();
        let process = till_process(&path);
        wait_until(Duration::from_secs(60), "the first batch reaches the server", || async {
            central.scalar_i64("SELECT count(*) FROM inbox").await > 0
        })
        .await;
        drop(process); // SIGKILL, whatever it was doing
        let after_kill = central.scalar_i64("SELECT count(*) FROM inbox").await;
        assert!(after_kill < recorded, "the kill landed before the end of the push ({after_kill} of {recorded})");

        proxy.set(Faults::default());
        let _restarted = till_process(&path);
        wait_until(Duration::from_secs(60), "every event acknowledged", || async { retail.pending() == 0 }).await;
        assert_eq!(central.scalar_i64("SELECT count(*) FROM inbox").await, recorded);
        assert_eq!(central.scalar_i64("SELECT count(*) FROM journal_entry").await, retail.entries(), "nothing doubled");
        assert_eq!(retail.local_lines(), central.posted_lines_of(retail.device()).await);
        central.verify_clean().await;
        central.stop().await;
    });
}
