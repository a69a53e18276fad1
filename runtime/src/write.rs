//! [`ToJson`]: writing typed values as compact JSON.
use crate::error::{Error, ErrorKind, Result};
use crate::json::Value;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

/// Compact JSON output. The first error (a NaN float) is kept with its field path and
/// returned by [`Writer::finish`].
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
    err: Option<Error>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The JSON text, or the first error.
    pub fn finish(self) -> Result<String> {
        match self.err {
            Some(e) => Err(e),
            None => Ok(self.out),
        }
    }

    /// Records an error at the current value (only the first one is kept).
    pub fn fail(&mut self, kind: ErrorKind) {
        if self.err.is_none() {
            self.err = Some(Error::new(kind));
        }
    }

    /// Appends JSON text as is.
    pub fn raw(&mut self, json: &str) {
        self.out.push_str(json);
    }

    /// Appends a JSON string.
    pub fn string(&mut self, s: &str) {
        self.out.push('"');
        let mut run = 0;
        for (i, b) in s.bytes().enumerate() {
            let esc = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0..=0x1f => "",
                _ => continue,
            };
            self.out.push_str(&s[run..i]);
            if esc.is_empty() {
                let _ = write!(self.out, "\\u{b:04x}");
            } else {
                self.out.push_str(esc);
            }
            run = i + 1;
        }
        self.out.push_str(&s[run..]);
        self.out.push('"');
    }

    fn item<T: ToJson + ?Sized>(&mut self, v: &T, seg: impl FnOnce(Error) -> Error) {
        let clean = self.err.is_none();
        v.to_json(self);
        if clean && let Some(e) = self.err.take() {
            self.err = Some(seg(e));
        }
    }
}

/// A type written as JSON.
pub trait ToJson {
    /// Appends `self` to `w`.
    fn to_json(&self, w: &mut Writer);
}

/// Writes a JSON object member by member; `None` members are left out.
#[derive(Debug)]
pub struct ObjWriter<'w> {
    w: &'w mut Writer,
    first: bool,
}

impl<'w> ObjWriter<'w> {
    /// Opens the object.
    pub fn new(w: &'w mut Writer) -> Self {
        w.out.push('{');
        ObjWriter { w, first: true }
    }

    /// Writes member `name` when `v` is set.
    pub fn f<T: ToJson>(&mut self, name: &'static str, v: &Option<T>) {
        if let Some(v) = v {
            self.member(name, v);
        }
    }

    /// Writes member `name`.
    pub fn member<T: ToJson + ?Sized>(&mut self, name: &'static str, v: &T) {
        if !self.first {
            self.w.out.push(',');
        }
        self.first = false;
        self.w.string(name);
        self.w.out.push(':');
        self.w.item(v, |e| e.in_field(name));
    }

    /// Closes the object.
    pub fn end(self) {
        self.w.out.push('}');
    }
}

/// Writes `v` as compact JSON.
pub fn to_string<T: ToJson + ?Sized>(v: &T) -> Result<String> {
    let mut w = Writer::new();
    v.to_json(&mut w);
    w.finish()
}

impl ToJson for str {
    fn to_json(&self, w: &mut Writer) {
        w.string(self);
    }
}

impl ToJson for String {
    fn to_json(&self, w: &mut Writer) {
        w.string(self);
    }
}

impl ToJson for i64 {
    fn to_json(&self, w: &mut Writer) {
        let _ = write!(w.out, "{self}");
    }
}

impl ToJson for i128 {
    fn to_json(&self, w: &mut Writer) {
        let _ = write!(w.out, "{self}");
    }
}

impl ToJson for f64 {
    fn to_json(&self, w: &mut Writer) {
        if self.is_finite() {
            // Display prints the shortest text that reads back to the same f64, never an
            // exponent: valid JSON.
            let _ = write!(w.out, "{self}");
        } else {
            w.raw("null");
            w.fail(ErrorKind::NotFinite);
        }
    }
}

impl ToJson for bool {
    fn to_json(&self, w: &mut Writer) {
        w.raw(if *self { "true" } else { "false" });
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self, w: &mut Writer) {
        w.out.push('[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                w.out.push(',');
            }
            w.item(item, |e| e.in_item(i));
        }
        w.out.push(']');
    }
}

impl<T: ToJson + ?Sized> ToJson for Box<T> {
    fn to_json(&self, w: &mut Writer) {
        (**self).to_json(w);
    }
}

impl ToJson for Value<'_> {
    fn to_json(&self, w: &mut Writer) {
        match self {
            Value::Null => w.raw("null"),
            Value::Bool(b) => b.to_json(w),
            Value::Number(t) => w.raw(t),
            Value::String(s) => w.string(s),
            Value::Array(items) => {
                w.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        w.out.push(',');
                    }
                    item.to_json(w);
                }
                w.out.push(']');
            }
            Value::Object(members) => {
                w.out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        w.out.push(',');
                    }
                    w.string(k);
                    w.out.push(':');
                    v.to_json(w);
                }
                w.out.push('}');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;
    #[allow(unused_imports)]
    use alloc::string::ToString;
    use alloc::vec;

    #[test]
    fn writes_compact_escaped_json_that_parses_back() {
        let s = "a\"b\\c\nd\u{1}é";
        let out = to_string(s).unwrap();
        assert_eq!(out, "\"a\\\"b\\\\c\\nd\\u0001é\"");
        assert_eq!(parse(out.as_bytes()).unwrap().as_str(), Some(s));
        assert_eq!(to_string(&vec![1.5f64, 1e21, -0.0]).unwrap(), "[1.5,1000000000000000000000,-0]");
        assert_eq!(to_string(&i128::from(u64::MAX)).unwrap(), "18446744073709551615");
    }

    #[test]
    fn a_nan_is_an_error_naming_its_field() {
        let mut w = Writer::new();
        let mut o = ObjWriter::new(&mut w);
        o.f("Ok", &Some(Box::new(1.0f64)));
        o.f("None", &None::<f64>);
        o.member("Prices", &vec![1.0, f64::NAN, f64::INFINITY]);
        o.end();
        assert_eq!(w.finish().unwrap_err().to_string(), "Prices[1]: a float that is NaN or infinite cannot be sent");
    }
}
