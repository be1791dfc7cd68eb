//! Walks the generated descriptor table to turn a protobuf message into upstream-shaped JSON.

use base64::Engine;
use serde_json::{Map, Number, Value};

use super::descriptors::{MESSAGES, ROOTS};
use super::table::{Field, Kind, Message, Special};
use super::wire::{Reader, FIXED64, LEN, VARINT};
use super::ProtobufError;

/// The Kubernetes protobuf magic that precedes the `runtime.Unknown` envelope.
const MAGIC: &[u8] = b"k8s\0";

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
fn root_message(api_version: &str, kind: &str) -> Option<usize> {
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
    Ok(Value::Object(out))
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
            Value::Number(Number::from_f64(value).ok_or(ProtobufError::NonFiniteNumber(value))?)
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

/// Reads the scalar fields of a small special message by tag: (varints, byte strings).
fn scalars(buf: &[u8]) -> Result<(Vec<(u32, u64)>, Vec<(u32, &[u8])>), ProtobufError> {
    let (mut numbers, mut strings) = (Vec::new(), Vec::new());
    let mut reader = Reader::new(buf);
    while !reader.is_empty() {
        match reader.key()? {
            (tag, VARINT) => numbers.push((tag, reader.varint()?)),
            (tag, LEN) => strings.push((tag, reader.bytes()?)),
            (_, wire_type) => reader.skip(wire_type)?,
        }
    }
    Ok((numbers, strings))
}

fn special_value(desc: &'static Message, special: Special, buf: &[u8], depth: usize) -> Result<Value, ProtobufError> {
    let (numbers, strings) = scalars(buf)?;
    let number = |tag: u32| numbers.iter().rev().find(|(t, _)| *t == tag).map(|(_, v)| *v);
    let string = |tag: u32| strings.iter().rev().find(|(t, _)| *t == tag).map(|(_, v)| *v);
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
        Special::Duration => Value::String(go_duration(number(1).unwrap_or(0) as i64)),
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
        Special::None => Value::Null,
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

/// Go's `time.Duration.String()`, which is how meta/v1 Duration appears in JSON ("1h0m0s", "1.5s").
fn go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let u = nanos.unsigned_abs();
    if u < 1_000_000_000 {
        let (unit, digits) = match u {
            0..=999 => ("ns", 0),
            1_000..=999_999 => ("µs", 3),
            _ => ("ms", 6),
        };
        return format!("{sign}{}{unit}", fraction(u, digits));
    }
    let seconds = fraction(u % 60_000_000_000, 9);
    let minutes = u / 60_000_000_000;
    match minutes {
        0 => format!("{sign}{seconds}s"),
        1..=59 => format!("{sign}{minutes}m{seconds}s"),
        _ => format!("{sign}{}h{}m{seconds}s", minutes / 60, minutes % 60),
    }
}

/// `value / 10^digits` printed with trailing fractional zeros (and a bare '.') trimmed.
fn fraction(value: u64, digits: u32) -> String {
    let scale = 10u64.pow(digits);
    let (whole, frac) = (value / scale, value % scale);
    if frac == 0 {
        return whole.to_string();
    }
    let frac = format!("{frac:0width$}", width = digits as usize);
    format!("{whole}.{}", frac.trim_end_matches('0'))
}
