//! A serde `Deserializer` over JSON that [`json`](super::json) has validated: the one
//! JSON reader of the no-heap path (the scanner checks and bounds, this only walks).
//!
//! Strings without escapes are lent from the input (`&'de str` fields work); escaped ones
//! are decoded into the caller's scratch buffer, one at a time. Numbers reach the visitor
//! as `u64`, `i64` or `f64` (serde's visitors check the target's range). Nesting is
//! bounded by the scanner's depth limit, which runs first. Any mismatch with the target
//! type is an [`Error`], never a panic.

use core::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::json::{self, Stats};

/// Why a value did not deserialize.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Error {
    /// The JSON does not fit the target type (or is not what the scanner validated).
    Decode,
    /// An escaped string does not fit the scratch buffer.
    ScratchTooSmall,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Decode => "JSON does not match the target type",
            Self::ScratchTooSmall => "scratch buffer too small for an escaped string",
        })
    }
}

impl core::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Self::Decode
    }
}

type Result<T> = core::result::Result<T, Error>;

/// Deserializes the one value in `b` (validated JSON, optionally surrounded by whitespace).
pub(crate) fn from_slice<'de, T: de::Deserialize<'de>>(b: &'de [u8], scratch: &mut [u8]) -> Result<T> {
    let mut de = Deserializer { b, i: 0, scratch };
    let value = T::deserialize(&mut de)?;
    if json::skip_ws(b, de.i) != b.len() {
        return Err(Error::Decode);
    }
    Ok(value)
}

struct Deserializer<'de, 's> {
    b: &'de [u8],
    i: usize,
    scratch: &'s mut [u8],
}

impl<'de> Deserializer<'de, '_> {
    /// The next byte after whitespace (not consumed).
    fn peek(&mut self) -> Option<u8> {
        self.i = json::skip_ws(self.b, self.i);
        self.b.get(self.i).copied()
    }

    /// Consumes `byte` (after whitespace), or fails.
    fn expect(&mut self, byte: u8) -> Result<()> {
        if self.peek() != Some(byte) {
            return Err(Error::Decode);
        }
        self.i += 1;
        Ok(())
    }

    /// Skips one value, returning its raw text.
    fn skip_value(&mut self) -> Result<&'de [u8]> {
        let start = json::skip_ws(self.b, self.i);
        let end = json::value_end(self.b, start, &mut Stats::default()).map_err(|_| Error::Decode)?;
        self.i = end;
        self.b.get(start..end).ok_or(Error::Decode)
    }

    /// The string at the cursor: lent from the input when it has no escapes, else decoded
    /// into the scratch buffer.
    fn string(&mut self) -> Result<Text<'de, '_>> {
        if self.peek() != Some(b'"') {
            return Err(Error::Decode);
        }
        let raw = self.skip_value()?;
        let body = raw.get(1..raw.len().saturating_sub(1)).ok_or(Error::Decode)?;
        let text = core::str::from_utf8(body).map_err(|_| Error::Decode)?;
        if !body.contains(&b'\\') {
            return Ok(Text::Input(text));
        }
        let mut len = 0;
        for c in json::unescape(text) {
            let mut utf8 = [0u8; 4];
            let utf8 = c.encode_utf8(&mut utf8).as_bytes();
            let dst = self.scratch.get_mut(len..len + utf8.len()).ok_or(Error::ScratchTooSmall)?;
            dst.copy_from_slice(utf8);
            len += utf8.len();
        }
        let decoded = self.scratch.get(..len).ok_or(Error::Decode)?;
        Ok(Text::Scratch(core::str::from_utf8(decoded).map_err(|_| Error::Decode)?))
    }

    fn visit_string<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        match self.string()? {
            Text::Input(s) => visitor.visit_borrowed_str(s),
            Text::Scratch(s) => visitor.visit_str(s),
        }
    }

    /// The integer at the cursor: its sign and magnitude, `None` for any other number
    /// (a fraction, an exponent, beyond 64 bits, `-0`).
    fn integer(&mut self) -> Result<Option<(bool, u64)>> {
        let raw = self.skip_value()?;
        let (negative, digits) = match raw {
            [b'-', rest @ ..] => (true, rest),
            _ => (false, raw),
        };
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Ok(None);
        }
        let magnitude = digits.iter().try_fold(0u64, |n, &d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')));
        // `-0` is the float -0.0, as serde_json reads it.
        Ok(magnitude.filter(|&n| !negative || n != 0).map(|n| (negative, n)))
    }

    /// Visits an integer as `u64` or `i64`; nothing else is one (no float parsing linked).
    fn visit_integer<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        match self.integer()? {
            Some((false, n)) => visitor.visit_u64(n),
            Some((true, n)) if n <= 1 << 63 => visitor.visit_i64(0i64.wrapping_sub_unsigned(n)),
            _ => Err(Error::Decode),
        }
    }

    /// Visits any number: an integer as `u64` or `i64`, else as `f64`.
    fn visit_number<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        let start = self.i;
        match self.integer()? {
            Some((false, n)) => return visitor.visit_u64(n),
            Some((true, n)) if n <= 1 << 63 => return visitor.visit_i64(0i64.wrapping_sub_unsigned(n)),
            _ => {}
        }
        self.i = start;
        visitor.visit_f64(self.float()?)
    }

    /// The text of the number at the cursor, for a float parser.
    fn number_text(&mut self) -> Result<&'de str> {
        if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
            return Err(Error::Decode);
        }
        core::str::from_utf8(self.skip_value()?).map_err(|_| Error::Decode)
    }

    /// The number at the cursor as an `f64`; out of range (infinite) is an error, as in
    /// serde_json.
    fn float(&mut self) -> Result<f64> {
        let v: f64 = self.number_text()?.parse().map_err(|_| Error::Decode)?;
        if v.is_finite() { Ok(v) } else { Err(Error::Decode) }
    }

    /// Visits the object at the cursor.
    fn visit_object<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.expect(b'{')?;
        let value = visitor.visit_map(Members { de: &mut *self, first: true })?;
        self.expect(b'}')?;
        Ok(value)
    }

    /// Visits the array at the cursor.
    fn visit_array<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.expect(b'[')?;
        let value = visitor.visit_seq(Elements { de: &mut *self, first: true })?;
        self.expect(b']')?;
        Ok(value)
    }

    fn visit_literal<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        match self.skip_value()? {
            b"true" => visitor.visit_bool(true),
            b"false" => visitor.visit_bool(false),
            b"null" => visitor.visit_unit(),
            _ => Err(Error::Decode),
        }
    }
}

/// Each typed method reads only its own kind of value, so a target type links only what
/// it reads (float parsing, in particular, only for float fields and `deserialize_any`).
macro_rules! forward {
    ($helper:ident: $($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.$helper(visitor)
        })*
    };
}

impl<'de> de::Deserializer<'de> for &mut Deserializer<'de, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'{') => self.visit_object(visitor),
            Some(b'[') => self.visit_array(visitor),
            Some(b'"') => self.visit_string(visitor),
            Some(b'-' | b'0'..=b'9') => self.visit_number(visitor),
            _ => self.visit_literal(visitor),
        }
    }

    forward!(visit_integer: deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64);
    forward!(visit_string: deserialize_str deserialize_string deserialize_char deserialize_identifier
        deserialize_bytes deserialize_byte_buf);
    forward!(visit_literal: deserialize_bool deserialize_unit);
    forward!(visit_object: deserialize_map);
    forward!(visit_array: deserialize_seq);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        // Parsed as `f32` directly: through `f64` it could round twice.
        let v: f32 = self.number_text()?.parse().map_err(|_| Error::Decode)?;
        if !v.is_finite() {
            return Err(Error::Decode);
        }
        visitor.visit_f32(v)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_f64(self.float()?)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value> {
        self.visit_literal(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.visit_array(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.visit_array(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.visit_object(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek() == Some(b'n') {
            self.skip_value()?;
            return visitor.visit_none();
        }
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.peek() {
            // A unit variant: its name.
            Some(b'"') => {
                let (Text::Input(name) | Text::Scratch(name)) = self.string()?;
                visitor.visit_enum(IntoDeserializer::<Error>::into_deserializer(name))
            }
            // Any variant: `{"Name": value}`.
            Some(b'{') => {
                self.i += 1;
                let value = visitor.visit_enum(Variant { de: &mut *self })?;
                self.expect(b'}')?;
                Ok(value)
            }
            _ => Err(Error::Decode),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.skip_value()?;
        visitor.visit_unit()
    }
}

/// A string value, from the input or decoded into the scratch buffer.
enum Text<'de, 'a> {
    Input(&'de str),
    Scratch(&'a str),
}

/// The members of an object, after its `{`.
struct Members<'a, 'de, 's> {
    de: &'a mut Deserializer<'de, 's>,
    first: bool,
}

impl<'de> de::MapAccess<'de> for Members<'_, 'de, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        match (self.de.peek(), self.first) {
            (Some(b'}'), _) => return Ok(None),
            (Some(b','), false) => self.de.i += 1,
            (Some(b'"'), true) => {}
            _ => return Err(Error::Decode),
        }
        self.first = false;
        if self.de.peek() != Some(b'"') {
            return Err(Error::Decode);
        }
        let key = seed.deserialize(&mut *self.de)?;
        self.de.expect(b':')?;
        Ok(Some(key))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.de)
    }
}

/// The elements of an array, after its `[`.
struct Elements<'a, 'de, 's> {
    de: &'a mut Deserializer<'de, 's>,
    first: bool,
}

impl<'de> de::SeqAccess<'de> for Elements<'_, 'de, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        match (self.de.peek(), self.first) {
            (Some(b']'), _) => return Ok(None),
            (Some(b','), false) => self.de.i += 1,
            (Some(_), true) => {}
            _ => return Err(Error::Decode),
        }
        self.first = false;
        seed.deserialize(&mut *self.de).map(Some)
    }
}

/// An enum written as `{"Variant": value}`, after its `{`.
struct Variant<'a, 'de, 's> {
    de: &'a mut Deserializer<'de, 's>,
}

impl<'de> de::EnumAccess<'de> for Variant<'_, 'de, '_> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        if self.de.peek() != Some(b'"') {
            return Err(Error::Decode);
        }
        let variant = seed.deserialize(&mut *self.de)?;
        self.de.expect(b':')?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'_, 'de, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        if self.de.skip_value()? == b"null" { Ok(()) } else { Err(Error::Decode) }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(self.de)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.de.visit_array(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(self, _fields: &'static [&'static str], visitor: V) -> Result<V::Value> {
        self.de.visit_object(visitor)
    }
}
