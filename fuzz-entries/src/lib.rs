//! # tencentcloud-fuzz-entries
//!
//! Entry points that drive the parsers facing the network hard on arbitrary bytes, kept
//! out of the published crates. The cargo-fuzz targets in `fuzz/` call them, and
//! proptests in this crate's tests run them on random input in `cargo test`.
//!
//! They never panic on any input; the only panics are assertions of invariants (such as
//! "consumed no more than was given", or "the same bytes in pieces give the same
//! result"), which signal a bug.

mod core_entries;
mod embassy;
mod typed;

pub use core_entries::{chunked, envelope, response_head, sign, sse};
pub use embassy::embassy_response;
pub use typed::typed_decode;
