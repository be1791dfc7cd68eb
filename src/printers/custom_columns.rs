//! `-o custom-columns=HEADER:.path,…`: one row per object, values joined by commas,
//! `<none>` where the path finds nothing.

use serde_json::Value;

use super::columns::TableLayout;
use super::PrinterError;
use crate::machinery::gotext::go_format;
use crate::machinery::jsonpath::{self, JsonPath};

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
            let template = jsonpath::relaxed(path.trim())
                .map_err(|source| PrinterError::JsonPath { template: path.to_string(), source })?;
            let parsed = JsonPath::parse(&template)
                .map_err(|source| PrinterError::JsonPath { template: template.clone(), source })?;
            columns.push((header.to_string(), parsed.allow_missing_keys(true)));
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
}
