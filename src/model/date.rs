//! Dates as users write them: TOML local dates (`2026-10-31`, no quotes).

use std::fmt;

use chrono::{Datelike, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date written as a TOML local date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// In text formats a date is `2026-10-31`; in isms's own binary caches it is
/// its day number, so that they read back without a self-describing format.
impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(&self.0)
        } else {
            s.serialize_i32(self.0.num_days_from_ce())
        }
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        if !d.is_human_readable() {
            let days = i32::deserialize(d)?;
            return NaiveDate::from_num_days_from_ce_opt(days)
                .map(Date)
                .ok_or_else(|| D::Error::custom(format!("day {days} is not a date")));
        }
        match toml::Value::deserialize(d)? {
            toml::Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(date), None, None) => {
                    NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())
                        .map(Date)
                        .ok_or_else(|| D::Error::custom(format!("`{dt}` is not a valid date")))
                }
                _ => Err(D::Error::custom(format!(
                    "expected a date like 2026-10-31, found the date-time `{dt}`"
                ))),
            },
            toml::Value::String(s) => Err(D::Error::custom(format!(
                "expected a date without quotes, like 2026-10-31, found the string \"{s}\""
            ))),
            other => Err(D::Error::custom(format!(
                "expected a date like 2026-10-31, found {}",
                other.type_str()
            ))),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date",
            "description": "A TOML local date, like 2026-10-31 (without quotes)."
        })
    }
}
