//! Walks the generated descriptor table to turn a protobuf message into upstream-shaped JSON.

use base64::Engine;
use serde_json::{Map, Number, Value};

use super::descriptors::{MESSAGES, ROOTS};
use super::table::{Field, Kind, Message, Special};
use super::wire::{Reader, FIXED64, LEN, VARINT};
use super::ProtobufError;
use crate::machinery::duration;

/// The Kubernetes protobuf magic that precedes the `runtime.Unknown` envelope.
pub(super) const MAGIC: &[u8] = b"k8s\0";

/// Deep enough for any real object (PodTemplate inside CronJob is ~15 levels), shallow enough
/// that hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

/// Decodes a Kubernetes protobuf body (`k8s\0` + `runtime.Unknown`) into the object's JSON form,
/// with `apiVersion` and `kind` taken from the envelope.
pub fn decode(body: &[u8]) -> Result<Value, ProtobufError> {
    decode_at(body, 0)
}

fn decode_at(body: &[u8], depth: usize) -> Result<Value, ProtobufError> {
    let envelope = body.strip_prefix(MAGIC).ok_or(ProtobufError::MissingMagic)?;
    let unknown = Envelope::parse(envelope)?;
    if !unknown.content_encoding.is_empty() {
        return Err(ProtobufError::UnsupportedEncoding(unknown.content_encoding));
    }
    let index = root_message(&unknown.api_version, &unknown.kind).ok_or_else(|| ProtobufError::UnknownKind {
        api_version: unknown.api_version.clone(),
        kind: unknown.kind.clone(),
    })?;
    let mut object = match message(index, unknown.raw, depth)? {
        Value::Object(object) => object,
        _ => Map::new(),
    };
    object.insert("apiVersion".into(), Value::String(unknown.api_version));
    object.insert("kind".into(), Value::String(unknown.kind));
    Ok(Value::Object(object))
}

/// The message for a kind; meta/v1 option kinds (DeleteOptions) are accepted under any group
/// version, as upstream registers them in every group.
pub(super) fn root_message(api_version: &str, kind: &str) -> Option<usize> {
    ROOTS
        .iter()
        .find(|(v, k, _)| *v == api_version && *k == kind)
        .or_else(|| ROOTS.iter().find(|(v, k, _)| *v == "meta.k8s.io/v1" && *k == kind))
        .map(|(_, _, index)| *index)
}

/// `runtime.Unknown`: {1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType}.
struct Envelope<'a> {
    api_version: String,
    kind: String,
    raw: &'a [u8],
    content_encoding: String,
}

impl<'a> Envelope<'a> {
    fn parse(buf: &'a [u8]) -> Result<Self, ProtobufError> {
        let mut out =
            Envelope { api_version: String::new(), kind: String::new(), raw: &[], content_encoding: String::new() };
        let mut reader = Reader::new(buf);
        while !reader.is_empty() {
            match reader.key()? {
                (1, LEN) => {
                    let mut type_meta = Reader::new(reader.bytes()?);
                    while !type_meta.is_empty() {
                        match type_meta.key()? {
                            (1, LEN) => out.api_version = text(type_meta.bytes()?),
                            (2, LEN) => out.kind = text(type_meta.bytes()?),
                            (_, wire_type) => type_meta.skip(wire_type)?,
                        }
                    }
                }
                (2, LEN) => out.raw = reader.bytes()?,
                (3, LEN) => out.content_encoding = text(reader.bytes()?),
                (_, wire_type) => reader.skip(wire_type)?,
            }
        }
        Ok(out)
    }
}

/// Go's JSON encoder replaces invalid UTF-8 with U+FFFD rather than failing; so do we.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn message(index: usize, buf: &[u8], depth: usize) -> Result<Value, ProtobufError> {
    if depth > MAX_DEPTH {
        return Err(ProtobufError::TooDeep(MAX_DEPTH));
    }
    // Indices come from the generated table; a bad one is a generator bug, reported as unknown.
    let Some(desc) = MESSAGES.get(index) else {
        return Err(ProtobufError::UnknownKind { api_version: String::new(), kind: format!("#{index}") });
    };
    match desc.special {
        Special::None => object(desc, buf, depth),
        Special::SchemaOrBool | Special::SchemaOrArray | Special::StringList => either(desc, buf, depth),
        special => special_value(desc, special, buf, depth),
    }
}

fn object(desc: &'static Message, buf: &[u8], depth: usize) -> Result<Value, ProtobufError> {
    let mut out = Map::new();
    let mut reader = Reader::new(buf);
    while !reader.is_empty() {
        let (tag, wire_type) = reader.key()?;
        let Some(field) = desc.fields.iter().find(|f| f.tag == tag) else {
            reader.skip(wire_type)?;
            continue;
        };
        let mismatch = || ProtobufError::WireTypeMismatch { message: desc.name, field: field.name, wire_type };
        match field.kind {
            Kind::MapString | Kind::MapBytes | Kind::MapMessage(_) => {
                if wire_type != LEN {
                    return Err(mismatch());
                }
                let (key, value) = map_entry(field.kind, reader.bytes()?, depth)?;
                let entry = out.entry(field.name).or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(map) = entry {
                    map.insert(key, value);
                }
            }
            Kind::Message(index) => {
                if wire_type != LEN {
                    return Err(mismatch());
                }
                let value = message(index, reader.bytes()?, depth + 1)?;
                if field.inline {
                    if let Value::Object(inner) = value {
                        out.extend(inner);
                    }
                } else {
                    put(&mut out, field, value);
                }
            }
            Kind::String | Kind::Bytes => {
                if wire_type != LEN {
                    return Err(mismatch());
                }
                let bytes = reader.bytes()?;
                if field.omit_zero && !field.repeated && bytes.is_empty() {
                    continue;
                }
                put(&mut out, field, scalar_bytes(field.kind, bytes));
            }
            Kind::Bool | Kind::Int32 | Kind::Int64 | Kind::Double => {
                if wire_type == LEN && field.repeated {
                    // Packed encoding: several numbers in one length-delimited run.
                    let mut packed = Reader::new(reader.bytes()?);
                    while !packed.is_empty() {
                        let value = number(field.kind, &mut packed)?;
                        put(&mut out, field, value);
                    }
                    continue;
                }
                let expected = if field.kind == Kind::Double { FIXED64 } else { VARINT };
                if wire_type != expected {
                    return Err(mismatch());
                }
                let value = number(field.kind, &mut reader)?;
                if field.omit_zero && !field.repeated && is_zero(&value) {
                    continue;
                }
                put(&mut out, field, value);
            }
        }
    }
    for field in desc.fields.iter().filter(|f| f.null_if_absent) {
        out.entry(field.name).or_insert(Value::Null);
    }
    Ok(Value::Object(out))
}

/// The JSON of messages Go marshals as something else than an object: apiextensions' unions
/// and `ExtraValue`, a named `[]string`.
fn either(desc: &'static Message, buf: &[u8], depth: usize) -> Result<Value, ProtobufError> {
    let Value::Object(mut fields) = object(desc, buf, depth)? else { return Ok(Value::Null) };
    let mut take = |tag: u32| desc.fields.iter().find(|f| f.tag == tag).and_then(|f| fields.remove(f.name));
    Ok(match desc.special {
        Special::StringList => take(1).unwrap_or_else(|| Value::Array(Vec::new())),
        Special::SchemaOrBool => {
            let allows = take(1);
            take(2).unwrap_or_else(|| Value::Bool(allows.is_some_and(|a| a == Value::Bool(true))))
        }
        _ => {
            let schema = take(1);
            match take(2) {
                Some(Value::Array(items)) if !items.is_empty() => Value::Array(items),
                _ => schema.unwrap_or(Value::Null),
            }
        }
    })
}

/// Adds a value: appended for repeated fields, last one wins otherwise (protobuf semantics).
fn put(out: &mut Map<String, Value>, field: &Field, value: Value) {
    if field.repeated {
        let entry = out.entry(field.name).or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = entry {
            items.push(value);
        }
    } else {
        out.insert(field.name.to_string(), value);
    }
}

fn is_zero(value: &Value) -> bool {
    match value {
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        _ => false,
    }
}

fn scalar_bytes(kind: Kind, bytes: &[u8]) -> Value {
    match kind {
        Kind::Bytes | Kind::MapBytes => Value::String(base64::engine::general_purpose::STANDARD.encode(bytes)),
        _ => Value::String(text(bytes)),
    }
}

fn number(kind: Kind, reader: &mut Reader<'_>) -> Result<Value, ProtobufError> {
    Ok(match kind {
        Kind::Double => {
            let value = f64::from_le_bytes(reader.fixed64()?);
            // Go's JSON writes a whole float64 without a fraction (`1`, not `1.0`).
            if value.fract() == 0.0 && value.abs() < 1e15 {
                Value::from(value as i64)
            } else {
                Value::Number(Number::from_f64(value).ok_or(ProtobufError::NonFiniteNumber(value))?)
            }
        }
        Kind::Bool => Value::Bool(reader.varint()? != 0),
        // int32 is sign-extended to 64 bits on the wire; truncation restores it.
        Kind::Int32 => Value::from(reader.varint()? as i32),
        _ => Value::from(reader.varint()? as i64),
    })
}

/// A map entry is a message {1: key, 2: value}; either may be absent (its zero value).
fn map_entry(kind: Kind, buf: &[u8], depth: usize) -> Result<(String, Value), ProtobufError> {
    let mut key = String::new();
    let mut value = None;
    let mut reader = Reader::new(buf);
    while !reader.is_empty() {
        match reader.key()? {
            (1, LEN) => key = text(reader.bytes()?),
            (2, LEN) => {
                let bytes = reader.bytes()?;
                value = Some(match kind {
                    Kind::MapMessage(index) => message(index, bytes, depth + 1)?,
                    other => scalar_bytes(other, bytes),
                });
            }
            (_, wire_type) => reader.skip(wire_type)?,
        }
    }
    let value = match value {
        Some(value) => value,
        None => match kind {
            Kind::MapMessage(index) => message(index, &[], depth + 1)?,
            other => scalar_bytes(other, &[]),
        },
    };
    Ok((key, value))
}

/// The scalar fields of a small special message (Time, IntOrString…), by tag.
#[derive(Default)]
struct Scalars<'a> {
    numbers: Vec<(u32, u64)>,
    bytes: Vec<(u32, &'a [u8])>,
}

impl<'a> Scalars<'a> {
    fn read(buf: &'a [u8]) -> Result<Self, ProtobufError> {
        let mut out = Scalars::default();
        let mut reader = Reader::new(buf);
        while !reader.is_empty() {
            match reader.key()? {
                (tag, VARINT) => out.numbers.push((tag, reader.varint()?)),
                (tag, LEN) => out.bytes.push((tag, reader.bytes()?)),
                (_, wire_type) => reader.skip(wire_type)?,
            }
        }
        Ok(out)
    }

    /// The last occurrence wins, as in protobuf.
    fn number(&self, tag: u32) -> Option<u64> {
        self.numbers.iter().rev().find(|(t, _)| *t == tag).map(|(_, v)| *v)
    }

    fn bytes(&self, tag: u32) -> Option<&'a [u8]> {
        self.bytes.iter().rev().find(|(t, _)| *t == tag).map(|(_, v)| *v)
    }
}

fn special_value(desc: &'static Message, special: Special, buf: &[u8], depth: usize) -> Result<Value, ProtobufError> {
    let scalars = Scalars::read(buf)?;
    let number = |tag: u32| scalars.number(tag);
    let string = |tag: u32| scalars.bytes(tag);
    Ok(match special {
        Special::Time | Special::MicroTime => {
            if number(1).is_none() && number(2).is_none() {
                // Go writes its zero time as an empty message; its JSON is null.
                return Ok(Value::Null);
            }
            let seconds = number(1).unwrap_or(0) as i64;
            let nanos = number(2).unwrap_or(0) as i32;
            Value::String(timestamp(seconds, nanos, special == Special::MicroTime)?)
        }
        // meta/v1 Duration appears in JSON as Go prints it ("1h0m0s", "1.5s").
        Special::Duration => Value::String(duration::format_go(number(1).unwrap_or(0) as i64)),
        Special::IntOrString => {
            if number(1) == Some(1) {
                Value::String(string(3).map(text).unwrap_or_default())
            } else {
                Value::from(number(2).unwrap_or(0) as i32)
            }
        }
        Special::Quantity => Value::String(string(1).map(text).unwrap_or_else(|| "0".into())),
        Special::RawJson => match string(1) {
            None | Some([]) => Value::Null,
            // A RawExtension inside a protobuf body may itself hold a protobuf object.
            Some(raw) if raw.starts_with(MAGIC) => decode_at(raw, depth + 1)?,
            Some(raw) => serde_json::from_slice(raw)
                .map_err(|source| ProtobufError::InvalidJson { message: desc.name, source })?,
        },
        Special::None | Special::SchemaOrBool | Special::SchemaOrArray | Special::StringList => Value::Null,
    })
}

/// Upstream's meta/v1 Time keeps whole seconds only; MicroTime keeps microseconds. Both are UTC.
fn timestamp(seconds: i64, nanos: i32, micro: bool) -> Result<String, ProtobufError> {
    let out_of_range = ProtobufError::TimeOutOfRange { seconds, nanos };
    let total = i128::from(seconds) * 1_000_000_000 + i128::from(nanos);
    let secs = i64::try_from(total.div_euclid(1_000_000_000)).map_err(|_| out_of_range)?;
    let sub = total.rem_euclid(1_000_000_000) as u32;
    let time = chrono::DateTime::from_timestamp(secs, if micro { sub } else { 0 })
        .ok_or(ProtobufError::TimeOutOfRange { seconds, nanos })?;
    Ok(if micro {
        time.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    } else {
        time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    })
}

#[cfg(test)]
mod tests {
    //! Bodies are hand-encoded the way Go's gogo-protobuf marshaller writes them: value fields
    //! always (even when zero), pointer fields only when set. Field numbers are k8s.io/api's.
    use super::*;
    use serde_json::json;

    fn varint(mut value: u64, out: &mut Vec<u8>) {
        while value >= 0x80 {
            out.push((value as u8) | 0x80);
            value >>= 7;
        }
        out.push(value as u8);
    }

    fn len_field(tag: u32, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        varint(u64::from(tag) << 3 | u64::from(LEN), &mut out);
        varint(bytes.len() as u64, &mut out);
        out.extend_from_slice(bytes);
        out
    }

    fn s(tag: u32, value: &str) -> Vec<u8> {
        len_field(tag, value.as_bytes())
    }

    fn int(tag: u32, value: i64) -> Vec<u8> {
        let mut out = Vec::new();
        varint(u64::from(tag) << 3, &mut out);
        varint(value as u64, &mut out);
        out
    }

    fn msg(tag: u32, parts: &[Vec<u8>]) -> Vec<u8> {
        len_field(tag, &parts.concat())
    }

    fn entry(tag: u32, key: &str, value: &[u8]) -> Vec<u8> {
        msg(tag, &[s(1, key), len_field(2, value)])
    }

    /// `k8s\0` + runtime.Unknown, with the empty contentEncoding/contentType Go always writes.
    fn envelope(api_version: &str, kind: &str, raw: &[Vec<u8>]) -> Vec<u8> {
        let mut body = MAGIC.to_vec();
        body.extend(msg(1, &[s(1, api_version), s(2, kind)]));
        body.extend(len_field(2, &raw.concat()));
        body.extend(s(3, ""));
        body.extend(s(4, ""));
        body
    }

    /// ObjectMeta as Go writes it for a new object: every value field, zero or not.
    fn new_meta(tag: u32, name: &str, namespace: &str, extra: &[Vec<u8>]) -> Vec<u8> {
        let mut parts =
            vec![s(1, name), s(2, ""), s(3, namespace), s(4, ""), s(5, ""), s(6, ""), int(7, 0), msg(8, &[])];
        parts.extend_from_slice(extra);
        msg(tag, &parts)
    }

    /// apiextensions' union messages come out as Go's MarshalJSON writes them: a schema, a bool,
    /// or a list, and value-field zeros Go wrote (preserveUnknownFields false) are dropped.
    #[test]
    fn crd_schema_unions_decode_as_go_marshals_them() {
        let typed = |ty: &str| vec![s(5, ty)];
        let string_schema = typed("string");
        let props = vec![
            s(5, "object"),
            // items: {schema: {type: string}}
            entry(29, "tags", &[s(5, "array"), msg(24, &[msg(1, &string_schema)])].concat()),
            // additionalProperties: {allows: true} without a schema is `true`.
            entry(29, "any", &[s(5, "object"), msg(30, &[int(1, 1)])].concat()),
            // additionalProperties with a schema is the schema.
            entry(29, "labels", &[s(5, "object"), msg(30, &[int(1, 1), msg(2, &string_schema)])].concat()),
            // dependencies: {a: [b, c]} (OrStringArray's list form).
            entry(32, "a", &[s(2, "b"), s(2, "c")].concat()),
            entry(29, "kept", &[s(5, "object"), int(38, 1)].concat()),
        ];
        let version = msg(7, &[s(1, "v1"), int(2, 1), int(3, 1), int(7, 0), msg(4, &[msg(1, &props)])]);
        let names = msg(3, &[s(1, "widgets"), s(2, ""), s(4, "Widget"), s(5, "")]);
        let body = envelope(
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            &[
                new_meta(1, "widgets.example.com", "", &[]),
                msg(2, &[s(1, "example.com"), names, s(4, "Namespaced"), version, int(10, 0)]),
            ],
        );
        let crd = decode(&body).unwrap();
        let schema = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
        assert_eq!(schema["properties"]["tags"]["items"], json!({"type": "string"}));
        assert_eq!(schema["properties"]["any"]["additionalProperties"], json!(true));
        assert_eq!(schema["properties"]["labels"]["additionalProperties"], json!({"type": "string"}));
        assert_eq!(schema["dependencies"], json!({"a": ["b", "c"]}));
        assert_eq!(schema["properties"]["kept"]["x-kubernetes-preserve-unknown-fields"], json!(true));
        assert_eq!(crd["spec"]["names"], json!({"plural": "widgets", "kind": "Widget"}));
        assert!(crd["spec"].get("preserveUnknownFields").is_none(), "{crd}");
        assert!(crd["spec"]["versions"][0].get("deprecated").is_none(), "{crd}");
    }

    /// `ExtraValue` is a named `[]string` in Go: a map of lists in JSON.
    #[test]
    fn user_extra_values_are_lists() {
        let spec = msg(2, &[s(3, "alice"), entry(5, "scopes", &[s(1, "read"), s(1, "write")].concat())]);
        let review = decode(&envelope("authorization.k8s.io/v1", "SubjectAccessReview", &[spec])).unwrap();
        assert_eq!(review["spec"]["extra"], json!({"scopes": ["read", "write"]}));
    }

    /// client-go's typed clients send DeleteOptions in their own group version.
    #[test]
    fn delete_options_decode_under_any_group_version() {
        let options = [int(1, 0), msg(2, &[s(1, "uid-1")]), s(4, "Foreground"), s(5, "All")];
        let decoded = decode(&envelope("storage.k8s.io/v1", "DeleteOptions", &options)).unwrap();
        assert_eq!(
            decoded,
            json!({"apiVersion": "storage.k8s.io/v1", "kind": "DeleteOptions", "gracePeriodSeconds": 0,
                "preconditions": {"uid": "uid-1"}, "propagationPolicy": "Foreground", "dryRun": ["All"]})
        );
    }

    /// Bodies kubectl v1.32 sent (`kubectl create … -n default`, captured by a dumping HTTP server)
    /// next to `kubectl create … --dry-run=client -o json` for the same command: Go's own JSON.
    #[test]
    fn captured_kubectl_bodies_decode_to_kubectls_json() {
        macro_rules! fixture {
            ($name:literal) => {
                (
                    $name,
                    &include_bytes!(concat!("testdata/", $name, ".pb"))[..],
                    include_str!(concat!("testdata/", $name, ".json")),
                )
            };
        }
        let cases = [
            fixture!("configmap"),
            fixture!("deployment"),
            fixture!("secret"),
            fixture!("job"),
            fixture!("cronjob"),
            fixture!("service"),
            fixture!("namespace"),
            fixture!("serviceaccount"),
            fixture!("ingress"),
            fixture!("pdb"),
            fixture!("priorityclass"),
            fixture!("quota"),
            fixture!("clusterrolebinding"),
        ];
        for (name, body, expected) in cases {
            let expected: Value = serde_json::from_str(expected).unwrap();
            assert_eq!(decode(body).unwrap(), expected, "{name}");
        }
        // `kubectl create token` has no --dry-run; its TokenRequest carries a pointer expirationSeconds.
        let token = decode(include_bytes!("testdata/token.pb")).unwrap();
        assert_eq!(
            token,
            json!({
                "apiVersion": "authentication.k8s.io/v1",
                "kind": "TokenRequest",
                "metadata": {"creationTimestamp": null},
                "spec": {"audiences": null, "expirationSeconds": 600, "boundObjectRef": null},
                "status": {"token": "", "expirationTimestamp": null},
            }),
            "{token:#}"
        );
    }

    #[test]
    fn configmap_with_data_binary_data_and_labels_matches_upstream_json() {
        let body = envelope(
            "v1",
            "ConfigMap",
            &[
                new_meta(1, "x", "default", &[entry(11, "app", b"web")]),
                entry(2, "a", b"b"),
                entry(2, "c", b""),
                entry(3, "bin", &[0, 1, 2, 255]),
            ],
        );
        assert_eq!(
            decode(&body).unwrap(),
            json!({
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "x", "namespace": "default", "creationTimestamp": null, "labels": {"app": "web"}},
                "data": {"a": "b", "c": ""},
                "binaryData": {"bin": "AAEC/w=="},
            })
        );
    }

    #[test]
    fn deployment_keeps_pointer_zero_replicas_and_drops_value_zeros() {
        let max_surge = msg(2, &[int(1, 1), int(2, 0), s(3, "25%")]);
        let max_unavailable = msg(1, &[int(1, 0), int(2, 1), s(3, "")]);
        let port = msg(6, &[s(1, ""), int(2, 0), int(3, 80), s(4, "TCP"), s(5, "")]);
        let container = msg(2, &[s(1, "web"), s(2, "nginx"), port, int(16, 0), int(18, 0)]);
        let pod_spec = msg(2, &[container, s(3, "Always"), int(11, 0)]);
        let template = msg(3, &[new_meta(1, "", "", &[entry(11, "app", b"web")]), pod_spec]);
        let spec = msg(
            2,
            &[
                int(1, 0),
                msg(2, &[entry(1, "app", b"web")]),
                template,
                msg(4, &[s(1, "RollingUpdate"), msg(2, &[max_unavailable, max_surge])]),
                int(5, 0),
                int(7, 0),
            ],
        );
        let status = msg(3, &[int(1, 0), int(2, 0)]);
        let body = envelope("apps/v1", "Deployment", &[new_meta(1, "web", "", &[]), spec, status]);
        assert_eq!(
            decode(&body).unwrap(),
            json!({
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "web", "creationTimestamp": null},
                "spec": {
                    "replicas": 0,
                    "selector": {"matchLabels": {"app": "web"}},
                    "template": {
                        "metadata": {"creationTimestamp": null, "labels": {"app": "web"}},
                        "spec": {
                            "containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80, "protocol": "TCP"}]}],
                            "restartPolicy": "Always",
                        },
                    },
                    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": "25%"}},
                },
                "status": {},
            })
        );
    }

    #[test]
    fn secret_data_is_base64_and_string_data_is_text() {
        let body = envelope(
            "v1",
            "Secret",
            &[new_meta(1, "s", "", &[]), entry(2, "password", b"hunter2"), entry(4, "user", b"me"), s(3, "Opaque")],
        );
        assert_eq!(
            decode(&body).unwrap(),
            json!({
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "s", "creationTimestamp": null},
                "data": {"password": "aHVudGVyMg=="},
                "stringData": {"user": "me"},
                "type": "Opaque",
            })
        );
    }

    #[test]
    fn creation_timestamp_is_rfc3339_whole_seconds() {
        let meta = msg(1, &[s(1, "n"), msg(8, &[int(1, 1_704_164_645), int(2, 999)])]);
        let body = envelope("v1", "Namespace", &[meta]);
        assert_eq!(decode(&body).unwrap()["metadata"]["creationTimestamp"], json!("2024-01-02T03:04:05Z"));
    }

    #[test]
    fn micro_time_keeps_microseconds_and_pointer_strings_keep_empty() {
        let spec = msg(2, &[s(1, ""), int(2, 15), msg(4, &[int(1, 1_704_164_645), int(2, 123_456_789)])]);
        let body = envelope("coordination.k8s.io/v1", "Lease", &[spec]);
        assert_eq!(
            decode(&body).unwrap(),
            json!({
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "spec": {"holderIdentity": "", "leaseDurationSeconds": 15, "renewTime": "2024-01-02T03:04:05.123456Z"},
            })
        );
    }

    #[test]
    fn inline_embedded_structs_merge_into_the_parent() {
        // Volume{name, VolumeSource{configMap{LocalObjectReference{name}, defaultMode}}} inside a PodSpec.
        let config_map = msg(19, &[msg(1, &[s(1, "cfg")]), int(3, 420)]);
        let volume = msg(1, &[s(1, "v"), msg(2, &[config_map])]);
        let body = envelope("v1", "Pod", &[msg(2, &[volume])]);
        assert_eq!(
            decode(&body).unwrap()["spec"]["volumes"],
            json!([{"name": "v", "configMap": {"name": "cfg", "defaultMode": 420}}])
        );
    }

    #[test]
    fn eviction_and_delete_options_keep_zero_grace_period() {
        let eviction =
            envelope("policy/v1", "Eviction", &[new_meta(1, "p", "ns", &[]), msg(2, &[int(1, 0), s(5, "All")])]);
        assert_eq!(
            decode(&eviction).unwrap(),
            json!({
                "apiVersion": "policy/v1",
                "kind": "Eviction",
                "metadata": {"name": "p", "namespace": "ns", "creationTimestamp": null},
                "deleteOptions": {"gracePeriodSeconds": 0, "dryRun": ["All"]},
            })
        );
        // DeleteOptions is registered in every group version upstream.
        let options = envelope("apps/v1", "DeleteOptions", &[s(4, "Foreground")]);
        assert_eq!(
            decode(&options).unwrap(),
            json!({"apiVersion": "apps/v1", "kind": "DeleteOptions", "propagationPolicy": "Foreground"})
        );
    }

    #[test]
    fn service_uses_kubernetes_json_names_and_int_or_string_ports() {
        let port =
            msg(1, &[s(1, ""), s(2, "TCP"), int(3, 80), msg(4, &[int(1, 0), int(2, 8080), s(3, "")]), int(5, 0)]);
        let spec = msg(2, &[port, s(3, "10.0.0.1"), s(4, "ClusterIP"), s(18, "10.0.0.1")]);
        let body = envelope("v1", "Service", &[spec]);
        assert_eq!(
            decode(&body).unwrap()["spec"],
            json!({
                "ports": [{"protocol": "TCP", "port": 80, "targetPort": 8080}],
                "clusterIP": "10.0.0.1",
                "clusterIPs": ["10.0.0.1"],
                "type": "ClusterIP",
            })
        );
    }

    #[test]
    fn unknown_fields_are_skipped() {
        let body = envelope("v1", "ConfigMap", &[s(99, "future"), int(98, 7), entry(2, "a", b"b")]);
        assert_eq!(decode(&body).unwrap()["data"], json!({"a": "b"}));
    }

    #[test]
    fn missing_magic_and_unknown_kinds_are_errors() {
        assert!(matches!(decode(b"{\"kind\":\"ConfigMap\"}"), Err(ProtobufError::MissingMagic)));
        assert!(matches!(decode(&envelope("v1", "Frobnicator", &[])), Err(ProtobufError::UnknownKind { .. })));
        let mut gzipped = envelope("v1", "ConfigMap", &[]);
        gzipped.extend(s(3, "gzip"));
        assert!(matches!(decode(&gzipped), Err(ProtobufError::UnsupportedEncoding(_))));
    }

    #[test]
    fn wire_type_mismatch_is_an_error() {
        // data (a map, field 2) sent as a varint.
        let body = envelope("v1", "ConfigMap", &[int(2, 1)]);
        assert!(matches!(decode(&body), Err(ProtobufError::WireTypeMismatch { .. })));
    }

    #[test]
    fn truncated_bodies_are_errors_not_panics() {
        let body = envelope("v1", "ConfigMap", &[new_meta(1, "x", "default", &[]), entry(2, "a", b"b")]);
        let type_meta_end = MAGIC.len() + msg(1, &[s(1, "v1"), s(2, "ConfigMap")]).len();
        let raw_end = body.len() - 4;
        for end in 0..body.len() {
            let result = decode(&body[..end]);
            // Cut inside typeMeta or raw, a length runs past the end: always an error.
            if (MAGIC.len()..raw_end).contains(&end) && end != type_meta_end {
                assert!(result.is_err(), "prefix of {end} bytes decoded");
            }
        }
    }

    #[test]
    fn garbage_bodies_never_panic() {
        // A fixed linear congruential generator: reproducible noise after the magic.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for round in 0..2000 {
            let len = round % 300;
            let mut body = MAGIC.to_vec();
            for _ in 0..len {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                body.push((state >> 56) as u8);
            }
            let _ = decode(&body);
            // Also noise as the raw object of a real kind, which reaches the table walk.
            let raw = body[MAGIC.len()..].to_vec();
            let _ = decode(&envelope("apps/v1", "Deployment", &[raw]));
        }
    }

    #[test]
    fn mutated_real_bodies_never_panic() {
        // Single-byte corruptions of real bodies reach deep into the table walk.
        let bodies: [&[u8]; 3] = [
            include_bytes!("testdata/deployment.pb"),
            include_bytes!("testdata/cronjob.pb"),
            include_bytes!("testdata/service.pb"),
        ];
        for body in bodies {
            for at in 0..body.len() {
                for value in [0x00, 0x07, 0x7f, 0x80, 0xff] {
                    let mut mutated = body.to_vec();
                    mutated[at] = value;
                    let _ = decode(&mutated);
                }
            }
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        // JSONSchemaProps-like self nesting is absent here, so nest RawExtension bodies instead.
        let mut raw = envelope("v1", "ConfigMap", &[]);
        for _ in 0..200 {
            raw = envelope("apps/v1", "ControllerRevision", &[len_field(2, &len_field(1, &raw))]);
        }
        assert!(decode(&raw).is_err());
    }

    #[test]
    fn raw_extension_holds_json_or_a_nested_protobuf_object() {
        let json_data =
            envelope("apps/v1", "ControllerRevision", &[msg(2, &[s(1, "{\"spec\":{\"x\":1}}")]), int(3, 2)]);
        assert_eq!(
            decode(&json_data).unwrap(),
            json!({"apiVersion": "apps/v1", "kind": "ControllerRevision", "data": {"spec": {"x": 1}}, "revision": 2})
        );
        let nested = envelope("v1", "ConfigMap", &[entry(2, "a", b"b")]);
        let proto_data = envelope("apps/v1", "ControllerRevision", &[len_field(2, &len_field(1, &nested))]);
        assert_eq!(
            decode(&proto_data).unwrap()["data"],
            json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b"}})
        );
    }

    #[test]
    fn negative_int32_values_decode_from_sign_extended_varints() {
        let spec = msg(2, &[int(25, -5)]);
        assert_eq!(decode(&envelope("v1", "Pod", &[spec])).unwrap()["spec"]["priority"], json!(-5));
    }
}
