//! One item as `isms show` tells it: its file, owner and states, how often
//! it was reviewed, and the items about it (a control's or a service's
//! allocations, evidence and findings; what an allocation, an evidence
//! record or a finding names), each in its own state.
//! [`card`] takes the snapshot and the assessment as data; [`human`] writes
//! the card as text.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use crate::check::review::{Assessment, ItemStatus, KIND_LABELS, KINDS, State, most_urgent};
use crate::model::{Id, ItemKey, Snapshot};

/// An item, with what an owner asks of it.
#[derive(Serialize)]
pub struct Card<'a> {
    pub item: String,
    pub kind: &'static str,
    /// The control's or evidence record's title, the service's name; empty
    /// for an allocation.
    pub title: String,
    pub file: String,
    /// The owner's key, as `stale` names it (an evidence record's
    /// collector).
    pub owner: Option<String>,
    /// What its file decides, in a few words: a control's SoA decision, its
    /// justification and the evidence it requires, a service's model, an
    /// allocation's party and duties, a record's kind, collection and
    /// artifacts, a finding's status, when it was raised and closed, what
    /// was found and its corrective action.
    #[serde(serialize_with = "in_order")]
    pub facts: Vec<(&'static str, String)>,
    /// Its states, the most urgent first: an item can be overdue and
    /// missing evidence at once.
    pub states: Vec<&'a ItemStatus>,
    /// The reviews of it that had landed by the day (with those of the
    /// items a migration made it from).
    pub reviews: usize,
    /// Of those, how many do not count under `approval = "author"` (their
    /// authors do not own it); left out of JSON when none.
    #[serde(skip_serializing_if = "is_zero")]
    pub not_counted: usize,
    /// The items about it, by kind, in reading order.
    pub related: Vec<Related>,
}

/// An item about the one shown.
#[derive(Serialize)]
pub struct Related {
    pub item: String,
    /// Its most urgent state; `None` for an item that is not there (a
    /// reference `isms check` flags).
    pub state: Option<State>,
    /// What it is to the item shown: an allocation's party, a record's
    /// title, a finding's status.
    pub note: String,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The card of `key`, an item of `s`, from the assessment of every item on
/// the day evidence is counted by (`as_of`, `YYYY-MM-DD`).
pub fn card<'a>(
    s: &Snapshot,
    key: &ItemKey,
    assessment: &'a Assessment,
    reviews: usize,
    as_of: &str,
) -> Card<'a> {
    let items = &assessment.items;
    let wanted = key.to_string();
    let not_counted = (assessment.unauthorized.iter())
        .filter(|u| u.item == wanted)
        .count();
    let mut states: Vec<&ItemStatus> = items.iter().filter(|i| i.item == wanted).collect();
    states.sort_by_key(|i| std::cmp::Reverse(i.state));
    let worst = most_urgent(items);
    let related = |key: ItemKey, note: String| {
        let item = key.to_string();
        Related {
            state: worst.get(item.as_str()).map(|i| i.state),
            item,
            note,
        }
    };
    let mut out: Vec<Related> = Vec::new();
    // What an evidence record or a finding names, with its title.
    let mut named = |controls: &[Id], services: &[Id]| {
        let keys = (controls.iter().cloned().map(ItemKey::Control))
            .chain(services.iter().cloned().map(ItemKey::Service));
        for k in keys {
            let note = title(s, &k);
            out.push(related(k, note));
        }
    };
    match key {
        ItemKey::Evidence(id) => {
            if let Some(e) = s.evidence.get(id).map(|d| &d.value) {
                named(&e.controls, &e.services);
            }
        }
        ItemKey::Finding(id) => {
            if let Some(f) = s.findings.get(id).map(|d| &d.value) {
                named(&f.controls, &f.services);
            }
        }
        ItemKey::Allocation(svc, ctl) => {
            named(std::slice::from_ref(ctl), std::slice::from_ref(svc))
        }
        // What is about a control or a service: its allocations, and the
        // evidence and findings that name it, as they stood by the day.
        ItemKey::Control(id) | ItemKey::Service(id) => {
            let control = matches!(key, ItemKey::Control(_));
            let names = |controls: &[Id], services: &[Id]| match control {
                true => controls.contains(id),
                false => services.contains(id),
            };
            for ((svc, ctl), a) in &s.allocations {
                if (if control { ctl } else { svc }) == id {
                    let k = ItemKey::Allocation(svc.clone(), ctl.clone());
                    out.push(related(k, a.value.party.to_string()));
                }
            }
            for (eid, e) in crate::render::report::collected_by(s, as_of) {
                if names(&e.value.controls, &e.value.services) {
                    let k = ItemKey::Evidence(eid.clone());
                    out.push(related(k, e.value.title.clone()));
                }
            }
            for (fid, f) in crate::render::report::raised_by(s, as_of) {
                if names(&f.value.controls, &f.value.services) {
                    out.push(related(ItemKey::Finding(fid.clone()), finding_note(f)));
                }
            }
        }
    }
    // In reading order within each kind: 5.2 before 5.13.
    out.sort_by(|a, b| {
        (rank(&a.item).cmp(&rank(&b.item)))
            .then_with(|| crate::model::natural_cmp(&a.item, &b.item))
    });
    let owner = (states.first().map(|i| i.owner.clone()))
        .or_else(|| s.owner_of(key).map(|o| o.to_string()));
    Card {
        item: wanted,
        kind: key.kind(),
        title: title(s, key),
        file: key.path(),
        owner,
        facts: facts(s, key),
        states,
        reviews,
        not_counted,
        related: out,
    }
}

/// Where the kind of item `key` names comes in [`KINDS`]: controls first.
fn rank(key: &str) -> usize {
    let kind = key.split_once(':').map_or("", |(kind, _)| kind);
    KINDS.iter().position(|k| *k == kind).unwrap_or(KINDS.len())
}

/// A card's facts as one JSON object, in their order.
fn in_order<S: serde::Serializer>(
    facts: &[(&'static str, String)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(facts.iter().map(|(k, v)| (k, v)))
}

/// What the file of `key` decides, in a few words each.
fn facts(s: &Snapshot, key: &ItemKey) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    match key {
        ItemKey::Control(id) => {
            let Some(control) = s.controls.get(id).map(|d| &d.value) else {
                return out;
            };
            if let Some(soa) = &control.soa {
                let applies = if soa.applicable {
                    "applicable"
                } else {
                    "not applicable"
                };
                out.push(("soa", format!("{applies}, {}", soa.status.as_str())));
                // Why it is in the SoA, or left out: what an auditor asks.
                if !soa.justification.trim().is_empty() {
                    out.push(("why", soa.justification.clone()));
                }
            }
            // What evidence its review asks for, and how often.
            let required: Vec<String> = (control.evidence_required.iter())
                .map(|r| format!("{} every {}", r.kind, r.every))
                .collect();
            if !required.is_empty() {
                out.push(("requires", required.join(", ")));
            }
        }
        ItemKey::Service(id) => {
            if let Some(v) = s.services.get(id).map(|d| &d.value) {
                let scope = if v.in_scope {
                    "in scope"
                } else {
                    "out of scope"
                };
                out.push(("model", format!("{} ({}), {scope}", v.model, v.role)));
            }
        }
        ItemKey::Allocation(svc, ctl) => {
            if let Some(a) = s.allocations.get(&(svc.clone(), ctl.clone())) {
                let party = a.value.party.to_string();
                // Kept for when the service returns, and reviewed no more.
                out.push(match s.reviews_allocations_of(svc) {
                    true => ("party", party),
                    false => (
                        "party",
                        format!("{party}; {svc} is out of scope, so it is not reviewed"),
                    ),
                });
                // What each party does, or why neither does: what the
                // owner answers for, placeholders and all.
                let a = &a.value;
                out.extend(written([
                    ("provider", &a.provider),
                    ("customer", &a.customer),
                    ("reason", &a.justification),
                ]));
            }
        }
        ItemKey::Evidence(id) => {
            if let Some(e) = s.evidence.get(id).map(|d| &d.value) {
                out.push(("kind", e.kind.clone()));
                out.push((
                    "collected",
                    format!("{} by {}", e.collected, e.collected_by),
                ));
                if !e.artifacts.is_empty() {
                    // As repository paths, not as the record names them.
                    let paths: Vec<String> = (e.artifacts.iter())
                        .map(|a| crate::model::artifact_path(&a.path))
                        .collect();
                    out.push(("artifacts", paths.join(", ")));
                }
            }
        }
        ItemKey::Finding(id) => {
            if let Some(f) = s.findings.get(id).map(|d| &d.value) {
                let severity = f
                    .severity
                    .map(|v| format!("{} ", v.as_str()))
                    .unwrap_or_default();
                out.push((
                    "status",
                    format!("{}: {severity}{}", f.status.as_str(), f.kind.as_str()),
                ));
                out.push(match f.raised_by.trim() {
                    "" => ("raised", f.raised.to_string()),
                    by => ("raised", format!("{} by {by}", f.raised)),
                });
                if let Some(closed) = f.closed {
                    out.push(("closed", closed.to_string()));
                }
                // What was found and what is done about it: what its owner
                // answers for, placeholders and all.
                out.extend(written([
                    ("found", &f.description),
                    ("action", &f.corrective_action),
                ]));
            }
        }
    }
    out
}

/// The texts that are written, each under its name.
fn written<const N: usize>(
    texts: [(&'static str, &String); N],
) -> impl Iterator<Item = (&'static str, String)> {
    (texts.into_iter())
        .filter(|(_, text)| !text.trim().is_empty())
        .map(|(name, text)| (name, text.clone()))
}

/// The control's or evidence record's title, the service's name; empty for
/// an allocation or an item whose file did not parse.
fn title(s: &Snapshot, key: &ItemKey) -> String {
    let found = match key {
        ItemKey::Control(id) => s.controls.get(id).map(|d| &d.value.title),
        ItemKey::Service(id) => s.services.get(id).map(|d| &d.value.name),
        ItemKey::Evidence(id) => s.evidence.get(id).map(|d| &d.value.title),
        ItemKey::Finding(id) => s.findings.get(id).map(|d| &d.value.title),
        ItemKey::Allocation(..) => None,
    };
    found.cloned().unwrap_or_default()
}

/// A finding's status, and its due day while it is open.
fn finding_note(f: &crate::model::Doc<crate::model::Finding>) -> String {
    use crate::model::FindingStatus;
    let v = &f.value;
    let status = v.status.as_str();
    match (v.status, v.due) {
        (FindingStatus::Open | FindingStatus::InProgress, Some(due)) => {
            format!("{status}, due {due}: {}", v.title)
        }
        _ => format!("{status}: {}", v.title),
    }
}

/// The card for people: a head, the states as `stale` lists them (each
/// coloured by `style`), then a section a kind of related item.
pub fn human(
    out: &mut impl Write,
    c: &Card,
    label: &dyn Fn(&str) -> String,
    style: &dyn Fn(State) -> anstyle::Style,
    branch: &str,
) -> std::io::Result<()> {
    let one_line = crate::diagnostic::one_line;
    match c.title.is_empty() {
        true => writeln!(out, "{}", c.item)?,
        false => writeln!(out, "{}  {}", c.item, one_line(&c.title))?,
    }
    let mut head: Vec<(&str, String)> = vec![("file", c.file.clone())];
    if let Some(owner) = &c.owner {
        head.push(("owner", label(owner)));
    }
    head.extend(
        c.facts
            .iter()
            .map(|(name, value)| (*name, one_line(value).into_owned())),
    );
    // The review the state rests on, where one does.
    let last = c.states.iter().find_map(|i| i.last_review.as_ref());
    let reviews = match (c.reviews, last) {
        // With count_changes, the last change to its file counts as one.
        (0, Some(r)) if r.commit.is_none() => format!(
            "none on {branch}; the change to its file landed {} counts as one (count_changes)",
            r.landed
        ),
        (0, _) => format!("none on {branch}"),
        (n, Some(r)) => format!(
            "{n} on {branch}, the last {}, {}",
            r.words(),
            r.outcome.as_str()
        ),
        (n, None) => format!("{n} on {branch}"),
    };
    let reviews = match c.not_counted {
        0 => reviews,
        n => format!(
            "{reviews}; {n} not counted, by authors who do not own it (approval = \"author\")"
        ),
    };
    head.push(("reviews", reviews));
    for (name, value) in head {
        writeln!(out, "  {name:<10}{value}")?;
    }
    writeln!(out)?;
    let state = |out: &mut dyn Write, s: Option<State>| {
        let text = s.map_or("", State::as_str);
        let st = s.map(style).unwrap_or_default();
        write!(
            out,
            "  {st}{text}{st:#}{:pad$} ",
            "",
            pad = 16usize.saturating_sub(text.len())
        )
    };
    for i in &c.states {
        state(out, Some(i.state))?;
        writeln!(out, "{}", one_line(&i.detail))?;
    }
    let mut sections: BTreeMap<usize, Vec<&Related>> = BTreeMap::new();
    for r in &c.related {
        sections.entry(rank(&r.item)).or_default().push(r);
    }
    for (at, list) in sections {
        let heading = KIND_LABELS.get(at).map_or("items", |(_, plural)| plural);
        writeln!(out, "\n{heading} ({})", list.len())?;
        let width = list
            .iter()
            .map(|r| r.item.chars().count())
            .max()
            .unwrap_or(0);
        for r in list {
            state(out, r.state)?;
            let row = format!("{:<width$}  {}", r.item, one_line(&r.note));
            writeln!(out, "{}", row.trim_end())?;
        }
    }
    Ok(())
}
