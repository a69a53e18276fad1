//! A minimal DER reader: single-byte tags, definite lengths up to 16 MiB, never panics.

/// Malformed DER.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

pub(crate) const BOOLEAN: u8 = 0x01;
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const OID: u8 = 0x06;
pub(crate) const UTC_TIME: u8 = 0x17;
pub(crate) const GENERALIZED_TIME: u8 = 0x18;
pub(crate) const SEQUENCE: u8 = 0x30;

/// One element: its tag, its contents and its whole encoding.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    pub(crate) value: &'a [u8],
    pub(crate) raw: &'a [u8],
}

/// Reads consecutive elements from a byte string.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) const fn new(data: &'a [u8]) -> Self {
        Self { rest: data }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next element.
    pub(crate) fn read(&mut self) -> Result<Tlv<'a>, Malformed> {
        let data = self.rest;
        let (&tag, after_tag) = data.split_first().ok_or(Malformed)?;
        if tag & 0x1f == 0x1f {
            return Err(Malformed); // multi-byte tags never occur in certificates
        }
        let (&first, after_len) = after_tag.split_first().ok_or(Malformed)?;
        let (len, after_len) = match first {
            n if n < 0x80 => (usize::from(n), after_len),
            0x81..=0x83 => {
                let count = usize::from(first & 0x7f);
                let bytes = after_len.get(..count).ok_or(Malformed)?;
                let len = bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
                // DER: the shortest form.
                if bytes.first() == Some(&0) || len < 0x80 {
                    return Err(Malformed);
                }
                (len, after_len.get(count..).ok_or(Malformed)?)
            }
            _ => return Err(Malformed),
        };
        let value = after_len.get(..len).ok_or(Malformed)?;
        let header = data.len() - after_len.len();
        let raw = data.get(..header + len).ok_or(Malformed)?;
        self.rest = after_len.get(len..).ok_or(Malformed)?;
        Ok(Tlv { tag, value, raw })
    }

    /// The next element, which must have tag `tag`.
    pub(crate) fn expect(&mut self, tag: u8) -> Result<Tlv<'a>, Malformed> {
        let tlv = self.read()?;
        if tlv.tag == tag { Ok(tlv) } else { Err(Malformed) }
    }

    /// The next element if it has tag `tag`.
    pub(crate) fn optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>, Malformed> {
        if self.peek_tag() == Some(tag) { self.read().map(Some) } else { Ok(None) }
    }

    /// Fails unless everything was read.
    pub(crate) fn finish(&self) -> Result<(), Malformed> {
        if self.rest.is_empty() { Ok(()) } else { Err(Malformed) }
    }
}

/// The contents of a BIT STRING with no unused bits.
pub(crate) fn bit_string_bytes(value: &[u8]) -> Result<&[u8], Malformed> {
    match value.split_first() {
        Some((0, bytes)) => Ok(bytes),
        _ => Err(Malformed),
    }
}

/// An ECDSA signature (`SEQUENCE { r INTEGER, s INTEGER }`) as `r || s`, each left-padded
/// to `N / 2` bytes. Strict DER: positive, minimally encoded integers.
pub(crate) fn ecdsa_signature<const N: usize>(der: &[u8]) -> Result<[u8; N], Malformed> {
    let mut outer = Reader::new(der);
    let mut seq = Reader::new(outer.expect(SEQUENCE)?.value);
    outer.finish()?;
    let mut out = [0u8; N];
    let half = N / 2;
    for i in 0..2 {
        let int = seq.expect(INTEGER)?.value;
        let digits = match int {
            [0, rest @ ..] if rest.first().is_some_and(|b| b & 0x80 != 0) => rest,
            [first, ..] if first & 0x80 == 0 && !(*first == 0 && int.len() > 1) => int,
            _ => return Err(Malformed),
        };
        let end = half * (i + 1);
        let start = end.checked_sub(digits.len()).filter(|&s| s >= half * i).ok_or(Malformed)?;
        out.get_mut(start..end).ok_or(Malformed)?.copy_from_slice(digits);
    }
    seq.finish()?;
    Ok(out)
}

/// The digits of a positive INTEGER (strict DER: minimally encoded, so no leading zero octet
/// unless the next one has its top bit set), without that leading zero.
#[cfg(feature = "rsa")]
pub(crate) fn positive_integer(value: &[u8]) -> Result<&[u8], Malformed> {
    match value {
        [0, rest @ ..] if rest.first().is_some_and(|b| b & 0x80 != 0) => Ok(rest),
        [first, ..] if first & 0x80 == 0 && *first != 0 => Ok(value),
        _ => Err(Malformed),
    }
}

/// A DER BOOLEAN.
pub(crate) fn boolean(value: &[u8]) -> Result<bool, Malformed> {
    match value {
        [0x00] => Ok(false),
        [0xff] => Ok(true),
        _ => Err(Malformed),
    }
}

/// A UTCTime (`YYMMDDHHMMSSZ`) or GeneralizedTime (`YYYYMMDDHHMMSSZ`) as unix seconds.
pub(crate) fn time(tlv: &Tlv<'_>) -> Result<u64, Malformed> {
    let v = tlv.value;
    let (year, rest) = match (tlv.tag, v.len()) {
        (UTC_TIME, 13) => {
            let yy = two(v, 0)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, v.get(2..).ok_or(Malformed)?)
        }
        (GENERALIZED_TIME, 15) => (two(v, 0)? * 100 + two(v, 2)?, v.get(4..).ok_or(Malformed)?),
        _ => return Err(Malformed),
    };
    if rest.get(10) != Some(&b'Z') {
        return Err(Malformed);
    }
    let (month, day, hour, min, sec) = (two(rest, 0)?, two(rest, 2)?, two(rest, 4)?, two(rest, 6)?, two(rest, 8)?);
    if hour > 23 || min > 59 || sec > 59 {
        return Err(Malformed);
    }
    if year < 1970 {
        return Ok(0);
    }
    let year = u16::try_from(year).map_err(|_| Malformed)?;
    let month = u8::try_from(month).map_err(|_| Malformed)?;
    let day = u8::try_from(day).map_err(|_| Malformed)?;
    let date = tencentcloud_core::time::Date::new(year, month, day).ok_or(Malformed)?;
    Ok(date.days_since_epoch() * 86_400 + u64::from(hour) * 3600 + u64::from(min) * 60 + u64::from(sec))
}

fn two(v: &[u8], at: usize) -> Result<u32, Malformed> {
    match v.get(at..at + 2) {
        Some([a, b]) if a.is_ascii_digit() && b.is_ascii_digit() => Ok(u32::from(a - b'0') * 10 + u32::from(b - b'0')),
        _ => Err(Malformed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        let mut r = Reader::new(&[0x04, 0x02, 1, 2, 0x05, 0x00]);
        let t = r.read().unwrap();
        assert_eq!((t.tag, t.value, t.raw), (0x04, &[1u8, 2][..], &[4u8, 2, 1, 2][..]));
        assert_eq!(r.read().unwrap().value, b"");
        assert!(r.is_empty());
        // Long form, non-minimal long form, indefinite, truncated.
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([7u8; 0x80]);
        assert_eq!(Reader::new(&long).read().unwrap().value.len(), 0x80);
        assert_eq!(Reader::new(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5]).read().unwrap_err(), Malformed);
        assert_eq!(Reader::new(&[0x30, 0x80, 0, 0]).read().unwrap_err(), Malformed);
        assert_eq!(Reader::new(&[0x04, 0x03, 1]).read().unwrap_err(), Malformed);
        assert_eq!(Reader::new(&[0x1f, 0x01, 0]).read().unwrap_err(), Malformed);
    }

    #[test]
    fn ecdsa_signatures() {
        // r = 1, s = 0x80 (needs a leading zero).
        let sig = ecdsa_signature::<4>(&[0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80]).unwrap();
        assert_eq!(sig, [0, 1, 0, 0x80]);
        // Negative, non-minimal, too long, trailing data.
        assert!(ecdsa_signature::<4>(&[0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01]).is_err());
        assert!(ecdsa_signature::<4>(&[0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01]).is_err());
        assert!(ecdsa_signature::<4>(&[0x30, 0x08, 0x02, 0x03, 0x01, 0x01, 0x01, 0x02, 0x01, 0x01]).is_err());
        assert!(ecdsa_signature::<4>(&[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00]).is_err());
    }

    #[cfg(feature = "rsa")]
    #[test]
    fn positive_integers() {
        assert_eq!(positive_integer(&[1]), Ok(&[1u8][..]));
        assert_eq!(positive_integer(&[0, 0x80]), Ok(&[0x80u8][..]));
        assert_eq!(positive_integer(&[0x7f, 0]), Ok(&[0x7fu8, 0][..]));
        // Empty, zero, negative, non-minimal.
        for bad in [&[][..], &[0], &[0x80], &[0xff, 1], &[0, 1], &[0, 0, 0x80]] {
            assert_eq!(positive_integer(bad), Err(Malformed), "{bad:02x?}");
        }
    }

    #[test]
    fn times() {
        let utc = Tlv { tag: UTC_TIME, value: b"190225164425Z", raw: b"" };
        assert_eq!(time(&utc), Ok(1551113065));
        let gen_time = Tlv { tag: GENERALIZED_TIME, value: b"20190225164425Z", raw: b"" };
        assert_eq!(time(&gen_time), Ok(1551113065));
        let old = Tlv { tag: UTC_TIME, value: b"500101000000Z", raw: b"" };
        assert_eq!(time(&old), Ok(0));
        let bad = Tlv { tag: UTC_TIME, value: b"190230164425Z", raw: b"" };
        assert_eq!(time(&bad), Err(Malformed));
        let local = Tlv { tag: GENERALIZED_TIME, value: b"20190225164425+", raw: b"" };
        assert_eq!(time(&local), Err(Malformed));
    }
}
