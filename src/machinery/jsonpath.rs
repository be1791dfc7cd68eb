//! JSONPath templates as k8s.io/client-go/util/jsonpath parses and runs them: kubectl's
//! `-o jsonpath`, custom columns, `--sort-by` and `wait --for=jsonpath`, and on the server
//! the printer columns and selectable fields of CustomResourceDefinitions.
//!
//! A template is text with `{…}` actions. Actions hold fields (`.a.b`, `.a\.b`), `..`
//! (recursive descent), `*`, indexes and slices (`[0]`, `[-1:]`, `[::2]`), unions (`[0,2]`),
//! dict keys (`['a']`, which is `.a`), filters (`[?(@.type=="Ready")]`, `[?(@.x)]`),
//! string, number and bool literals, and `range`/`end`. `$` and `@` stand for the value
//! at hand, as upstream: inside a range that is the range's item.

use std::borrow::Cow;

use serde_json::Value;

use crate::machinery::gotext;

/// A parse or evaluation error, with upstream's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JsonPathError(String);

fn error<T>(message: impl Into<String>) -> Result<T, JsonPathError> {
    Err(JsonPathError(message.into()))
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Param {
    value: i64,
    known: bool,
    derived: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    List(Vec<Node>),
    Field(String),
    Identifier(String),
    Array([Param; 3]),
    Filter { left: Vec<Node>, right: Vec<Node>, operator: String },
    Int(i64),
    Float(f64),
    Bool(bool),
    Wildcard,
    Recursive,
    Union(Vec<Vec<Node>>),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath {
    nodes: Vec<Node>,
    allow_missing_keys: bool,
}

/// One value a template found: a part of the data, or a literal of the template.
pub type Found<'a> = Cow<'a, Value>;

impl JsonPath {
    /// Parses a template (`{.metadata.name}`, `x={.a} {range .items[*]}…{end}`).
    pub fn parse(template: &str) -> Result<JsonPath, JsonPathError> {
        Ok(JsonPath { nodes: Parser::new(template).parse()?, allow_missing_keys: false })
    }

    /// Whether a field that is not there finds nothing (rather than failing).
    pub fn allow_missing_keys(mut self, allow: bool) -> JsonPath {
        self.allow_missing_keys = allow;
        self
    }

    /// What each of the template's parts finds (upstream's `FindResults`).
    pub fn find_results<'a>(&self, data: &'a Value) -> Result<Vec<Vec<Found<'a>>>, JsonPathError> {
        let mut run = Run { allow_missing_keys: self.allow_missing_keys, ..Run::default() };
        run.find_results(&self.nodes, 0, Cow::Borrowed(data))
    }

    /// The template's text for `data` (upstream's `Execute`).
    pub fn execute(&self, data: &Value) -> Result<String, JsonPathError> {
        Ok(self.find_results(data)?.iter().map(|results| print_results(results)).collect())
    }

    /// Every value the template finds, in order; an evaluation error finds nothing.
    pub fn values(&self, data: &Value) -> Vec<Value> {
        self.find_results(data).unwrap_or_default().into_iter().flatten().map(Cow::into_owned).collect()
    }

    /// The first value the template finds (a CRD printer column's cell).
    pub fn first<'a>(&self, data: &'a Value) -> Option<Found<'a>> {
        self.find_results(data).ok()?.into_iter().next()?.into_iter().next()
    }

    /// The field names of a template that is one action of fields only (`{.spec.replicas}`
    /// → spec, replicas), for writing through it.
    pub fn fields(&self) -> Option<Vec<&str>> {
        let [Node::List(nodes)] = self.nodes.as_slice() else { return None };
        nodes
            .iter()
            .map(|node| match node {
                Node::Field(name) => Some(name.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// kubectl's relaxed path expressions: `a.b`, `.a.b`, `{a.b}` and `{.a.b}` all mean
/// `{.a.b}` (upstream's `RelaxedJSONPathExpression`).
pub fn relaxed(expression: &str) -> Result<String, JsonPathError> {
    if expression.is_empty() {
        return Ok(String::new());
    }
    let inner = match expression.strip_prefix('{').and_then(|e| e.strip_suffix('}')) {
        Some(braced) if !braced.trim_start_matches('.').is_empty() => braced,
        _ => expression,
    };
    let field = inner.strip_prefix('.').unwrap_or(inner);
    if field.is_empty() || field.contains(['{', '}']) {
        return error(
            "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'",
        );
    }
    Ok(format!("{{.{field}}}"))
}

/// How upstream prints one part's results: each value's text, separated by spaces.
pub fn print_results(results: &[Found<'_>]) -> String {
    results.iter().map(|value| text_of(value)).collect::<Vec<_>>().join(" ")
}

/// How one found value prints: maps and lists as Go's compact JSON, other values as Go's
/// `fmt.Print` writes them (null as `null`).
pub fn text_of(value: &Value) -> String {
    match value {
        Value::Object(_) | Value::Array(_) => gotext::go_compact(value),
        Value::String(s) => s.clone(),
        Value::Number(n) => gotext::number(n),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
    }
}

// ---- parsing (upstream's parser.go) ----

struct Parser<'t> {
    input: &'t str,
    pos: usize,
    start: usize,
    width: usize,
}

const EOF: Option<char> = None;

impl<'t> Parser<'t> {
    fn new(input: &'t str) -> Parser<'t> {
        Parser { input, pos: 0, start: 0, width: 0 }
    }

    fn parse(mut self) -> Result<Vec<Node>, JsonPathError> {
        let mut root = Vec::new();
        loop {
            match self.input[self.pos..].find('{') {
                Some(offset) => {
                    self.pos += offset;
                    if self.pos > self.start {
                        root.push(Node::Text(self.consume_text().to_string()));
                    }
                    self.pos += 1;
                    self.consume_text();
                    let mut action = Vec::new();
                    self.parse_inside_action(&mut action)?;
                    root.push(Node::List(action));
                }
                None => {
                    self.pos = self.input.len();
                    if self.pos > self.start {
                        root.push(Node::Text(self.consume_text().to_string()));
                    }
                    return Ok(root);
                }
            }
        }
    }

    fn consume_text(&mut self) -> &'t str {
        let text = &self.input[self.start..self.pos];
        self.start = self.pos;
        text
    }

    fn next(&mut self) -> Option<char> {
        match self.input[self.pos..].chars().next() {
            Some(c) => {
                self.width = c.len_utf8();
                self.pos += self.width;
                Some(c)
            }
            None => {
                self.width = 0;
                EOF
            }
        }
    }

    fn peek(&mut self) -> Option<char> {
        let c = self.next();
        self.backup();
        c
    }

    fn backup(&mut self) {
        self.pos -= self.width;
    }

    fn rest(&self) -> &'t str {
        &self.input[self.pos..]
    }

    /// The byte two before the position: whether the character just read was escaped.
    fn escaped(&self) -> bool {
        self.pos >= 2 && self.input.as_bytes()[self.pos - 2] == b'\\'
    }

    /// One action's tokens up to its closing brace.
    fn parse_inside_action(&mut self, cur: &mut Vec<Node>) -> Result<(), JsonPathError> {
        loop {
            if self.rest().starts_with('}') {
                self.pos += 1;
                self.consume_text();
                return Ok(());
            }
            if self.rest().starts_with("[?(") {
                self.parse_filter(cur)?;
                continue;
            }
            if self.rest().starts_with("..") {
                self.parse_recursive(cur)?;
                continue;
            }
            match self.next() {
                None | Some('\r' | '\n') => return error("unclosed action"),
                Some(' ' | '@' | '$') => {
                    self.consume_text();
                }
                Some('[') => self.parse_array(cur)?,
                Some(quote @ ('"' | '\'')) => self.parse_quote(cur, quote)?,
                Some('.') => self.parse_field(cur)?,
                Some(c) if c == '+' || c == '-' || is_digit(c) => {
                    self.backup();
                    self.parse_number(cur)?;
                }
                Some(c) if is_alphanumeric(c) => {
                    self.backup();
                    self.parse_identifier(cur)?;
                }
                Some(c) => return error(format!("unrecognized character in action: {}", go_rune(c))),
            }
        }
    }

    fn parse_identifier(&mut self, cur: &mut Vec<Node>) -> Result<(), JsonPathError> {
        while !is_terminator(self.next()) {}
        self.backup();
        let value = self.consume_text();
        cur.push(match value {
            "true" => Node::Bool(true),
            "false" => Node::Bool(false),
            name => Node::Identifier(name.to_string()),
        });
        Ok(())
    }

    fn parse_recursive(&mut self, cur: &mut Vec<Node>) -> Result<(), JsonPathError> {
        if cur.last() == Some(&Node::Recursive) {
            return error("invalid multiple recursive descent");
        }
        self.pos += 2;
        self.consume_text();
        cur.push(Node::Recursive);
        if self.peek().is_some_and(is_alphanumeric) {
            self.parse_field(cur)?;
        }
        Ok(())
    }

    fn parse_number(&mut self, cur: &mut Vec<Node>) -> Result<(), JsonPathError> {
        if matches!(self.peek(), Some('+' | '-')) {
            self.next();
        }
        while self.next().is_some_and(|c| c == '.' || is_digit(c)) {}
        self.backup();
        let value = self.consume_text();
        if let Ok(int) = value.parse::<i64>() {
            cur.push(Node::Int(int));
        } else if let Some(float) = go_parse_float(value) {
            cur.push(Node::Float(float));
        } else {
            return error(format!("cannot parse number {value}"));
        }
        Ok(())
    }

    fn parse_array(&mut self, cur: &mut Vec<Node>) -> Result<(), JsonPathError> {
        loop {
            match self.next() {
                None | Some('\n') => return error("unterminated array"),
                Some(']') => break,
                Some(_) => {}
            }
        }
        let text = self.consume_text();
        let mut text = &text[1..text.len() - 1];
        if text == "*" {
            text = ":";
        }
        let parts: Vec<&str> = text.split(',').collect();
        if parts.len() > 1 {
            let union = parts
                .iter()
                .map(|part| parse_action(&format!("[{}]", part.trim_matches(' '))))
                .collect::<Result<Vec<_>, _>>()?;
            cur.push(Node::Union(union));
            return Ok(());
        }
        if let Some(key) = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')).filter(|k| !k.contains('\'')) {
            cur.extend(parse_action(&format!(".{key}"))?);
            return Ok(());
        }
        cur.push(Node::Array(slice_params(text)?));
        Ok(())
    }

    fn parse_filter(&mut self, cur: &mut Vec<Node>) -> Result<(), JsonPathError> {
        self.pos += 3;
        self.consume_text();
        let (mut begin, mut end) = (false, false);
        let mut pair = '"';
        loop {
            match self.next() {
                None | Some('\n') => return error("unterminated filter"),
                Some(quote @ ('"' | '\'')) => {
                    if !begin {
                        begin = true;
                        pair = quote;
                        continue;
                    }
                    if !self.escaped() && quote == pair {
                        end = true;
                    }
                }
                Some(')') if begin == end => break,
                Some(_) => {}
            }
        }
        if self.next() != Some(']') {
            return error("unclosed array expect ]");
        }
        let text = self.consume_text();
        let text = &text[..text.len() - 2];
        match split_comparison(text) {
            None => cur.push(Node::Filter { left: parse_action(text)?, right: Vec::new(), operator: "exists".into() }),
            Some((left, operator, right)) => cur.push(Node::Filter {
                left: parse_action(left)?,
                right: parse_action(right)?,
                operator: operator.to_string(),
            }),
        }
        Ok(())
    }

    fn parse_quote(&mut self, cur: &mut Vec<Node>, quote: char) -> Result<(), JsonPathError> {
        loop {
            match self.next() {
                None | Some('\n') => return error("unterminated quoted string"),
                Some(c) if c == quote && !self.escaped() => break,
                Some(_) => {}
            }
        }
        let value = self.consume_text();
        match unquote(value) {
            Some(text) => cur.push(Node::Text(text)),
            None => return error(format!("unquote string {value} error invalid syntax")),
        }
        Ok(())
    }

    fn parse_field(&mut self, cur: &mut Vec<Node>) -> Result<(), JsonPathError> {
        self.consume_text();
        loop {
            match self.next() {
                Some('\\') => {
                    self.next();
                }
                c if is_terminator(c) => {
                    self.backup();
                    break;
                }
                _ => {}
            }
        }
        let value = self.consume_text();
        cur.push(if value == "*" { Node::Wildcard } else { Node::Field(value.replace('\\', "")) });
        Ok(())
    }
}

/// The nodes of one action, as upstream's `parseAction` makes them from `{text}`.
fn parse_action(text: &str) -> Result<Vec<Node>, JsonPathError> {
    match Parser::new(&format!("{{{text}}}")).parse()?.into_iter().next() {
        Some(Node::List(action)) => Ok(action),
        _ => error(format!("invalid action {text}")),
    }
}

/// `left op right` as upstream's `^([^!<>=]+)([!<>=]+)(.+?)$` splits a filter.
fn split_comparison(text: &str) -> Option<(&str, &str, &str)> {
    let is_op = |c: char| matches!(c, '!' | '<' | '>' | '=');
    let op_start = text.find(is_op).filter(|at| *at > 0)?;
    let mut op_end = text[op_start..].find(|c: char| !is_op(c)).map_or(text.len(), |len| op_start + len);
    if op_end == text.len() {
        // The right side takes at least one character, even one of the operator's.
        op_end -= 1;
    }
    (op_end > op_start).then(|| (&text[..op_start], &text[op_start..op_end], &text[op_end..]))
}

/// `start:end:step` as upstream's slice operator reads it.
fn slice_params(text: &str) -> Result<[Param; 3], JsonPathError> {
    let groups = slice_groups(text).ok_or_else(|| JsonPathError(format!("invalid array index {text}")))?;
    let mut params = [Param { value: 0, known: false, derived: false }; 3];
    for (i, group) in groups.iter().enumerate() {
        if !group.is_empty() {
            let number = if i > 0 { &group[1..] } else { group };
            if i > 0 && number.is_empty() {
                params[i].known = false;
            } else {
                params[i].known = true;
                params[i].value =
                    number.parse().map_err(|_| JsonPathError(format!("array index {number} is not a number")))?;
            }
        } else if i == 1 {
            params[i] = Param { value: params[0].value + 1, known: true, derived: true };
        }
    }
    Ok(params)
}

/// The three groups of `^(-?\d*)(:-?\d*)?(:-?\d*)?$`.
fn slice_groups(text: &str) -> Option<[&str; 3]> {
    let number_end = |s: &str, from: usize| {
        let b = s.as_bytes();
        let mut at = from;
        if b.get(at) == Some(&b'-') {
            at += 1;
        }
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        at
    };
    let first = number_end(text, 0);
    let mut groups = [&text[..first], "", ""];
    let mut at = first;
    for group in &mut groups[1..] {
        if text[at..].starts_with(':') {
            let end = number_end(text, at + 1);
            *group = &text[at..end];
            at = end;
        }
    }
    (at == text.len()).then_some(groups)
}

/// Go's `strconv.Unquote` extended to single quotes: the text of a quoted literal.
fn unquote(quoted: &str) -> Option<String> {
    let quote = quoted.chars().next()?;
    if quoted.len() < 2 || !quoted.ends_with(quote) || !matches!(quote, '"' | '\'') {
        return None;
    }
    let body = &quoted[1..quoted.len() - 1];
    let mut out: Vec<u8> = Vec::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c == quote {
            return None;
        }
        if c != '\\' {
            out.extend(c.to_string().as_bytes());
            continue;
        }
        let escape = chars.next()?;
        let simple = match escape {
            'a' => Some(7u8),
            'b' => Some(8),
            'f' => Some(12),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(11),
            '\\' => Some(b'\\'),
            '\'' | '"' if escape == quote => Some(escape as u8),
            _ => None,
        };
        if let Some(byte) = simple {
            out.push(byte);
            continue;
        }
        let mut read = |n: usize, radix: u32| -> Option<u32> {
            (0..n).try_fold(0u32, |v, _| Some(v * radix + chars.next()?.to_digit(radix)?))
        };
        match escape {
            'x' => out.push(u8::try_from(read(2, 16)?).ok()?),
            'u' => out.extend(char::from_u32(read(4, 16)?)?.to_string().as_bytes()),
            'U' => out.extend(char::from_u32(read(8, 16)?)?.to_string().as_bytes()),
            '0'..='7' => {
                let rest = read(2, 8)?;
                let value = escape.to_digit(8)? * 64 + rest;
                out.push(u8::try_from(value).ok()?);
            }
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

fn go_parse_float(text: &str) -> Option<f64> {
    let valid = text.trim_start_matches(['+', '-']).chars().all(|c| c == '.' || c.is_ascii_digit())
        && text.chars().any(|c| c.is_ascii_digit())
        && text.matches('.').count() <= 1;
    valid.then(|| text.parse::<f64>().ok()).flatten()
}

fn is_terminator(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => matches!(c, ' ' | '\t' | '\r' | '\n' | '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}'),
    }
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphabetic() || is_digit(c)
}

/// Go's `%#U`: `U+007B '{'`.
fn go_rune(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} '{c}'", c as u32)
    }
}

// ---- evaluation (upstream's jsonpath.go) ----

#[derive(Default)]
struct Run {
    allow_missing_keys: bool,
    begin_range: usize,
    in_range: usize,
    end_range: usize,
    /// Where the last `{end}` was met, as an index into the template's nodes.
    last_end: Option<usize>,
}

/// A failed step: upstream returns what it had alongside the error (a filter's `exists`
/// test looks at it).
struct Failure<'a> {
    values: Vec<Found<'a>>,
    error: JsonPathError,
}

type Step<'a> = Result<Vec<Found<'a>>, Failure<'a>>;

fn fail<'a, T>(values: Vec<Found<'a>>, message: impl Into<String>) -> Result<T, Failure<'a>> {
    Err(Failure { values, error: JsonPathError(message.into()) })
}

impl Run {
    fn find_results<'a>(
        &mut self,
        nodes: &[Node],
        from: usize,
        data: Found<'a>,
    ) -> Result<Vec<Vec<Found<'a>>>, JsonPathError> {
        let current = vec![data];
        let mut full = Vec::new();
        let mut i = from;
        while i < nodes.len() {
            let results = self.walk(&current, &nodes[i]).map_err(|f| f.error)?;
            if self.end_range > 0 && self.end_range <= self.in_range {
                self.end_range -= 1;
                self.last_end = Some(i);
                break;
            }
            if self.begin_range > 0 {
                self.begin_range -= 1;
                self.in_range += 1;
                if results.is_empty() {
                    // The range's body still runs once, to find its end.
                    self.find_results(nodes, i + 1, Cow::Owned(Value::Null))?;
                } else {
                    for value in results {
                        full.extend(self.find_results(nodes, i + 1, value)?);
                    }
                }
                self.in_range -= 1;
                if let Some(end) = self.last_end.filter(|end| *end > i) {
                    i = end;
                }
                i += 1;
                continue;
            }
            full.push(results);
            i += 1;
        }
        Ok(full)
    }

    fn walk<'a>(&mut self, input: &[Found<'a>], node: &Node) -> Step<'a> {
        match node {
            Node::List(nodes) => self.eval_list(input, nodes),
            Node::Text(text) => Ok(vec![Cow::Owned(Value::String(text.clone()))]),
            Node::Field(name) => self.eval_field(input, name),
            Node::Array(params) => eval_array(input, *params),
            Node::Filter { left, right, operator } => self.eval_filter(input, left, right, operator),
            Node::Int(n) => Ok(input.iter().map(|_| Cow::Owned(Value::from(*n))).collect()),
            Node::Float(f) => Ok(input.iter().map(|_| Cow::Owned(Value::from(*f))).collect()),
            Node::Bool(b) => Ok(input.iter().map(|_| Cow::Owned(Value::Bool(*b))).collect()),
            Node::Wildcard => Ok(input.iter().flat_map(children).collect()),
            Node::Recursive => Ok(recursive(input)),
            Node::Union(lists) => {
                let mut result = Vec::new();
                for list in lists {
                    match self.eval_list(input, list) {
                        Ok(found) => result.extend(found),
                        Err(failure) => return fail(input.to_vec(), failure.error.0),
                    }
                }
                Ok(result)
            }
            Node::Identifier(name) => match name.as_str() {
                "range" => {
                    self.begin_range += 1;
                    Ok(input.to_vec())
                }
                "end" if self.in_range > 0 => {
                    self.end_range += 1;
                    Ok(Vec::new())
                }
                "end" => fail(Vec::new(), "not in range, nothing to end"),
                other => fail(input.to_vec(), format!("unrecognized identifier {other}")),
            },
        }
    }

    fn eval_list<'a>(&mut self, input: &[Found<'a>], nodes: &[Node]) -> Step<'a> {
        let mut current = input.to_vec();
        for node in nodes {
            current = self.walk(&current, node)?;
        }
        Ok(current)
    }

    fn eval_field<'a>(&mut self, input: &[Found<'a>], name: &str) -> Step<'a> {
        if input.is_empty() {
            return Ok(Vec::new());
        }
        let mut results = Vec::new();
        for value in input {
            if let Value::Object(map) = value.as_ref() {
                match value {
                    Cow::Borrowed(borrowed) => results.extend(borrowed.get(name).map(Cow::Borrowed)),
                    Cow::Owned(_) => results.extend(map.get(name).cloned().map(Cow::Owned)),
                }
            }
        }
        if results.is_empty() && !self.allow_missing_keys {
            return fail(results, format!("{name} is not found"));
        }
        Ok(results)
    }

    fn eval_filter<'a>(&mut self, input: &[Found<'a>], left: &[Node], right: &[Node], operator: &str) -> Step<'a> {
        let mut results = Vec::new();
        for value in input {
            let Value::Array(_) = value.as_ref() else {
                return fail(
                    input.to_vec(),
                    format!("{} is not array or slice and cannot be filtered", gotext::go_format(value)),
                );
            };
            for item in children(value) {
                let temp = vec![item.clone()];
                let lefts = self.eval_list(&temp, left);
                if operator == "exists" {
                    let found = match &lefts {
                        Ok(values) => !values.is_empty(),
                        Err(failure) => !failure.values.is_empty(),
                    };
                    if found {
                        results.push(item);
                    }
                    continue;
                }
                let lefts = lefts.map_err(|f| Failure { values: input.to_vec(), error: f.error })?;
                let left = match lefts.as_slice() {
                    [] => continue,
                    [one] => one.clone(),
                    _ => return fail(input.to_vec(), "can only compare one element at a time"),
                };
                let rights =
                    self.eval_list(&temp, right).map_err(|f| Failure { values: input.to_vec(), error: f.error })?;
                let right = match rights.as_slice() {
                    [] => continue,
                    [one] => one.clone(),
                    _ => return fail(input.to_vec(), "can only compare one element at a time"),
                };
                match compare(&left, &right, operator) {
                    Ok(true) => results.push(item),
                    Ok(false) => {}
                    Err(message) => return fail(results, message),
                }
            }
        }
        Ok(results)
    }
}

/// The items of a list, the values of a map, the bytes of a string.
fn children<'a>(value: &Found<'a>) -> Vec<Found<'a>> {
    match value {
        Cow::Borrowed(Value::Array(items)) => items.iter().map(Cow::Borrowed).collect(),
        Cow::Borrowed(Value::Object(map)) => map.values().map(Cow::Borrowed).collect(),
        Cow::Owned(Value::Array(items)) => items.iter().cloned().map(Cow::Owned).collect(),
        Cow::Owned(Value::Object(map)) => map.values().cloned().map(Cow::Owned).collect(),
        other => match other.as_ref() {
            Value::String(s) => s.bytes().map(|b| Cow::Owned(Value::from(b))).collect(),
            _ => Vec::new(),
        },
    }
}

/// `..`: every value that has children, followed by its descendants that do.
fn recursive<'a>(input: &[Found<'a>]) -> Vec<Found<'a>> {
    let mut result = Vec::new();
    for value in input {
        let inner = children(value);
        if !inner.is_empty() {
            result.push(value.clone());
            result.extend(recursive(&inner));
        }
    }
    result
}

fn go_type(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "map[string]interface {}",
        Value::Array(_) => "[]interface {}",
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::Null => "<nil>",
    }
}

fn eval_array<'a>(input: &[Found<'a>], params: [Param; 3]) -> Step<'a> {
    let mut result = Vec::new();
    for value in input {
        if value.is_null() {
            continue;
        }
        let Value::Array(items) = value.as_ref() else {
            return fail(input.to_vec(), format!("{} is not array or slice", go_type(value)));
        };
        let length = items.len() as i64;
        let mut params = params;
        if !params[0].known {
            params[0].value = 0;
        }
        if params[0].value < 0 {
            params[0].value += length;
        }
        if !params[1].known {
            params[1].value = length;
        }
        if params[1].value < 0 || (params[1].value == 0 && params[1].derived) {
            params[1].value += length;
        }
        let (start, end) = (params[0].value, params[1].value);
        if start == end {
            return Ok(result);
        }
        if start >= length || start < 0 {
            return fail(input.to_vec(), format!("array index out of bounds: index {start}, length {length}"));
        }
        if end > length || end < 0 {
            return fail(input.to_vec(), format!("array index out of bounds: index {}, length {length}", end - 1));
        }
        if start > end {
            return fail(input.to_vec(), format!("starting index {start} is greater than ending index {end}"));
        }
        let step = if params[2].known {
            if params[2].value <= 0 {
                return fail(input.to_vec(), "step must be > 0");
            }
            params[2].value as usize
        } else {
            1
        };
        let slice = children(value);
        result.extend(slice.into_iter().skip(start as usize).take((end - start) as usize).step_by(step));
    }
    Ok(result)
}

/// The kinds Go's template comparisons know.
#[derive(PartialEq, PartialOrd)]
enum Basic<'v> {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'v str),
}

fn basic(v: &Value) -> Option<Basic<'_>> {
    Some(match v {
        Value::Bool(b) => Basic::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) if !n.is_f64() => Basic::Int(i),
            _ => Basic::Float(n.as_f64()?),
        },
        Value::String(s) => Basic::Str(s),
        _ => return None,
    })
}

/// Go template's comparison functions over the kinds JSON decoding gives: bool, int64,
/// float64, string.
fn compare(left: &Value, right: &Value, operator: &str) -> Result<bool, String> {
    if !matches!(operator, "==" | "!=" | "<" | "<=" | ">" | ">=") {
        return Err(format!("unrecognized filter operator {operator}"));
    }
    let bad_type = || "invalid type for comparison".to_string();
    let (l, r) = (basic(left).ok_or_else(bad_type)?, basic(right).ok_or_else(bad_type)?);
    if std::mem::discriminant(&l) != std::mem::discriminant(&r) {
        return Err("incompatible types for comparison".into());
    }
    let less = || -> Result<bool, String> {
        match (&l, &r) {
            (Basic::Bool(_), _) => Err(bad_type()),
            _ => Ok(l < r),
        }
    };
    let equal = l == r;
    match operator {
        "==" => Ok(equal),
        "!=" => Ok(!equal),
        "<" => less(),
        "<=" => Ok(less()? || equal),
        ">" => Ok(!(less()? || equal)),
        ">=" => Ok(!less()?),
        other => Err(format!("unrecognized filter operator {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(template: &str, data: &Value, allow_missing_keys: bool) -> Result<String, JsonPathError> {
        JsonPath::parse(template)?.allow_missing_keys(allow_missing_keys).execute(data)
    }

    fn ok(template: &str, data: &Value) -> String {
        run(template, data, false).unwrap_or_else(|e| panic!("{template}: {e}"))
    }

    fn nodes() -> Value {
        json!({
          "kind": "List",
          "items": [
            {"kind": "None", "metadata": {"name": "127.0.0.1", "labels": {"kubernetes.io/hostname": "127.0.0.1"}},
             "status": {"capacity": {"cpu": "4"}, "ready": true,
                        "addresses": [{"type": "LegacyHostIP", "address": "127.0.0.1"}]}},
            {"kind": "None", "metadata": {"name": "127.0.0.2", "labels": {"kubernetes.io/hostname": "127.0.0.2"}},
             "status": {"capacity": {"cpu": "8"}, "ready": false,
                        "addresses": [{"type": "LegacyHostIP", "address": "127.0.0.2"},
                                      {"type": "another", "address": "127.0.0.3"}]}}
          ],
          "users": [{"name": "myself", "user": {}}, {"name": "e2e", "user": {"username": "admin", "password": "secret"}}]
        })
    }

    #[test]
    fn kubernetes_use_cases_as_upstream_tests_them() {
        let data = nodes();
        for (template, expect) in [
            ("{range .items[*]}{.metadata.name}, {end}{.kind}", "127.0.0.1, 127.0.0.2, List"),
            ("{range .items[*]}{.metadata.name}{\"\\t\"}{end}", "127.0.0.1\t127.0.0.2\t"),
            ("{.items[*].status.addresses[*].address}", "127.0.0.1 127.0.0.2 127.0.0.3"),
            (
                "{range .items[*]}{range .status.addresses[*]}{.address}, {end}{end}",
                "127.0.0.1, 127.0.0.2, 127.0.0.3, ",
            ),
            ("{.items[*].metadata.name}", "127.0.0.1 127.0.0.2"),
            ("{.items[*]['metadata.name', 'status.capacity']}", "127.0.0.1 127.0.0.2 {\"cpu\":\"4\"} {\"cpu\":\"8\"}"),
            (
                "{range .items[*]}[{.metadata.name}, {.status.capacity}] {end}",
                "[127.0.0.1, {\"cpu\":\"4\"}] [127.0.0.2, {\"cpu\":\"8\"}] ",
            ),
            ("{.users[?(@.name==\"e2e\")].user.password}", "secret"),
            ("{.items[0].metadata.labels.kubernetes\\.io/hostname}", "127.0.0.1"),
            ("{.items[?(@.metadata.labels.kubernetes\\.io/hostname==\"127.0.0.1\")].kind}", "None"),
            ("{.items[?(@..ready==true)].metadata.name}", "127.0.0.1"),
        ] {
            assert_eq!(ok(template, &data), expect, "{template}");
        }
    }

    #[test]
    fn slices_indexes_and_steps_follow_upstream() {
        let data = json!({"c": ["f0", "f1", "f2", "f3", "f4", "f5"], "b": [true, false, true, false], "f": [1.5, 2.2]});
        for (template, expect) in [
            ("{.c[0]}", "f0"),
            ("{.c[0:0]}", ""),
            ("{.c[0:-1]}", "f0 f1 f2 f3 f4"),
            ("{.c[-1]}", "f5"),
            ("{.c[-2:]}", "f4 f5"),
            ("{.c[1:4:2]}", "f1 f3"),
            ("{.c[0:6:5]}", "f0 f5"),
            ("{.c[::2]}", "f0 f2 f4"),
            ("{.c[7:7]}", ""),
            ("{ .b }", "[true,false,true,false]"),
            ("{ .b[:4:2] }", "true true"),
            ("{ .f }", "[1.5,2.2]"),
            ("{ .f[-1] }", "2.2"),
        ] {
            assert_eq!(run(template, &data, true).unwrap(), expect, "{template}");
        }
        for template in ["{.c[-7]}", "{.c[3:1]}", "{.c[-1:-2]}", "{.c[0:6:0]}", "{.c[0:6:-1]}", "{.c[-1:0]}"] {
            assert!(run(template, &data, false).is_err(), "{template}");
        }
        assert_eq!(ok("{[1,3,4]}", &json!([0, 1, 2, 3, 4])), "1 3 4");
        assert_eq!(ok("{[?(@<5)]}", &json!([2, 6, 3, 7])), "2 3");
    }

    #[test]
    fn missing_keys_fail_unless_allowed_and_errors_carry_upstreams_messages() {
        let data = json!({"Labels": {"a": 1}, "Book": [{"Price": 1.5}]});
        assert_eq!(run("{.hello}", &data, false).unwrap_err().to_string(), "hello is not found");
        assert_eq!(run("before-{.hello}after", &data, true).unwrap(), "before-after");
        assert_eq!(run("{hello}", &data, false).unwrap_err().to_string(), "unrecognized identifier hello");
        assert_eq!(
            run("{.Labels[0]}", &data, false).unwrap_err().to_string(),
            "map[string]interface {} is not array or slice"
        );
        assert_eq!(
            run("{.Book[?(@.Price<>10)]}", &data, false).unwrap_err().to_string(),
            "unrecognized filter operator <>"
        );
        assert_eq!(
            run("{range .Labels.*}{@}{end}{end}", &data, false).unwrap_err().to_string(),
            "not in range, nothing to end"
        );
        assert_eq!(
            run("{.Book[?(@.Price==1)]}", &data, false).unwrap_err().to_string(),
            "incompatible types for comparison"
        );
        assert_eq!(JsonPath::parse("{.a").unwrap_err().to_string(), "unclosed action");
        assert_eq!(JsonPath::parse("{{}").unwrap_err().to_string(), "unrecognized character in action: U+007B '{'");
        assert!(JsonPath::parse("{....Price}").is_err());
    }

    #[test]
    fn filters_exists_tests_and_literals() {
        let points =
            json!([{"id": "i1", "x": 4}, {"id": "i2", "x": -2, "z": 1}, {"id": "i5", "z": 1}, {"id": "i7", "x": null}]);
        assert_eq!(ok("{[?(@.z)].id}", &points), "i2 i5");
        assert_eq!(ok("{[0]['id']}", &points), "i1");
        assert_eq!(ok("{[-1]['x']}", &points), "null");
        assert_eq!(ok("{\"{\"}", &Value::Null), "{");
        assert_eq!(ok("hello jsonpath", &Value::Null), "hello jsonpath");
        assert_eq!(ok("{..}", &json!([1, 2, 3])), "[1,2,3]");
        let pods = json!({"items": [
            {"metadata": {"name": "pod1", "annotations": {"color": "blue"}}},
            {"metadata": {"name": "pod2"}},
            {"metadata": {"name": "pod4", "annotations": {"color": "blue"}}}]});
        let template = "{.items[?(@.metadata.annotations.color==\"blue\")].metadata.name}";
        assert_eq!(run(template, &pods, true).unwrap(), "pod1 pod4");
        assert!(run(template, &pods, false).is_err());
    }

    #[test]
    fn ranges_nest_and_an_empty_range_prints_nothing() {
        let data = json!({"items": [
            {"metadata": {"name": "pod1"}, "spec": {"containers": [{"name": "foo"}, {"name": "bar"}]}},
            {"metadata": {"name": "pod2"}, "spec": {"containers": [{"name": "baz"}]}}]});
        let template =
            "{range .items[*]}{.metadata.name}{\":\"}{range @.spec.containers[*]}{.name}{\",\"}{end}{\"+\"}{end}";
        assert_eq!(ok(template, &data), "pod1:foo,bar,+pod2:baz,+");
        assert_eq!(run(template, &json!({"items": []}), true).unwrap(), "");
    }

    #[test]
    fn dict_keys_split_at_dots_and_escaped_dots_do_not() {
        let ns = json!({"metadata": {"name": "default", "labels": {"kubernetes.io/name": "x"}}});
        assert_eq!(run("{['metadata.name']}", &ns, true).unwrap(), "default");
        assert_eq!(run("{.metadata.labels['kubernetes.io/name']}", &ns, true).unwrap(), "");
        assert_eq!(run("{.metadata.labels.kubernetes\\.io/name}", &ns, true).unwrap(), "x");
    }

    #[test]
    fn relaxed_paths_gain_braces_and_a_leading_dot() {
        for expression in ["a.b", ".a.b", "{a.b}", "{.a.b}"] {
            assert_eq!(relaxed(expression).unwrap(), "{.a.b}", "{expression}");
        }
        assert!(relaxed("{.a").is_err());
        assert_eq!(relaxed("").unwrap(), "");
    }

    #[test]
    fn fields_and_first_serve_the_servers_column_paths() {
        let path = JsonPath::parse("{.spec.replicas}").unwrap().allow_missing_keys(true);
        assert_eq!(path.fields(), Some(vec!["spec", "replicas"]));
        assert_eq!(path.first(&json!({"spec": {"replicas": 3}})).map(Cow::into_owned), Some(json!(3)));
        assert_eq!(path.first(&json!({})), None);
        assert_eq!(JsonPath::parse("{.a[0]}").unwrap().fields(), None);
    }
}
