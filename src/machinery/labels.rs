//! Label selectors, as upstream's `k8s.io/apimachinery/pkg/labels` and metav1's selector
//! helpers: the string syntax (`app=web,tier in (a,b),!legacy`, kubectl's `-l` and the
//! `labelSelector` query parameter) with upstream's grammar and error messages, the
//! object form (`matchLabels` + `matchExpressions`, `LabelSelectorAsSelector`), matching
//! against a label map, and the printed form (`Selector.String()`, `FormatLabelSelector`,
//! `FormatLabels`).
//!
//! A selector is parsed or converted once and then matched many times; matching does not
//! allocate.

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde_json::{Map, Value};

use crate::machinery::validation::{is_label_value, is_qualified_name};

/// A selector that does not parse or convert, in upstream's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SelectorError(String);

/// upstream's `selection.Operator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Equals,
    DoubleEquals,
    NotEquals,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

/// What a set of labels is to a selector: a lookup by key.
pub trait Labels {
    fn get_label(&self, key: &str) -> Option<&str>;
}

impl Labels for BTreeMap<String, String> {
    fn get_label(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
}

impl Labels for Map<String, Value> {
    fn get_label(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }
}

/// A `metadata.labels` value: an object of strings (anything else has no labels).
impl Labels for Value {
    fn get_label(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }
}

impl<L: Labels> Labels for Option<&L> {
    fn get_label(&self, key: &str) -> Option<&str> {
        self.and_then(|labels| labels.get_label(key))
    }
}

/// One requirement: a key, an operator and its values (upstream's `labels.Requirement`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    key: String,
    operator: Operator,
    values: Vec<String>,
}

/// One `field.Error`: `path: Invalid value: "x": detail`.
fn invalid(path: &str, value: &str, detail: &str) -> String {
    format!("{path}: Invalid value: {value}: {detail}")
}

/// Go's `%#v` of a `[]string`.
fn go_strings(values: Option<&[String]>) -> String {
    match values {
        None => "[]string(nil)".to_string(),
        Some(values) => {
            let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
            format!("[]string{{{}}}", quoted.join(", "))
        }
    }
}

/// `utilerrors.NewAggregate(...).Error()` of distinct messages: one alone, several in brackets.
fn aggregate(mut messages: Vec<String>) -> Result<(), SelectorError> {
    let mut seen = std::collections::HashSet::new();
    messages.retain(|m| seen.insert(m.clone()));
    match messages.len() {
        0 => Ok(()),
        1 => Err(SelectorError(messages.remove(0))),
        _ => Err(SelectorError(format!("[{}]", messages.join(", ")))),
    }
}

/// `validateLabelKey`: the key's problems joined by "; ", at `path`.
fn validate_key(key: &str, path: &str) -> Option<String> {
    let errs = is_qualified_name(key);
    (!errs.is_empty()).then(|| invalid(path, &format!("{key:?}"), &errs.join("; ")))
}

impl Requirement {
    /// `labels.NewRequirement`: the key must be a qualified name and the values valid label
    /// values, as many as the operator takes. `values` is `None` for a nil slice (only the
    /// error text tells it from an empty one).
    pub fn new(key: &str, operator: Operator, values: Option<Vec<String>>) -> Result<Requirement, SelectorError> {
        let mut errs = Vec::new();
        errs.extend(validate_key(key, "key"));
        let shown = || go_strings(values.as_deref());
        let list = values.as_deref().unwrap_or_default();
        match operator {
            Operator::In | Operator::NotIn if list.is_empty() => {
                errs.push(invalid("values", &shown(), "for 'in', 'notin' operators, values set can't be empty"))
            }
            Operator::Equals | Operator::DoubleEquals | Operator::NotEquals if list.len() != 1 => {
                errs.push(invalid("values", &shown(), "exact-match compatibility requires one single value"))
            }
            Operator::Exists | Operator::DoesNotExist if !list.is_empty() => {
                errs.push(invalid("values", &shown(), "values set must be empty for exists and does not exist"))
            }
            Operator::GreaterThan | Operator::LessThan => {
                if list.len() != 1 {
                    errs.push(invalid("values", &shown(), "for 'Gt', 'Lt' operators, exactly one value is required"));
                }
                for (i, value) in list.iter().enumerate() {
                    if value.parse::<i64>().is_err() {
                        errs.push(invalid(
                            &format!("values[{i}]"),
                            &format!("{value:?}"),
                            "for 'Gt', 'Lt' operators, the value must be an integer",
                        ));
                    }
                }
            }
            _ => {}
        }
        for (i, value) in list.iter().enumerate() {
            let problems = is_label_value(value);
            if !problems.is_empty() {
                errs.push(invalid(&format!("values[{i}][{key}]"), &format!("{value:?}"), &problems.join("; ")));
            }
        }
        aggregate(errs)?;
        Ok(Requirement { key: key.to_string(), operator, values: values.unwrap_or_default() })
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn operator(&self) -> Operator {
        self.operator
    }

    pub fn values(&self) -> &[String] {
        &self.values
    }

    fn has_value(&self, value: &str) -> bool {
        self.values.iter().any(|v| v == value)
    }

    /// `Requirement.Matches`.
    pub fn matches(&self, labels: &(impl Labels + ?Sized)) -> bool {
        let value = labels.get_label(&self.key);
        match self.operator {
            Operator::In | Operator::Equals | Operator::DoubleEquals => value.is_some_and(|v| self.has_value(v)),
            Operator::NotIn | Operator::NotEquals => value.is_none_or(|v| !self.has_value(v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                let (Some(actual), [bound]) = (value.and_then(|v| v.parse::<i64>().ok()), self.values.as_slice())
                else {
                    return false;
                };
                let Ok(bound) = bound.parse::<i64>() else { return false };
                if self.operator == Operator::GreaterThan {
                    actual > bound
                } else {
                    actual < bound
                }
            }
        }
    }
}

/// `Requirement.String()`: values sorted, without changing the requirement.
impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.operator == Operator::DoesNotExist {
            f.write_str("!")?;
        }
        f.write_str(&self.key)?;
        let (operator, open, close) = match self.operator {
            Operator::Exists | Operator::DoesNotExist => return Ok(()),
            Operator::Equals => ("=", "", ""),
            Operator::DoubleEquals => ("==", "", ""),
            Operator::NotEquals => ("!=", "", ""),
            Operator::In => (" in ", "(", ")"),
            Operator::NotIn => (" notin ", "(", ")"),
            Operator::GreaterThan => (">", "", ""),
            Operator::LessThan => ("<", "", ""),
        };
        f.write_str(operator)?;
        f.write_str(open)?;
        let mut values: Vec<&str> = self.values.iter().map(String::as_str).collect();
        values.sort_unstable();
        f.write_str(&values.join(","))?;
        f.write_str(close)
    }
}

/// A label selector: requirements sorted by key, all of which must hold. The empty selector
/// matches everything; `Selector::nothing()` (a nil `LabelSelector`) matches nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    requirements: Vec<Requirement>,
    nothing: bool,
}

impl Selector {
    /// `labels.Everything()`.
    pub fn everything() -> Selector {
        Selector::default()
    }

    /// `labels.Nothing()`.
    pub fn nothing() -> Selector {
        Selector { requirements: Vec::new(), nothing: true }
    }

    fn sorted(mut requirements: Vec<Requirement>) -> Selector {
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Selector { requirements, nothing: false }
    }

    /// `labels.Parse`: the string syntax, with upstream's grammar and error messages.
    pub fn parse(text: &str) -> Result<Selector, SelectorError> {
        Parser::new(text).parse().map(Selector::sorted).map_err(SelectorError)
    }

    /// `labels.SelectorFromSet`: every label equal (no validation); empty selects everything.
    pub fn from_set<'a>(labels: impl IntoIterator<Item = (&'a String, &'a String)>) -> Selector {
        let requirements = labels
            .into_iter()
            .map(|(key, value)| Requirement {
                key: key.clone(),
                operator: Operator::Equals,
                values: vec![value.clone()],
            })
            .collect();
        Selector::sorted(requirements)
    }

    /// `metav1.LabelSelectorAsSelector`: `None` selects nothing, an empty selector everything.
    pub fn from_label_selector(selector: Option<&LabelSelector>) -> Result<Selector, SelectorError> {
        let Some(selector) = selector else { return Ok(Selector::nothing()) };
        let mut requirements = Vec::new();
        for (key, value) in selector.match_labels.iter().flatten() {
            requirements.push(Requirement::new(key, Operator::Equals, Some(vec![value.clone()]))?);
        }
        for expression in selector.match_expressions.iter().flatten() {
            let operator = expression_operator(&expression.operator)?;
            requirements.push(Requirement::new(&expression.key, operator, expression.values.clone())?);
        }
        Ok(Selector::sorted(requirements))
    }

    /// `LabelSelectorAsSelector` of a selector as JSON (`null` or absent selects nothing); a
    /// selector that would not decode as a `LabelSelector` is an error.
    pub fn from_value(selector: Option<&Value>) -> Result<Selector, SelectorError> {
        let Some(selector) = selector.filter(|s| !s.is_null()) else { return Ok(Selector::nothing()) };
        let undecodable = || SelectorError(format!("cannot decode {selector} as a label selector"));
        let selector = selector.as_object().ok_or_else(undecodable)?;
        let mut requirements = Vec::new();
        match selector.get("matchLabels") {
            None | Some(Value::Null) => {}
            Some(Value::Object(labels)) => {
                for (key, value) in labels {
                    let value = value.as_str().ok_or_else(undecodable)?;
                    requirements.push(Requirement::new(key, Operator::Equals, Some(vec![value.to_string()]))?);
                }
            }
            Some(_) => return Err(undecodable()),
        }
        match selector.get("matchExpressions") {
            None | Some(Value::Null) => {}
            Some(Value::Array(expressions)) => {
                for expression in expressions {
                    let text = |field: &str| match expression.get(field) {
                        None | Some(Value::Null) => Ok(""),
                        Some(Value::String(text)) => Ok(text.as_str()),
                        Some(_) => Err(undecodable()),
                    };
                    let values = match expression.get("values") {
                        None | Some(Value::Null) => None,
                        Some(Value::Array(values)) => Some(
                            values
                                .iter()
                                .map(|v| v.as_str().map(str::to_string).ok_or_else(undecodable))
                                .collect::<Result<Vec<_>, _>>()?,
                        ),
                        Some(_) => return Err(undecodable()),
                    };
                    let operator = expression_operator(text("operator")?)?;
                    requirements.push(Requirement::new(text("key")?, operator, values)?);
                }
            }
            Some(_) => return Err(undecodable()),
        }
        Ok(Selector::sorted(requirements))
    }

    /// `Selector.Empty()`: selects everything (a `nothing()` selector is not empty).
    pub fn is_empty(&self) -> bool {
        !self.nothing && self.requirements.is_empty()
    }

    /// Whether this is `labels.Nothing()`.
    pub fn matches_nothing(&self) -> bool {
        self.nothing
    }

    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// Whether every requirement holds for `labels`.
    pub fn matches(&self, labels: &(impl Labels + ?Sized)) -> bool {
        !self.nothing && self.requirements.iter().all(|r| r.matches(labels))
    }

    /// Whether an object's `metadata.labels` satisfy the selector.
    pub fn matches_object(&self, object: &Value) -> bool {
        self.matches(&object.pointer("/metadata/labels"))
    }
}

/// `Selector.String()`: the requirements joined by commas ("" for everything and nothing).
impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, requirement) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{requirement}")?;
        }
        Ok(())
    }
}

/// A `matchExpressions` operator.
fn expression_operator(operator: &str) -> Result<Operator, SelectorError> {
    match operator {
        "In" => Ok(Operator::In),
        "NotIn" => Ok(Operator::NotIn),
        "Exists" => Ok(Operator::Exists),
        "DoesNotExist" => Ok(Operator::DoesNotExist),
        other => Err(SelectorError(format!("{other:?} is not a valid label selector operator"))),
    }
}

/// `metav1.ParseToLabelSelector`: a selector string as a `LabelSelector` object, equality
/// terms as `matchLabels`, set terms as `matchExpressions` (empty parts left out, as Go's
/// `omitempty` does).
pub fn parse_to_label_selector(text: &str) -> Result<Value, SelectorError> {
    let selector = Selector::parse(text)
        .map_err(|e| SelectorError(format!("couldn't parse the selector string \"{text}\": {}", e.0)))?;
    let mut match_labels = Map::new();
    let mut expressions = Vec::new();
    for requirement in selector.requirements() {
        let operator = match requirement.operator() {
            Operator::Equals | Operator::DoubleEquals => {
                let value = requirement.values().first().cloned().unwrap_or_default();
                match_labels.insert(requirement.key().to_string(), Value::String(value));
                continue;
            }
            Operator::In => "In",
            Operator::NotIn => "NotIn",
            Operator::Exists => "Exists",
            Operator::DoesNotExist => "DoesNotExist",
            Operator::GreaterThan => return Err(SelectorError("\"gt\" isn't supported in label selectors".into())),
            Operator::LessThan => return Err(SelectorError("\"lt\" isn't supported in label selectors".into())),
            Operator::NotEquals => return Err(SelectorError("\"!=\" is not a valid label selector operator".into())),
        };
        let mut expression = serde_json::json!({"key": requirement.key(), "operator": operator});
        if !requirement.values().is_empty() {
            expression["values"] = serde_json::json!(requirement.values());
        }
        expressions.push(expression);
    }
    let mut out = Map::new();
    if !match_labels.is_empty() {
        out.insert("matchLabels".into(), Value::Object(match_labels));
    }
    if !expressions.is_empty() {
        out.insert("matchExpressions".into(), Value::Array(expressions));
    }
    Ok(Value::Object(out))
}

/// `LabelSelectorAsSelector(selector).String()` of a selector as JSON: "" for a nil or
/// empty one.
pub fn selector_string(selector: Option<&Value>) -> Result<String, SelectorError> {
    Selector::from_value(selector).map(|selector| selector.to_string())
}

/// `metav1.FormatLabelSelector` of a selector as JSON: its string, `<none>` when that is
/// empty, `<error>` when it does not convert.
pub fn format_label_selector(selector: Option<&Value>) -> String {
    match Selector::from_value(selector) {
        Err(_) => "<error>".to_string(),
        Ok(selector) if selector.requirements.is_empty() => "<none>".to_string(),
        Ok(selector) => selector.to_string(),
    }
}

/// `labels.FormatLabels`: `k=v` pairs sorted by key and comma-joined; `<none>` when empty.
pub fn format_labels<'a>(labels: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut pairs: Vec<(&str, &str)> = labels.into_iter().collect();
    pairs.sort_unstable();
    if pairs.is_empty() {
        return "<none>".to_string();
    }
    pairs.iter().map(|(key, value)| format!("{key}={value}")).collect::<Vec<_>>().join(",")
}

/// `format_labels` of a JSON label map (non-string values print empty; anything but an
/// object is no labels).
pub fn format_label_map(labels: Option<&Map<String, Value>>) -> String {
    format_labels(labels.into_iter().flatten().map(|(k, v)| (k.as_str(), v.as_str().unwrap_or_default())))
}

// ---- the string syntax, as upstream's lexer and parser ---------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    EndOfString,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    GreaterThan,
    Identifier,
    In,
    LessThan,
    NotEquals,
    NotIn,
    OpenPar,
}

/// Whether the lexer reads the token as an operator or (inside values) as a plain word:
/// `in` and `notin` are values in `x in (in)`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    KeyAndOperator,
    Values,
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_special(b: u8) -> bool {
    matches!(b, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

/// The input as tokens, each with its literal text.
fn lex(text: &str) -> Vec<(Token, &str)> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut pos = 0;
    loop {
        while pos < bytes.len() && is_whitespace(bytes[pos]) {
            pos += 1;
        }
        // Upstream's lexer reads a NUL byte as the end of the input.
        if pos >= bytes.len() || bytes[pos] == 0 {
            tokens.push((Token::EndOfString, ""));
            return tokens;
        }
        let start = pos;
        if is_special(bytes[pos]) {
            let two = bytes.get(pos..pos + 2);
            let token = match (two, bytes[pos]) {
                (Some(b"!="), _) => Token::NotEquals,
                (Some(b"=="), _) => Token::DoubleEquals,
                (_, b'!') => Token::DoesNotExist,
                (_, b'=') => Token::Equals,
                (_, b'(') => Token::OpenPar,
                (_, b')') => Token::ClosedPar,
                (_, b',') => Token::Comma,
                (_, b'>') => Token::GreaterThan,
                _ => Token::LessThan,
            };
            pos += if matches!(token, Token::NotEquals | Token::DoubleEquals) { 2 } else { 1 };
            tokens.push((token, &text[start..pos]));
            continue;
        }
        while pos < bytes.len() && bytes[pos] != 0 && !is_special(bytes[pos]) && !is_whitespace(bytes[pos]) {
            pos += 1;
        }
        let word = &text[start..pos];
        let token = match word {
            "in" => Token::In,
            "notin" => Token::NotIn,
            _ => Token::Identifier,
        };
        tokens.push((token, word));
    }
}

struct Parser<'a> {
    tokens: Vec<(Token, &'a str)>,
    position: usize,
}

/// upstream's `binaryOperators`, as its messages list them.
const BINARY_OPERATORS: &str = "in, notin, =, ==, !=, gt, lt";

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        Parser { tokens: lex(text), position: 0 }
    }

    fn token(&self, at: usize, context: Context) -> (Token, &'a str) {
        // The last token is always EndOfString; reading past it reads it again.
        let (token, literal) = self.tokens[at.min(self.tokens.len() - 1)];
        match (context, token) {
            (Context::Values, Token::In | Token::NotIn) => (Token::Identifier, literal),
            _ => (token, literal),
        }
    }

    fn lookahead(&self, context: Context) -> (Token, &'a str) {
        self.token(self.position, context)
    }

    fn consume(&mut self, context: Context) -> (Token, &'a str) {
        self.position += 1;
        self.token(self.position - 1, context)
    }

    fn parse(&mut self) -> Result<Vec<Requirement>, String> {
        let mut requirements = Vec::new();
        loop {
            let (token, literal) = self.lookahead(Context::Values);
            match token {
                Token::Identifier | Token::DoesNotExist => {
                    let requirement =
                        self.requirement().map_err(|err| format!("unable to parse requirement: {err}"))?;
                    requirements.push(requirement);
                    let (token, literal) = self.consume(Context::Values);
                    match token {
                        Token::EndOfString => return Ok(requirements),
                        Token::Comma => {
                            let (next, literal) = self.lookahead(Context::Values);
                            if next != Token::Identifier && next != Token::DoesNotExist {
                                return Err(format!("found '{literal}', expected: identifier after ','"));
                            }
                        }
                        _ => return Err(format!("found '{literal}', expected: ',' or 'end of string'")),
                    }
                }
                Token::EndOfString => return Ok(requirements),
                _ => return Err(format!("found '{literal}', expected: !, identifier, or 'end of string'")),
            }
        }
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        let (key, operator) = self.key_and_inferred_operator()?;
        if let Some(operator) = operator {
            return Requirement::new(key, operator, Some(Vec::new())).map_err(|e| e.0);
        }
        let operator = self.operator()?;
        let mut values = match operator {
            Operator::In | Operator::NotIn => self.values()?,
            _ => self.exact_value()?,
        };
        // upstream collects the values in a set and lists it sorted.
        values.sort_unstable();
        values.dedup();
        Requirement::new(key, operator, Some(values.into_iter().map(str::to_string).collect())).map_err(|e| e.0)
    }

    /// The key, and `Exists`/`DoesNotExist` when no operator follows it.
    fn key_and_inferred_operator(&mut self) -> Result<(&'a str, Option<Operator>), String> {
        let (mut token, mut literal) = self.consume(Context::Values);
        let mut operator = None;
        if token == Token::DoesNotExist {
            operator = Some(Operator::DoesNotExist);
            (token, literal) = self.consume(Context::Values);
        }
        if token != Token::Identifier {
            return Err(format!("found '{literal}', expected: identifier"));
        }
        // The parser checks the key without a field path: upstream prints it as `<nil>`.
        if let Some(err) = validate_key(literal, "<nil>") {
            return Err(err);
        }
        if matches!(self.lookahead(Context::Values).0, Token::EndOfString | Token::Comma) && operator.is_none() {
            operator = Some(Operator::Exists);
        }
        Ok((literal, operator))
    }

    fn operator(&mut self) -> Result<Operator, String> {
        let (token, literal) = self.consume(Context::KeyAndOperator);
        Ok(match token {
            Token::In => Operator::In,
            Token::Equals => Operator::Equals,
            Token::DoubleEquals => Operator::DoubleEquals,
            Token::GreaterThan => Operator::GreaterThan,
            Token::LessThan => Operator::LessThan,
            Token::NotIn => Operator::NotIn,
            Token::NotEquals => Operator::NotEquals,
            _ => return Err(format!("found '{literal}', expected: {BINARY_OPERATORS}")),
        })
    }

    /// `(a,b,c)`; `()` is the one empty value.
    fn values(&mut self) -> Result<Vec<&'a str>, String> {
        let (token, literal) = self.consume(Context::Values);
        if token != Token::OpenPar {
            return Err(format!("found '{literal}' expected: '('"));
        }
        let (token, literal) = self.lookahead(Context::Values);
        match token {
            Token::Identifier | Token::Comma => {
                let values = self.identifiers()?;
                if self.consume(Context::Values).0 != Token::ClosedPar {
                    return Err(format!("found '{literal}', expected: ')'"));
                }
                Ok(values)
            }
            Token::ClosedPar => {
                self.consume(Context::Values);
                Ok(vec![""])
            }
            _ => Err(format!("found '{literal}', expected: ',', ')' or identifier")),
        }
    }

    /// A comma-separated list in which a value may be empty (`(a,,b)`, `(,a)`).
    fn identifiers(&mut self) -> Result<Vec<&'a str>, String> {
        let mut values = Vec::new();
        loop {
            let (token, literal) = self.consume(Context::Values);
            match token {
                Token::Identifier => {
                    values.push(literal);
                    let (next, literal) = self.lookahead(Context::Values);
                    match next {
                        Token::Comma => continue,
                        Token::ClosedPar => return Ok(values),
                        _ => return Err(format!("found '{literal}', expected: ',' or ')'")),
                    }
                }
                Token::Comma => {
                    if values.is_empty() {
                        values.push("");
                    }
                    match self.lookahead(Context::Values).0 {
                        Token::ClosedPar => {
                            values.push("");
                            return Ok(values);
                        }
                        Token::Comma => values.push(""),
                        _ => {}
                    }
                }
                _ => return Err(format!("found '{literal}', expected: ',', or identifier")),
            }
        }
    }

    /// The one value of `=`, `==`, `!=`, `>` or `<`; empty when none follows.
    fn exact_value(&mut self) -> Result<Vec<&'a str>, String> {
        if matches!(self.lookahead(Context::Values).0, Token::EndOfString | Token::Comma) {
            return Ok(vec![""]);
        }
        match self.consume(Context::Values) {
            (Token::Identifier, literal) => Ok(vec![literal]),
            (_, literal) => Err(format!("found '{literal}', expected: identifier")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn set_based_and_equality_requirements_match() {
        let selector = Selector::parse("app=web,tier in (front, back),!legacy,env!=prod").unwrap();
        assert!(selector.matches(&labels(&[("app", "web"), ("tier", "front")])));
        assert!(!selector.matches(&labels(&[("app", "web"), ("tier", "db")])));
        assert!(!selector.matches(&labels(&[("app", "web"), ("tier", "front"), ("legacy", "y")])));
        assert!(!selector.matches(&labels(&[("app", "web"), ("tier", "back"), ("env", "prod")])));
        assert!(selector.matches(&json!({"app": "web", "tier": "back", "env": "dev"})));
        let everything = Selector::parse("").unwrap();
        assert!(everything.is_empty() && everything.matches(&None::<&Value>));
    }

    #[test]
    fn parsed_selectors_print_sorted_as_upstream() {
        let selector = Selector::parse("z, b notin (y,x), a==1, !c, n>5, m<3, d in (q,,p)").unwrap();
        assert_eq!(selector.to_string(), "a==1,b notin (x,y),!c,d in (,p,q),m<3,n>5,z");
        assert_eq!(Selector::parse("x in ()").unwrap().to_string(), "x in ()");
        assert_eq!(Selector::parse("x=").unwrap().to_string(), "x=");
        assert_eq!(Selector::parse("v in (in, notin)").unwrap().to_string(), "v in (in,notin)");
    }

    #[test]
    fn greater_and_less_than_compare_integers() {
        let selector = Selector::parse("n>5,m<3").unwrap();
        assert!(selector.matches(&labels(&[("n", "6"), ("m", "2")])));
        assert!(!selector.matches(&labels(&[("n", "5"), ("m", "2")])));
        assert!(!selector.matches(&labels(&[("n", "x"), ("m", "2")])));
        assert!(!selector.matches(&labels(&[("m", "2")])));
    }

    /// Each message as kubectl 1.32 prints it for `kubectl top pod -l …`.
    #[test]
    fn syntax_errors_read_as_upstream() {
        let cases = [
            ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
            ("a=(b", "unable to parse requirement: found '(', expected: identifier"),
            ("!", "unable to parse requirement: found '', expected: identifier"),
            ("a,", "found '', expected: identifier after ','"),
            ("a in (b", "unable to parse requirement: found '', expected: ',' or ')'"),
            ("a=b=c", "found '=', expected: ',' or 'end of string'"),
            ("a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'"),
            ("=a", "found '=', expected: !, identifier, or 'end of string'"),
            (",a", "found ',', expected: !, identifier, or 'end of string'"),
            ("a,,b", "found ',', expected: identifier after ','"),
            ("a!b", "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"),
            ("a notin b", "unable to parse requirement: found 'b' expected: '('"),
            (
                "a>b",
                "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer",
            ),
            (
                &"a".repeat(64),
                &format!(
                    "unable to parse requirement: <nil>: Invalid value: \"{}\": name part must be no more than 63 characters",
                    "a".repeat(64)
                ),
            ),
            (
                "a=b,b=@",
                "unable to parse requirement: values[0][b]: Invalid value: \"@\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ),
        ];
        for (text, message) in cases {
            assert_eq!(Selector::parse(text).unwrap_err().to_string(), message, "{text}");
        }
    }

    #[test]
    fn object_selectors_convert_as_label_selector_as_selector() {
        let selector = Selector::from_value(Some(&json!({
            "matchLabels": {"app": "nginx"},
            "matchExpressions": [
                {"key": "tier", "operator": "NotIn", "values": ["db", "cache"]},
                {"key": "zone", "operator": "Exists"},
                {"key": "canary", "operator": "DoesNotExist"},
                {"key": "env", "operator": "In", "values": ["b", "a"]}
            ]
        })))
        .unwrap();
        assert_eq!(selector.to_string(), "app=nginx,!canary,env in (a,b),tier notin (cache,db),zone");
        assert!(selector.matches(&labels(&[("app", "nginx"), ("zone", "z"), ("env", "a")])));
        assert!(!selector.matches(&labels(&[("app", "nginx"), ("zone", "z"), ("env", "a"), ("tier", "db")])));
        let typed: LabelSelector = serde_json::from_value(json!({
            "matchLabels": {"app": "nginx"},
            "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]
        }))
        .unwrap();
        let selector = Selector::from_label_selector(Some(&typed)).unwrap();
        assert!(selector.matches(&labels(&[("app", "nginx")])));
        assert!(!selector.matches(&labels(&[("app", "nginx"), ("tier", "db")])));
        assert!(!selector.matches(&labels(&[("app", "web")])));
    }

    #[test]
    fn nil_selects_nothing_and_empty_selects_everything() {
        let nothing = Selector::from_label_selector(None).unwrap();
        assert!(!nothing.matches(&labels(&[])) && !nothing.is_empty());
        let everything = Selector::from_label_selector(Some(&LabelSelector::default())).unwrap();
        assert!(everything.matches(&labels(&[("a", "b")])) && everything.is_empty());
        assert!(Selector::from_value(Some(&json!({"matchLabels": {}}))).unwrap().is_empty());
        assert!(Selector::from_value(None).unwrap().matches_nothing());
    }

    #[test]
    fn invalid_object_selectors_are_errors() {
        for bad in [
            json!({"matchExpressions": [{"key": "a", "operator": "Bogus", "values": ["x"]}]}),
            json!({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}),
            json!({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]}),
            json!({"matchLabels": {"a b": "x"}}),
            json!({"matchLabels": {"a": "x y"}}),
            json!({"matchLabels": {"a": 1}}),
            json!("app=web"),
        ] {
            assert!(Selector::from_value(Some(&bad)).is_err(), "{bad}");
        }
        let err = Selector::from_value(Some(&json!({"matchExpressions": [{"key": "a", "operator": "Nope"}]})));
        assert_eq!(err.unwrap_err().to_string(), "\"Nope\" is not a valid label selector operator");
        let err = Selector::from_value(Some(&json!({"matchExpressions": [{"key": "a", "operator": "In"}]})));
        assert_eq!(
            err.unwrap_err().to_string(),
            "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"
        );
    }

    #[test]
    fn formatted_selectors_say_none_or_error() {
        assert_eq!(selector_string(Some(&json!({"matchLabels": {"b": "2", "a": "1"}}))).unwrap(), "a=1,b=2");
        assert_eq!(selector_string(None).unwrap(), "");
        let selector =
            json!({"matchLabels": {"app": "nginx"}, "matchExpressions": [{"key": "zone", "operator": "Exists"}]});
        assert_eq!(format_label_selector(Some(&selector)), "app=nginx,zone");
        assert_eq!(format_label_selector(None), "<none>");
        assert_eq!(format_label_selector(Some(&json!({}))), "<none>");
        assert_eq!(format_label_selector(Some(&json!({"matchLabels": {"a": 1}}))), "<error>");
    }

    #[test]
    fn label_sets_format_sorted() {
        assert_eq!(format_labels([("tier", "web"), ("app", "nginx")]), "app=nginx,tier=web");
        assert_eq!(format_labels([]), "<none>");
        assert_eq!(format_label_map(json!({"b": "2", "a": "1"}).as_object()), "a=1,b=2");
        assert_eq!(format_label_map(None), "<none>");
        let set = labels(&[("b", "2"), ("a", "1")]);
        assert_eq!(Selector::from_set(&set).to_string(), "a=1,b=2");
        assert!(Selector::from_set(&BTreeMap::new()).is_empty());
    }
}
