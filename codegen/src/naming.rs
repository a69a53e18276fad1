//! Rust names for spec names: fields in snake_case (keywords raw or suffixed, case
//! collisions numbered), types as in the spec, crate names per service.

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
    fn crate_names() {
        assert_eq!(crate_name("cvm"), "tencentcloud-cvm");
        assert_eq!(crate_name("as"), "tencentcloud-as");
        assert_eq!(lib_name("as"), "tencentcloud_as");
        assert_eq!(crate_name("api"), "tencentcloud-api-service");
        assert_eq!(service_module("as"), "r#as");
    }
}
