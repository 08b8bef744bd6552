//! `isms status`: one screen for the ISMS owner.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use crate::check::review::State;
use crate::cli::Format;
use crate::error::Result;

use super::{Context, assessed, owner_label};

const KINDS: [&str; 5] = ["control", "service", "allocation", "evidence", "finding"];
const STATES: [State; 6] = [
    State::Ok,
    State::Due,
    State::Overdue,
    State::NeedsChange,
    State::Expired,
    State::MissingEvidence,
];

/// The JSON document of `isms status --format json` (pinned by a test).
#[derive(Serialize)]
struct StatusJson {
    version: u32,
    organization: String,
    as_of: String,
    branch: String,
    /// Per kind: items by state (an item with missing evidence is counted in both).
    counts: BTreeMap<&'static str, BTreeMap<&'static str, usize>>,
    matrix: Matrix,
    overdue_by_owner: Vec<OwnerItems>,
}

#[derive(Serialize)]
struct Matrix {
    required: usize,
    present: usize,
}

#[derive(Serialize)]
struct OwnerItems {
    owner: String,
    items: Vec<String>,
}

pub fn run(ctx: &Context) -> Result<ExitCode> {
    let a = assessed(ctx)?;
    let s = &a.snapshot;
    let config = s.config.as_ref().map(|c| &c.value);
    let mut counts: BTreeMap<&'static str, BTreeMap<&'static str, usize>> = BTreeMap::new();
    for kind in KINDS {
        let per: BTreeMap<&str, usize> = STATES.iter().map(|st| (st.as_str(), 0)).collect();
        counts.insert(kind, per);
    }
    for i in &a.assessment.items {
        *counts
            .get_mut(i.kind)
            .and_then(|m| m.get_mut(i.state.as_str()))
            .expect("known kind and state") += 1;
    }
    let mut required = 0;
    let mut present = 0;
    for svc in s
        .services
        .iter()
        .filter(|(_, v)| v.value.in_scope)
        .map(|(k, _)| k)
    {
        for ctl in s
            .controls
            .iter()
            .filter(|(_, c)| c.value.matrix && c.value.is_applicable())
            .map(|(k, _)| k)
        {
            required += 1;
            present += usize::from(s.present.allocations.contains(&(svc.clone(), ctl.clone())));
        }
    }
    let mut overdue: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for i in a.assessment.items.iter().filter(|i| i.state.is_flagged()) {
        let entry = overdue.entry(i.owner.as_str()).or_default();
        if !entry.contains(&i.item) {
            entry.push(i.item.clone());
        }
    }
    let doc = StatusJson {
        version: 1,
        organization: config
            .map(|c| c.organization.name.clone())
            .unwrap_or_default(),
        as_of: ctx.today.to_string(),
        branch: a.branch.clone(),
        counts,
        matrix: Matrix { required, present },
        overdue_by_owner: overdue
            .into_iter()
            .map(|(o, items)| OwnerItems {
                owner: o.to_owned(),
                items,
            })
            .collect(),
    };
    let mut out = anstream::stdout().lock();
    let _ = match ctx.format {
        Format::Json => serde_json::to_writer_pretty(&mut out, &doc)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
        _ => human(&mut out, &doc, config),
    };
    Ok(ExitCode::SUCCESS)
}

fn human(
    out: &mut impl Write,
    d: &StatusJson,
    config: Option<&crate::model::Config>,
) -> std::io::Result<()> {
    const BOLD: anstyle::Style = anstyle::Style::new().bold();
    const RED: anstyle::Style = anstyle::AnsiColor::Red.on_default().bold();
    writeln!(
        out,
        "{BOLD}{}{BOLD:#} — as of {}, record branch {}\n",
        d.organization, d.as_of, d.branch
    )?;
    let header = [
        "ok",
        "due",
        "overdue",
        "needs-change",
        "expired",
        "missing-evidence",
    ];
    write!(out, "  {:<12}", "")?;
    for h in header {
        write!(out, " {h:>w$}", w = h.len().max(4))?;
    }
    writeln!(out)?;
    for (kind, label) in [
        ("control", "controls"),
        ("service", "services"),
        ("allocation", "allocations"),
        ("evidence", "evidence"),
        ("finding", "findings"),
    ] {
        write!(out, "  {label:<12}")?;
        for h in header {
            let n = d.counts[kind][h];
            let cell = if n == 0 {
                "-".to_owned()
            } else {
                n.to_string()
            };
            write!(out, " {cell:>w$}", w = h.len().max(4))?;
        }
        writeln!(out)?;
    }
    let pct = if d.matrix.required == 0 {
        100.0
    } else {
        100.0 * d.matrix.present as f64 / d.matrix.required as f64
    };
    writeln!(
        out,
        "\n  matrix: {} of {} allocations present ({pct:.1}%)",
        d.matrix.present, d.matrix.required
    )?;
    if d.overdue_by_owner.is_empty() {
        writeln!(out, "\n  nothing needs action")?;
        return Ok(());
    }
    writeln!(out, "\n  {RED}needs action{RED:#}, by owner:")?;
    let labels: Vec<String> = d
        .overdue_by_owner
        .iter()
        .map(|o| owner_label(config, &o.owner))
        .collect();
    let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    for (o, label) in d.overdue_by_owner.iter().zip(&labels) {
        let shown: Vec<&str> = o.items.iter().take(4).map(String::as_str).collect();
        let more = if o.items.len() > 4 {
            format!(", +{} more", o.items.len() - 4)
        } else {
            String::new()
        };
        writeln!(
            out,
            "    {label:<width$}  {:>3}  {}{more}",
            o.items.len(),
            shown.join(", ")
        )?;
    }
    writeln!(out, "\n  details: isms stale [--owner WHO]")
}
