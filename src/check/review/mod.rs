//! Staleness (DESIGN §2, §3): each item's state as of a date, from the
//! snapshot and the review record. Pure: no git, no files.
//!
//! One part per kind of rule: [`reviews`] (cadences, inheritance, who may
//! review, needs-change, file changes, migrated items), [`evidence`]
//! (expiry, and controls missing the evidence they require) and
//! [`findings`] (corrective actions past due).

mod evidence;
mod findings;
mod reviews;
#[cfg(test)]
mod tests;

pub use reviews::{counted_change, not_counted};

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{Outcome, Period, Record, Snapshot};

/// The state of one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Ok,
    Due,
    Overdue,
    NeedsChange,
    Expired,
    MissingEvidence,
}

impl State {
    /// States that need action now (`isms stale` exits 1).
    pub fn is_flagged(self) -> bool {
        !matches!(self, State::Ok | State::Due)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Due => "due",
            State::Overdue => "overdue",
            State::NeedsChange => "needs-change",
            State::Expired => "expired",
            State::MissingEvidence => "missing-evidence",
        }
    }
}

/// The review that an item's state rests on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastReview {
    pub landed: NaiveDate,
    pub author: String,
    /// The reviewing commit; `None` when a file change counted (`count_changes`).
    pub commit: Option<String>,
    pub outcome: Outcome,
    pub pull_request: Option<u64>,
}

impl LastReview {
    /// `2026-11-26 by Alice Ng in 6a347d731d (#15)`, as `stale` tells it.
    pub fn words(&self) -> String {
        let commit = (self.commit.as_deref())
            .map(|c| format!(" in {}", &c[..c.len().min(10)]))
            .unwrap_or_default();
        let pr = (self.pull_request)
            .map(|n| format!(" (#{n})"))
            .unwrap_or_default();
        format!("{} by {}{commit}{pr}", self.landed, self.author)
    }
}

/// One item's state as of the assessment date.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ItemStatus {
    pub item: String,
    pub kind: Cow<'static, str>,
    pub file: String,
    pub owner: String,
    pub state: State,
    /// When the next review is due, evidence expires or a finding is due.
    pub due: Option<NaiveDate>,
    pub cadence: Option<String>,
    pub last_review: Option<LastReview>,
    /// What the state means for this item, in words.
    pub detail: String,
}

impl ItemStatus {
    /// Whether a review settles this state: a control, service or
    /// allocation that is overdue, or whose last review asked for a change
    /// (an effective review closes it). Evidence that expired or is missing
    /// needs collecting, and an overdue finding its corrective action: a
    /// review records neither.
    pub fn settled_by_review(&self) -> bool {
        matches!(self.state, State::Overdue | State::NeedsChange)
            && !matches!(&*self.kind, "evidence" | "finding")
    }

    /// Whether a review settles this state, or one due soon.
    pub fn answered_by_review(&self) -> bool {
        self.settled_by_review()
            || (self.state == State::Due && !matches!(&*self.kind, "evidence" | "finding"))
    }
}

/// Every state, in the order reports list them.
pub const STATES: [State; 6] = [
    State::Ok,
    State::Due,
    State::Overdue,
    State::NeedsChange,
    State::Expired,
    State::MissingEvidence,
];

/// Each kind of item with its plural, as reports label them.
pub const KIND_LABELS: [(&str, &str); 5] = [
    ("control", "controls"),
    ("service", "services"),
    ("allocation", "allocations"),
    ("evidence", "evidence"),
    ("finding", "findings"),
];

/// The kinds of item, as `ItemStatus::kind` names them.
pub const KINDS: [&str; 5] = ["control", "service", "allocation", "evidence", "finding"];

/// A review that does not count because its author does not own the item
/// (`approval = "author"`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Unauthorized {
    pub item: String,
    pub commit: String,
    pub author: String,
    pub email: String,
    pub owner: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Assessment {
    pub items: Vec<ItemStatus>,
    /// The reviews that do not count, each commit's review of an item once.
    pub unauthorized: Vec<Unauthorized>,
}

/// Each item once, at its most urgent state: an item can be both overdue
/// and missing evidence, and counts once, as the latter. (The states that
/// need action rank above those that do not.)
pub fn most_urgent<'a>(
    items: impl IntoIterator<Item = &'a ItemStatus>,
) -> std::collections::BTreeMap<&'a str, &'a ItemStatus> {
    let mut worst: std::collections::BTreeMap<&str, &ItemStatus> = Default::default();
    for i in items {
        let entry = worst.entry(i.item.as_str()).or_insert(i);
        if i.state > entry.state {
            *entry = i;
        }
    }
    worst
}

/// Assesses every item of `s` as of `today`: reviews, then evidence
/// expiry, then missing evidence, then findings.
pub fn assess(s: &Snapshot, record: &Record, today: NaiveDate) -> Assessment {
    let mut out = Assessment::default();
    let Some(config) = s.config.as_ref().map(|c| &c.value) else {
        return out;
    };
    let on = Day {
        today,
        due_soon: config.defaults.due_soon,
    };
    reviews::assess(s, config, record, on, &mut out);
    out.items.extend(evidence::expiry(s, on));
    out.items.extend(evidence::missing(s, on));
    out.items.extend(findings::assess(s, on));
    out
}

/// What needs action in `s` as of `today` that no review settles: expired
/// evidence, controls missing evidence, overdue findings. These states do
/// not depend on the review record.
pub fn not_settled_by_review(s: &Snapshot, today: NaiveDate) -> Vec<ItemStatus> {
    let Some(config) = s.config.as_ref().map(|c| &c.value) else {
        return Vec::new();
    };
    let on = Day {
        today,
        due_soon: config.defaults.due_soon,
    };
    let mut out = evidence::expiry(s, on);
    out.extend(evidence::missing(s, on));
    out.extend(findings::assess(s, on));
    out.retain(|i| i.state.is_flagged() && !i.settled_by_review());
    out
}

/// The day items are judged on, and how far ahead of a due date an item
/// counts as due.
#[derive(Clone, Copy, Debug)]
pub struct Day {
    pub today: NaiveDate,
    pub due_soon: Period,
}

impl Day {
    /// Whether something due on `due` is due soon (or past due).
    pub fn is_due_soon(self, due: NaiveDate) -> bool {
        self.today >= due_soon_start(due, self.due_soon)
    }
}

/// The first day an item due on `due` counts as due soon.
fn due_soon_start(due: NaiveDate, window: Period) -> NaiveDate {
    // Subtracting a period: step back by the same calendar amount.
    let back = match window {
        Period::Days(n) => due.checked_sub_days(chrono::Days::new(n.into())),
        Period::Weeks(n) => due.checked_sub_days(chrono::Days::new(u64::from(n) * 7)),
        Period::Months(n) => due.checked_sub_months(chrono::Months::new(n)),
        Period::Years(n) => due.checked_sub_months(chrono::Months::new(n.saturating_mul(12))),
    };
    back.unwrap_or(NaiveDate::MIN)
}
