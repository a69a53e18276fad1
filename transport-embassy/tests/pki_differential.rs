//! Differential test of the device's certificate verifier against rustls-webpki: random
//! chains (CA flags, pathLen, keyUsage, extKeyUsage, name constraints, validity, critical
//! bits, subjectAltName forms, serial numbers, orderings, pinning, self-issued
//! intermediates, certificate profile variations) verified by both with the same anchor,
//! host and time. A chain that webpki rejects and we accept fails the test, unless it is one
//! of the documented policy differences (policy lines 8 and 13) and webpki accepts the same
//! chain once that one difference is taken out.
//!
//! A quarter of the cases break one certificate profile rule (policy lines 15 to 20),
//! in a certificate the verifier uses: those only make this verifier stricter, so such a
//! case fails the test if we accept it while we accept the same chain without the break.
//! They are tallied under their rule when webpki accepts them.
//!
//! `PKI_DIFF_SEED` (default 2026) and `PKI_DIFF_CHAINS` (default 800) pick the chains; run
//! with `--nocapture` to see the tally. `PKI_FUZZ_SEEDS=DIR` also writes each case into DIR
//! as an input of the `pki` fuzz target.

mod pki_certs;

use std::collections::BTreeMap;
use std::net::IpAddr;

use pki_certs::*;
use rcgen::KeyPair;

/// splitmix64: small, seedable, good enough to pick test cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// True with probability `percent`%.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize].clone()
    }
}

const HOSTS: &[&str] = &[
    "api.example.com",
    "api.example.com",
    "API.Example.com",
    "x.api.example.com",
    "example.com",
    "10.1.2.3",
    "2001:db8::1",
];
const SAN_NAMES: &[&str] = &[
    "api.example.com",
    "*.example.com",
    "other.example.org",
    "10.1.2.3",
    "2001:db8::1",
    "api.example.com.",
    "*.api.example.com",
    "example.com",
    "*.com",
    "a*.example.com",
    "API.EXAMPLE.COM",
];

fn subtrees(rng: &mut Rng) -> Vec<Subtree> {
    let all = [
        Subtree::Dns("example.com".into()),
        Subtree::Dns("example.org".into()),
        Subtree::Dns("api.example.com".into()),
        Subtree::Ip("10.0.0.0".parse().unwrap(), 8),
        Subtree::Ip("192.168.0.0".parse().unwrap(), 16),
        Subtree::Ip("2001:db8::".parse().unwrap(), 32),
    ];
    (0..rng.next() % 3).map(|_| rng.pick(&all)).collect()
}

/// How many things to change in a certificate: none for most.
fn mutations(rng: &mut Rng, clean_percent: u64) -> u64 {
    if rng.chance(clean_percent) { 0 } else { 1 + u64::from(rng.chance(20)) }
}

/// One change that a verifier may or may not accept, to any certificate.
fn mutate_any(rng: &mut Rng, s: &mut Spec) {
    match rng.next() % 10 {
        0 => s.years = (2015, 2024),
        1 => s.years = (2026, 2040),
        2 => s.serial = Some(rng.pick(&[vec![0], vec![0x7f; 21], vec![0x7f; 20], vec![1]])),
        3 => {
            let (permitted, mut excluded) = (subtrees(rng), subtrees(rng));
            if permitted.is_empty() && excluded.is_empty() {
                excluded.push(Subtree::Dns("example.net".into()));
            }
            s.nc = Some((permitted, excluded, rng.chance(80)));
        }
        4 => s.ski = if rng.chance(50) { None } else { Some(true) },
        5 => s.aki = if rng.chance(50) { None } else { Some(true) },
        6 => s.policy_constraints = Some(rng.chance(50)),
        7 => s.unknown_critical = true,
        8 => s.eku = Some(rng.pick(&[vec![Eku::ClientAuth], vec![Eku::Any], vec![Eku::Any, Eku::ServerAuth], vec![]])),
        _ => s.ku = Some((rng.pick(&[KEY_ENCIPHERMENT, DIGITAL_SIGNATURE, CRL_SIGN, KEY_CERT_SIGN]), rng.chance(50))),
    }
}

fn ca_spec(rng: &mut Rng, cn: &str, root: bool) -> Spec {
    let mut s = Spec::ca(cn);
    // Valid variations.
    if rng.chance(30) {
        s.bc = Some(Bc { ca: true, path_len: Some((rng.next() % 3) as u8), critical: true });
    }
    s.ku = rng.pick(&[Some((KEY_CERT_SIGN | CRL_SIGN, true)), None, Some((KEY_CERT_SIGN | DIGITAL_SIGNATURE, false))]);
    // A root has no extKeyUsage (policy line 17) and may have no authorityKeyIdentifier
    // (line 15); another CA's may name the issuer and serial number too.
    if root {
        s.aki = rng.pick(&[None, Some(false)]);
    } else {
        s.eku = rng.pick(&[None, None, Some(vec![Eku::ServerAuth, Eku::ClientAuth])]);
        s.aki_form = rng.pick(&[Aki::KeyId, Aki::KeyId, Aki::WithIssuerSerial]);
    }
    if rng.chance(30) {
        s.aia = Some((Aia::Good, false));
    }
    for _ in 0..mutations(rng, 75) {
        match rng.next() % 3 {
            0 => {
                s.bc = rng.pick(&[
                    Some(Bc { ca: true, path_len: None, critical: false }),
                    Some(Bc { ca: false, path_len: None, critical: true }),
                    None,
                ])
            }
            _ => mutate_any(rng, &mut s),
        }
    }
    s
}

fn leaf_spec(rng: &mut Rng, host: &str) -> Spec {
    let mut s = Spec::leaf(&[]);
    // Valid variations.
    s.ku = rng.pick(&[Some((DIGITAL_SIGNATURE, true)), None, Some((DIGITAL_SIGNATURE | KEY_ENCIPHERMENT, false))]);
    s.eku = rng.pick(&[Some(vec![Eku::ServerAuth]), None, Some(vec![Eku::ClientAuth, Eku::ServerAuth])]);
    if rng.chance(30) {
        s.ski = Some(false);
    }
    // Mostly the host (as itself or under a wildcard) among other names.
    let mut names: Vec<String> = (0..rng.next() % 3).map(|_| rng.pick(SAN_NAMES).to_string()).collect();
    if rng.chance(85) {
        let wildcard = host.split_once('.').map(|(_, rest)| format!("*.{rest}"));
        let own = match wildcard {
            Some(w) if host.parse::<IpAddr>().is_err() && rng.chance(30) => w,
            _ => host.to_string(),
        };
        names.insert((rng.next() % (names.len() as u64 + 1)) as usize, own);
    }
    let names =
        names.iter().map(|n| n.parse::<IpAddr>().map(San::Ip).unwrap_or_else(|_| San::Dns(n.clone()))).collect();
    s.san = Some((names, false));
    if rng.chance(30) {
        s.aia = Some((Aia::Good, false));
    }
    for _ in 0..mutations(rng, 65) {
        match rng.next() % 4 {
            0 => {
                s.bc = rng.pick(&[
                    Some(Bc { ca: true, path_len: None, critical: true }),
                    Some(Bc { ca: false, path_len: None, critical: false }),
                ])
            }
            1 => match rng.next() % 3 {
                0 => {
                    s.cn = None;
                    if let Some(san) = &mut s.san {
                        san.1 = rng.chance(70);
                    }
                }
                1 => s.san = None,
                _ => s.san = Some((vec![San::Email("ops@example.com".into())], rng.chance(50))),
            },
            _ => mutate_any(rng, &mut s),
        }
    }
    s
}

/// One generated case: `nodes[0]` is the root, each next one issued by the one before, the
/// last one the leaf (self-signed when pinned).
struct Case {
    nodes: Vec<Spec>,
    keys: Vec<KeyPair>,
    pinned: bool,
    /// Index of the anchor in `nodes`.
    anchor: usize,
    /// The chain as sent: indexes into `nodes`, leaf first.
    order: Vec<usize>,
    host: &'static str,
    /// The profile rule one certificate breaks (policy lines 15 to 20), and the nodes
    /// without that break.
    profile: Option<(&'static str, Vec<Spec>)>,
}

fn generate(rng: &mut Rng) -> Case {
    let pinned = rng.chance(5);
    let cas = if pinned { 0 } else { 1 + (rng.next() % 4) as usize };
    let mut nodes: Vec<Spec> = Vec::new();
    for i in 0..cas {
        // Some intermediates are self-issued: the name of their issuer (for the first one, the
        // root's: a CA key rollover certificate).
        let cn = match i {
            0 => "Root CA".to_string(),
            _ if rng.chance(15) => nodes[i - 1].cn.clone().unwrap_or_default(),
            _ => format!("Int {i}"),
        };
        nodes.push(ca_spec(rng, &cn, i == 0));
    }
    let host = rng.pick(HOSTS);
    nodes.push(leaf_spec(rng, host));
    if pinned && rng.chance(30) {
        // A self-signed server certificate that says CA:TRUE (openssl's default).
        nodes[0].bc = Some(Bc { ca: true, path_len: None, critical: true });
    }
    let keys = (0..nodes.len())
        .map(|_| if rng.chance(5) { KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap() } else { key() })
        .collect();
    let leaf = nodes.len() - 1;
    let anchor = if pinned {
        leaf
    } else if cas > 1 && rng.chance(10) {
        1
    } else {
        0
    };
    let mut order: Vec<usize> = (1..=leaf).rev().collect();
    if pinned {
        order = vec![leaf];
    } else {
        let ints = 1..order.len();
        if rng.chance(8) && ints.len() > 1 {
            order[ints].reverse();
        } else if rng.chance(4) && !ints.is_empty() {
            order.remove(1 + (rng.next() as usize % ints.len()));
        } else if rng.chance(3) {
            order.push(order[order.len() - 1]);
        }
        if rng.chance(20) {
            order.push(0);
        }
    }
    let mut case = Case { nodes, keys, pinned, anchor, order, host, profile: None };
    if rng.chance(25) {
        let clean = case.nodes.clone();
        if let Some(rule) = break_profile(rng, &mut case) {
            case.profile = Some((rule, clean));
        }
    }
    case
}

/// Breaks one profile rule in a certificate that the verifier uses when the chain is valid
/// otherwise: the leaf, the intermediates, or the anchor. Returns the rule.
fn break_profile(rng: &mut Rng, case: &mut Case) -> Option<&'static str> {
    let leaf = case.nodes.len() - 1;
    // Those that are not the anchor, and those that are or are below it.
    let below = if case.pinned { leaf + 1 } else { case.anchor + 1 };
    let path = if case.pinned { leaf } else { case.anchor };
    let root = !case.pinned && case.anchor == 0;
    let n = &mut case.nodes;
    match rng.next() % 6 {
        0 if below <= leaf => {
            let s = &mut n[below + (rng.next() as usize % (leaf + 1 - below))];
            if rng.chance(50) {
                s.aki = None;
            } else {
                (s.aki, s.aki_form) = (Some(false), Aki::IssuerSerialOnly);
            }
            Some("line 15: no authority key identifier")
        }
        1 if root => {
            (n[0].aki, n[0].aki_form) =
                (Some(false), rng.pick(&[Aki::OtherKeyId, Aki::WithIssuerSerial, Aki::IssuerSerialOnly]));
            Some("line 16: a root's authority key identifier not its subject key identifier alone")
        }
        2 if root => {
            n[0].eku = Some(rng.pick(&[vec![Eku::ServerAuth], vec![Eku::ServerAuth, Eku::ClientAuth]]));
            Some("line 17: extKeyUsage in a root")
        }
        3 if !n[leaf].bc.is_some_and(|bc| bc.ca) => {
            n[leaf].ku = Some((DIGITAL_SIGNATURE | KEY_CERT_SIGN, rng.chance(50)));
            Some("line 18: keyCertSign in a leaf that is not a CA")
        }
        4 => {
            let s = &mut n[path + (rng.next() as usize % (leaf + 1 - path))];
            s.aia = Some(rng.pick(&[
                (Aia::Empty, false),
                (Aia::NoLocation, false),
                (Aia::BadLocation, false),
                (Aia::NotSequence, false),
                (Aia::Good, true),
            ]));
            Some("line 19: malformed authorityInfoAccess")
        }
        5 => {
            let s = &mut n[path + (rng.next() as usize % (leaf + 1 - path))];
            s.cn.as_ref()?;
            let names = s.san.take().map_or_else(|| vec![San::Dns("ca.example.com".into())], |(names, _)| names);
            s.san = Some((names, true));
            Some("line 20: subjectAltName critical with a subject")
        }
        _ => None,
    }
}

/// The anchor's DER and the chain as sent, the certificates made from `nodes` (the case's
/// own or edited ones).
fn build(case: &Case, nodes: &[Spec]) -> (Vec<u8>, Vec<Vec<u8>>) {
    let ders: Vec<Vec<u8>> = (0..nodes.len())
        .map(|i| {
            let issuer = match i {
                0 => None,
                _ if case.pinned => None,
                _ => Some((nodes[i - 1].name(), &case.keys[i - 1])),
            };
            nodes[i].issue(&case.keys[i], issuer.as_ref().map(|(n, k)| (n, *k)))
        })
        .collect();
    (ders[case.anchor].clone(), case.order.iter().map(|&i| ders[i].clone()).collect())
}

/// The documented policy difference that explains "we accept, webpki rejects", checked by
/// taking it out: webpki must then accept.
fn documented_difference(case: &Case) -> Option<&'static str> {
    let explained = |edit: &dyn Fn(&mut Spec, usize)| {
        let mut nodes = case.nodes.clone();
        for (i, n) in nodes.iter_mut().enumerate() {
            edit(n, i);
        }
        let (anchor, chain) = build(case, &nodes);
        webpki(&anchor, case.host, &chain).is_ok()
    };
    let leaf = case.nodes.len() - 1;
    if case.pinned && case.nodes[leaf].bc.is_some_and(|bc| bc.ca) && explained(&|n, _| n.bc = None) {
        return Some("line 13: pinned CA certificate as the server's");
    }
    let self_issued = (1..leaf).any(|i| case.nodes[i].cn == case.nodes[i - 1].cn);
    let unlimited = |n: &mut Spec, _| {
        if let Some(bc) = &mut n.bc {
            bc.path_len = None;
        }
    };
    if self_issued && explained(&unlimited) {
        return Some("line 8: self-issued intermediates not counted against pathLen");
    }
    None
}

/// The case as an input of the `pki` fuzz target (fuzz/fuzz_targets/pki.rs), with the
/// CertificateVerify signature over an empty transcript made by the leaf's key.
fn fuzz_seed(case: &Case, anchor: &[u8], chain: &[Vec<u8>]) -> Vec<u8> {
    use rcgen::SigningKey;
    use sha2::{Digest, Sha256};
    let with_len = |bytes: &[u8]| [&(bytes.len() as u16).to_be_bytes()[..], bytes].concat();
    let mut out = with_len(anchor);
    out.push(chain.len() as u8);
    for cert in chain {
        out.extend(with_len(cert));
    }
    out.push(case.host.len() as u8);
    out.extend(case.host.as_bytes());
    let leaf_key = &case.keys[case.nodes.len() - 1];
    out.push(u8::from(leaf_key.algorithm() == &rcgen::PKCS_ECDSA_P384_SHA384));
    let content = [&[0x20u8; 64][..], b"TLS 1.3, server CertificateVerify\x00", &Sha256::new().finalize()].concat();
    out.extend(leaf_key.sign(&content).unwrap());
    out
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn differential_against_webpki() {
    let seed = env("PKI_DIFF_SEED", 2026);
    let chains = env("PKI_DIFF_CHAINS", 800);
    let mut tally: BTreeMap<String, u64> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut broken = 0;
    for n in 0..chains {
        let mut rng = Rng(seed.wrapping_mul(1_000_003).wrapping_add(n));
        let case = generate(&mut rng);
        broken += u64::from(case.profile.is_some());
        let (anchor, chain) = build(&case, &case.nodes);
        if let Ok(dir) = std::env::var("PKI_FUZZ_SEEDS") {
            std::fs::write(format!("{dir}/seed-{seed}-{n}"), fuzz_seed(&case, &anchor, &chain)).unwrap();
        }
        let (ours, theirs) = (ours(&anchor, case.host, &chain), webpki(&anchor, case.host, &chain));
        // A profile break: only ever refused more, when the chain without it passes.
        let profile = case.profile.as_ref().filter(|(_, clean)| {
            let (anchor, chain) = build(&case, clean);
            pki_certs::ours(&anchor, case.host, &chain).is_ok()
        });
        if let (Some((rule, _)), Ok(())) = (profile, &ours) {
            failures.push(format!("chain {n} (seed {seed}): we accept what {rule} refuses; host {}", case.host));
        }
        let outcome = match (&ours, &theirs) {
            (Ok(()), Ok(())) => "both accept".to_string(),
            (Err(_), Err(_)) => "both reject".to_string(),
            (Err(e), Ok(())) => match profile {
                Some((rule, _)) => format!("stricter, policy {rule}"),
                None => format!("stricter: {e:?}"),
            },
            (Ok(()), Err(e)) => match documented_difference(&case) {
                Some(line) => format!("policy {line}"),
                None => {
                    failures.push(format!("chain {n} (seed {seed}): we accept, webpki says {e:?}; host {}", case.host));
                    "FAILURE".to_string()
                }
            },
        };
        *tally.entry(outcome).or_default() += 1;
    }
    println!("pki differential, seed {seed}, {chains} chains:");
    for (outcome, count) in &tally {
        println!("  {count:5}  {outcome}");
    }
    assert!(failures.is_empty(), "accepted what webpki rejects:\n{}", failures.join("\n"));
    // Not vacuous: a good share of the chains without a profile break are valid for both.
    let accepted = tally.get("both accept").copied().unwrap_or(0);
    assert!(accepted * 5 >= chains - broken, "only {accepted} of {} chains accepted by both", chains - broken);
}
