//! Reading only part of a stored object. A watch with selectors needs a few fields of
//! each change (labels, `spec.nodeName` …) and a metadata watch only `metadata`: the
//! parser here skips what is not asked for without allocating, instead of building the
//! whole object as a `Value`.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// The parts of an object to keep, as a tree of keys: a leaf keeps the whole value there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paths {
    children: BTreeMap<String, Paths>,
}

impl Paths {
    /// Keeps the value at `path` (`["metadata", "labels"]`). An empty path keeps everything.
    pub fn add<'p>(&mut self, path: impl IntoIterator<Item = &'p str>) {
        let mut node = self;
        for key in path {
            node = node.children.entry(key.to_string()).or_default();
        }
    }

    fn is_leaf(&self) -> bool {
        self.children.is_empty()
    }
}

/// The object in `json` with only `paths` kept: the same `Value` a full decode gives at
/// each kept path, nothing elsewhere.
pub fn decode(json: &[u8], paths: &Paths) -> serde_json::Result<Value> {
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    let value = Sparse(paths).deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// The stored text of the object's `metadata`, if it has one, without parsing the rest.
pub fn metadata(json: &[u8]) -> serde_json::Result<Option<&RawValue>> {
    #[derive(Deserialize)]
    struct Object<'a> {
        #[serde(borrow)]
        metadata: Option<&'a RawValue>,
    }
    Ok(serde_json::from_slice::<Object>(json)?.metadata)
}

/// An object's top-level fields as their stored text, in stored (sorted) order.
pub fn fields(json: &[u8]) -> serde_json::Result<Vec<(String, &RawValue)>> {
    let fields: BTreeMap<String, &RawValue> = serde_json::from_slice(json)?;
    Ok(fields.into_iter().collect())
}

/// The JSON of an object made of `kept` fields (stored text) and `decoded` ones, keys in
/// sorted order: the same bytes serde_json gives for the whole object decoded.
pub fn encode_fields(kept: &[(&str, &RawValue)], decoded: &Map<String, Value>) -> Vec<u8> {
    enum Field<'a> {
        Stored(&'a RawValue),
        Decoded(&'a Value),
    }
    let mut all: Vec<(&str, Field)> = kept.iter().map(|(key, raw)| (*key, Field::Stored(raw))).collect();
    all.extend(decoded.iter().map(|(key, value)| (key.as_str(), Field::Decoded(value))));
    all.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = Vec::with_capacity(kept.iter().map(|(_, raw)| raw.get().len() + 8).sum::<usize>() + 256);
    out.push(b'{');
    for (index, (key, field)) in all.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        // Writing JSON into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut out, key);
        out.push(b':');
        match field {
            Field::Stored(raw) => out.extend_from_slice(raw.get().as_bytes()),
            Field::Decoded(value) => {
                let _ = serde_json::to_writer(&mut out, value);
            }
        }
    }
    out.push(b'}');
    out
}

/// What a write must know of an object's metadata to tell whether it ends its deletion.
#[derive(Debug, Default, Deserialize)]
pub struct Lifecycle {
    #[serde(rename = "deletionTimestamp")]
    pub deletion_timestamp: Option<String>,
}

/// `Lifecycle` read from a metadata's stored text, the rest skipped.
pub fn lifecycle(metadata: &RawValue) -> serde_json::Result<Lifecycle> {
    serde_json::from_str(metadata.get())
}

/// Decodes a value keeping `self`'s paths; anything not an object where children are
/// asked for is dropped (as `pointer` finds nothing there either).
struct Sparse<'p>(&'p Paths);

impl<'de> DeserializeSeed<'de> for Sparse<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        if self.0.is_leaf() {
            Value::deserialize(deserializer)
        } else {
            deserializer.deserialize_any(self)
        }
    }
}

impl<'de> Visitor<'de> for Sparse<'_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut kept = Map::new();
        while let Some(found) = map.next_key_seed(Key(self.0))? {
            match found {
                Some((key, paths)) => {
                    kept.insert(key, map.next_value_seed(Sparse(paths))?);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(kept))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_str<E>(self, _: &str) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

/// A map key: the paths under it when it is asked for (its text kept only then).
struct Key<'p>(&'p Paths);

impl<'de, 'p> DeserializeSeed<'de> for Key<'p> {
    type Value = Option<(String, &'p Paths)>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'p> Visitor<'_> for Key<'p> {
    type Value = Option<(String, &'p Paths)>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a string key")
    }

    fn visit_str<E>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.children.get(key).map(|paths| (key.to_string(), paths)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod() -> Value {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "labels": {"app": "web", "tier": "a\"b"}, "managedFields": [{"manager": "x"}]},
            "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "busybox"}], "priority": 3},
            "status": {"phase": "Running", "podIP": null},
        })
    }

    fn paths(list: &[&str]) -> Paths {
        let mut paths = Paths::default();
        for path in list {
            paths.add(path.split('.'));
        }
        paths
    }

    #[test]
    fn only_the_asked_paths_are_kept_as_a_full_decode_has_them() {
        let bytes = serde_json::to_vec(&pod()).unwrap();
        let kept =
            decode(&bytes, &paths(&["metadata.labels", "spec.nodeName", "status.podIP", "status.missing"])).unwrap();
        assert_eq!(
            kept,
            json!({"metadata": {"labels": {"app": "web", "tier": "a\"b"}}, "spec": {"nodeName": "n1"},
                   "status": {"podIP": null}})
        );
        assert_eq!(kept.pointer("/spec/nodeName"), pod().pointer("/spec/nodeName"));
    }

    #[test]
    fn fields_re_encoded_around_a_decoded_one_are_the_full_encoding() {
        let mut whole = pod();
        let bytes = serde_json::to_vec(&whole).unwrap();
        let top = fields(&bytes).unwrap();
        let names: Vec<&str> = top.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["apiVersion", "kind", "metadata", "spec", "status"]);
        let kept: Vec<(&str, &RawValue)> =
            top.iter().filter(|(k, _)| k != "status").map(|(k, raw)| (k.as_str(), *raw)).collect();
        let mut decoded = Map::new();
        decoded.insert("status".into(), json!({"phase": "Succeeded", "a\"b": 1}));
        whole["status"] = decoded["status"].clone();
        assert_eq!(encode_fields(&kept, &decoded), serde_json::to_vec(&whole).unwrap());
        // A field put in that the object lacked lands in its sorted place.
        decoded.insert("data".into(), json!("x"));
        whole["data"] = json!("x");
        assert_eq!(encode_fields(&kept, &decoded), serde_json::to_vec(&whole).unwrap());
        let metadata = top.iter().find(|(k, _)| k == "metadata").map(|(_, raw)| *raw).unwrap();
        assert_eq!(lifecycle(metadata).unwrap().deletion_timestamp, None);
        let deleting = serde_json::to_vec(&json!({"deletionTimestamp": "2026-01-01T00:00:00Z", "labels": {}})).unwrap();
        let deleting: &RawValue = serde_json::from_slice(&deleting).unwrap();
        assert_eq!(lifecycle(deleting).unwrap().deletion_timestamp.as_deref(), Some("2026-01-01T00:00:00Z"));
    }

    #[test]
    fn paths_through_non_objects_find_nothing() {
        let bytes = serde_json::to_vec(&pod()).unwrap();
        let kept = decode(&bytes, &paths(&["spec.containers.name", "metadata.name.first"])).unwrap();
        assert_eq!(kept.pointer("/spec/containers/name"), None);
        assert_eq!(kept.pointer("/metadata/name/first"), None);
    }

    #[test]
    fn an_empty_path_keeps_everything_and_bad_json_is_an_error() {
        let whole = json!({"a": {"b": [1, 2]}, "c": "d"});
        assert_eq!(decode(whole.to_string().as_bytes(), &Paths::default()).unwrap(), whole);
        assert!(decode(br#"{"a": "#, &paths(&["a"])).is_err());
        assert!(decode(br#"{"a": 1} trailing"#, &paths(&["a"])).is_err());
    }

    #[test]
    fn metadata_is_found_as_stored() {
        let bytes = br#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"w","labels":{"a":"}"}},"spec":{"x":1}}"#;
        assert_eq!(metadata(bytes).unwrap().map(RawValue::get), Some(r#"{"name":"w","labels":{"a":"}"}}"#));
        assert_eq!(metadata(br#"{"kind":"Pod"}"#).unwrap().map(RawValue::get), None);
    }
}
