//! Renders `descriptors.rs` from `descriptors.txt`, the checked-in list of the messages,
//! fields and root kinds kctl decodes. The test checks the two agree;
//! `KCTL_UPDATE_GOLDEN=1 cargo test --lib apiserver::protobuf` rewrites `descriptors.rs`.

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
    for (name, (special, fields)) in &messages {
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

#[cfg(test)]
mod tests {
    use super::*;

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
