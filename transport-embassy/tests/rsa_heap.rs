//! How much heap RSA verification needs (feature `rsa`, the only part of the crate that
//! allocates): the peak allocation while verifying an RSA-2048 chain. Firmware that enables
//! `rsa` sizes its heap from this. (Its own test binary: the counting allocator is global.)

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use support::{Ca, rsa_key};
use tencentcloud_transport_embassy::pki::{TrustAnchor, Verifier};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator, only counting.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(now, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn rsa_chain_verification_heap_peak() {
    let ca = Ca::with_key("RSA root", rsa_key(include_str!("data/rsa-ca.pk8.pem")));
    let leaf = ca.leaf(&["localhost"], rsa_key(include_str!("data/rsa-leaf.pk8.pem")), |_| {});
    let anchor = ca.der();
    let chain = [leaf.chain[0].as_ref()];
    let mut verifier = Verifier::new(TrustAnchor::from_der(&anchor).unwrap(), "localhost", Some(1_750_000_000));
    let (before, base) = (PEAK.load(Ordering::SeqCst), CURRENT.load(Ordering::SeqCst));
    PEAK.store(base, Ordering::SeqCst);
    verifier.verify_chain(&chain).unwrap();
    let peak = PEAK.load(Ordering::SeqCst) - base;
    println!("RSA-2048 chain verification: heap peak {peak} bytes (process peak before: {before})");
    assert!(peak < 16 * 1024, "{peak}");
}
