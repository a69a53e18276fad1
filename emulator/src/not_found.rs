//! The error a service answers for an id it does not know: chosen from the documented error
//! codes of the family's delete and modify actions (`data/not-found.txt`, taken from the
//! official Go SDK by `data/not-found.py`: the tccli specs carry no error codes), else the
//! common `ResourceNotFound`.

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../data/not-found.txt");

type Codes = HashMap<(&'static str, &'static str, &'static str), Vec<&'static str>>;

fn codes() -> &'static Codes {
    static CODES: OnceLock<Codes> = OnceLock::new();
    CODES.get_or_init(|| {
        TABLE
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut words = l.split_whitespace();
                let key = (words.next()?, words.next()?, words.next()?);
                Some((key, words.collect()))
            })
            .collect()
    })
}

/// The not-found code for a resource of `kind` keyed by `field`, from the codes documented for
/// `actions` of `service` at `version`: the one naming the resource best.
pub(crate) fn code(service: &str, version: &str, actions: &[&str], kind: &str, field: &str) -> String {
    let stem = ["Ids", "IDs", "Id", "ID", "Names", "Name"]
        .iter()
        .find_map(|s| field.strip_suffix(s).filter(|r| r.len() >= 3))
        .unwrap_or(field)
        .to_ascii_lowercase();
    let kind = kind.to_ascii_lowercase();
    let score = |code: &str| {
        let lower = code.to_ascii_lowercase();
        4 * u8::from(lower.contains(&stem))
            + 3 * u8::from(lower.contains(&kind))
            + u8::from(lower.starts_with("resourcenotfound"))
            + u8::from(lower == "resourcenotfound")
    };
    let table = codes();
    let mut best: Option<(u8, &str)> = None;
    for action in actions {
        for code in table.get(&(service, version, *action)).into_iter().flatten() {
            let s = score(code);
            if best.is_none_or(|(b, _)| s > b) {
                best = Some((s, code));
            }
        }
    }
    best.map_or("ResourceNotFound", |(_, c)| c).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_codes() {
        assert_eq!(
            code("cvm", "2017-03-12", &["TerminateInstances"], "Instance", "InstanceId"),
            "InvalidInstanceId.NotFound"
        );
        assert_eq!(code("vpc", "2017-03-12", &["DeleteVpc"], "Vpc", "VpcId"), "ResourceNotFound");
        assert_eq!(code("cam", "2019-01-16", &["DeleteRole"], "Role", "RoleName"), "InvalidParameter.RoleNotExist");
        assert_eq!(code("nosuch", "2020-01-01", &["DeleteX"], "X", "XId"), "ResourceNotFound");
        let lighthouse = code("lighthouse", "2020-03-24", &["TerminateInstances"], "Instance", "InstanceIds");
        assert!(lighthouse.starts_with("ResourceNotFound.Instance"), "{lighthouse}");
    }
}
