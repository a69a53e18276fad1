//! [`FromJson`]: typed, tolerant reading of a parsed [`Value`].
use crate::error::{Error, ErrorKind, Result};
use crate::json::{Node, Value, next_node, parse, tape_value};
use crate::write::{ToJson, Writer};
use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// A type read from JSON. `Ok(None)` means the value reads as absent (`null`, or `""` where
/// a number, bool, list or object is declared).
pub trait FromJson: Sized {
    /// Reads `v`; an error's path is relative to `v`.
    fn from_json(v: &Value<'_>) -> Result<Option<Self>>;

    /// Reads the node at `at` of a parsed document's tape as [`from_json`](Self::from_json)
    /// reads its value (which this default does).
    #[doc(hidden)]
    #[inline]
    fn from_tape(tape: &[Node<'_>], at: usize) -> Result<Option<Self>> {
        Self::from_json(&tape_value(tape, at))
    }
}

/// The members of a JSON object being read into a struct.
#[derive(Debug, Clone, Copy)]
pub struct Obj<'v, 'a> {
    members: &'v [(Cow<'a, str>, Value<'a>)],
}

impl<'v, 'a> Obj<'v, 'a> {
    /// The object in `v`; `None` for `null` or `""`, an error for any other non-object.
    pub fn of(v: &'v Value<'a>) -> Result<Option<Self>> {
        match v {
            Value::Object(members) => Ok(Some(Obj { members })),
            v if absent(v) => Ok(None),
            v => Err(Error::expected("an object", v.type_name())),
        }
    }

    /// Reads the member named exactly `name` (absent or `null`: `None`); an error names it.
    pub fn f<T: FromJson>(&self, name: &'static str) -> Result<Option<T>> {
        match self.members.iter().find(|(k, _)| k == name) {
            None | Some((_, Value::Null)) => Ok(None),
            Some((_, v)) => T::from_json(v).map_err(|e| e.in_field(name)),
        }
    }
}

/// Reads a JSON object's members into a struct's fields, one call per field, keeping the
/// first error (the line [`model!`](crate::model) writes per field, without a `?` each).
///
/// What a field reads is what [`Obj::f`] reads, the first member of that name, as long as
/// the names read are distinct (as a model's wire names are). Fields are read in
/// declaration order and members often arrive in it, so the member after the last one
/// taken in order is tried first; otherwise a small object is scanned, and a larger one
/// looked up in an index of its member names built at the first such miss.
#[derive(Debug)]
pub struct ObjReader<'v, 'a> {
    obj: Obj<'v, 'a>,
    err: Option<Error>,
    /// Every member before `next` was taken, in order, by another name.
    next: usize,
    /// Open addressing by [`name_hash`]: the index of the first member of each name, or
    /// [`EMPTY`]; built at the first miss of an object of `SCAN_MAX + 1..=INDEX_MAX` members.
    index: Option<[u8; SLOTS]>,
}

/// Objects of up to this many members are scanned on a miss.
const SCAN_MAX: usize = 8;
/// Objects of up to this many members are indexed (more are scanned).
const INDEX_MAX: usize = 96;
const SLOTS: usize = 128;
const EMPTY: u8 = u8::MAX;

/// The slot a member name starts probing at.
#[inline]
fn name_hash(name: &str) -> usize {
    let b = name.as_bytes();
    let (head, tail) = match (b.first_chunk::<8>(), b.last_chunk::<8>()) {
        (Some(h), Some(t)) => (u64::from_le_bytes(*h), u64::from_le_bytes(*t)),
        _ => (b.iter().fold(0u64, |n, &c| n << 8 | u64::from(c)), 0),
    };
    let h = (head ^ tail.rotate_left(29) ^ b.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> 57) as usize
}

impl<'v, 'a> ObjReader<'v, 'a> {
    /// Starts reading `obj`.
    #[inline]
    pub fn new(obj: Obj<'v, 'a>) -> Self {
        ObjReader { obj, err: None, next: 0, index: None }
    }

    /// Reads member `name` as [`Obj::f`] does; after an error, reads nothing more.
    #[inline]
    pub fn f<T: FromJson>(&mut self, name: &'static str) -> Option<T> {
        if self.err.is_some() {
            return None;
        }
        match self.member(name) {
            None | Some(Value::Null) => None,
            Some(v) => T::from_json(v).unwrap_or_else(|e| {
                self.err = Some(e.in_field(name));
                None
            }),
        }
    }

    /// The first member named `name`.
    #[inline]
    fn member(&mut self, name: &str) -> Option<&'v Value<'a>> {
        let members = self.obj.members;
        if let Some((k, v)) = members.get(self.next)
            && k == name
        {
            self.next += 1;
            return Some(v);
        }
        self.find(name)
    }

    /// The first member named `name`, out of order (`next` stays: what it says still holds).
    #[inline(never)]
    fn find(&mut self, name: &str) -> Option<&'v Value<'a>> {
        let members = self.obj.members;
        if members.len() <= SCAN_MAX || members.len() > INDEX_MAX {
            return members.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        }
        let index = self.index.get_or_insert_with(|| {
            let mut index = [EMPTY; SLOTS];
            for (i, (k, _)) in members.iter().enumerate() {
                let mut slot = name_hash(k);
                loop {
                    match index[slot] {
                        // `i` < INDEX_MAX < EMPTY.
                        EMPTY => break index[slot] = i as u8,
                        // A later duplicate: the first one stays.
                        at if members[usize::from(at)].0 == *k => break,
                        _ => slot = (slot + 1) % SLOTS,
                    }
                }
            }
            index
        });
        let mut slot = name_hash(name);
        loop {
            match index[slot] {
                EMPTY => return None,
                at => {
                    let (k, v) = &members[usize::from(at)];
                    if k == name {
                        return Some(v);
                    }
                }
            }
            slot = (slot + 1) % SLOTS;
        }
    }

    /// `value`, or the first error met.
    #[inline]
    pub fn finish<T>(self, value: T) -> Result<Option<T>> {
        match self.err {
            Some(e) => Err(e),
            None => Ok(Some(value)),
        }
    }
}

/// [`ObjReader`] over an object on a parsed document's tape: the same fields read, the
/// same first error.
#[doc(hidden)]
#[derive(Debug)]
pub struct TapeReader<'t, 'a> {
    tape: &'t [Node<'a>],
    /// The first member's name.
    first: usize,
    len: usize,
    err: Option<Error>,
    /// Members before the `next`th (whose name is at `next_at`) were taken, in order.
    next: usize,
    next_at: usize,
    /// As [`ObjReader`]'s, holding the tape index of each member's name ([`NO_MEMBER`]:
    /// none).
    index: Option<[u32; SLOTS]>,
}

const NO_MEMBER: u32 = u32::MAX;

impl<'t, 'a> TapeReader<'t, 'a> {
    /// A reader of the object at `at`; `None` for what reads as absent, an error for any
    /// other non-object (as [`Obj::of`]).
    #[inline]
    pub fn of(tape: &'t [Node<'a>], at: usize) -> Result<Option<Self>> {
        match tape[at] {
            Node::Object { len, .. } => {
                Ok(Some(TapeReader { tape, first: at + 1, len, err: None, next: 0, next_at: at + 1, index: None }))
            }
            _ => Obj::of(&tape_value(tape, at)).map(|_| None),
        }
    }

    #[inline]
    fn key(&self, at: usize) -> &'t str {
        match &self.tape[at] {
            Node::String(k) => k,
            _ => "",
        }
    }

    /// Reads member `name` as [`ObjReader::f`] does.
    #[inline]
    pub fn f<T: FromJson>(&mut self, name: &'static str) -> Option<T> {
        if self.err.is_some() {
            return None;
        }
        let at = self.member(name)?;
        match self.tape[at] {
            Node::Null => None,
            _ => T::from_tape(self.tape, at).unwrap_or_else(|e| {
                self.err = Some(e.in_field(name));
                None
            }),
        }
    }

    /// The tape index of the value of the first member named `name`.
    #[inline]
    fn member(&mut self, name: &str) -> Option<usize> {
        if self.next < self.len && self.key(self.next_at) == name {
            let at = self.next_at + 1;
            self.next += 1;
            self.next_at = next_node(self.tape, at);
            return Some(at);
        }
        self.find(name)
    }

    #[inline(never)]
    fn find(&mut self, name: &str) -> Option<usize> {
        let (tape, first, len) = (self.tape, self.first, self.len);
        let scan = || {
            let mut at = first;
            for _ in 0..len {
                if self.key(at) == name {
                    return Some(at + 1);
                }
                at = next_node(tape, at + 1);
            }
            None
        };
        if len <= SCAN_MAX || len > INDEX_MAX || tape.len() >= NO_MEMBER as usize {
            return scan();
        }
        let key = |at: u32| match &tape[at as usize] {
            Node::String(k) => &**k,
            _ => "",
        };
        let index = self.index.get_or_insert_with(|| {
            let mut index = [NO_MEMBER; SLOTS];
            let mut at = first;
            for _ in 0..len {
                let k = key(at as u32);
                let mut slot = name_hash(k);
                loop {
                    match index[slot] {
                        // `at` < tape.len() < NO_MEMBER.
                        NO_MEMBER => break index[slot] = at as u32,
                        // A later duplicate: the first one stays.
                        other if key(other) == k => break,
                        _ => slot = (slot + 1) % SLOTS,
                    }
                }
                at = next_node(tape, at + 1);
            }
            index
        });
        let mut slot = name_hash(name);
        loop {
            match index[slot] {
                NO_MEMBER => return None,
                at if key(at) == name => return Some(at as usize + 1),
                _ => slot = (slot + 1) % SLOTS,
            }
        }
    }

    /// `value`, or the first error met.
    #[inline]
    pub fn finish<T>(self, value: T) -> Result<Option<T>> {
        match self.err {
            Some(e) => Err(e),
            None => Ok(Some(value)),
        }
    }
}

fn absent(v: &Value<'_>) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

/// Parses `input` and reads it as `T` (a document that reads as absent is an error).
pub fn from_slice<T: FromJson>(input: &[u8]) -> Result<T> {
    from_value(&parse(input)?)
}

/// Reads `v` as `T` (a value that reads as absent is an error).
pub fn from_value<T: FromJson>(v: &Value<'_>) -> Result<T> {
    T::from_json(v)?.ok_or_else(|| Error::expected("a value", v.type_name()))
}

/// JSON number syntax (the parser's grammar), for numbers written as strings.
pub(crate) fn is_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// The number text of `v` (a number, or a string holding one); `None` when absent.
fn number_text<'v>(v: &'v Value<'_>, expected: &'static str) -> Result<Option<&'v str>> {
    match v {
        Value::Number(t) => Ok(Some(t)),
        Value::String(s) if is_number(s) => Ok(Some(s)),
        v if absent(v) => Ok(None),
        v => Err(Error::expected(expected, v.type_name())),
    }
}

fn integer(v: &Value<'_>, expected: &'static str) -> Result<Option<i128>> {
    let Some(t) = number_text(v, expected)? else { return Ok(None) };
    // Up to 18 digits fit an i64 whatever they are: the common case, without i128 parsing.
    let (negative, digits) = match t.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        all => (false, all),
    };
    if !digits.is_empty() && digits.len() <= 18 && digits.iter().all(u8::is_ascii_digit) {
        let n = digits.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
        return Ok(Some(i128::from(if negative { -n } else { n })));
    }
    // Integers never pass through f64: a fraction or exponent is out of the field's form.
    let n: i128 = t.parse().map_err(|_| Error::new(ErrorKind::Range { expected }))?;
    Ok(Some(n))
}

impl FromJson for i64 {
    fn from_json(v: &Value<'_>) -> Result<Option<Self>> {
        const E: &str = "a 64-bit integer";
        integer(v, E)?.map(|n| i64::try_from(n).map_err(|_| Error::new(ErrorKind::Range { expected: E }))).transpose()
    }
}

/// `uint64` fields: every `u64` and the negative values some services document.
impl FromJson for i128 {
    fn from_json(v: &Value<'_>) -> Result<Option<Self>> {
        const E: &str = "an integer in -2^63..2^64";
        match integer(v, E)? {
            Some(n) if n < i128::from(i64::MIN) || n > i128::from(u64::MAX) => {
                Err(Error::new(ErrorKind::Range { expected: E }))
            }
            n => Ok(n),
        }
    }
}

impl FromJson for f64 {
    fn from_json(v: &Value<'_>) -> Result<Option<Self>> {
        const E: &str = "a finite number";
        let Some(t) = number_text(v, "a number")? else { return Ok(None) };
        match t.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Some(x)),
            _ => Err(Error::new(ErrorKind::Range { expected: E })),
        }
    }
}

impl FromJson for bool {
    fn from_json(v: &Value<'_>) -> Result<Option<Self>> {
        match v {
            Value::Bool(b) => Ok(Some(*b)),
            Value::String(s) if matches!(&**s, "true" | "True" | "TRUE") => Ok(Some(true)),
            Value::String(s) if matches!(&**s, "false" | "False" | "FALSE") => Ok(Some(false)),
            Value::Number("1") => Ok(Some(true)),
            Value::Number("0") => Ok(Some(false)),
            v if absent(v) => Ok(None),
            v => Err(Error::expected("a bool", v.type_name())),
        }
    }
}

/// A string field keeps a non-string value's exact JSON text (`12`, `true`, `{"a":1}`).
impl FromJson for String {
    fn from_json(v: &Value<'_>) -> Result<Option<Self>> {
        Ok(match v {
            Value::Null => None,
            Value::String(s) => Some(s.to_string()),
            Value::Number(t) => Some((*t).into()),
            other => {
                let mut w = Writer::new();
                other.to_json(&mut w);
                Some(w.finish()?)
            }
        })
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: &Value<'_>) -> Result<Option<Self>> {
        match v {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match T::from_json(item).map_err(|e| e.in_item(i))? {
                        Some(x) => out.push(x),
                        None => return Err(Error::new(ErrorKind::NullItem).in_item(i)),
                    }
                }
                Ok(Some(out))
            }
            v if absent(v) => Ok(None),
            v => Err(Error::expected("a list", v.type_name())),
        }
    }

    fn from_tape(tape: &[Node<'_>], at: usize) -> Result<Option<Self>> {
        let Node::Array { len, .. } = tape[at] else { return Self::from_json(&tape_value(tape, at)) };
        let mut out = Vec::with_capacity(len);
        let mut p = at + 1;
        for i in 0..len {
            match T::from_tape(tape, p).map_err(|e| e.in_item(i))? {
                Some(x) => out.push(x),
                None => return Err(Error::new(ErrorKind::NullItem).in_item(i)),
            }
            p = next_node(tape, p);
        }
        Ok(Some(out))
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn from_json(v: &Value<'_>) -> Result<Option<Self>> {
        Ok(T::from_json(v)?.map(Box::new))
    }

    fn from_tape(tape: &[Node<'_>], at: usize) -> Result<Option<Self>> {
        Ok(T::from_tape(tape, at)?.map(Box::new))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use alloc::string::ToString;
    use alloc::vec;

    fn read<T: FromJson>(json: &str) -> Result<Option<T>> {
        T::from_json(&parse(json.as_bytes()).unwrap())
    }

    #[test]
    fn integers_are_exact_and_tolerant() {
        assert_eq!(read::<i64>("446192236330927912").unwrap(), Some(446192236330927912));
        assert_eq!(read::<i64>("\"-12\"").unwrap(), Some(-12));
        assert_eq!(read::<i64>("\"\"").unwrap(), None);
        assert_eq!(read::<i64>("null").unwrap(), None);
        assert!(matches!(read::<i64>("9223372036854775808").unwrap_err().kind(), ErrorKind::Range { .. }));
        assert!(matches!(read::<i64>("1.5").unwrap_err().kind(), ErrorKind::Range { .. }));
        assert!(matches!(read::<i64>("\"2020-01-01\"").unwrap_err().kind(), ErrorKind::Type { .. }));
        assert!(matches!(read::<i64>("\" 1\"").unwrap_err().kind(), ErrorKind::Type { .. }));
        assert!(matches!(read::<i64>("true").unwrap_err().kind(), ErrorKind::Type { .. }));
        assert_eq!(read::<i128>("18446744073709551615").unwrap(), Some(18446744073709551615));
        assert_eq!(read::<i128>("9223372036854776000").unwrap(), Some(9223372036854776000));
        assert_eq!(read::<i128>("-2").unwrap(), Some(-2));
        assert!(read::<i128>("18446744073709551616").is_err());
    }

    #[test]
    fn floats_bools_and_strings_are_tolerant() {
        assert_eq!(read::<f64>("\"1.25\"").unwrap(), Some(1.25));
        assert_eq!(read::<f64>("3").unwrap(), Some(3.0));
        assert!(read::<f64>("\"NaN\"").is_err());
        assert!(read::<f64>("1e999").is_err());
        for (t, b) in [("true", true), ("\"True\"", true), ("1", true), ("\"false\"", false), ("0", false)] {
            assert_eq!(read::<bool>(t).unwrap(), Some(b), "{t}");
        }
        assert!(read::<bool>("2").is_err());
        assert_eq!(read::<String>("12.50").unwrap().as_deref(), Some("12.50"));
        assert_eq!(read::<String>("{\"a\": [1, true]}").unwrap().as_deref(), Some("{\"a\":[1,true]}"));
        assert_eq!(read::<String>("\"\"").unwrap().as_deref(), Some(""));
    }

    #[test]
    fn lists_and_objects_name_the_failing_item() {
        assert_eq!(read::<Vec<i64>>("[1, \"2\"]").unwrap(), Some(vec![1, 2]));
        let e = read::<Vec<i64>>("[1, {}]").unwrap_err();
        assert_eq!(e.to_string(), "[1]: expected a 64-bit integer, found an object");
        assert_eq!(read::<Vec<i64>>("[1, null]").unwrap_err().to_string(), "[1]: null in a list");
        assert!(read::<Vec<i64>>("{}").is_err());
        let v = parse(br#"{"Id": 1, "ID": "x", "Id2": null}"#).unwrap();
        let o = Obj::of(&v).unwrap().unwrap();
        assert_eq!(o.f::<i64>("Id").unwrap(), Some(1));
        assert_eq!(o.f::<String>("ID").unwrap().as_deref(), Some("x"));
        assert_eq!(o.f::<String>("Id2").unwrap(), None);
        assert_eq!(o.f::<i64>("ID").unwrap_err().to_string(), "ID: expected a 64-bit integer, found a string");
        assert!(Obj::of(&Value::Number("1")).is_err());
        assert!(Obj::of(&Value::String("".into())).unwrap().is_none());
    }

    /// The reader tries the next member first; whatever the order, it reads what `Obj::f`
    /// reads: the first member of each name.
    #[test]
    fn the_reader_takes_the_first_member_in_any_order() {
        let names = ["A", "B", "C", "D"];
        for json in [
            r#"{"A":1,"B":2,"C":3,"D":4}"#,
            r#"{"D":4,"C":3,"B":2,"A":1}"#,
            r#"{"A":1,"X":0,"B":2,"A":9,"C":3,"B":8,"D":4}"#,
            r#"{"B":2,"A":1,"A":7,"B":5,"D":4,"C":3,"C":6}"#,
            r#"{"X":0,"C":3,"Y":0,"A":1,"B":2,"C":5,"B":6,"D":4,"A":0}"#,
            r#"{"C":3,"D":4,"A":1,"D":0,"B":2,"C":0}"#,
            r#"{"A":1,"C":3,"B":2,"B":0,"C":0,"A":0,"D":4}"#,
        ] {
            let v = parse(json.as_bytes()).unwrap();
            let mut r = ObjReader::new(Obj::of(&v).unwrap().unwrap());
            let read: Vec<Option<i64>> = names.iter().map(|n| r.f::<i64>(n)).collect();
            assert_eq!(read, [Some(1), Some(2), Some(3), Some(4)], "{json}");
            let mut r = ObjReader::new(Obj::of(&v).unwrap().unwrap());
            for n in ["D", "Z", "B", "A", "C"] {
                assert_eq!(r.f::<i64>(n), Obj::of(&v).unwrap().unwrap().f::<i64>(n).unwrap(), "{json} {n}");
            }
            let tape = crate::json::parse_tape(json.as_bytes(), crate::MAX_DEPTH).unwrap();
            let mut t = TapeReader::of(&tape, 0).unwrap().unwrap();
            let read: Vec<Option<i64>> = names.iter().map(|n| t.f::<i64>(n)).collect();
            assert_eq!(read, [Some(1), Some(2), Some(3), Some(4)], "{json}");
            let mut t = TapeReader::of(&tape, 0).unwrap().unwrap();
            for n in ["D", "Z", "B", "A", "C"] {
                assert_eq!(t.f::<i64>(n), Obj::of(&v).unwrap().unwrap().f::<i64>(n).unwrap(), "{json} {n}");
            }
        }
        let v = parse(br#"{"A":1,"B":"x","C":{}}"#).unwrap();
        let mut r = ObjReader::new(Obj::of(&v).unwrap().unwrap());
        assert_eq!((r.f::<i64>("A"), r.f::<i64>("C"), r.f::<i64>("B")), (Some(1), None, None));
        assert_eq!(r.finish(()).unwrap_err().to_string(), "C: expected a 64-bit integer, found an object");
    }

    /// Larger objects, members in another order than the fields, duplicates, many names
    /// alike: every field reads what `Obj::f` reads.
    #[test]
    fn the_reader_agrees_with_obj_f_on_larger_objects() {
        use alloc::format;
        for size in [9, 20, 50, 96, 97, 150] {
            let names: Vec<String> = (0..size)
                .map(|i| match i % 4 {
                    0 => format!("InstanceChargeType{i}"),
                    1 => format!("I{i}"),
                    2 => format!("Id{}", i * 7 % size),
                    _ => format!("x{i}Name"),
                })
                .collect();
            // Reversed, every name twice (the second value differs), a few unknown members.
            let mut json = String::from("{");
            for (n, v) in names.iter().rev().zip(0..).chain(names.iter().zip(1000..)) {
                json += &format!("\"{n}\":{v},\"Unknown{v}\":0,");
            }
            json.pop();
            json.push('}');
            let v = parse(json.as_bytes()).unwrap();
            let o = Obj::of(&v).unwrap().unwrap();
            let mut r = ObjReader::new(o);
            let tape = crate::json::parse_tape(json.as_bytes(), crate::MAX_DEPTH).unwrap();
            let mut t = TapeReader::of(&tape, 0).unwrap().unwrap();
            for n in names.iter().chain([&String::from("Absent"), &String::from("")]) {
                let name: &'static str = alloc::boxed::Box::leak(n.clone().into_boxed_str());
                assert_eq!(r.f::<i64>(name), o.f::<i64>(name).unwrap(), "{size} {n}");
                assert_eq!(t.f::<i64>(name), o.f::<i64>(name).unwrap(), "{size} {n}");
            }
            assert!(r.finish(()).is_ok());
            assert!(t.finish(()).is_ok());
        }
    }

    #[test]
    fn integers_of_every_length_read_exactly() {
        for t in ["0", "-0", "7", "-7", "999999999999999999", "-999999999999999999", "1000000000000000000"] {
            assert_eq!(read::<i128>(t).unwrap(), Some(t.parse().unwrap()), "{t}");
            assert_eq!(read::<i64>(&alloc::format!("\"{t}\"")).unwrap(), Some(t.parse().unwrap()), "{t}");
        }
        assert_eq!(read::<i64>("-9223372036854775808").unwrap(), Some(i64::MIN));
        for t in ["1e3", "1.0", "-1.5", "0.0", "12345678901234567890123456789012345678901"] {
            assert!(matches!(read::<i128>(t).unwrap_err().kind(), ErrorKind::Range { .. }), "{t}");
        }
    }

    #[allow(dead_code)]
    mod models {
        crate::model! { both debug; Inner { "N" n set_n: i64, "S" s set_s: str } }
        crate::model! { both debug;
            Outer {
                "A" a set_a: i64,
                "L" l set_l: list Inner,
                "O" o set_o: obj Inner,
                "F" f set_f: f64,
                "B" b set_b: bool,
                "T" t set_t: str,
            }
        }
    }

    /// Off the tape, values, lists, nested objects and their errors read as from the tree.
    #[test]
    fn the_tape_reads_what_the_tree_reads() {
        use models::Outer;
        fn both<T: FromJson + PartialEq + core::fmt::Debug>(json: &str) {
            let tree = T::from_json(&parse(json.as_bytes()).unwrap()).map_err(|e| e.to_string());
            let tape = crate::json::parse_tape(json.as_bytes(), crate::MAX_DEPTH).unwrap();
            assert_eq!(T::from_tape(&tape, 0).map_err(|e| e.to_string()), tree, "{json}");
        }
        for json in [
            r#"{"A":1,"L":[{"N":2,"S":"x"},{"S":"y","N":"3"}],"O":{"N":4},"F":1.5,"B":"true","T":{"a":[1,{}]}}"#,
            r#"{"T":[1,2],"B":1,"F":"2","O":"","L":"","A":null,"X":{"Y":[[]]}}"#,
            r#"{"L":[{"N":2},null]}"#,
            r#"{"L":[{"N":2},{"N":[1]}]}"#,
            r#"{"O":{"S":"a","N":{"x":1}},"A":"x"}"#,
            r#"{"A":1,"A":"x","O":{"N":1,"N":{}},"L":[{"N":1,"S":"\u00e9\n"}]}"#,
            r#"{"F":"NaN"}"#,
            r#"[]"#,
            r#"null"#,
            r#""""#,
            r#"12"#,
        ] {
            both::<Outer>(json);
            both::<Vec<Outer>>(&alloc::format!("[{json}]"));
            both::<Box<Outer>>(json);
        }
    }
}
