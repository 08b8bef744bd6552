//! Review states (DESIGN §2, §3) of controls, in-scope services and
//! allocations: the latest counting review, or the file change that counts
//! as one, against the item's cadence.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate};

use super::{Assessment, Day, ItemStatus, LastReview, State, Unauthorized};
use crate::model::{Approval, Config, FileTimes, Id, MappedSource, Outcome, Period, Record};
use crate::model::{ItemKey, Review, Snapshot, sources_by_key};

struct Reviewable<'a> {
    key: String,
    kind: &'static str,
    file: String,
    owner: &'a Id,
    cadence: Period,
}

/// Every reviewable item of `s`, with its owner and cadence: a control's
/// own or `defaults.cadence`; an allocation's own, or its control's, or the
/// default. An out-of-scope service and its allocations are not reviewable.
fn reviewables<'a>(s: &'a Snapshot, defaults: &crate::model::Defaults) -> Vec<Reviewable<'a>> {
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
    let reviewed = (s.allocations.iter()).filter(|((svc, _), _)| s.reviews_allocations_of(svc));
    for ((svc, ctl), a) in reviewed {
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
    reviewables
}

/// The review state of every reviewable item, and the reviews that do
/// not count because their author does not own the item.
pub(super) fn assess(
    s: &Snapshot,
    config: &Config,
    record: &Record,
    on: Day,
    out: &mut Assessment,
) {
    let today = on.today;
    let defaults = &config.defaults;
    let mut by_item: HashMap<&str, Vec<&Review>> = HashMap::new();
    for r in &record.reviews {
        if r.landed.date_naive() <= today {
            by_item.entry(&*r.item).or_default().push(r);
        }
    }

    let aliases = sources_by_key(&s.migrations);
    // The items a rename made, said as such.
    let renamed: BTreeSet<&str> = (s.migrations.iter())
        .filter(|m| m.is_renames())
        .flat_map(|m| m.item.iter().map(|i| i.key.as_str()))
        .collect();
    for item in reviewables(s, defaults) {
        // Whose reviews count matters only when the author must own the item.
        let emails = match config.review.approval {
            Approval::Author => owner_emails(config, item.owner.as_str()),
            Approval::PullRequest => BTreeSet::new(),
        };
        let reviews = by_item
            .get(item.key.as_str())
            .map_or(&[][..], Vec::as_slice);
        let best = latest_counting(&item, reviews, config, &emails, &mut out.unauthorized);
        let times = record.files.get(&item.file);
        let migrated = aliases.get(item.key.as_str());
        let changed = match config.review.count_changes {
            true => file_change(times, migrated.is_some(), today),
            false => None,
        };
        // The latest counting review decides; on the same day an effective one wins.
        let own = latest(best.map(last_review).into_iter().chain(changed).collect());
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
                // Never reviewed: due one cadence after the file was added
                // (or now, if not yet landed).
                base: own.as_ref().map_or_else(
                    || times.map(|t| date_of(t.added)).unwrap_or(today),
                    |r| r.landed,
                ),
                last: own,
            },
        };
        let made = match migrated {
            None => Made::Itself,
            Some(_) if renamed.contains(item.key.as_str()) => Made::Renamed,
            Some(_) => Made::Migrated,
        };
        out.items.push(judge(item, standing, made, on));
    }
}

/// Of `keys`, the items whose review by the author `email` would not count
/// under `approval = "author"`, each with its owner: `email` is not the
/// owner's, nor a member's of the owning team. Only the items whose reviews
/// are judged are looked at (controls, in-scope services, allocations), and
/// none under any other approval.
pub fn not_counted<'k, 's>(
    s: &'s Snapshot,
    keys: &'k [ItemKey],
    email: &str,
) -> Vec<(&'k ItemKey, &'s Id)> {
    let Some(config) = s.config.as_ref().map(|c| &c.value) else {
        return Vec::new();
    };
    if config.review.approval != Approval::Author {
        return Vec::new();
    }
    let email = email.trim().to_lowercase();
    keys.iter()
        .filter(|k| match k {
            ItemKey::Control(_) | ItemKey::Allocation(..) => true,
            ItemKey::Service(id) => s.services.get(id).is_some_and(|v| v.value.in_scope),
            ItemKey::Evidence(_) | ItemKey::Finding(_) => false,
        })
        .filter_map(|k| Some((k, s.owner_of(k)?)))
        .filter(|(_, owner)| !owner_emails(config, owner.as_str()).contains(&email))
        .collect()
}

/// The latest of `reviews` of `item` that counts; with `approval =
/// "author"`, those by someone who does not own the item are added to
/// `unauthorized` instead.
fn latest_counting<'r>(
    item: &Reviewable<'_>,
    reviews: &[&'r Review],
    config: &Config,
    emails: &BTreeSet<String>,
    unauthorized: &mut Vec<Unauthorized>,
) -> Option<&'r Review> {
    let mut best: Option<&Review> = None;
    for &r in reviews {
        if config.review.approval == Approval::Author && !emails.contains(&r.email.to_lowercase()) {
            // A commit that names the item twice is one review of it.
            let commit = r.commit.to_string();
            let listed = (unauthorized.iter().rev())
                .take_while(|u| u.item == item.key)
                .any(|u| u.commit == commit);
            if !listed {
                unauthorized.push(Unauthorized {
                    item: item.key.clone(),
                    commit,
                    author: r.author.to_string(),
                    email: r.email.to_string(),
                    owner: item.owner.to_string(),
                });
            }
            continue;
        }
        // Found before any is turned into text.
        if best.is_none_or(|b| rank(r) >= rank(b)) {
            best = Some(r);
        }
    }
    best
}

/// The day the last change to an item's file landed, when that change
/// counts as its review (`count_changes`): a migrated item's file was
/// written by the migration, and that write is not a review; a later
/// change is.
pub fn counted_change(times: &FileTimes, migrated: bool) -> Option<NaiveDate> {
    (!migrated || times.changed > times.added).then(|| date_of(times.changed))
}

/// The change to an item's file that counts as its review (`count_changes`):
/// its latest, landed by `today`.
fn file_change(times: Option<&FileTimes>, migrated: bool, today: NaiveDate) -> Option<LastReview> {
    let landed = counted_change(times?, migrated).filter(|day| *day <= today)?;
    Some(LastReview {
        landed,
        author: "(file change)".into(),
        commit: None,
        outcome: Outcome::Effective,
        pull_request: None,
    })
}

/// How an item came to be: its own file, or made by `isms migrate` or
/// `isms rename` from items whose reviews it inherits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Made {
    Itself,
    Migrated,
    Renamed,
}

/// An item's state from what it stands on: needs-change until an effective
/// review follows; overdue past one cadence from its base; due within
/// `due_soon` of that; otherwise ok. An item never reviewed says whether
/// it was `made` by a migration or a rename.
fn judge(item: Reviewable<'_>, standing: Standing, made: Made, on: Day) -> ItemStatus {
    let (base, last) = (standing.base, standing.last);
    let due = item.cadence.after(base);
    let (state, detail) = match &last {
        Some(r) if r.outcome == Outcome::NeedsChange => (
            State::NeedsChange,
            "needs change; an effective review closes it".to_owned(),
        ),
        _ if on.today > due => (
            State::Overdue,
            match &last {
                Some(_) => format!("was due {due} (every {})", item.cadence),
                None if made == Made::Migrated => format!(
                    "an item it was migrated from was never reviewed; was due {due}, {} after that one was added",
                    item.cadence
                ),
                None if made == Made::Renamed => format!(
                    "never reviewed, nor under the name it had; was due {due}, {} after it was added",
                    item.cadence
                ),
                None => format!(
                    "never reviewed; was due {due}, {} after it was added",
                    item.cadence
                ),
            },
        ),
        _ if on.is_due_soon(due) => (State::Due, format!("due {due}")),
        _ => (State::Ok, format!("next review due {due}")),
    };
    ItemStatus {
        item: item.key,
        kind: item.kind.into(),
        file: item.file,
        owner: item.owner.to_string(),
        state,
        due: Some(due),
        cadence: Some(item.cadence.to_string()),
        last_review: last,
        detail,
    }
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
