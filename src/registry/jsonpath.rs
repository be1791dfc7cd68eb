//! The JSONPath subset CustomResourceDefinitions use in printer columns, scale paths and
//! selectable fields: `.a.b`, `.a[0]`, `.a[*].b`, `['a.b']` and filters
//! `[?(@.type=="Ready")]`. Paths that use anything else find nothing.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Field(String),
    Index(usize),
    All,
    /// `[?(@.path=="value")]`
    Equals(Vec<String>, String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported JSONPath {0:?}")]
pub struct JsonPathError(String);

/// A parsed path, evaluated many times (once per row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    steps: Vec<Step>,
}

impl JsonPath {
    pub fn parse(text: &str) -> Result<JsonPath, JsonPathError> {
        let err = || JsonPathError(text.to_string());
        let body = text.trim().trim_start_matches('{').trim_end_matches('}').trim();
        let body = body.strip_prefix('$').unwrap_or(body);
        let chars: Vec<char> = body.chars().collect();
        let mut steps = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '.' => {
                    let start = i + 1;
                    i = start;
                    while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                        i += 1;
                    }
                    let name: String = chars[start..i].iter().collect();
                    if name.is_empty() {
                        return Err(err());
                    }
                    steps.push(if name == "*" { Step::All } else { Step::Field(name) });
                }
                '[' => {
                    let close = chars[i..].iter().position(|c| *c == ']').ok_or_else(err)? + i;
                    let inner: String = chars[i + 1..close].iter().collect();
                    let inner = inner.trim();
                    steps.push(if inner == "*" {
                        Step::All
                    } else if let Ok(index) = inner.parse::<usize>() {
                        Step::Index(index)
                    } else if let Some(quoted) = inner
                        .strip_prefix('\'')
                        .and_then(|s| s.strip_suffix('\''))
                        .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
                    {
                        Step::Field(quoted.to_string())
                    } else if let Some(filter) = inner.strip_prefix("?(@.").and_then(|s| s.strip_suffix(')')) {
                        let (path, value) = filter.split_once("==").ok_or_else(err)?;
                        let value = value.trim().trim_matches(|c| c == '"' || c == '\'').to_string();
                        Step::Equals(path.trim().split('.').map(str::to_string).collect(), value)
                    } else {
                        return Err(err());
                    });
                    i = close + 1;
                }
                _ => return Err(err()),
            }
        }
        Ok(JsonPath { steps })
    }

    /// Every value the path reaches, in document order.
    pub fn find<'a>(&self, root: &'a Value) -> Vec<&'a Value> {
        let mut current = vec![root];
        for step in &self.steps {
            let mut next = Vec::new();
            for value in current {
                match step {
                    Step::Field(name) => next.extend(value.get(name.as_str())),
                    Step::Index(index) => next.extend(value.get(*index)),
                    Step::All => match value {
                        Value::Array(items) => next.extend(items.iter()),
                        Value::Object(map) => next.extend(map.values()),
                        _ => {}
                    },
                    Step::Equals(path, expected) => {
                        let Value::Array(items) = value else { continue };
                        next.extend(items.iter().filter(|item| {
                            let found = path.iter().try_fold(*item, |v, key| v.get(key.as_str()));
                            match found {
                                Some(Value::String(s)) => s == expected,
                                Some(other) => other.to_string() == *expected,
                                None => false,
                            }
                        }));
                    }
                }
            }
            current = next;
        }
        current
    }

    /// The first value the path reaches.
    pub fn first<'a>(&self, root: &'a Value) -> Option<&'a Value> {
        self.find(root).into_iter().next()
    }

    /// The field names of a path made of fields only (`.spec.replicas` → spec, replicas),
    /// for writing through it.
    pub fn fields(&self) -> Option<Vec<&str>> {
        self.steps
            .iter()
            .map(|step| match step {
                Step::Field(name) => Some(name.as_str()),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_find_fields_indexes_and_filtered_items() {
        let object = json!({"spec": {"replicas": 3, "list": [{"a": 1}, {"a": 2}]},
            "status": {"conditions": [{"type": "Ready", "status": "True"}, {"type": "Other", "status": "False"}]},
            "metadata": {"labels": {"app.kubernetes.io/name": "x"}}});
        let first = |p: &str| JsonPath::parse(p).unwrap().first(&object).cloned();
        assert_eq!(first(".spec.replicas"), Some(json!(3)));
        assert_eq!(first(".spec.list[1].a"), Some(json!(2)));
        assert_eq!(first(".spec.list[*].a"), Some(json!(1)));
        assert_eq!(first(".status.conditions[?(@.type==\"Other\")].status"), Some(json!("False")));
        assert_eq!(first(".metadata.labels['app.kubernetes.io/name']"), Some(json!("x")));
        assert_eq!(first(".spec.missing"), None);
        assert!(JsonPath::parse("spec").is_err());
        assert_eq!(JsonPath::parse(".spec.replicas").unwrap().fields(), Some(vec!["spec", "replicas"]));
    }
}
