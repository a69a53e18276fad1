//! Name constraints (RFC 5280 4.2.1.10): permitted and excluded dNSName and iPAddress
//! subtrees, applied to the subjectAltName entries of the certificates below the CA.
//! A subtree of another kind, or minimum/maximum, is refused (fail closed).

use super::der::{Malformed, Reader};
use super::x509::{self, Name};

/// Most name/subtree comparisons for one chain: a hostile chain cannot make this slow.
pub(crate) const BUDGET: u32 = 4096;

/// Whether every dNSName and iPAddress of `names` (a GeneralNames value) is allowed by
/// `constraints` (the contents of a NameConstraints SEQUENCE). `budget` is spent per
/// comparison; running out is an error.
pub(crate) fn allowed(constraints: &[u8], names: &[u8], budget: &mut u32) -> Result<bool, Malformed> {
    let mut r = Reader::new(constraints);
    let permitted = r.optional(0xa0)?.map(|t| t.value);
    let excluded = r.optional(0xa1)?.map(|t| t.value);
    r.finish()?;
    for name in x509::names(names) {
        let name = name?;
        if matches!(name, Name::Other) {
            continue;
        }
        if let Some(trees) = permitted {
            let (any_of_kind, hit) = scan(trees, name, budget)?;
            if any_of_kind && !hit {
                return Ok(false);
            }
        }
        if let Some(trees) = excluded {
            if scan(trees, name, budget)?.1 {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// (whether `trees` has a subtree of `name`'s kind, whether one of them contains `name`).
fn scan(trees: &[u8], name: Name<'_>, budget: &mut u32) -> Result<(bool, bool), Malformed> {
    let mut r = Reader::new(trees);
    let (mut any, mut hit) = (false, false);
    while !r.is_empty() {
        *budget = budget.checked_sub(1).ok_or(Malformed)?;
        let mut subtree = Reader::new(r.expect(0x30)?.value);
        let base = subtree.read()?;
        subtree.finish()?; // no minimum / maximum
        let contains = match (base.tag, name) {
            (0x82, Name::Dns(dns)) => dns_within(dns, base.value),
            (0x87, Name::Ip(ip)) => ip_within(ip, base.value)?,
            (0x82 | 0x87, _) => continue,
            _ => return Err(Malformed),
        };
        any = true;
        hit |= contains;
    }
    Ok((any, hit))
}

/// `name` is `base` or below it (a leading dot in `base`: below only), ASCII
/// case-insensitive.
fn dns_within(name: &[u8], base: &[u8]) -> bool {
    if base.is_empty() {
        return true;
    }
    let Some(prefix_len) = name.len().checked_sub(base.len()) else { return false };
    let (prefix, tail) = name.split_at(prefix_len);
    tail.eq_ignore_ascii_case(base) && (base.first() == Some(&b'.') || prefix.is_empty() || prefix.last() == Some(&b'.'))
}

/// `ip` within `base`: an address then a mask of the same family.
fn ip_within(ip: &[u8], base: &[u8]) -> Result<bool, Malformed> {
    if base.len() != 8 && base.len() != 32 {
        return Err(Malformed);
    }
    let (net, mask) = base.split_at(base.len() / 2);
    Ok(ip.len() == net.len() && ip.iter().zip(net).zip(mask).all(|((a, n), m)| a & m == n & m))
}
