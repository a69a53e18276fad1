//! Spec documentation (Markdown mixed with HTML) to plain doc-comment text: tags stripped,
//! links kept as Markdown links, entities decoded, and nothing rustdoc could run as a
//! doctest (every fence becomes ```` ```text ````, no line is indented).

/// Sentences the specs repeat on thousands of members that say nothing in Rust (every
/// field is an `Option` already); removed.
const NOISE: &[&str] =
    &["注意：此字段可能返回 null，表示取不到有效值。", "注意：此字段可能返回 null，表示取不到有效值"];

/// Cleans `doc` into doc-comment lines (without the `///`).
pub fn clean(doc: &str) -> Vec<String> {
    let mut text = strip_html(doc);
    for n in NOISE {
        text = text.replace(n, "");
    }
    let mut lines = Vec::new();
    let mut in_fence = false;
    let mut blank = true;
    for raw in text.lines() {
        let line = raw.trim();
        if let Some(rest) = line.strip_prefix("```").or_else(|| line.strip_prefix("~~~")) {
            // A fence: opened as text (never a doctest), closed plainly; text after an
            // opening fence goes inside the block.
            let rest = rest.trim_start_matches(['`', '~']);
            let info_only = rest.chars().all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c));
            if in_fence {
                lines.push("```".to_owned());
                in_fence = false;
                if !info_only {
                    lines.push(neutralise(rest));
                }
            } else {
                lines.push("```text".to_owned());
                in_fence = true;
                if !info_only {
                    lines.push(neutralise(rest));
                }
            }
            blank = false;
            continue;
        }
        // A fence anywhere else (after a list marker, inline) could open a block rustdoc
        // would run: neutralised.
        let line = neutralise(line);
        if line.is_empty() {
            if !blank && !in_fence {
                lines.push(String::new());
            }
            blank = true;
            continue;
        }
        blank = false;
        lines.push(line);
    }
    if in_fence {
        lines.push("```".to_owned());
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// Backtick or tilde runs that could open a code block become `'''`.
fn neutralise(s: &str) -> String {
    s.replace("```", "'''").replace("~~~", "'''")
}

/// Writes `lines` as `///` doc comments with `indent`.
pub fn write_doc(out: &mut String, indent: &str, lines: &[String]) {
    for l in lines {
        out.push_str(indent);
        if l.is_empty() {
            out.push_str("///\n");
        } else {
            out.push_str("/// ");
            out.push_str(l);
            out.push('\n');
        }
    }
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.bytes().take(10).position(|b| b == b';');
        let decoded = end.and_then(|e| {
            let ent = &rest[1..e];
            let c = match ent {
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => ' ',
                _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                    char::from_u32(u32::from_str_radix(&ent[2..], 16).ok()?)?
                }
                _ if ent.starts_with('#') => char::from_u32(ent[1..].parse().ok()?)?,
                _ => return None,
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `href` of an `<a ...>` tag's inside.
fn href(tag: &str) -> Option<String> {
    let i = tag.find("href=")?;
    let rest = &tag[i + 5..];
    let url = match rest.chars().next() {
        Some(q @ ('"' | '\'')) => rest[1..].split(q).next()?,
        _ => rest.split_whitespace().next()?,
    };
    Some(decode_entities(url))
}

/// Removes HTML tags, keeping their meaning where it matters for reading: paragraphs and
/// breaks become new lines, list items `- `, `<code>` backticks, `<pre>` a text fence,
/// `<a href>` a Markdown link. Text that only looks like a tag (`<公共请求参数>`, `a < b`)
/// stays.
pub fn strip_html(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    let mut rest = doc;
    let mut link: Option<(String, usize)> = None;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let is_tag = rest[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!');
        let end = rest.find('>');
        let (Some(end), true) = (end, is_tag) else {
            out.push('<');
            rest = &rest[1..];
            continue;
        };
        let inner = &rest[1..end];
        rest = &rest[end + 1..];
        let closing = inner.starts_with('/');
        let name: String = inner
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match (name.as_str(), closing) {
            ("a", false) => link = href(inner).map(|u| (u, out.len())),
            ("a", true) => {
                if let Some((url, start)) = link.take() {
                    let text = out[start..].trim().to_owned();
                    out.truncate(start);
                    if text.is_empty() || text == url {
                        out.push_str(&url);
                    } else {
                        out.push_str(&format!("[{text}]({url})"));
                    }
                }
            }
            ("br" | "p" | "div" | "tr" | "ul" | "ol" | "table" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6", _) => {
                out.push('\n')
            }
            ("li", false) => out.push_str("\n- "),
            ("code", _) => out.push('`'),
            ("pre", false) => out.push_str("\n```\n"),
            ("pre", true) => out.push_str("\n```\n"),
            ("td" | "th", _) => out.push(' '),
            _ => {}
        }
    }
    out.push_str(rest);
    decode_entities(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_stripped_and_links_kept() {
        let doc = "<p>按照【<strong>可用区</strong>】过滤。</p><p style=\"x\">可选项：<a href=\"https://example.com/6091\">可用区列表</a></p>";
        assert_eq!(clean(doc), ["按照【可用区】过滤。", "", "可选项：[可用区列表](https://example.com/6091)"]);
        assert_eq!(clean("<ul><li>a</li><li>b &amp; c&lt;d&gt;</li></ul>"), ["- a", "- b & c<d>"]);
        assert_eq!(clean("see <code>Limit</code>"), ["see `Limit`"]);
        assert_eq!(clean("a<br/>b"), ["a", "b"]);
        assert_eq!(clean("<a href=u>x</a><a href=>y</a><a href=\"类"), ["[x](u)y<a href=\"类"]);
        assert_eq!(clean("<a href='u'>u</a>"), ["u"]);
        // Not tags: kept.
        assert_eq!(clean("<公共请求参数> and 1 < 2"), ["<公共请求参数> and 1 < 2"]);
        assert_eq!(clean("x &unknown; &#65;&#x42;"), ["x &unknown; AB"]);
        assert_eq!(clean("&类型类型;"), ["&类型类型;"]);
    }

    #[test]
    fn noise_is_removed() {
        assert_eq!(clean("实例ID。\n注意：此字段可能返回 null，表示取不到有效值。"), ["实例ID。"]);
    }

    #[test]
    fn code_never_becomes_a_doctest() {
        let doc = "Example:\n```json\n{\"a\": 1}\n```\nand\n    let x = 1;\n<pre>fn main() {}</pre>";
        let lines = clean(doc);
        assert_eq!(
            lines,
            ["Example:", "```text", "{\"a\": 1}", "```", "and", "let x = 1;", "", "```text", "fn main() {}", "```"]
        );
        // An unclosed fence is closed.
        assert_eq!(clean("```\ncode"), ["```text", "code", "```"]);
        assert_eq!(clean("```json {\"a\": 1}\n```"), ["```text", "json {\"a\": 1}", "```"]);
        assert_eq!(clean("- ```\nx"), ["- '''", "x"]);
        assert!(lines.iter().all(|l| !l.starts_with(' ') && !l.starts_with('\t')));
    }

    #[test]
    fn doc_lines_are_written_as_comments() {
        let mut out = String::new();
        write_doc(&mut out, "    ", &clean("a\n\n\n\nb"));
        assert_eq!(out, "    /// a\n    ///\n    /// b\n");
    }
}
