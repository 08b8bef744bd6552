//! `isms export oscal [--out DIR]`: the repository as OSCAL JSON.

use std::collections::BTreeMap;
use std::process::ExitCode;

use crate::cli::{ExportCommand, Format};
use crate::error::{Error, Result};
use crate::render::oscal::{self, Stamp};
use crate::repo::Repo;

use super::Context;

/// Marks a directory as written by `isms export oscal`, so a later export may replace it.
const MARKER: &str = ".isms-export";

pub fn run(ctx: &Context, cmd: &ExportCommand) -> Result<ExitCode> {
    let ExportCommand::Oscal(args) = cmd;
    // A commit, never the working tree: the export is the record, and a
    // mirror will do.
    let repo = Repo::discover_for_commits(&ctx.dir)?;
    let rev = crate::reading::reading(ctx.as_of, &repo.git_dir, args.rev.as_deref())?;
    let c = crate::reading::committed(&repo.git_dir, rev.as_deref())?;
    c.refuse_unread()?;
    let stamp = Stamp::new(&c.commit, c.time);
    let docs = oscal::export(&c.snapshot, &stamp).map_err(Error::new)?;
    let out = ctx.path(&args.out);
    let files: BTreeMap<String, Vec<u8>> = docs
        .iter()
        .map(|(name, doc)| {
            let text = serde_json::to_string_pretty(doc).expect("JSON values serialize");
            (name.clone(), format!("{text}\n").into_bytes())
        })
        .collect();
    repo.writer(&mut crate::output::waiting_for)?
        .replace_dir(&out, MARKER, &files)?;
    if ctx.format == Format::Json {
        let names: Vec<&String> = files.keys().collect();
        println!(
            "{}",
            serde_json::json!({"version": 1, "out": out.display().to_string(), "files": names, "oscal_version": oscal::OSCAL_VERSION})
        );
    }
    crate::output::note(&format!(
        "wrote {}: {} OSCAL {} documents (catalog, profile, system security plan, {}) of commit {}",
        out.display(),
        files.len(),
        oscal::OSCAL_VERSION,
        crate::output::plural(files.len() - 3, "component definition"),
        stamp.version
    ));
    if args.rev.is_none() && ctx.as_of.is_none() && !repo.is_bare() {
        super::note_left_out(&repo.root, "the export leaves out: it holds commits alone")?;
    }
    Ok(ExitCode::SUCCESS)
}
