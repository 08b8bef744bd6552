//! Moving a repository from one catalog edition to the next (DESIGN §10): a
//! plan made from the snapshot and the crosswalk. Pure: the command reads the
//! repository and writes what the plan says.
//!
//! Each control of the new edition is made from its sources in the old one:
//! renamed when it has exactly one source that became nothing else (1:1),
//! merged from several (n:1), or copied from a source that became several
//! (1:n). The same holds for each service's allocations. Controls with no
//! source are new, with `TODO` placeholders. Every old item key is mapped to
//! the new keys made from it, so review history carries across.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::{
    Allocation, Catalog, CatalogControl, Control, Crosswalk, Doc, Edition, EvidenceRequirement, Id,
    Party, Period, Snapshot, SoaStatus, natural_cmp,
};
use crate::repo::FileKind;
use crate::scaffold::{self, SoaDecision, q};

/// What the migration needs besides the snapshot.
pub struct Input<'a> {
    pub snapshot: &'a Snapshot,
    pub from: Edition,
    pub to: Edition,
    pub crosswalk: &'a Crosswalk,
    /// The new edition's catalog.
    pub catalog: &'a Catalog,
    /// When each item file was added on the record branch (by path).
    pub added: &'a dyn Fn(&str) -> Option<NaiveDate>,
    /// Reassessment records (`reassessments/<trigger>/<service>.toml`):
    /// (path, text); their `items` name controls and allocations.
    pub records: &'a [(String, String)],
}

/// How a control or allocation of the new edition comes about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum How {
    /// From one source that became only this (1:1): the file is moved.
    Renamed,
    /// From several sources (n:1).
    Merged,
    /// From a source that became several (1:n).
    Split,
    /// New in this edition: no source.
    New,
}

impl How {
    pub fn as_str(self) -> &'static str {
        match self {
            How::Renamed => "renamed",
            How::Merged => "merged",
            How::Split => "split",
            How::New => "new",
        }
    }
}

/// One control of the new edition.
#[derive(Clone, Debug, Serialize)]
pub struct ControlStep {
    pub id: String,
    pub how: How,
    pub from: Vec<String>,
}

/// How many allocations come about each way.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AllocationCounts {
    pub renamed: usize,
    pub merged: usize,
    pub split: usize,
    /// Created with the model's default party and `TODO` duties.
    pub created: usize,
}

/// A list of control IDs (or item keys) rewritten in one file.
#[derive(Clone, Debug, Serialize)]
pub struct Reference {
    pub file: String,
    pub key: String,
    pub from: Vec<String>,
    pub to: Vec<String>,
}

/// A choice the migration made that a person must confirm.
#[derive(Clone, Debug, Serialize)]
pub struct Decision {
    /// `owner`, `party`, `applicability` or `new-control`.
    pub kind: &'static str,
    pub item: String,
    pub file: String,
    pub message: String,
}

/// What the migration does.
#[derive(Debug, Serialize)]
pub struct Plan {
    pub from: String,
    pub to: String,
    pub controls: Vec<ControlStep>,
    pub allocations: AllocationCounts,
    pub references: Vec<Reference>,
    pub decisions: Vec<Decision>,
    /// Files moved before anything is written: (old path, new path).
    #[serde(skip)]
    pub renames: Vec<(String, String)>,
    /// Files written after the moves: path → contents.
    #[serde(skip)]
    pub writes: BTreeMap<String, String>,
    /// Files deleted: sources that were merged or split.
    #[serde(skip)]
    pub deletes: Vec<String>,
    /// Each new item key and the old keys it was made from.
    #[serde(skip)]
    pub map: Vec<(String, Vec<Source>)>,
}

/// An old item key and the date its file was added.
pub type Source = (String, Option<NaiveDate>);

/// A file the crosswalk cannot place: the migration refuses to start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub file: String,
    pub message: String,
}

/// Where the map of old → new item keys is kept, relative to the root.
pub fn map_path(from: Edition, to: Edition) -> String {
    map_path_str(from.as_str(), to.as_str())
}

pub fn map_path_str(from: &str, to: &str) -> String {
    format!(".isms/migrations/{from}-to-{to}.toml")
}

/// Plans the migration of `input.snapshot` to `input.to`.
pub fn plan(input: &Input<'_>) -> Result<Plan, Vec<Refusal>> {
    let s = input.snapshot;
    let x = input.crosswalk;
    let known: BTreeSet<&str> = x.pair.iter().map(|p| p.from.as_str()).collect();
    let mut refusals = Vec::new();
    let from_name = input.from.as_str();
    for (id, doc) in &s.controls {
        if !known.contains(id.as_str()) {
            refusals.push(Refusal {
                file: doc.path.clone(),
                message: format!(
                    "control `{id}` is not a control of the {from_name} catalog, so the {from_name}→{} crosswalk cannot place it; \
                     rename it to the {from_name} control it stands for, or move it out of controls/ and add it back after the migration",
                    input.to
                ),
            });
        }
    }
    for ((_, ctl), doc) in &s.allocations {
        if !known.contains(ctl.as_str()) && !s.controls.contains_key(ctl) {
            refusals.push(Refusal {
                file: doc.path.clone(),
                message: format!(
                    "allocation for control `{ctl}`, which the {from_name}→{} crosswalk does not know; \
                     rename or remove it before migrating",
                    input.to
                ),
            });
        }
    }
    if !refusals.is_empty() {
        return Err(refusals);
    }

    let mut plan = Plan {
        from: input.from.to_string(),
        to: input.to.to_string(),
        controls: Vec::new(),
        allocations: AllocationCounts::default(),
        references: Vec::new(),
        decisions: Vec::new(),
        renames: Vec::new(),
        writes: BTreeMap::new(),
        deletes: Vec::new(),
        map: Vec::new(),
    };
    let added = |path: &str| (input.added)(path);
    let mut made: BTreeMap<Id, Control> = BTreeMap::new();

    // Controls.
    for c in &input.catalog.control {
        // Its sources in the crosswalk, and those the repository holds.
        let crosswalked = x.sources(c.id.as_str());
        let sources: Vec<&Doc<Control>> = (crosswalked.iter())
            .filter_map(|a| s.controls.get(*a))
            .collect();
        let how = match sources.as_slice() {
            [] => How::New,
            [one] if x.targets(one.value.id.as_str()).len() == 1 => How::Renamed,
            [_] => How::Split,
            _ => How::Merged,
        };
        let key = format!("control:{}", c.id);
        let path = scaffold::control_path(&c.id);
        plan.controls.push(ControlStep {
            id: c.id.to_string(),
            how,
            from: sources.iter().map(|d| d.value.id.to_string()).collect(),
        });
        if !sources.is_empty() {
            plan.map.push((
                key.clone(),
                sources
                    .iter()
                    .map(|d| (format!("control:{}", d.value.id), added(&d.path)))
                    .collect(),
            ));
        }
        let merged = merge_control(c, &sources, &key, &path, &mut plan.decisions);
        let text = match how {
            How::Renamed => {
                plan.renames.push((sources[0].path.clone(), path.clone()));
                edit_renamed_control(&sources[0].text, c, &merged)
            }
            How::New => {
                let soa = SoaDecision {
                    applicable: true,
                    justification: &format!("TODO: decide whether {} applies, and why", c.id),
                    status: SoaStatus::Planned,
                };
                // New in the edition, or made from controls the repository
                // never held (one that kept only part of the catalog).
                let origin = match crosswalked.as_slice() {
                    [] => format!("new in {}", input.to),
                    [same] if *same == &c.id => {
                        format!("this repository did not hold it on edition {}", input.from)
                    }
                    absent => format!(
                        "its {} sources ({}) are not in this repository",
                        input.from,
                        absent
                            .iter()
                            .map(|id| id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                plan.decisions.push(Decision {
                    kind: "new-control",
                    item: key.clone(),
                    file: path.clone(),
                    message: format!(
                        "{origin}: decide whether it applies, who owns it and why (placeholders say TODO)"
                    ),
                });
                scaffold::control(c, "TODO", None, &soa)
            }
            // Made from its sources: in the first one's line endings.
            How::Merged | How::Split => {
                crate::span::in_the_form_of(&sources[0].text, render_control(c, &merged))
            }
        };
        plan.writes.insert(path, text);
        made.insert(c.id.clone(), merged);
    }
    let renamed_from: BTreeSet<&str> = plan.renames.iter().map(|(a, _)| a.as_str()).collect();
    for doc in s.controls.values() {
        if !renamed_from.contains(doc.path.as_str()) {
            plan.deletes.push(doc.path.clone());
        }
    }

    // Allocations, service by service.
    let services: BTreeSet<&Id> = s
        .allocations
        .keys()
        .map(|(svc, _)| svc)
        .chain(s.services.keys())
        .collect();
    let mut used: BTreeSet<String> = BTreeSet::new();
    for svc in services {
        for c in &input.catalog.control {
            let sources: Vec<&Doc<Allocation>> = x
                .sources(c.id.as_str())
                .into_iter()
                .filter_map(|a| s.allocations.get(&(svc.clone(), a.clone())))
                .collect();
            let control = &made[&c.id];
            let key = format!("allocation:{svc}/{}", c.id);
            let path = scaffold::allocation_path(svc, &c.id);
            if sources.is_empty() {
                let service = s.services.get(svc).filter(|v| v.value.in_scope);
                if let (Some(service), true) = (service, control.matrix && control.is_applicable())
                {
                    let party = crate::model::DefaultParty::or_shared(
                        control.default_party.as_ref(),
                        service.value.model,
                    );
                    let (provider, customer, why) = scaffold::todo_texts(party, &c.title);
                    let owner = service.value.owner.as_str();
                    plan.writes.insert(
                        path,
                        scaffold::allocation(svc, &c.id, party, &provider, &customer, &why, owner),
                    );
                    plan.allocations.created += 1;
                }
                continue;
            }
            plan.map.push((
                key.clone(),
                sources
                    .iter()
                    .map(|d| {
                        (
                            format!("allocation:{svc}/{}", d.value.control),
                            added(&d.path),
                        )
                    })
                    .collect(),
            ));
            used.extend(sources.iter().map(|d| d.path.clone()));
            let renamed =
                sources.len() == 1 && x.targets(sources[0].value.control.as_str()).len() == 1;
            if renamed {
                plan.allocations.renamed += 1;
                plan.renames.push((sources[0].path.clone(), path.clone()));
                plan.writes
                    .insert(path, edit_renamed_allocation(&sources[0].text, &c.id));
                continue;
            }
            if sources.len() == 1 {
                plan.allocations.split += 1;
            } else {
                plan.allocations.merged += 1;
            }
            let text = merge_allocation(svc, &c.id, &sources, &key, &path, &mut plan.decisions);
            let text = crate::span::in_the_form_of(&sources[0].text, text);
            plan.writes.insert(path, text);
        }
    }
    let renamed_from: BTreeSet<&str> = plan.renames.iter().map(|(a, _)| a.as_str()).collect();
    for doc in s.allocations.values() {
        if !renamed_from.contains(doc.path.as_str()) && used.contains(&doc.path) {
            plan.deletes.push(doc.path.clone());
        }
    }

    // References: evidence and finding controls, trigger reassess lists, and
    // the item keys of open reassessment records.
    let map_id = |id: &str| -> Vec<String> {
        let targets = x.targets(id);
        if targets.is_empty() {
            vec![id.to_owned()]
        } else {
            targets.iter().map(|t| t.to_string()).collect()
        }
    };
    for e in s.evidence.values() {
        rewrite_list(&mut plan, &e.path, &e.text, "controls", &map_id);
    }
    for f in s.findings.values() {
        rewrite_list(&mut plan, &f.path, &f.text, "controls", &map_id);
    }
    for t in s.triggers.values() {
        rewrite_list(&mut plan, &t.path, &t.text, "reassess", &map_id);
    }
    for (path, text) in input.records {
        rewrite_list(&mut plan, path, text, "items", &|key| map_key(key, &map_id));
    }
    plan.decisions
        .sort_by(|a, b| natural_cmp(&a.item, &b.item).then_with(|| a.kind.cmp(b.kind)));
    Ok(plan)
}

/// Rewrites the old IDs of an item key (`control:9.1.1`,
/// `allocation:svc/9.1.1`) to the new ones.
pub fn map_key(key: &str, map_id: &dyn Fn(&str) -> Vec<String>) -> Vec<String> {
    if let Some(id) = key.strip_prefix("control:") {
        return map_id(id)
            .into_iter()
            .map(|n| format!("control:{n}"))
            .collect();
    }
    if let Some((svc, id)) = key
        .strip_prefix("allocation:")
        .and_then(|r| r.split_once('/'))
    {
        return map_id(id)
            .into_iter()
            .map(|n| format!("allocation:{svc}/{n}"))
            .collect();
    }
    vec![key.to_owned()]
}

/// Rewrites the list at `key` of the TOML file `text` through `map`,
/// keeping its formatting; records the change in the plan.
pub fn rewrite_list(
    plan: &mut Plan,
    path: &str,
    text: &str,
    key: &str,
    map: &dyn Fn(&str) -> Vec<String>,
) {
    let Some((edited, old, new)) = rewritten_list(text, key, map) else {
        return;
    };
    plan.writes.insert(path.to_owned(), edited);
    plan.references.push(Reference {
        file: path.to_owned(),
        key: key.to_owned(),
        from: old,
        to: new,
    });
}

/// The TOML file `text` with its list of strings at `key` rewritten
/// through `map` (each ID to the IDs it becomes, each kept once), its
/// formatting and line endings kept; with the list before and after.
/// `None` when `key` holds no list of strings, or the list is unchanged.
pub fn rewritten_list(
    text: &str,
    key: &str,
    map: &dyn Fn(&str) -> Vec<String>,
) -> Option<(String, Vec<String>, Vec<String>)> {
    let mut doc = text.parse::<toml_edit::DocumentMut>().ok()?;
    let array = doc.get_mut(key).and_then(|i| i.as_array_mut())?;
    let old: Vec<String> = array
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    if old.len() != array.len() {
        return None;
    }
    let mut new: Vec<String> = Vec::new();
    for id in &old {
        for n in map(id) {
            if !new.contains(&n) {
                new.push(n);
            }
        }
    }
    if new == old {
        return None;
    }
    array.clear();
    for n in &new {
        array.push(n.as_str());
    }
    let edited = crate::span::in_the_form_of(text, doc.to_string());
    Some((edited, old, new))
}

/// "9.1.1: text" for each source with a non-empty text; the bare text when
/// only one source contributes.
fn prefixed<'a>(parts: impl Iterator<Item = (&'a str, &'a str)>, always: bool) -> String {
    let parts: Vec<(&str, &str)> = parts.filter(|(_, t)| !t.trim().is_empty()).collect();
    if parts.len() == 1 && !always {
        return parts[0].1.trim().to_owned();
    }
    parts
        .iter()
        .map(|(id, t)| format!("{id}: {}", t.trim()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The shortest of the cadences that are set (a calendar month is compared
/// by the date it gives from one fixed day).
pub fn shortest(periods: impl Iterator<Item = Period>) -> Option<Period> {
    let day = NaiveDate::from_ymd_opt(2001, 1, 1).expect("a valid date");
    periods.min_by_key(|p| p.after(day))
}

/// The merged control: its new catalog facts, with the decision, owner,
/// cadence and evidence of its sources (DESIGN §10).
fn merge_control(
    c: &CatalogControl,
    sources: &[&Doc<Control>],
    key: &str,
    path: &str,
    decisions: &mut Vec<Decision>,
) -> Control {
    fn id<'a>(d: &&'a Doc<Control>) -> &'a str {
        d.value.id.as_str()
    }
    // Owner: the common one, or the first source's.
    let owner = sources.first().map_or_else(
        || Id::parse("TODO").expect("valid"),
        |d| d.value.owner.clone(),
    );
    owner_decision(
        sources.iter().map(|d| (id(d), &d.value.owner)),
        key,
        path,
        decisions,
    );
    let soa = if sources.is_empty() {
        None
    } else {
        let decided: Vec<&&Doc<Control>> =
            sources.iter().filter(|d| d.value.soa.is_some()).collect();
        let applicable: Vec<&&Doc<Control>> =
            sources.iter().filter(|d| d.value.is_applicable()).collect();
        let is_applicable = !applicable.is_empty();
        if is_applicable && applicable.len() < sources.len() {
            let yes: Vec<&str> = applicable.iter().map(|d| id(d)).collect();
            let no: Vec<&str> = sources
                .iter()
                .filter(|d| !d.value.is_applicable())
                .map(id)
                .collect();
            decisions.push(Decision {
                kind: "applicability",
                item: key.to_owned(),
                file: path.to_owned(),
                message: format!(
                    "{} applicable, {} not: made applicable; check the justification and the status",
                    yes.join(", "),
                    no.join(", ")
                ),
            });
        }
        let status = if is_applicable {
            applicable
                .iter()
                .filter_map(|d| d.value.soa.as_ref().map(|s| s.status))
                .filter(|s| *s != SoaStatus::NotApplicable)
                .min()
                .unwrap_or(SoaStatus::Planned)
        } else {
            SoaStatus::NotApplicable
        };
        (!decided.is_empty()).then(|| crate::model::Soa {
            applicable: is_applicable,
            justification: prefixed(
                sources.iter().map(|d| {
                    (
                        id(d),
                        d.value
                            .soa
                            .as_ref()
                            .map_or("", |s| s.justification.as_str()),
                    )
                }),
                false,
            ),
            status,
        })
    };
    let mut evidence: Vec<EvidenceRequirement> = Vec::new();
    for d in sources {
        for e in &d.value.evidence_required {
            match evidence.iter_mut().find(|x| x.kind == e.kind) {
                Some(x) => {
                    x.every = shortest([x.every, e.every].into_iter()).expect("two periods");
                    if x.description.is_empty() {
                        x.description.clone_from(&e.description);
                    }
                }
                None => evidence.push(e.clone()),
            }
        }
    }
    if sources.is_empty() {
        evidence.clone_from(&c.evidence_required);
    }
    Control {
        id: c.id.clone(),
        title: c.title.clone(),
        framework: c.framework.clone(),
        theme: c.theme,
        summary: c.summary.clone(),
        guidance_for: c.guidance_for.clone(),
        guidance_derived: c.guidance_derived,
        maps_to: c.maps_to.clone(),
        owner,
        cadence: shortest(sources.iter().filter_map(|d| d.value.cadence)),
        matrix: if sources.is_empty() {
            c.matrix
        } else {
            sources.iter().any(|d| d.value.matrix)
        },
        default_party: c.default_party.clone(),
        soa,
        evidence_required: evidence,
    }
}

/// When the sources (ID, owner) have different owners, the decision that
/// the first's was kept.
fn owner_decision<'a>(
    sources: impl Iterator<Item = (&'a str, &'a Id)>,
    key: &str,
    path: &str,
    decisions: &mut Vec<Decision>,
) {
    let sources: Vec<(&str, &Id)> = sources.collect();
    let owners: BTreeSet<&Id> = sources.iter().map(|(_, o)| *o).collect();
    if owners.len() < 2 {
        return;
    }
    let list: Vec<String> = sources
        .iter()
        .map(|(id, o)| format!("{id} → {o}"))
        .collect();
    decisions.push(Decision {
        kind: "owner",
        item: key.to_owned(),
        file: path.to_owned(),
        message: format!(
            "sources have different owners ({}); kept {}, the first's",
            list.join(", "),
            sources[0].1
        ),
    });
}

/// A merged or split control's file.
fn render_control(c: &CatalogControl, m: &Control) -> String {
    let mut facts = c.clone();
    facts.matrix = m.matrix;
    facts.evidence_required.clone_from(&m.evidence_required);
    if !m.matrix {
        facts.default_party = None;
    } else if facts.default_party.is_none() {
        facts.default_party = Some(crate::model::DefaultParty {
            iaas: Party::Shared,
            paas: Party::Shared,
            saas: Party::Shared,
        });
    }
    let cadence = m.cadence.map(|p| p.to_string());
    match &m.soa {
        Some(soa) => scaffold::control(
            &facts,
            m.owner.as_str(),
            cadence.as_deref(),
            &SoaDecision {
                applicable: soa.applicable,
                justification: &soa.justification,
                status: soa.status,
            },
        ),
        None => {
            // No source had a decision: neither has the merged control.
            let text = scaffold::control(
                &facts,
                m.owner.as_str(),
                cadence.as_deref(),
                &SoaDecision {
                    applicable: true,
                    justification: "",
                    status: SoaStatus::Planned,
                },
            );
            text.split("\n[soa]").next().unwrap_or_default().to_owned() + "\n"
        }
    }
}

/// A 1:1 renamed control: its own file with the new catalog facts, every
/// other line as the user left it (so git sees the rename).
fn edit_renamed_control(text: &str, c: &CatalogControl, m: &Control) -> String {
    let Ok(mut doc) = text.parse::<toml_edit::DocumentMut>() else {
        return render_control(c, m);
    };
    let str_array = |items: &mut dyn Iterator<Item = String>| {
        let mut a = toml_edit::Array::new();
        for i in items {
            a.push(i);
        }
        toml_edit::value(a)
    };
    doc["id"] = toml_edit::value(c.id.as_str());
    doc["title"] = toml_edit::value(c.title.as_str());
    doc["framework"] = toml_edit::value(c.framework.as_str());
    if let Some(theme) = c.theme {
        doc["theme"] = toml_edit::value(theme.as_str());
    }
    doc["summary"] = toml_edit::value(c.summary.as_str());
    doc["guidance_for"] = str_array(&mut c.guidance_for.iter().map(|s| {
        match s {
            crate::model::Side::Provider => "provider",
            crate::model::Side::Customer => "customer",
        }
        .to_owned()
    }));
    if c.guidance_derived {
        doc["guidance_derived"] = toml_edit::value(true);
    }
    let mut maps = toml_edit::InlineTable::new();
    for (fw, ids) in &c.maps_to {
        let mut a = toml_edit::Array::new();
        for i in ids {
            a.push(i.as_str());
        }
        maps.insert(fw, a.into());
    }
    doc["maps_to"] = toml_edit::value(maps);
    crate::span::in_the_form_of(text, doc.to_string())
}

/// A 1:1 renamed allocation: only its `control` changes.
fn edit_renamed_allocation(text: &str, control: &Id) -> String {
    match text.parse::<toml_edit::DocumentMut>() {
        Ok(mut doc) => {
            doc["control"] = toml_edit::value(control.as_str());
            crate::span::in_the_form_of(text, doc.to_string())
        }
        Err(_) => text.to_owned(),
    }
}

/// One allocation of the new control made from its sources' allocations on
/// the same service (DESIGN §10): where their parties differ it is `shared`,
/// with both duty texts, each prefixed with its source control.
fn merge_allocation(
    svc: &Id,
    control: &Id,
    sources: &[&Doc<Allocation>],
    key: &str,
    path: &str,
    decisions: &mut Vec<Decision>,
) -> String {
    fn id<'a>(d: &&'a Doc<Allocation>) -> &'a str {
        d.value.control.as_str()
    }
    let applicable: Vec<&&Doc<Allocation>> = sources
        .iter()
        .filter(|d| d.value.party != Party::NotApplicable)
        .collect();
    let parties: BTreeSet<String> = applicable
        .iter()
        .map(|d| d.value.party.to_string())
        .collect();
    let party = match (applicable.first(), parties.len()) {
        (None, _) => Party::NotApplicable,
        (Some(first), 1) => first.value.party,
        _ => Party::Shared,
    };
    let many = sources.len() > 1;
    let differ = parties.len() > 1 || (applicable.len() < sources.len() && !applicable.is_empty());
    if differ {
        let list: Vec<String> = sources
            .iter()
            .map(|d| format!("{} {}", id(d), d.value.party))
            .collect();
        decisions.push(Decision {
            kind: "party",
            item: key.to_owned(),
            file: path.to_owned(),
            message: format!(
                "sources differ ({}): made {party}, each duty text kept with its source; rewrite them as one",
                list.join(", ")
            ),
        });
    }
    let owner = sources[0].value.owner.clone();
    owner_decision(
        sources.iter().map(|d| (id(d), &d.value.owner)),
        key,
        path,
        decisions,
    );
    let text =
        |f: fn(&Allocation) -> &str| prefixed(sources.iter().map(|d| (id(d), f(&d.value))), many);
    let mut s = format!("{}\n", FileKind::Allocation.schema_header(path));
    let _ = writeln!(s, "service = {}", q(svc.as_str()));
    let _ = writeln!(s, "control = {}", q(control.as_str()));
    let _ = writeln!(
        s,
        "party = \"{party}\"{}# provider | customer | shared | not-applicable",
        " ".repeat(17usize.saturating_sub(party.to_string().len()))
    );
    let _ = writeln!(s, "provider = {}", q(&text(|a| &a.provider)));
    let _ = writeln!(s, "customer = {}", q(&text(|a| &a.customer)));
    let _ = writeln!(s, "justification = {}", q(&text(|a| &a.justification)));
    let _ = writeln!(s, "owner = {}", q(owner.as_str()));
    if let Some(c) = shortest(sources.iter().filter_map(|d| d.value.cadence)) {
        let _ = writeln!(s, "cadence = \"{c}\"");
    }
    if let Some(raci) = sources.iter().find_map(|d| d.value.raci.as_ref()) {
        let _ = writeln!(s, "\n[raci]");
        for (k, v) in [
            ("responsible", &raci.responsible),
            ("accountable", &raci.accountable),
        ] {
            if let Some(v) = v {
                let _ = writeln!(s, "{k} = {}", q(v.as_str()));
            }
        }
        for (k, v) in [("consulted", &raci.consulted), ("informed", &raci.informed)] {
            if !v.is_empty() {
                let list: Vec<String> = v.iter().map(|i| q(i.as_str())).collect();
                let _ = writeln!(s, "{k} = [{}]", list.join(", "));
            }
        }
    }
    s
}

/// The map file: each new item key and the old keys (with the date their
/// file was added) it was made from.
pub fn map_text(plan: &Plan) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Written by `isms migrate`: the items of edition {} each item of edition {}\n\
         # was made from. isms reads it to carry review history across the migration.\n\
         # Do not edit it.",
        plan.from, plan.to
    );
    let _ = writeln!(s, "from = {}\nto = {}", q(&plan.from), q(&plan.to));
    for (key, sources) in &plan.map {
        let _ = writeln!(s, "\n[[item]]\nkey = {}", q(key));
        let list: Vec<String> = sources
            .iter()
            .map(|(k, added)| match added {
                Some(d) => format!("{{ key = {}, added = {d} }}", q(k)),
                None => format!("{{ key = {} }}", q(k)),
            })
            .collect();
        let _ = writeln!(s, "from = [{}]", list.join(", "));
    }
    s
}

/// The plan in words: what happens to the controls, the allocations and the
/// references, then each decision left to a person.
pub fn human(plan: &Plan) -> String {
    let mut s = String::new();
    let count = |how: How| plan.controls.iter().filter(|c| c.how == how).count();
    let sources = |how: How| -> usize {
        plan.controls
            .iter()
            .filter(|c| c.how == how)
            .map(|c| c.from.len())
            .sum()
    };
    let _ = writeln!(
        s,
        "migrate {} → {}: {} controls",
        plan.from,
        plan.to,
        plan.controls.len()
    );
    let _ = writeln!(
        s,
        "  controls     {} renamed (1:1), {} merged from {}, {} split, {} new",
        count(How::Renamed),
        count(How::Merged),
        sources(How::Merged),
        count(How::Split),
        count(How::New)
    );
    let a = &plan.allocations;
    let _ = writeln!(
        s,
        "  allocations  {} renamed, {} merged, {} split, {} created with TODO duties",
        a.renamed, a.merged, a.split, a.created
    );
    let _ = writeln!(
        s,
        "  references   {} lists rewritten",
        plan.references.len()
    );
    for c in plan.controls.iter().filter(|c| c.how != How::Renamed) {
        if c.how == How::New {
            continue;
        }
        let _ = writeln!(
            s,
            "    {:<8} {} ← {}",
            c.how.as_str(),
            c.id,
            c.from.join(", ")
        );
    }
    // A large repository rewrites thousands of evidence records: the first
    // few say what happens, the JSON plan lists them all.
    const SHOWN: usize = 25;
    for r in plan.references.iter().take(SHOWN) {
        let _ = writeln!(
            s,
            "    {} {}: {} → {}",
            r.file,
            r.key,
            r.from.join(", "),
            r.to.join(", ")
        );
    }
    if plan.references.len() > SHOWN {
        let _ = writeln!(
            s,
            "    … and {} more (--format json lists them all)",
            plan.references.len() - SHOWN
        );
    }
    if plan.decisions.is_empty() {
        let _ = writeln!(s, "\nno decisions left to people");
        return s;
    }
    let _ = writeln!(s, "\ndecisions left to people ({}):", plan.decisions.len());
    for d in &plan.decisions {
        let _ = writeln!(s, "  {:<13} {}\n  {:<13} {}", d.kind, d.item, "", d.message);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{doc, id};

    /// A control of the old edition with a decision, owner and cadence.
    fn old_control(s: &mut Snapshot, cid: &str, owner: &str, extra: &str, soa: &str) {
        let path = format!("controls/{cid}.toml");
        let text = format!(
            "id = \"{cid}\"\ntitle = \"T\"\nframework = \"Old\"\nowner = \"{owner}\"\nmatrix = true\n{extra}\n[soa]\n{soa}\n"
        );
        s.present.controls.insert(id(cid));
        s.controls
            .insert(id(cid), doc(FileKind::Control, &path, &text));
    }

    fn old_allocation(s: &mut Snapshot, cid: &str, body: &str) {
        let path = format!("responsibilities/api/{cid}.toml");
        let text = format!("service = \"api\"\ncontrol = \"{cid}\"\nowner = \"bob\"\n{body}");
        s.present.insert_allocation(id("api"), id(cid));
        s.allocations.insert(
            (id("api"), id(cid)),
            doc(FileKind::Allocation, &path, &text),
        );
    }

    /// Old A and B merge into X; old C is split into Y and Z; W is new.
    fn editions() -> (Crosswalk, Catalog) {
        let crosswalk: Crosswalk = toml::from_str(
            r#"
from = "old"
to = "new"
[[pair]]
from = "A"
to = "X"
[[pair]]
from = "B"
to = "X"
[[pair]]
from = "C"
to = "Y"
[[pair]]
from = "C"
to = "Z"
"#,
        )
        .unwrap();
        let control = |cid: &str| {
            format!(
                "[[control]]\nid = \"{cid}\"\ntitle = \"{cid} title\"\nframework = \"New\"\nsummary = \"S\"\nguidance_for = []\nmaps_to = {{}}\nmatrix = true\ndefault_party = {{ iaas = \"customer\", paas = \"shared\", saas = \"provider\" }}\n"
            )
        };
        let catalog: Catalog = toml::from_str(&format!(
            "edition = \"new\"\nname = \"New\"\n{}{}{}{}",
            control("X"),
            control("Y"),
            control("Z"),
            control("W")
        ))
        .unwrap();
        (crosswalk, catalog)
    }

    fn repository() -> Snapshot {
        let mut s = Snapshot {
            config: Some(doc(
                FileKind::Config,
                "isms.toml",
                "[organization]\nname = \"E\"\nrole = \"both\"\n[people.alice]\nname = \"A\"\n[people.bob]\nname = \"B\"\n",
            )),
            ..Snapshot::default()
        };
        s.services.insert(
            id("api"),
            doc(
                FileKind::Service,
                "services/api.toml",
                "id = \"api\"\nname = \"API\"\nrole = \"provider\"\nmodel = \"saas\"\nprovider = \"E\"\nowner = \"bob\"\n",
            ),
        );
        old_control(
            &mut s,
            "A",
            "alice",
            "cadence = \"1y\"",
            "applicable = true\njustification = \"Why A.\"\nstatus = \"implemented\"",
        );
        old_control(
            &mut s,
            "B",
            "bob",
            "cadence = \"3mo\"",
            "applicable = false\njustification = \"Why not B.\"\nstatus = \"not-applicable\"",
        );
        old_control(
            &mut s,
            "C",
            "alice",
            "",
            "applicable = true\njustification = \"Why C.\"\nstatus = \"partial\"",
        );
        old_allocation(
            &mut s,
            "A",
            "party = \"provider\"\nprovider = \"We do A.\"\n",
        );
        old_allocation(
            &mut s,
            "B",
            "party = \"customer\"\ncustomer = \"They do B.\"\n",
        );
        old_allocation(
            &mut s,
            "C",
            "party = \"shared\"\nprovider = \"We do C.\"\ncustomer = \"They do C.\"\n",
        );
        s
    }

    fn run(s: &Snapshot) -> Plan {
        let (crosswalk, catalog) = editions();
        run_with(s, &crosswalk, &catalog)
    }

    /// The plan for `s` between editions of these pairs and controls.
    fn run_with(s: &Snapshot, crosswalk: &Crosswalk, catalog: &Catalog) -> Plan {
        let added = |_: &str| NaiveDate::from_ymd_opt(2025, 1, 1);
        plan(&Input {
            snapshot: s,
            from: Edition::LEGACY,
            to: Edition::CURRENT,
            crosswalk,
            catalog,
            added: &added,
            records: &[],
        })
        .unwrap()
    }

    #[test]
    fn merges_splits_and_new_controls_follow_the_crosswalk() {
        let p = run(&repository());
        let how: Vec<(&str, How, Vec<&str>)> = p
            .controls
            .iter()
            .map(|c| {
                (
                    c.id.as_str(),
                    c.how,
                    c.from.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            how,
            vec![
                ("X", How::Merged, vec!["A", "B"]),
                ("Y", How::Split, vec!["C"]),
                ("Z", How::Split, vec!["C"]),
                ("W", How::New, vec![]),
            ]
        );
        // Every old control file goes; nothing is renamed (no 1:1 pair).
        assert!(p.renames.is_empty());
        let mut deletes = p.deletes.clone();
        deletes.sort();
        assert_eq!(
            deletes,
            [
                "controls/A.toml",
                "controls/B.toml",
                "controls/C.toml",
                "responsibilities/api/A.toml",
                "responsibilities/api/B.toml",
                "responsibilities/api/C.toml"
            ]
        );
        // A split item inherits its source's history; so does each part.
        let map: Vec<(&str, Vec<&str>)> = p
            .map
            .iter()
            .map(|(k, v)| (k.as_str(), v.iter().map(|(o, _)| o.as_str()).collect()))
            .collect();
        assert!(map.contains(&("control:Y", vec!["control:C"])));
        assert!(map.contains(&("control:Z", vec!["control:C"])));
        assert!(map.contains(&("control:X", vec!["control:A", "control:B"])));
        assert!(map.contains(&(
            "allocation:api/X",
            vec!["allocation:api/A", "allocation:api/B"]
        )));
        assert!(!map.iter().any(|(k, _)| *k == "control:W"));
        assert_eq!(
            p.allocations,
            AllocationCounts {
                renamed: 0,
                merged: 1,
                split: 2,
                created: 1
            }
        );
    }

    #[test]
    fn a_control_whose_sources_the_repository_lacks_is_not_called_new() {
        // A repository that kept only part of the old catalog: no C.
        let mut s = repository();
        s.controls.remove(&id("C"));
        s.allocations.remove(&(id("api"), id("C")));
        // V is V in both editions, and the repository lacks it too.
        let (mut crosswalk, mut catalog) = editions();
        crosswalk
            .pair
            .push(toml::from_str("from = \"V\"\nto = \"V\"").unwrap());
        let mut v = catalog.control[0].clone();
        v.id = id("V");
        catalog.control.push(v);
        let p = run_with(&s, &crosswalk, &catalog);
        let said: Vec<(&str, &str)> = p
            .decisions
            .iter()
            .filter(|d| d.kind == "new-control")
            .map(|d| (d.item.as_str(), d.message.as_str()))
            .collect();
        let todo = "decide whether it applies, who owns it and why (placeholders say TODO)";
        assert_eq!(
            said,
            vec![
                (
                    "control:V",
                    format!("this repository did not hold it on edition 2013: {todo}").as_str()
                ),
                ("control:W", format!("new in 2022: {todo}").as_str()),
                (
                    "control:Y",
                    format!("its 2013 sources (C) are not in this repository: {todo}").as_str()
                ),
                (
                    "control:Z",
                    format!("its 2013 sources (C) are not in this repository: {todo}").as_str()
                ),
            ]
        );
    }

    #[test]
    fn a_merged_control_takes_the_rules_of_the_design() {
        let p = run(&repository());
        let x: Control = toml::from_str(&p.writes["controls/X.toml"]).unwrap();
        let soa = x.soa.unwrap();
        // Applicable if any source is; the least implemented applicable status;
        // each justification kept with its source; the shortest cadence.
        assert!(soa.applicable);
        assert_eq!(soa.status, SoaStatus::Implemented);
        assert_eq!(soa.justification, "A: Why A.\nB: Why not B.");
        assert_eq!(x.cadence, Some(Period::Months(3)));
        assert_eq!(x.owner.as_str(), "alice");
        let kinds: Vec<(&str, &str)> = p
            .decisions
            .iter()
            .map(|d| (d.kind, d.item.as_str()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("party", "allocation:api/X"),
                ("new-control", "control:W"),
                ("applicability", "control:X"),
                ("owner", "control:X"),
            ]
        );
        // Parties that differ: shared, both duty texts with their sources.
        let a: Allocation = toml::from_str(&p.writes["responsibilities/api/X.toml"]).unwrap();
        assert_eq!(a.party, Party::Shared);
        assert_eq!(a.provider, "A: We do A.");
        assert_eq!(a.customer, "B: They do B.");
        // A split copies its source as it is.
        let y: Allocation = toml::from_str(&p.writes["responsibilities/api/Y.toml"]).unwrap();
        assert_eq!((y.party, y.provider.as_str()), (Party::Shared, "We do C."));
        // The new control's allocation: the model's default party, TODO duties.
        let w: Allocation = toml::from_str(&p.writes["responsibilities/api/W.toml"]).unwrap();
        assert_eq!(w.party, Party::Provider);
        assert!(w.provider.starts_with("TODO"), "{}", w.provider);
    }

    #[test]
    fn the_least_implemented_applicable_status_wins() {
        let mut s = repository();
        old_control(
            &mut s,
            "B",
            "alice",
            "",
            "applicable = true\njustification = \"B.\"\nstatus = \"planned\"",
        );
        let p = run(&s);
        let x: Control = toml::from_str(&p.writes["controls/X.toml"]).unwrap();
        assert_eq!(x.soa.unwrap().status, SoaStatus::Planned);
        assert!(!p.decisions.iter().any(|d| d.kind == "owner"));
    }

    #[test]
    fn an_unknown_control_is_refused_by_file() {
        let mut s = repository();
        old_control(
            &mut s,
            "Q",
            "alice",
            "",
            "applicable = true\njustification = \"Q.\"\nstatus = \"planned\"",
        );
        let (crosswalk, catalog) = editions();
        let added = |_: &str| None;
        let refusals = plan(&Input {
            snapshot: &s,
            from: Edition::LEGACY,
            to: Edition::CURRENT,
            crosswalk: &crosswalk,
            catalog: &catalog,
            added: &added,
            records: &[],
        })
        .unwrap_err();
        assert_eq!(refusals.len(), 1);
        assert_eq!(refusals[0].file, "controls/Q.toml");
    }

    #[test]
    fn the_shortest_cadence_compares_calendar_lengths() {
        let p = |s: &str| s.parse::<Period>().unwrap();
        assert_eq!(
            shortest([p("1y"), p("6mo"), p("30w")].into_iter()),
            Some(p("6mo"))
        );
        assert_eq!(
            shortest([p("2w"), p("14d")].into_iter()).map(|x| x.after(NaiveDate::MIN)),
            Some(p("14d").after(NaiveDate::MIN))
        );
        assert_eq!(shortest(std::iter::empty()), None);
    }
}
