//! Every rule of DESIGN §2–3 on in-memory models: a snapshot built from
//! TOML strings and a review record built by hand.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::*;
use crate::model::{
    Allocation, CommitId, Config, Control, Doc, Evidence, FileKind, FileTimes, Finding, ItemKey,
    Outcome, Record, Review, Service,
};
use crate::testing::{doc, id};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A repository with `settings` appended to its `isms.toml`: alice owns
/// control C.1 (cadence `cadence`, if any) and service api's allocation of
/// it; the platform team (alice, bob) owns the service.
fn snapshot(settings: &str, cadence: Option<&str>) -> Snapshot {
    let config = format!(
        r#"
[organization]
name = "Example"
role = "provider"
[defaults]
cadence = "annually"
due_soon = "14d"
branch = "main"
{settings}
[people.alice]
name = "Alice"
email = "alice@example.com"
[people.bob]
name = "Bob"
email = "Bob@Example.com"
[teams.platform]
members = ["alice", "bob"]
"#
    );
    let mut s = Snapshot {
        config: Some(doc(FileKind::Config, "isms.toml", &config)),
        ..Snapshot::default()
    };
    let cadence = cadence.map_or(String::new(), |c| format!("cadence = \"{c}\"\n"));
    s.controls.insert(
        id("C.1"),
        doc::<Control>(
            FileKind::Control,
            "controls/C.1.toml",
            &format!(
                "id = \"C.1\"\ntitle = \"T\"\nframework = \"F\"\nowner = \"alice\"\nmatrix = true\n{cadence}"
            ),
        ),
    );
    s.services.insert(
        id("api"),
        doc::<Service>(
            FileKind::Service,
            "services/api.toml",
            "id = \"api\"\nname = \"API\"\nrole = \"provider\"\nmodel = \"saas\"\nprovider = \"Us\"\nowner = \"platform\"\n",
        ),
    );
    s.allocations.insert(
        (id("api"), id("C.1")),
        doc::<Allocation>(
            FileKind::Allocation,
            "responsibilities/api/C.1.toml",
            "service = \"api\"\ncontrol = \"C.1\"\nparty = \"provider\"\nprovider = \"P\"\nowner = \"alice\"\n",
        ),
    );
    s
}

fn at(date: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(&format!("{date}T12:00:00+00:00")).unwrap()
}

fn review(item: &str, date: &str, outcome: Outcome, email: &str) -> Review {
    Review {
        item: Arc::from(item),
        outcome,
        note: None,
        commit: CommitId::from_bytes([7; 20]),
        author: Arc::from("Someone"),
        email: Arc::from(email),
        landed: at(date),
        landed_by: CommitId::from_bytes([8; 20]),
        pull_request: None,
    }
}

fn effective(item: &str, date: &str) -> Review {
    review(item, date, Outcome::Effective, "alice@example.com")
}

/// Every file added on `date`, so that a never-reviewed item is due one
/// cadence after it.
fn record(s: &Snapshot, added: &str, reviews: Vec<Review>) -> Record {
    let secs = at(added).timestamp();
    let paths = s
        .controls
        .values()
        .map(|d| d.path.clone())
        .chain(s.services.values().map(|d| d.path.clone()))
        .chain(s.allocations.values().map(|d| d.path.clone()));
    Record {
        reviews,
        files: paths
            .map(|p| {
                (
                    p,
                    FileTimes {
                        added: secs,
                        changed: secs,
                    },
                )
            })
            .collect(),
        ..Record::default()
    }
}

/// The state, due date and detail of `item` (its first entry).
fn state_of(a: &Assessment, item: &str) -> (State, Option<NaiveDate>, String) {
    let i = a
        .items
        .iter()
        .find(|i| i.item == item)
        .unwrap_or_else(|| panic!("{item} not assessed: {:?}", a.items));
    (i.state, i.due, i.detail.clone())
}

#[test]
fn a_never_reviewed_item_is_due_one_cadence_after_it_was_added() {
    let s = snapshot("", Some("quarterly"));
    let r = record(&s, "2026-01-10", vec![]);
    let a = assess(&s, &r, day("2026-04-11"));
    let (state, due, detail) = state_of(&a, "control:C.1");
    assert_eq!((state, due), (State::Overdue, Some(day("2026-04-10"))));
    assert!(detail.starts_with("never reviewed"), "{detail}");
    // The day it falls due it is due, not overdue: a review answers it
    // without settling anything.
    let a = assess(&s, &r, day("2026-04-10"));
    assert_eq!(state_of(&a, "control:C.1").0, State::Due);
    let due = a.items.iter().find(|i| i.item == "control:C.1").unwrap();
    assert!(due.answered_by_review() && !due.settled_by_review());
}

#[test]
fn monthly_cadences_are_calendar_months() {
    let s = snapshot("", Some("monthly"));
    // A month after 31 January is the last day of February.
    let r = record(
        &s,
        "2025-12-01",
        vec![effective("control:C.1", "2026-01-31")],
    );
    let a = assess(&s, &r, day("2026-02-28"));
    assert_eq!(state_of(&a, "control:C.1").1, Some(day("2026-02-28")));
    assert_eq!(state_of(&a, "control:C.1").0, State::Due);
    let a = assess(&s, &r, day("2026-03-01"));
    assert_eq!(state_of(&a, "control:C.1").0, State::Overdue);
    // `6mo` from 31 August is 28 February, not a 182-day count.
    let s = snapshot("", Some("6mo"));
    let r = record(
        &s,
        "2025-01-01",
        vec![effective("control:C.1", "2025-08-31")],
    );
    let a = assess(&s, &r, day("2025-09-01"));
    assert_eq!(state_of(&a, "control:C.1").1, Some(day("2026-02-28")));
}

#[test]
fn allocations_inherit_the_controls_cadence_and_controls_the_default() {
    let s = snapshot("", Some("weekly"));
    let r = record(&s, "2026-03-01", vec![]);
    let a = assess(&s, &r, day("2026-03-02"));
    assert_eq!(
        state_of(&a, "allocation:api/C.1").1,
        Some(day("2026-03-08"))
    );
    // Services, and controls without a cadence, take defaults.cadence.
    assert_eq!(state_of(&a, "service:api").1, Some(day("2027-03-01")));
    let s = snapshot("", None);
    let a = assess(&s, &record(&s, "2026-03-01", vec![]), day("2026-03-02"));
    assert_eq!(state_of(&a, "control:C.1").1, Some(day("2027-03-01")));
    assert_eq!(
        state_of(&a, "allocation:api/C.1").1,
        Some(day("2027-03-01"))
    );
    // An allocation's own cadence wins over its control's.
    let mut s = snapshot("", Some("weekly"));
    s.allocations
        .get_mut(&(id("api"), id("C.1")))
        .unwrap()
        .value
        .cadence = Some("2d".parse().unwrap());
    let a = assess(&s, &record(&s, "2026-03-01", vec![]), day("2026-03-02"));
    assert_eq!(
        state_of(&a, "allocation:api/C.1").1,
        Some(day("2026-03-03"))
    );
}

#[test]
fn due_soon_is_the_window_before_the_due_date() {
    let s = snapshot("", Some("30d"));
    let r = record(
        &s,
        "2026-01-01",
        vec![effective("control:C.1", "2026-06-01")],
    );
    // Due 1 July; due_soon is 14 days: due from 17 June.
    assert_eq!(
        state_of(&assess(&s, &r, day("2026-06-16")), "control:C.1").0,
        State::Ok
    );
    assert_eq!(
        state_of(&assess(&s, &r, day("2026-06-17")), "control:C.1").0,
        State::Due
    );
    assert_eq!(
        state_of(&assess(&s, &r, day("2026-07-02")), "control:C.1").0,
        State::Overdue
    );
    // A wider window starts earlier.
    let s = snapshot("", Some("30d")).with_due_soon("1mo");
    let r = record(
        &s,
        "2026-01-01",
        vec![effective("control:C.1", "2026-06-01")],
    );
    assert_eq!(
        state_of(&assess(&s, &r, day("2026-06-01")), "control:C.1").0,
        State::Due
    );
}

#[test]
fn a_due_soon_window_in_weeks_or_years_steps_back_by_the_calendar() {
    let on = |today: &str, window: &str| Day {
        today: day(today),
        due_soon: window.parse().unwrap(),
    };
    // Two weeks before 15 March is 1 March.
    assert!(!on("2026-02-28", "2w").is_due_soon(day("2026-03-15")));
    assert!(on("2026-03-01", "2w").is_due_soon(day("2026-03-15")));
    // A year before 29 February 2028 is 28 February 2027, the last day
    // that February has.
    assert!(!on("2027-02-27", "1y").is_due_soon(day("2028-02-29")));
    assert!(on("2027-02-28", "1y").is_due_soon(day("2028-02-29")));
    // A window reaching back past the calendar's first day starts there.
    let first = Day {
        today: NaiveDate::MIN,
        due_soon: "1y".parse().unwrap(),
    };
    assert!(first.is_due_soon(NaiveDate::MIN + chrono::Days::new(30)));
}

#[test]
fn needs_change_holds_until_an_effective_review_follows() {
    let s = snapshot("", Some("annually"));
    let mut reviews = vec![
        effective("control:C.1", "2026-01-05"),
        review(
            "control:C.1",
            "2026-02-01",
            Outcome::NeedsChange,
            "alice@example.com",
        ),
    ];
    let a = assess(
        &s,
        &record(&s, "2026-01-01", reviews.clone()),
        day("2026-03-01"),
    );
    assert_eq!(state_of(&a, "control:C.1").0, State::NeedsChange);
    // On the same day, the effective review wins.
    reviews.push(effective("control:C.1", "2026-02-01"));
    let a = assess(&s, &record(&s, "2026-01-01", reviews), day("2026-03-01"));
    assert_eq!(
        state_of(&a, "control:C.1"),
        (
            State::Ok,
            Some(day("2027-02-01")),
            "next review due 2027-02-01".to_owned()
        )
    );
}

#[test]
fn a_review_that_lands_after_the_as_of_date_does_not_count() {
    let s = snapshot("", Some("monthly"));
    let r = record(
        &s,
        "2026-01-01",
        vec![effective("control:C.1", "2026-03-10")],
    );
    let a = assess(&s, &r, day("2026-03-01"));
    assert_eq!(state_of(&a, "control:C.1").0, State::Overdue);
    let a = assess(&s, &r, day("2026-03-10"));
    assert_eq!(state_of(&a, "control:C.1").0, State::Ok);
}

#[test]
fn with_count_changes_a_landed_file_change_counts_as_a_review() {
    let changed = |s: &Snapshot| {
        let mut r = record(&s.clone(), "2026-01-01", vec![]);
        r.files.get_mut("controls/C.1.toml").unwrap().changed = at("2026-05-01").timestamp();
        r
    };
    let s = snapshot("[review]\ncount_changes = true\n", Some("quarterly"));
    let a = assess(&s, &changed(&s), day("2026-06-01"));
    let (state, due, _) = state_of(&a, "control:C.1");
    assert_eq!((state, due), (State::Ok, Some(day("2026-08-01"))));
    let last = a.items.iter().find(|i| i.item == "control:C.1").unwrap();
    assert_eq!(last.last_review.as_ref().unwrap().author, "(file change)");
    // Without it, the change is not a review.
    let s = snapshot("", Some("quarterly"));
    let a = assess(&s, &changed(&s), day("2026-06-01"));
    assert_eq!(state_of(&a, "control:C.1").0, State::Overdue);
}

#[test]
fn with_author_approval_only_an_owners_review_counts() {
    let s = snapshot("[review]\napproval = \"author\"\n", Some("quarterly"));
    let r = record(
        &s,
        "2026-01-01",
        vec![
            review(
                "control:C.1",
                "2026-05-01",
                Outcome::Effective,
                "mallory@example.com",
            ),
            // A team's member counts for the team; emails compare without case.
            review(
                "service:api",
                "2026-05-01",
                Outcome::Effective,
                "bob@example.COM",
            ),
        ],
    );
    let a = assess(&s, &r, day("2026-06-01"));
    assert_eq!(state_of(&a, "control:C.1").0, State::Overdue);
    assert_eq!(state_of(&a, "service:api").1, Some(day("2027-05-01")));
    assert_eq!(a.unauthorized.len(), 1);
    assert_eq!(a.unauthorized[0].email, "mallory@example.com");
    assert_eq!(a.unauthorized[0].owner, "alice");
    // A commit that names the item twice is one review that does not
    // count; another commit is another.
    let mallory = |commit: u8| Review {
        commit: CommitId::from_bytes([commit; 20]),
        ..review(
            "control:C.1",
            "2026-05-01",
            Outcome::Effective,
            "mallory@example.com",
        )
    };
    let twice = record(&s, "2026-01-01", vec![mallory(7), mallory(7), mallory(9)]);
    let listed: Vec<String> = (assess(&s, &twice, day("2026-06-01")).unauthorized.iter())
        .map(|u| u.commit[..2].to_owned())
        .collect();
    assert_eq!(listed, ["07", "09"]);
    // With pull-request approval the same review counts.
    let s = snapshot("", Some("quarterly"));
    let a = assess(&s, &record(&s, "2026-01-01", r.reviews), day("2026-06-01"));
    assert_eq!(state_of(&a, "control:C.1").0, State::Ok);
    assert!(a.unauthorized.is_empty());
}

#[test]
fn a_review_that_author_approval_would_not_count_is_known_before_it_is_made() {
    let keys = [
        ItemKey::Control(id("C.1")),
        ItemKey::Service(id("api")),
        ItemKey::Allocation(id("api"), id("C.1")),
        ItemKey::Evidence(id("e")),
    ];
    let owners = |s: &Snapshot, email: &str| -> Vec<(String, String)> {
        not_counted(s, &keys, email)
            .into_iter()
            .map(|(k, o)| (k.to_string(), o.to_string()))
            .collect()
    };
    let s = snapshot("[review]\napproval = \"author\"\n", None);
    // Alice owns the control and the allocation, and is in the team that
    // owns the service; emails compare without case.
    assert!(owners(&s, "Alice@Example.com").is_empty());
    // Bob is only in the team.
    assert_eq!(
        owners(&s, "bob@example.com"),
        [
            ("control:C.1".to_owned(), "alice".to_owned()),
            ("allocation:api/C.1".to_owned(), "alice".to_owned()),
        ]
    );
    // Someone else owns none of them; evidence is not judged by its author.
    assert_eq!(owners(&s, "mallory@example.com").len(), 3);
    // Only `approval = "author"` judges the author.
    assert!(owners(&snapshot("", None), "mallory@example.com").is_empty());
}

fn evidence(eid: &str, kind: &str, collected: &str, validity: &str) -> Doc<Evidence> {
    doc(
        FileKind::Evidence,
        &format!("evidence/{eid}.toml"),
        &format!(
            "id = \"{eid}\"\ntitle = \"E\"\ncontrols = [\"C.1\"]\nkind = \"{kind}\"\ncollected = {collected}\ncollected_by = \"alice\"\n{validity}\n"
        ),
    )
}

#[test]
fn evidence_expires_after_expires_or_valid_for() {
    let mut s = snapshot("", None);
    s.evidence.insert(
        id("e1"),
        evidence("e1", "scan", "2026-01-15", "valid_for = \"90d\""),
    );
    s.evidence.insert(
        id("e2"),
        evidence("e2", "scan", "2026-01-15", "expires = 2026-03-01"),
    );
    s.evidence
        .insert(id("e3"), evidence("e3", "scan", "2026-01-15", ""));
    let r = record(&s, "2026-01-01", vec![]);
    let a = assess(&s, &r, day("2026-03-02"));
    assert_eq!(
        state_of(&a, "evidence:e2"),
        (
            State::Expired,
            Some(day("2026-03-01")),
            "expired 2026-03-01".to_owned()
        )
    );
    assert_eq!(
        state_of(&a, "evidence:e1"),
        (
            State::Ok,
            Some(day("2026-04-15")),
            "valid until 2026-04-15".to_owned()
        )
    );
    assert_eq!(state_of(&a, "evidence:e3").0, State::Ok);
    // Within due_soon of expiring, it is due, and collecting it, not a
    // review, answers that.
    let a = assess(&s, &r, day("2026-04-10"));
    assert_eq!(state_of(&a, "evidence:e1").0, State::Due);
    let due = a.items.iter().find(|i| i.item == "evidence:e1").unwrap();
    assert!(!due.answered_by_review());
    // Not yet collected on the as-of date: not part of the record then.
    let a = assess(&s, &r, day("2026-01-14"));
    assert!(!a.items.iter().any(|i| i.item.starts_with("evidence:")));
}

#[test]
fn a_control_without_current_evidence_of_a_required_kind_is_missing_evidence() {
    let mut s = snapshot("", None);
    s.controls
        .get_mut(&id("C.1"))
        .unwrap()
        .value
        .evidence_required = vec![
        toml::from_str("kind = \"scan\"\nevery = \"quarterly\"").unwrap(),
        toml::from_str("kind = \"drill\"\nevery = \"annually\"").unwrap(),
    ];
    s.evidence
        .insert(id("e1"), evidence("e1", "scan", "2026-01-15", ""));
    // Evidence of the right kind for another control does not count.
    let mut other = evidence("e2", "drill", "2026-01-15", "");
    other.value.controls = vec![id("C.9")];
    s.evidence.insert(id("e2"), other);
    let r = record(&s, "2026-01-01", vec![]);
    let missing = |a: &Assessment| -> Vec<String> {
        a.items
            .iter()
            .filter(|i| i.state == State::MissingEvidence)
            .map(|i| i.detail.clone())
            .collect()
    };
    // The scan is current for a quarter after it was collected.
    assert_eq!(
        missing(&assess(&s, &r, day("2026-04-15"))),
        ["no current `drill` evidence (needed every 1y)"]
    );
    assert_eq!(
        missing(&assess(&s, &r, day("2026-04-16"))),
        [
            "no current `scan` evidence (needed every 3mo)",
            "no current `drill` evidence (needed every 1y)"
        ]
    );
    // Expired evidence is not current, however recent.
    s.evidence.insert(
        id("e1"),
        evidence("e1", "scan", "2026-01-15", "expires = 2026-02-01"),
    );
    assert_eq!(missing(&assess(&s, &r, day("2026-02-02"))).len(), 2);
    // A control that does not apply needs no evidence.
    s.controls.get_mut(&id("C.1")).unwrap().value.soa = Some(
        toml::from_str(
            "applicable = false\njustification = \"No tenants.\"\nstatus = \"not-applicable\"",
        )
        .unwrap(),
    );
    assert!(missing(&assess(&s, &r, day("2026-02-02"))).is_empty());
}

fn finding(fid: &str, due: &str, status: &str) -> Doc<Finding> {
    doc(
        FileKind::Finding,
        &format!("findings/{fid}.toml"),
        &format!(
            "id = \"{fid}\"\ntitle = \"F\"\nkind = \"nonconformity\"\nraised = 2026-01-10\nraised_by = \"auditor\"\nowner = \"alice\"\ndue = {due}\nstatus = \"{status}\"\n"
        ),
    )
}

#[test]
fn an_open_finding_past_its_due_date_is_overdue() {
    let mut s = snapshot("", None);
    s.findings
        .insert(id("2026-001"), finding("2026-001", "2026-03-01", "open"));
    s.findings.insert(
        id("2026-002"),
        finding("2026-002", "2026-03-01", "in-progress"),
    );
    s.findings
        .insert(id("2026-003"), finding("2026-003", "2026-03-01", "closed"));
    s.findings.insert(
        id("2026-004"),
        finding("2026-004", "2026-03-01", "accepted"),
    );
    let r = record(&s, "2026-01-01", vec![]);
    let a = assess(&s, &r, day("2026-03-02"));
    assert_eq!(
        state_of(&a, "finding:2026-001"),
        (
            State::Overdue,
            Some(day("2026-03-01")),
            "corrective action was due 2026-03-01".to_owned()
        )
    );
    assert_eq!(state_of(&a, "finding:2026-002").0, State::Overdue);
    assert_eq!(state_of(&a, "finding:2026-003").0, State::Ok);
    assert_eq!(state_of(&a, "finding:2026-004").0, State::Ok);
    assert_eq!(
        state_of(&assess(&s, &r, day("2026-02-20")), "finding:2026-001").0,
        State::Due
    );
    // Raised after the as-of date: not there yet.
    assert!(
        !assess(&s, &r, day("2026-01-09"))
            .items
            .iter()
            .any(|i| i.kind == "finding")
    );
}

#[test]
fn out_of_scope_services_and_their_allocations_are_not_reviewed() {
    let mut s = snapshot("", None);
    let assessed = |s: &Snapshot| {
        let a = assess(s, &record(s, "2025-01-01", vec![]), day("2026-02-01"));
        (a.items.iter().map(|i| (i.item.clone(), i.state)))
            .filter(|(item, _)| item != "control:C.1")
            .collect::<Vec<_>>()
    };
    let overdue = |item: &str| (item.to_string(), State::Overdue);
    assert_eq!(
        assessed(&s),
        [overdue("service:api"), overdue("allocation:api/C.1")]
    );
    // Kept for when the service returns; its control still is reviewed.
    s.services.get_mut(&id("api")).unwrap().value.in_scope = false;
    assert_eq!(assessed(&s), []);
}

trait WithDueSoon {
    fn with_due_soon(self, window: &str) -> Self;
}

impl WithDueSoon for Snapshot {
    fn with_due_soon(mut self, window: &str) -> Snapshot {
        let config: &mut Config = &mut self.config.as_mut().unwrap().value;
        config.defaults.due_soon = window.parse().unwrap();
        self
    }
}

#[test]
fn a_review_settles_overdue_and_needs_change_items_never_evidence_or_findings() {
    let mut s = snapshot("", Some("monthly"));
    s.controls
        .get_mut(&id("C.1"))
        .unwrap()
        .value
        .evidence_required =
        vec![toml::from_str("kind = \"scan\"\nevery = \"quarterly\"").unwrap()];
    s.evidence.insert(
        id("e1"),
        evidence("e1", "scan", "2026-01-15", "valid_for = \"30d\""),
    );
    s.findings
        .insert(id("2026-001"), finding("2026-001", "2026-03-01", "open"));
    let reviews = vec![review(
        "allocation:api/C.1",
        "2026-03-20",
        Outcome::NeedsChange,
        "alice@example.com",
    )];
    let snap = s;
    let a = assess(
        &snap,
        &record(&snap, "2026-01-01", reviews),
        day("2026-04-01"),
    );
    let mut got: Vec<(String, &str, bool)> = a
        .items
        .iter()
        .map(|i| (i.item.clone(), i.state.as_str(), i.settled_by_review()))
        .collect();
    got.sort();
    let s = |item: &str, state, settled| (item.to_owned(), state, settled);
    assert_eq!(
        got,
        [
            s("allocation:api/C.1", "needs-change", true),
            s("control:C.1", "missing-evidence", false),
            s("control:C.1", "overdue", true),
            s("evidence:e1", "expired", false),
            s("finding:2026-001", "overdue", false),
            s("service:api", "ok", false),
        ]
    );
    // What no review settles is known without the review record.
    let mut rest: Vec<(String, &str)> = not_settled_by_review(&snap, day("2026-04-01"))
        .iter()
        .map(|i| (i.item.clone(), i.state.as_str()))
        .collect();
    rest.sort();
    assert_eq!(
        rest,
        [
            ("control:C.1".to_owned(), "missing-evidence"),
            ("evidence:e1".to_owned(), "expired"),
            ("finding:2026-001".to_owned(), "overdue"),
        ]
    );
}
