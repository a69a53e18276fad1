//! Shared pieces of the examples: where to send calls (Tencent Cloud when credentials
//! are set, else the built-in local emulator), and the benchmarks' counting allocator
//! ([`CountingAlloc`]). Typed models come from the generated service crates (`tencentcloud-cvm`).
//!
//! Credentials come from the default chain (environment, profile file, instance role,
//! TKE). Every example runs offline: when the chain finds nothing it starts
//! [`tencentcloud_emulator`] in-process, says so, and makes the same calls through the
//! real client against it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tencentcloud_emulator::{Emulator, RunningEmulator, default_test_key};

use tencentcloud_transport_std::{
    ChainProvider, Client, ClientProfile, CredentialProvider, Error, HttpProfile, StaticProvider,
};

pub mod device;

/// Where the example's calls go.
pub struct Target {
    /// The credential provider to use.
    pub credential: Arc<dyn CredentialProvider>,
    /// A profile pointing at the emulator when it is used (else the default endpoints).
    pub profile: ClientProfile,
    /// The emulator, if no credentials were set (kept alive for the example's duration).
    pub emulator: Option<RunningEmulator>,
}

/// Tencent Cloud with the default chain's credentials, or the local emulator when the
/// chain finds none. A chain that finds a broken source stops with its explanation.
pub async fn target(profile: ClientProfile) -> std::io::Result<Target> {
    let chain = ChainProvider::default_chain();
    match chain.credential().await {
        Ok(_) => {
            println!(
                "Using credentials from the {}: calling Tencent Cloud.",
                chain.selected().unwrap_or("default chain")
            );
            return Ok(Target { credential: Arc::new(chain), profile, emulator: None });
        }
        Err(e) if !e.is_not_configured() => return Err(std::io::Error::other(e.to_string())),
        Err(_) => {}
    }
    let emulator = Emulator::builder().start().await?;
    println!(
        "No credentials found (environment, profile file, instance role, TKE): using the built-in local API \
         emulator at {}.",
        emulator.endpoint()
    );
    let mut profile = profile;
    let http: &mut HttpProfile = profile.http_mut();
    *http = http.clone().endpoint(emulator.endpoint());
    let (id, key) = default_test_key();
    Ok(Target { credential: Arc::new(StaticProvider::new(id, key)), profile, emulator: Some(emulator) })
}

impl Target {
    /// A client for `region` with this target's credentials and profile.
    pub fn client(&self, region: &str) -> Result<Client, Error> {
        Client::builder()
            .credential_provider(self.credential.clone())
            .region(region)
            .profile(self.profile.clone())
            .build()
    }
}

/// The system allocator, counting the allocations and reallocations made through it: the
/// benchmarks' heap allocations per call. An example installs it with
/// `#[global_allocator] static GLOBAL: CountingAlloc = CountingAlloc::new();`.
pub struct CountingAlloc {
    allocations: AtomicU64,
}

impl CountingAlloc {
    /// A counter at zero.
    pub const fn new() -> CountingAlloc {
        CountingAlloc { allocations: AtomicU64::new(0) }
    }

    /// The allocations and reallocations made so far.
    pub fn allocations(&self) -> u64 {
        self.allocations.load(Ordering::Relaxed)
    }
}

impl Default for CountingAlloc {
    fn default() -> CountingAlloc {
        CountingAlloc::new()
    }
}

// SAFETY: every call is passed on unchanged to the system allocator.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.allocations.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.allocations.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
