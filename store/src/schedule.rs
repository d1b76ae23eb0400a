//! Schedule arithmetic: a task's not-before time and repeat interval give a
//! sequence of slots; the next due time is the first slot after the last
//! one that finished. Calendar repeats (`@daily`, `@weekly`, `@monthly`)
//! keep the wall-clock time in the task's time zone across daylight-saving
//! changes; `N` hours are exact elapsed hours. Time comes from a [`Clock`]
//! so the scheduler can be tested with an injected one.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp, Zoned};
use std::fmt;
use std::str::FromStr;

/// Where the current time comes from.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// How often a task repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Repeat {
    /// Once, at or after not-before.
    #[default]
    Never,
    /// Every N hours of elapsed time (N ≥ 1).
    Hours(u32),
    /// Every day at not-before's wall-clock time.
    Daily,
    /// Every week on not-before's weekday and wall-clock time.
    Weekly,
    /// Every month on not-before's day (the month's last day when shorter).
    Monthly,
}

impl fmt::Display for Repeat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Repeat::Never => f.write_str("never"),
            Repeat::Hours(h) => write!(f, "{h}h"),
            Repeat::Daily => f.write_str("@daily"),
            Repeat::Weekly => f.write_str("@weekly"),
            Repeat::Monthly => f.write_str("@monthly"),
        }
    }
}

impl FromStr for Repeat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        match t {
            "" | "never" | "none" | "no" => Ok(Repeat::Never),
            "@hourly" => Ok(Repeat::Hours(1)),
            "@daily" => Ok(Repeat::Daily),
            "@weekly" => Ok(Repeat::Weekly),
            "@monthly" => Ok(Repeat::Monthly),
            _ => {
                let num = t.strip_suffix('h').unwrap_or(t);
                match num.parse::<u32>() {
                    Ok(h) if h >= 1 => Ok(Repeat::Hours(h)),
                    _ => Err(format!(
                        "`{s}` is not a repeat interval; use a number of hours (`6` or `6h`), \
                         `@hourly`, `@daily`, `@weekly`, `@monthly` or `never`"
                    )),
                }
            }
        }
    }
}

/// When a task may run: not before `not_before`, then every `repeat`, in
/// the time zone `tz` (for calendar repeats).
#[derive(Debug, Clone)]
pub struct Schedule {
    pub not_before: Timestamp,
    pub repeat: Repeat,
    pub tz: TimeZone,
}

impl Schedule {
    /// Slot `k` (0 is not-before), or None past the representable range.
    pub fn slot(&self, k: i64) -> Option<Timestamp> {
        let zoned = || self.not_before.to_zoned(self.tz.clone());
        let cal = |span: Span| zoned().checked_add(span).ok().map(|z: Zoned| z.timestamp());
        match self.repeat {
            Repeat::Never => (k == 0).then_some(self.not_before),
            Repeat::Hours(h) => {
                self.not_before.checked_add(SignedDuration::from_hours(i64::from(h).checked_mul(k)?)).ok()
            }
            Repeat::Daily => cal(Span::new().try_days(k).ok()?),
            Repeat::Weekly => cal(Span::new().try_weeks(k).ok()?),
            Repeat::Monthly => cal(Span::new().try_months(k).ok()?),
        }
    }

    /// A first guess of the index of the last slot at or before `t`.
    fn guess(&self, t: Timestamp) -> i64 {
        let secs = t.as_second() - self.not_before.as_second();
        let per = match self.repeat {
            Repeat::Never => return 0,
            Repeat::Hours(h) => i64::from(h) * 3600,
            Repeat::Daily => 86_400,
            Repeat::Weekly => 7 * 86_400,
            Repeat::Monthly => 30 * 86_400,
        };
        secs.div_euclid(per)
    }

    /// The last slot at or before `t` (with its index), if any.
    pub fn slot_at_or_before(&self, t: Timestamp) -> Option<(i64, Timestamp)> {
        if t < self.not_before {
            return None;
        }
        if self.repeat == Repeat::Never {
            return Some((0, self.not_before));
        }
        let mut k = self.guess(t).max(0);
        // The guess is off by a few slots at most (months of 28-31 days,
        // days of 23-25 hours); walk to the exact one.
        while k > 0 && self.slot(k).is_none_or(|s| s > t) {
            k -= 1;
        }
        while let Some(next) = self.slot(k + 1) {
            if next > t {
                break;
            }
            k += 1;
        }
        self.slot(k).map(|s| (k, s))
    }

    /// The first slot strictly after `t`.
    pub fn slot_after(&self, t: Timestamp) -> Option<Timestamp> {
        match self.slot_at_or_before(t) {
            None => Some(self.not_before),
            Some((k, _)) => self.slot(k + 1),
        }
    }

    /// When the task is next due, given the slot of its last finished
    /// scheduled run (None: it never finished one). Missed slots are not
    /// run one by one: a due task runs once and takes the latest slot.
    pub fn next_due(&self, last_slot: Option<Timestamp>) -> Option<Timestamp> {
        match last_slot {
            None => Some(self.not_before),
            Some(_) if self.repeat == Repeat::Never => None,
            Some(last) => self.slot_after(last),
        }
    }

    /// The slot a run starting at `now` fulfils: the latest slot at or
    /// before `now` (None when `now` is before not-before).
    pub fn slot_for_run(&self, now: Timestamp) -> Option<Timestamp> {
        self.slot_at_or_before(now).map(|(_, s)| s)
    }
}

/// Parses a duration like `30d`, `12h`, `90m`, `2w` (for `--older-than`).
pub fn parse_age(s: &str) -> Result<SignedDuration, String> {
    let t = s.trim();
    let bad = || format!("`{s}` is not an age; write a number and a unit: `90m`, `12h`, `30d` or `2w`");
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
    let n: i64 = num.parse().map_err(|_| bad())?;
    let per = match unit {
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(bad()),
    };
    Ok(SignedDuration::from_secs(n.checked_mul(per).ok_or_else(bad)?))
}

/// Parses a not-before time: `now`, an RFC 3339 timestamp
/// (`2026-12-06T20:00:00Z`), or a civil time `2026-12-06 20:00` /
/// `2026-12-06T20:00` read in `tz`.
pub fn parse_time(s: &str, now: Timestamp, tz: &TimeZone) -> Result<Timestamp, String> {
    let t = s.trim();
    if t.is_empty() || t == "now" {
        return Ok(now);
    }
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts);
    }
    let civil = t.replacen(' ', "T", 1);
    if let Ok(dt) = civil.parse::<jiff::civil::DateTime>() {
        return dt.to_zoned(tz.clone()).map(|z| z.timestamp()).map_err(|e| format!("`{s}`: {e}"));
    }
    Err(format!("`{s}` is not a time; write `now`, `2026-12-06 20:00` (local time) or `2026-12-06T20:00:00Z`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn berlin(nb: &str, repeat: Repeat) -> Schedule {
        Schedule { not_before: ts(nb), repeat, tz: TimeZone::get("Europe/Berlin").unwrap() }
    }

    #[test]
    fn repeat_parses_and_prints() {
        for (s, r) in [
            ("@daily", Repeat::Daily),
            ("@weekly", Repeat::Weekly),
            ("@monthly", Repeat::Monthly),
            ("6", Repeat::Hours(6)),
            ("6h", Repeat::Hours(6)),
            ("@hourly", Repeat::Hours(1)),
            ("never", Repeat::Never),
            ("", Repeat::Never),
        ] {
            assert_eq!(s.parse::<Repeat>().unwrap(), r, "{s}");
            assert_eq!(r.to_string().parse::<Repeat>().unwrap(), r);
        }
        for bad in ["0", "-3", "@yearly", "daily", "6x"] {
            assert!(bad.parse::<Repeat>().is_err(), "{bad}");
        }
    }

    #[test]
    fn once_runs_at_not_before_then_never() {
        let s = berlin("2026-03-01T10:00:00Z", Repeat::Never);
        assert_eq!(s.next_due(None), Some(ts("2026-03-01T10:00:00Z")));
        assert_eq!(s.next_due(Some(ts("2026-03-01T10:00:00Z"))), None);
    }

    #[test]
    fn hours_are_elapsed_hours_even_across_dst() {
        // Berlin springs forward on 2026-03-29 at 01:00 UTC.
        let s = berlin("2026-03-28T23:00:00Z", Repeat::Hours(6));
        assert_eq!(s.next_due(Some(ts("2026-03-28T23:00:00Z"))), Some(ts("2026-03-29T05:00:00Z")));
        assert_eq!(s.slot(4), Some(ts("2026-03-29T23:00:00Z")));
    }

    #[test]
    fn daily_keeps_wall_clock_time_across_spring_forward_and_fall_back() {
        // 02:30 local time on 2026-03-28 (CET, UTC+1) is 01:30 UTC.
        let s = berlin("2026-03-28T01:30:00Z", Repeat::Daily);
        // 2026-03-29 02:30 does not exist in Berlin: jiff moves it forward
        // to 03:30 CEST, which is 01:30 UTC.
        assert_eq!(s.slot(1), Some(ts("2026-03-29T01:30:00Z")));
        // 2026-03-30 02:30 CEST is 00:30 UTC: a 23-hour gap.
        assert_eq!(s.slot(2), Some(ts("2026-03-30T00:30:00Z")));
        assert_eq!(s.next_due(Some(ts("2026-03-29T01:30:00Z"))), Some(ts("2026-03-30T00:30:00Z")));
        // Autumn: 2026-10-25 03:00 CEST becomes 02:00 CET. 09:00 local
        // stays 09:00 local: 07:00 UTC before, 08:00 UTC after.
        let s = berlin("2026-10-24T07:00:00Z", Repeat::Daily);
        assert_eq!(s.slot(1), Some(ts("2026-10-25T08:00:00Z")));
        assert_eq!(s.next_due(Some(ts("2026-10-24T07:00:00Z"))), Some(ts("2026-10-25T08:00:00Z")));
    }

    #[test]
    fn weekly_and_monthly_are_calendar_steps() {
        let s = berlin("2026-01-05T08:00:00Z", Repeat::Weekly);
        // Over the DST change: Monday 09:00 local stays 09:00 local.
        assert_eq!(s.next_due(Some(ts("2026-03-23T08:00:00Z"))), Some(ts("2026-03-30T07:00:00Z")));
        let m = berlin("2026-01-31T11:00:00Z", Repeat::Monthly);
        // Each slot counts from not-before, so a short month does not drift
        // the day: Jan 31 -> Feb 28 -> Mar 31 (and 12:00 local throughout).
        assert_eq!(m.slot(1), Some(ts("2026-02-28T11:00:00Z")));
        assert_eq!(m.slot(2), Some(ts("2026-03-31T10:00:00Z")));
        assert_eq!(m.next_due(Some(ts("2026-02-28T11:00:00Z"))), Some(ts("2026-03-31T10:00:00Z")));
    }

    #[test]
    fn missed_slots_collapse_into_one_run() {
        let s = berlin("2026-01-01T00:00:00Z", Repeat::Hours(1));
        // The daemon was down for 10 hours and a half: one run, for the latest slot.
        let now = ts("2026-01-01T10:30:00Z");
        assert_eq!(s.slot_for_run(now), Some(ts("2026-01-01T10:00:00Z")));
        assert_eq!(s.next_due(s.slot_for_run(now)), Some(ts("2026-01-01T11:00:00Z")));
        // Before not-before there is no slot.
        assert_eq!(s.slot_for_run(ts("2025-12-31T23:00:00Z")), None);
        // Far in the future the guess is exact after a few steps.
        let d = berlin("2026-01-01T00:00:00Z", Repeat::Daily);
        let (k, slot) = d.slot_at_or_before(ts("2036-07-01T12:00:00Z")).unwrap();
        assert!(slot <= ts("2036-07-01T12:00:00Z"));
        assert!(d.slot(k + 1).unwrap() > ts("2036-07-01T12:00:00Z"));
    }

    #[test]
    fn times_and_ages_parse() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let now = ts("2026-06-01T00:00:00Z");
        assert_eq!(parse_time("now", now, &tz).unwrap(), now);
        assert_eq!(parse_time("", now, &tz).unwrap(), now);
        assert_eq!(parse_time("2026-06-02 10:00", now, &tz).unwrap(), ts("2026-06-02T08:00:00Z"));
        assert_eq!(parse_time("2026-06-02T10:00:00Z", now, &tz).unwrap(), ts("2026-06-02T10:00:00Z"));
        assert!(parse_time("tomorrow", now, &tz).is_err());
        assert_eq!(parse_age("30d").unwrap(), SignedDuration::from_hours(720));
        assert_eq!(parse_age("90m").unwrap(), SignedDuration::from_mins(90));
        assert!(parse_age("30").is_err());
        assert!(parse_age("d").is_err());
    }
}
