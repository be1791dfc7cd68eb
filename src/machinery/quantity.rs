//! Resource quantities (`100m`, `1Gi`, `2`, `1e3`, `-1.5k`), as upstream's
//! `resource.Quantity`: its grammar and errors (signs, decimal fractions, decimal SI
//! suffixes n..E, binary SI suffixes Ki..Ei, exponents `e3`/`E-3`), values rounded up to
//! the nano as upstream rounds them, its arithmetic and comparisons, `Value`/`MilliValue`
//! (rounded up), and its canonical text (`1500m`, `1536Mi`, `1e3`).
//!
//! A quantity is held exactly as a count of nano-units in an `i128` (magnitudes up to about
//! 1.7e29); anything larger, or a value that does not fit where it is asked for, is
//! `QuantityError::Overflow` — never a wrap. Parsing and arithmetic do not allocate.

use std::cmp::Ordering;
use std::fmt;

use thiserror::Error;

#[derive(Debug, Clone, Copy, Error, PartialEq, Eq)]
pub enum QuantityError {
    #[error("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")]
    Format,
    #[error("unable to parse quantity's suffix")]
    Suffix,
    #[error("quantity is too large")]
    Overflow,
}

/// How a quantity is written, which is how its canonical text is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// `1e3`, `5e-3`.
    DecimalExponent,
    /// `1Ki`, `2Gi`.
    BinarySI,
    /// `100m`, `1k`, `2`.
    #[default]
    DecimalSI,
}

const NANOS_PER_UNIT: i128 = 1_000_000_000;

/// A resource quantity: its exact value (in nano-units) and the format it was written in.
/// Equality and order compare values only, as upstream's `Cmp`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quantity {
    nanos: i128,
    format: Format,
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Quantity) -> bool {
        self.nanos == other.nanos
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Quantity) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Quantity) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}

/// The parts of a quantity's text: sign, integer digits (leading zeros gone), fraction
/// digits and suffix — upstream's `parseQuantityString`.
fn split(text: &str) -> Result<(bool, &str, &str, &str), QuantityError> {
    let bytes = text.as_bytes();
    let end = bytes.len();
    let mut pos = 0;
    let mut positive = true;
    match bytes.first() {
        Some(b'-') => {
            positive = false;
            pos += 1;
        }
        Some(b'+') => pos += 1,
        _ => {}
    }
    while pos < end && bytes[pos] == b'0' {
        pos += 1;
    }
    if pos >= end {
        return Ok((positive, "0", "", ""));
    }
    let digits_from = |from: usize| from + bytes[from..].iter().take_while(|b| b.is_ascii_digit()).count();
    let num_end = digits_from(pos);
    let num = if num_end == pos { "0" } else { &text[pos..num_end] };
    pos = num_end;
    let mut denom = "";
    if pos < end && bytes[pos] == b'.' {
        let denom_end = digits_from(pos + 1);
        denom = &text[pos + 1..denom_end];
        pos = denom_end;
    }
    let suffix_start = pos;
    while pos < end && b"eEinumkKMGTP".contains(&bytes[pos]) {
        pos += 1;
    }
    if pos < end && matches!(bytes[pos], b'-' | b'+') {
        pos += 1;
    }
    if digits_from(pos) != end {
        return Err(QuantityError::Format);
    }
    Ok((positive, num, denom, &text[suffix_start..]))
}

/// A suffix's base-10 exponent, base-2 exponent and format (upstream's suffixer).
fn interpret(suffix: &str) -> Result<(i64, u32, Format), QuantityError> {
    let decimal = |exponent| Ok((exponent, 0, Format::DecimalSI));
    let binary = |exponent| Ok((0, exponent, Format::BinarySI));
    match suffix {
        "" => decimal(0),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        "Ki" => binary(10),
        "Mi" => binary(20),
        "Gi" => binary(30),
        "Ti" => binary(40),
        "Pi" => binary(50),
        "Ei" => binary(60),
        _ => match suffix.strip_prefix(['e', 'E']).filter(|rest| !rest.is_empty()) {
            Some(rest) => {
                let exponent: i64 = rest.parse().map_err(|_| QuantityError::Suffix)?;
                // Upstream keeps the exponent in an int32; a larger one cannot be held.
                i32::try_from(exponent).map_err(|_| QuantityError::Overflow)?;
                Ok((exponent, 0, Format::DecimalExponent))
            }
            None => Err(QuantityError::Suffix),
        },
    }
}

fn pow10(exponent: i64) -> Option<i128> {
    u32::try_from(exponent).ok().and_then(|e| 10i128.checked_pow(e))
}

/// `value / divisor`, rounded away from zero.
fn divide_up(value: i128, divisor: i128) -> i128 {
    let quotient = value / divisor;
    match value % divisor {
        0 => quotient,
        _ if value > 0 => quotient + 1,
        _ => quotient - 1,
    }
}

impl Quantity {
    /// `resource.ParseQuantity`: exact to the nano, smaller amounts rounded up (away from
    /// zero) to 1n as upstream does.
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        if text.is_empty() {
            return Err(QuantityError::Format);
        }
        let (positive, num, denom, suffix) = split(text)?;
        let (exponent10, exponent2, mut format) = interpret(suffix)?;
        let digits = num.bytes().chain(denom.bytes());
        let trailing_zeros = digits.clone().rev().take_while(|&b| b == b'0').count();
        let significant = num.len() + denom.len() - trailing_zeros;
        let mut mantissa: i128 = 0;
        for digit in digits.take(significant) {
            mantissa = mantissa
                .checked_mul(10)
                .and_then(|m| m.checked_add(i128::from(digit - b'0')))
                .ok_or(QuantityError::Overflow)?;
        }
        let mantissa = mantissa.checked_mul(1i128 << exponent2).ok_or(QuantityError::Overflow)?;
        // nanos = mantissa × 10^shift
        let shift = exponent10 - denom.len() as i64 + trailing_zeros as i64 + 9;
        let magnitude = if mantissa == 0 {
            0
        } else if shift >= 0 {
            pow10(shift).and_then(|p| mantissa.checked_mul(p)).ok_or(QuantityError::Overflow)?
        } else {
            // Past 10^38 the divisor exceeds any mantissa: what is left rounds up to 1n.
            pow10(-shift).map_or(1, |divisor| divide_up(mantissa, divisor))
        };
        if format == Format::BinarySI && magnitude > 0 && magnitude < NANOS_PER_UNIT {
            format = Format::DecimalSI;
        }
        Ok(Quantity { nanos: if positive { magnitude } else { -magnitude }, format })
    }

    /// A whole number of units, written as DecimalSI.
    pub fn from_units(units: i64) -> Quantity {
        Quantity { nanos: i128::from(units) * NANOS_PER_UNIT, format: Format::DecimalSI }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn is_zero(&self) -> bool {
        self.nanos == 0
    }

    pub fn is_negative(&self) -> bool {
        self.nanos < 0
    }

    /// The value in units of 10^-`scale`, rounded up (away from zero).
    fn scaled(&self, scale: u32) -> Result<i64, QuantityError> {
        let divisor = 10i128.pow(9 - scale);
        i64::try_from(divide_up(self.nanos, divisor)).map_err(|_| QuantityError::Overflow)
    }

    /// `Value()`: whole units, rounded up (memory `1Gi` → 1073741824).
    pub fn value(&self) -> Result<i64, QuantityError> {
        self.scaled(0)
    }

    /// `MilliValue()`: thousandths, rounded up (cpu `100m` → 100, `2` → 2000).
    pub fn milli_value(&self) -> Result<i64, QuantityError> {
        self.scaled(3)
    }

    /// `Add`: a zero quantity takes the format of what is added to it.
    pub fn checked_add(self, other: Quantity) -> Result<Quantity, QuantityError> {
        let nanos = self.nanos.checked_add(other.nanos).ok_or(QuantityError::Overflow)?;
        let format = if self.nanos == 0 { other.format } else { self.format };
        Ok(Quantity { nanos, format })
    }
}

/// The canonical text, as upstream's `Quantity.String()`: the largest suffix that keeps the
/// number whole (`1500m`, `1536Mi`, `2k`); BinarySI falls back to decimal below 1024 or
/// where it would round. An exponent past `E` prints as `e21` (upstream prints no suffix).
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nanos == 0 {
            return f.write_str("0");
        }
        let mut format = self.format;
        if format == Format::BinarySI && (self.nanos.abs() < 1024 * NANOS_PER_UNIT || self.nanos % NANOS_PER_UNIT != 0)
        {
            format = Format::DecimalSI;
        }
        if format == Format::BinarySI {
            let (mut amount, mut exponent) = (self.nanos / NANOS_PER_UNIT, 0);
            while amount % 1024 == 0 && exponent < 6 {
                amount /= 1024;
                exponent += 1;
            }
            let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][exponent];
            return write!(f, "{amount}{suffix}");
        }
        let (mut amount, mut exponent) = (self.nanos, -9i64);
        while amount % 10 == 0 {
            amount /= 10;
            exponent += 1;
        }
        // Back to a multiple of three: only factors just divided out are put back.
        match exponent.rem_euclid(3) {
            1 => (amount, exponent) = (amount * 10, exponent - 1),
            2 => (amount, exponent) = (amount * 100, exponent - 2),
            _ => {}
        }
        let si = match exponent {
            -9 => Some("n"),
            -6 => Some("u"),
            -3 => Some("m"),
            0 => Some(""),
            3 => Some("k"),
            6 => Some("M"),
            9 => Some("G"),
            12 => Some("T"),
            15 => Some("P"),
            18 => Some("E"),
            _ => None,
        };
        match (format, si) {
            (Format::DecimalSI, Some(suffix)) => write!(f, "{amount}{suffix}"),
            (_, _) if exponent == 0 => write!(f, "{amount}"),
            _ => write!(f, "{amount}e{exponent}"),
        }
    }
}

impl std::str::FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(text: &str) -> Result<Quantity, QuantityError> {
        Quantity::parse(text)
    }
}

/// The quantity times 1000, rounded up (cpu `100m` → 100, `2` → 2000).
pub fn parse_milli(text: &str) -> Result<i64, QuantityError> {
    Quantity::parse(text)?.milli_value()
}

/// The quantity in whole units, rounded up (memory `1Gi` → 1073741824).
pub fn parse_value(text: &str) -> Result<i64, QuantityError> {
    Quantity::parse(text)?.value()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Quantity {
        Quantity::parse(text).unwrap_or_else(|err| panic!("{text}: {err}"))
    }

    #[test]
    fn cpu_quantities_become_millicores() {
        assert_eq!(parse_milli("100m"), Ok(100));
        assert_eq!(parse_milli("2"), Ok(2000));
        assert_eq!(parse_milli("0.5"), Ok(500));
        assert_eq!(parse_milli("1.0005"), Ok(1001), "rounded up");
        assert_eq!(parse_milli("1e3"), Ok(1_000_000));
        assert_eq!(parse_milli("0"), Ok(0));
        assert_eq!(parse_milli("-1.0005"), Ok(-1001), "rounded away from zero");
    }

    #[test]
    fn memory_quantities_become_bytes() {
        assert_eq!(parse_value("1Gi"), Ok(1 << 30));
        assert_eq!(parse_value("16Gi"), Ok(16 << 30));
        assert_eq!(parse_value("200Mi"), Ok(200 << 20));
        assert_eq!(parse_value("1k"), Ok(1000));
        assert_eq!(parse_value("1.5Ki"), Ok(1536));
        assert_eq!(parse_value("128974848"), Ok(128974848));
        assert_eq!(parse_value("129e6"), Ok(129_000_000));
        assert_eq!(parse_value("1E"), Ok(1_000_000_000_000_000_000));
        assert_eq!(parse_value("7Ei"), Ok(7 << 60));
    }

    #[test]
    fn the_grammar_is_upstreams() {
        assert_eq!(q("+1"), q("1"));
        assert_eq!(q("-1.5"), q("-1500m"));
        assert_eq!(q("1.G"), q("1G"), "a bare point is allowed");
        assert_eq!(q("0.1e-2"), q("1m"));
        assert_eq!(q("1E-3"), q("1m"));
        assert_eq!(q("007"), q("7"));
        assert_eq!(q(".5"), q("500m"));
        assert!(q("1n") > q("0"));
        assert_eq!(q("0.0000000001"), q("1n"), "rounded up to a nano");
        assert_eq!(q("1e-40"), q("1n"));
        assert_eq!(q("-1e-40"), q("-1n"));
        assert!(q("Ki").is_zero() && q("-").is_zero() && q(".").is_zero(), "no digits read as zero");
    }

    #[test]
    fn malformed_quantities_are_errors_not_zero() {
        for text in ["abc", "1Xi", "", "1 ", " 1", "1.5.5", "1e3.5", "1--1", "1KI", "9Ei9Ei"] {
            assert_eq!(Quantity::parse(text), Err(QuantityError::Format), "{text}");
        }
        for text in ["1mi", "1i+", "1e", "1k5", "1ee3", "1e+", "1e99999999999999999999"] {
            assert_eq!(Quantity::parse(text), Err(QuantityError::Suffix), "{text}");
        }
    }

    #[test]
    fn overflow_is_an_error() {
        for text in
            ["99999999999999999999999Ei", "1e100", "1e9999999999", "1000000000000000000000000000000000000000000"]
        {
            assert_eq!(Quantity::parse(text), Err(QuantityError::Overflow), "{text}");
        }
        assert_eq!(q("8Ei").value(), Err(QuantityError::Overflow));
        assert_eq!(q("10E").milli_value(), Err(QuantityError::Overflow));
        let huge = q("100000000000E");
        assert_eq!(huge.checked_add(huge), Err(QuantityError::Overflow));
    }

    #[test]
    fn canonical_text_is_upstreams() {
        let cases = [
            ("0", "0"),
            ("100m", "100m"),
            ("1.5", "1500m"),
            ("1000m", "1"),
            ("1000", "1k"),
            ("1500", "1500"),
            ("10000", "10k"),
            ("0.1", "100m"),
            ("1n", "1n"),
            ("1u", "1u"),
            ("1Gi", "1Gi"),
            ("1.5Gi", "1536Mi"),
            ("1024", "1024"),
            ("1024Ki", "1Mi"),
            ("1000Ki", "1000Ki"),
            ("512", "512"),
            ("0.5Ki", "512"),
            ("1e3", "1e3"),
            ("1e-3", "1e-3"),
            ("12e2", "1200"),
            ("1E", "1E"),
            ("-1.5", "-1500m"),
            ("-2Ki", "-2Ki"),
            ("1000E", "1e21"),
        ];
        for (text, canonical) in cases {
            assert_eq!(q(text).to_string(), canonical, "{text}");
        }
    }

    #[test]
    fn sums_keep_the_first_format() {
        let sum = Quantity::default().checked_add(q("128Mi")).unwrap().checked_add(q("64Mi")).unwrap();
        assert_eq!(sum.to_string(), "192Mi");
        let sum = q("100m").checked_add(q("0.5")).unwrap();
        assert_eq!(sum.to_string(), "600m");
        let sum = q("1G").checked_add(q("1Gi")).unwrap();
        assert_eq!(sum.format(), Format::DecimalSI);
        assert_eq!(Quantity::default().to_string(), "0");
        assert_eq!(Quantity::from_units(2).to_string(), "2");
    }
}
