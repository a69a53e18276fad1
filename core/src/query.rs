//! Form-encoded query strings, encoded exactly as the official SDKs do (Python's
//! `urlencode`: unreserved `A-Za-z0-9_.-~` kept, space as `+`, the rest `%XX`).
//!
//! ```
//! use tencentcloud_core::query::QueryWriter;
//!
//! let mut buf = [0u8; 64];
//! let mut q = QueryWriter::new(&mut buf);
//! q.push("Filters.0.Name", "instance-name");
//! q.push("Filters.0.Values.0", "a b/c");
//! assert_eq!(q.finish()?, "Filters.0.Name=instance-name&Filters.0.Values.0=a+b%2Fc");
//! # Ok::<(), tencentcloud_core::BufferTooSmall>(())
//! ```

use crate::error::BufferTooSmall;

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'~')
}

/// The length of `s` once form-encoded.
pub fn encoded_len(s: &str) -> usize {
    s.bytes().map(|b| if is_unreserved(b) || b == b' ' { 1 } else { 3 }).sum()
}

/// Calls `out` with the form encoding of `s`, piece by piece.
pub fn encode(s: &str, mut out: impl FnMut(&[u8])) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if is_unreserved(b) {
            continue;
        }
        out(bytes.get(start..i).unwrap_or(&[]));
        if b == b' ' {
            out(b"+");
        } else {
            out(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
        start = i + 1;
    }
    out(bytes.get(start..).unwrap_or(&[]));
}

/// Writes `k=v&k=v` pairs into a caller buffer without a heap. Overflow is remembered
/// and reported by [`QueryWriter::finish`] with the exact size needed.
#[derive(Debug)]
pub struct QueryWriter<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> QueryWriter<'b> {
    /// An empty query over `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self { buf, len: 0 }
    }

    fn put(&mut self, bytes: &[u8]) {
        let end = self.len + bytes.len();
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(bytes);
        }
        self.len = end;
    }

    /// Appends one encoded `key=value` pair.
    pub fn push(&mut self, key: &str, value: &str) -> &mut Self {
        if self.len > 0 {
            self.put(b"&");
        }
        encode(key, |p| self.put(p));
        self.put(b"=");
        encode(value, |p| self.put(p));
        self
    }

    /// The query so far, or the total size needed if the buffer was too small.
    pub fn finish(self) -> Result<&'b str, BufferTooSmall> {
        let Self { buf, len } = self;
        match buf.get(..len) {
            // Every byte written is ASCII.
            Some(done) => core::str::from_utf8(done).map_err(|_| BufferTooSmall { needed: len }),
            None => Err(BufferTooSmall { needed: len }),
        }
    }
}

/// Flattens JSON parameters the way the official SDKs do: nested objects and arrays
/// become `Filters.0.Name`-style keys, booleans `True`/`False`, `null` and empty
/// containers are left out, keys keep their order. The values are raw (the legacy v1
/// signature signs them unencoded); [`flatten_json`] encodes them into a query.
///
/// ```
/// let params = serde_json::json!({"Ids": ["a", "b"], "On": true, "Skip": null});
/// let pairs = tencentcloud_core::query::flatten_pairs(&params);
/// assert_eq!(pairs, [("Ids.0".into(), "a".into()), ("Ids.1".into(), "b".into()), ("On".into(), "True".into())]);
/// ```
#[cfg(feature = "alloc")]
pub fn flatten_pairs(params: &serde_json::Value) -> alloc::vec::Vec<(alloc::string::String, alloc::string::String)> {
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;
    use serde_json::Value;
    fn walk(prefix: &mut String, v: &Value, out: &mut Vec<(String, String)>) {
        let nest = |prefix: &mut String, key: &str, v: &Value, out: &mut Vec<(String, String)>| {
            let len = prefix.len();
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(key);
            walk(prefix, v, out);
            prefix.truncate(len);
        };
        match v {
            Value::Null => {}
            Value::Bool(b) => out.push((prefix.clone(), (if *b { "True" } else { "False" }).into())),
            Value::Number(n) => out.push((prefix.clone(), n.to_string())),
            Value::String(s) => out.push((prefix.clone(), s.clone())),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    nest(prefix, &i.to_string(), item, out);
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    nest(prefix, k, item, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&mut String::new(), params, &mut out);
    out
}

/// [`flatten_pairs`] form-encoded into a query string, as the official SDKs send GET
/// parameters.
///
/// ```
/// let params = serde_json::json!({"Limit": 1, "Filters": [{"Name": "zone", "Values": ["ap-guangzhou-3"]}]});
/// assert_eq!(
///     tencentcloud_core::query::flatten_json(&params),
///     "Limit=1&Filters.0.Name=zone&Filters.0.Values.0=ap-guangzhou-3"
/// );
/// ```
#[cfg(feature = "alloc")]
pub fn flatten_json(params: &serde_json::Value) -> alloc::string::String {
    let mut out = alloc::string::String::new();
    for (key, value) in flatten_pairs(params) {
        if !out.is_empty() {
            out.push('&');
        }
        encode(&key, |p| out.push_str(core::str::from_utf8(p).unwrap_or("")));
        out.push('=');
        encode(&value, |p| out.push_str(core::str::from_utf8(p).unwrap_or("")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflow_reports_exact_size() {
        let mut buf = [0u8; 8];
        let mut q = QueryWriter::new(&mut buf);
        q.push("Name", "\u{2603} x");
        assert_eq!(q.finish(), Err(BufferTooSmall { needed: "Name=%E2%98%83+x".len() }));
        assert_eq!(encoded_len("\u{2603} x"), 11);
    }
}
