//! Calendar arithmetic without a date library: unix seconds to the UTC date used in the
//! TC3 credential scope, and HTTP `Date` headers (IMF-fixdate) back to unix seconds.

use core::fmt;

/// The last second this crate can date: 9999-12-31T23:59:59Z.
pub const MAX_TIMESTAMP: u64 = 253_402_300_799;

const SECS_PER_DAY: u64 = 86_400;

/// A UTC calendar date in 1970-01-01..=9999-12-31.
///
/// ```
/// use tencentcloud_core::time::Date;
///
/// let d = Date::from_unix(1551113065).unwrap();
/// assert_eq!(d.as_str_bytes(), *b"2019-02-25");
/// assert_eq!(Date::from_unix(253_402_300_800), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// The UTC date of a unix timestamp, or `None` past 9999-12-31.
    pub const fn from_unix(secs: u64) -> Option<Self> {
        if secs > MAX_TIMESTAMP {
            return None;
        }
        // 86_400 = 128 * 675 and secs >> 7 < 2^31 here, so 32-bit division suffices
        // (a 64-bit one would link a software routine on 32-bit targets).
        Some(Self::from_days(((secs >> 7) as u32) / 675))
    }

    /// The date `days` days after 1970-01-01 (`days` must keep the year <= 9999).
    const fn from_days(days: u32) -> Self {
        // Howard Hinnant's civil_from_days, shifted so every quantity is unsigned.
        let z = days + 719_468;
        let era = z / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
        Self { year: year as u16, month: month as u8, day: day as u8 }
    }

    /// Builds a date from its parts, checking that the day exists.
    pub const fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        if year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 {
            return None;
        }
        if day > days_in_month(year, month) {
            return None;
        }
        Some(Self { year, month, day })
    }

    /// Days since 1970-01-01.
    pub const fn days_since_epoch(&self) -> u64 {
        // 32-bit arithmetic throughout: every quantity is below 2^22.
        let y = self.year as u32 - if self.month <= 2 { 1 } else { 0 };
        let era = y / 400;
        let yoe = y - era * 400;
        let m = self.month as u32;
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + self.day as u32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        (era * 146_097 + doe - 719_468) as u64
    }

    /// The year.
    pub const fn year(&self) -> u16 {
        self.year
    }

    /// The month, 1..=12.
    pub const fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, 1..=31.
    pub const fn day(&self) -> u8 {
        self.day
    }

    /// `YYYY-MM-DD` as ASCII bytes.
    #[inline(never)] // one copy: signing needs it in two places
    pub const fn as_str_bytes(&self) -> [u8; 10] {
        let y = self.year;
        [
            b'0' + (y / 1000) as u8,
            b'0' + (y / 100 % 10) as u8,
            b'0' + (y / 10 % 10) as u8,
            b'0' + (y % 10) as u8,
            b'-',
            b'0' + self.month / 10,
            b'0' + self.month % 10,
            b'-',
            b'0' + self.day / 10,
            b'0' + self.day % 10,
        ]
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

const fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

const fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// An HTTP `Date` value that is not a valid IMF-fixdate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct InvalidHttpDate;

impl fmt::Display for InvalidHttpDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid HTTP date (expected IMF-fixdate, e.g. Sun, 06 Nov 1994 08:49:37 GMT)")
    }
}

impl core::error::Error for InvalidHttpDate {}

const WEEKDAYS: [&[u8; 3]; 7] = [b"Thu", b"Fri", b"Sat", b"Sun", b"Mon", b"Tue", b"Wed"];
const MONTHS: [&[u8; 3]; 12] =
    [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];

fn digits(b: &[u8]) -> Option<u16> {
    b.iter().try_fold(0u16, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u16::from(c - b'0')))
}

/// Parses an HTTP `Date` header in IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`,
/// RFC 9110 section 5.6.7) into unix seconds. Surrounding whitespace is ignored; the
/// weekday must be the right one for the date.
///
/// ```
/// use tencentcloud_core::time::parse_http_date;
///
/// assert_eq!(parse_http_date(b"Mon, 25 Feb 2019 16:44:25 GMT"), Ok(1551113065));
/// assert!(parse_http_date(b"Mon, 30 Feb 2019 16:44:25 GMT").is_err());
/// ```
pub fn parse_http_date(value: &[u8]) -> Result<u64, InvalidHttpDate> {
    let v = value.trim_ascii();
    let b: &[u8; 29] = v.try_into().map_err(|_| InvalidHttpDate)?;
    let [
        w0,
        w1,
        w2,
        b',',
        b' ',
        d0,
        d1,
        b' ',
        m0,
        m1,
        m2,
        b' ',
        y0,
        y1,
        y2,
        y3,
        b' ',
        h0,
        h1,
        b':',
        n0,
        n1,
        b':',
        s0,
        s1,
        b' ',
        b'G',
        b'M',
        b'T',
    ] = *b
    else {
        return Err(InvalidHttpDate);
    };
    let num = |x: &[u8]| digits(x).ok_or(InvalidHttpDate);
    let day = num(&[d0, d1])?;
    let year = num(&[y0, y1, y2, y3])?;
    let (hour, min, sec) = (num(&[h0, h1])?, num(&[n0, n1])?, num(&[s0, s1])?);
    let month = MONTHS.iter().position(|m| **m == [m0, m1, m2]).ok_or(InvalidHttpDate)?;
    // A leap second (:60) exists only as 23:59:60 UTC, the last second of a day.
    let leap = (hour, min, sec) == (23, 59, 60);
    if hour > 23 || min > 59 || (sec > 59 && !leap) {
        return Err(InvalidHttpDate);
    }
    let date = Date::new(year, month as u8 + 1, day as u8).ok_or(InvalidHttpDate)?;
    let days = date.days_since_epoch();
    if *WEEKDAYS[(days as u32 % 7) as usize] != [w0, w1, w2] {
        return Err(InvalidHttpDate);
    }
    // Unix time repeats 23:59:59 for a leap second: it stays in its own day, so even
    // 9999-12-31T23:59:60Z dates as MAX_TIMESTAMP.
    let sec = if leap { 59 } else { sec };
    Ok(days * SECS_PER_DAY + u64::from(hour) * 3600 + u64::from(min) * 60 + u64::from(sec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges() {
        assert_eq!(Date::from_unix(0).unwrap().as_str_bytes(), *b"1970-01-01");
        assert_eq!(Date::from_unix(951_782_400).unwrap().as_str_bytes(), *b"2000-02-29");
        assert_eq!(Date::from_unix(MAX_TIMESTAMP).unwrap().as_str_bytes(), *b"9999-12-31");
        assert_eq!(Date::new(2100, 2, 29), None);
        assert_eq!(Date::new(2000, 2, 29).unwrap().days_since_epoch(), 11_016);
    }

    #[test]
    fn http_dates() {
        assert_eq!(parse_http_date(b"Thu, 01 Jan 1970 00:00:00 GMT"), Ok(0));
        assert_eq!(parse_http_date(b" Fri, 31 Dec 9999 23:59:59 GMT\r"), Ok(MAX_TIMESTAMP));
        assert!(parse_http_date(b"Sun, 06 Nov 1994 08:49:37 UTC").is_err());
        assert!(parse_http_date(b"Mon, 06 Nov 1994 08:49:37 GMT").is_err());
        assert!(parse_http_date(b"Sun, 06 Nov 1994 24:49:37 GMT").is_err());
        assert!(parse_http_date(b"Sunday, 06-Nov-94 08:49:37 GMT").is_err());
        assert!(parse_http_date("Sun, 06 Nov 1994 08:49:3\u{e9}GMT".as_bytes()).is_err());
        assert_eq!(parse_http_date(b"Sun, 06 Nov 1994 08:49:37 GMT"), Ok(784_111_777));
    }

    #[test]
    fn leap_seconds_only_at_the_end_of_a_day() {
        // The signer can date every time the parser gives.
        assert_eq!(parse_http_date(b"Fri, 31 Dec 9999 23:59:60 GMT"), Ok(MAX_TIMESTAMP));
        assert!(Date::from_unix(parse_http_date(b"Fri, 31 Dec 9999 23:59:60 GMT").unwrap()).is_some());
        // 2016-12-31T23:59:60Z, a real leap second, repeats 23:59:59.
        assert_eq!(parse_http_date(b"Sat, 31 Dec 2016 23:59:60 GMT"), Ok(1_483_228_799));
        for bad in
            [&b"Sun, 06 Nov 1994 12:34:60 GMT"[..], b"Sun, 06 Nov 1994 23:58:60 GMT", b"Sun, 06 Nov 1994 22:59:60 GMT"]
        {
            assert!(parse_http_date(bad).is_err(), "{}", core::str::from_utf8(bad).unwrap());
        }
        assert!(parse_http_date(b"Sun, 06 Nov 1994 23:59:61 GMT").is_err());
    }
}
