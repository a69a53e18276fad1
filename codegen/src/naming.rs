//! Rust names for spec names: fields in snake_case (keywords raw or suffixed, case
//! collisions numbered), each field's setter and accessor, types as in the spec, crate
//! names per service.

/// Strict and reserved keywords of Rust 2024 (lower case); `Self` is handled apart.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true",
    "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers: they get a trailing `_` instead.
const NOT_RAW: &[&str] = &["self", "super", "crate", "Self", "_"];

/// `InstanceIds` -> `instance_ids`, `CPUCount` -> `cpu_count`, `Ipv6Address` ->
/// `ipv6_address`, `Foo_Bar` -> `foo_bar`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let boundary =
                prev.is_ascii_lowercase() || prev.is_ascii_digit() || (prev.is_ascii_uppercase() && next_lower);
            if boundary && !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    while out.ends_with('_') && out.len() > 1 {
        out.pop();
    }
    out
}

/// A usable identifier for `word`: as is, raw (`r#type`), or with a trailing `_` for the
/// keywords that cannot be raw (`self_`), or prefixed when it starts with a digit.
pub fn ident(word: &str) -> String {
    if word.is_empty() {
        return "_empty".into();
    }
    if NOT_RAW.contains(&word) {
        return format!("{word}_");
    }
    if word.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("n{word}");
    }
    if KEYWORDS.contains(&word) {
        return format!("r#{word}");
    }
    word.to_owned()
}

/// The field identifiers of one object's members, in order: snake_case, keywords handled,
/// and names that collide after conversion (`InstanceId`/`InstanceID`) numbered from the
/// second on (`instance_id`, `instance_id_2`).
pub fn field_idents<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut used = std::collections::HashSet::new();
    let mut out = Vec::new();
    for name in names {
        let base = ident(&snake_case(name));
        let mut candidate = base.clone();
        let mut n = 2;
        while !used.insert(candidate.trim_start_matches("r#").to_owned()) {
            candidate = format!("{}_{n}", base.trim_start_matches("r#"));
            n += 1;
        }
        out.push(candidate);
    }
    out
}

/// Method names every model has besides its fields' own: `new`, and the methods of the
/// traits every model implements or gets from a blanket impl (`Clone`, `Default`,
/// `PartialEq`, `Debug`, the JSON and serde traits, `From`/`Into`, `Borrow`, `Any`,
/// `ToOwned`). An accessor with one of these names would shadow the trait's method
/// (`x.clone()`) or break a path call (`T::default()`), so it is renamed.
pub const RESERVED_METHODS: &[&str] = &[
    "new",
    "clone",
    "clone_from",
    "clone_into",
    "default",
    "eq",
    "ne",
    "fmt",
    "to_json",
    "from_json",
    "serialize",
    "deserialize",
    "from",
    "into",
    "try_from",
    "try_into",
    "borrow",
    "borrow_mut",
    "type_id",
    "to_owned",
];

/// The methods of one field: its setter (`set_<field>`, google-cloud-rust's convention) and
/// its accessor (named like the field, aws-sdk-rust's convention).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Methods {
    /// `set_instance_ids`, `set_type` (for `r#type`), `set_super` (for `super_`).
    pub setter: String,
    /// `instance_ids`, `r#type`; `clone_value` when the field's name is reserved or is
    /// another field's setter (`SetValue` beside `Value`).
    pub accessor: String,
}

/// The methods of one object's fields, given their identifiers (from [`field_idents`]), in
/// order. Setters are `set_` and the field's name without `r#` or the trailing `_` of a
/// keyword that cannot be raw; accessors are the field's identifier, or, when that name is
/// [reserved](RESERVED_METHODS) or taken by a setter, the name with `_value` appended
/// (smithy-rs's suffix for reserved member names), numbered if still taken.
pub fn field_methods(idents: &[String]) -> Vec<Methods> {
    let mut taken: std::collections::HashSet<String> = RESERVED_METHODS.iter().map(|s| (*s).to_owned()).collect();
    let setters: Vec<String> = idents
        .iter()
        .map(|id| {
            let bare = id.trim_start_matches("r#");
            let bare =
                if NOT_RAW.iter().any(|k| bare.strip_suffix('_') == Some(k)) { &bare[..bare.len() - 1] } else { bare };
            let mut s = format!("set_{bare}");
            while !taken.insert(s.clone()) {
                s.push('_');
            }
            s
        })
        .collect();
    // Accessors keep the field's name first; only clashing ones move, in spec order.
    let wanted: Vec<&str> = idents.iter().map(|id| id.trim_start_matches("r#")).collect();
    let mut out = Vec::with_capacity(idents.len());
    for (id, setter) in idents.iter().zip(setters) {
        let bare = id.trim_start_matches("r#");
        let accessor = if taken.insert(bare.to_owned()) {
            id.clone()
        } else {
            let base = format!("{bare}_value");
            let mut candidate = base.clone();
            let mut n = 2;
            while wanted.contains(&candidate.as_str()) || !taken.insert(candidate.clone()) {
                candidate = format!("{base}_{n}");
                n += 1;
            }
            candidate
        };
        out.push(Methods { setter, accessor });
    }
    out
}

/// The Rust type name of a spec object (spec names are identifiers already; `Self` is not
/// usable).
pub fn type_ident(name: &str) -> String {
    if name == "Self" { "Self_".into() } else { ident(name) }
}

/// The package name of a service crate: `tencentcloud-<service>`, except the `api` service
/// (`tencentcloud-api-service`), so that the umbrella crate can be `tencentcloud-api`.
pub fn crate_name(service: &str) -> String {
    match service {
        "api" => "tencentcloud-api-service".into(),
        s => format!("tencentcloud-{s}"),
    }
}

/// The library name of a service crate (`tencentcloud_cvm`).
pub fn lib_name(service: &str) -> String {
    crate_name(service).replace('-', "_")
}

/// The umbrella crate's module (and feature) for a service: `cvm`, `r#as`.
pub fn service_module(service: &str) -> String {
    ident(&service.replace('-', "_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_splits_words_and_acronyms() {
        for (from, to) in [
            ("InstanceIds", "instance_ids"),
            ("CPU", "cpu"),
            ("CPUCount", "cpu_count"),
            ("InstanceID", "instance_id"),
            ("DNSFormat", "dns_format"),
            ("DnsFormat", "dns_format"),
            ("Ipv6Address", "ipv6_address"),
            ("Vpc2Id", "vpc2_id"),
            ("Foo_Bar", "foo_bar"),
            ("limit", "limit"),
            ("UUI", "uui"),
            ("Uui", "uui"),
        ] {
            assert_eq!(snake_case(from), to, "{from}");
        }
    }

    #[test]
    fn keywords_become_raw_or_suffixed() {
        assert_eq!(ident("type"), "r#type");
        assert_eq!(ident("match"), "r#match");
        assert_eq!(ident("async"), "r#async");
        assert_eq!(ident("as"), "r#as");
        assert_eq!(ident("gen"), "r#gen");
        for kw in ["super", "self", "crate", "Self"] {
            assert_eq!(ident(kw), format!("{kw}_"));
        }
        assert_eq!(ident("9lives"), "n9lives");
        assert_eq!(field_idents(["Type", "Super", "AS", "Where"]), ["r#type", "super_", "r#as", "r#where"]);
        assert_eq!(type_ident("Self"), "Self_");
        assert_eq!(type_ident("Option"), "Option");
    }

    #[test]
    fn case_collisions_are_numbered_in_spec_order() {
        assert_eq!(
            field_idents(["InstanceId", "InstanceID", "Uui", "UUI", "Name"]),
            ["instance_id", "instance_id_2", "uui", "uui_2", "name"]
        );
        // A numbered name that is itself taken moves on.
        assert_eq!(field_idents(["A", "a", "A_2"]), ["a", "a_2", "a_2_2"]);
        // A raw keyword and its suffixed collision stay distinct.
        assert_eq!(field_idents(["Type", "TYPE"]), ["r#type", "type_2"]);
    }

    #[test]
    fn setters_and_accessors_never_clash() {
        let names = |idents: &[&str]| {
            let idents: Vec<String> = idents.iter().map(|s| (*s).to_owned()).collect();
            field_methods(&idents).into_iter().map(|m| (m.setter, m.accessor)).collect::<Vec<_>>()
        };
        let pairs = |v: &[(&str, &str)]| v.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect::<Vec<_>>();
        assert_eq!(
            names(&["instance_ids", "r#type", "super_", "type_2"]),
            pairs(&[
                ("set_instance_ids", "instance_ids"),
                ("set_type", "r#type"),
                ("set_super", "super_"),
                ("set_type_2", "type_2")
            ])
        );
        // Reserved names and another field's setter move the accessor, never the setter.
        assert_eq!(
            names(&["clone", "new", "default", "type_id", "from"]),
            pairs(&[
                ("set_clone", "clone_value"),
                ("set_new", "new_value"),
                ("set_default", "default_value"),
                ("set_type_id", "type_id_value"),
                ("set_from", "from_value")
            ])
        );
        assert_eq!(
            names(&["set_value", "value", "set_value_value"]),
            pairs(&[
                ("set_set_value", "set_value_value_2"),
                ("set_value", "value"),
                ("set_set_value_value", "set_value_value")
            ])
        );
        // A field whose setter would be another field's setter (`SetX` and `X`): never two
        // methods of one name.
        let idents: Vec<String> = ["x", "set_x", "set_set_x", "clone", "clone_value"].map(String::from).to_vec();
        let m = field_methods(&idents);
        let mut all: Vec<&str> = m.iter().flat_map(|m| [m.setter.as_str(), m.accessor.as_str()]).collect();
        all.push("new");
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n, "{m:?}");
    }

    #[test]
    fn crate_names() {
        assert_eq!(crate_name("cvm"), "tencentcloud-cvm");
        assert_eq!(crate_name("as"), "tencentcloud-as");
        assert_eq!(lib_name("as"), "tencentcloud_as");
        assert_eq!(crate_name("api"), "tencentcloud-api-service");
        assert_eq!(service_module("as"), "r#as");
    }
}
