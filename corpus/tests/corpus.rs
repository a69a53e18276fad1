//! Every documented example of the pinned specs through the generated models.
//!
//! Specs: `TC_SPECS_DIR`, else the repository's `specs/`, fetched by
//! `codegen/fetch-specs.sh` when missing (a failed fetch fails the test: never skipped).
use std::path::PathBuf;
use std::process::Command;

fn specs_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TC_SPECS_DIR") {
        return dir.into();
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = root.join("specs");
    if !dir.join("cvm").is_dir() {
        let status =
            Command::new("sh").arg(root.join("codegen/fetch-specs.sh")).status().expect("run codegen/fetch-specs.sh");
        assert!(status.success(), "codegen/fetch-specs.sh failed: the corpus needs the pinned specs");
    }
    dir
}

#[test]
fn documented_examples_decode_and_round_trip() {
    let allowed_text = include_str!("../allowed-defects.txt");
    let allowed = tencentcloud_corpus::parse_allowed(allowed_text).unwrap();
    let tally = tencentcloud_corpus::run(&specs_dir(), &allowed).unwrap();
    println!("{}", tally.line());
    println!("{}", tally.serde_line());
    for f in tally.failures.iter().take(200) {
        println!("FAILED {f}");
    }
    for d in tally.serde_differ.iter().take(200) {
        println!("SERDE DIFFERS {d}");
    }
    assert!(tally.examples > 18_000, "only {} examples found", tally.examples);
    assert!(tally.stale_allowed.is_empty(), "allowed defects that no longer fail: {:?}", tally.stale_allowed);
    assert!(
        tally.allowed * 100 < tally.examples,
        "allowed defects {} are 1% of {} examples or more",
        tally.allowed,
        tally.examples
    );
    assert!(tally.failures.is_empty(), "{}", tally.line());
    assert!(tally.serde_differ.is_empty(), "{}", tally.serde_line());
    assert!(tally.serde_responses + tally.serde_requests > 36_000, "{}", tally.serde_line());
}
