//! Seconds since the Unix epoch to and from civil UTC date-times, in the
//! proleptic Gregorian calendar with astronomical year numbering (year 0
//! is 1 BC), and the `xs:dateTime` text of an instant. The one date
//! conversion in scapc: data stream timestamps, OVAL and XCCDF result
//! times and OVAL's `time_difference` all use it.

/// Whether `year` has a 29 February.
pub fn is_leap_year(year: i64) -> bool {
    year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0)
}

/// Days in `month` (1 to 12) of `year`; 0 for a month that does not exist.
pub fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        _ => 0,
    }
}

/// Days from 1970-01-01 to a valid date (see [`to_epoch`] for the checks),
/// computed in 400-year eras of 146 097 days each.
fn days_from_civil(year: i128, month: i128, day: i128) -> i128 {
    // Years start on 1 March, so that the leap day ends the year.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date `days` after 1970-01-01: (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = i128::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 } as u32;
    let year = year_of_era + era * 400 + i128::from(month <= 2);
    // |days| < 2^63 keeps |year| far below 2^63.
    (year as i64, month, day)
}

/// A civil UTC date-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// The civil UTC date-time of `secs` seconds since 1970-01-01T00:00:00Z.
/// Every `i64` has one.
pub fn from_epoch(secs: i64) -> DateTime {
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400) as u32;
    DateTime { year, month, day, hour: rem / 3600, minute: rem % 3600 / 60, second: rem % 60 }
}

/// Seconds since the epoch of a civil UTC date-time. `None` when a field
/// is out of range (month 1-12, day within the month, hour 0-23, minute
/// 0-59, second 0-60: a leap second counts as the next minute's first) or
/// the result does not fit an `i64`.
pub fn to_epoch(year: i64, month: i64, day: i64, hour: i64, minute: i64, second: i64) -> Option<i64> {
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || !(0..=23).contains(&hour)
        || !(0..=59).contains(&minute)
        || !(0..=60).contains(&second)
    {
        return None;
    }
    let days = days_from_civil(year.into(), month.into(), day.into());
    let secs = days * 86_400 + i128::from(hour * 3600 + minute * 60 + second);
    i64::try_from(secs).ok()
}

/// `YYYY-MM-DDThh:mm:ss` (UTC, no zone designator) of `secs` seconds since
/// the epoch, as `xs:dateTime` writes it: at least four year digits, and a
/// leading `-` before year 0.
pub fn iso_datetime(secs: i64) -> String {
    let t = from_epoch(secs);
    let sign = if t.year < 0 { "-" } else { "" };
    format!(
        "{sign}{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year.unsigned_abs(),
        t.month,
        t.day,
        t.hour,
        t.minute,
        t.second
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_epoch_and_known_instants() {
        assert_eq!(iso_datetime(0), "1970-01-01T00:00:00");
        assert_eq!(iso_datetime(-1), "1969-12-31T23:59:59");
        assert_eq!(iso_datetime(1_700_000_000), "2023-11-14T22:13:20");
        assert_eq!(to_epoch(1970, 1, 1, 0, 0, 0), Some(0));
        assert_eq!(to_epoch(1969, 12, 31, 0, 0, 0), Some(-86_400));
        assert_eq!(to_epoch(2009, 4, 4, 0, 0, 0), Some(1_238_803_200));
    }

    #[test]
    fn leap_years() {
        assert!(is_leap_year(2000) && is_leap_year(2024) && is_leap_year(0) && is_leap_year(-4));
        assert!(!is_leap_year(1900) && !is_leap_year(2100) && !is_leap_year(2023) && !is_leap_year(-1));
        assert_eq!(iso_datetime(951_782_400), "2000-02-29T00:00:00");
        assert_eq!(to_epoch(2024, 2, 29, 0, 0, 0), Some(1_709_164_800));
        assert_eq!(to_epoch(2023, 2, 29, 0, 0, 0), None);
        assert_eq!(to_epoch(1900, 2, 29, 0, 0, 0), None);
        assert_eq!(to_epoch(2000, 2, 29, 0, 0, 0), Some(951_782_400));
        // The day after 28 February 2100 is 1 March.
        let feb28 = to_epoch(2100, 2, 28, 0, 0, 0).unwrap();
        assert_eq!(iso_datetime(feb28 + 86_400), "2100-03-01T00:00:00");
    }

    #[test]
    fn the_2038_boundary() {
        // The last second a signed 32-bit time_t holds, and the next.
        assert_eq!(iso_datetime(i64::from(i32::MAX)), "2038-01-19T03:14:07");
        assert_eq!(iso_datetime(i64::from(i32::MAX) + 1), "2038-01-19T03:14:08");
        assert_eq!(to_epoch(2038, 1, 19, 3, 14, 8), Some(1 << 31));
        assert_eq!(iso_datetime(i64::from(i32::MIN)), "1901-12-13T20:45:52");
    }

    #[test]
    fn every_day_round_trips() {
        // From 1600 to 2400 (two 400-year cycles) one day at a time, with a
        // different time of day each day.
        let mut secs = to_epoch(1600, 1, 1, 0, 0, 0).unwrap();
        let end = to_epoch(2400, 12, 31, 0, 0, 0).unwrap();
        let mut expect = (1600i64, 1i64, 1i64);
        while secs <= end {
            let s = secs + (secs / 86_400).rem_euclid(86_400);
            let t = from_epoch(s);
            assert_eq!((t.year, i64::from(t.month), i64::from(t.day)), expect);
            let back = to_epoch(t.year, t.month.into(), t.day.into(), t.hour.into(), t.minute.into(), t.second.into());
            assert_eq!(back, Some(s));
            expect = if expect.2 < days_in_month(expect.0, expect.1) {
                (expect.0, expect.1, expect.2 + 1)
            } else if expect.1 < 12 {
                (expect.0, expect.1 + 1, 1)
            } else {
                (expect.0 + 1, 1, 1)
            };
            secs += 86_400;
        }
    }

    #[test]
    fn negative_and_out_of_range() {
        // Before year 1: astronomical numbering, at least four digits.
        assert_eq!(iso_datetime(to_epoch(0, 1, 1, 0, 0, 0).unwrap()), "0000-01-01T00:00:00");
        assert_eq!(iso_datetime(to_epoch(-1, 12, 31, 23, 59, 59).unwrap()), "-0001-12-31T23:59:59");
        assert_eq!(iso_datetime(to_epoch(10_000, 1, 1, 0, 0, 0).unwrap()), "10000-01-01T00:00:00");
        // Every i64 has a date, and the extremes do not overflow.
        assert_eq!(from_epoch(i64::MAX).second, 7);
        assert_eq!(from_epoch(i64::MIN).second, 52);
        let max = from_epoch(i64::MAX);
        let to = |t: DateTime| {
            to_epoch(t.year, t.month.into(), t.day.into(), t.hour.into(), t.minute.into(), t.second.into())
        };
        assert_eq!(to(max), Some(i64::MAX));
        assert_eq!(to(from_epoch(i64::MIN)), Some(i64::MIN));
        assert_eq!(to_epoch(max.year, i64::from(max.month), i64::from(max.day) + 1, 0, 0, 0), None);
        assert_eq!(to_epoch(i64::MAX, 12, 31, 0, 0, 0), None);
        assert_eq!(to_epoch(i64::MIN, 1, 1, 0, 0, 0), None);
        // Fields out of range.
        for (m, d, h, mi, s) in [(0, 1, 0, 0, 0), (13, 1, 0, 0, 0), (4, 31, 0, 0, 0), (1, 0, 0, 0, 0)] {
            assert_eq!(to_epoch(2020, m, d, h, mi, s), None, "{m} {d}");
        }
        for (h, mi, s) in [(24, 0, 0), (0, 60, 0), (0, 0, 61), (-1, 0, 0), (0, -1, 0), (0, 0, -1)] {
            assert_eq!(to_epoch(2020, 1, 1, h, mi, s), None, "{h}:{mi}:{s}");
        }
        // A leap second is the next minute's first.
        assert_eq!(to_epoch(2016, 12, 31, 23, 59, 60), to_epoch(2017, 1, 1, 0, 0, 0));
    }
}
