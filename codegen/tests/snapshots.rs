//! Snapshot tests: the generator's output for a small fixture spec (keywords, case
//! collisions, accessors renamed for clashes, objects named `Option` and `Box`, recursion,
//! deprecated/offline actions, secrets, HTML and code in docs, the `as` and `api` services)
//! is compared with the files
//! in `tests/snapshots/`. `UPDATE_SNAPSHOTS=1 cargo test -p tencentcloud-codegen` rewrites them.
use std::path::Path;
use tencentcloud_codegen::{emit, spec};

#[test]
fn fixture_output_matches_snapshots() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let specs = spec::load(&here.join("fixture")).unwrap();
    let (files, counts) = emit::generate(&specs).unwrap();
    assert_eq!((counts.services, counts.versions, counts.actions, counts.types), (2, 2, 3, 8));
    let wanted = [
        "services/as/src/v20180419.rs",
        "services/as/src/lib.rs",
        "services/as/Cargo.toml",
        "services/api/Cargo.toml",
        "umbrella/src/lib.rs",
        "corpus/src/dispatch.rs",
    ];
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    for name in wanted {
        let text = &files.iter().find(|f| f.0 == name).unwrap_or_else(|| panic!("{name} not generated")).1;
        assert!(text.starts_with(&format!("// {}", emit::HEADER)) || text.starts_with(&format!("# {}", emit::HEADER)));
        let snap = here.join("snapshots").join(name.replace('/', "__"));
        if update {
            std::fs::write(&snap, text).unwrap();
        }
        let want = std::fs::read_to_string(&snap).unwrap_or_default();
        assert!(&want == text, "{name} differs from {}; rerun with UPDATE_SNAPSHOTS=1 and review", snap.display());
    }
}

#[test]
fn generation_is_deterministic() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture");
    let a = emit::generate(&spec::load(&here).unwrap()).unwrap().0;
    let b = emit::generate(&spec::load(&here).unwrap()).unwrap().0;
    assert_eq!(a, b);
}
