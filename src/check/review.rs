//! Staleness (DESIGN §2, §3): each item's state as of a date, from the
//! snapshot and the review record. Pure: no git, no files.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::{Approval, Config, Id, MappedSource, Period, Snapshot, sources_by_key};
use crate::model::{FileTimes, Outcome, Record, Review};

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
    pub unauthorized: Vec<Unauthorized>,
}

/// Email addresses (lowercase) of an owner: a person, or a team's members.
fn owner_emails(config: &Config, owner: &str) -> BTreeSet<String> {
    config
        .people_of(owner)
        .into_iter()
        .map(|p| p.email.trim().to_lowercase())
        .filter(|e| !e.is_empty())
        .collect()
}

fn date_of(secs: i64) -> NaiveDate {
    DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .date_naive()
}

struct Reviewable<'a> {
    key: String,
    kind: &'static str,
    file: String,
    owner: &'a Id,
    cadence: Period,
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

/// Assesses every item of `s` as of `today`.
pub fn assess(s: &Snapshot, record: &Record, today: NaiveDate) -> Assessment {
    let mut out = Assessment::default();
    let Some(config) = s.config.as_ref().map(|c| &c.value) else {
        return out;
    };
    let defaults = &config.defaults;
    let due_soon = |due: NaiveDate| today >= due_soon_start(due, defaults.due_soon);

    let mut by_item: HashMap<&str, Vec<&Review>> = HashMap::new();
    for r in &record.reviews {
        if r.landed.date_naive() <= today {
            by_item.entry(&*r.item).or_default().push(r);
        }
    }

    let mut reviewables = Vec::new();
    for (id, c) in &s.controls {
        reviewables.push(Reviewable {
            key: format!("control:{id}"),
            kind: "control",
            file: c.path.clone(),
            owner: &c.value.owner,
            cadence: c.value.cadence.unwrap_or(defaults.cadence),
        });
    }
    for (id, v) in s.services.iter().filter(|(_, v)| v.value.in_scope) {
        reviewables.push(Reviewable {
            key: format!("service:{id}"),
            kind: "service",
            file: v.path.clone(),
            owner: &v.value.owner,
            cadence: defaults.cadence,
        });
    }
    for ((svc, ctl), a) in &s.allocations {
        let control_cadence = s.controls.get(ctl).and_then(|c| c.value.cadence);
        reviewables.push(Reviewable {
            key: format!("allocation:{svc}/{ctl}"),
            kind: "allocation",
            file: a.path.clone(),
            owner: &a.value.owner,
            cadence: a
                .value
                .cadence
                .or(control_cadence)
                .unwrap_or(defaults.cadence),
        });
    }

    let aliases = sources_by_key(&s.migrations);
    for item in reviewables {
        let emails = owner_emails(config, item.owner.as_str());
        // The latest counting review, found before any is turned into text.
        let mut best: Option<&Review> = None;
        for r in by_item.get(item.key.as_str()).into_iter().flatten() {
            if config.review.approval == Approval::Author
                && !emails.contains(&r.email.to_lowercase())
            {
                out.unauthorized.push(Unauthorized {
                    item: item.key.clone(),
                    commit: r.commit.to_string(),
                    author: r.author.to_string(),
                    email: r.email.to_string(),
                    owner: item.owner.to_string(),
                });
                continue;
            }
            if best.is_none_or(|b| rank(r) >= rank(b)) {
                best = Some(r);
            }
        }
        let mut counting: Vec<LastReview> = best.map(last_review).into_iter().collect();
        let times: Option<&FileTimes> = record.files.get(&item.file);
        let migrated = aliases.get(item.key.as_str());
        if config.review.count_changes {
            // A migrated item's file was written by the migration: that
            // write is not a review, a later change is.
            if let Some(t) = times
                .filter(|t| date_of(t.changed) <= today)
                .filter(|t| migrated.is_none() || t.changed > t.added)
            {
                counting.push(LastReview {
                    landed: date_of(t.changed),
                    author: "(file change)".into(),
                    commit: None,
                    outcome: Outcome::Effective,
                    pull_request: None,
                });
            }
        }
        // The latest counting review decides; on the same day an effective one wins.
        let own = latest(counting);
        let standing = match migrated {
            // Made by a migration: as fresh as the stalest of its sources,
            // until a review of its own follows.
            Some(sources) => {
                let inherited = inherit(sources, &aliases, &by_item, &emails, config, today, 0);
                match own {
                    Some(r) if r.landed >= inherited.base => Standing {
                        base: r.landed,
                        last: Some(r),
                    },
                    _ => inherited,
                }
            }
            None => Standing {
                // Never reviewed: due one cadence after the file was added (or now, if not yet landed).
                base: own.as_ref().map_or_else(
                    || times.map(|t| date_of(t.added)).unwrap_or(today),
                    |r| r.landed,
                ),
                last: own,
            },
        };
        let (base, last) = (standing.base, standing.last);
        let due = item.cadence.after(base);
        let (state, detail) = match &last {
            Some(r) if r.outcome == Outcome::NeedsChange => (
                State::NeedsChange,
                "needs change; an effective review closes it".to_owned(),
            ),
            _ if today > due => (
                State::Overdue,
                match &last {
                    Some(_) => format!("was due {due} (every {})", item.cadence),
                    None if migrated.is_some() => format!(
                        "an item it was migrated from was never reviewed; was due {due}, {} after that one was added",
                        item.cadence
                    ),
                    None => format!(
                        "never reviewed; was due {due}, {} after it was added",
                        item.cadence
                    ),
                },
            ),
            _ if due_soon(due) => (State::Due, format!("due {due}")),
            _ => (State::Ok, format!("next review due {due}")),
        };
        out.items.push(ItemStatus {
            item: item.key,
            kind: item.kind.into(),
            file: item.file,
            owner: item.owner.to_string(),
            state,
            due: Some(due),
            cadence: Some(item.cadence.to_string()),
            last_review: last,
            detail,
        });
    }

    for (id, e) in &s.evidence {
        let ev = &e.value;
        // Not yet collected on the as-of date: not part of the record then.
        if ev.collected.0 > today {
            continue;
        }
        let expires = expiry(ev);
        let (state, detail) = match expires {
            Some(x) if today > x => (State::Expired, format!("expired {x}")),
            Some(x) if due_soon(x) => (State::Due, format!("expires {x}")),
            Some(x) => (State::Ok, format!("valid until {x}")),
            None => (State::Ok, "does not expire".into()),
        };
        out.items.push(ItemStatus {
            item: format!("evidence:{id}"),
            kind: "evidence".into(),
            file: e.path.clone(),
            owner: ev.collected_by.to_string(),
            state,
            due: expires,
            cadence: None,
            last_review: None,
            detail,
        });
    }

    // Controls whose required evidence has no current item of its kind.
    for (id, c) in s.controls.iter().filter(|(_, c)| c.value.is_applicable()) {
        for req in &c.value.evidence_required {
            let current = s.evidence.values().any(|e| {
                let ev = &e.value;
                let expires = expiry(ev);
                ev.kind == req.kind
                    && ev.controls.contains(id)
                    && ev.collected.0 <= today
                    && expires.is_none_or(|x| today <= x)
                    && today <= req.every.after(ev.collected.0)
            });
            if !current {
                out.items.push(ItemStatus {
                    item: format!("control:{id}"),
                    kind: "control".into(),
                    file: c.path.clone(),
                    owner: c.value.owner.to_string(),
                    state: State::MissingEvidence,
                    due: None,
                    cadence: Some(req.every.to_string()),
                    last_review: None,
                    detail: format!(
                        "no current `{}` evidence (needed every {})",
                        req.kind, req.every
                    ),
                });
            }
        }
    }

    for (id, f) in &s.findings {
        use crate::model::FindingStatus;
        let v = &f.value;
        // Not yet raised on the as-of date.
        if v.raised.0 > today {
            continue;
        }
        let open = !matches!(v.status, FindingStatus::Closed | FindingStatus::Accepted);
        let (state, detail) = match v.due.map(|d| d.0) {
            Some(d) if open && today > d => {
                (State::Overdue, format!("corrective action was due {d}"))
            }
            Some(d) if open && due_soon(d) => (State::Due, format!("corrective action due {d}")),
            Some(d) if open => (State::Ok, format!("corrective action due {d}")),
            _ if open => (State::Ok, "open, no due date".into()),
            _ => (State::Ok, "closed".into()),
        };
        out.items.push(ItemStatus {
            item: format!("finding:{id}"),
            kind: "finding".into(),
            file: f.path.clone(),
            owner: v.owner.to_string(),
            state,
            due: v.due.map(|d| d.0),
            cadence: None,
            last_review: None,
            detail,
        });
    }
    out
}

/// What an item's state rests on: the day its cadence counts from, and the
/// review (if any) that set it.
struct Standing {
    base: NaiveDate,
    last: Option<LastReview>,
}

fn last_review(r: &Review) -> LastReview {
    LastReview {
        landed: r.landed.date_naive(),
        author: r.author.to_string(),
        commit: Some(r.commit.to_string()),
        outcome: r.outcome,
        pull_request: r.pull_request,
    }
}

/// How [`latest`] ranks a review: by the day it landed, then effective
/// over needs-change.
fn rank(r: &Review) -> (NaiveDate, bool) {
    (r.landed.date_naive(), r.outcome == Outcome::Effective)
}

/// The latest of `reviews`; on the same day an effective one wins.
fn latest(reviews: Vec<LastReview>) -> Option<LastReview> {
    reviews
        .into_iter()
        .max_by_key(|r| (r.landed, r.outcome == Outcome::Effective))
}

/// The standing a migrated item inherits from the items it was made from:
/// that of the stalest source (a merged item is only as fresh as its
/// stalest part), or of a source whose last review asked for a change.
fn inherit(
    sources: &[&MappedSource],
    aliases: &HashMap<&str, Vec<&MappedSource>>,
    by_item: &HashMap<&str, Vec<&Review>>,
    emails: &BTreeSet<String>,
    config: &Config,
    today: NaiveDate,
    depth: usize,
) -> Standing {
    let standings = sources.iter().map(|src| {
        let own = latest(
            by_item
                .get(src.key.as_str())
                .into_iter()
                .flatten()
                .filter(|r| {
                    config.review.approval != Approval::Author
                        || emails.contains(&r.email.to_lowercase())
                })
                .map(|r| last_review(r))
                .collect(),
        );
        // Maps chain across editions; a bound keeps a hand-made cycle finite.
        let earlier = aliases
            .get(src.key.as_str())
            .filter(|_| depth < 8)
            .map(|s| inherit(s, aliases, by_item, emails, config, today, depth + 1));
        match (own, earlier) {
            (Some(r), Some(e)) if r.landed < e.base => e,
            (Some(r), _) => Standing {
                base: r.landed,
                last: Some(r),
            },
            (None, Some(e)) => e,
            (None, None) => Standing {
                base: src.added.map_or(today, |d| d.0),
                last: None,
            },
        }
    });
    let all: Vec<Standing> = standings.collect();
    let flagged = all.iter().position(|s| {
        s.last
            .as_ref()
            .is_some_and(|r| r.outcome == Outcome::NeedsChange)
    });
    let stalest = all
        .iter()
        .enumerate()
        .min_by_key(|(_, s)| s.base)
        .map(|(i, _)| i);
    match flagged.or(stalest) {
        Some(i) => all.into_iter().nth(i).expect("index from the same list"),
        None => Standing {
            base: today,
            last: None,
        },
    }
}

/// When evidence stops being valid: `expires`, or `collected + valid_for`.
fn expiry(ev: &crate::model::Evidence) -> Option<NaiveDate> {
    ev.expires
        .map(|d| d.0)
        .or_else(|| ev.valid_for.map(|p| p.after(ev.collected.0)))
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
