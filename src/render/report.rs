//! Reports: one model (a titled table with notes) and its renderings as
//! Markdown, CSV (RFC 4180), JSON and standalone HTML.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use maud::{Markup, PreEscaped, html};
use serde_json::{Value, json};

use crate::check::review::{Assessment, ItemStatus, State};
use crate::model::{Edition, Party, Side, Snapshot, in_reading_order};
use crate::render::NL;

/// A report: columns, rows of text cells, and notes shown under the table
/// in Markdown and HTML.
#[derive(Debug)]
pub struct Report {
    /// `soa`, `matrix`, `evidence`.
    pub kind: &'static str,
    pub title: String,
    pub as_of: String,
    /// (id for JSON, heading).
    pub columns: Vec<(String, String)>,
    pub rows: Vec<Vec<String>>,
    /// (heading, text) paragraphs: the matrix's duties, the SoA's notes.
    pub notes: Vec<(String, String)>,
    /// The heading the notes go under.
    pub notes_title: &'static str,
    /// What a cell stands for, in words, where a cell is short for more (the
    /// matrix's duties behind each party): one entry per row, one string
    /// per column, empty when there is nothing more. Markdown and HTML show
    /// them as notes; CSV as a column after each column that has any, named
    /// by the notes' title (`payments-api duties`).
    pub details: Vec<Vec<String>>,
    /// What was read, when it is not simply the committed record: "Read
    /// from commit …", "Read from the working tree, which differs from HEAD …".
    pub source: Option<String>,
}

/// What a column's cells are, for the typed JSON rendering; the other
/// renderings show the text. A column not named is [`Type::Text`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    /// A string; an empty cell is `null`.
    Text,
    /// Space-separated IDs: an array.
    Ids,
    /// `yes` or empty: `true` or `false`.
    Flag,
    /// `yes`, `no` or `undecided`: `true`, `false` or `null`.
    Decision,
    /// `path sha256:HEX; …`: an array of `{path, sha256}`.
    Artifacts,
}

/// The type of each column whose cells are not text.
fn type_of(column: &str) -> Type {
    match column {
        "controls" | "services" | "evidence" | "expired_evidence" | "other_edition" => Type::Ids,
        "guidance_provider" | "guidance_customer" => Type::Flag,
        "applicable" => Type::Decision,
        "artifacts" => Type::Artifacts,
        _ => Type::Text,
    }
}

/// How a column's cells are laid out in HTML, where a narrow column would
/// break them: a day or a finding's ID never at its hyphens (`2026-12-15`,
/// `2026-003`), a paragraph wide enough to read.
fn cell_style(column: &str) -> Option<&'static str> {
    match column {
        "raised" | "due" | "closed" | "collected" | "expires" | "last_review" | "finding" => {
            Some("white-space:nowrap")
        }
        "justification" | "corrective_action" => Some("min-width:18em"),
        _ => None,
    }
}

/// CSS for the cells of the tables `table` selects, whose columns are
/// `ids` in order ([`cell_style`]). Cells are matched by position, so that
/// no cell's markup changes.
pub fn column_css<'a>(table: &str, ids: impl IntoIterator<Item = &'a str>) -> String {
    let mut css = String::new();
    for (i, id) in ids.into_iter().enumerate() {
        if let Some(style) = cell_style(id) {
            let _ = write!(css, "{table} td:nth-child({}){{{style}}}", i + 1);
        }
    }
    css
}

/// One cell as typed JSON.
fn typed(t: Type, cell: &str) -> Value {
    match t {
        Type::Text if cell.is_empty() => Value::Null,
        Type::Text => json!(cell),
        Type::Ids => json!(cell.split_whitespace().collect::<Vec<_>>()),
        Type::Flag => json!(cell == "yes"),
        Type::Decision => match cell {
            "yes" => json!(true),
            "no" => json!(false),
            _ => Value::Null,
        },
        Type::Artifacts => Value::Array(
            cell.split("; ")
                .filter(|a| !a.is_empty())
                .map(|a| match a.rsplit_once(" sha256:") {
                    Some((path, sha)) => json!({"path": path, "sha256": sha}),
                    None => json!({"path": a, "sha256": null}),
                })
                .collect(),
        ),
    }
}

/// Each item's review state (for a control, not its evidence state), and
/// the controls that lack required evidence.
fn by_item(a: &Assessment) -> (BTreeMap<&str, &ItemStatus>, BTreeSet<&str>) {
    let mut reviews = BTreeMap::new();
    let mut missing = BTreeSet::new();
    for i in &a.items {
        if i.state == State::MissingEvidence {
            missing.insert(i.item.as_str());
        } else {
            reviews.insert(i.item.as_str(), i);
        }
    }
    (reviews, missing)
}

/// The Statement of Applicability: every control with its decision, owner,
/// last review and evidence.
pub fn soa(s: &Snapshot, a: &Assessment, as_of: &str) -> Report {
    let (items, missing) = by_item(a);
    let mut evidence: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, e) in collected_by(s, as_of) {
        for c in &e.value.controls {
            evidence.entry(c.as_str()).or_default().push(id.as_str());
        }
    }
    let edition = s
        .config
        .as_ref()
        .map(|c| c.value.catalog.edition)
        .unwrap_or_default();
    let (other, other_ids) = other_edition(edition);
    // Evidence past its expiry on the report's date.
    let expired: BTreeSet<String> = a
        .items
        .iter()
        .filter(|i| i.kind == "evidence" && i.state == State::Expired)
        .filter_map(|i| i.item.strip_prefix("evidence:").map(str::to_owned))
        .collect();
    let config = s.config.as_ref().map(|c| &c.value);
    let name_of = |owner: &str| -> String {
        config
            .and_then(|c| c.name_of(owner))
            .unwrap_or_default()
            .to_owned()
    };
    let yes = |c: &crate::model::Control, side: Side| {
        if c.guidance_for.contains(&side) {
            "yes".to_owned()
        } else {
            String::new()
        }
    };
    let rows = in_reading_order(&s.controls)
        .into_iter()
        .map(|(id, c)| {
            let c = &c.value;
            let (applicable, justification, status) = match &c.soa {
                Some(d) => (
                    if d.applicable { "yes" } else { "no" }.to_owned(),
                    d.justification.clone(),
                    d.status.as_str().to_owned(),
                ),
                None => ("undecided".into(), String::new(), String::new()),
            };
            let key = format!("control:{id}");
            let review = items.get(key.as_str());
            let (last, commit, by, outcome) = review
                .and_then(|i| i.last_review.as_ref())
                .map(|r| {
                    (
                        r.landed.to_string(),
                        r.commit
                            .as_deref()
                            .map(|c| c[..10.min(c.len())].to_owned())
                            .unwrap_or_default(),
                        r.author.clone(),
                        r.outcome.as_str().to_owned(),
                    )
                })
                .unwrap_or_default();
            let linked: Vec<&str> = evidence.get(id.as_str()).cloned().unwrap_or_default();
            vec![
                id.to_string(),
                c.title.clone(),
                c.theme.map(|t| t.as_str().to_owned()).unwrap_or_default(),
                applicable,
                justification,
                status,
                c.owner.to_string(),
                name_of(c.owner.as_str()),
                match (review, missing.contains(key.as_str())) {
                    (Some(i), true) => format!("{}; missing evidence", i.state.as_str()),
                    (Some(i), false) => i.state.as_str().to_owned(),
                    (None, true) => "missing evidence".to_owned(),
                    (None, false) => String::new(),
                },
                last,
                by,
                outcome,
                commit,
                linked.join(" "),
                linked
                    .iter()
                    .filter(|e| expired.contains(**e))
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" "),
                yes(c, Side::Provider),
                yes(c, Side::Customer),
                other_ids(id.as_str()),
            ]
        })
        .collect();
    let mut notes = Vec::new();
    // Open findings on a control, as of the report's date.
    let today: Option<chrono::NaiveDate> = as_of.parse().ok();
    let mut open: BTreeMap<&crate::model::Id, Vec<String>> = BTreeMap::new();
    for (_, f) in in_reading_order(&s.findings) {
        let f = &f.value;
        let raised = today.is_none_or(|t| f.raised.0 <= t);
        let state = today.map_or("open", |t| finding_state(f, t));
        if !raised || state == "closed" {
            continue;
        }
        let due = f.due.map(|d| format!(", due {d}")).unwrap_or_default();
        let line = format!("{} ({}, {state}{due}): {}", f.id, f.kind.as_str(), f.title);
        for c in &f.controls {
            open.entry(c).or_default().push(line.clone());
        }
    }
    for (id, _) in in_reading_order(&s.controls) {
        if let Some(lines) = open.get(id) {
            notes.push((format!("{id}: open findings"), lines.join("; ")));
        }
    }
    if s.controls.values().any(|c| c.value.guidance_derived) {
        notes.push((
            "ISO/IEC 27017 guidance".to_owned(),
            "ISO/IEC 27017:2015 numbers its cloud guidance by ISO/IEC 27002:2013. The guidance \
             of a control marked `guidance_derived` is that of its 2013 sources."
                .to_owned(),
        ));
    }
    let catalog = crate::scaffold::templates::catalog(edition);
    let mut columns = cols(SOA_COLUMNS);
    columns.push(("other_edition".to_owned(), other));
    Report {
        kind: "soa",
        title: format!("Statement of Applicability ({})", catalog.name),
        as_of: as_of.to_owned(),
        columns,
        rows,
        notes,
        notes_title: "Notes",
        details: Vec::new(),
        source: None,
    }
}

/// A control's IDs in another edition, space-separated.
type IdsIn = Box<dyn Fn(&str) -> String>;

/// The heading of the other edition's column, and each control's IDs in it,
/// from the crosswalk between the two.
fn other_edition(edition: Edition) -> (String, IdsIn) {
    let names = Edition::names();
    let at = names
        .iter()
        .position(|n| *n == edition.as_str())
        .unwrap_or(0);
    let join = |ids: Vec<&crate::model::Id>| {
        let ids: Vec<&str> = ids.iter().map(|i| i.as_str()).collect();
        ids.join(" ")
    };
    // The edition before this one, or for the oldest, the one after it.
    if let Some(prev) = at.checked_sub(1).and_then(|i| Edition::parse(names[i]))
        && let Some(x) = crate::scaffold::templates::crosswalk(prev, edition)
    {
        return (
            format!("{prev} IDs"),
            Box::new(move |id| join(x.sources(id))),
        );
    }
    if let Some(next) = names.get(at + 1).and_then(|n| Edition::parse(n))
        && let Some(x) = crate::scaffold::templates::crosswalk(edition, next)
    {
        return (
            format!("{next} IDs"),
            Box::new(move |id| join(x.targets(id))),
        );
    }
    ("Other edition".to_owned(), Box::new(|_| String::new()))
}

/// What a matrix cell adds when its allocation still holds a placeholder.
pub const TODO_MARK: &str = "(TODO)";

/// A matrix cell that needs an allocation and has none.
pub const MISSING: &str = "missing";

/// A matrix cell of a control the Statement of Applicability excludes,
/// where the service has no allocation: none is needed (DESIGN §4).
pub const EXCLUDED: &str = "excluded";

/// The responsibility matrix: matrix controls × in-scope services, the
/// party in each cell; the duties as notes.
pub fn matrix(s: &Snapshot, narrow: Narrow, as_of: &str) -> Report {
    let services: Vec<&crate::model::Id> = s
        .services
        .iter()
        .filter(|(id, v)| v.value.in_scope && narrow.service.is_none_or(|x| x == id.as_str()))
        .map(|(id, _)| id)
        .collect();
    let mut columns = cols(&[("control", "Control"), ("title", "Title")]);
    // Whose "provider" it is: ours for a service we provide, another's for
    // one we consume.
    let provider_of = |svc: &crate::model::Id| -> String {
        let v = &s.services[svc].value;
        match v.role {
            crate::model::ServiceRole::Provider => "we provide".to_owned(),
            crate::model::ServiceRole::Customer => format!("{} provides", v.provider),
        }
    };
    columns.extend(
        services
            .iter()
            .map(|svc| (svc.to_string(), format!("{svc} ({})", provider_of(svc)))),
    );
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let mut details = Vec::new();
    for (id, c) in in_reading_order(&s.controls)
        .into_iter()
        .filter(|(id, c)| c.value.matrix && narrow.control.is_none_or(|x| x == id.as_str()))
    {
        let mut row = vec![id.to_string(), c.value.title.clone()];
        let mut detail = vec![String::new(), String::new()];
        // Why an excluded control needs no allocation, said once.
        let exclusion = (!c.value.is_applicable()).then(|| {
            let why = c
                .value
                .soa
                .as_ref()
                .map_or("", |soa| soa.justification.trim());
            match why {
                "" => "Excluded from the Statement of Applicability.".to_owned(),
                why => format!("Excluded from the Statement of Applicability: {why}"),
            }
        });
        if let Some(why) = &exclusion {
            notes.push((format!("{id} ({EXCLUDED})"), why.clone()));
        }
        for svc in &services {
            let doc = s.allocations.get(&((*svc).clone(), id.clone()));
            let alloc = doc.map(|d| &d.value);
            // A cell still holding a placeholder says so: filled, not finished.
            row.push(match doc {
                None if exclusion.is_some() => EXCLUDED.to_owned(),
                None => MISSING.to_owned(),
                Some(d) if crate::check::placeholders::is_placeholder(d) => {
                    format!("{} {TODO_MARK}", d.value.party)
                }
                Some(d) => d.value.party.to_string(),
            });
            if let Some(a) = alloc {
                let mut text = String::new();
                let ours = s.services[*svc].value.role == crate::model::ServiceRole::Provider;
                let (provider, customer) = if ours {
                    ("Provider (us)", "Customer")
                } else {
                    ("Provider", "Customer (us)")
                };
                if matches!(a.party, Party::Provider | Party::Shared) && !a.provider.is_empty() {
                    let _ = write!(text, "{provider}: {}", a.provider);
                }
                if matches!(a.party, Party::Customer | Party::Shared) && !a.customer.is_empty() {
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    let _ = write!(text, "{customer}: {}", a.customer);
                }
                if a.party == Party::NotApplicable {
                    let _ = write!(text, "Not applicable: {}", a.justification);
                }
                if !text.is_empty() {
                    notes.push((format!("{svc} / {id} ({})", a.party), text.clone()));
                }
                detail.push(text);
            } else {
                detail.push(exclusion.clone().unwrap_or_default());
            }
        }
        rows.push(row);
        details.push(detail);
    }
    Report {
        kind: "matrix",
        title: "Responsibility matrix".into(),
        as_of: as_of.to_owned(),
        columns,
        rows,
        notes,
        notes_title: "Duties",
        details,
        source: None,
    }
}

/// Every allocation, a row each, with the fields of its file that say who
/// does what: the table `isms import allocations` takes back.
pub fn allocations(s: &Snapshot, narrow: Narrow, as_of: &str) -> Report {
    let mut docs: Vec<_> = (s.allocations.iter())
        .filter(|((svc, ctl), _)| {
            narrow.service.is_none_or(|x| x == svc.as_str())
                && narrow.control.is_none_or(|x| x == ctl.as_str())
        })
        .collect();
    docs.sort_by(|((s1, c1), _), ((s2, c2), _)| {
        crate::model::natural_cmp(s1.as_str(), s2.as_str())
            .then_with(|| crate::model::natural_cmp(c1.as_str(), c2.as_str()))
    });
    let rows = (docs.into_iter())
        .map(|((svc, ctl), d)| {
            let a = &d.value;
            let title = s.controls.get(ctl).map(|c| c.value.title.clone());
            vec![
                svc.to_string(),
                ctl.to_string(),
                title.unwrap_or_default(),
                a.party.to_string(),
                a.provider.clone(),
                a.customer.clone(),
                a.justification.clone(),
                a.owner.to_string(),
            ]
        })
        .collect();
    Report {
        kind: "allocations",
        title: "Allocations".into(),
        as_of: as_of.to_owned(),
        columns: cols(ALLOCATION_COLUMNS),
        rows,
        notes: Vec::new(),
        notes_title: "Notes",
        details: Vec::new(),
        source: None,
    }
}

/// The Statement of Applicability's columns, (id, heading), but its last:
/// `other_edition`, headed by the edition it names.
pub const SOA_COLUMNS: &[(&str, &str)] = &[
    ("control", "Control"),
    ("title", "Title"),
    ("theme", "Theme"),
    ("applicable", "Applicable"),
    ("justification", "Justification"),
    ("status", "Status"),
    ("owner", "Owner"),
    ("owner_name", "Owner name"),
    ("review_state", "Review"),
    ("last_review", "Last review"),
    ("reviewed_by", "Reviewed by"),
    ("review_outcome", "Outcome"),
    ("commit", "Commit"),
    ("evidence", "Evidence"),
    ("expired_evidence", "Expired evidence"),
    ("guidance_provider", "27017 provider guidance"),
    ("guidance_customer", "27017 customer guidance"),
];

/// The allocations report's columns, (id, heading): its CSV's header.
pub const ALLOCATION_COLUMNS: &[(&str, &str)] = &[
    ("service", "Service"),
    ("control", "Control"),
    ("title", "Title"),
    ("party", "Party"),
    ("provider", "Provider"),
    ("customer", "Customer"),
    ("justification", "Justification"),
    ("owner", "Owner"),
];

/// What a report is narrowed to: one service's part of it, one control's,
/// or both; all of it by default.
#[derive(Clone, Copy, Default)]
pub struct Narrow<'a> {
    pub service: Option<&'a str>,
    pub control: Option<&'a str>,
}

impl Narrow<'_> {
    /// Whether a record naming `services` and `controls` is in the part
    /// narrowed to.
    fn holds(&self, services: &[crate::model::Id], controls: &[crate::model::Id]) -> bool {
        let names = |list: &[crate::model::Id], x: &str| list.iter().any(|i| i.as_str() == x);
        self.service.is_none_or(|x| names(services, x))
            && self.control.is_none_or(|x| names(controls, x))
    }
}

/// The evidence register: each record, its controls, dates, expiry state and
/// artifact hashes.
pub fn evidence(s: &Snapshot, a: &Assessment, narrow: Narrow, as_of: &str) -> Report {
    let (items, _) = by_item(a);
    let rows = collected_by(s, as_of)
        .filter(|(_, e)| narrow.holds(&e.value.services, &e.value.controls))
        .map(|(id, e)| {
            let e = &e.value;
            let status = items.get(format!("evidence:{id}").as_str());
            vec![
                id.to_string(),
                e.title.clone(),
                e.kind.clone(),
                join(&e.controls),
                join(&e.services),
                e.collected.to_string(),
                e.collected_by.to_string(),
                status
                    .and_then(|i| i.due)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                status
                    .map(|i| i.state.as_str().to_owned())
                    .unwrap_or_else(|| "ok".into()),
                e.artifacts
                    .iter()
                    .map(|x| format!("{} sha256:{}", x.path, x.sha256))
                    .collect::<Vec<_>>()
                    .join("; "),
            ]
        })
        .collect();
    Report {
        kind: "evidence",
        title: "Evidence register".into(),
        as_of: as_of.to_owned(),
        columns: cols(&[
            ("evidence", "Evidence"),
            ("title", "Title"),
            ("kind", "Kind"),
            ("controls", "Controls"),
            ("services", "Services"),
            ("collected", "Collected"),
            ("collected_by", "Collected by"),
            ("expires", "Expires"),
            ("state", "State"),
            ("artifacts", "Artifacts"),
        ]),
        rows,
        notes: Vec::new(),
        notes_title: "Notes",
        details: Vec::new(),
        source: None,
    }
}

/// The evidence records collected by `as_of`: a record collected later was
/// not part of the record on that day, as the assessment has it.
pub fn collected_by<'a>(
    s: &'a Snapshot,
    as_of: &str,
) -> impl Iterator<
    Item = (
        &'a crate::model::Id,
        &'a crate::model::Doc<crate::model::Evidence>,
    ),
> {
    let day: Option<chrono::NaiveDate> = as_of.parse().ok();
    s.evidence
        .iter()
        .filter(move |(_, e)| day.is_none_or(|d| e.value.collected.0 <= d))
}

/// The findings raised by `as_of`: a finding raised later was not part of
/// the record on that day, as the findings register has it.
pub fn raised_by<'a>(
    s: &'a Snapshot,
    as_of: &str,
) -> impl Iterator<
    Item = (
        &'a crate::model::Id,
        &'a crate::model::Doc<crate::model::Finding>,
    ),
> {
    let day: Option<chrono::NaiveDate> = as_of.parse().ok();
    s.findings
        .iter()
        .filter(move |(_, f)| day.is_none_or(|d| f.value.raised.0 <= d))
}

/// Where a finding stands on `as_of`: `closed` (closed or accepted),
/// `overdue` (open past its due date) or `open`.
pub fn finding_state(f: &crate::model::Finding, as_of: chrono::NaiveDate) -> &'static str {
    use crate::model::FindingStatus;
    match (f.status, f.due) {
        (FindingStatus::Closed | FindingStatus::Accepted, _) => "closed",
        (_, Some(due)) if as_of > due.0 => "overdue",
        _ => "open",
    }
}

/// The findings register: every finding raised by the as-of date, with its
/// severity, status and state, dates, owner, controls and corrective action.
pub fn findings(s: &Snapshot, narrow: Narrow, as_of: chrono::NaiveDate) -> Report {
    let rows = in_reading_order(&s.findings)
        .into_iter()
        .map(|(_, f)| &f.value)
        .filter(|f| f.raised.0 <= as_of)
        .filter(|f| narrow.holds(&f.services, &f.controls))
        .map(|f| {
            vec![
                f.id.to_string(),
                f.title.clone(),
                f.kind.as_str().to_owned(),
                f.severity
                    .map(crate::model::Severity::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                f.status.as_str().to_owned(),
                finding_state(f, as_of).to_owned(),
                f.raised.to_string(),
                f.due.map(|d| d.to_string()).unwrap_or_default(),
                f.closed.map(|d| d.to_string()).unwrap_or_default(),
                f.owner.to_string(),
                join(&f.controls),
                join(&f.services),
                f.corrective_action.clone(),
            ]
        })
        .collect();
    Report {
        kind: "findings",
        title: "Findings register".into(),
        as_of: as_of.to_string(),
        columns: cols(&[
            ("finding", "Finding"),
            ("title", "Title"),
            ("kind", "Kind"),
            ("severity", "Severity"),
            ("status", "Status"),
            ("state", "State"),
            ("raised", "Raised"),
            ("due", "Due"),
            ("closed", "Closed"),
            ("owner", "Owner"),
            ("controls", "Controls"),
            ("services", "Services"),
            ("corrective_action", "Corrective action"),
        ]),
        rows,
        notes: Vec::new(),
        notes_title: "Notes",
        details: Vec::new(),
        source: None,
    }
}

fn cols(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(id, h)| (id.to_string(), h.to_string()))
        .collect()
}

fn join(ids: &[crate::model::Id]) -> String {
    ids.iter().map(|i| i.as_str()).collect::<Vec<_>>().join(" ")
}

impl Report {
    /// " " and the source, when there is one to say.
    fn stamp(&self) -> String {
        self.source
            .as_ref()
            .map(|s| format!(" {s}"))
            .unwrap_or_default()
    }

    pub fn markdown(&self) -> String {
        // What Markdown would read as a tag (`<tenant>`, which GitHub drops)
        // is escaped, and so is what would end a cell; a line break is a space.
        use super::markdown::{cell, line};
        let mut out = format!(
            "# {}\n\nAs of {}.{}\n\n",
            self.title,
            self.as_of,
            self.stamp()
        );
        let heads: Vec<String> = self.columns.iter().map(|(_, h)| cell(h)).collect();
        let _ = writeln!(out, "| {} |", heads.join(" | "));
        let _ = writeln!(out, "|{}", " --- |".repeat(heads.len()));
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        if !self.notes.is_empty() {
            let _ = write!(out, "\n## {}\n\n", self.notes_title);
            for (head, note) in &self.notes {
                let _ = writeln!(out, "- **{}**: {}", line(head), line(note));
            }
        }
        out
    }

    /// The type of column `id` in this report: the matrix's service
    /// columns hold a party, whatever the service is called.
    fn type_of(&self, id: &str) -> Type {
        match (self.kind, id) {
            ("matrix", id) if id != "control" && id != "title" => Type::Text,
            // The register's own ID column.
            ("evidence", "evidence") => Type::Text,
            _ => type_of(id),
        }
    }

    pub fn csv(&self) -> String {
        // The columns whose cells stand for more get a column of it beside them.
        let detailed: Vec<bool> = (0..self.columns.len())
            .map(|c| {
                self.details
                    .iter()
                    .any(|d| d.get(c).is_some_and(|t| !t.is_empty()))
            })
            .collect();
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut head = Vec::new();
        for ((id, _), more) in self.columns.iter().zip(&detailed) {
            head.push(id.clone());
            if *more {
                head.push(format!("{id} {}", self.notes_title.to_lowercase()));
            }
        }
        let _ = w.write_record(&head);
        for (r, row) in self.rows.iter().enumerate() {
            let mut record = Vec::new();
            for (c, cell) in row.iter().enumerate() {
                record.push(cell.as_str());
                if detailed[c] {
                    record.push(
                        self.details
                            .get(r)
                            .and_then(|d| d.get(c))
                            .map_or("", String::as_str),
                    );
                }
            }
            let _ = w.write_record(&record);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    pub fn json(&self) -> Value {
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|row| {
                let obj: serde_json::Map<String, Value> = self
                    .columns
                    .iter()
                    .zip(row)
                    .map(|((id, _), v)| (id.clone(), typed(self.type_of(id), v)))
                    .collect();
                Value::Object(obj)
            })
            .collect();
        let mut doc = json!({
            "version": 2,
            "report": self.kind,
            "title": self.title,
            "as_of": self.as_of,
            "columns": self.columns.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            "rows": rows,
        });
        if let (Some(source), Some(o)) = (&self.source, doc.as_object_mut()) {
            o.insert("source".into(), json!(source));
        }
        if !self.notes.is_empty()
            && let Some(o) = doc.as_object_mut()
        {
            let notes: Vec<Value> = self
                .notes
                .iter()
                .map(|(head, text)| json!({"heading": head, "text": text}))
                .collect();
            o.insert("notes_title".into(), json!(self.notes_title));
            o.insert("notes".into(), Value::Array(notes));
        }
        doc
    }

    /// A standalone page: no scripts, no external assets.
    pub fn html(&self) -> String {
        // On paper (an SoA is often filed as a PDF): landscape, the header
        // row on every page, no row split across pages.
        const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}\
             th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}\
             th{background:#f3f3f3}\
             @media print{@page{size:landscape;margin:1cm}body{margin:0;font-size:8pt}th,td{padding:.15rem .3rem}tr{break-inside:avoid}}";
        html! {
            (PreEscaped("<!doctype html>\n"))
            html lang="en" {
                head {
                    meta charset="utf-8";
                    title { (self.title) }
                    (NL)
                    style {
                        (PreEscaped(STYLE))
                        (PreEscaped(column_css("table", self.columns.iter().map(|(id, _)| id.as_str()))))
                    }
                }
                body {
                    (NL)
                    h1 { (self.title) } (NL)
                    p { "As of " (self.as_of) "." (self.stamp()) } (NL)
                    table {
                        (NL)
                        thead { tr { @for (_, h) in &self.columns { th { (h) } } } } (NL)
                        tbody {
                            (NL)
                            @for row in &self.rows {
                                tr { @for c in row { td { (c) } } } (NL)
                            }
                        }
                        (NL)
                    }
                    (NL)
                    (self.notes_html())
                }
            }
            (NL)
        }
        .into_string()
    }

    /// The notes under their heading, as a definition list; nothing when
    /// there are none. The standalone page and the dashboard both show it.
    pub fn notes_html(&self) -> Markup {
        html! {
            @if !self.notes.is_empty() {
                h2 { (self.notes_title) } (NL)
                dl {
                    (NL)
                    @for (head, text) in &self.notes {
                        dt { (head) } dd { (text) } (NL)
                    }
                }
                (NL)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_or_a_findings_id_is_never_broken_and_a_paragraph_has_room() {
        let css = column_css("table.t", ["finding", "title", "due", "justification"]);
        assert_eq!(
            css,
            "table.t td:nth-child(1){white-space:nowrap}\
             table.t td:nth-child(3){white-space:nowrap}\
             table.t td:nth-child(4){min-width:18em}"
        );
        assert_eq!(column_css("table", ["control", "title"]), "");
    }

    fn sample() -> Report {
        Report {
            kind: "soa",
            title: "T".into(),
            as_of: "2026-11-02".into(),
            columns: cols(&[("a", "A"), ("b", "B")]),
            rows: vec![vec!["x|y".into(), "say \"hi\", <b>".into()]],
            notes: vec![],
            notes_title: "Notes",
            details: Vec::new(),
            source: None,
        }
    }

    #[test]
    fn a_record_is_in_the_part_narrowed_to_when_it_names_all_that_is_narrowed() {
        let ids = |list: &[&str]| -> Vec<crate::model::Id> {
            list.iter()
                .map(|i| crate::model::Id::parse(i).unwrap())
                .collect()
        };
        let (services, controls) = (ids(&["api", "db"]), ids(&["5.18", "8.2"]));
        let narrow = |service, control| Narrow { service, control };
        assert!(Narrow::default().holds(&services, &controls));
        assert!(narrow(Some("db"), None).holds(&services, &controls));
        assert!(narrow(None, Some("8.2")).holds(&services, &controls));
        assert!(narrow(Some("api"), Some("5.18")).holds(&services, &controls));
        assert!(!narrow(Some("web"), None).holds(&services, &controls));
        assert!(!narrow(None, Some("5.1")).holds(&services, &controls));
        assert!(!narrow(Some("api"), Some("5.1")).holds(&services, &controls));
        assert!(!narrow(None, Some("5.18")).holds(&services, &[]));
    }

    #[test]
    fn every_rendering_escapes_what_its_format_needs() {
        let r = sample();
        assert!(r.markdown().contains("| x\\|y | say \"hi\", \\<b> |"));
        assert_eq!(r.csv(), "a,b\nx|y,\"say \"\"hi\"\", <b>\"\n");
        assert!(r.html().contains("<td>say &quot;hi&quot;, &lt;b&gt;</td>"));
        assert_eq!(r.json()["rows"][0]["b"], "say \"hi\", <b>");
    }
}
