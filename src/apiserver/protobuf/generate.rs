//! Renders `descriptors.rs` from `descriptors.txt`, the checked-in list of the messages,
//! fields and root kinds kctl decodes. The test checks the two agree;
//! `KCTL_UPDATE_GOLDEN=1 cargo test --lib apiserver::protobuf` rewrites `descriptors.rs`.
//!
//! How the listing's lines are derived, and what checks them:
//! - tags, wire kinds, repetition and message targets are upstream's `generated.proto`; the
//!   1.32 files are checked in under `proto/` (comments removed) and
//!   `descriptors_txt_agrees_with_upstream_generated_proto` compares every listed field with
//!   them and fails on an upstream field the listing leaves out. The listing may hold more: the
//!   first part came from k8s-pb 0.9.0, whose protos are newer than 1.32 (kinds such as
//!   networking/v1 IPAddress and fields added later), and spells initialisms as Rust does
//!   (`HpaScalingRules`), so names compare without case;
//! - JSON names are Go's json tags, which go-to-protobuf copies into the proto field names
//!   (except `$ref`, `$schema` and `x-kubernetes-*` of JSONSchemaProps, and initialisms such as
//!   `uID`), also checked by that test;
//! - `omit_zero` / `null_if_absent` are Go facts from the `types.go` beside each proto: a value
//!   (non-pointer) scalar with `omitempty` is `omit_zero`; a slice, map or pointer-to-struct
//!   without `omitempty` is `null_if_absent`; `[]byte` is `omit_zero` with `omitempty`, else
//!   `null_if_absent`; pointers to scalars and value structs carry no flag.
//!   `proto/derive_listing.py` applies these rules to a generated.proto and its types.go (in
//!   /work/k8s-1.32/staging/src/k8s.io/…; apiextensions' from kubernetes/apiextensions-apiserver
//!   v0.32.0) and printed the lines for admissionregistration, apiextensions, apiregistration,
//!   flowcontrol, node and storage; its usage line tells how to rerun it.

use std::collections::BTreeMap;

const HEADER: &str = "// @generated from descriptors.txt by the test in generate.rs. Do not edit by hand.
#![allow(clippy::all)]

use super::table::{Field, Kind::*, Message, Special};

/// Every message reachable from `ROOTS`, sorted by fully-qualified name.
pub static MESSAGES: &[Message] = &[
";

struct FieldLine<'t> {
    tag: u32,
    name: &'t str,
    kind: &'t str,
    target: Option<&'t str>,
    flags: Vec<&'t str>,
}

/// The text of `descriptors.rs` for the listing `source`, or what is wrong with the listing.
pub fn render(source: &str) -> Result<String, String> {
    let mut messages: BTreeMap<&str, (&str, Vec<FieldLine>)> = BTreeMap::new();
    let mut roots: Vec<(&str, &str, &str)> = Vec::new();
    let mut current: Option<&str> = None;
    for (number, line) in source.lines().enumerate() {
        let at = |what: &str| format!("descriptors.txt:{}: {what}", number + 1);
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            [first, ..] if first.starts_with('#') => {}
            ["root", api_version, kind, message] => roots.push((api_version, kind, message)),
            ["message", name, special @ ..] => {
                let special = match special {
                    [] => "None",
                    [one] => one,
                    _ => return Err(at("a message has at most one special form")),
                };
                if messages.insert(name, (special, Vec::new())).is_some() {
                    return Err(at("message listed twice"));
                }
                current = Some(name);
            }
            [tag, name, kind, rest @ ..] if line.starts_with("  ") => {
                let message = current.ok_or_else(|| at("a field before any message"))?;
                let tag = tag.parse().map_err(|_| at("the tag is not a number"))?;
                let (target, flags) = match *kind {
                    "message" | "map-message" => {
                        let (target, flags) =
                            rest.split_first().ok_or_else(|| at("a message field names its message"))?;
                        (Some(*target), flags.to_vec())
                    }
                    _ => (None, rest.to_vec()),
                };
                let field = FieldLine { tag, name: if *name == "-" { "" } else { name }, kind, target, flags };
                if let Some((_, fields)) = messages.get_mut(message) {
                    fields.push(field);
                }
            }
            _ => return Err(at("not a root, message or field line")),
        }
    }
    let index: BTreeMap<&str, usize> = messages.keys().enumerate().map(|(i, name)| (*name, i)).collect();
    let index_of = |name: &str| index.get(name).copied().ok_or_else(|| format!("unknown message {name}"));
    let mut out = String::from(HEADER);
    for (name, (special, fields)) in &mut messages {
        // In tag order, the order Go's marshaller writes them (the encoder walks them as listed).
        fields.sort_by_key(|field| field.tag);
        out.push_str(&format!("    Message {{ name: \"{name}\", special: Special::{special}, fields: &[\n"));
        for field in fields {
            let kind = match (field.kind, field.target) {
                ("string", None) => "String".to_string(),
                ("bytes", None) => "Bytes".to_string(),
                ("bool", None) => "Bool".to_string(),
                ("int32", None) => "Int32".to_string(),
                ("int64", None) => "Int64".to_string(),
                ("double", None) => "Double".to_string(),
                ("map-string", None) => "MapString".to_string(),
                ("map-bytes", None) => "MapBytes".to_string(),
                ("message", Some(target)) => format!("Message({})", index_of(target)?),
                ("map-message", Some(target)) => format!("MapMessage({})", index_of(target)?),
                (other, _) => return Err(format!("{name}.{}: unknown kind {other}", field.name)),
            };
            if let Some(flag) =
                field.flags.iter().find(|f| !matches!(**f, "repeated" | "omit_zero" | "null_if_absent" | "inline"))
            {
                return Err(format!("{name}.{}: unknown flag {flag}", field.name));
            }
            let flag = |f: &str| field.flags.contains(&f);
            out.push_str(&format!(
                "        Field {{ tag: {}, name: \"{}\", kind: {kind}, repeated: {}, omit_zero: {}, null_if_absent: {}, inline: {} }},\n",
                field.tag,
                field.name,
                flag("repeated"),
                flag("omit_zero"),
                flag("null_if_absent"),
                flag("inline"),
            ));
        }
        out.push_str("    ] },\n");
    }
    out.push_str("];\n\n/// (apiVersion, kind, index into MESSAGES) for every kind a body may carry.\n");
    out.push_str("pub static ROOTS: &[(&str, &str, usize)] = &[\n");
    roots.sort();
    roots.dedup();
    for (api_version, kind, message) in roots {
        out.push_str(&format!("    (\"{api_version}\", \"{kind}\", {}),\n", index_of(message)?));
    }
    out.push_str("];\n");
    Ok(out)
}

/// One field of a checked-in generated.proto: (tag, proto name, label, type), the type being a
/// scalar name, a fully-qualified message name, or `map:VALUE`.
type ProtoField = (u32, String, bool, String);

/// The messages of the checked-in proto files (`proto/*.proto`, go-to-protobuf's output with its
/// comments removed), by fully-qualified name without the `k8s.io.` prefix, as in the listing.
fn proto_messages(dir: &std::path::Path) -> BTreeMap<String, Vec<ProtoField>> {
    let mut out = BTreeMap::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("proto dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "proto"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("proto file");
        let text: String =
            text.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n");
        let package = text
            .split("package ")
            .nth(1)
            .and_then(|rest| rest.split(';').next())
            .map(|p| p.trim().trim_start_matches("k8s.io.").to_string())
            .expect("package");
        let qualify = |ty: &str| {
            let ty = ty.trim_start_matches('.');
            if let Some(absolute) = ty.strip_prefix("k8s.io.") {
                absolute.to_string()
            } else if ["string", "bytes", "bool", "int32", "int64", "double"].contains(&ty) {
                ty.to_string()
            } else {
                format!("{package}.{ty}")
            }
        };
        for block in text.split("\nmessage ").skip(1) {
            let Some((name, body)) = block.split_once('{') else { continue };
            let body = body.split("\n}").next().unwrap_or_default();
            let mut fields = Vec::new();
            for statement in body.split(';') {
                let Some((left, tag)) = statement.split_once('=') else { continue };
                let Ok(tag) = tag.trim().parse::<u32>() else { continue };
                let left = left.trim();
                let (field, name) = left.rsplit_once(char::is_whitespace).expect("field name");
                let field = field.trim();
                let (repeated, ty) = if let Some(map) = field.strip_prefix("map<") {
                    let value = map.trim_end_matches('>').split(',').nth(1).unwrap_or_default().trim();
                    (false, format!("map:{}", qualify(value)))
                } else {
                    let (label, ty) = field.split_once(char::is_whitespace).expect("label and type");
                    (label == "repeated", qualify(ty.trim()))
                };
                fields.push((tag, name.to_string(), repeated, ty));
            }
            out.insert(format!("{package}.{}", name.trim()), fields);
        }
    }
    out
}

/// The JSON name a proto field name has where Go's json tag differs from it (go-to-protobuf
/// names fields after the json tag, but `$ref`, `$schema` and `x-kubernetes-*` are not
/// identifiers).
fn json_name_of(message: &str, proto_name: &str) -> String {
    let schema = message.ends_with(".JSONSchemaProps");
    match proto_name {
        "ref" if schema => "$ref".into(),
        "schema" if schema => "$schema".into(),
        name if name.starts_with("xKubernetes") => {
            let mut out = String::from("x");
            for c in name[1..].chars() {
                if c.is_ascii_uppercase() {
                    out.push('-');
                    out.push(c.to_ascii_lowercase());
                } else {
                    out.push(c);
                }
            }
            out
        }
        name => name.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field line of descriptors.txt has the tag, wire type, repetition, message and JSON
    /// name of the same field in upstream's generated.proto (checked in under `proto/`), and no
    /// listed message leaves out a field upstream has.
    #[test]
    fn descriptors_txt_agrees_with_upstream_generated_proto() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/apiserver/protobuf");
        let protos = proto_messages(&dir.join("proto"));
        let source = std::fs::read_to_string(dir.join("descriptors.txt")).expect("descriptors.txt");
        let mut problems = Vec::new();
        let mut current: Option<(&str, bool)> = None;
        let mut seen: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for line in source.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["message", name, special @ ..] => {
                    // Special forms (Time, RawJson, SchemaOrBool …) are decoded by their own rules.
                    let checked = special.is_empty() || special[0].starts_with("Schema");
                    // Messages not in 1.32's protos (newer kinds and types from k8s-pb) are kept.
                    current = Some((name, checked));
                    seen.insert(name, Vec::new());
                }
                [tag, json, kind, rest @ ..] if line.starts_with("  ") => {
                    let Some((message, checked)) = current else { continue };
                    let tag: u32 = tag.parse().unwrap_or_default();
                    seen.entry(message).or_default().push(tag);
                    let Some(fields) = protos.iter().find(|(k, _)| k.eq_ignore_ascii_case(message)).map(|(_, f)| f)
                    else {
                        continue;
                    };
                    // The listing is a superset: fields added after 1.32 (from k8s-pb) are kept.
                    let Some((_, proto_name, repeated, ty)) = fields.iter().find(|f| f.0 == tag) else { continue };
                    let expected_kind = match ty.strip_prefix("map:") {
                        Some("string") => "map-string".to_string(),
                        Some("bytes") => "map-bytes".to_string(),
                        Some(target) => format!("map-message {target}"),
                        None if ty.contains('.') => format!("message {ty}"),
                        None => ty.clone(),
                    };
                    let kind = match *kind {
                        "message" | "map-message" => format!("{kind} {}", rest.first().copied().unwrap_or_default()),
                        other => other.to_string(),
                    };
                    // k8s-pb spells initialisms as Rust types do (HpaScalingRules for HPAScalingRules).
                    if !kind.eq_ignore_ascii_case(&expected_kind) {
                        problems
                            .push(format!("{message}.{proto_name} ({tag}): listed {kind}, upstream {expected_kind}"));
                    }
                    if rest.contains(&"repeated") != *repeated {
                        problems.push(format!("{message}.{proto_name} ({tag}): repeated differs"));
                    }
                    let json_ok = *json == "-" && rest.contains(&"inline")
                        || json.eq_ignore_ascii_case(&json_name_of(message, proto_name));
                    if checked && !json_ok {
                        problems.push(format!("{message}.{proto_name} ({tag}): listed as JSON {json}"));
                    }
                }
                _ => {}
            }
        }
        for (message, tags) in &seen {
            let special = source.lines().any(|l| l.starts_with(&format!("message {message} ")));
            let Some(fields) = protos.iter().find(|(k, _)| k.eq_ignore_ascii_case(message)).map(|(_, f)| f) else {
                continue;
            };
            if special {
                continue;
            }
            for (tag, name, _, _) in fields.iter().filter(|f| !tags.contains(&f.0)) {
                problems.push(format!("{message}.{name} ({tag}): upstream field not listed"));
            }
        }
        assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    }

    #[test]
    fn descriptors_rs_is_rendered_from_descriptors_txt() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/apiserver/protobuf");
        let source = std::fs::read_to_string(dir.join("descriptors.txt")).expect("descriptors.txt");
        let rendered = render(&source).unwrap_or_else(|err| panic!("{err}"));
        if std::env::var_os("KCTL_UPDATE_GOLDEN").is_some() {
            std::fs::write(dir.join("descriptors.rs"), &rendered).expect("write descriptors.rs");
        }
        let checked_in = std::fs::read_to_string(dir.join("descriptors.rs")).expect("descriptors.rs");
        assert!(checked_in == rendered, "descriptors.rs is stale: rerun with KCTL_UPDATE_GOLDEN=1");
    }

    #[test]
    fn listing_mistakes_are_reported_with_their_line() {
        assert_eq!(render("  1 x string\n").unwrap_err(), "descriptors.txt:1: a field before any message");
        let unknown = render("message a.B\n  1 x message a.C\n").unwrap_err();
        assert_eq!(unknown, "unknown message a.C");
        assert!(render("message a.B\n  1 x float\n").unwrap_err().contains("unknown kind float"));
    }
}
