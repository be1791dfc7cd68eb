//! YAML as sigs.k8s.io/yaml's `JSONToYAML` writes it over go-yaml v2: what kubectl prints
//! for `-o yaml` and what client-go writes into kubeconfig files.
//!
//! The document is the JSON value go-yaml would read back from Go's JSON encoding: map keys
//! in go-yaml's order (letters after other characters, digit runs compared as numbers),
//! integral numbers as integers, other numbers in Go's shortest `%g` form. The emitter is
//! libyaml's as go-yaml carries it, for block style: two-space indent, sequences not
//! indented under their key, strings that YAML 1.1 would read as another type
//! double-quoted, plain text that needs it single-quoted, multi-line text as literal
//! blocks, long lines folded after column 80, keys longer than 128 bytes written as `? key`.
//!
//! Known gaps: key order uses Rust's `is_alphabetic` for Go's `unicode.IsLetter` and ASCII
//! digits for `unicode.IsDigit`; go-yaml's reading of the JSON text (which folds a raw
//! U+0085 inside a string into a space and refuses U+007F) is not reproduced.

use std::sync::LazyLock;

use serde_json::{Map, Number, Value};

use crate::machinery::gotext;

mod go_sort;

const BEST_INDENT: isize = 2;
const BEST_WIDTH: usize = 80;
/// Keys longer than this (in bytes) are written as complex keys (`? key`).
const SIMPLE_KEY_LIMIT: usize = 128;

/// The YAML text of `value`.
pub fn to_yaml(value: &Value) -> String {
    let mut emitter = Emitter::default();
    emitter.node(value, Context { mapping: false, simple_key: false });
    // The implicit document end: close the last line.
    emitter.write_indent();
    emitter.out
}

/// The JSON value a YAML document stands for, as sigs.k8s.io/yaml's `YAMLToJSON` makes it:
/// tags dropped, scalar keys as their text. Keys that are collections, and floats JSON
/// cannot hold (`.inf`, `.nan`), become their YAML text.
pub fn json_from_yaml(value: &serde_yaml::Value) -> Value {
    match value {
        serde_yaml::Value::Null => Value::Null,
        serde_yaml::Value::Bool(b) => Value::Bool(*b),
        serde_yaml::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                Number::from_f64(f).map(Value::Number).unwrap_or_else(|| Value::String(go_float(f)))
            }
        }
        serde_yaml::Value::String(s) => Value::String(s.clone()),
        serde_yaml::Value::Sequence(items) => Value::Array(items.iter().map(json_from_yaml).collect()),
        serde_yaml::Value::Mapping(map) => {
            Value::Object(map.iter().map(|(key, value)| (key_text(key), json_from_yaml(value))).collect())
        }
        serde_yaml::Value::Tagged(tagged) => json_from_yaml(&tagged.value),
    }
}

fn key_text(key: &serde_yaml::Value) -> String {
    match key {
        serde_yaml::Value::Tagged(tagged) => key_text(&tagged.value),
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Null => "null".into(),
        serde_yaml::Value::Bool(b) => b.to_string(),
        serde_yaml::Value::Number(_) => match json_from_yaml(key) {
            Value::String(s) => s,
            other => other.to_string(),
        },
        collection => serde_yaml::to_string(collection).unwrap_or_default().trim_end().to_string(),
    }
}

/// Where a node sits: a mapping's key or value (`mapping`), and whether as a simple key.
#[derive(Clone, Copy)]
struct Context {
    mapping: bool,
    simple_key: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

/// The emitter's state as libyaml keeps it: the column, the indent stack, and whether the
/// last thing written was whitespace / part of the indentation.
struct Emitter {
    out: String,
    column: usize,
    indent: isize,
    indents: Vec<isize>,
    whitespace: bool,
    indention: bool,
}

impl Default for Emitter {
    fn default() -> Emitter {
        Emitter { out: String::new(), column: 0, indent: -1, indents: Vec::new(), whitespace: true, indention: true }
    }
}

impl Emitter {
    fn node(&mut self, value: &Value, context: Context) {
        match value {
            Value::Array(items) if items.is_empty() => self.empty_collection("[", "]"),
            Value::Object(map) if map.is_empty() => self.empty_collection("{", "}"),
            Value::Array(items) => self.sequence(items, context),
            Value::Object(map) => self.mapping(map),
            Value::String(s) => self.scalar(s, string_style(s), context),
            Value::Number(n) => self.scalar(&number_text(n), Style::Plain, context),
            Value::Bool(b) => self.scalar(if *b { "true" } else { "false" }, Style::Plain, context),
            Value::Null => self.scalar("null", Style::Plain, context),
        }
    }

    /// `{}` or `[]`: empty collections are written in flow style.
    fn empty_collection(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.increase_indent(true, false);
        self.pop_indent();
        self.write_indicator(close, false, false, false);
    }

    fn sequence(&mut self, items: &[Value], context: Context) {
        // A sequence that is a mapping's value is not indented under its key.
        self.increase_indent(false, context.mapping && !self.indention);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, Context { mapping: false, simple_key: false });
        }
        self.pop_indent();
    }

    fn mapping(&mut self, map: &Map<String, Value>) {
        self.increase_indent(false, false);
        for (key, value) in sorted(map) {
            self.write_indent();
            let analysis = Analysis::of(key);
            if !analysis.multiline && key.len() <= SIMPLE_KEY_LIMIT {
                self.scalar(key, string_style(key), Context { mapping: true, simple_key: true });
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.scalar(key, string_style(key), Context { mapping: true, simple_key: false });
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(value, Context { mapping: true, simple_key: false });
        }
        self.pop_indent();
    }

    fn scalar(&mut self, text: &str, requested: Style, context: Context) {
        let analysis = Analysis::of(text);
        let style = analysis.style(text, requested, context.simple_key);
        self.increase_indent(true, false);
        let allow_breaks = !context.simple_key;
        match style {
            Style::Plain => self.write_plain(text, allow_breaks),
            Style::SingleQuoted => self.write_single_quoted(text, allow_breaks),
            Style::DoubleQuoted => self.write_double_quoted(text, allow_breaks),
            Style::Literal => self.write_literal(text),
        }
        self.pop_indent();
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// A line break from the text: `\n` as a break, other breaks (U+2028…) as themselves.
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, indicator: &str, need_whitespace: bool, is_whitespace: bool, is_indention: bool) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in indicator.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn write_plain(&mut self, text: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        self.write_flow_text(text, allow_breaks, false);
    }

    fn write_single_quoted(&mut self, text: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        self.write_flow_text(text, allow_breaks, true);
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    /// The text of a plain or single-quoted scalar: a space between words may fold the line
    /// past column 80, breaks are doubled, and single quotes double inside quotes.
    fn write_flow_text(&mut self, text: &str, allow_breaks: bool, quoted: bool) {
        let chars: Vec<char> = text.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let inner = i > 0 && i + 1 < chars.len() && chars[i + 1] != ' ';
                if allow_breaks && !spaces && self.column > BEST_WIDTH && inner {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if quoted && c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, text: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        // libyaml checks the text's first character for a BOM at every position, so a text
        // that starts with one is escaped throughout.
        let starts_with_bom = text.starts_with('\u{feff}');
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !is_printable(c) || starts_with_bom || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                match c {
                    '\0' => self.put('0'),
                    '\u{7}' => self.put('a'),
                    '\u{8}' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\u{b}' => self.put('v'),
                    '\u{c}' => self.put('f'),
                    '\r' => self.put('r'),
                    '\u{1b}' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{a0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    c => {
                        let v = c as u32;
                        let (letter, digits) = if v <= 0xFF {
                            ('x', 2)
                        } else if v <= 0xFFFF {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(letter);
                        for k in (0..digits).rev() {
                            let digit = (v >> (4 * k)) & 0xF;
                            self.put(char::from_digit(digit, 16).unwrap_or('0').to_ascii_uppercase());
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && i + 1 < chars.len() {
                    self.write_indent();
                    if chars[i + 1] == ' ' {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, text: &str) {
        self.write_indicator("|", true, false, false);
        // An indentation indicator when the text starts with a space or a break.
        if text.starts_with(|c: char| c == ' ' || is_break(c)) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        let mut from_end = text.chars().rev();
        let chomp = match (from_end.next(), from_end.next()) {
            (Some(last), _) if !is_break(last) => Some("-"),
            (Some(_), None) => Some("+"),
            (Some(_), Some(before)) if is_break(before) => Some("+"),
            _ => None,
        };
        if let Some(chomp) = chomp {
            self.write_indicator(chomp, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in text.chars() {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// What libyaml's scalar analysis finds out about a text: which styles can hold it.
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

impl Analysis {
    fn of(text: &str) -> Analysis {
        if text.is_empty() {
            return Analysis {
                multiline: false,
                block_plain_allowed: true,
                single_quoted_allowed: true,
                block_allowed: false,
            };
        }
        let mut block_indicators = text.starts_with("---") || text.starts_with("...");
        let (mut line_breaks, mut special_characters) = (false, false);
        let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
            (false, false, false, false);
        let (mut break_space, mut space_break) = (false, false);
        let (mut previous_space, mut previous_break) = (false, false);
        let mut preceded_by_whitespace = true;
        let mut chars = text.chars().peekable();
        let mut first = true;
        while let Some(c) = chars.next() {
            let next = chars.peek().copied();
            let last = next.is_none();
            let followed_by_whitespace = next.is_none_or(|n| n == ' ' || n == '\t');
            if first {
                match c {
                    '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => {
                        block_indicators = true;
                    }
                    '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                    _ => {}
                }
            } else {
                match c {
                    ':' if followed_by_whitespace => block_indicators = true,
                    '#' if preceded_by_whitespace => block_indicators = true,
                    _ => {}
                }
            }
            if !is_printable(c) {
                special_characters = true;
            }
            if c == ' ' {
                leading_space |= first;
                trailing_space |= last;
                break_space |= previous_break;
                previous_space = true;
                previous_break = false;
            } else if is_break(c) {
                line_breaks = true;
                leading_break |= first;
                trailing_break |= last;
                space_break |= previous_space;
                previous_space = false;
                previous_break = true;
            } else {
                previous_space = false;
                previous_break = false;
            }
            preceded_by_whitespace = c == ' ' || c == '\t' || c == '\0' || is_break(c);
            first = false;
        }
        let mut analysis = Analysis {
            multiline: line_breaks,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: true,
        };
        if leading_space || leading_break || trailing_space || trailing_break || line_breaks || block_indicators {
            analysis.block_plain_allowed = false;
        }
        if trailing_space {
            analysis.block_allowed = false;
        }
        if break_space {
            analysis.block_plain_allowed = false;
            analysis.single_quoted_allowed = false;
        }
        if space_break || special_characters {
            analysis.block_plain_allowed = false;
            analysis.single_quoted_allowed = false;
            analysis.block_allowed = false;
        }
        analysis
    }

    /// libyaml's choice of style: the one asked for, or the next one that can hold the text.
    fn style(&self, text: &str, requested: Style, simple_key: bool) -> Style {
        let mut style = requested;
        if simple_key && self.multiline {
            style = Style::DoubleQuoted;
        }
        if style == Style::Plain && (!self.block_plain_allowed || (text.is_empty() && simple_key)) {
            style = Style::SingleQuoted;
        }
        if style == Style::SingleQuoted && !self.single_quoted_allowed {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal && (!self.block_allowed || simple_key) {
            style = Style::DoubleQuoted;
        }
        style
    }
}

/// The style go-yaml's encoder asks for: literal for multi-line text, plain when YAML 1.1
/// would read the text back as a string, double-quoted otherwise.
fn string_style(s: &str) -> Style {
    if s.contains('\n') {
        Style::Literal
    } else if resolves_to_string(s) && !is_base60_float(s) {
        Style::Plain
    } else {
        Style::DoubleQuoted
    }
}

fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}')
        || (('\u{e000}'..='\u{fffd}').contains(&c) && c != '\u{feff}')
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Whether go-yaml v2's resolver reads the plain text `s` as a string (not a bool, null,
/// number, timestamp).
fn resolves_to_string(s: &str) -> bool {
    const NOT_STRINGS: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no", "No", "NO", "false",
        "False", "FALSE", "off", "Off", "OFF", "", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf",
        ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
    ];
    let hint = match s.as_bytes().first() {
        None => b'N',
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        Some(_) => return true,
    };
    if NOT_STRINGS.contains(&s) {
        return false;
    }
    match hint {
        b'.' => parse_float_with_underscores(s).is_none(),
        b'D' | b'S' => {
            if is_timestamp(s) {
                return false;
            }
            let plain = s.replace('_', "");
            if parse_int(&plain, 0).is_some() || parse_uint(&plain, 0).is_some() {
                return false;
            }
            if YAML_FLOAT.is_match(&plain) && parse_float(&plain).is_some() {
                return false;
            }
            if let Some(binary) = plain.strip_prefix("0b") {
                return parse_int(binary, 2).is_none() && parse_uint(binary, 2).is_none();
            }
            if let Some(binary) = plain.strip_prefix("-0b") {
                return parse_int(&format!("-{binary}"), 2).is_none();
            }
            true
        }
        _ => true,
    }
}

static YAML_FLOAT: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$").expect("valid regex"));

static BASE60_FLOAT: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$").expect("valid regex"));

/// YAML 1.1's sexagesimal numbers (`1:20`): go-yaml does not read them but quotes them.
fn is_base60_float(s: &str) -> bool {
    s.starts_with(|c: char| c == '+' || c == '-' || c.is_ascii_digit()) && s.contains(':') && BASE60_FLOAT.is_match(s)
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal text: `None` on bad syntax or overflow.
fn parse_float(s: &str) -> Option<f64> {
    static DECIMAL: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$").expect("valid regex")
    });
    if !DECIMAL.is_match(s) {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Go's `strconv.ParseFloat` where underscores may separate digits (`.1_000`).
fn parse_float_with_underscores(s: &str) -> Option<f64> {
    if !s.contains('_') {
        return parse_float(s);
    }
    // Go's `underscoreOK`: each underscore sits between two digits.
    let bytes = s.as_bytes();
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let separated = bytes.iter().enumerate().all(|(i, b)| *b != b'_' || (i > 0 && digit(i - 1) && digit(i + 1)));
    if !separated {
        return None;
    }
    parse_float(&s.replace('_', ""))
}

/// Go's `strconv.ParseUint(s, base, 64)`; base 0 reads the `0x`, `0o`, `0b` and `0` prefixes.
fn parse_uint(s: &str, base: u32) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let (base, digits) = if base != 0 {
        (base, s)
    } else if let Some(rest) = s.strip_prefix('0') {
        match rest.as_bytes().first().map(u8::to_ascii_lowercase) {
            Some(b'b') if s.len() >= 3 => (2, &rest[1..]),
            Some(b'o') if s.len() >= 3 => (8, &rest[1..]),
            Some(b'x') if s.len() >= 3 => (16, &rest[1..]),
            _ => (8, rest),
        }
    } else {
        (10, s)
    };
    digits.chars().try_fold(0u64, |n, c| {
        let digit = c.to_digit(base)?;
        n.checked_mul(u64::from(base))?.checked_add(u64::from(digit))
    })
}

/// Go's `strconv.ParseInt(s, base, 64)`.
fn parse_int(s: &str, base: u32) -> Option<i64> {
    let (negative, magnitude) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let n = parse_uint(magnitude, base)?;
    if negative {
        0i64.checked_sub_unsigned(n)
    } else {
        i64::try_from(n).ok()
    }
}

/// Whether Go's `time.Parse` accepts `s` in one of go-yaml's timestamp layouts:
/// `2006-1-2T15:4:5.999999999Z07:00` (also with `t`), `2006-1-2 15:4:5.999999999`, `2006-1-2`.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    // Up to two digits, at least one (Go's `getnum` for non-padded fields).
    let number = |at: &mut usize| -> Option<u32> {
        let start = *at;
        while *at < b.len() && *at < start + 2 && b[*at].is_ascii_digit() {
            *at += 1;
        }
        (*at > start).then(|| s[start..*at].parse().unwrap_or(0))
    };
    let literal = |at: &mut usize, c: u8| -> Option<()> { (b.get(*at) == Some(&c)).then(|| *at += 1) };
    let date = |at: &mut usize| -> Option<()> {
        let year: u32 = s[..4].parse().ok()?;
        *at = 5;
        let month = number(at).filter(|m| (1..=12).contains(m))?;
        literal(at, b'-')?;
        let day = number(at)?;
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        (1..=days).contains(&day).then_some(())
    };
    let time = |at: &mut usize| -> Option<()> {
        number(at).filter(|h| *h < 24)?;
        literal(at, b':')?;
        number(at).filter(|m| *m < 60)?;
        literal(at, b':')?;
        number(at).filter(|s| *s < 60)?;
        // Fractional seconds: a period or comma and any number of digits, optional.
        if matches!(b.get(*at), Some(b'.' | b',')) && b.get(*at + 1).is_some_and(u8::is_ascii_digit) {
            *at += 1;
            while b.get(*at).is_some_and(u8::is_ascii_digit) {
                *at += 1;
            }
        }
        Some(())
    };
    let zone = |at: &mut usize| -> Option<()> {
        if literal(at, b'Z').is_some() {
            return Some(());
        }
        let rest = b.get(*at..*at + 6)?;
        let two =
            |d: &[u8]| (d.iter().all(u8::is_ascii_digit)).then(|| u32::from(d[0] - b'0') * 10 + u32::from(d[1] - b'0'));
        if !matches!(rest[0], b'+' | b'-') || rest[3] != b':' || two(&rest[1..3])? > 24 || two(&rest[4..6])? > 60 {
            return None;
        }
        *at += 6;
        Some(())
    };
    let layouts: [&dyn Fn(&mut usize) -> Option<()>; 4] = [
        &|at| {
            date(at)?;
            literal(at, b'T')?;
            time(at)?;
            zone(at)
        },
        &|at| {
            date(at)?;
            literal(at, b't')?;
            time(at)?;
            zone(at)
        },
        &|at| {
            date(at)?;
            literal(at, b' ')?;
            time(at)
        },
        &|at| date(at),
    ];
    layouts.iter().any(|layout| {
        let mut at = 0;
        layout(&mut at).is_some() && at == b.len()
    })
}

/// A number as go-yaml writes what Go's JSON encoder made of it: integral values below 1e21
/// as integers when they fit 64 bits, others in `%g` form.
fn number_text(n: &Number) -> String {
    let Some(f) = n.as_f64().filter(|_| n.is_f64()) else {
        return n.to_string();
    };
    if f.fract() == 0.0 && f.abs() < 1e21 {
        // Go's JSON encoder writes these in `%f` form, shortest digits padded with zeros.
        let (digits, point) = gotext::shortest_digits(f);
        let mut text = String::from(if f.is_sign_negative() && f != 0.0 { "-" } else { "" });
        text.push_str(&digits);
        text.extend(std::iter::repeat_n('0', (point - digits.len() as i32).max(0) as usize));
        if parse_int(&text, 10).is_some() || parse_uint(&text, 10).is_some() {
            return if f == 0.0 { "0".into() } else { text };
        }
    }
    go_float(f)
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)` with go-yaml's names for the infinities.
fn go_float(f: f64) -> String {
    match f {
        f if f.is_nan() => ".nan".into(),
        f if f == f64::INFINITY => ".inf".into(),
        f if f == f64::NEG_INFINITY => "-.inf".into(),
        f => gotext::format_float(f),
    }
}

/// The map's entries in go-yaml's key order. go-yaml's comparison is not transitive for
/// some keys (`4` < `31e3` < `3a` < `4`), so the order is Go's `sort.Sort` run on it.
fn sorted(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = map.iter().collect();
    go_sort::sort(&mut entries, |a, b| key_less(a.0, b.0));
    entries
}

/// go-yaml's `keyList.Less` for string keys: letters sort after other characters, and runs
/// of digits compare by their value.
fn key_less(a: &str, b: &str) -> bool {
    let (ar, br): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let (al, bl) = (ar[i].is_alphabetic(), br[i].is_alphabetic());
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[i] == '0' || br[i] == '0' {
            for j in (0..i).rev() {
                if !ar[j].is_ascii_digit() {
                    break;
                }
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let run = |chars: &[char], n: &mut i64| {
            let mut at = i;
            while at < chars.len() && chars[at].is_ascii_digit() {
                *n = n.wrapping_mul(10).wrapping_add(i64::from(chars[at] as u8 - b'0'));
                at += 1;
            }
            at
        };
        let (ai, bi) = (run(&ar, &mut an), run(&br, &mut bn));
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(text: &str) -> String {
        to_yaml(&json!([text]))
    }

    #[test]
    fn lists_sit_under_their_key_and_maps_indent_two() {
        let value = json!({"kind": "List", "items": [{"a": 1, "b": {"c": "d"}}], "metadata": {"resourceVersion": ""}});
        assert_eq!(to_yaml(&value), "items:\n- a: 1\n  b:\n    c: d\nkind: List\nmetadata:\n  resourceVersion: \"\"\n");
    }

    #[test]
    fn nested_and_empty_collections_are_written_as_go_yaml_does() {
        let value = json!([[1, [2, 3]], [{"a": [1]}], {}, [], [{}], {"e": {}, "f": []}]);
        assert_eq!(to_yaml(&value), "- - 1\n  - - 2\n    - 3\n- - a:\n    - 1\n- {}\n- []\n- - {}\n- e: {}\n  f: []\n");
        assert_eq!(to_yaml(&json!({})), "{}\n");
        assert_eq!(to_yaml(&json!("x")), "x\n");
    }

    #[test]
    fn strings_yaml_1_1_reads_as_other_types_are_double_quoted() {
        for text in ["true", "y", "on", "Yes", "~", "", "80", "0x1F", "08", "1_000", "0o17", "0b-101", "-0b101", ".5"] {
            assert_eq!(item(text), format!("- \"{text}\"\n"), "{text}");
        }
        for text in ["2024-02-29", "2024-1-1T1:2:3Z", "2024-01-01 10:00:00", "2024-01-01t10:00:00,5Z", "1:20", "1e-400"]
        {
            assert_eq!(item(text), format!("- \"{text}\"\n"), "{text}");
        }
        // Not a bool, number or timestamp to go-yaml v2, so plain.
        for text in
            ["yES", "<<", "=", "1e400", "10:80", "2024-02-30", "2023-02-29", "2024-01-01T10:00:00+25:00", "10.96.0.1"]
        {
            assert_eq!(item(text), format!("- {text}\n"), "{text}");
        }
    }

    #[test]
    fn plain_text_that_needs_quotes_is_single_quoted() {
        for (text, written) in [
            ("*", "'*'"),
            ("a: b", "'a: b'"),
            ("a:", "'a:'"),
            ("- x", "'- x'"),
            ("#x", "'#x'"),
            ("a #x", "'a #x'"),
            ("? x", "'? x'"),
            ("---x", "'---x'"),
            ("...", "'...'"),
            ("{", "'{'"),
            ("[x", "'[x'"),
            ("  ", "'  '"),
            ("trailing ", "'trailing '"),
        ] {
            assert_eq!(item(text), format!("- {written}\n"), "{text}");
        }
        for text in ["-x", ":x", "a :b", "a#x", "?x", "a,b", "x]", "it's", "key \"q\" 'x'", "caf\u{e9}", "a\u{a0}b"] {
            assert_eq!(item(text), format!("- {text}\n"), "{text}");
        }
    }

    #[test]
    fn text_with_special_characters_is_double_quoted_with_escapes() {
        assert_eq!(item("a\tb"), "- \"a\\tb\"\n");
        assert_eq!(item("x\u{1}y"), "- \"x\\x01y\"\n");
        assert_eq!(item("\u{1b}[0m"), "- \"\\e[0m\"\n");
        assert_eq!(item("\u{85}x"), "- \"\\Nx\"\n");
        assert_eq!(item("\u{1F600}"), "- \"\\U0001F600\"\n");
        assert_eq!(item("\u{feff}abc"), "- \"\\uFEFF\\x61\\x62\\x63\"\n");
        assert_eq!(item("a\u{2028}b"), "- 'a\u{2028}  b'\n");
    }

    #[test]
    fn multi_line_strings_are_literal_blocks_when_a_block_can_hold_them() {
        assert_eq!(to_yaml(&json!({"a": {"b": "x\ny\n"}})), "a:\n  b: |\n    x\n    y\n");
        assert_eq!(to_yaml(&json!({"hint": "one\ntwo", "end": "x\n\n"})), "end: |+\n  x\n\nhint: |-\n  one\n  two\n");
        assert_eq!(item("\n"), "- |2+\n\n");
        assert_eq!(item(" lead\nx"), "- |2-\n   lead\n  x\n");
        assert_eq!(item("\nlead"), "- |2-\n\n  lead\n");
        assert_eq!(item("a\n b"), "- |-\n  a\n   b\n");
        assert_eq!(item("\u{e9}\nx"), "- |-\n  \u{e9}\n  x\n");
        // A space before a break, a trailing space, a tab or a CR rule the block out.
        assert_eq!(item("line \nnext"), "- \"line \\nnext\"\n");
        assert_eq!(item("a\nb "), "- \"a\\nb \"\n");
        assert_eq!(item("\ttab\nx"), "- \"\\ttab\\nx\"\n");
        assert_eq!(item("a\r\nb"), "- \"a\\r\\nb\"\n");
        assert_eq!(item("\u{1F600}\nx"), "- \"\\U0001F600\\nx\"\n");
    }

    #[test]
    fn long_text_is_folded_after_column_80() {
        let text = format!("xxxxx {}", "word ".repeat(30));
        assert_eq!(
            item(&text),
            "- 'xxxxx word word word word word word word word word word word word word word word\n  \
             word word word word word word word word word word word word word word word '\n"
        );
        let text = format!("a: b {}", "long ".repeat(20));
        assert_eq!(
            item(&text),
            "- 'a: b long long long long long long long long long long long long long long long\n  \
             long long long long long '\n"
        );
    }

    #[test]
    fn keys_are_in_go_yaml_order_and_long_or_multi_line_keys_are_complex() {
        let value = json!({"a10": 1, "a9": 2, "KEYB": 3, "KEY_A": 4, "file2": 5, "file10": 6});
        assert_eq!(to_yaml(&value), "KEY_A: 4\nKEYB: 3\na9: 2\na10: 1\nfile2: 5\nfile10: 6\n");
        let (long, longer) = ("a".repeat(128), "a".repeat(129));
        let value = json!({"": 3, "a\nb": 2, "true": 4, &long: 5, &longer: 1});
        assert_eq!(to_yaml(&value), format!("\"\": 3\n? |-\n  a\n  b\n: 2\n{long}: 5\n? {longer}\n: 1\n\"true\": 4\n"));
        let key = "x y".repeat(60);
        let written = to_yaml(&json!({ key: 6 }));
        assert_eq!(
            written,
            "? x yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx\n  \
             yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx yx\n  \
             yx yx yx yx yx yx y\n: 6\n"
        );
    }

    #[test]
    fn numbers_are_written_as_go_yaml_writes_go_json_numbers() {
        let value: Value = serde_json::from_str(
            "[1e-7, 0.001, 1e20, 123456.5, 1e8, -0.0, 0.1, 5e-324, 1.7976931348623157e308, 12345678901234567890, \
             -9223372036854775808, 9223372036854775808.0, 18446744073709551616.0, 1.0, 2.5, 1e21, 1234567.5]",
        )
        .unwrap();
        assert_eq!(
            to_yaml(&value),
            "- 1e-07\n- 0.001\n- 1e+20\n- 123456.5\n- 100000000\n- 0\n- 0.1\n- 5e-324\n- 1.7976931348623157e+308\n\
             - 12345678901234567890\n- -9223372036854775808\n- 9223372036854776000\n- 1.8446744073709552e+19\n- 1\n\
             - 2.5\n- 1e+21\n- 1.2345675e+06\n"
        );
    }

    #[test]
    fn yaml_documents_convert_to_json_with_tags_dropped_and_keys_as_text() {
        let yaml: serde_yaml::Value = serde_yaml::from_str("b: !t 1\n1: x\ntrue: y\nc: .inf\n").unwrap();
        assert_eq!(json_from_yaml(&yaml), json!({"b": 1, "1": "x", "true": "y", "c": ".inf"}));
    }
}
