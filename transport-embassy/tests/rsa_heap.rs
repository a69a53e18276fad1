//! RSA verification (feature `rsa`) allocates nothing: no heap is touched while an RSA-2048
//! chain and its PSS CertificateVerify are checked (the arithmetic is on the stack, see
//! `pki/rsa.rs`). (Its own test binary: the counting allocator is global.)

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use support::{Ca, rsa_key};
use tencentcloud_transport_embassy::pki::{TrustAnchor, Verifier};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static CALLS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: forwards to the system allocator, only counting.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // Only this test's thread counts (the harness allocates on its own).
        if COUNTING.try_with(Cell::get).unwrap_or(false) {
            CALLS.fetch_add(1, Ordering::SeqCst);
            let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(now, Ordering::SeqCst);
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.try_with(Cell::get).unwrap_or(false) {
            CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn rsa_verification_allocates_nothing() {
    use embedded_tls::{CertificateEntryRef, CertificateRef, CertificateVerifyRef, SignatureScheme, TlsVerifier};
    use sha2::{Digest, Sha256};

    let ca = Ca::with_key("RSA root", rsa_key(include_str!("data/rsa-ca.pk8.pem")));
    let leaf = ca.leaf(&["localhost"], rsa_key(include_str!("data/rsa-leaf.pk8.pem")), |_| {});
    let anchor = ca.der();
    let transcript = Sha256::new();
    let content =
        [&[0x20u8; 64][..], b"TLS 1.3, server CertificateVerify\x00", &transcript.clone().finalize()].concat();
    let pss = ring_pss(include_str!("data/rsa-leaf.pk8.pem"), &content);
    let mut verifier = Verifier::new(TrustAnchor::from_der(&anchor).unwrap(), "localhost", Some(1_750_000_000));
    let mut certificate = CertificateRef::with_context(&[]);
    certificate.entries.push(CertificateEntryRef::X509(&leaf.chain[0])).unwrap();
    // The counter sees this thread's allocations.
    COUNTING.set(true);
    drop(std::hint::black_box(vec![0u8; 16]));
    COUNTING.set(false);
    assert_eq!((CALLS.swap(0, Ordering::SeqCst), PEAK.swap(0, Ordering::SeqCst)), (1, 16));
    COUNTING.set(true);
    verifier.verify_certificate(&transcript, certificate).unwrap();
    let verify = CertificateVerifyRef { signature_scheme: SignatureScheme::RsaPssRsaeSha256, signature: &pss };
    verifier.verify_signature(verify).unwrap();
    COUNTING.set(false);
    let (peak, allocations) = (PEAK.load(Ordering::SeqCst), CALLS.load(Ordering::SeqCst));
    verifier.finish().unwrap();
    println!("RSA-2048 chain and PSS CertificateVerify: {allocations} allocations, heap peak {peak} bytes");
    assert_eq!((allocations, peak), (0, 0));
}

/// A TLS 1.3 PSS SHA-256 signature by the key (rustls's own signer).
fn ring_pss(pkcs8_pem: &str, message: &[u8]) -> Vec<u8> {
    use rustls::pki_types::PrivateKeyDer;
    use rustls::pki_types::pem::PemObject;
    let key = PrivateKeyDer::from_pem_slice(pkcs8_pem.as_bytes()).unwrap();
    let key = rustls::crypto::ring::sign::any_supported_type(&key).unwrap();
    let signer = key.choose_scheme(&[rustls::SignatureScheme::RSA_PSS_SHA256]).unwrap();
    signer.sign(message).unwrap()
}
