//! A small, strict, non-recursive JSON scanner.
//!
//! It validates documents (RFC 8259, with a nesting bound), finds object
//! members by key and decodes escaped strings, including UTF-16 surrogate
//! pairs. It backs the envelope parser and runs before the envelope's serde
//! deserializer (`de.rs`), which relies on its validation and depth bound.

use super::ResponseError;

/// Deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 32;

/// Facts gathered while scanning strings.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Stats {
    /// Largest unescaped length of a string that contains an escape.
    pub max_unescaped: usize,
}

const MALFORMED: ResponseError = ResponseError::JsonMalformed;

pub(crate) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// Validates a whole document: one value surrounded by optional whitespace.
pub(crate) fn validate(b: &[u8], stats: &mut Stats) -> Result<(), ResponseError> {
    if core::str::from_utf8(b).is_err() {
        return Err(ResponseError::InvalidUtf8);
    }
    let end = value_end(b, 0, stats)?;
    if skip_ws(b, end) != b.len() {
        return Err(MALFORMED);
    }
    Ok(())
}

/// Validates the value starting at `i` (after optional whitespace) and
/// returns the index just past it. Iterative; depth bounded by [`MAX_DEPTH`].
pub(crate) fn value_end(b: &[u8], i: usize, stats: &mut Stats) -> Result<usize, ResponseError> {
    // Bit n of `kinds` is set when nesting level n+1 is an object.
    let mut kinds: u64 = 0;
    let mut depth = 0usize;
    let mut i = skip_ws(b, i);
    loop {
        // Parse one value at `i`.
        match b.get(i) {
            Some(&open @ (b'{' | b'[')) => {
                if depth >= MAX_DEPTH {
                    return Err(ResponseError::JsonTooDeep { max: MAX_DEPTH });
                }
                let is_obj = open == b'{';
                if is_obj {
                    kinds |= 1 << depth;
                } else {
                    kinds &= !(1 << depth);
                }
                depth += 1;
                i = skip_ws(b, i + 1);
                let close = if is_obj { b'}' } else { b']' };
                if b.get(i) == Some(&close) {
                    i += 1;
                    depth -= 1;
                } else {
                    if is_obj {
                        i = member_key(b, i, stats)?;
                    }
                    continue;
                }
            }
            Some(b'"') => i = string_end(b, i, stats)?,
            Some(b't') => i = literal(b, i, b"true")?,
            Some(b'f') => i = literal(b, i, b"false")?,
            Some(b'n') => i = literal(b, i, b"null")?,
            Some(b'-' | b'0'..=b'9') => i = number_end(b, i)?,
            _ => return Err(MALFORMED),
        }
        // After a value: close containers or move to the next element.
        loop {
            if depth == 0 {
                return Ok(i);
            }
            let is_obj = kinds & (1 << (depth - 1)) != 0;
            i = skip_ws(b, i);
            match b.get(i) {
                Some(b',') => {
                    i = skip_ws(b, i + 1);
                    if is_obj {
                        i = member_key(b, i, stats)?;
                    }
                    break;
                }
                Some(b'}') if is_obj => {
                    i += 1;
                    depth -= 1;
                }
                Some(b']') if !is_obj => {
                    i += 1;
                    depth -= 1;
                }
                _ => return Err(MALFORMED),
            }
        }
    }
}

/// Parses `"key" :` at `i` and returns the index of the value (whitespace skipped).
fn member_key(b: &[u8], i: usize, stats: &mut Stats) -> Result<usize, ResponseError> {
    if b.get(i) != Some(&b'"') {
        return Err(MALFORMED);
    }
    let i = skip_ws(b, string_end(b, i, stats)?);
    if b.get(i) != Some(&b':') {
        return Err(MALFORMED);
    }
    Ok(skip_ws(b, i + 1))
}

fn literal(b: &[u8], i: usize, word: &[u8]) -> Result<usize, ResponseError> {
    let end = i.checked_add(word.len()).ok_or(MALFORMED)?;
    if b.get(i..end) == Some(word) { Ok(end) } else { Err(MALFORMED) }
}

fn digits(b: &[u8], mut i: usize) -> (usize, usize) {
    let start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    (i, i - start)
}

fn number_end(b: &[u8], mut i: usize) -> Result<usize, ResponseError> {
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(b, i).0,
        _ => return Err(MALFORMED),
    }
    if b.get(i) == Some(&b'.') {
        let (end, n) = digits(b, i + 1);
        if n == 0 {
            return Err(MALFORMED);
        }
        i = end;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let (end, n) = digits(b, i);
        if n == 0 {
            return Err(MALFORMED);
        }
        i = end;
    }
    Ok(i)
}

fn hex4(b: &[u8], i: usize) -> Option<u32> {
    let quad = b.get(i..i.checked_add(4)?)?;
    quad.iter().try_fold(0u32, |acc, &c| {
        let d = char::from(c).to_digit(16)?;
        Some(acc * 16 + d)
    })
}

/// Reads `\uXXXX` (and its low half, for a high surrogate) at `i` (the backslash).
/// Returns the character and the escape's length in bytes.
fn unicode_escape(b: &[u8], i: usize) -> Option<(char, usize)> {
    let hi = hex4(b, i.checked_add(2)?)?;
    match hi {
        0xD800..=0xDBFF => {
            if b.get(i + 6..i + 8)? != b"\\u" {
                return None;
            }
            let lo = hex4(b, i + 8)?;
            if !(0xDC00..=0xDFFF).contains(&lo) {
                return None;
            }
            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
            Some((char::from_u32(c)?, 12))
        }
        0xDC00..=0xDFFF => None,
        _ => Some((char::from_u32(hi)?, 6)),
    }
}

/// Validates the string starting at `i` (the opening quote); returns the index past its end.
pub(crate) fn string_end(b: &[u8], i: usize, stats: &mut Stats) -> Result<usize, ResponseError> {
    if b.get(i) != Some(&b'"') {
        return Err(MALFORMED);
    }
    let mut j = i + 1;
    let mut decoded = 0usize;
    let mut escaped = false;
    loop {
        match *b.get(j).ok_or(MALFORMED)? {
            b'"' => break,
            b'\\' => {
                escaped = true;
                match b.get(j + 1) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                        decoded += 1;
                        j += 2;
                    }
                    Some(b'u') => {
                        let (c, len) = unicode_escape(b, j).ok_or(MALFORMED)?;
                        decoded += c.len_utf8();
                        j += len;
                    }
                    _ => return Err(MALFORMED),
                }
            }
            0x00..=0x1F => return Err(MALFORMED),
            _ => {
                decoded += 1;
                j += 1;
            }
        }
    }
    if escaped {
        stats.max_unescaped = stats.max_unescaped.max(decoded);
    }
    Ok(j + 1)
}

/// Iterates over the members of the object at `i` of a validated document:
/// `(raw key, value start, value end)`.
pub(crate) struct Members<'a> {
    b: &'a [u8],
    i: usize,
    first: bool,
    done: bool,
}

pub(crate) fn members(b: &[u8], i: usize) -> Option<Members<'_>> {
    let i = skip_ws(b, i);
    (b.get(i) == Some(&b'{')).then_some(Members { b, i: i + 1, first: true, done: false })
}

impl<'a> Members<'a> {
    fn next_member(&mut self) -> Result<Option<(&'a str, usize, usize)>, ResponseError> {
        let b = self.b;
        let mut i = skip_ws(b, self.i);
        match (self.first, b.get(i)) {
            (_, Some(b'}')) => return Ok(None),
            (true, _) => {}
            (false, Some(b',')) => i = skip_ws(b, i + 1),
            _ => return Err(MALFORMED),
        }
        self.first = false;
        let mut stats = Stats::default();
        let key_end = string_end(b, i, &mut stats)?;
        let key = b.get(i + 1..key_end - 1).and_then(|k| core::str::from_utf8(k).ok()).ok_or(MALFORMED)?;
        let colon = skip_ws(b, key_end);
        if b.get(colon) != Some(&b':') {
            return Err(MALFORMED);
        }
        let start = skip_ws(b, colon + 1);
        let end = value_end(b, start, &mut stats)?;
        self.i = end;
        Ok(Some((key, start, end)))
    }
}

impl<'a> Iterator for Members<'a> {
    type Item = Result<(&'a str, usize, usize), ResponseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.next_member().transpose();
        if !matches!(r, Some(Ok(_))) {
            self.done = true;
        }
        r
    }
}

/// The member of the object at `i` whose decoded key equals `name`; a second member of
/// that name is [`ResponseError::DuplicateMember`] (readers disagree on which one counts:
/// the first, the last, or both).
pub(crate) fn find_unique(b: &[u8], i: usize, name: &'static str) -> Result<Option<(usize, usize)>, ResponseError> {
    let Some(it) = members(b, i) else {
        return Ok(None);
    };
    let mut found = None;
    for m in it {
        let (key, s, e) = m?;
        if key_eq(key, name) {
            if found.is_some() {
                return Err(ResponseError::DuplicateMember { name });
            }
            found = Some((s, e));
        }
    }
    Ok(found)
}

/// The first member of the object at `i` whose decoded key equals `name`.
pub(crate) fn find(b: &[u8], i: usize, name: &str) -> Result<Option<(usize, usize)>, ResponseError> {
    let Some(mut it) = members(b, i) else {
        return Ok(None);
    };
    it.find_map(|m| match m {
        Ok((key, s, e)) => key_eq(key, name).then_some(Ok((s, e))),
        Err(e) => Some(Err(e)),
    })
    .transpose()
}

/// Decodes the escapes of a raw (validated) JSON string body.
/// Invalid escapes, which validation rules out, decode to U+FFFD.
pub(crate) struct Unescape<'a> {
    rest: &'a [u8],
}

pub(crate) fn unescape(raw: &str) -> Unescape<'_> {
    Unescape { rest: raw.as_bytes() }
}

impl Iterator for Unescape<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        let first = *self.rest.first()?;
        if first != b'\\' {
            // Take one UTF-8 encoded char.
            let len = match first {
                0x00..=0x7F => 1,
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                _ => 4,
            };
            let (c, rest) = match self.rest.get(..len) {
                Some(bytes) => (
                    core::str::from_utf8(bytes)
                        .ok()
                        .and_then(|s| s.chars().next())
                        .unwrap_or(char::REPLACEMENT_CHARACTER),
                    self.rest.get(len..).unwrap_or(&[]),
                ),
                None => (char::REPLACEMENT_CHARACTER, &[][..]),
            };
            self.rest = rest;
            return Some(c);
        }
        let (c, len) = match self.rest.get(1) {
            Some(b'"') => ('"', 2),
            Some(b'\\') => ('\\', 2),
            Some(b'/') => ('/', 2),
            Some(b'b') => ('\u{8}', 2),
            Some(b'f') => ('\u{c}', 2),
            Some(b'n') => ('\n', 2),
            Some(b'r') => ('\r', 2),
            Some(b't') => ('\t', 2),
            Some(b'u') => unicode_escape(self.rest, 0).unwrap_or((char::REPLACEMENT_CHARACTER, 2)),
            _ => (char::REPLACEMENT_CHARACTER, 2),
        };
        self.rest = self.rest.get(len..).unwrap_or(&[]);
        Some(c)
    }
}

/// Whether a raw JSON key decodes to `name`.
pub(crate) fn key_eq(raw: &str, name: &str) -> bool {
    if !raw.contains('\\') {
        return raw == name;
    }
    unescape(raw).eq(name.chars())
}

/// The raw body of the string value spanning `s..e`, if it is a string.
pub(crate) fn raw_str(b: &[u8], s: usize, e: usize) -> Option<&str> {
    if b.get(s) != Some(&b'"') || e < s + 2 {
        return None;
    }
    b.get(s + 1..e - 1).and_then(|r| core::str::from_utf8(r).ok())
}

/// Rewrites `\uD8xx\uDCxx` escape pairs inside JSON strings into raw UTF-8, in place.
pub(crate) fn rewrite_surrogates(buf: &mut [u8]) -> usize {
    let (mut r, mut w) = (0usize, 0usize);
    let mut in_str = false;
    while let Some(&c) = buf.get(r) {
        let mut len = 1;
        if in_str && c == b'\\' {
            if let (Some(b'u'), Some((ch, 12))) = (buf.get(r + 1), unicode_escape(buf, r)) {
                let mut tmp = [0u8; 4];
                let enc = ch.encode_utf8(&mut tmp).as_bytes();
                if let Some(dst) = buf.get_mut(w..w + enc.len()) {
                    dst.copy_from_slice(enc);
                }
                w += enc.len();
                r += 12;
                continue;
            }
            len = 2;
        } else if c == b'"' {
            in_str = !in_str;
        }
        let end = (r + len).min(buf.len());
        buf.copy_within(r..end, w);
        w += end - r;
        r = end;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> bool {
        validate(s.as_bytes(), &mut Stats::default()).is_ok()
    }

    #[test]
    fn validation() {
        for good in [
            "{}",
            " [ ] ",
            "0",
            "-0.5e+10",
            "\"a\\u00e9\\ud83d\\ude00\"",
            "{\"a\":[1,{\"b\":null},true,false,\"x\"]}",
            "[[[[]]]]",
        ] {
            assert!(ok(good), "{good}");
        }
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\"}",
            "{\"a\":}",
            "01",
            "1.",
            "1e",
            "-",
            "tru",
            "\"\\x\"",
            "\"\\ud83d\"",
            "\"\\ude00\"",
            "\"a\u{1}\"",
            "{} {}",
            "{\"a\":1,}",
            "[1 2]",
            "{1:2}",
        ] {
            assert!(!ok(bad), "{bad:?}");
        }
        let deep = [b'['; MAX_DEPTH + 1];
        assert_eq!(validate(&deep, &mut Stats::default()), Err(ResponseError::JsonTooDeep { max: MAX_DEPTH }));
    }

    #[test]
    fn stats_and_unescape() {
        let mut st = Stats::default();
        validate(br#"["\u672a\u547d\u540d", "plain-long-string", "\ud83d\ude00\n"]"#, &mut st).unwrap();
        assert_eq!(st.max_unescaped, 9);
        let s: heapless::String<32> = unescape(r#"\u672a\"\\\/\ud83d\ude00é"#).collect();
        assert_eq!(s, "未\"\\/😀é");
        assert!(key_eq(r"Respons\u0065", "Response"));
        assert!(!key_eq("Respons", "Response"));
    }

    #[test]
    fn members_and_find() {
        let b = br#" {"a" : 1, "b":{"c":[1,2]}, "d":"x"} "#;
        let (s, e) = find(b, 0, "b").unwrap().unwrap();
        assert_eq!(&b[s..e], br#"{"c":[1,2]}"#);
        let (s, e) = find(b, 0, "d").unwrap().unwrap();
        assert_eq!(raw_str(b, s, e), Some("x"));
        assert_eq!(find(b, 0, "z").unwrap(), None);
        assert_eq!(members(b"[]", 0).map(|_| ()), None);
        assert_eq!(find_unique(b, 0, "b").unwrap(), find(b, 0, "b").unwrap());
        assert_eq!(find_unique(b, 0, "z").unwrap(), None);
        let twice = br#"{"a":1,"b":2,"\u0061":3}"#;
        assert_eq!(find(twice, 0, "a").unwrap(), Some((5, 6)));
        assert_eq!(find_unique(twice, 0, "a"), Err(ResponseError::DuplicateMember { name: "a" }));
        assert_eq!(find_unique(twice, 0, "b").unwrap(), Some((11, 12)));
    }

    #[test]
    fn surrogate_rewrite() {
        let mut b = *br#"{"a":"\ud83d\ude00 \\ud83d\\ude00","\ud83d\ude00":1}"#;
        let n = rewrite_surrogates(&mut b);
        assert_eq!(core::str::from_utf8(&b[..n]).unwrap(), r#"{"a":"😀 \\ud83d\\ude00","😀":1}"#);
    }
}
