//! Duplicate fields in a JSON or YAML body (`{"a": 1, "a": 2}`): parsing keeps the last
//! silently, so they are found by a separate pass over the raw bytes, for
//! `fieldValidation` to refuse (Strict) or warn about (Warn), of built-in kinds and
//! custom resources alike.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Upstream's strict decoding errors for the duplicates in a request body: for JSON (and
/// JSON merge patches) `duplicate field "spec.replicas"` each, as sigs.k8s.io/json words
/// them; for YAML one error, go-yaml's strict unmarshal error (`yaml: unmarshal errors:`
/// then a line per duplicated key). Other bodies (JSON patches, protobuf) have none.
pub fn strict_errors(content_type: &str, body: &[u8]) -> Vec<String> {
    match content_type {
        "" | "application/json" | "application/merge-patch+json" => {
            duplicate_fields(body).iter().map(|f| format!("duplicate field \"{f}\"")).collect()
        }
        "application/yaml" | "application/x-yaml" | "text/yaml" => {
            let lines = yaml_duplicate_keys(body);
            if lines.is_empty() {
                return Vec::new();
            }
            vec![format!("{YAML_ERRORS_PREFIX}  {}", lines.join("\n  "))]
        }
        _ => Vec::new(),
    }
}

/// How go-yaml's strict unmarshal errors begin.
const YAML_ERRORS_PREFIX: &str = "yaml: unmarshal errors:\n";

/// The warnings of one strict decoding error: a YAML error is split into its lines, as
/// upstream's parseYAMLWarnings does; anything else is one warning.
pub fn warnings_of(error: &str) -> Vec<String> {
    match error.strip_prefix(YAML_ERRORS_PREFIX) {
        Some(lines) => lines.split('\n').map(|l| l.trim().to_string()).collect(),
        None => vec![error.to_string()],
    }
}

/// The most duplicated keys of one YAML body reported (each costs a pass over it).
const YAML_DUPLICATES_LIMIT: usize = 64;

/// go-yaml's strict error line for each duplicated key of a YAML body, in document order:
/// `line 5: key "name" already set in map` (the key's line, from 1).
fn yaml_duplicate_keys(body: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    // A pass stops with an error at the `skip`th duplicate, whose location serde_yaml
    // gives: the next pass goes one duplicate further.
    while found.len() < YAML_DUPLICATES_LIMIT {
        let deserializer = serde_yaml::Deserializer::from_slice(body);
        let walk = YamlWalk { skip: &std::cell::Cell::new(found.len()) };
        let Err(err) = walk.deserialize(deserializer) else { break };
        // serde_yaml's message: the path, the custom message, then the location.
        let message = err.to_string();
        let key =
            message.split_once(DUPLICATE_MARK).map(|(_, rest)| rest.split(" at line ").next().unwrap_or_default());
        let (Some(key), Some(location)) = (key, err.location()) else {
            break; // not YAML, or no more duplicates
        };
        found.push(format!("line {}: key {key:?} already set in map", location.line()));
    }
    found
}

/// The message a duplicate stops a YAML pass with (then the key).
const DUPLICATE_MARK: &str = "kctl-duplicate-key:";

/// A walk of a YAML document that fails on its `skip`th duplicate key (from 0).
struct YamlWalk<'a> {
    skip: &'a std::cell::Cell<usize>,
}

impl<'de> DeserializeSeed<'de> for YamlWalk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// A mapping's key: fails, where the key is (so the error has its line), when it is the
/// duplicate sought.
struct YamlKey<'a, 'b> {
    seen: &'b mut HashSet<String>,
    skip: &'a std::cell::Cell<usize>,
}

impl<'de> DeserializeSeed<'de> for YamlKey<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for YamlKey<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<(), E> {
        if self.seen.insert(key.to_string()) {
            return Ok(());
        }
        match self.skip.get() {
            0 => Err(E::custom(format!("{DUPLICATE_MARK}{key}"))),
            n => {
                self.skip.set(n - 1);
                Ok(())
            }
        }
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<(), E> {
        self.visit_str(&v.to_string())
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<(), E> {
        self.visit_str(&v.to_string())
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<(), E> {
        self.visit_str(&v.to_string())
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<(), E> {
        self.visit_str(&v.to_string())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    // A complex key (a mapping or list as key) is never a Kubernetes field.
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

impl<'de> Visitor<'de> for YamlWalk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let mut seen = HashSet::new();
        while map.next_key_seed(YamlKey { seen: &mut seen, skip: self.skip })?.is_some() {
            map.next_value_seed(YamlWalk { skip: self.skip })?;
        }
        Ok(())
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        while seq.next_element_seed(YamlWalk { skip: self.skip })?.is_some() {}
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// The paths of duplicated fields (`spec.replicas`), in document order; nothing for a
/// body that is not JSON.
pub fn duplicate_fields(body: &[u8]) -> Vec<String> {
    let found = RefCell::new(Vec::new());
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    // Depth is bounded by serde_json's recursion limit; errors mean "not JSON".
    if (Walk { path: String::new(), found: &found }).deserialize(&mut deserializer).is_err() {
        return Vec::new();
    }
    found.into_inner()
}

struct Walk<'a> {
    path: String,
    found: &'a RefCell<Vec<String>>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = if self.path.is_empty() { key.clone() } else { format!("{}.{key}", self.path) };
            if !seen.insert(key) {
                self.found.borrow_mut().push(path.clone());
            }
            map.next_value_seed(Walk { path, found: self.found })?;
        }
        Ok(())
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        let mut index = 0;
        while seq.next_element_seed(Walk { path: format!("{}[{index}]", self.path), found: self.found })?.is_some() {
            index += 1;
        }
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_found_at_any_depth() {
        let body = br#"{"spec": {"a": 1, "list": [{"x": 1, "x": 2}], "a": 3}, "kind": "K"}"#;
        assert_eq!(duplicate_fields(body), ["spec.list[0].x", "spec.a"]);
        assert!(duplicate_fields(br#"{"a": {"a": 1}}"#).is_empty());
        assert!(duplicate_fields(b"a: 1\na: 2").is_empty());
    }

    #[test]
    fn yaml_duplicates_are_go_yamls_strict_errors_with_the_keys_lines() {
        let body =
            b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\ndata:\n  x: '1'\n  y: '2'\n  x: '3'\n";
        let errors = strict_errors("application/yaml", body);
        assert_eq!(
            errors,
            ["yaml: unmarshal errors:\n  line 5: key \"name\" already set in map\n  line 9: key \"x\" already set in map"]
        );
        assert_eq!(
            warnings_of(&errors[0]),
            ["line 5: key \"name\" already set in map", "line 9: key \"x\" already set in map"]
        );
        assert!(strict_errors("application/yaml", b"a: {b: 1}\nc: [{b: 1}, {b: 2}]\n").is_empty());
        assert!(strict_errors("application/yaml", b"a: [unclosed").is_empty());
    }

    #[test]
    fn json_duplicates_are_named_by_path() {
        let errors = strict_errors("application/json", br#"{"metadata": {"name": "a", "name": "b"}}"#);
        assert_eq!(errors, ["duplicate field \"metadata.name\""]);
        assert_eq!(warnings_of(&errors[0]), ["duplicate field \"metadata.name\""]);
        assert!(strict_errors("application/json-patch+json", br#"[{"op": "add", "op": "x"}]"#).is_empty());
    }
}
