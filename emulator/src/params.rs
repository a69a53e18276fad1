//! Request parameters: JSON bodies and flattened query strings (`Filters.0.Name=x`), read with
//! the schema crate's bounded form reader.

pub use tencentcloud_schema::form::{MAX_DEPTH, TooDeep, parse_query, percent_decode, unflatten};
