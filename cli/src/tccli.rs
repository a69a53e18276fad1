//! tccli's rules, read from its published source (tccli 3.1.189.1, the pinned wheel), each a
//! named function here so `tcloud` takes a tccli command line the same way:
//!
//! - [`service_name`]: `as` and `autoscaling` name one service (`tccli/command.py`).
//! - [`default_version`]: the version used when none is given (`Loader.get_service_default_version`).
//! - [`bool_value`], [`int_value`], [`float_value`]: how a parameter's text becomes a value
//!   (`tccli/argument.py`: `str_to_bool`, argparse's `int` and `float`).
//! - [`mask_secret`]: how a secret is shown (`tccli/configure.py`).
//!
//! Where tccli is stricter than it needs to be (a list in plain form must be JSON), `tcloud`
//! takes both; it never refuses what tccli sends.

use serde_json::Value;

/// The schema's name of the service tccli calls `name`: tccli renames `as` to `autoscaling`
/// (`as` is a Python keyword); the schema, the endpoint and the credential scope say `as`.
pub fn service_name(name: &str) -> &str {
    if name == "autoscaling" { "as" } else { name }
}

/// tccli's name of a service (the key of its `.configure` sections): `autoscaling` for `as`.
pub fn tccli_service_name(name: &str) -> &str {
    if name == "as" { "autoscaling" } else { name }
}

/// Services whose tccli default is not their newest version: tccli's table
/// `SERVICE_VERSIONS` (`tccli/services/__init__.py`) lists an older, fuller version first,
/// and tccli's default is the first one listed. Everywhere else the first listed is the newest.
pub const OLDER_DEFAULT_VERSIONS: [(&str, &str); 5] = [
    ("antiddos", "2020-03-09"), // 2025-09-03 has a handful of actions
    ("es", "2018-04-16"),       // 2025-01-01 has 10 actions, 2018-04-16 has 90
    ("monitor", "2018-07-24"),
    ("tke", "2018-05-25"),
    ("vod", "2018-07-17"),
];

/// tccli's default API version of `service` (schema name) among `versions` (oldest first, as
/// the schema keeps them): the version a profile's `.configure` names for it wins (read by the
/// caller); otherwise the first version tccli lists, which is the newest except for
/// [`OLDER_DEFAULT_VERSIONS`].
pub fn default_version<'a>(service: &str, versions: &'a [&'a str]) -> Option<&'a str> {
    let older = OLDER_DEFAULT_VERSIONS.iter().find(|(s, _)| *s == service).map(|(_, v)| *v);
    match older.and_then(|o| versions.iter().find(|v| **v == o)) {
        Some(v) => Some(v),
        None => versions.iter().max().copied(),
    }
}

/// tccli's `str_to_bool`: `true`/`t`/`1` and `false`/`f`/`0`, any case (so `True`, as tccli's
/// help writes booleans, is `true`).
pub fn bool_value(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "t" | "1" => Some(true),
        "false" | "f" | "0" => Some(false),
        _ => None,
    }
}

/// An integer as Python's `int()` reads it (tccli's type for `int64`/`uint64` parameters):
/// surrounding whitespace, a sign, leading zeros, `_` between digits.
pub fn int_value(text: &str) -> Option<Value> {
    let t = text.trim();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    let plain: String = digits.chars().filter(|c| *c != '_').collect();
    let magnitude: u64 = plain.parse().ok()?;
    if neg {
        let n = i64::try_from(magnitude).ok().or((magnitude == 1u64 << 63).then_some(i64::MIN))?;
        Some(Value::from(if n == i64::MIN { n } else { -n }))
    } else {
        Some(Value::from(magnitude))
    }
}

/// A float as Python's `float()` reads it (tccli's type for `float` parameters); sent as a
/// JSON number with a fraction (`1` is sent as `1.0`, as tccli does). Not finite: refused.
pub fn float_value(text: &str) -> Option<Value> {
    let t = text.trim().replace('_', "");
    let f: f64 = t.parse().ok()?;
    if !f.is_finite() {
        return None;
    }
    serde_json::Number::from_f64(f).map(Value::Number)
}

/// tccli sends no `null` member: its SDK's models leave out what is `None`
/// (`AbstractModel._serialize`), at every level of objects (list items stay as given).
pub fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, without_nulls(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// How tccli shows a secret (`mask_secret`): 16 asterisks and the last four characters.
pub fn mask_secret(value: &str) -> String {
    let tail: String = {
        let chars: Vec<char> = value.chars().collect();
        chars[chars.len().saturating_sub(4)..].iter().collect()
    };
    if value.is_empty() { String::new() } else { format!("{}{tail}", "*".repeat(16)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn autoscaling_is_as() {
        assert_eq!(service_name("autoscaling"), "as");
        assert_eq!(service_name("cvm"), "cvm");
        assert_eq!(tccli_service_name("as"), "autoscaling");
    }

    #[test]
    fn default_versions() {
        assert_eq!(default_version("es", &["2018-04-16", "2025-01-01"]), Some("2018-04-16"));
        assert_eq!(default_version("ams", &["2020-06-08", "2020-12-29"]), Some("2020-12-29"));
        assert_eq!(default_version("cvm", &["2017-03-12"]), Some("2017-03-12"));
        // A schema without tccli's older version: the newest.
        assert_eq!(default_version("es", &["2025-01-01"]), Some("2025-01-01"));
    }

    /// Every service: the rule gives the first version tccli 3.1.189.1 lists (its default), and
    /// the schema has the versions tccli has.
    #[test]
    fn default_version_is_tcclis_for_every_service() {
        let table = include_str!("../tests/data/tccli-service-versions.txt");
        let mut checked = 0;
        let mut older = Vec::new();
        for line in table.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let mut words = line.split_whitespace();
            let name = words.next().unwrap();
            let tccli_versions: Vec<&str> = words.collect();
            let svc = tencentcloud_schema::service(service_name(name)).unwrap().expect(name);
            let mut ours: Vec<&str> = svc.versions.iter().map(|v| v.version.as_str()).collect();
            assert_eq!(default_version(&svc.name, &ours), Some(tccli_versions[0]), "{name}");
            if Some(&tccli_versions[0]) != ours.iter().max() {
                older.push(svc.name.clone());
            }
            let mut theirs = tccli_versions.clone();
            theirs.sort();
            ours.sort();
            assert_eq!(ours, theirs, "{name}: versions");
            checked += 1;
        }
        assert_eq!(checked, tencentcloud_schema::services().len());
        assert_eq!(older, OLDER_DEFAULT_VERSIONS.map(|(s, _)| s.to_owned()));
    }

    #[test]
    fn booleans_as_tccli_reads_them() {
        for t in ["True", "true", "TRUE", "t", "T", "1"] {
            assert_eq!(bool_value(t), Some(true), "{t}");
        }
        for t in ["False", "false", "f", "0"] {
            assert_eq!(bool_value(t), Some(false), "{t}");
        }
        for t in ["yes", "", "2", "tru"] {
            assert_eq!(bool_value(t), None, "{t}");
        }
    }

    #[test]
    fn numbers_as_python_reads_them() {
        assert_eq!(int_value(" 007 "), Some(json!(7)));
        assert_eq!(int_value("+5"), Some(json!(5)));
        assert_eq!(int_value("-5"), Some(json!(-5)));
        assert_eq!(int_value("1_000"), Some(json!(1000)));
        assert_eq!(int_value("18446744073709551615"), Some(json!(u64::MAX)));
        assert_eq!(int_value("-9223372036854775808"), Some(json!(i64::MIN)));
        for bad in ["", "1.0", "one", "_1", "1_", "1__0", "-", "0x10"] {
            assert_eq!(int_value(bad), None, "{bad}");
        }
        assert_eq!(float_value("1").unwrap().to_string(), "1.0");
        assert_eq!(float_value(" 0.5 ").unwrap().to_string(), "0.5");
        assert_eq!(float_value("nan"), None);
        assert_eq!(float_value("x"), None);
    }

    #[test]
    fn null_members_are_not_sent() {
        let v = json!({"A": null, "B": {"C": null, "D": 1}, "E": [null, {"F": null}]});
        assert_eq!(without_nulls(v), json!({"B": {"D": 1}, "E": [null, {}]}));
    }

    #[test]
    fn secrets_masked_as_tccli_does() {
        assert_eq!(mask_secret("AKIDabcdefgh1234"), "****************1234");
        assert_eq!(mask_secret("ab"), "****************ab");
        assert_eq!(mask_secret(""), "");
    }
}
