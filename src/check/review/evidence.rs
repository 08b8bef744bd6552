//! Evidence states (DESIGN §3): a record past `expires` or
//! `collected + valid_for` is expired; a control whose `evidence_required`
//! has no current record of that kind is missing evidence.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{Day, ItemStatus, State};
use crate::model::{Evidence, Id, Snapshot};

/// The state of each evidence record collected by `on.today`.
pub(super) fn expiry(s: &Snapshot, on: Day) -> Vec<ItemStatus> {
    let today = on.today;
    let mut out = Vec::new();
    for (id, e) in &s.evidence {
        let ev = &e.value;
        // Not yet collected on the as-of date: not part of the record then.
        if ev.collected.0 > today {
            continue;
        }
        let expires = expires_on(ev);
        let (state, detail) = match expires {
            Some(x) if today > x => (State::Expired, format!("expired {x}")),
            Some(x) if on.is_due_soon(x) => (State::Due, format!("expires {x}")),
            Some(x) => (State::Ok, format!("valid until {x}")),
            None => (State::Ok, "does not expire".into()),
        };
        out.push(ItemStatus {
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
    out
}

/// A `control:ID` item in state missing-evidence for each requirement of an
/// applicable control that no current record of its kind meets.
pub(super) fn missing(s: &Snapshot, on: Day) -> Vec<ItemStatus> {
    let today = on.today;
    // Each record under every (kind, control) it supports.
    let mut index: HashMap<(&str, &Id), Vec<&Evidence>> = HashMap::new();
    for e in s.evidence.values() {
        for control in &e.value.controls {
            index
                .entry((e.value.kind.as_str(), control))
                .or_default()
                .push(&e.value);
        }
    }
    let mut out = Vec::new();
    for (id, c) in s.controls.iter().filter(|(_, c)| c.value.is_applicable()) {
        for req in &c.value.evidence_required {
            let records = index.get(&(req.kind.as_str(), id));
            let current = records.into_iter().flatten().any(|ev| {
                let expires = expires_on(ev);
                ev.collected.0 <= today
                    && expires.is_none_or(|x| today <= x)
                    && today <= req.every.after(ev.collected.0)
            });
            if !current {
                out.push(ItemStatus {
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
    out
}

/// When evidence stops being valid: `expires`, or `collected + valid_for`.
fn expires_on(ev: &Evidence) -> Option<NaiveDate> {
    ev.expires
        .map(|d| d.0)
        .or_else(|| ev.valid_for.map(|p| p.after(ev.collected.0)))
}
