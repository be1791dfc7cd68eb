//! Field selectors: the query-string form (`spec.nodeName=n1,status.phase!=Running`).
//! Label selectors are machinery's (`crate::machinery::labels`).

use serde_json::Value;

use crate::registry::strategy::SelectableField;
use crate::registry::ResourceInfo;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    #[error("unable to parse requirement: {0}")]
    Syntax(String),
    /// A label the resource's field set does not have, in upstream's words.
    #[error("{0}")]
    Unsupported(String),
}

/// Splits on commas that are not inside parentheses.
fn split_top_level(text: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter().map(str::trim).filter(|p| !p.is_empty()).collect()
}

/// What a term of a field selector reads of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Field {
    /// A field of a built-in kind's field set.
    Builtin(&'static SelectableField),
    /// A custom resource's selectable field (or its metadata), at the dotted path its label
    /// names; absent reads as "".
    Custom(String),
}

impl Field {
    fn value(&self, object: &Value) -> String {
        match self {
            Field::Builtin(field) => field.value(object),
            Field::Custom(path) => match path.split('.').try_fold(object, |value, key| value.get(key)) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            },
        }
    }
}

/// One `label=value` or `label!=value` requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    label: String,
    equal: bool,
    value: String,
    field: Field,
}

/// A parsed field selector: `field=value` / `field!=value` terms, all required, each bound to
/// how its resource's field set reads the field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector(Vec<Term>);

impl FieldSelector {
    /// The selector `text` for objects of `resource`: a label outside the resource's field set
    /// is refused in upstream's words (`field label not supported: x`).
    pub fn parse(text: &str, resource: &ResourceInfo) -> Result<FieldSelector, SelectorError> {
        let mut terms = Vec::new();
        for part in split_top_level(text) {
            let (label, equal, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = part.split_once("==") {
                (f, true, v)
            } else if let Some((f, v)) = part.split_once('=') {
                (f, true, v)
            } else {
                return Err(SelectorError::Syntax(part.to_string()));
            };
            let label = label.trim();
            let field = match resource.custom {
                Some(_) if resource.selects_field(label) => Field::Custom(label.to_string()),
                Some(_) => return Err(SelectorError::Unsupported(format!("field label not supported: {label}"))),
                None => Field::Builtin(resource.strategy.field_set().field(label).map_err(SelectorError::Unsupported)?),
            };
            terms.push(Term { label: label.to_string(), equal, value: value.trim().to_string(), field });
        }
        Ok(FieldSelector(terms))
    }

    /// Selects everything.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The labels a selector names.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|term| term.label.as_str())
    }

    /// What the selector reads of an object, as paths of segments (what a watch decodes).
    pub fn paths(&self) -> Vec<Vec<&str>> {
        let mut paths = Vec::new();
        for term in &self.0 {
            match &term.field {
                Field::Builtin(field) => paths.extend(field.paths().map(|path| path.collect())),
                Field::Custom(path) => paths.push(path.split('.').collect()),
            }
        }
        paths
    }

    /// The value the selector requires `field` to equal, if it does.
    pub fn required_value(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|term| term.label == field && term.equal).map(|term| term.value.as_str())
    }

    pub fn matches(&self, object: &Value) -> bool {
        self.0.iter().all(|term| (term.field.value(object) == term.value) == term.equal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::by_plural;
    use serde_json::json;

    fn selector(plural: &str, text: &str) -> Result<FieldSelector, SelectorError> {
        let resource = by_plural("", "v1", plural).expect("registered");
        FieldSelector::parse(text, resource)
    }

    #[test]
    fn field_selectors_compare_field_values() {
        let pod = json!({"metadata": {"name": "a"}, "spec": {"nodeName": "n1"}, "status": {"phase": "Running"}});
        assert!(selector("pods", "spec.nodeName=n1,status.phase!=Pending").unwrap().matches(&pod));
        assert!(!selector("pods", "metadata.name=b").unwrap().matches(&pod));
        assert!(selector("pods", "spec.nodeName=").unwrap().matches(&json!({"spec": {}})));
    }

    #[test]
    fn absent_fields_select_as_go_zero_values() {
        let node = json!({"metadata": {"name": "n"}, "spec": {}});
        assert!(selector("nodes", "spec.unschedulable=false").unwrap().matches(&node));
        assert!(!selector("nodes", "spec.unschedulable=true").unwrap().matches(&node));
        assert!(selector("pods", "spec.hostNetwork=false").unwrap().matches(&json!({"spec": {}})));
        assert!(selector("replicationcontrollers", "status.replicas=0").unwrap().matches(&json!({"spec": {}})));
        let event = json!({"source": {"component": "kubelet"}, "involvedObject": {"kind": "Pod"}});
        assert!(selector("events", "source=kubelet,involvedObject.kind=Pod").unwrap().matches(&event));
    }

    #[test]
    fn labels_outside_the_field_set_are_refused() {
        assert_eq!(
            selector("pods", "spec.containers=x"),
            Err(SelectorError::Unsupported("field label not supported: spec.containers".into()))
        );
        assert_eq!(
            selector("nodes", "metadata.namespace=x").unwrap_err().to_string(),
            "field label not supported: metadata.namespace"
        );
        assert!(matches!(selector("pods", "spec.nodeName"), Err(SelectorError::Syntax(_))));
    }
}
