//! A bounded JSON parser into a borrowed tree. Numbers stay as their text, so no digit is
//! lost before a typed reader decides what they are; strings borrow from the input unless
//! they hold escapes.
use crate::error::{Error, ErrorKind, Result};
use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

/// The default nesting limit of [`parse`].
pub const MAX_DEPTH: usize = 128;

/// A parsed JSON value, borrowing from the input.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as written (valid JSON number syntax).
    Number(&'a str),
    /// A string, unescaped.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Value<'a>>),
    /// An object, members in document order (duplicates kept).
    Object(Vec<(Cow<'a, str>, Value<'a>)>),
}

impl Value<'_> {
    /// The JSON type with an article, for error messages (`an object`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a bool",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Object(_) => "an object",
        }
    }

    /// The first member named `name` of an object (`None` for other values).
    pub fn get(&self, name: &str) -> Option<&Self> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

/// Parses one JSON document (surrounding whitespace allowed) with the [`MAX_DEPTH`] limit.
pub fn parse(input: &[u8]) -> Result<Value<'_>> {
    parse_with_depth(input, MAX_DEPTH)
}

/// Parses one JSON document, refusing nesting deeper than `max_depth`.
pub fn parse_with_depth(input: &[u8], max_depth: usize) -> Result<Value<'_>> {
    let mut tape = parse_tape(input, max_depth)?;
    let mut nodes = tape.drain(..);
    Ok(tree(&mut nodes))
}

/// One node of a parsed document laid out flat, in document order: a container is
/// followed by its items (an object's by each member's name, a [`Node::String`], then its
/// value), `end` being the index after its last descendant.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as written.
    Number(&'a str),
    /// A string (or a member name), unescaped.
    String(Cow<'a, str>),
    /// An array of `len` items.
    Array {
        /// Items.
        len: usize,
        /// The index after the array's last descendant.
        end: usize,
    },
    /// An object of `len` members.
    Object {
        /// Members.
        len: usize,
        /// The index after the object's last descendant.
        end: usize,
    },
}

/// The index after the node at `at` and its descendants.
#[doc(hidden)]
#[inline]
pub fn next_node(tape: &[Node<'_>], at: usize) -> usize {
    match tape[at] {
        Node::Array { end, .. } | Node::Object { end, .. } => end,
        _ => at + 1,
    }
}

/// The value of the nodes taken from `nodes` (depth bounded by the parser).
fn tree<'a>(nodes: &mut impl Iterator<Item = Node<'a>>) -> Value<'a> {
    match nodes.next() {
        None | Some(Node::Null) => Value::Null,
        Some(Node::Bool(b)) => Value::Bool(b),
        Some(Node::Number(t)) => Value::Number(t),
        Some(Node::String(s)) => Value::String(s),
        Some(Node::Array { len, .. }) => Value::Array((0..len).map(|_| tree(nodes)).collect()),
        Some(Node::Object { len, .. }) => Value::Object(
            (0..len)
                .map(|_| {
                    let key = match nodes.next() {
                        Some(Node::String(k)) => k,
                        _ => Cow::Borrowed(""),
                    };
                    (key, tree(nodes))
                })
                .collect(),
        ),
    }
}

/// The value at `at` of `tape`, borrowing from it (a container is built whole).
#[doc(hidden)]
pub fn tape_value<'t>(tape: &'t [Node<'_>], at: usize) -> Value<'t> {
    match &tape[at] {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(*b),
        Node::Number(t) => Value::Number(t),
        Node::String(s) => Value::String(Cow::Borrowed(s)),
        _ => {
            let end = next_node(tape, at);
            let mut nodes = tape[at..end].iter().map(|n| match n {
                Node::String(s) => Node::String(Cow::Borrowed(&**s)),
                Node::Null => Node::Null,
                Node::Bool(b) => Node::Bool(*b),
                Node::Number(t) => Node::Number(t),
                Node::Array { len, end } => Node::Array { len: *len, end: *end },
                Node::Object { len, end } => Node::Object { len: *len, end: *end },
            });
            tree(&mut nodes)
        }
    }
}

/// Parses one JSON document into a flat list of nodes (see [`Node`]); the errors are
/// [`parse_with_depth`]'s.
#[doc(hidden)]
pub fn parse_tape(input: &[u8], max_depth: usize) -> Result<Vec<Node<'_>>> {
    let text = core::str::from_utf8(input).map_err(|e| syntax(e.valid_up_to(), "UTF-8 text"))?;
    let mut p = Parser { s: text, b: input, i: 0, depth: 0, max_depth, tape: Vec::with_capacity(input.len() / 16) };
    p.value()?;
    p.ws();
    if p.i != p.b.len() {
        return Err(syntax(p.i, "the end of the document"));
    }
    Ok(p.tape)
}

fn syntax(offset: usize, what: &'static str) -> Error {
    Error::new(ErrorKind::Syntax { offset, what })
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    depth: usize,
    max_depth: usize,
    /// The nodes so far, in document order.
    tape: Vec<Node<'a>>,
}

impl<'a> Parser<'a> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8, what: &'static str) -> Result<()> {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(syntax(self.i, what))
        }
    }

    #[inline(always)]
    fn literal(&mut self, word: &str, v: Node<'a>) -> Result<()> {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            self.tape.push(v);
            Ok(())
        } else {
            Err(syntax(self.i, "a JSON value"))
        }
    }

    /// Inlined where a value is read, so that a scalar is built where it is stored.
    #[inline(always)]
    fn value(&mut self) -> Result<()> {
        self.ws();
        match self.peek() {
            Some(b'{' | b'[') => self.container(),
            Some(b'"') => {
                let s = self.string()?;
                self.tape.push(Node::String(s));
                Ok(())
            }
            Some(b't') => self.literal("true", Node::Bool(true)),
            Some(b'f') => self.literal("false", Node::Bool(false)),
            Some(b'n') => self.literal("null", Node::Null),
            Some(b'-' | b'0'..=b'9') => {
                let t = self.number()?;
                self.tape.push(Node::Number(t));
                Ok(())
            }
            _ => Err(syntax(self.i, "a JSON value")),
        }
    }

    /// At `{` or `[`.
    #[inline(never)]
    fn container(&mut self) -> Result<()> {
        if self.depth >= self.max_depth {
            return Err(Error::new(ErrorKind::TooDeep { limit: self.max_depth }));
        }
        self.depth += 1;
        let open = self.b[self.i];
        self.i += 1;
        let at = self.tape.len();
        self.tape.push(Node::Null);
        let node = if open == b'{' {
            self.object().map(|len| Node::Object { len, end: self.tape.len() })
        } else {
            self.array().map(|len| Node::Array { len, end: self.tape.len() })
        }?;
        self.tape[at] = node;
        self.depth -= 1;
        Ok(())
    }

    /// The number of members.
    fn object(&mut self) -> Result<usize> {
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(0);
        }
        let mut len = 0;
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(syntax(self.i, "a member name"));
            }
            let key = self.string()?;
            self.tape.push(Node::String(key));
            self.eat(b':', "':'")?;
            self.value()?;
            len += 1;
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(len);
                }
                _ => return Err(syntax(self.i, "',' or '}'")),
            }
        }
    }

    /// The number of items.
    fn array(&mut self) -> Result<usize> {
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(0);
        }
        let mut len = 0;
        loop {
            self.value()?;
            len += 1;
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(len);
                }
                _ => return Err(syntax(self.i, "',' or ']'")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    /// The number's text (a `&str` comes back in registers, a `Value` through memory).
    fn number(&mut self) -> Result<&'a str> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(syntax(self.i, "a digit")),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(syntax(self.i, "a digit"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(syntax(self.i, "a digit"));
            }
        }
        Ok(&self.s[start..self.i])
    }

    fn hex4(&mut self) -> Result<u32> {
        let h = self.b.get(self.i..self.i + 4).ok_or_else(|| syntax(self.i, "4 hex digits"))?;
        let mut n = 0;
        for &c in h {
            let d = (c as char).to_digit(16).ok_or_else(|| syntax(self.i, "4 hex digits"))?;
            n = n * 16 + d;
        }
        self.i += 4;
        Ok(n)
    }

    /// Skips the bytes of a string that stand for themselves (not `"`, `\\` or a control
    /// character), eight at a time while it can.
    #[inline]
    fn plain(&mut self) {
        const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
        const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
        // Some byte of `x` is zero / below 0x20 (exact as an "any" test).
        let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
        while let Some(chunk) = self.b.get(self.i..).and_then(<[u8]>::first_chunk::<8>) {
            let x = u64::from_ne_bytes(*chunk);
            let stop = zero(x ^ (ONES * u64::from(b'"')))
                | zero(x ^ (ONES * u64::from(b'\\')))
                | (x.wrapping_sub(ONES * 0x20) & !x & HIGH);
            if stop != 0 {
                break;
            }
            self.i += 8;
        }
        while let Some(&c) = self.b.get(self.i)
            && c != b'"'
            && c != b'\\'
            && c >= 0x20
        {
            self.i += 1;
        }
    }

    /// At the opening quote.
    #[inline(always)]
    fn string(&mut self) -> Result<Cow<'a, str>> {
        self.i += 1;
        let start = self.i;
        self.plain();
        if self.peek() == Some(b'"') {
            let s = &self.s[start..self.i];
            self.i += 1;
            return Ok(Cow::Borrowed(s));
        }
        self.escaped(start)
    }

    /// A string from `start` that holds an escape or is not closed where its first run of
    /// plain bytes ends.
    #[inline(never)]
    fn escaped(&mut self, start: usize) -> Result<Cow<'a, str>> {
        let mut owned: Option<String> = None;
        let mut run = start;
        loop {
            self.plain();
            let Some(c) = self.peek() else { return Err(syntax(self.i, "'\"'")) };
            match c {
                b'"' => {
                    let tail = &self.s[run..self.i];
                    self.i += 1;
                    return Ok(match owned {
                        Some(mut s) => {
                            s.push_str(tail);
                            Cow::Owned(s)
                        }
                        None => Cow::Borrowed(tail),
                    });
                }
                b'\\' => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.s[run..self.i]);
                    self.i += 1;
                    let esc = self.peek().ok_or_else(|| syntax(self.i, "an escape"))?;
                    self.i += 1;
                    let ch = match esc {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.b[self.i..].starts_with(b"\\u") {
                                    return Err(syntax(self.i, "a low surrogate"));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(syntax(self.i, "a low surrogate"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(code).ok_or_else(|| syntax(self.i, "a Unicode scalar value"))?
                        }
                        _ => return Err(syntax(self.i - 1, "an escape")),
                    };
                    let s = owned.get_or_insert_with(String::new);
                    s.push(ch);
                    run = self.i;
                }
                0..=0x1f => return Err(syntax(self.i, "no control character in a string")),
                _ => self.i += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use alloc::string::ToString;
    use alloc::vec;

    #[test]
    fn parses_values_and_keeps_number_text() {
        let v = parse(
            br#" {"a": [1, -0.5e+3, 18446744073709551616], "b": "x\u00e9\ud83d\ude00\n", "c": null, "d": true} "#,
        )
        .unwrap();
        assert_eq!(
            v.get("a"),
            Some(&Value::Array(vec![
                Value::Number("1"),
                Value::Number("-0.5e+3"),
                Value::Number("18446744073709551616")
            ]))
        );
        assert_eq!(v.get("b").and_then(Value::as_str), Some("xé😀\n"));
        assert_eq!(v.get("c"), Some(&Value::Null));
        assert_eq!(v.get("d"), Some(&Value::Bool(true)));
    }

    #[test]
    fn refuses_bad_json_with_offsets() {
        for (text, offset) in [
            (&b"{\"a\" 1}"[..], 5),
            (b"[1,]", 3),
            (b"01", 1),
            (b"1.", 2),
            (b"\"a", 2),
            (b"\"\\x\"", 2),
            (b"\"\\ud800\"", 7),
            (b"\"\x01\"", 1),
            (b"tru", 0),
            (b"{} {}", 3),
            (b"\xff", 0),
        ] {
            match parse(text).unwrap_err().kind() {
                ErrorKind::Syntax { offset: got, .. } => assert_eq!(*got, offset, "{:?}", core::str::from_utf8(text)),
                k => panic!("{k:?}"),
            }
        }
    }

    /// Strings of every length, with the bytes that end a run of plain ones at every place.
    #[test]
    fn strings_stop_at_quotes_escapes_and_control_characters() {
        for len in 0..20 {
            for at in 0..=len {
                let plain = "é".repeat(len / 2) + &"a".repeat(len % 2);
                let (head, tail) = plain.split_at(plain.char_indices().nth(at / 2).map_or(plain.len(), |(i, _)| i));
                let doc = alloc::format!("[\"{head}\\n{tail}\",\"{plain}\"]");
                let v = parse(doc.as_bytes()).unwrap();
                let want = alloc::format!("{head}\n{tail}");
                assert_eq!(v, Value::Array(vec![Value::String(want.into()), Value::String(plain.clone().into())]));
                let bad = alloc::format!("\"{head}\u{1f}{tail}\"");
                let e = parse(bad.as_bytes()).unwrap_err();
                assert_eq!(
                    e.kind(),
                    &ErrorKind::Syntax { offset: 1 + head.len(), what: "no control character in a string" }
                );
                let open = alloc::format!("\"{plain}");
                assert_eq!(
                    parse(open.as_bytes()).unwrap_err().kind(),
                    &ErrorKind::Syntax { offset: open.len(), what: "'\"'" }
                );
            }
        }
    }

    #[test]
    fn depth_is_bounded() {
        let deep: Vec<u8> = core::iter::repeat_n(b'[', 10_000).collect();
        assert_eq!(parse(&deep).unwrap_err().kind(), &ErrorKind::TooDeep { limit: MAX_DEPTH });
        assert!(parse_with_depth(b"[[1]]", 2).is_ok());
        assert!(parse_with_depth(b"[[[1]]]", 2).is_err());
    }
}
