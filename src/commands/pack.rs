//! `isms pack --out FILE.zip` and `isms pack --verify FILE.zip`: the audit
//! evidence pack (reports, the OSCAL export, evidence, review histories).
//! Everything in it is derived from the repository and the record branch,
//! entries are sorted and stamped with the record tip's commit time, so two
//! packs of the same commit and date are byte-identical.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use chrono::{Datelike, Timelike};

use crate::cli::{Format, PackArgs};
use crate::error::{Error, Result};
use crate::repo::{self, Repo, sha256_hex};

use super::Context;

const MANIFEST: &str = "MANIFEST";

pub fn run(ctx: &Context, args: &PackArgs) -> Result<ExitCode> {
    match (&args.out, &args.verify) {
        (_, Some(file)) => verify(file),
        (Some(out), None) => pack(ctx, out, args.rev.as_deref()),
        (None, None) => Err(Error::new(
            "say where: `isms pack --out FILE.zip`, or `--verify FILE.zip`",
        )),
    }
}

fn pack(ctx: &Context, out: &Path, rev: Option<&str>) -> Result<ExitCode> {
    let repo = Repo::discover(&ctx.dir)?;
    // The pack is the record: a commit's tree, never the working tree.
    let c = super::committed(&repo, rev)?;
    let mut diagnostics = c.diagnostics;
    diagnostics.extend(crate::check::check(&c.snapshot));
    diagnostics.extend(crate::check::dated(&c.snapshot, ctx.today));
    let errors: Vec<&crate::diagnostic::Diagnostic> =
        diagnostics.iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        for d in &errors {
            let at = match (d.line, d.column) {
                (Some(l), Some(col)) => format!(":{l}:{col}"),
                _ => String::new(),
            };
            crate::output::note(&format!("error[{}]: {}{at}: {}", d.rule, d.file, d.message));
        }
        crate::output::note(&format!(
            "not packed: commit {} has {} (`isms check` says the same); nothing was written",
            &c.commit[..10],
            crate::output::plural(errors.len(), "error")
        ));
        return Ok(ExitCode::from(1));
    }
    let snapshot = c.snapshot;
    let branch = c.branch;
    let record = crate::history::record(&repo.git_dir, &branch)?;
    let assessment = crate::check::review::assess(&snapshot, &record, ctx.today);
    let as_of = ctx.today.to_string();

    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let reports = [
        crate::report::soa(&snapshot, &assessment, &as_of),
        crate::report::matrix(&snapshot, None, &as_of),
        crate::report::evidence(&snapshot, &assessment, None, &as_of),
        crate::report::findings(&snapshot, None, ctx.today),
    ];
    // Every item file, as committed.
    let mut items: Vec<(&str, &str)> = Vec::new();
    if let Some(d) = &snapshot.config {
        items.push((&d.path, &d.text));
    }
    items.extend(
        snapshot
            .controls
            .values()
            .map(|d| (d.path.as_str(), d.text.as_str())),
    );
    items.extend(
        snapshot
            .services
            .values()
            .map(|d| (d.path.as_str(), d.text.as_str())),
    );
    items.extend(
        snapshot
            .allocations
            .values()
            .map(|d| (d.path.as_str(), d.text.as_str())),
    );
    items.extend(
        snapshot
            .triggers
            .values()
            .map(|d| (d.path.as_str(), d.text.as_str())),
    );
    items.extend(
        snapshot
            .findings
            .values()
            .map(|d| (d.path.as_str(), d.text.as_str())),
    );
    for (path, text) in items {
        files.insert(path.to_owned(), text.as_bytes().to_vec());
    }
    for r in &reports {
        let name = format!("reports/{}", r.kind);
        files.insert(format!("{name}.md"), r.markdown().into_bytes());
        files.insert(format!("{name}.csv"), r.csv().into_bytes());
        files.insert(format!("{name}.html"), r.html().into_bytes());
        let json = serde_json::to_string_pretty(&r.json()).expect("JSON values serialize");
        files.insert(format!("{name}.json"), format!("{json}\n").into_bytes());
    }
    let tip = c.commit;
    let tip_time = c.time;
    let stamp = crate::oscal::Stamp::new(&tip, tip_time);
    let oscal = crate::oscal::export(&snapshot, &stamp).map_err(Error::new)?;
    for (name, doc) in oscal {
        let json = serde_json::to_string_pretty(&doc).expect("JSON values serialize");
        files.insert(format!("oscal/{name}"), format!("{json}\n").into_bytes());
    }
    for (id, doc) in &snapshot.evidence {
        files.insert(format!("evidence/{id}.toml"), doc.text.clone().into_bytes());
        for a in &doc.value.artifacts {
            if repo::artifact_path_problem(&a.path).is_some() {
                continue;
            }
            let path = format!("evidence/{}", a.path);
            let bytes = c
                .source
                .artifact_bytes(&a.path)
                .map_err(|why| Error::new(format!("{}: {why}", doc.path)))?;
            files.insert(path, bytes);
        }
    }
    // Each item's review history, as landed on the record branch.
    let mut by_item: BTreeMap<&str, Vec<&crate::history::Review>> = BTreeMap::new();
    for r in &record.reviews {
        if r.landed.date_naive() <= ctx.today {
            by_item.entry(r.item.as_str()).or_default().push(r);
        }
    }
    for (item, reviews) in by_item {
        let path = format!("reviews/{}.json", item.replacen(':', "/", 1));
        let json = serde_json::to_string_pretty(&reviews).expect("reviews serialize");
        files.insert(path, format!("{json}\n").into_bytes());
    }
    let mut manifest = format!(
        "# isms evidence pack\n# record branch {branch}, commit {tip}\n# as of {as_of}\n# sha256  path\n"
    );
    for (path, bytes) in &files {
        manifest.push_str(&format!("{}  {path}\n", sha256_hex(bytes)));
    }
    files.insert(MANIFEST.to_owned(), manifest.into_bytes());

    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip_time(tip_time)?)
        .unix_permissions(0o644);
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io("create a file in", dir, e))?;
    let mut zip = zip::ZipWriter::new(tmp);
    let zerr = |e: zip::result::ZipError| {
        Error::new(format!("could not write {}", out.display())).caused_by(e)
    };
    for (path, bytes) in &files {
        zip.start_file(path.as_str(), options).map_err(zerr)?;
        zip.write_all(bytes)
            .map_err(|e| Error::io("write", out, e))?;
    }
    let tmp = zip.finish().map_err(zerr)?;
    tmp.persist(out)
        .map_err(|e| Error::io("write", out, e.error))?;
    // What the reader gets: the size of the zip, not of what it holds.
    let total = std::fs::metadata(out).map(|m| m.len()).unwrap_or_default();
    if ctx.format == Format::Json {
        println!(
            "{}",
            serde_json::json!({"version": 1, "pack": out.display().to_string(), "files": files.len(), "bytes": total, "tip": tip})
        );
    }
    crate::output::note(&format!(
        "wrote {}: {} files, {total} bytes compressed, commit {}",
        out.display(),
        files.len(),
        &tip[..10.min(tip.len())]
    ));
    Ok(ExitCode::SUCCESS)
}

/// A time as a zip timestamp (UTC, years 1980 to 2107, even seconds).
fn zip_time(t: chrono::DateTime<chrono::Utc>) -> Result<zip::DateTime> {
    let year = t.year().clamp(1980, 2107) as u16;
    zip::DateTime::from_date_and_time(
        year,
        t.month() as u8,
        t.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        (t.second() as u8).min(58),
    )
    .map_err(|_| Error::new("the record tip's time does not fit a zip timestamp"))
}

/// Re-checks every file of a pack against its MANIFEST.
fn verify(file: &Path) -> Result<ExitCode> {
    let f = std::fs::File::open(file).map_err(|e| Error::io("open", file, e))?;
    let bad = |e: zip::result::ZipError| {
        Error::new(format!("{} is not a readable zip file", file.display())).caused_by(e)
    };
    let mut zip = zip::ZipArchive::new(f).map_err(bad)?;
    let mut contents: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(bad)?;
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("read", file, e))?;
        contents.insert(entry.name().to_owned(), bytes);
    }
    let manifest = contents
        .remove(MANIFEST)
        .ok_or_else(|| Error::new(format!("{} has no {MANIFEST}", file.display())))?;
    let manifest = String::from_utf8_lossy(&manifest).into_owned();
    let mut problems = Vec::new();
    let mut listed = 0;
    for (n, line) in manifest.lines().enumerate() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let Some((sum, path)) = line.split_once("  ") else {
            problems.push(format!("{MANIFEST}:{}: not `sha256  path`", n + 1));
            continue;
        };
        listed += 1;
        match contents.remove(path) {
            None => problems.push(format!(
                "{path}: listed in {MANIFEST}, missing from the pack"
            )),
            Some(bytes) if sha256_hex(&bytes) != sum => {
                problems.push(format!("{path}: its sha256 differs from {MANIFEST}'s"))
            }
            Some(_) => {}
        }
    }
    for path in contents.keys() {
        problems.push(format!("{path}: in the pack, not in {MANIFEST}"));
    }
    for p in &problems {
        crate::output::note(&format!("error: {p}"));
    }
    crate::output::note(&if problems.is_empty() {
        format!("{}: {listed} files match the manifest", file.display())
    } else {
        format!("{}: {} problems", file.display(), problems.len())
    });
    Ok(ExitCode::from(u8::from(!problems.is_empty())))
}
