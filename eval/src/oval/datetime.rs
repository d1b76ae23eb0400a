//! Date-time values of the `time_difference` variable function, in the
//! formats of OVAL's `DateTimeFormatEnumeration`, as seconds since the
//! Unix epoch (UTC).
//!
//! - `year_month_day`: `yyyymmdd`, `yyyymmddThhmmss`, `yyyy/mm/dd`,
//!   `yyyy-mm-dd`, each of the last two optionally followed by
//!   ` hh:mm:ss`;
//! - `month_day_year`: `mm/dd/yyyy`, `mm-dd-yyyy`, `NameOfMonth, dd yyyy`
//!   (full or abbreviated name), each optionally followed by ` hh:mm:ss`;
//! - `day_month_year`: `dd/mm/yyyy`, `dd-mm-yyyy`, optionally ` hh:mm:ss`;
//! - `seconds_since_epoch`: an integer;
//! - `win_filetime`: 100-nanosecond intervals since 1601-01-01 (decimal,
//!   or hexadecimal with `0x`);
//! - `cim_datetime`: `yyyymmddHHMMSS.mmmmmmsUUU` or
//!   `yyyy-mm-dd HH:MM:SS:mmm`.
//!
//! Times without a zone are taken as UTC. A value that does not follow
//! its format is an error (the schema says so), where oscap computes with
//! 0 instead.

/// Seconds since the epoch of `value` read in `format`.
pub fn parse(value: &str, format: &str) -> Result<i64, String> {
    let v = value.trim();
    let bad = || format!("`{value}` is not a {format} date-time");
    let secs = match format {
        "year_month_day" => ymd(v),
        "month_day_year" => mdy(v),
        "day_month_year" => dmy(v),
        "seconds_since_epoch" => v.parse::<i64>().ok(),
        "win_filetime" => {
            let n = match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
                Some(h) => i128::from_str_radix(h, 16).ok(),
                None => v.parse::<i128>().ok(),
            };
            // 1601-01-01 is 11644473600 s before the epoch.
            n.map(|n| (n / 10_000_000 - 11_644_473_600) as i64)
        }
        "cim_datetime" => cim(v),
        _ => return Err(format!("unknown date-time format `{format}`")),
    };
    secs.ok_or_else(bad)
}

/// Fixed-width digits.
fn digits(s: &str, n: usize) -> Option<i64> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// One or two digits (as strptime's `%m`, `%d`, `%H`, ... accept).
fn small(s: &str) -> Option<i64> {
    (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// Splits `date[ time]` and reads `hh:mm:ss` (midnight when absent).
fn date_and_time(v: &str) -> Option<(&str, (i64, i64, i64))> {
    let mut parts = v.split_whitespace();
    let date = parts.next()?;
    let time = match parts.next() {
        None => (0, 0, 0),
        Some(t) => hms(t)?,
    };
    if parts.next().is_some() {
        return None;
    }
    Some((date, time))
}

fn hms(t: &str) -> Option<(i64, i64, i64)> {
    let f: Vec<&str> = t.split(':').collect();
    if f.len() != 3 {
        return None;
    }
    Some((small(f[0])?, small(f[1])?, small(f[2])?))
}

fn ymd(v: &str) -> Option<i64> {
    if let Some((d, t)) = v.split_once('T') {
        return if d.len() == 8 && t.len() == 6 {
            to_epoch(
                digits(&d[..4], 4)?,
                digits(&d[4..6], 2)?,
                digits(&d[6..], 2)?,
                (digits(&t[..2], 2)?, digits(&t[2..4], 2)?, digits(&t[4..], 2)?),
            )
        } else {
            None
        };
    }
    if v.len() == 8 {
        return to_epoch(digits(&v[..4], 4)?, digits(&v[4..6], 2)?, digits(&v[6..], 2)?, (0, 0, 0));
    }
    let (date, time) = date_and_time(v)?;
    let sep = if date.contains('/') { '/' } else { '-' };
    let f: Vec<&str> = date.split(sep).collect();
    if f.len() != 3 {
        return None;
    }
    to_epoch(digits(f[0], 4)?, small(f[1])?, small(f[2])?, time)
}

fn mdy(v: &str) -> Option<i64> {
    // NameOfMonth, dd yyyy[ hh:mm:ss]
    if let Some((name, rest)) = v.split_once(',') {
        let month = month_number(name.trim())?;
        let mut parts = rest.split_whitespace();
        let day = small(parts.next()?)?;
        let year = digits(parts.next()?, 4)?;
        let time = match parts.next() {
            None => (0, 0, 0),
            Some(t) => hms(t)?,
        };
        if parts.next().is_some() {
            return None;
        }
        return to_epoch(year, month, day, time);
    }
    let (date, time) = date_and_time(v)?;
    let sep = if date.contains('/') { '/' } else { '-' };
    let f: Vec<&str> = date.split(sep).collect();
    if f.len() != 3 {
        return None;
    }
    to_epoch(digits(f[2], 4)?, small(f[0])?, small(f[1])?, time)
}

fn dmy(v: &str) -> Option<i64> {
    let (date, time) = date_and_time(v)?;
    let sep = if date.contains('/') { '/' } else { '-' };
    let f: Vec<&str> = date.split(sep).collect();
    if f.len() != 3 {
        return None;
    }
    to_epoch(digits(f[2], 4)?, small(f[1])?, small(f[0])?, time)
}

fn cim(v: &str) -> Option<i64> {
    // yyyymmddHHMMSS.mmmmmmsUUU
    if v.len() == 25 && v.as_bytes()[14] == b'.' && matches!(v.as_bytes()[21], b'+' | b'-') {
        digits(&v[15..21], 6)?;
        digits(&v[22..], 3)?;
        return to_epoch(
            digits(&v[..4], 4)?,
            digits(&v[4..6], 2)?,
            digits(&v[6..8], 2)?,
            (digits(&v[8..10], 2)?, digits(&v[10..12], 2)?, digits(&v[12..14], 2)?),
        );
    }
    // yyyy-mm-dd HH:MM:SS:mmm
    let (date, time) = v.split_once(' ')?;
    let f: Vec<&str> = date.split('-').collect();
    let t: Vec<&str> = time.split(':').collect();
    if f.len() != 3 || t.len() != 4 {
        return None;
    }
    digits(t[3], 3)?;
    to_epoch(
        digits(f[0], 4)?,
        digits(f[1], 2)?,
        digits(f[2], 2)?,
        (digits(t[0], 2)?, digits(t[1], 2)?, digits(t[2], 2)?),
    )
}

fn month_number(name: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let n = name.to_ascii_lowercase();
    MONTHS.iter().position(|m| *m == n || (n.len() == 3 && m.starts_with(&n))).map(|i| i as i64 + 1)
}

/// Seconds since the epoch of a UTC civil date-time, after range checks
/// (the one conversion, [`scapc_xml::datetime::to_epoch`]).
fn to_epoch(year: i64, month: i64, day: i64, (h, mi, s): (i64, i64, i64)) -> Option<i64> {
    scapc_xml::datetime::to_epoch(year, month, day, h, mi, s)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn every_format() {
        let t = 1_238_803_200; // 2009-04-04 00:00:00 UTC
        for (v, f) in [
            ("20090404", "year_month_day"),
            ("2009/04/04", "year_month_day"),
            ("2009-04-04", "year_month_day"),
            ("04/04/2009", "month_day_year"),
            ("04-04-2009", "month_day_year"),
            ("April, 04 2009", "month_day_year"),
            ("Apr, 4 2009", "month_day_year"),
            ("04/04/2009", "day_month_year"),
            ("4-4-2009", "day_month_year"),
            ("1238803200", "seconds_since_epoch"),
            ("128832768000000000", "win_filetime"),
            ("20090404000000.000000+000", "cim_datetime"),
            ("2009-04-04 00:00:00:000", "cim_datetime"),
        ] {
            assert_eq!(parse(v, f), Ok(t), "{v} as {f}");
        }
        assert_eq!(parse("20090404T013005", "year_month_day"), Ok(t + 5405));
        assert_eq!(parse("2009-04-04 01:30:05", "year_month_day"), Ok(t + 5405));
        assert_eq!(parse("04/05/2009 01:30:05", "day_month_year"), Ok(t + 30 * 86_400 + 5405));
        assert_eq!(parse("1969-12-31", "year_month_day"), Ok(-86_400));
        assert_eq!(parse("2024-02-29", "year_month_day"), Ok(1_709_164_800));
    }

    #[test]
    fn values_that_do_not_fit_are_errors() {
        for (v, f) in [
            ("2009-02-30", "year_month_day"),
            ("2009-13-01", "year_month_day"),
            ("04/04/09", "month_day_year"),
            ("Foo, 04 2009", "month_day_year"),
            ("yesterday", "seconds_since_epoch"),
            ("2009-04-04 25:00:00", "year_month_day"),
            ("2009-04-04", "no_such_format"),
        ] {
            assert!(parse(v, f).is_err(), "{v} as {f}");
        }
    }
}
