//! Head office over HTTPS with a private certificate authority (issue "From an empty server to a
//! real group trading", TLS end to end): a till given the CA enrols and syncs; a till without it
//! cannot; and no till talks plain http:// to another machine.

use std::time::Duration;

use tillbook_e2e::{Central, Scratch, TestCa, TestTill, fast_sync, run, wait_until};
use tillbook_till::sync::Server;

fn refused(result: tillbook_till::Result<tillbook_till::Till>) -> tillbook_till::TillError {
    match result {
        Ok(till) => panic!("enrolled as {}", till.info().till_code),
        Err(error) => error,
    }
}

#[test]
fn a_till_given_head_offices_own_ca_enrols_and_syncs_over_https_and_no_till_speaks_plain_http_to_another_machine() {
    run(async {
        let scratch = Scratch::new();
        let ca = TestCa::new(&scratch.0);
        let mut central = Central::new().await;
        central.start_tls(&ca).await;
        let url = central.https_url();

        // Plain http:// to another machine is refused in words before anything is sent or kept.
        for (address, code) in [
            ("http://example.com", "insecure_server_url"),
            ("http://192.0.2.10:8080", "insecure_server_url"),
            ("ftp://example.com", "invalid_server_url"),
            ("head office", "invalid_server_url"),
        ] {
            let path = scratch.0.join("refused.sqlite");
            let code_typed = central.enrollment_code("WATER").await;
            let error =
                refused(tillbook_till::sync::enroll(&path, &Server::new(address, None), &code_typed, "Till").await);
            assert_eq!(error.code(), code, "{address}: {error}");
            assert!(error.to_string().contains("https://"), "{address}: the words say what to use: {error}");
            assert!(!path.exists(), "{address}: nothing was kept");
        }

        // Without head office's CA the certificate is not trusted: nothing is enrolled.
        let path = scratch.0.join("untrusting.sqlite");
        let code = central.enrollment_code("WATER").await;
        let error = refused(tillbook_till::sync::enroll(&path, &Server::new(&url, None), &code, "Till").await);
        assert_eq!(error.code(), "sync_failed", "{error}");
        assert!(!path.exists());
        // A certificate that is not one is named as such.
        let error = refused(
            tillbook_till::sync::enroll(&path, &Server::new(&url, Some("not a certificate")), &code, "Till").await,
        );
        assert_eq!(error.code(), "invalid_certificate", "{error}");
        // Plain HTTP to the HTTPS port gets no answer a till could take for head office's.
        let plain = Server::new(&format!("http://127.0.0.1:{}", central.address.port()), None);
        let error = refused(tillbook_till::sync::enroll(&path, &plain, &code, "Till").await);
        assert_eq!(error.code(), "sync_failed", "{error}");

        // With the CA: enrols (the code unused so far), sells, and the sales reach the ledger.
        let server = Server::new(&url, Some(&ca.ca_pem));
        let mut till = TestTill::enrol_with(&scratch.0, "W1", &server, &code).await;
        for i in 0..5 {
            till.sell(i, 1);
        }
        till.start_sync(fast_sync());
        wait_until(Duration::from_secs(30), "the sales reach head office over HTTPS", || async {
            central.scalar_i64("SELECT count(*) FROM sale").await == 5
        })
        .await;
        // The CA is kept with the till: after a restart it still trusts head office.
        assert_eq!(till.till.sync_state().unwrap().server_ca.as_deref(), Some(ca.ca_pem.trim()));
        central.verify_clean().await;
        central.stop().await;
    });
}
