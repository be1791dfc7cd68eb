//! Resource quantities (`100m`, `1Gi`, `2`, `1e3`) as integers: cpu in millicores,
//! memory in bytes. Rounded up like upstream's `MilliValue`/`Value`.

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum QuantityError {
    #[error("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {0:?}")]
    Syntax(String),
    #[error("quantity {0:?} is too large")]
    Overflow(String),
}

/// The quantity times 1000, rounded up (cpu `100m` → 100, `2` → 2000).
pub fn parse_milli(text: &str) -> Result<i64, QuantityError> {
    let syntax = || QuantityError::Syntax(text.to_string());
    let overflow = || QuantityError::Overflow(text.to_string());
    let trimmed = text.trim();
    let split = trimmed.find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '+' | '-'))).unwrap_or(trimmed.len());
    let (number, suffix) = trimmed.split_at(split);
    let (binary_shift, decimal_exponent): (u32, i32) = match suffix {
        "" => (0, 0),
        "n" => (0, -9),
        "u" => (0, -6),
        "m" => (0, -3),
        "k" => (0, 3),
        "M" => (0, 6),
        "G" => (0, 9),
        "T" => (0, 12),
        "P" => (0, 15),
        "E" => (0, 18),
        "Ki" => (10, 0),
        "Mi" => (20, 0),
        "Gi" => (30, 0),
        "Ti" => (40, 0),
        "Pi" => (50, 0),
        "Ei" => (60, 0),
        exponent if exponent.starts_with(['e', 'E']) => (0, exponent[1..].parse().map_err(|_| syntax())?),
        _ => return Err(syntax()),
    };
    let negative = number.starts_with('-');
    let digits = number.strip_prefix(['+', '-']).unwrap_or(number);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return Err(syntax());
    }
    let significant = format!("{whole}{fraction}");
    let significant = significant.trim_start_matches('0');
    if significant.len() > 30 {
        return Err(overflow());
    }
    let mantissa: i128 = if significant.is_empty() { 0 } else { significant.parse().map_err(|_| syntax())? };
    let scaled = mantissa.checked_mul(1i128 << binary_shift).ok_or_else(overflow)?;
    // Milli-units: three more decimal places, minus the ones the fraction used.
    let exponent = decimal_exponent + 3 - fraction.len() as i32;
    let milli = if exponent >= 0 {
        10i128.checked_pow(exponent as u32).and_then(|p| scaled.checked_mul(p)).ok_or_else(overflow)?
    } else {
        match 10i128.checked_pow((-exponent) as u32) {
            Some(divisor) => (scaled + divisor - 1) / divisor,
            None => i128::from(scaled > 0),
        }
    };
    let milli = i64::try_from(milli).map_err(|_| overflow())?;
    Ok(if negative { -milli } else { milli })
}

/// The quantity in whole units, rounded up (memory `1Gi` → 1073741824).
pub fn parse_value(text: &str) -> Result<i64, QuantityError> {
    let milli = parse_milli(text)?;
    Ok(milli.div_euclid(1000) + i64::from(milli.rem_euclid(1000) != 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_quantities_become_millicores() {
        assert_eq!(parse_milli("100m"), Ok(100));
        assert_eq!(parse_milli("2"), Ok(2000));
        assert_eq!(parse_milli("0.5"), Ok(500));
        assert_eq!(parse_milli("1.0005"), Ok(1001), "rounded up");
        assert_eq!(parse_milli("1e3"), Ok(1_000_000));
        assert_eq!(parse_milli("0"), Ok(0));
    }

    #[test]
    fn memory_quantities_become_bytes() {
        assert_eq!(parse_value("1Gi"), Ok(1 << 30));
        assert_eq!(parse_value("16Gi"), Ok(16 << 30));
        assert_eq!(parse_value("200Mi"), Ok(200 << 20));
        assert_eq!(parse_value("1k"), Ok(1000));
        assert_eq!(parse_value("1.5Ki"), Ok(1536));
        assert_eq!(parse_value("128974848"), Ok(128974848));
    }

    #[test]
    fn malformed_quantities_are_errors_not_zero() {
        assert!(matches!(parse_milli("abc"), Err(QuantityError::Syntax(_))));
        assert!(matches!(parse_milli("1Xi"), Err(QuantityError::Syntax(_))));
        assert!(matches!(parse_milli(""), Err(QuantityError::Syntax(_))));
        assert!(parse_milli("9Ei9Ei").is_err());
        assert!(matches!(parse_value("99999999999999999999999Ei"), Err(QuantityError::Overflow(_))));
    }
}
