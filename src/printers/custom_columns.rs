//! `-o custom-columns=HEADER:.path,…`: one row per object, values joined by commas,
//! `<none>` where the path finds nothing.

use serde_json::Value;

use super::columns::TableLayout;
use super::jsonpath::JsonPath;
use super::PrinterError;

#[derive(Debug, Clone)]
pub struct CustomColumns {
    columns: Vec<(String, JsonPath)>,
}

impl CustomColumns {
    pub fn parse(spec: &str) -> Result<CustomColumns, PrinterError> {
        if spec.is_empty() {
            return Err(PrinterError::NoColumns);
        }
        let mut columns = Vec::new();
        for part in spec.split(',') {
            let (header, path) = part.split_once(':').ok_or_else(|| PrinterError::BadColumn(part.to_string()))?;
            let template = relaxed(path);
            let parsed = JsonPath::parse(&template)
                .map_err(|source| PrinterError::JsonPath { template: template.clone(), source })?;
            columns.push((header.to_string(), parsed));
        }
        Ok(CustomColumns { columns })
    }

    pub fn render(&self, objects: &[Value], with_headers: bool) -> String {
        let header = with_headers.then(|| self.columns.iter().map(|(h, _)| h.clone()).collect());
        let rows = objects.iter().map(|object| {
            self.columns
                .iter()
                .map(|(_, path)| {
                    let values = path.values(object);
                    if values.is_empty() {
                        "<none>".to_string()
                    } else {
                        values.iter().map(go_format).collect::<Vec<_>>().join(",")
                    }
                })
                .collect()
        });
        let lines: Vec<Vec<String>> = header.into_iter().chain(rows).collect();
        TableLayout::new().render(&lines)
    }
}

/// A value as Go's `%v` prints it: maps as `map[k:v]` (keys sorted), lists as `[a b]`.
pub fn go_format(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".to_string(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => format!("[{}]", items.iter().map(go_format).collect::<Vec<_>>().join(" ")),
        Value::Object(map) => {
            let inner: Vec<String> = map.iter().map(|(k, v)| format!("{k}:{}", go_format(v))).collect();
            format!("map[{}]", inner.join(" "))
        }
    }
}

/// kubectl's relaxed paths: `.a.b`, `a.b` and `{.a.b}` all mean `{.a.b}`.
fn relaxed(path: &str) -> String {
    let path = path.trim();
    if path.starts_with('{') {
        return path.to_string();
    }
    let path = path.strip_prefix('.').unwrap_or(path);
    format!("{{.{path}}}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_row_per_object_with_none_for_missing_values() {
        let columns = CustomColumns::parse("N:.metadata.name,IMG:.spec.containers[*].image,X:.nope").unwrap();
        let pod = json!({"metadata": {"name": "p1"}, "spec": {"containers": [{"image": "a"}, {"image": "b"}]}});
        assert_eq!(columns.render(&[pod], true), "N     IMG   X\np1    a,b   <none>\n");
    }

    #[test]
    fn maps_print_as_go_does() {
        assert_eq!(go_format(&json!({"b": "2", "a": ["x", 1]})), "map[a:[x 1] b:2]");
    }
}
