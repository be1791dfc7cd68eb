//! The inverse of `decode.rs`: walks the same descriptor table to write an object's JSON as the
//! protobuf message upstream serves (`k8s\0` + `runtime.Unknown`), for clients that ask for
//! `application/vnd.kubernetes.protobuf`.
//!
//! Fields are written in tag order, as Go's marshaller does; what the JSON leaves out (or holds
//! as `null`) is left out, which a decoder reads as Go's zero value or nil pointer, as the JSON
//! meant. Keys the table does not know are dropped (upstream's types have no room for them).

use base64::Engine;
use serde_json::{Map, Value};

use super::decode::{root_message, MAGIC};
use super::descriptors::MESSAGES;
use super::table::{Field, Kind, Message, Special};
use super::wire::{put_bytes, put_key, put_nested, put_varint, FIXED64, VARINT};
use super::ProtobufError;
use crate::machinery::duration;

/// Deep enough for any real object; an object nested deeper is not Kubernetes data.
const MAX_DEPTH: usize = 64;

/// `k8s\0` + `runtime.Unknown{typeMeta, raw}` for an object whose `apiVersion` and `kind`
/// name a message of the table.
pub fn encode(object: &Value) -> Result<Vec<u8>, ProtobufError> {
    let (api_version, kind) = type_of(object);
    let index = message_for(api_version, kind)?;
    let mut out = Vec::with_capacity(256);
    envelope(&mut out, api_version, kind, |out| body(out, index, object, 0))?;
    Ok(out)
}

/// Whether objects of this kind have a protobuf form (lists: `XxxList`).
pub fn has_message(api_version: &str, kind: &str) -> bool {
    root_message(api_version, kind).is_some()
}

fn type_of(object: &Value) -> (&str, &str) {
    let text = |key: &str| object.get(key).and_then(Value::as_str).unwrap_or_default();
    (text("apiVersion"), text("kind"))
}

fn message_for(api_version: &str, kind: &str) -> Result<usize, ProtobufError> {
    root_message(api_version, kind)
        .ok_or_else(|| ProtobufError::UnknownKind { api_version: api_version.into(), kind: kind.into() })
}

/// Writes the magic and the envelope around the message `raw` writes; contentEncoding and
/// contentType are written empty, as Go writes them.
fn envelope(
    out: &mut Vec<u8>,
    api_version: &str,
    kind: &str,
    raw: impl FnOnce(&mut Vec<u8>) -> Result<(), ProtobufError>,
) -> Result<(), ProtobufError> {
    out.extend_from_slice(MAGIC);
    put_nested(out, 1, |out| {
        put_bytes(out, 1, api_version.as_bytes());
        put_bytes(out, 2, kind.as_bytes());
    });
    put_nested(out, 2, raw)?;
    put_bytes(out, 3, b"");
    put_bytes(out, 4, b"");
    Ok(())
}

/// A list (`XxxList`, `PartialObjectMetadataList`) written as its items arrive, so a long list
/// is never held as JSON values at once.
pub struct ListEncoder {
    api_version: String,
    kind: String,
    list: usize,
    item: usize,
    /// The items, each already framed as field 2 of the list.
    items: Vec<u8>,
    error: Option<ProtobufError>,
}

impl ListEncoder {
    /// `None` when the list kind has no message (the caller answers JSON).
    pub fn new(api_version: &str, kind: &str) -> Option<ListEncoder> {
        let list = root_message(api_version, kind)?;
        let item = MESSAGES.get(list)?.fields.iter().find(|f| f.tag == 2)?;
        let Kind::Message(item) = item.kind else { return None };
        Some(ListEncoder {
            api_version: api_version.into(),
            kind: kind.into(),
            list,
            item,
            items: Vec::new(),
            error: None,
        })
    }

    pub fn push(&mut self, item: &Value) {
        if self.error.is_some() {
            return;
        }
        let (index, items) = (self.item, &mut self.items);
        if let Err(err) = put_nested(items, 2, |out| body(out, index, item, 1)) {
            self.error = Some(err);
        }
    }

    /// The whole body: the envelope around `{metadata, items}`.
    pub fn finish(self, metadata: &Value) -> Result<Vec<u8>, ProtobufError> {
        if let Some(err) = self.error {
            return Err(err);
        }
        let metadata_field = MESSAGES.get(self.list).and_then(|m| m.fields.iter().find(|f| f.tag == 1));
        let mut out = Vec::with_capacity(self.items.len() + 128);
        envelope(&mut out, &self.api_version, &self.kind, |out| {
            if let (Some(field), false) = (metadata_field, metadata.is_null()) {
                self::field(out, field, metadata, 1)?;
            }
            out.extend_from_slice(&self.items);
            Ok(())
        })?;
        Ok(out)
    }
}

/// One watch event as upstream frames it: a 4-byte big-endian length, then
/// `WatchEvent{type, object: RawExtension{raw: the object's own envelope}}`.
pub fn watch_frame(event_type: &str, object: &Value) -> Result<Vec<u8>, ProtobufError> {
    let (api_version, kind) = type_of(object);
    let index = message_for(api_version, kind)?;
    let mut out = vec![0; 4];
    put_bytes(&mut out, 1, event_type.as_bytes());
    put_nested(&mut out, 2, |out| {
        put_nested(out, 1, |out| envelope(out, api_version, kind, |out| body(out, index, object, 0)))
    })?;
    let len = u32::try_from(out.len() - 4).map_err(|_| ProtobufError::Truncated)?;
    out[..4].copy_from_slice(&len.to_be_bytes());
    Ok(out)
}

/// The fields of message `index` for `value`.
fn body(out: &mut Vec<u8>, index: usize, value: &Value, depth: usize) -> Result<(), ProtobufError> {
    if depth > MAX_DEPTH {
        return Err(ProtobufError::TooDeep(MAX_DEPTH));
    }
    let Some(desc) = MESSAGES.get(index) else {
        return Err(ProtobufError::UnknownKind { api_version: String::new(), kind: format!("#{index}") });
    };
    match desc.special {
        Special::None => match value {
            Value::Object(object) => fields(out, desc, object, depth),
            _ => Ok(()),
        },
        special => special_body(out, desc, special, value, depth),
    }
}

fn fields(
    out: &mut Vec<u8>,
    desc: &'static Message,
    object: &Map<String, Value>,
    depth: usize,
) -> Result<(), ProtobufError> {
    for field in desc.fields {
        if field.inline {
            // Go's `json:",inline"` struct: its keys are the parent's; Go writes it always.
            if let Kind::Message(index) = field.kind {
                put_nested(out, field.tag, |out| match MESSAGES.get(index) {
                    Some(inner) => fields(out, inner, object, depth + 1),
                    None => Ok(()),
                })?;
            }
            continue;
        }
        match object.get(field.name) {
            None | Some(Value::Null) => {}
            Some(value) => self::field(out, field, value, depth)?,
        }
    }
    Ok(())
}

fn field(out: &mut Vec<u8>, field: &Field, value: &Value, depth: usize) -> Result<(), ProtobufError> {
    match (field.kind, value) {
        (Kind::MapString | Kind::MapBytes | Kind::MapMessage(_), Value::Object(entries)) => {
            // serde_json's maps iterate in key order: the order Go's marshaller sorts map keys in.
            for (key, entry) in entries {
                put_nested(out, field.tag, |out| {
                    put_bytes(out, 1, key.as_bytes());
                    match field.kind {
                        Kind::MapMessage(index) => put_nested(out, 2, |out| body(out, index, entry, depth + 1)),
                        kind => {
                            single(out, 2, kind, entry, depth);
                            Ok(())
                        }
                    }
                })?;
            }
            Ok(())
        }
        (Kind::MapString | Kind::MapBytes | Kind::MapMessage(_), _) => Ok(()),
        (_, Value::Array(items)) if field.repeated => {
            for item in items.iter().filter(|item| !item.is_null()) {
                element(out, field.tag, field.kind, item, depth)?;
            }
            Ok(())
        }
        _ if field.repeated => Ok(()),
        (kind, value) => element(out, field.tag, kind, value, depth),
    }
}

fn element(out: &mut Vec<u8>, tag: u32, kind: Kind, value: &Value, depth: usize) -> Result<(), ProtobufError> {
    match kind {
        Kind::Message(index) => put_nested(out, tag, |out| body(out, index, value, depth + 1)),
        kind => {
            single(out, tag, kind, value, depth);
            Ok(())
        }
    }
}

/// A scalar; a JSON value of another type than the field's is left out.
fn single(out: &mut Vec<u8>, tag: u32, kind: Kind, value: &Value, _depth: usize) {
    match (kind, value) {
        (Kind::String | Kind::MapString, Value::String(text)) => put_bytes(out, tag, text.as_bytes()),
        (Kind::Bytes | Kind::MapBytes, Value::String(text)) => {
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(text) {
                put_bytes(out, tag, &bytes);
            }
        }
        (Kind::Bool, Value::Bool(flag)) => {
            put_key(out, tag, VARINT);
            put_varint(out, u64::from(*flag));
        }
        (Kind::Int32 | Kind::Int64, Value::Number(number)) => {
            let Some(number) = number.as_i64().or_else(|| number.as_f64().map(|f| f as i64)) else { return };
            // int32 is sign-extended to 64 bits on the wire, as Go writes it.
            let number = if kind == Kind::Int32 { i64::from(number as i32) } else { number };
            put_key(out, tag, VARINT);
            put_varint(out, number as u64);
        }
        (Kind::Double, Value::Number(number)) => {
            if let Some(number) = number.as_f64() {
                put_key(out, tag, FIXED64);
                out.extend_from_slice(&number.to_le_bytes());
            }
        }
        _ => {}
    }
}

/// Messages whose JSON is not an object of their fields (see `Special`).
fn special_body(
    out: &mut Vec<u8>,
    desc: &'static Message,
    special: Special,
    value: &Value,
    depth: usize,
) -> Result<(), ProtobufError> {
    let varint = |out: &mut Vec<u8>, tag: u32, number: u64| {
        put_key(out, tag, VARINT);
        put_varint(out, number);
    };
    let by_tag = |tag: u32| desc.fields.iter().find(|f| f.tag == tag);
    match (special, value) {
        (Special::Time | Special::MicroTime, Value::String(text)) => {
            if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
                varint(out, 1, time.timestamp() as u64);
                let nanos = if special == Special::MicroTime { time.timestamp_subsec_nanos() } else { 0 };
                varint(out, 2, u64::from(nanos));
            }
        }
        (Special::Duration, Value::String(text)) => {
            if let Ok(delta) = duration::parse_go(text) {
                varint(out, 1, delta.num_nanoseconds().unwrap_or(i64::MAX) as u64);
            }
        }
        (Special::IntOrString, Value::Number(number)) => {
            varint(out, 1, 0);
            varint(out, 2, i64::from(number.as_i64().unwrap_or_default() as i32) as u64);
            put_bytes(out, 3, b"");
        }
        (Special::IntOrString, Value::String(text)) => {
            varint(out, 1, 1);
            varint(out, 2, 0);
            put_bytes(out, 3, text.as_bytes());
        }
        (Special::Quantity, Value::String(text)) => put_bytes(out, 1, text.as_bytes()),
        (Special::Quantity, Value::Number(number)) => put_bytes(out, 1, number.to_string().as_bytes()),
        (Special::RawJson, value) => {
            let json = serde_json::to_vec(value)
                .map_err(|source| ProtobufError::InvalidJson { message: desc.name, source })?;
            put_bytes(out, 1, &json);
        }
        (Special::SchemaOrBool, Value::Bool(allows)) => varint(out, 1, u64::from(*allows)),
        (Special::SchemaOrBool, schema) => {
            varint(out, 1, 1);
            if let Some(field) = by_tag(2) {
                element(out, 2, field.kind, schema, depth)?;
            }
        }
        (Special::SchemaOrArray, Value::Array(items)) => {
            if let Some(field) = by_tag(2) {
                for item in items {
                    element(out, 2, field.kind, item, depth)?;
                }
            }
        }
        (Special::SchemaOrArray, schema) => {
            if let Some(field) = by_tag(1) {
                element(out, 1, field.kind, schema, depth)?;
            }
        }
        (Special::StringList, Value::Array(items)) => {
            for item in items {
                single(out, 1, Kind::String, item, depth);
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::protobuf::decode;
    use serde_json::json;

    /// The JSON without its `null`s: a nil pointer and an absent field are one thing on the wire
    /// (the decoder writes `null` where Go's JSON would).
    fn without_nulls(value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), without_nulls(v))).collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
            other => other.clone(),
        }
    }

    /// What the decoder makes of the encoder's bytes is the object itself: the two walk the same
    /// table, and the decoder reads bodies captured from kubectl.
    fn round_trip(object: Value) {
        let bytes = encode(&object).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(without_nulls(&decode(&bytes).unwrap()), without_nulls(&object));
    }

    #[test]
    fn captured_kubectl_objects_round_trip() {
        for text in [
            include_str!("testdata/configmap.json"),
            include_str!("testdata/deployment.json"),
            include_str!("testdata/cronjob.json"),
            include_str!("testdata/service.json"),
            include_str!("testdata/secret.json"),
            include_str!("testdata/ingress.json"),
            include_str!("testdata/clusterrolebinding.json"),
        ] {
            round_trip(serde_json::from_str(text).unwrap());
        }
    }

    #[test]
    fn a_served_pod_round_trips_with_times_quantities_and_int_or_strings() {
        round_trip(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "namespace": "default", "uid": "u-1", "resourceVersion": "42",
                "creationTimestamp": "2024-01-02T03:04:05Z", "labels": {"b": "2", "a": "1"},
                "managedFields": [{"manager": "kubectl", "operation": "Apply", "apiVersion": "v1",
                    "time": "2024-01-02T03:04:05Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {}}}]},
            "spec": {"containers": [{"name": "c", "image": "busybox",
                "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}},
                "livenessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 10}}],
                "priority": -5, "terminationGracePeriodSeconds": 30},
            "status": {"phase": "Running", "podIP": "10.0.0.5",
                "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2024-01-02T03:04:06Z",
                    "lastProbeTime": null}]},
        }));
    }

    #[test]
    fn micro_times_keep_microseconds() {
        round_trip(json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "spec": {"holderIdentity": "a", "renewTime": "2024-01-02T03:04:05.123456Z"}}));
    }

    #[test]
    fn status_and_lists_have_messages() {
        round_trip(json!({"apiVersion": "v1", "kind": "Status", "metadata": {}, "status": "Failure",
            "message": "pods \"x\" not found", "reason": "NotFound", "code": 404,
            "details": {"name": "x", "kind": "pods", "causes": [{"reason": "r", "field": "f"}]}}));
        let mut list = ListEncoder::new("apps/v1", "DeploymentList").expect("list message");
        list.push(&json!({"metadata": {"name": "a"}, "spec": {"replicas": 0}}));
        list.push(&json!({"metadata": {"name": "b"}}));
        let bytes = list.finish(&json!({"resourceVersion": "7", "continue": "t"})).unwrap();
        assert_eq!(
            without_nulls(&decode(&bytes).unwrap()),
            json!({"apiVersion": "apps/v1", "kind": "DeploymentList", "metadata": {"resourceVersion": "7", "continue": "t"},
                "items": [{"metadata": {"name": "a"}, "spec": {"replicas": 0}}, {"metadata": {"name": "b"}}]})
        );
        assert!(ListEncoder::new("example.com/v1", "WidgetList").is_none());
    }

    #[test]
    fn crd_schema_unions_round_trip() {
        round_trip(json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                "names": {"plural": "widgets", "kind": "Widget"},
                "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "properties": {
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "any": {"type": "object", "additionalProperties": true},
                        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                        "size": {"type": "integer", "default": 3, "x-kubernetes-int-or-string": true},
                    },
                    "dependencies": {"a": ["b", "c"]},
                }}}]},
        }));
    }

    #[test]
    fn watch_frames_are_length_prefixed_watch_events() {
        let frame =
            watch_frame("ADDED", &json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b"}})).unwrap();
        let len = u32::from_be_bytes(frame[..4].try_into().unwrap()) as usize;
        assert_eq!(len, frame.len() - 4);
        let mut reader = super::super::wire::Reader::new(&frame[4..]);
        assert_eq!(reader.key().unwrap(), (1, 2));
        assert_eq!(reader.bytes().unwrap(), b"ADDED");
        assert_eq!(reader.key().unwrap(), (2, 2));
        let mut raw_extension = super::super::wire::Reader::new(reader.bytes().unwrap());
        assert_eq!(raw_extension.key().unwrap(), (1, 2));
        let object = decode(raw_extension.bytes().unwrap()).unwrap();
        assert_eq!(object, json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b"}}));
    }

    #[test]
    fn kinds_without_a_message_are_errors() {
        let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget"});
        assert!(matches!(encode(&widget), Err(ProtobufError::UnknownKind { .. })));
    }
}
