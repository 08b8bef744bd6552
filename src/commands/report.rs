//! `isms report soa|matrix|evidence|findings|allocations [--service S] [--control C]`,
//! as md, csv, json or html.

use std::io::Write;
use std::process::ExitCode;

use crate::cli::{Format, ReportArgs, ReportKind};
use crate::error::{Error, Result};
use crate::render::report::Narrow;

use super::Context;

pub fn run(ctx: &Context, args: &ReportArgs) -> Result<ExitCode> {
    if matches!(args.kind, ReportKind::Soa) && (args.service.is_some() || args.control.is_some()) {
        let (flag, hint) = match args.service {
            Some(_) => (
                "--service",
                "`isms report matrix --service S` shows one service's duties",
            ),
            None => (
                "--control",
                "`isms report matrix --control C` shows one control's duties",
            ),
        };
        return Err(Error::new(format!(
            "{flag} narrows the matrix, evidence and findings; the Statement of Applicability is the organisation's, whole"
        ))
        .hint(hint));
    }
    let (repo, snapshot, source) = crate::reading::open(&ctx.dir, ctx.as_of, args.rev.as_deref())?;
    let branch = crate::reading::record_branch(&snapshot)?;
    if let Some(s) = &args.service {
        super::known_service(&snapshot, s)?;
        let id = crate::model::Id::parse(s).ok();
        let reviewed = id.is_none_or(|id| snapshot.reviews_allocations_of(&id));
        if matches!(args.kind, ReportKind::Matrix) && !reviewed {
            return Err(Error::new(format!(
                "service `{s}` is out of scope (in_scope = false): the matrix holds the services in scope"
            ))
            .hint(format!(
                "its allocations are kept under responsibilities/{s}/; `isms{} show {s}` lists them",
                super::dir_option(ctx)
            )));
        }
    }
    if let Some(c) = &args.control {
        let matrix = matches!(args.kind, ReportKind::Matrix | ReportKind::Allocations);
        known_control(&snapshot, c, matrix)?;
    }
    let narrow = Narrow {
        service: args.service.as_deref(),
        control: args.control.as_deref(),
    };
    let as_of = ctx.today.to_string();
    let report = match args.kind {
        ReportKind::Matrix => crate::render::report::matrix(&snapshot, narrow, &as_of),
        ReportKind::Findings => crate::render::report::findings(&snapshot, narrow, ctx.today),
        ReportKind::Allocations => crate::render::report::allocations(&snapshot, narrow, &as_of),
        kind => {
            let record = super::record(&repo.git_dir, &branch)?;
            let assessment = crate::check::review::assess(&snapshot, &record, ctx.today);
            match kind {
                ReportKind::Soa => crate::render::report::soa(&snapshot, &assessment, &as_of),
                _ => crate::render::report::evidence(&snapshot, &assessment, narrow, &as_of),
            }
        }
    };
    let mut report = report;
    report.source = source;
    let text = match ctx.format {
        Format::Csv => report.csv(),
        Format::Html => report.html(),
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&report.json()).expect("JSON values serialize")
        ),
        _ => report.markdown(),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// `control`, named on the command line, checked against `snapshot`'s
/// controls: an error with a "did you mean" when it is none of them, and,
/// for the matrix, when it has no row there (an organisation-wide control).
fn known_control(snapshot: &crate::model::Snapshot, control: &str, matrix: bool) -> Result<()> {
    let Some(doc) = snapshot.controls.get(control) else {
        let known: Vec<&str> = snapshot.controls.keys().map(|k| k.as_str()).collect();
        // A control of the other edition is told the one it became.
        let note = crate::model::Id::parse(control)
            .map(|id| crate::check::edition_note(&crate::model::ItemKey::Control(id), snapshot))
            .unwrap_or_default();
        let e = Error::new(format!("no control `{control}` in controls/{note}"));
        return Err(e.hint_if(crate::repo::suggestion(control, &known)));
    };
    if matrix && !doc.value.matrix {
        return Err(Error::new(format!(
            "control `{control}` is organisation-wide (matrix = false): the matrix has no row for it"
        ))
        .hint(format!(
            "`isms report evidence --control {control}` and `isms report findings --control {control}` show its evidence and findings"
        )));
    }
    Ok(())
}
