//! `isms report soa|matrix|evidence|findings [--service S]`, as md, csv, json or html.

use std::io::Write;
use std::process::ExitCode;

use crate::cli::{Format, ReportArgs, ReportKind};
use crate::error::{Error, Result};
use crate::repo::Repo;

use super::Context;

pub fn run(ctx: &Context, args: &ReportArgs) -> Result<ExitCode> {
    if args.service.is_some() && matches!(args.kind, ReportKind::Soa) {
        return Err(Error::new(
            "--service narrows the matrix, evidence and findings; the Statement of Applicability is the organisation's, whole",
        )
        .hint("`isms report matrix --service S` shows one service's duties"));
    }
    let repo = Repo::discover(&ctx.dir)?;
    let (snapshot, source) = crate::reading::snapshot_at(ctx.as_of, &repo, args.rev.as_deref())?;
    let branch = crate::reading::record_branch(&snapshot)?;
    if let Some(s) = &args.service {
        super::known_service(&snapshot, s)?;
    }
    let as_of = ctx.today.to_string();
    let report = match args.kind {
        ReportKind::Matrix => {
            crate::render::report::matrix(&snapshot, args.service.as_deref(), &as_of)
        }
        ReportKind::Findings => {
            crate::render::report::findings(&snapshot, args.service.as_deref(), ctx.today)
        }
        kind => {
            let record = super::record(&repo.git_dir, &branch)?;
            let assessment = crate::check::review::assess(&snapshot, &record, ctx.today);
            match kind {
                ReportKind::Soa => crate::render::report::soa(&snapshot, &assessment, &as_of),
                _ => crate::render::report::evidence(
                    &snapshot,
                    &assessment,
                    args.service.as_deref(),
                    &as_of,
                ),
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
