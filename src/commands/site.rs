//! `isms site --out DIR`: the static HTML dashboard.

use std::collections::BTreeMap;
use std::process::ExitCode;

use crate::cli::{Format, SiteArgs};
use crate::error::Result;

use super::Context;
use crate::summary::{counts, matrix, needs_action_by_owner};

/// Marks a directory as written by `isms site`, so a later run may replace it.
const MARKER: &str = ".isms-site";

pub fn run(ctx: &Context, args: &SiteArgs) -> Result<ExitCode> {
    let (repo, snapshot, source) = crate::reading::open(&ctx.dir, ctx.as_of, args.rev.as_deref())?;
    let branch = crate::reading::record_branch(&snapshot)?;
    let record = super::record(&repo.git_dir, &branch)?;
    let assessment = crate::check::review::assess(&snapshot, &record, ctx.today);
    let config = snapshot.config.as_ref().map(|c| &c.value);
    let as_of = ctx.today.to_string();
    let reviews: Vec<_> = record
        .reviews
        .iter()
        .filter(|r| r.landed.date_naive() <= ctx.today)
        .collect();
    let counts = counts(&assessment.items);
    let m = matrix(&snapshot);
    let needs_action = needs_action_by_owner(&assessment.items);
    let label = |owner: &str| crate::reading::owner_label(config, owner);
    let soa = crate::render::report::soa(&snapshot, &assessment, &as_of);
    let matrix_report = crate::render::report::matrix(&snapshot, Default::default(), &as_of);
    let evidence =
        crate::render::report::evidence(&snapshot, &assessment, Default::default(), &as_of);
    let findings = crate::render::report::findings(&snapshot, Default::default(), ctx.today);
    let tip = record.tip.clone().unwrap_or_default();
    let edition = config.map(|c| c.catalog.edition).unwrap_or_default();
    let superseded = crate::scaffold::templates::superseded(edition, ctx.today);
    let pages = crate::render::site::render(&crate::render::site::Input {
        organization: config.map(|c| c.organization.name.as_str()).unwrap_or(""),
        as_of: &as_of,
        branch: &branch,
        tip: &tip,
        snapshot: &snapshot,
        assessment: &assessment,
        reviews: &reviews,
        counts: &counts,
        matrix: (m.present, m.required, m.placeholders),
        needs_action: &needs_action,
        label: &label,
        soa: &soa,
        matrix_report: &matrix_report,
        evidence: &evidence,
        findings: &findings,
        source: source.as_deref(),
        superseded: superseded
            .as_ref()
            .map(|(c, words, by)| (*c, words.as_str(), *by)),
    });
    let out = ctx.path(&args.out);
    let files: BTreeMap<String, Vec<u8>> = pages
        .into_iter()
        .map(|(path, html)| (path, html.into_bytes()))
        .collect();
    repo.writer(&mut crate::output::waiting_for)?
        .replace_dir(&out, MARKER, &files)?;
    if ctx.format == Format::Json {
        println!(
            "{}",
            serde_json::json!({"version": 1, "out": out.display().to_string(), "pages": files.len()})
        );
    }
    crate::output::note(&format!(
        "wrote {}: {} pages; open {}",
        out.display(),
        files.len(),
        out.join("index.html").display()
    ));
    Ok(ExitCode::SUCCESS)
}
