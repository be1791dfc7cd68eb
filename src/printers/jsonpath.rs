//! kubectl's JSONPath templates: text with `{…}` actions. Supported: field paths
//! (`.a.b`, `['a.b']`), `[*]`, indexes and slices, recursive `..name`, filters
//! `[?(@.type=="Ready")]`, string literals (`{"\n"}`), and `{range …}…{end}`.
//! Missing keys print nothing, as kubectl (`AllowMissingKeys`).

use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum JsonPathError {
    #[error("unclosed action")]
    Unclosed,
    #[error("unrecognized character in action: {0}")]
    Unexpected(String),
    #[error("not in range, nothing to end")]
    UnexpectedEnd,
    #[error("unterminated filter")]
    BadFilter,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    RecursiveField(String),
    All,
    Index(i64),
    Slice(Option<i64>, Option<i64>),
    Filter(Box<Filter>),
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Path(Vec<Step>),
    Literal(Value),
}

#[derive(Debug, Clone, PartialEq)]
struct Filter {
    left: Operand,
    op: Option<(String, Operand)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Path { root: bool, steps: Vec<Step> },
    Range { root: bool, steps: Vec<Step>, body: Vec<Node> },
}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct JsonPath {
    nodes: Vec<Node>,
}

impl JsonPath {
    pub fn parse(template: &str) -> Result<JsonPath, JsonPathError> {
        let mut stack: Vec<(bool, Vec<Step>, Vec<Node>)> = Vec::new();
        let mut nodes = Vec::new();
        let mut rest = template;
        while !rest.is_empty() {
            let Some(open) = rest.find('{') else {
                nodes.push(Node::Text(rest.to_string()));
                break;
            };
            if open > 0 {
                nodes.push(Node::Text(rest[..open].to_string()));
            }
            let close = find_close(&rest[open..]).ok_or(JsonPathError::Unclosed)? + open;
            let action = rest[open + 1..close].trim();
            rest = &rest[close + 1..];
            if let Some(path) = action.strip_prefix("range").filter(|p| p.starts_with([' ', '.', '@', '$'])) {
                let (root, steps) = parse_path(path.trim())?;
                stack.push((root, steps, std::mem::take(&mut nodes)));
            } else if action == "end" {
                let (root, steps, outer) = stack.pop().ok_or(JsonPathError::UnexpectedEnd)?;
                let body = std::mem::replace(&mut nodes, outer);
                nodes.push(Node::Range { root, steps, body });
            } else if let Some(literal) = string_literal(action) {
                nodes.push(Node::Text(literal));
            } else {
                let (root, steps) = parse_path(action)?;
                nodes.push(Node::Path { root, steps });
            }
        }
        if !stack.is_empty() {
            return Err(JsonPathError::Unclosed);
        }
        Ok(JsonPath { nodes })
    }

    /// Renders the template against `data` as kubectl prints it.
    pub fn render(&self, data: &Value) -> String {
        let mut out = String::new();
        render_nodes(&self.nodes, data, data, &mut out);
        out
    }

    /// The values the template's actions select (for custom columns and sorting).
    pub fn values(&self, data: &Value) -> Vec<Value> {
        let mut found = Vec::new();
        for node in &self.nodes {
            if let Node::Path { root, steps } = node {
                let _ = root;
                found.extend(eval(steps, data).into_iter().cloned());
            }
        }
        found
    }
}

/// The closing brace of the action that starts at `text[0]`, skipping quoted strings.
fn find_close(text: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(1) {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '}' => return Some(i),
            None => {}
        }
    }
    None
}

/// `"\n"` → a newline: the literal of a `{"…"}` action.
fn string_literal(action: &str) -> Option<String> {
    let inner = action.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    Some(out)
}

fn parse_path(text: &str) -> Result<(bool, Vec<Step>), JsonPathError> {
    let mut chars: Vec<char> = text.chars().collect();
    let mut root = false;
    let mut i = 0;
    if chars.first() == Some(&'$') {
        root = true;
        i = 1;
    } else if chars.first() == Some(&'@') {
        i = 1;
    } else if chars.first().is_some_and(|c| c.is_alphanumeric() || *c == '_') {
        // A relaxed path (`metadata.name`) as custom columns allow.
        chars.insert(0, '.');
    }
    let mut steps = Vec::new();
    while i < chars.len() {
        match chars[i] {
            '.' if chars.get(i + 1) == Some(&'.') => {
                i += 2;
                let name = read_name(&chars, &mut i);
                steps.push(Step::RecursiveField(name));
            }
            '.' => {
                i += 1;
                if chars.get(i) == Some(&'*') {
                    i += 1;
                    steps.push(Step::All);
                    continue;
                }
                let name = read_name(&chars, &mut i);
                if !name.is_empty() {
                    steps.push(Step::Field(name));
                }
            }
            '[' => {
                let end = bracket_end(&chars, i).ok_or(JsonPathError::Unclosed)?;
                let inner: String = chars[i + 1..end].iter().collect();
                steps.extend(parse_bracket(inner.trim())?);
                i = end + 1;
            }
            ' ' => i += 1,
            other => return Err(JsonPathError::Unexpected(other.to_string())),
        }
    }
    Ok((root, steps))
}

/// A field name up to the next `.`, `[` or space; `\.` is a literal dot.
fn read_name(chars: &[char], i: &mut usize) -> String {
    let mut name = String::new();
    while *i < chars.len() && !matches!(chars[*i], '.' | '[' | ' ') {
        if chars[*i] == '\\' && chars.get(*i + 1) == Some(&'.') {
            *i += 1;
        }
        name.push(chars[*i]);
        *i += 1;
    }
    name
}

fn bracket_end(chars: &[char], start: usize) -> Option<usize> {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    for (offset, c) in chars[start..].iter().enumerate() {
        match quote {
            Some(q) if *c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(*c),
                '[' => depth += 1,
                ']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(start + offset);
                    }
                }
                _ => {}
            },
        }
    }
    None
}

fn parse_bracket(inner: &str) -> Result<Vec<Step>, JsonPathError> {
    if inner == "*" {
        return Ok(vec![Step::All]);
    }
    if let Some(filter) = inner.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
        return Ok(vec![Step::Filter(Box::new(parse_filter(filter.trim())?))]);
    }
    if let Some(name) = quoted(inner) {
        // kubectl splits a quoted name at its (unescaped) dots: `['a.b']` is `.a.b`.
        let chars: Vec<char> = name.chars().collect();
        let mut steps = Vec::new();
        let mut i = 0;
        while i <= chars.len() {
            steps.push(Step::Field(read_name(&chars, &mut i)));
            i += 1;
        }
        return Ok(steps);
    }
    if let Some((from, to)) = inner.split_once(':') {
        let bound = |s: &str| -> Result<Option<i64>, JsonPathError> {
            let s = s.split(':').next().unwrap_or_default().trim();
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse().map(Some).map_err(|_| JsonPathError::Unexpected(s.to_string()))
            }
        };
        return Ok(vec![Step::Slice(bound(from)?, bound(to)?)]);
    }
    inner.parse().map(|i| vec![Step::Index(i)]).map_err(|_| JsonPathError::Unexpected(inner.to_string()))
}

fn quoted(text: &str) -> Option<String> {
    let text = text.trim();
    for q in ['\'', '"'] {
        if let Some(inner) = text.strip_prefix(q).and_then(|t| t.strip_suffix(q)) {
            return Some(inner.to_string());
        }
    }
    None
}

fn parse_filter(text: &str) -> Result<Filter, JsonPathError> {
    for op in ["==", "!=", "<=", ">=", "<", ">"] {
        if let Some((left, right)) = split_outside_quotes(text, op) {
            return Ok(Filter { left: operand(left.trim())?, op: Some((op.to_string(), operand(right.trim())?)) });
        }
    }
    Ok(Filter { left: operand(text)?, op: None })
}

fn split_outside_quotes<'a>(text: &'a str, op: &str) -> Option<(&'a str, &'a str)> {
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if text[i..].starts_with(op) => return Some((&text[..i], &text[i + op.len()..])),
            None => {}
        }
    }
    None
}

fn operand(text: &str) -> Result<Operand, JsonPathError> {
    if let Some(s) = quoted(text) {
        return Ok(Operand::Literal(Value::String(s)));
    }
    if text.starts_with('@') || text.starts_with('$') || text.starts_with('.') {
        return Ok(Operand::Path(parse_path(text)?.1));
    }
    if let Ok(number) = serde_json::from_str::<Value>(text) {
        return Ok(Operand::Literal(number));
    }
    Err(JsonPathError::BadFilter)
}

fn eval<'a>(steps: &[Step], data: &'a Value) -> Vec<&'a Value> {
    let mut current = vec![data];
    for step in steps {
        let mut next = Vec::new();
        for value in current {
            apply(step, value, &mut next);
        }
        current = next;
    }
    current
}

fn apply<'a>(step: &Step, value: &'a Value, out: &mut Vec<&'a Value>) {
    match step {
        Step::Field(name) => {
            if let Some(found) = value.get(name.as_str()) {
                out.push(found);
            }
        }
        Step::RecursiveField(name) => recurse(name, value, out),
        Step::All => match value {
            Value::Array(items) => out.extend(items.iter()),
            Value::Object(map) => out.extend(map.values()),
            _ => {}
        },
        Step::Index(index) => {
            if let Value::Array(items) = value {
                let len = items.len() as i64;
                let at = if *index < 0 { len + index } else { *index };
                if (0..len).contains(&at) {
                    out.push(&items[at as usize]);
                }
            }
        }
        Step::Slice(from, to) => {
            if let Value::Array(items) = value {
                let len = items.len() as i64;
                let clamp = |i: i64| if i < 0 { (len + i).max(0) } else { i.min(len) };
                let start = clamp(from.unwrap_or(0));
                let end = clamp(to.unwrap_or(len));
                if start < end {
                    out.extend(items[start as usize..end as usize].iter());
                }
            }
        }
        Step::Filter(filter) => {
            if let Value::Array(items) = value {
                out.extend(items.iter().filter(|item| matches(filter, item)));
            }
        }
    }
}

fn recurse<'a>(name: &str, value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Object(map) => {
            if let Some(found) = map.get(name) {
                out.push(found);
            }
            for child in map.values() {
                recurse(name, child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|child| recurse(name, child, out)),
        _ => {}
    }
}

fn matches(filter: &Filter, item: &Value) -> bool {
    let resolve = |operand: &Operand| -> Option<Value> {
        match operand {
            Operand::Literal(v) => Some(v.clone()),
            Operand::Path(steps) => eval(steps, item).first().map(|v| (*v).clone()),
        }
    };
    let Some(left) = resolve(&filter.left) else { return false };
    let Some((op, right)) = &filter.op else { return true };
    let Some(right) = resolve(right) else { return false };
    let ordering = match (left.as_f64(), right.as_f64()) {
        (Some(l), Some(r)) => l.partial_cmp(&r),
        _ => Some(text_of(&left).cmp(&text_of(&right))),
    };
    match op.as_str() {
        "==" => ordering == Some(std::cmp::Ordering::Equal),
        "!=" => ordering != Some(std::cmp::Ordering::Equal),
        "<" => ordering == Some(std::cmp::Ordering::Less),
        ">" => ordering == Some(std::cmp::Ordering::Greater),
        "<=" => ordering.is_some_and(|o| o != std::cmp::Ordering::Greater),
        ">=" => ordering.is_some_and(|o| o != std::cmp::Ordering::Less),
        _ => false,
    }
}

/// How kubectl prints one selected value: strings bare, compound values as JSON.
pub fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => crate::printers::json::go_compact(other),
    }
}

fn render_nodes(nodes: &[Node], root: &Value, current: &Value, out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Path { root: from_root, steps } => {
                let values = eval(steps, if *from_root { root } else { current });
                let texts: Vec<String> = values.into_iter().map(text_of).collect();
                out.push_str(&texts.join(" "));
            }
            Node::Range { root: from_root, steps, body } => {
                for value in eval(steps, if *from_root { root } else { current }) {
                    // `[*]` already spread the items; a bare array ranges over its items.
                    match (steps.last(), value) {
                        (Some(Step::All | Step::Filter(_) | Step::Slice(..)), _) | (_, Value::Object(_)) => {
                            render_nodes(body, root, value, out)
                        }
                        (_, Value::Array(items)) => items.iter().for_each(|item| render_nodes(body, root, item, out)),
                        _ => render_nodes(body, root, value, out),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn list() -> Value {
        json!({"items": [
            {"metadata": {"name": "a"}, "status": {"conditions": [{"type": "Ready", "status": "True"}]}},
            {"metadata": {"name": "b"}, "status": {"conditions": [{"type": "Ready", "status": "False"}]}},
        ]})
    }

    fn render(template: &str, data: &Value) -> String {
        JsonPath::parse(template).unwrap().render(data)
    }

    #[test]
    fn wildcard_paths_join_with_spaces() {
        assert_eq!(render("{.items[*].metadata.name}", &list()), "a b");
    }

    #[test]
    fn range_repeats_its_body_per_item() {
        assert_eq!(render("{range .items[*]}{.metadata.name}{\"\\n\"}{end}", &list()), "a\nb\n");
    }

    #[test]
    fn filters_select_matching_items() {
        let template = "{.items[*].status.conditions[?(@.type==\"Ready\")].status}";
        assert_eq!(render(template, &list()), "True False");
        assert_eq!(render("{.items[?(@.metadata.name=='b')].metadata.name}", &list()), "b");
    }

    #[test]
    fn missing_keys_print_nothing_and_compound_values_print_as_json() {
        assert_eq!(render("x{.nope}y", &list()), "xy");
        assert_eq!(render("{.items[0].metadata}", &list()), "{\"name\":\"a\"}");
        assert_eq!(render("{.items[-1].metadata.name}", &list()), "b");
    }

    #[test]
    fn quoted_names_split_at_dots_unless_escaped() {
        let ns = json!({"metadata": {"name": "default", "labels": {"kubernetes.io/name": "x"}}});
        assert_eq!(render("{['metadata.name']}", &ns), "default");
        assert_eq!(render("{.metadata.labels['kubernetes.io/name']}", &ns), "");
        assert_eq!(render("{.metadata.labels.kubernetes\\.io/name}", &ns), "x");
    }
}
