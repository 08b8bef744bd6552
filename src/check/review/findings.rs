//! Finding states (DESIGN §3): an open finding past its `due` date is
//! overdue; a closed or accepted one is ok.

use super::{Day, ItemStatus, State};
use crate::model::{FindingStatus, Snapshot};

/// The state of each finding raised by `on.today`.
pub(super) fn assess(s: &Snapshot, on: Day) -> Vec<ItemStatus> {
    let today = on.today;
    let mut out = Vec::new();
    for (id, f) in &s.findings {
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
            Some(d) if open && on.is_due_soon(d) => {
                (State::Due, format!("corrective action due {d}"))
            }
            Some(d) if open => (State::Ok, format!("corrective action due {d}")),
            _ if open => (State::Ok, "open, no due date".into()),
            _ => (State::Ok, "closed".into()),
        };
        out.push(ItemStatus {
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
