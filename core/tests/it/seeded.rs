//! A proptest runner that prints its seed, shared by the core and till test binaries (the till's
//! includes this file by path) so that any failure of a property of the books replays exactly.

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

/// Runs a property with a seed from `TILLBOOK_PROPTEST_SEED` (hex) or a fresh one, and on failure
/// panics with the seed and the minimal failing input so the run can be replayed exactly.
pub fn check_property<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let seed: [u8; 32] = match std::env::var("TILLBOOK_PROPTEST_SEED") {
        Ok(hex) => {
            let bytes: Vec<u8> =
                (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
            bytes.try_into().expect("TILLBOOK_PROPTEST_SEED is 64 hex digits")
        }
        Err(_) => *uuid::Uuid::now_v7().as_bytes().repeat(2).first_chunk::<32>().unwrap(),
    };
    let hex: String = seed.iter().map(|b| format!("{b:02x}")).collect();
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
    if let Err(failure) = runner.run(&strategy, test) {
        panic!("property '{name}' failed: {failure}\nreplay with TILLBOOK_PROPTEST_SEED={hex}");
    }
}
