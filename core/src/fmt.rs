//! Logging through `defmt` or `log`, whichever feature is on; nothing without either.
//!
//! The two cannot both be on for a device (`target_os = "none"`): that is a compile error.
//! On a host, where `cargo test --all-features` turns every feature on, `log` wins, since
//! `defmt` needs a global logger only firmware provides. Every argument must implement
//! both `Display` and `defmt::Format`.
#![allow(unused_macros)]

#[cfg(all(feature = "defmt", feature = "log", target_os = "none"))]
compile_error!("tencentcloud-core: the `defmt` and `log` features cannot both be on; pick one");

macro_rules! log_with {
    ($level:ident, $s:literal $(, $x:expr)* $(,)?) => {{
        #[cfg(feature = "log")]
        ::log::$level!($s $(, $x)*);
        #[cfg(all(feature = "defmt", not(feature = "log")))]
        ::defmt::$level!($s $(, $x)*);
        #[cfg(not(any(feature = "log", feature = "defmt")))]
        let _ = ($(&$x),*);
    }};
}

macro_rules! trace {
    ($($t:tt)*) => { log_with!(trace, $($t)*) };
}

macro_rules! debug {
    ($($t:tt)*) => { log_with!(debug, $($t)*) };
}
