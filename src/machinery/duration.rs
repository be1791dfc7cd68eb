//! Durations as Kubernetes reads and prints them: Go's `time.ParseDuration` (flags such as
//! `--timeout=1m30s`) and `time.Duration.String()` (`1h0m0s`, `1.5s`), and apimachinery's
//! `duration.HumanDuration` (the AGE column's `3m2s`, `5d`) and `ShortHumanDuration` (`3m`).

use chrono::TimeDelta;
use thiserror::Error;

/// A duration that does not parse, in Go's words (`time: invalid duration "x"`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct DurationError(String);

/// Go's `time.quote`: ASCII as is (`"` and `\` escaped), every other byte as `\xNN`.
fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if (' '..'\u{80}').contains(&c) {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        } else {
            let mut buffer = [0u8; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
        }
    }
    out.push('"');
    out
}

/// Nanoseconds per unit, as Go's `unitMap`.
fn unit_nanos(unit: &str) -> Option<u64> {
    Some(match unit {
        "ns" => 1,
        "us" | "µs" | "μs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    })
}

const LIMIT: u64 = 1 << 63;

/// The leading digits as an integer; `None` past 2^63 (Go's `leadingInt`).
fn leading_int(text: &str) -> (Option<u64>, &str) {
    let end = text.bytes().take_while(u8::is_ascii_digit).count();
    let mut value: u64 = 0;
    for digit in text[..end].bytes() {
        if value > LIMIT / 10 {
            return (None, &text[end..]);
        }
        value = value * 10 + u64::from(digit - b'0');
        if value > LIMIT {
            return (None, &text[end..]);
        }
    }
    (Some(value), &text[end..])
}

/// The leading fraction digits and their scale, precision dropped past 2^63 (Go's
/// `leadingFraction`).
fn leading_fraction(text: &str) -> (u64, f64, &str) {
    let end = text.bytes().take_while(u8::is_ascii_digit).count();
    let (mut value, mut scale, mut overflow) = (0u64, 1f64, false);
    for digit in text[..end].bytes() {
        if overflow {
            continue;
        }
        if value > (LIMIT - 1) / 10 {
            overflow = true;
            continue;
        }
        let next = value * 10 + u64::from(digit - b'0');
        if next > LIMIT {
            overflow = true;
            continue;
        }
        value = next;
        scale *= 10.0;
    }
    (value, scale, &text[end..])
}

/// Go's `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` with the units ns, us (µs),
/// ms, s, m and h, or a bare `0`; anything past ±2^63 ns is an error, as in Go.
pub fn parse_go(text: &str) -> Result<TimeDelta, DurationError> {
    let invalid = || DurationError(format!("time: invalid duration {}", go_quote(text)));
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(TimeDelta::zero());
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !rest.is_empty() {
        if !rest.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
            return Err(invalid());
        }
        let before = rest.len();
        let (whole, after) = leading_int(rest);
        let mut whole = whole.ok_or_else(invalid)?;
        let integer_digits = before != after.len();
        rest = after;
        let (mut fraction, mut scale, mut fraction_digits) = (0, 1.0, false);
        if let Some(after_point) = rest.strip_prefix('.') {
            let (f, s, after) = leading_fraction(after_point);
            (fraction, scale, fraction_digits) = (f, s, after.len() != after_point.len());
            rest = after;
        }
        if !integer_digits && !fraction_digits {
            return Err(invalid());
        }
        let unit_end = rest.find(|c: char| c == '.' || c.is_ascii_digit()).unwrap_or(rest.len());
        if unit_end == 0 {
            return Err(DurationError(format!("time: missing unit in duration {}", go_quote(text))));
        }
        let unit = &rest[..unit_end];
        rest = &rest[unit_end..];
        let Some(nanos) = unit_nanos(unit) else {
            return Err(DurationError(format!("time: unknown unit {} in duration {}", go_quote(unit), go_quote(text))));
        };
        if whole > LIMIT / nanos {
            return Err(invalid());
        }
        whole *= nanos;
        if fraction > 0 {
            // As Go: a float is nanosecond-accurate for fractions of the largest unit.
            whole += (fraction as f64 * (nanos as f64 / scale)) as u64;
            if whole > LIMIT {
                return Err(invalid());
            }
        }
        total = total.checked_add(whole).filter(|&t| t <= LIMIT).ok_or_else(invalid)?;
    }
    let nanos = if negative {
        // -2^63 is the one value whose magnitude is not an i64.
        0i64.checked_sub_unsigned(total).ok_or_else(invalid)?
    } else {
        i64::try_from(total).map_err(|_| invalid())?
    };
    Ok(TimeDelta::nanoseconds(nanos))
}

/// `value / 10^digits` with trailing fractional zeros (and a bare point) trimmed.
fn fraction(value: u64, digits: u32) -> String {
    let scale = 10u64.pow(digits);
    let (whole, frac) = (value / scale, value % scale);
    if frac == 0 {
        return whole.to_string();
    }
    let frac = format!("{frac:0width$}", width = digits as usize);
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

/// Go's `time.Duration.String()` of a number of nanoseconds: `0s`, `1.5µs`, `2m0s`,
/// `1h0m0s`, `-1.5s`.
pub fn format_go(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let magnitude = nanos.unsigned_abs();
    if magnitude < 1_000_000_000 {
        let (unit, digits) = match magnitude {
            0..=999 => ("ns", 0),
            1_000..=999_999 => ("µs", 3),
            _ => ("ms", 6),
        };
        return format!("{sign}{}{unit}", fraction(magnitude, digits));
    }
    let seconds = fraction(magnitude % 60_000_000_000, 9);
    let minutes = magnitude / 60_000_000_000;
    match minutes {
        0 => format!("{sign}{seconds}s"),
        1..=59 => format!("{sign}{minutes}m{seconds}s"),
        _ => format!("{sign}{}h{}m{seconds}s", minutes / 60, minutes % 60),
    }
}

/// `format_go` of a `std::time::Duration` (kind prints its waits so: `1m0s`); one too long
/// for Go's duration prints as Go's longest.
pub fn format_go_std(duration: std::time::Duration) -> String {
    format_go(i64::try_from(duration.as_nanos()).unwrap_or(i64::MAX))
}

/// apimachinery's `duration.HumanDuration`: about two significant units (45s, 3m2s, 10m,
/// 5h, 2d4h, 3y42d); up to 2s in the future reads as 0s (clock skew), further as
/// `<invalid>`.
pub fn human(d: TimeDelta) -> String {
    // Go truncates toward zero at every step; TimeDelta's num_* do the same.
    let seconds = d.num_seconds();
    if seconds < -1 {
        return "<invalid>".into();
    } else if seconds < 0 {
        return "0s".into();
    } else if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = d.num_minutes();
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 { format!("{minutes}m") } else { format!("{minutes}m{s}s") };
    } else if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = d.num_hours();
    if hours < 8 {
        let m = minutes % 60;
        if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        }
    } else if hours < 48 {
        format!("{hours}h")
    } else if hours < 24 * 8 {
        let h = hours % 24;
        if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        }
    } else if hours < 24 * 365 * 2 {
        format!("{}d", hours / 24)
    } else if hours < 24 * 365 * 8 {
        let years = hours / 24 / 365;
        let days = (hours / 24) % 365;
        if days == 0 {
            format!("{years}y")
        } else {
            format!("{years}y{days}d")
        }
    } else {
        format!("{}y", hours / 24 / 365)
    }
}

/// apimachinery's `duration.ShortHumanDuration`: one unit (45s, 3m, 5h, 2d, 3y), with the
/// same tolerance of clock skew as `human`.
pub fn short_human(d: TimeDelta) -> String {
    let seconds = d.num_seconds();
    if seconds < -1 {
        return "<invalid>".into();
    } else if seconds < 0 {
        return "0s".into();
    } else if seconds < 60 {
        return format!("{seconds}s");
    }
    let minutes = d.num_minutes();
    if minutes < 60 {
        return format!("{minutes}m");
    }
    let hours = d.num_hours();
    if hours < 24 {
        format!("{hours}h")
    } else if hours < 24 * 365 {
        format!("{}d", hours / 24)
    } else {
        format!("{}y", hours / 24 / 365)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(text: &str) -> i64 {
        parse_go(text).unwrap_or_else(|err| panic!("{text}: {err}")).num_nanoseconds().unwrap_or(i64::MAX)
    }

    fn err(text: &str) -> String {
        parse_go(text).expect_err(text).to_string()
    }

    #[test]
    fn go_durations_parse_with_every_unit() {
        assert_eq!(ns("0"), 0);
        assert_eq!(ns("-0"), 0);
        assert_eq!(ns("+0"), 0);
        assert_eq!(ns("0s"), 0);
        assert_eq!(ns("5s"), 5_000_000_000);
        assert_eq!(ns("1h30m"), 5_400_000_000_000);
        assert_eq!(ns("1m30s"), 90_000_000_000);
        assert_eq!(ns("-1.5h"), -5_400_000_000_000);
        assert_eq!(ns("+2ms"), 2_000_000);
        assert_eq!(ns("3us"), 3_000);
        assert_eq!(ns("3µs"), 3_000);
        assert_eq!(ns("3μs"), 3_000);
        assert_eq!(ns("7ns"), 7);
        assert_eq!(ns(".5s"), 500_000_000);
        assert_eq!(ns("1.s"), 1_000_000_000);
        assert_eq!(ns("1.0000000001s"), 1_000_000_000, "below a nanosecond is dropped");
        assert_eq!(ns("2562047h47m16.854775807s"), i64::MAX);
        assert_eq!(ns("-2562047h47m16.854775808s"), i64::MIN);
        assert_eq!(ns("9223372036854775807ns"), i64::MAX);
    }

    /// Each message as Go (and so kubectl 1.32's flags) prints it.
    #[test]
    fn bad_go_durations_are_errors_in_gos_words() {
        assert_eq!(err(""), "time: invalid duration \"\"");
        assert_eq!(err("-"), "time: invalid duration \"-\"");
        assert_eq!(err("abc"), "time: invalid duration \"abc\"");
        assert_eq!(err(".s"), "time: invalid duration \".s\"");
        assert_eq!(err("5"), "time: missing unit in duration \"5\"");
        assert_eq!(err("1e3s"), "time: unknown unit \"e\" in duration \"1e3s\"");
        assert_eq!(err("1h-1m"), "time: unknown unit \"h-\" in duration \"1h-1m\"");
        assert_eq!(err("1.5µs5"), "time: missing unit in duration \"1.5\\xc2\\xb5s5\"");
        assert_eq!(err("1 s"), "time: unknown unit \" s\" in duration \"1 s\"");
    }

    #[test]
    fn overflowing_go_durations_are_errors() {
        for text in [
            "100000000000000000000s",
            "9223372036854775808ns",
            "2562047h47m16.854775808s",
            "2562048h",
            "1000000000000000000000ns",
            "9223372036s1s",
            "-2562047h47m16.854775809s",
        ] {
            assert_eq!(err(text), format!("time: invalid duration \"{text}\""));
        }
    }

    #[test]
    fn go_durations_print_as_go() {
        for (nanos, text) in [
            (0, "0s"),
            (1, "1ns"),
            (1_500, "1.5µs"),
            (2_000_000, "2ms"),
            (1_500_000_000, "1.5s"),
            (60_000_000_000, "1m0s"),
            (90_000_000_000, "1m30s"),
            (3_600_000_000_000, "1h0m0s"),
            (-1_500_000_000, "-1.5s"),
            (i64::MAX, "2562047h47m16.854775807s"),
            (i64::MIN, "-2562047h47m16.854775808s"),
        ] {
            assert_eq!(format_go(nanos), text);
            assert_eq!(ns(text), nanos, "{text} reads back");
        }
        assert_eq!(format_go_std(std::time::Duration::from_secs(30)), "30s");
        assert_eq!(format_go_std(std::time::Duration::from_secs(u64::MAX)), "2562047h47m16.854775807s");
    }

    fn human_of(seconds: i64) -> String {
        human(TimeDelta::seconds(seconds))
    }

    #[test]
    fn human_durations_match_upstream_at_each_boundary() {
        let (m, h, d, y) = (60, 3600, 86400, 365 * 86400);
        for (seconds, text) in [
            (0, "0s"),
            (119, "119s"),
            (2 * m, "2m"),
            (2 * m + 5, "2m5s"),
            (10 * m - 1, "9m59s"),
            (10 * m, "10m"),
            (3 * h - 1, "179m"),
            (3 * h, "3h"),
            (5 * h + m, "5h1m"),
            (8 * h - 1, "7h59m"),
            (8 * h, "8h"),
            (48 * h - 1, "47h"),
            (2 * d, "2d"),
            (3 * d + 4 * h, "3d4h"),
            (8 * d - 1, "7d23h"),
            (8 * d, "8d"),
            (2 * y - 1, "729d"),
            (2 * y, "2y"),
            (3 * y + 42 * d, "3y42d"),
            (8 * y - 1, "7y364d"),
            (8 * y, "8y"),
        ] {
            assert_eq!(human_of(seconds), text, "{seconds}s");
        }
    }

    #[test]
    fn human_durations_tolerate_small_clock_skew_only() {
        assert_eq!(human(TimeDelta::milliseconds(-1500)), "0s");
        assert_eq!(human_of(-1), "0s");
        assert_eq!(human_of(-2), "<invalid>");
        assert_eq!(human(TimeDelta::milliseconds(119_999)), "119s");
        assert_eq!(short_human(TimeDelta::milliseconds(-1500)), "0s");
        assert_eq!(short_human(TimeDelta::seconds(-2)), "<invalid>");
    }

    #[test]
    fn short_human_durations_keep_one_unit() {
        let (m, h, d, y) = (60, 3600, 86400, 365 * 86400);
        for (seconds, text) in [
            (59, "59s"),
            (m, "1m"),
            (2 * m + 5, "2m"),
            (h - 1, "59m"),
            (h, "1h"),
            (d - 1, "23h"),
            (d + h, "1d"),
            (y - 1, "364d"),
            (3 * y + 42 * d, "3y"),
        ] {
            assert_eq!(short_human(TimeDelta::seconds(seconds)), text, "{seconds}s");
        }
    }
}
