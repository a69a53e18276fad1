//! Legacy signature v1 (`HmacSHA1` / `HmacSHA256`), for services and tools that still
//! use it. The string to sign is `METHOD + host + path + "?" + k=v&...` with the keys
//! sorted and the values raw; the signature is the base64 HMAC of it under the secret
//! key, and the parameters travel form-encoded with `Signature` last.
//!
//! ```
//! use tencentcloud_core::legacy_v1::{signature, SignMethod};
//!
//! let params = [("Action", "DescribeZones"), ("Nonce", "1"), ("Timestamp", "1700000000")];
//! let sig = signature("secret", "GET", "cvm.tencentcloudapi.com", "/", &params, SignMethod::HmacSha256)?;
//! assert_eq!(sig.len(), 44);
//!
//! // What is signed is what is sent: a repeated key or a `Signature` parameter is refused.
//! let twice = [("Action", "DescribeZones"), ("Limit", "1"), ("Limit", "100")];
//! assert!(signature("secret", "GET", "cvm.tencentcloudapi.com", "/", &twice, SignMethod::HmacSha256).is_err());
//! # Ok::<(), tencentcloud_core::legacy_v1::InvalidParams<'static>>(())
//! ```

use core::fmt;

use base64ct::{Base64, Encoding};
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};

use crate::error::BufferTooSmall;
use crate::query::{QueryWriter, encode};

/// The v1 HMAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SignMethod {
    /// `HmacSHA1`
    HmacSha1,
    /// `HmacSHA256`
    HmacSha256,
}

impl SignMethod {
    /// The `SignatureMethod` parameter value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::HmacSha1 => "HmacSHA1",
            Self::HmacSha256 => "HmacSHA256",
        }
    }
}

/// Parameters that cannot be signed as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum InvalidParams<'a> {
    /// The key appears more than once: the string to sign would hold one value while the
    /// form sends them all.
    DuplicateKey(&'a str),
    /// A `Signature` parameter: the signature is added to the form after the others, so
    /// the form would carry two.
    SignatureKey,
}

impl fmt::Display for InvalidParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DuplicateKey(k) => write!(f, "legacy v1 parameter {k:?} is given more than once"),
            Self::SignatureKey => {
                f.write_str("legacy v1 parameters may not hold a Signature key (it is added when signing)")
            }
        }
    }
}

impl core::error::Error for InvalidParams<'_> {}

/// Checks that every parameter is signed exactly as it is sent: no key twice, no
/// `Signature` key.
pub fn check_params<'a>(params: &[(&'a str, &str)]) -> Result<(), InvalidParams<'a>> {
    for (i, (k, _)) in params.iter().enumerate() {
        if *k == "Signature" {
            return Err(InvalidParams::SignatureKey);
        }
        if params.get(i + 1..).unwrap_or(&[]).iter().any(|(other, _)| other == k) {
            return Err(InvalidParams::DuplicateKey(k));
        }
    }
    Ok(())
}

/// The parameters in key order (byte-wise, like Python's `sorted`), without a heap:
/// each step picks the smallest key above the previous one.
fn sorted<'p, 'a>(params: &'p [(&'a str, &'a str)]) -> impl Iterator<Item = &'p (&'a str, &'a str)> {
    let mut last: Option<&str> = None;
    core::iter::from_fn(move || {
        let next = params.iter().filter(|(k, _)| last.is_none_or(|l| *k > l)).min_by(|a, b| a.0.cmp(b.0))?;
        last = Some(next.0);
        Some(next)
    })
}

/// The v1 string to sign (`Display`).
#[derive(Debug, Clone, Copy)]
pub struct StringToSign<'p, 'a> {
    method: &'a str,
    host: &'a str,
    path: &'a str,
    params: &'p [(&'a str, &'a str)],
}

impl StringToSign<'_, '_> {
    fn for_each(&self, mut out: impl FnMut(&[u8])) {
        out(self.method.as_bytes());
        out(self.host.as_bytes());
        out(self.path.as_bytes());
        out(b"?");
        for (i, (k, v)) in sorted(self.params).enumerate() {
            if i > 0 {
                out(b"&");
            }
            out(k.as_bytes());
            out(b"=");
            out(v.as_bytes());
        }
    }
}

impl fmt::Display for StringToSign<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut r = Ok(());
        self.for_each(|b| {
            if r.is_ok() {
                r = f.write_str(core::str::from_utf8(b).unwrap_or("\u{fffd}"));
            }
        });
        r
    }
}

/// The string to sign for these parameters (which must already hold `Action`, `Nonce`,
/// `Timestamp`, `SecretId`, `SignatureMethod`, ...; see [`check_params`]: a repeated key
/// appears here once).
pub fn string_to_sign<'p, 'a>(
    method: &'a str,
    host: &'a str,
    path: &'a str,
    params: &'p [(&'a str, &'a str)],
) -> StringToSign<'p, 'a> {
    StringToSign { method, host, path, params }
}

/// A base64 v1 signature (at most 44 characters).
pub type Signature = heapless::String<44>;

/// Signs the parameters with the secret key, after [`check_params`].
pub fn signature<'a>(
    secret_key: &str,
    method: &str,
    host: &str,
    path: &str,
    params: &[(&'a str, &str)],
    sign_method: SignMethod,
) -> Result<Signature, InvalidParams<'a>> {
    check_params(params)?;
    let sts = string_to_sign(method, host, path, params);
    let mut raw = [0u8; 32];
    let n = match sign_method {
        SignMethod::HmacSha1 => mac_into::<Hmac<sha1::Sha1>>(secret_key, &sts, &mut raw),
        SignMethod::HmacSha256 => mac_into::<Hmac<sha2::Sha256>>(secret_key, &sts, &mut raw),
    };
    let mut b64 = [0u8; 44];
    let encoded = Base64::encode(raw.get(..n).unwrap_or(&[]), &mut b64).unwrap_or("");
    let mut out = Signature::new();
    let _ = out.push_str(encoded);
    Ok(out)
}

fn mac_into<M: Mac + KeyInit>(key: &str, sts: &StringToSign<'_, '_>, out: &mut [u8; 32]) -> usize {
    let Ok(mut mac) = <M as KeyInit>::new_from_slice(key.as_bytes()) else {
        return 0;
    };
    sts.for_each(|b| mac.update(b));
    let tag = mac.finalize().into_bytes();
    let n = tag.len().min(out.len());
    if let (Some(dst), Some(src)) = (out.get_mut(..n), tag.get(..n)) {
        dst.copy_from_slice(src);
    }
    n
}

/// Writes the form body (or GET query): the parameters in their given order, then
/// `Signature`, all form-encoded. Give it the parameters [`signature`] accepted.
pub fn write_form<'b>(params: &[(&str, &str)], signature: &str, buf: &'b mut [u8]) -> Result<&'b str, BufferTooSmall> {
    let mut q = QueryWriter::new(buf);
    for (k, v) in params {
        q.push(k, v);
    }
    q.push("Signature", signature);
    q.finish()
}

/// The exact length [`write_form`] needs.
pub fn form_len(params: &[(&str, &str)], signature: &str) -> usize {
    let mut n = 0;
    for (k, v) in params.iter().chain(core::iter::once(&("Signature", signature))) {
        encode(k, |p| n += p.len());
        encode(v, |p| n += p.len());
        n += 2;
    }
    n - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "cvm.tencentcloudapi.com";

    #[test]
    fn what_is_signed_is_what_is_sent() {
        let sign = |params: &[(&'static str, &'static str)]| {
            signature("key", "POST", HOST, "/", params, SignMethod::HmacSha256).map(|_| ())
        };
        let repeated = [("Action", "DescribeInstances"), ("Limit", "1"), ("Nonce", "7"), ("Limit", "100")];
        assert_eq!(sign(&repeated), Err(InvalidParams::DuplicateKey("Limit")));
        let smuggled = [("Action", "DescribeInstances"), ("Signature", "forged")];
        assert_eq!(sign(&smuggled), Err(InvalidParams::SignatureKey));
        assert_eq!(sign(&[("Action", "A"), ("Limit", "1"), ("limit", "2")]), Ok(()), "keys are case-sensitive");
        assert_eq!(sign(&[]), Ok(()));
        let mut text = heapless::String::<64>::new();
        core::fmt::write(&mut text, format_args!("{}", InvalidParams::DuplicateKey("Limit"))).unwrap();
        assert_eq!(text, "legacy v1 parameter \"Limit\" is given more than once");
    }
}
