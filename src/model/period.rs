//! Review cadences and periods: `annually`, `quarterly`, `14d`, `6mo`, …

use std::fmt;
use std::str::FromStr;

use chrono::{Days, Months, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A length of time in calendar units, as users write cadences and validity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Days(u32),
    Weeks(u32),
    Months(u32),
    Years(u32),
}

/// The grammar, for schemas and error messages.
pub const PERIOD_PATTERN: &str =
    "^(daily|weekly|monthly|quarterly|semiannually|annually|[1-9][0-9]*(d|w|mo|y))$";

const EXPECTED: &str = "expected daily, weekly, monthly, quarterly, semiannually, annually, or a number with d, w, mo or y (like `14d`, `6mo`)";

impl Period {
    /// The date one period after `date`; months and years are calendar
    /// months and years (Jan 31 + 1mo = Feb 28/29).
    pub fn after(self, date: NaiveDate) -> NaiveDate {
        let added = match self {
            Period::Days(n) => date.checked_add_days(Days::new(n.into())),
            Period::Weeks(n) => date.checked_add_days(Days::new(u64::from(n) * 7)),
            Period::Months(n) => date.checked_add_months(Months::new(n)),
            Period::Years(n) => date.checked_add_months(Months::new(n.saturating_mul(12))),
        };
        added.unwrap_or(NaiveDate::MAX)
    }
}

impl FromStr for Period {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let named = match s {
            "daily" => Some(Period::Days(1)),
            "weekly" => Some(Period::Weeks(1)),
            "monthly" => Some(Period::Months(1)),
            "quarterly" => Some(Period::Months(3)),
            "semiannually" => Some(Period::Months(6)),
            "annually" => Some(Period::Years(1)),
            _ => None,
        };
        if let Some(p) = named {
            return Ok(p);
        }
        // On the error path only: what it may have meant.
        let invalid = || match spelled_out(s) {
            Some(meant) => format!(
                "invalid period `{s}`: {EXPECTED}; {}",
                crate::diagnostic::meant(meant)
            ),
            None => format!("invalid period `{s}`: {EXPECTED}"),
        };
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        let (num, unit) = s.split_at(digits);
        // A thousand years in each unit: past it, no date of the record
        // could be due or expire.
        let longest = match unit {
            "d" => Some(365_250),
            "w" => Some(52_178),
            "mo" => Some(12_000),
            "y" => Some(1_000),
            _ => None,
        };
        let too_long = |longest: u32| {
            format!(
                "invalid period `{s}`: longer than 1000 years; a period is at most {longest}{unit}"
            )
        };
        let n: u32 = match (num.parse::<u32>(), longest) {
            (Ok(n), Some(longest)) if n > longest && !num.starts_with('0') => {
                return Err(too_long(longest));
            }
            (Ok(n), _) if n > 0 && !num.starts_with('0') => n,
            (Err(e), Some(longest)) if *e.kind() == std::num::IntErrorKind::PosOverflow => {
                return Err(too_long(longest));
            }
            _ => return Err(invalid()),
        };
        match unit {
            "d" => Ok(Period::Days(n)),
            "w" => Ok(Period::Weeks(n)),
            "mo" => Ok(Period::Months(n)),
            "y" => Ok(Period::Years(n)),
            "m" => Err(format!(
                "invalid period `{s}`: `m` is ambiguous; write `{n}mo` for months"
            )),
            _ => Err(invalid()),
        }
    }
}

/// The period `s` spells out in another way (`3 months`, `1 Year`,
/// `Quarterly`, `yearly`), as it is written; `None` when `s` is not one.
fn spelled_out(s: &str) -> Option<String> {
    let lower = s.trim().to_ascii_lowercase();
    let named = match lower.as_str() {
        "yearly" | "annual" => "annually",
        "semi-annually" | "biannually" | "half-yearly" => "semiannually",
        "every day" => "daily",
        "every week" => "weekly",
        "every month" => "monthly",
        "every year" => "annually",
        other => other,
    };
    if named != s && named.parse::<Period>().is_ok() {
        return Some(named.to_owned());
    }
    let digits = lower.bytes().take_while(u8::is_ascii_digit).count();
    let (num, unit) = lower.split_at(digits);
    let n: u32 = num.parse().ok().filter(|n| *n > 0)?;
    let unit = match unit.trim() {
        "d" | "day" | "days" => "d",
        "w" | "wk" | "wks" | "week" | "weeks" => "w",
        "mo" | "mos" | "mon" | "mth" | "mths" | "month" | "months" => "mo",
        "y" | "yr" | "yrs" | "year" | "years" => "y",
        _ => return None,
    };
    let meant = format!("{n}{unit}");
    (meant != s).then_some(meant)
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Days(n) => write!(f, "{n}d"),
            Period::Weeks(n) => write!(f, "{n}w"),
            Period::Months(n) => write!(f, "{n}mo"),
            Period::Years(n) => write!(f, "{n}y"),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Period {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Period".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": PERIOD_PATTERN,
            "description": "daily, weekly, monthly, quarterly, semiannually, annually, or <N>d, <N>w, <N>mo, <N>y (calendar months and years)."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn parses_named_and_numeric_periods() {
        assert_eq!("annually".parse(), Ok(Period::Years(1)));
        assert_eq!("quarterly".parse(), Ok(Period::Months(3)));
        assert_eq!("14d".parse(), Ok(Period::Days(14)));
        assert_eq!("2w".parse(), Ok(Period::Weeks(2)));
        assert_eq!("6mo".parse(), Ok(Period::Months(6)));
        assert_eq!("3y".parse(), Ok(Period::Years(3)));
    }

    #[test]
    fn rejects_bad_periods_with_the_grammar() {
        for bad in ["", "0d", "07d", "d", "12", "1 d", "yearly", "-1d"] {
            let err = bad.parse::<Period>().unwrap_err();
            assert!(err.contains("expected daily"), "{bad:?}: {err}");
        }
        assert!("6m".parse::<Period>().unwrap_err().contains("write `6mo`"));
        for (long, said) in [
            ("99999999999d", "at most 365250d"),
            ("365251d", "at most 365250d"),
            ("52179w", "at most 52178w"),
            ("12001mo", "at most 12000mo"),
            ("1001y", "at most 1000y"),
        ] {
            let err = long.parse::<Period>().unwrap_err();
            assert_eq!(
                err,
                format!("invalid period `{long}`: longer than 1000 years; a period is {said}")
            );
        }
        for longest in ["365250d", "52178w", "12000mo", "1000y"] {
            let p: Period = longest.parse().unwrap();
            assert!(
                p.after(NaiveDate::from_ymd_opt(2026, 12, 7).unwrap())
                    .year()
                    <= 3026
            );
        }
        let err = "99999999999".parse::<Period>().unwrap_err();
        assert!(err.contains("expected daily"), "{err}");
    }

    #[test]
    fn a_period_spelled_out_is_named_as_it_is_written() {
        for (spelled, meant) in [
            ("3 months", "3mo"),
            ("1 Year", "1y"),
            ("2 weeks", "2w"),
            ("90days", "90d"),
            ("1 d", "1d"),
            ("6 mos", "6mo"),
            ("Quarterly", "quarterly"),
            ("yearly", "annually"),
            ("semi-annually", "semiannually"),
        ] {
            let err = spelled.parse::<Period>().unwrap_err();
            assert!(
                err.ends_with(&format!("; did you mean `{meant}`?")),
                "{spelled:?}: {err}"
            );
            assert!(meant.parse::<Period>().is_ok());
        }
        for nothing in ["3 fortnights", "0 days", "months", ""] {
            let err = nothing.parse::<Period>().unwrap_err();
            assert!(!err.contains("did you mean"), "{nothing:?}: {err}");
        }
    }

    #[test]
    fn months_are_calendar_months() {
        assert_eq!(Period::Months(1).after(d("2026-01-31")), d("2026-02-28"));
        assert_eq!(Period::Years(1).after(d("2024-02-29")), d("2025-02-28"));
        assert_eq!(Period::Weeks(2).after(d("2026-12-25")), d("2027-01-08"));
    }
}
