//! serde for the generated models (feature `serde`), through their own JSON: `Serialize`
//! writes the model with [`ToJson`] and hands that JSON to the serializer; `Deserialize`
//! collects the input as JSON text and reads it with [`FromJson`]. serde and the models'
//! reader and writer therefore agree by construction: the wire names, `None` left out, a
//! NaN refused, and every tolerance of the reader (numbers as strings, `""` for absent,
//! `"True"`, any value kept as JSON text in a string field, the first of duplicate members,
//! errors naming the field path).
//!
//! Each model's impls are one line each way (written by `model!`); the generic code here is
//! instantiated once per serde format, not once per model: serde over all ~48,000 models
//! costs their crates almost nothing to compile, where derives (or a generated visitor per
//! model) cost several times the models themselves, and a program deserializing many of
//! them does not monomorphize a visitor for each (a crate that did so for all of them, the
//! corpus test, ran out of memory at 24 GB).
//!
//! For self-describing formats (JSON, CBOR, MessagePack, YAML, ...); numbers reach the
//! serializer as JSON numbers do (an integer as `u64`/`i64`, a fraction as `f64`), and a
//! number's original text is not kept where a string field holds one (`12.50` reads as
//! `"12.5"`; [`FromJson`] on the JSON text keeps `"12.50"`).
use crate::json::{Value, parse};
use crate::read::{FromJson, from_slice};
use crate::write::{ToJson, Writer, to_string};
use alloc::string::{String, ToString};
use core::fmt;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, Serialize, SerializeMap, SerializeSeq, Serializer};

/// `Serialize` of a model: its JSON ([`ToJson`]) to the serializer. The model comes as a
/// trait object, so this is compiled once per serializer, not once per model.
pub fn serialize<S: Serializer>(v: &dyn ToJson, s: S) -> Result<S::Ok, S::Error> {
    let text = to_string(v).map_err(ser::Error::custom)?;
    let value = parse(text.as_bytes()).map_err(ser::Error::custom)?;
    Json(&value).serialize(s)
}

/// `Deserialize` of a model: the input as JSON text, read by [`FromJson`].
pub fn deserialize<'de, T: FromJson, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    let text = json_text(d)?;
    from_slice(text.as_bytes()).map_err(de::Error::custom)
}

/// Any serde input as compact JSON text (compiled once per deserializer, not per model).
fn json_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let mut w = Writer::new();
    d.deserialize_any(JsonText(&mut w))?;
    w.finish().map_err(de::Error::custom)
}

/// A parsed JSON value as serde data.
struct Json<'a, 'v>(&'a Value<'v>);

impl Serialize for Json<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(t) => {
                if let Ok(n) = t.parse::<u64>() {
                    s.serialize_u64(n)
                } else if let Ok(n) = t.parse::<i64>() {
                    s.serialize_i64(n)
                } else if let Ok(n) = t.parse::<i128>() {
                    s.serialize_i128(n)
                } else {
                    let x: f64 = t.parse().map_err(|_| ser::Error::custom("a number out of range"))?;
                    s.serialize_f64(x)
                }
            }
            Value::String(t) => s.serialize_str(t),
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Json(item))?;
                }
                seq.end()
            }
            Value::Object(members) => {
                let mut map = s.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    map.serialize_entry(&**k, &Json(v))?;
                }
                map.end()
            }
        }
    }
}

/// Any serde value written as compact JSON text.
struct JsonText<'w>(&'w mut Writer);

impl<'de> DeserializeSeed<'de> for JsonText<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl JsonText<'_> {
    /// An integer as its JSON text.
    fn integer<E>(self, n: impl fmt::Display) -> Result<(), E> {
        self.0.raw(&n.to_string());
        Ok(())
    }
}

impl<'de> Visitor<'de> for JsonText<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<(), E> {
        self.0.raw(if b { "true" } else { "false" });
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<(), E> {
        self.integer(n)
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<(), E> {
        self.integer(n)
    }
    fn visit_i128<E: de::Error>(self, n: i128) -> Result<(), E> {
        self.integer(n)
    }
    fn visit_u128<E: de::Error>(self, n: u128) -> Result<(), E> {
        self.integer(n)
    }
    fn visit_f64<E: de::Error>(self, x: f64) -> Result<(), E> {
        // A NaN or infinity is kept as the writer's error, returned by `finish`.
        x.to_json(self.0);
        Ok(())
    }
    fn visit_char<E: de::Error>(self, c: char) -> Result<(), E> {
        self.0.string(c.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        self.0.string(s);
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.raw("null");
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<(), A::Error> {
        self.0.raw("[");
        // Each item after the first is preceded by a comma once it is known to exist.
        let mut first = true;
        loop {
            let mut item = Writer::new();
            if a.next_element_seed(JsonText(&mut item))?.is_none() {
                break;
            }
            if !first {
                self.0.raw(",");
            }
            first = false;
            self.0.raw(&item.finish().map_err(de::Error::custom)?);
        }
        self.0.raw("]");
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<(), A::Error> {
        self.0.raw("{");
        let mut first = true;
        while let Some(k) = a.next_key::<String>()? {
            if !first {
                self.0.raw(",");
            }
            first = false;
            self.0.string(&k);
            self.0.raw(":");
            a.next_value_seed(JsonText(&mut *self.0))?;
        }
        self.0.raw("}");
        Ok(())
    }
}

#[cfg(test)]
#[allow(dead_code)]
mod tests {
    use crate::{from_slice, to_string};
    use alloc::string::String;
    use alloc::vec::Vec;

    crate::model! { both debug;
        /// A model with every kind of field.
        M {
            "S" s set_s: str,
            "I" i set_i: i64,
            "U" u set_u: i128,
            "F" f set_f: f64,
            "B" b set_b: bool,
            "L" l set_l: list String,
            "N" n set_n: list Inner,
            "O" o set_o: obj Inner,
            "X" x set_x: boxed M,
            "Id" id set_id: i64,
            "ID" id_2 set_id_2: i64,
        }
    }
    crate::model! { both debug; Inner { "Name" name set_name: str } }

    fn serde<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn serde_writes_what_the_writer_writes() {
        let m = M::new()
            .set_s("a\"b")
            .set_i(-3)
            .set_u(u64::MAX)
            .set_f(1.5)
            .set_b(true)
            .set_l(["x"])
            .set_n([Inner::new().set_name("n")])
            .set_o(Inner::new())
            .set_x(M::new().set_id_2(2));
        let ours = to_string(&m).unwrap();
        let theirs = serde_json::to_string(&m).unwrap();
        assert_eq!(ours, theirs);
        assert_eq!(serde::<M>(&ours).unwrap(), m);
        assert!(serde_json::to_string(&M::new().set_f(f64::NAN)).is_err());
        assert_eq!(serde_json::to_string(&M::new().set_u(-2)).unwrap(), r#"{"U":-2}"#);
    }

    #[test]
    fn serde_reads_what_the_reader_reads() {
        for json in [
            r#"{"I":"12","U":"18446744073709551615","F":"1.25","B":"True","S":12}"#,
            r#"{"I":"","U":null,"F":"","B":"","L":"","N":"","O":"","X":""}"#,
            r#"{"B":1,"S":true,"L":["a"],"O":{"Name":"x","Other":[1,{"a":null}]}}"#,
            r#"{"S":{"a":[1,true,null,"x"],"b":{}},"Id":1,"ID":2,"Unknown":{"deep":[[]]}}"#,
            r#"{"S":[],"B":false,"F":3,"X":{"X":{"S":""}}}"#,
            r#"{"Id":1,"Id":2}"#,
            r#"{"Id":null,"Id":2}"#,
        ] {
            let ours: M = from_slice(json.as_bytes()).unwrap();
            assert_eq!(serde::<M>(json).unwrap(), ours, "{json}");
        }
        for json in [
            r#"{"I":9223372036854775808}"#,
            r#"{"I":1.5}"#,
            r#"{"I":"1.5"}"#,
            r#"{"I":"x"}"#,
            r#"{"I":true}"#,
            r#"{"U":-9223372036854775809}"#,
            r#"{"U":18446744073709551616}"#,
            r#"{"F":"NaN"}"#,
            r#"{"B":2}"#,
            r#"{"B":"yes"}"#,
            r#"{"L":[null]}"#,
            r#"{"L":{}}"#,
            r#"{"N":[""]}"#,
            r#"{"O":[]}"#,
            r#"{"O":1}"#,
            r#"[]"#,
            r#"null"#,
        ] {
            assert!(from_slice::<M>(json.as_bytes()).is_err(), "{json}");
            assert!(serde::<M>(json).is_err(), "{json}");
        }
        let v: Vec<Inner> = serde_json::from_str(r#"[{"Name":"a"},{}]"#).unwrap();
        assert_eq!(v, [Inner::new().set_name("a"), Inner::new()]);
        let s: M = serde(r#"{"S":{"k":"v\n"}}"#).unwrap();
        assert_eq!(s.s(), Some(r#"{"k":"v\n"}"#));
    }
}
