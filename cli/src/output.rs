//! How a response is printed: `--filter` (JMESPath) then `--output json|table|text`.

use clap::{Args, ValueEnum};
use serde_json::Value;

/// Output format (`json`, as tccli prints it: 4-space indent, text unescaped).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Indented JSON.
    #[default]
    Json,
    /// Aligned columns: one row per object of a list.
    Table,
    /// Tab-separated values, one line per object or list of scalars.
    Text,
}

/// The output flags shared by `tcloud call` and the service commands.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Output format [default: json; for service commands the tccli profile's `output`].
    #[arg(long, value_enum)]
    pub output: Option<Format>,
    /// A JMESPath expression applied to the `Response` object, e.g. `InstanceSet[].InstanceId`.
    #[arg(long, value_name = "JMESPATH")]
    pub filter: Option<String>,
}

impl OutputArgs {
    /// Checks the filter expression before anything is sent.
    pub fn check(&self) -> Result<(), String> {
        match &self.filter {
            Some(expr) => jmespath::compile(expr).map(|_| ()).map_err(|e| format!("--filter: {e}")),
            None => Ok(()),
        }
    }

    /// Filters and formats `response`.
    pub fn render(&self, response: &Value) -> Result<String, String> {
        let value = match &self.filter {
            Some(expr) => filter(expr, response)?,
            None => response.clone(),
        };
        Ok(match self.output.unwrap_or_default() {
            // tccli's layout: 4-space indent, text as is (`json.dumps(..., ensure_ascii=False, indent=4)`).
            Format::Json => crate::skeleton::pretty4(&value),
            Format::Text => {
                let mut out = Vec::new();
                text(&value, &mut out);
                out.join("\n")
            }
            Format::Table => table(&value),
        })
    }
}

fn filter(expr: &str, value: &Value) -> Result<Value, String> {
    let compiled = jmespath::compile(expr).map_err(|e| format!("--filter: {e}"))?;
    let data = jmespath::Variable::from_serializable(value).map_err(|e| format!("--filter: {e}"))?;
    let result = compiled.search(data).map_err(|e| format!("--filter: {e}"))?;
    serde_json::to_value(&*result).map_err(|e| format!("--filter: {e}"))
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => Some("None".to_owned()),
        Value::Bool(_) | Value::Number(_) => Some(v.to_string()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// Lines of tab-separated values: an object's scalars on one line, then its nested values; a list
/// of scalars on one line; a list of objects one line each.
fn text(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Array(items) if items.iter().all(|i| scalar(i).is_some()) => {
            out.push(items.iter().filter_map(scalar).collect::<Vec<_>>().join("\t"));
        }
        Value::Array(items) => items.iter().for_each(|i| text(i, out)),
        Value::Object(map) => {
            let line: Vec<String> = map.values().filter_map(scalar).collect();
            if !line.is_empty() {
                out.push(line.join("\t"));
            }
            map.values().filter(|v| scalar(v).is_none()).for_each(|v| text(v, out));
        }
        other => out.extend(scalar(other)),
    }
}

/// An aligned table: a list of objects as rows (columns: their scalar members), an object as
/// name/value rows followed by a table per list of objects it holds.
fn table(v: &Value) -> String {
    match v {
        Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => {
            let mut columns: Vec<&str> = Vec::new();
            for item in items.iter().filter_map(Value::as_object) {
                for (k, v) in item {
                    if scalar(v).is_some() && !columns.contains(&k.as_str()) {
                        columns.push(k);
                    }
                }
            }
            let rows: Vec<Vec<String>> = items
                .iter()
                .map(|i| columns.iter().map(|c| i.get(*c).and_then(scalar).unwrap_or_default()).collect())
                .collect();
            grid(&columns.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>(), &rows)
        }
        Value::Array(items) => grid(&["Value".to_owned()], &items.iter().map(|i| vec![cell(i)]).collect::<Vec<_>>()),
        Value::Object(map) => {
            let rows: Vec<Vec<String>> =
                map.iter().filter_map(|(k, v)| scalar(v).map(|s| vec![k.clone(), s])).collect();
            let mut out = if rows.is_empty() { String::new() } else { grid(&["Name".into(), "Value".into()], &rows) };
            for (k, v) in map.iter().filter(|(_, v)| scalar(v).is_none()) {
                out.push_str(&format!("\n{k}\n{}", table(v)));
            }
            out
        }
        other => cell(other),
    }
}

fn cell(v: &Value) -> String {
    scalar(v).unwrap_or_else(|| v.to_string())
}

fn grid(header: &[String], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).chain([header[i].chars().count()]).max().unwrap_or(0))
        .collect();
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        format!("| {} |", padded.join(" | "))
    };
    let rule = format!("+{}+", widths.iter().map(|w| "-".repeat(w + 2)).collect::<Vec<_>>().join("+"));
    let mut out = vec![rule.clone(), line(header), rule.clone()];
    out.extend(rows.iter().map(|r| line(r)));
    out.push(rule);
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn args(output: Format, filter: Option<&str>) -> OutputArgs {
        OutputArgs { output: Some(output), filter: filter.map(str::to_owned) }
    }

    #[test]
    fn filter_and_formats() {
        let resp = json!({"TotalCount": 2, "InstanceSet": [{"InstanceId": "ins-1", "CPU": 2}, {"InstanceId": "ins-2", "CPU": 4}], "RequestId": "r"});
        assert_eq!(
            args(Format::Json, Some("InstanceSet[].InstanceId")).render(&resp).unwrap(),
            "[\n    \"ins-1\",\n    \"ins-2\"\n]"
        );
        assert_eq!(args(Format::Text, Some("InstanceSet[].InstanceId")).render(&resp).unwrap(), "ins-1\tins-2");
        // Unfiltered, members keep the server's order; the JMESPath engine sorts them.
        assert_eq!(args(Format::Text, None).render(&resp).unwrap(), "2\tr\nins-1\t2\nins-2\t4");
        assert_eq!(args(Format::Text, Some("InstanceSet")).render(&resp).unwrap(), "2\tins-1\n4\tins-2");
        let t = args(Format::Table, Some("InstanceSet")).render(&resp).unwrap();
        assert_eq!(t.lines().nth(1).unwrap(), "| CPU | InstanceId |");
        assert_eq!(t.lines().nth(3).unwrap(), "| 2   | ins-1      |");
        assert!(args(Format::Table, None).render(&resp).unwrap().contains("InstanceSet\n+"));
        assert!(args(Format::Json, Some("InstanceSet[")).check().unwrap_err().starts_with("--filter: "));
    }
}
