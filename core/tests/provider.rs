//! The environment and profile-file providers, on in-memory fakes.
#![cfg(feature = "std")]

use proptest::prelude::*;
use tencentcloud_core::provider::{Env, Fs, ProviderError, environment, parse_profile, profile_file};

fn err(text: &str) -> String {
    parse_profile(text.as_bytes(), "creds", "default").unwrap_err().to_string()
}

#[test]
fn well_formed_files() {
    let c = parse_profile(b"[default]\nsecret_id=AKID1\nsecret_key = k1\n", "f", "default").unwrap();
    assert_eq!((c.secret_id(), c.secret_key(), c.token()), ("AKID1", "k1", None));
    // Comments, blank lines, other sections, unknown keys, surrounding whitespace.
    let text = "# comment\n; also\n\n[other]\nsecret_id = X\nsecret_key = Y\n\n  [ default ]  \n  secret_id  =  AKID2  \n\tsecret_key=\tk2\t\ntoken = t2\nregion = ap-guangzhou\n";
    let c = parse_profile(text.as_bytes(), "f", "default").unwrap();
    assert_eq!((c.secret_id(), c.secret_key(), c.token()), ("AKID2", "k2", Some("t2")));
    // BOM and CRLF.
    let c =
        parse_profile(b"\xEF\xBB\xBF[default]\r\nsecret_id = AKID3\r\nsecret_key = k3\r\ntoken =\r\n", "f", "default")
            .unwrap();
    assert_eq!((c.secret_id(), c.secret_key(), c.token()), ("AKID3", "k3", None));
    // Values may hold `=`.
    let c = parse_profile(b"[default]\nsecret_id = AKID4\nsecret_key = a=b==\n", "f", "default").unwrap();
    assert_eq!(c.secret_key(), "a=b==");
    assert!(!format!("{c:?}").contains("a=b=="));
}

#[test]
fn every_malformed_case_names_file_and_line() {
    assert_eq!(err("[other]\nsecret_id = a\nsecret_key = b\n"), "creds: no [default] section");
    assert_eq!(err("[default]\nsecret_id = a\n"), "creds: [default] has no `secret_key`");
    assert_eq!(err("[default]\nsecret_key = b\n"), "creds: [default] has no `secret_id`");
    assert_eq!(
        err("[default]\nsecret_id = a\nsecret_id = b\nsecret_key = c\n"),
        "creds:3: `secret_id` appears twice in [default]"
    );
    assert_eq!(err("[default]\nsecret_id a\n"), "creds:2: expected `[section]` or `key = value`");
    assert_eq!(err("[default]\nsecret_id =\nsecret_key = b\n"), "creds:2: `secret_id` is empty");
    assert_eq!(err("[default]\nsecret_id = a\nsecret_key =   \n"), "creds:3: `secret_key` is empty");
    assert_eq!(err("secret_id = a\n[default]\n"), "creds:1: `secret_id` is outside any section");
    assert_eq!(err("[default]\n[default]\n"), "creds:2: section [default] appears twice");
    assert_eq!(err("[default\nsecret_id = a\n"), "creds:1: malformed section header, expected `[name]`");
    assert_eq!(err("[]\n"), "creds:1: malformed section header, expected `[name]`");
    assert_eq!(err("[default]\n = a\n"), "creds:2: malformed key");
    assert_eq!(err("[default]\nsecret id = a\n"), "creds:2: malformed key");
    let long = format!("[default]\nsecret_id = {}\n", "a".repeat(5000));
    assert_eq!(err(&long), "creds:2: line longer than 4096 bytes");
    let big = "#".repeat(70_000);
    assert_eq!(err(&big), "creds: larger than 65536 bytes");
    let e = parse_profile(b"[default]\nsecret_id = \xff\n", "creds", "default").unwrap_err();
    assert_eq!(e.to_string(), "creds:2: not valid UTF-8");
}

#[test]
fn errors_never_show_secret_values() {
    let e = err("[default]\nsecret_id = a\nsecret_id = TOPSECRET\nsecret_key = c\n");
    assert!(!e.contains("TOPSECRET"));
    let e = err("[default]\nsecret_key = TOPSECRET\n");
    assert!(!e.contains("TOPSECRET"));
}

#[test]
fn file_resolution() {
    let good = "[default]\nsecret_id = AKIDHOME\nsecret_key = k\n[dev]\nsecret_id = AKIDDEV\nsecret_key = k\n";
    let home = Env::from_slice(&[("HOME", "/home/u")]);
    let fs = Fs::from_slice(&[
        ("/home/u/.tencentcloud/credentials", good),
        ("/etc/tencentcloud/credentials", "[default]\nsecret_id = AKIDETC\nsecret_key = k\n"),
    ]);
    assert_eq!(profile_file(&home, &fs).unwrap().secret_id(), "AKIDHOME");
    let dev = Env::from_slice(&[("HOME", "/home/u"), ("TENCENTCLOUD_PROFILE", "dev")]);
    assert_eq!(profile_file(&dev, &fs).unwrap().secret_id(), "AKIDDEV");
    // Falls back to /etc when there is no home file.
    let etc_only =
        Fs::from_slice(&[("/etc/tencentcloud/credentials", "[default]\nsecret_id = AKIDETC\nsecret_key = k\n")]);
    assert_eq!(profile_file(&home, &etc_only).unwrap().secret_id(), "AKIDETC");
    // No file at all: not configured.
    assert!(profile_file(&home, &Fs::from_slice(&[])).unwrap_err().is_not_configured());
    // An explicit file must exist and wins over the defaults.
    let explicit = Env::from_slice(&[("HOME", "/home/u"), ("TENCENTCLOUD_CREDENTIALS_FILE", "/x/creds")]);
    let e = profile_file(&explicit, &fs).unwrap_err();
    assert!(matches!(&e, ProviderError::Invalid(m) if m.contains("/x/creds")), "{e}");
    let fs2 = Fs::from_bytes(&[
        ("/home/u/.tencentcloud/credentials", good.as_bytes()),
        ("/etc/tencentcloud/credentials", b"[default]\nsecret_id = AKIDETC\nsecret_key = k\n"),
        ("/x/creds", b"[default]\nsecret_id = AKIDX\nsecret_key = k\n"),
    ]);
    assert_eq!(profile_file(&explicit, &fs2).unwrap().secret_id(), "AKIDX");
    // A broken file is an error naming the file and line, not "not configured".
    let broken = Fs::from_slice(&[("/home/u/.tencentcloud/credentials", "[default]\noops\n")]);
    let e = profile_file(&home, &broken).unwrap_err();
    assert_eq!(
        e,
        ProviderError::Invalid("/home/u/.tencentcloud/credentials:2: expected `[section]` or `key = value`".into())
    );
}

#[test]
fn environment_provider() {
    assert!(environment(&Env::from_slice(&[])).unwrap_err().is_not_configured());
    assert!(
        environment(&Env::from_slice(&[("TENCENTCLOUD_SECRET_ID", ""), ("TENCENTCLOUD_SECRET_KEY", "")]))
            .unwrap_err()
            .is_not_configured()
    );
    let half = environment(&Env::from_slice(&[("TENCENTCLOUD_SECRET_ID", "AKID")])).unwrap_err();
    assert!(!half.is_not_configured());
    let spaced =
        environment(&Env::from_slice(&[("TENCENTCLOUD_SECRET_ID", " AKID"), ("TENCENTCLOUD_SECRET_KEY", "k")]))
            .unwrap_err();
    assert!(spaced.to_string().contains("secret id should not contain spaces"));
    let c = environment(&Env::from_slice(&[
        ("TENCENTCLOUD_SECRET_ID", "AKID"),
        ("TENCENTCLOUD_SECRET_KEY", "k"),
        ("TENCENTCLOUD_SESSION_TOKEN", "tok"),
    ]))
    .unwrap();
    assert_eq!(c.token(), Some("tok"));
    assert_eq!(c.credential().unwrap().token(), Some("tok"));
    assert!(!format!("{c:?}").contains("tok\""));
}

proptest! {
    #[test]
    fn profile_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048), section in "[a-z]{0,8}") {
        let _ = parse_profile(&bytes, "f", &section);
    }

    #[test]
    fn profile_parser_on_ini_shaped_input(lines in proptest::collection::vec("\\[?[a-z_ ]{0,10}\\]?|[a-z_ ]{0,10}=[ -~]{0,10}|#.*|\r?", 0..20)) {
        let text = lines.join("\n");
        let _ = parse_profile(text.as_bytes(), "f", "default");
    }
}

#[test]
fn expiry_margins_never_overflow() {
    use std::time::{Duration, SystemTime};
    use tencentcloud_core::provider::Credentials;
    let now = SystemTime::now();
    let expiring = Credentials::new("AKIDEXAMPLE", "secret-key").with_expiry(now + Duration::from_secs(3600));
    assert!(expiring.expires_within(now, Duration::MAX), "a margin past the end of time covers every expiry");
    assert!(expiring.expires_within(now, Duration::from_secs(3600)));
    assert!(!expiring.expires_within(now, Duration::from_secs(3599)));
    assert!(!Credentials::new("AKIDEXAMPLE", "secret-key").expires_within(now, Duration::MAX));
}
