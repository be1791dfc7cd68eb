//! apimachinery's `util/validation` string checks (DNS-1123/1035 names, qualified names, label
//! values, port names and numbers, config keys, percents), returning upstream's exact messages so
//! kubectl users see the same text as against a real cluster.

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_ERR: &str =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/// `validation.RegexError`: the message, the examples and the regex.
pub fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{fmt}')");
    }
    let mut out = format!("{msg} (e.g. ");
    for (i, ex) in examples.iter().enumerate() {
        if i > 0 {
            out.push_str(" or ");
        }
        out.push_str(&format!("'{ex}', "));
    }
    out.push_str(&format!("regex used for validation is '{fmt}')"));
    out
}

/// `validation.MaxLenError`.
pub fn max_len_error(n: usize) -> String {
    format!("must be no more than {n} characters")
}

fn alnum_lower(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn matches_label(v: &str) -> bool {
    !v.is_empty()
        && v.chars().all(|c| alnum_lower(c) || c == '-')
        && v.chars().next().is_some_and(alnum_lower)
        && v.chars().last().is_some_and(alnum_lower)
}

fn matches_subdomain(v: &str) -> bool {
    v.split('.').all(matches_label)
}

fn matches_qualified_name_part(v: &str) -> bool {
    let ok_edge = |c: char| c.is_ascii_alphanumeric();
    !v.is_empty()
        && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && v.chars().next().is_some_and(ok_edge)
        && v.chars().last().is_some_and(ok_edge)
}

/// `IsDNS1123Label`.
pub fn is_dns1123_label(v: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if v.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !matches_label(v) {
        errs.push(regex_error(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
            DNS1123_LABEL_FMT,
            &["my-name", "123-abc"],
        ));
    }
    errs
}

/// `IsDNS1123Subdomain`.
pub fn is_dns1123_subdomain(v: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if v.len() > 253 {
        errs.push(max_len_error(253));
    }
    if !matches_subdomain(v) {
        errs.push(regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// `IsDNS1035Label`.
pub fn is_dns1035_label(v: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if v.len() > 63 {
        errs.push(max_len_error(63));
    }
    let ok = matches_label(v) && v.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    if !ok {
        errs.push(regex_error(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
            DNS1035_LABEL_FMT,
            &["my-name", "abc-123"],
        ));
    }
    errs
}

/// Which name rule a kind's `metadata.name` follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRule {
    Subdomain,
    Label,
    Dns1035,
    /// `path.IsValidPathSegmentName`: anything that fits in one URL path segment (RBAC
    /// objects, APIServices, flow-control objects: `system:masters` is a valid name).
    PathSegment,
}

/// apimachinery's `maskTrailingDash`: a generateName may end in `-`; upstream replaces the
/// last two characters with `a` before checking.
fn mask_trailing_dash(name: &str) -> String {
    if name.len() > 1 && name.ends_with('-') {
        let mut chars: Vec<char> = name.chars().collect();
        chars.truncate(chars.len().saturating_sub(2));
        chars.push('a');
        chars.into_iter().collect()
    } else {
        name.to_string()
    }
}

/// `NameIsDNSSubdomain` and friends: with `prefix` (generateName) a trailing dash is allowed.
pub fn validate_name(rule: NameRule, name: &str, prefix: bool) -> Vec<String> {
    if rule == NameRule::PathSegment {
        return is_valid_path_segment(name, prefix);
    }
    let name = if prefix { mask_trailing_dash(name) } else { name.to_string() };
    match rule {
        NameRule::Subdomain => is_dns1123_subdomain(&name),
        NameRule::Label => is_dns1123_label(&name),
        NameRule::Dns1035 => is_dns1035_label(&name),
        NameRule::PathSegment => Vec::new(),
    }
}

/// `IsValidPathSegmentName` (`IsValidPathSegmentPrefix` for a generateName, which may be `.`).
pub fn is_valid_path_segment(name: &str, prefix: bool) -> Vec<String> {
    if !prefix && (name == "." || name == "..") {
        return vec![format!("may not be '{name}'")];
    }
    let mut errs = Vec::new();
    for illegal in ["/", "%"] {
        if name.contains(illegal) {
            errs.push(format!("may not contain '{illegal}'"));
        }
    }
    errs
}

/// `IsQualifiedName`: label keys, annotation keys (lower-cased by the caller).
pub fn is_qualified_name(v: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = v.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                for msg in is_dns1123_subdomain(prefix) {
                    errs.push(format!("prefix part {msg}"));
                }
            }
            *name
        }
        _ => {
            errs.push(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, &["MyName", "my.name", "123-abc"])
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        errs.push(format!("name part {}", max_len_error(63)));
    }
    if !matches_qualified_name_part(name) {
        errs.push(format!(
            "name part {}",
            regex_error(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, &["MyName", "my.name", "123-abc"])
        ));
    }
    errs
}

/// `IsValidLabelValue`.
pub fn is_label_value(v: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if v.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !v.is_empty() && !matches_qualified_name_part(v) {
        errs.push(regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            &format!("({QUALIFIED_NAME_FMT})?"),
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// `IsValidPortNum`.
pub fn is_valid_port_num(n: i64) -> Vec<String> {
    if (1..=65535).contains(&n) {
        Vec::new()
    } else {
        vec!["must be between 1 and 65535, inclusive".to_string()]
    }
}

/// `IsValidPortName` (IANA_SVC_NAME).
pub fn is_valid_port_name(port: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if port.len() > 15 {
        errs.push(max_len_error(15));
    }
    if port.is_empty() || !port.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".to_string());
    }
    if !port.chars().any(|c| c.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)".to_string());
    }
    if port.contains("--") {
        errs.push("must not contain consecutive hyphens".to_string());
    }
    if port.starts_with('-') || port.ends_with('-') {
        errs.push("must not begin or end with a hyphen".to_string());
    }
    errs
}

/// `IsConfigMapKey`: Secret and ConfigMap data keys.
pub fn is_config_map_key(v: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if v.len() > 253 {
        errs.push(max_len_error(253));
    }
    if v.is_empty() || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.') {
        errs.push(regex_error(
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
            "[-._a-zA-Z0-9]+",
            &["key.name", "KEY_NAME", "key-name"],
        ));
    }
    if v == "." {
        errs.push("must not be '.'".to_string());
    } else if v == ".." {
        errs.push("must not be '..'".to_string());
    } else if v.starts_with("..") {
        errs.push("must not start with '..'".to_string());
    }
    errs
}

/// `IsValidPercent`.
pub fn is_valid_percent(v: &str) -> Vec<String> {
    let digits = v.strip_suffix('%').unwrap_or("");
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        Vec::new()
    } else {
        vec![regex_error(
            "a valid percent string must be a numeric string followed by an ending '%'",
            "[0-9]+%",
            &["1%", "93%"],
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomain_message_matches_upstream() {
        assert_eq!(
            is_dns1123_subdomain("Nginx_1"),
            vec!["a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]
        );
        assert!(is_dns1123_subdomain("a.b-c.d").is_empty());
        assert_eq!(is_dns1123_subdomain(&"a".repeat(254))[0], "must be no more than 253 characters");
    }

    #[test]
    fn label_message_has_upstreams_double_space_between_examples() {
        assert_eq!(
            is_dns1123_label("a.b"),
            vec!["a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]
        );
        assert!(is_dns1123_label("123-abc").is_empty());
    }

    #[test]
    fn dns1035_requires_leading_letter() {
        assert!(is_dns1035_label("my-svc").is_empty());
        assert!(is_dns1035_label("1svc")[0].starts_with("a DNS-1035 label must consist"));
        assert!(is_dns1035_label("1svc")[0]
            .ends_with("(e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"));
    }

    #[test]
    fn generate_name_prefix_may_end_with_dash() {
        assert!(validate_name(NameRule::Subdomain, "web-", true).is_empty());
        assert!(validate_name(NameRule::PathSegment, "system:Masters_1", false).is_empty());
        assert_eq!(validate_name(NameRule::PathSegment, "..", false), ["may not be '..'"]);
        assert_eq!(validate_name(NameRule::PathSegment, "a/b%", false), ["may not contain '/'", "may not contain '%'"]);
        assert!(!validate_name(NameRule::Subdomain, "web-", false).is_empty());
        assert!(!validate_name(NameRule::Subdomain, "-", true).is_empty());
        // Multi-byte characters before the dash must not panic.
        assert!(!validate_name(NameRule::Subdomain, "éé-", true).is_empty());
    }

    #[test]
    fn qualified_names() {
        assert!(is_qualified_name("app.kubernetes.io/name").is_empty());
        assert_eq!(is_qualified_name("/a"), vec!["prefix part must be non-empty"]);
        assert_eq!(
            is_qualified_name("a_"),
            vec!["name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]
        );
        assert!(is_qualified_name("a/b/c")[0].starts_with("a qualified name must consist"));
    }

    #[test]
    fn label_values() {
        assert!(is_label_value("").is_empty());
        assert!(is_label_value("My_value.1").is_empty());
        assert_eq!(is_label_value("-x").len(), 1);
        assert_eq!(is_label_value(&"a".repeat(64)), vec!["must be no more than 63 characters"]);
    }

    #[test]
    fn ports_and_percents() {
        assert!(is_valid_port_num(80).is_empty());
        assert_eq!(is_valid_port_num(70000), vec!["must be between 1 and 65535, inclusive"]);
        assert!(is_valid_port_name("http").is_empty());
        assert_eq!(is_valid_port_name("80"), vec!["must contain at least one letter (a-z)"]);
        assert!(is_valid_percent("25%").is_empty());
        assert_eq!(is_valid_percent("x%").len(), 1);
        assert!(is_config_map_key("a.b_C-d").is_empty());
        assert_eq!(is_config_map_key("..x"), vec!["must not start with '..'"]);
    }
}

/// `validation.IsEnvVarName`: letters, digits, `_`, `-`, `.`, not starting with a digit, and
/// not `.`, `..` or a `..` prefix.
pub fn is_env_var_name(v: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let valid_first = |c: char| c.is_ascii_alphabetic() || matches!(c, '-' | '.' | '_');
    let mut chars = v.chars();
    let shaped = chars.next().is_some_and(valid_first) && chars.all(|c| valid_first(c) || c.is_ascii_digit());
    if !shaped {
        errs.push(regex_error(
            "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
            "[-._a-zA-Z][-._a-zA-Z0-9]*",
            &["my.env-name", "MY_ENV.NAME", "MyEnvName1"],
        ));
    }
    match v {
        "." => errs.push("must not be '.'".into()),
        ".." => errs.push("must not be '..'".into()),
        _ if v.starts_with("..") => errs.push("must not start with '..'".into()),
        _ => {}
    }
    errs
}
