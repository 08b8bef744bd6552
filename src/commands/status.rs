//! `isms status`: one screen for the ISMS owner.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use crate::check::review::{KIND_LABELS, STATES};
use crate::cli::{Format, StatusArgs};
use crate::diagnostic::one_line;
use crate::error::Result;

use super::Context;
use super::summary;
use crate::summary::{Matrix, Summary};

/// The JSON document of `isms status --format json` (pinned by a test).
#[derive(Serialize)]
struct StatusJson<'a> {
    version: u32,
    organization: String,
    as_of: String,
    branch: String,
    /// What was read, when not the working tree as `HEAD` has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    /// Per kind: items by state, each item once, in its most urgent state.
    counts: &'a BTreeMap<String, BTreeMap<String, usize>>,
    matrix: &'a Matrix,
    /// Each service out of scope, with the allocations it keeps and that
    /// the matrix no longer counts; left out when there is none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    out_of_scope: Vec<OutOfScope<'a>>,
    overdue_by_owner: Vec<OwnerItems>,
    /// The reviews that do not count under `approval = "author"`, as
    /// `stale` lists them; left out when there is none.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    unauthorized: &'a [crate::check::review::Unauthorized],
}

#[derive(Serialize)]
struct OutOfScope<'a> {
    service: &'a str,
    allocations: usize,
}

#[derive(Serialize)]
struct OwnerItems {
    owner: String,
    items: Vec<String>,
}

pub fn run(ctx: &Context, args: &StatusArgs) -> Result<ExitCode> {
    let a = summary(ctx, super::ask(ctx, None), args.rev.as_deref())?;
    let overdue = crate::summary::needs_action_by_owner(&a.items);
    let doc = StatusJson {
        version: 1,
        organization: a.organization.clone(),
        as_of: ctx.today.to_string(),
        branch: a.branch.clone(),
        source: a.source.clone(),
        counts: &a.counts,
        matrix: &a.matrix,
        out_of_scope: (a.out_of_scope.iter())
            .map(|(service, allocations)| OutOfScope {
                service,
                allocations: *allocations,
            })
            .collect(),
        overdue_by_owner: overdue
            .into_iter()
            .map(|(o, items)| OwnerItems {
                owner: o.to_owned(),
                items,
            })
            .collect(),
        unauthorized: &a.unauthorized,
    };
    // Buffered: one write for many lines (stdout is line-buffered).
    let mut out = std::io::BufWriter::new(anstream::stdout().lock());
    let _ = match ctx.format {
        Format::Json => serde_json::to_writer_pretty(&mut out, &doc)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
        _ => {
            let superseded = crate::scaffold::templates::superseded(a.edition, ctx.today);
            human(&mut out, &doc, &a, superseded, &super::dir_option(ctx))
        }
    };
    drop(out);
    // What is read is the record branch; a review on this branch is not, yet.
    if ctx.format != Format::Json && args.rev.is_none() {
        super::say_unlanded(ctx, &a.branch, &a.items);
    }
    Ok(ExitCode::SUCCESS)
}

/// `dash_c`: the ` -C DIR` the user typed, for the commands it suggests.
fn human(
    out: &mut impl Write,
    d: &StatusJson<'_>,
    a: &Summary,
    superseded: Option<(&crate::model::CatalogHead, String, &str)>,
    dash_c: &str,
) -> std::io::Result<()> {
    const BOLD: anstyle::Style = anstyle::Style::new().bold();
    const RED: anstyle::Style = anstyle::AnsiColor::Red.on_default().bold();
    writeln!(
        out,
        "{BOLD}{}{BOLD:#} — as of {}, record branch {}\n",
        one_line(&d.organization),
        d.as_of,
        d.branch
    )?;
    if let Some(source) = &d.source {
        writeln!(out, "  {source}\n")?;
    }
    if let Some((catalog, words, by)) = superseded {
        writeln!(
            out,
            "  catalog: edition {} ({})\n    {words};\n    \
             `isms{dash_c} migrate --to {by} --dry-run` shows what moving to it changes\n",
            catalog.edition, catalog.name
        )?;
    }
    let header = STATES.map(|s| s.as_str());
    write!(out, "  {:<12}", "")?;
    for h in header {
        write!(out, " {h:>w$}", w = h.len().max(4))?;
    }
    writeln!(out)?;
    for (kind, label) in KIND_LABELS {
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
    if d.matrix.required == 0 {
        writeln!(
            out,
            "\n  matrix: no in-scope services yet; add one with `isms{} new service ID --model iaas|paas|saas`",
            dash_c
        )?;
    } else {
        let pct = 100.0 * d.matrix.present as f64 / d.matrix.required as f64;
        let todo = match d.matrix.placeholders {
            0 => String::new(),
            n => format!(", {n} still TODO placeholders"),
        };
        writeln!(
            out,
            "\n  matrix: {} of {} allocations present ({pct:.1}%){todo}",
            d.matrix.present, d.matrix.required
        )?;
    }
    if !a.out_of_scope.is_empty() {
        let each: Vec<String> = (a.out_of_scope.iter())
            .map(|(svc, n)| format!("{svc} ({})", crate::output::plural(*n, "allocation")))
            .collect();
        writeln!(
            out,
            "  out of scope, kept and not reviewed: {}",
            each.join(", ")
        )?;
    }
    if !a.unauthorized.is_empty() {
        // Reviews that landed but leave their items as unreviewed.
        let n = a.unauthorized.len();
        writeln!(
            out,
            "  not counted: {}, by authors who do not own the item (approval = \"author\"); `isms{dash_c} stale` names them",
            crate::output::plural(n, "review")
        )?;
    }
    if d.overdue_by_owner.is_empty() {
        writeln!(out, "\n  nothing needs action")?;
        return Ok(());
    }
    writeln!(out, "\n  {RED}needs action{RED:#}, by owner:")?;
    let labels: Vec<String> = d
        .overdue_by_owner
        .iter()
        .map(|o| one_line(&a.label(&o.owner)).into_owned())
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
    writeln!(out, "\n  details: isms{dash_c} stale [--owner WHO]")
}
