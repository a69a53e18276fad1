//! English documentation from the international edition of the specs (the `tccli-intl-en`
//! package, fetched by `codegen/fetch-specs.sh` into `specs-intl/`).
//!
//! The rule: where the international edition has the same service folder, version, and
//! action, object or member (by name), and its description is non-empty and free of Chinese
//! characters, the generated rustdoc uses it; elsewhere it stays Chinese. The Chinese text
//! stays in the spec model (`document`), so the secret rule ([`crate::secret`]) and the
//! schema data (`tcloud help`, the emulator) are unchanged, and still read it.
//!
//! ```
//! use tencentcloud_codegen::{english, spec};
//! let mut specs = spec::Specs::default();
//! let share = english::overlay(&mut specs, &spec::Specs::default());
//! assert_eq!(share.actions, (0, 0));
//! ```
use crate::spec::{Api, Specs};
use std::fmt;

/// How much of the output is documented in English: `(in English, in all)` per kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    /// Actions (their request type's doc).
    pub actions: (usize, usize),
    /// Objects that are not an action's request or response (those have English docs too,
    /// not counted here).
    pub objects: (usize, usize),
    /// Fields of every object.
    pub fields: (usize, usize),
}

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct = |(a, b): (usize, usize)| if b == 0 { 0.0 } else { 100.0 * a as f64 / b as f64 };
        write!(
            f,
            "English docs: {} of {} actions ({:.1}%), {} of {} objects ({:.1}%), {} of {} fields ({:.1}%)",
            self.actions.0,
            self.actions.1,
            pct(self.actions),
            self.objects.0,
            self.objects.1,
            pct(self.objects),
            self.fields.0,
            self.fields.1,
            pct(self.fields)
        )
    }
}

/// Whether `text` can stand as the English doc: not empty, no CJK ideograph.
pub fn is_english(text: &str) -> bool {
    !text.trim().is_empty() && !text.chars().any(is_cjk)
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}')
}

/// Sets the English docs of `specs` from `intl` (the international edition), by the rule
/// above, and counts them.
pub fn overlay(specs: &mut Specs, intl: &Specs) -> Share {
    let mut share = Share::default();
    for svc in &mut specs.services {
        let intl_svc = intl.services.iter().find(|s| s.folder == svc.folder);
        for v in &mut svc.versions {
            let intl_api = intl_svc.and_then(|s| s.versions.iter().find(|iv| iv.module == v.module)).map(|iv| &iv.api);
            overlay_api(&mut v.api, intl_api, &mut share);
        }
    }
    share
}

fn overlay_api(api: &mut Api, intl: Option<&Api>, share: &mut Share) {
    let english = |text: &str| is_english(text).then(|| text.to_owned());
    let mut messages = std::collections::BTreeSet::new();
    for (name, action) in &mut api.actions {
        messages.insert(action.input.clone());
        messages.insert(action.output.clone());
        share.actions.1 += 1;
        let found = intl.and_then(|i| i.actions.get(name)).and_then(|ia| {
            let doc = english(&ia.document)?;
            Some((doc, english(&ia.name).unwrap_or_default()))
        });
        share.actions.0 += usize::from(found.is_some());
        action.english = found;
    }
    for (name, obj) in &mut api.objects {
        let intl_obj = intl.and_then(|i| i.objects.get(name));
        obj.document_en = intl_obj.and_then(|io| english(&io.document));
        if !messages.contains(name) {
            share.objects.1 += 1;
            share.objects.0 += usize::from(obj.document_en.is_some());
        }
        for m in &mut obj.members {
            share.fields.1 += 1;
            m.document_en = intl_obj
                .and_then(|io| io.members.iter().find(|im| im.name == m.name))
                .and_then(|im| english(&im.document));
            share.fields.0 += usize::from(m.document_en.is_some());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Service, ServiceVersion};

    fn api(json: serde_json::Value) -> Api {
        serde_json::from_value(json).unwrap()
    }

    fn specs(folder: &str, module: &str, a: Api) -> Specs {
        Specs {
            services: vec![Service {
                folder: folder.into(),
                name: folder.into(),
                versions: vec![ServiceVersion {
                    module: module.into(),
                    version: "2017-03-12".into(),
                    api: a,
                    examples: Default::default(),
                }],
            }],
        }
    }

    fn cvm(doc: &str, name: &str, field_doc: &str) -> Api {
        api(serde_json::json!({
            "metadata": {"apiVersion": "2017-03-12", "serviceShortName": "cvm"},
            "actions": {"DescribeInstances": {"document": doc, "name": name,
                "input": "DescribeInstancesRequest", "output": "DescribeInstancesResponse"}},
            "objects": {
                "DescribeInstancesRequest": {"document": "", "members": [
                    {"name": "Limit", "type": "int", "member": "int64", "document": field_doc},
                    {"name": "Offset", "type": "int", "member": "int64", "document": "偏移量。"}]},
                "DescribeInstancesResponse": {"document": "", "members": []},
                "Filter": {"document": "过滤器", "members": []}
            }
        }))
    }

    #[test]
    fn english_where_the_same_names_have_it_chinese_elsewhere() {
        let mut ours = specs("cvm", "v20170312", cvm("查看实例列表。", "查看实例列表", "返回数量。"));
        let mut theirs_api =
            cvm("This API is used to query instances.", "Views the list of instances", "Number of results.");
        // The international edition documents Offset in Chinese and lacks Filter's doc.
        theirs_api.objects.get_mut("Filter").unwrap().document.clear();
        let theirs = specs("cvm", "v20170312", theirs_api);
        let share = overlay(&mut ours, &theirs);
        assert_eq!(share, Share { actions: (1, 1), objects: (0, 1), fields: (1, 2) });
        let api = &ours.services[0].versions[0].api;
        let a = &api.actions["DescribeInstances"];
        assert_eq!(a.doc(), "This API is used to query instances.");
        assert_eq!(a.display_name(), "Views the list of instances");
        assert_eq!(a.document, "查看实例列表。", "the Chinese text is kept");
        let req = &api.objects["DescribeInstancesRequest"];
        assert_eq!(req.members[0].doc(), "Number of results.");
        assert_eq!(req.members[1].doc(), "偏移量。");
        assert_eq!(api.objects["Filter"].doc(), "过滤器");
    }

    #[test]
    fn another_version_or_service_is_not_matched() {
        let mut ours = specs("cvm", "v20170312", cvm("查看。", "查看", "数量。"));
        let other_version = specs("cvm", "v20990101", cvm("English.", "English", "English."));
        assert_eq!(overlay(&mut ours, &other_version).actions, (0, 1));
        let other_service = specs("lighthouse", "v20170312", cvm("English.", "English", "English."));
        assert_eq!(overlay(&mut ours, &other_service).fields, (0, 2));
        assert_eq!(ours.services[0].versions[0].api.actions["DescribeInstances"].doc(), "查看。");
    }

    #[test]
    fn chinese_or_empty_text_is_not_english() {
        assert!(is_english("Number of results (`Limit`), 0-100."));
        assert!(!is_english(""));
        assert!(!is_english("  \n"));
        assert!(!is_english("Number of results，最大100"));
        assert!(!is_english("（单位：秒）"));
    }
}
