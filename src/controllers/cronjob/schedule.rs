//! Cron schedules as upstream's CronJob controller reads them (robfig/cron's standard
//! parser): five fields (minute, hour, day of month, month, day of week) of lists, ranges,
//! steps, `*`/`?` and month/day names, or a descriptor (`@hourly`, `@daily`, `@every 5m` …);
//! `TZ=`/`CRON_TZ=` before the fields names the time zone. Times are found in that zone.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// The bit robfig sets when a field was `*` or `?` (it changes how the two day fields combine).
const STAR: u64 = 1 << 63;

#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    Fields { minute: u64, hour: u64, dom: u64, month: u64, dow: u64, zone: Tz },
    Every(Duration),
}

struct Bounds {
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MINUTES: Bounds = Bounds { min: 0, max: 59, names: &[] };
const HOURS: Bounds = Bounds { min: 0, max: 23, names: &[] };
const DOM: Bounds = Bounds { min: 1, max: 31, names: &[] };
const MONTHS: Bounds = Bounds {
    min: 1,
    max: 12,
    names: &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
};
const DOW: Bounds = Bounds { min: 0, max: 6, names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"] };

fn number(text: &str, bounds: &Bounds) -> Result<u32, String> {
    let lower = text.to_lowercase();
    if let Some(index) = bounds.names.iter().position(|n| *n == lower) {
        return Ok(index as u32 + bounds.min);
    }
    text.parse::<u32>()
        .map_err(|_| format!("failed to parse int from {text}: strconv.Atoi: parsing {text:?}: invalid syntax"))
}

/// One comma-separated part: `*`, `?`, `n`, `n-m`, each with an optional `/step`.
fn range(expr: &str, bounds: &Bounds) -> Result<u64, String> {
    let (range, step) = match expr.split_once('/') {
        Some((range, step)) => (range, Some(step)),
        None => (expr, None),
    };
    let (mut start, mut end, mut extra) = match range {
        "*" | "?" => (bounds.min, bounds.max, STAR),
        _ => match range.split_once('-') {
            Some((low, high)) => (number(low, bounds)?, number(high, bounds)?, 0),
            None => {
                let n = number(range, bounds)?;
                (n, n, 0)
            }
        },
    };
    let step = match step {
        Some(step) => {
            let step: u32 = step.parse().map_err(|_| format!("failed to parse int from {step}"))?;
            if !range.contains('-') && range != "*" && range != "?" {
                end = bounds.max;
            }
            if step > 1 {
                extra = 0;
            }
            step
        }
        None => 1,
    };
    if start < bounds.min {
        return Err(format!("beginning of range ({start}) below minimum ({}): {expr}", bounds.min));
    }
    if end > bounds.max {
        return Err(format!("end of range ({end}) above maximum ({}): {expr}", bounds.max));
    }
    if start > end {
        return Err(format!("beginning of range ({start}) beyond end of range ({end}): {expr}"));
    }
    if step == 0 {
        return Err(format!("step of range should be a positive number: {expr}"));
    }
    let mut bits = extra;
    while start <= end {
        bits |= 1 << start;
        start += step;
    }
    Ok(bits)
}

fn field(text: &str, bounds: &Bounds) -> Result<u64, String> {
    text.split(',').try_fold(0, |bits, part| Ok(bits | range(part, bounds)?))
}

/// `cron.ParseStandard`, with `zone` unless the spec names its own.
pub fn parse(spec: &str, zone: Tz) -> Result<Schedule, String> {
    let mut spec = spec.trim();
    let mut zone = zone;
    if spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=") {
        let (prefix, rest) = spec.split_once(' ').unwrap_or((spec, ""));
        let name = prefix.split_once('=').map(|(_, n)| n).unwrap_or_default();
        zone = name.parse().map_err(|_| format!("provided bad location {name}: unknown time zone {name}"))?;
        spec = rest.trim();
    }
    let fields = match spec {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        every if every.starts_with("@every ") => {
            let text = every.trim_start_matches("@every ").trim();
            let delta = crate::machinery::duration::parse_go(text)
                .map_err(|err| format!("failed to parse duration {every}: {err}"))?;
            let seconds = delta.num_seconds().max(1);
            return Ok(Schedule::Every(Duration::seconds(seconds)));
        }
        other if other.starts_with('@') => return Err(format!("unrecognized descriptor: {other}")),
        other => other,
    };
    let parts: Vec<&str> = fields.split_whitespace().collect();
    if parts.len() != 5 {
        return Err(format!("expected exactly 5 fields, found {}: [{}]", parts.len(), parts.join(" ")));
    }
    Ok(Schedule::Fields {
        minute: field(parts[0], &MINUTES)?,
        hour: field(parts[1], &HOURS)?,
        dom: field(parts[2], &DOM)?,
        month: field(parts[3], &MONTHS)?,
        dow: field(parts[4], &DOW)?,
        zone,
    })
}

fn has(bits: u64, n: u32) -> bool {
    bits & (1 << n) != 0
}

fn day_matches(dom: u64, dow: u64, t: &NaiveDateTime) -> bool {
    let dom_match = has(dom, t.day());
    let dow_match = has(dow, t.weekday().num_days_from_sunday());
    if dom & STAR != 0 || dow & STAR != 0 {
        dom_match && dow_match
    } else {
        dom_match || dow_match
    }
}

impl Schedule {
    /// The first activation strictly after `after` (none within five years).
    pub fn next(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let (minute, hour, dom, month, dow, zone) = match self {
            Schedule::Every(delay) => {
                let whole = after.with_nanosecond(0).unwrap_or(after);
                return Some(whole + *delay);
            }
            Schedule::Fields { minute, hour, dom, month, dow, zone } => (*minute, *hour, *dom, *month, *dow, zone),
        };
        let local = after.with_timezone(zone).naive_local();
        let mut t = local.with_second(0)?.with_nanosecond(0)? + Duration::minutes(1);
        let limit = t.year() + 5;
        while t.year() <= limit {
            if !has(month, t.month()) {
                let (year, next) = if t.month() == 12 { (t.year() + 1, 1) } else { (t.year(), t.month() + 1) };
                t = NaiveDate::from_ymd_opt(year, next, 1)?.and_hms_opt(0, 0, 0)?;
                continue;
            }
            if !day_matches(dom, dow, &t) {
                t = (t.date() + Duration::days(1)).and_hms_opt(0, 0, 0)?;
                continue;
            }
            if !has(hour, t.hour()) {
                t = t.with_minute(0)? + Duration::hours(1);
                continue;
            }
            if !has(minute, t.minute()) {
                t += Duration::minutes(1);
                continue;
            }
            // A local time a DST change skipped does not happen; a repeated one happens once.
            match zone.from_local_datetime(&t).earliest() {
                Some(at) => return Some(at.with_timezone(&Utc)),
                None => t += Duration::minutes(1),
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("time").with_timezone(&Utc)
    }

    fn next(spec: &str, after: &str) -> String {
        let schedule = parse(spec, Tz::UTC).expect("valid");
        schedule.next(at(after)).expect("a next time").to_rfc3339()
    }

    #[test]
    fn fields_ranges_steps_and_names_find_the_next_minute() {
        assert_eq!(next("*/1 * * * *", "2026-01-01T00:00:00Z"), "2026-01-01T00:01:00+00:00");
        assert_eq!(next("*/15 * * * *", "2026-01-01T00:16:30Z"), "2026-01-01T00:30:00+00:00");
        assert_eq!(next("0 9-17/4 * * mon-fri", "2026-01-02T17:00:00Z"), "2026-01-05T09:00:00+00:00");
        assert_eq!(next("30 2 1 JAN,jul *", "2026-02-01T00:00:00Z"), "2026-07-01T02:30:00+00:00");
        assert_eq!(next("@hourly", "2026-01-01T10:59:59Z"), "2026-01-01T11:00:00+00:00");
        assert_eq!(next("@weekly", "2026-01-01T00:00:00Z"), "2026-01-04T00:00:00+00:00");
        // Both day fields restricted: either may match (2026-01-05 is a Monday).
        assert_eq!(next("0 0 13 * 1", "2026-01-01T00:00:00Z"), "2026-01-05T00:00:00+00:00");
        assert_eq!(next("@every 90s", "2026-01-01T00:00:00.5Z"), "2026-01-01T00:01:30+00:00");
    }

    #[test]
    fn time_zones_shift_the_activation() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let schedule = parse("0 9 * * *", berlin).unwrap();
        assert_eq!(schedule.next(at("2026-01-01T00:00:00Z")).unwrap().to_rfc3339(), "2026-01-01T08:00:00+00:00");
        let prefixed = parse("TZ=America/New_York 0 9 * * *", Tz::UTC).unwrap();
        assert_eq!(prefixed.next(at("2026-01-01T00:00:00Z")).unwrap().to_rfc3339(), "2026-01-01T14:00:00+00:00");
    }

    #[test]
    fn bad_schedules_are_refused() {
        assert!(parse("* * * *", Tz::UTC).unwrap_err().starts_with("expected exactly 5 fields"));
        assert!(parse("60 * * * *", Tz::UTC).is_err());
        assert!(parse("* * * * 7", Tz::UTC).is_err());
        assert!(parse("@fortnightly", Tz::UTC).is_err());
        assert!(parse("*/0 * * * *", Tz::UTC).is_err());
    }
}
