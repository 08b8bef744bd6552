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
/// The record branch's history up to the packed commit.
const BUNDLE: &str = "record.bundle";
/// The MANIFEST's header line that names the isms that made the pack.
const MADE_BY: &str = "# made by isms ";
/// The folders of what isms writes from the record, where the item files
/// and artifacts are copies of it: another version may write them
/// otherwise.
const WRITTEN: [&str; 3] = ["reports/", "oscal/", "reviews/"];

pub fn run(ctx: &Context, args: &PackArgs) -> Result<ExitCode> {
    match (&args.out, &args.verify) {
        // Every path isms takes is relative to -C DIR.
        (_, Some(file)) => verify(&ctx.path(file)),
        (Some(out), None) => pack(ctx, out, args.rev.as_deref()),
        (None, None) => Err(Error::new(
            "say where: `isms pack --out FILE.zip`, or `--verify FILE.zip`",
        )),
    }
}

/// What a pack holds, derived from one commit of the record.
struct Built {
    files: BTreeMap<String, Vec<u8>>,
    commit: String,
    time: chrono::DateTime<chrono::Utc>,
    branch: String,
}

/// Every file of the pack but its MANIFEST and bundle, derived from the
/// commit `rev` names (default the record branch's tip) as of `today`; or,
/// when that commit's `isms check` has errors, the commit and the errors.
/// `verify` calls it again on the pack's own bundle.
///
/// Evidence is judged against `now`, the day the pack is made or verified:
/// a record collected after `now` is an error, while one collected between
/// a past `--as-of` day and `now` is sound and simply not yet counted then.
///
/// An artifact kept in Git LFS is a pointer in the commit: `lfs` gives its
/// content (from the LFS store, or, re-deriving, from the pack itself).
#[allow(clippy::type_complexity)]
fn build(
    git_dir: &Path,
    rev: Option<&str>,
    today: chrono::NaiveDate,
    now: chrono::NaiveDate,
    lfs: &dyn Fn(&str, &repo::LfsPointer) -> Result<Vec<u8>>,
) -> Result<std::result::Result<Built, (String, Vec<crate::diagnostic::Diagnostic>)>> {
    let c = crate::reading::committed(git_dir, rev)?;
    let mut diagnostics = c.diagnostics;
    diagnostics.extend(crate::check::check(&c.snapshot));
    diagnostics.extend(crate::check::dated(&c.snapshot, now.max(today)));
    let errors: Vec<crate::diagnostic::Diagnostic> =
        diagnostics.into_iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        return Ok(Err((c.commit, errors)));
    }
    let snapshot = c.snapshot;
    let branch = c.branch;
    let mut record = super::record(git_dir, &branch)?;
    // Only what had landed by the packed commit: a pack of an older commit
    // is re-derivable from its own bundle.
    record
        .reviews
        .retain(|r| r.landed.timestamp() <= c.time.timestamp());
    let assessment = crate::check::review::assess(&snapshot, &record, today);
    let as_of = today.to_string();

    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let reports = [
        crate::render::report::soa(&snapshot, &assessment, &as_of),
        crate::render::report::matrix(&snapshot, Default::default(), &as_of),
        crate::render::report::evidence(&snapshot, &assessment, Default::default(), &as_of),
        crate::render::report::findings(&snapshot, Default::default(), today),
    ];
    // Every item file, as committed.
    fn texts<K, T>(docs: &BTreeMap<K, crate::model::Doc<T>>) -> impl Iterator<Item = (&str, &str)> {
        docs.values().map(|d| (d.path.as_str(), d.text.as_str()))
    }
    let items = snapshot
        .config
        .iter()
        .map(|d| (d.path.as_str(), d.text.as_str()))
        .chain(texts(&snapshot.controls))
        .chain(texts(&snapshot.services))
        .chain(texts(&snapshot.allocations))
        .chain(texts(&snapshot.triggers))
        .chain(texts(&snapshot.findings));
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
    let stamp = crate::render::oscal::Stamp::new(&c.commit, c.time);
    let oscal = crate::render::oscal::export(&snapshot, &stamp).map_err(Error::new)?;
    for (name, doc) in oscal {
        let json = serde_json::to_string_pretty(&doc).expect("JSON values serialize");
        files.insert(format!("oscal/{name}"), format!("{json}\n").into_bytes());
    }
    for doc in snapshot.evidence.values() {
        files.insert(doc.path.clone(), doc.text.clone().into_bytes());
        for a in &doc.value.artifacts {
            if repo::artifact_path_problem(&a.path).is_some() {
                continue;
            }
            let path = crate::model::artifact_path(&a.path);
            let bytes = match c.source.artifact_bytes(&a.path) {
                Ok(repo::Committed::Blob(bytes)) => bytes,
                Ok(repo::Committed::Lfs(pointer)) => lfs(&path, &pointer).map_err(|e| Error {
                    message: format!("{}: {path}: {}", doc.path, e.message),
                    ..e
                })?,
                Err(why) => return Err(Error::new(format!("{}: {why}", doc.path))),
            };
            files.insert(path, bytes);
        }
    }
    // Each item's review history, as landed on the record branch.
    let mut by_item: BTreeMap<&str, Vec<&crate::history::Review>> = BTreeMap::new();
    for r in &record.reviews {
        if r.landed.date_naive() <= today {
            by_item.entry(&*r.item).or_default().push(r);
        }
    }
    // A review that does not count (approval = "author") says so, as
    // `isms log` says it.
    #[derive(serde::Serialize)]
    struct Packed<'a> {
        #[serde(flatten)]
        review: &'a crate::history::Review,
        #[serde(skip_serializing_if = "Option::is_none")]
        counts: Option<bool>,
    }
    let not_counted: std::collections::BTreeSet<(&str, String)> = (assessment.unauthorized.iter())
        .map(|u| (u.item.as_str(), u.commit.clone()))
        .collect();
    for (item, reviews) in by_item {
        let path = format!("reviews/{}.json", item.replacen(':', "/", 1));
        let reviews: Vec<Packed> = (reviews.into_iter())
            .map(|review| Packed {
                counts: (not_counted.contains(&(item, review.commit.to_string()))).then_some(false),
                review,
            })
            .collect();
        let json = serde_json::to_string_pretty(&reviews).expect("reviews serialize");
        files.insert(path, format!("{json}\n").into_bytes());
    }
    Ok(Ok(Built {
        files,
        commit: c.commit,
        time: c.time,
        branch,
    }))
}

fn pack(ctx: &Context, out: &Path, rev: Option<&str>) -> Result<ExitCode> {
    // Read from commits alone: a mirror (`git clone --mirror`) will do.
    let repo = Repo::discover_for_commits(&ctx.dir)?;
    let out = &ctx.path(out);
    let writer = repo.writer(&mut crate::output::waiting_for)?;
    writer.may_write(out)?;
    // Only an earlier pack is replaced: never a file of the user's.
    if out.exists() {
        let earlier = zip_contents(out).is_ok_and(|c| c.contains_key(MANIFEST));
        if !earlier {
            return Err(Error::new(format!(
                "{} exists and is not an isms pack; not overwriting it",
                out.display()
            ))
            .hint("name a new file, or remove that one first"));
        }
    }
    // The bundle is written by one git thread (so its bytes are stable)
    // while the reports, the export and the artifacts are built beside it.
    let rev = crate::reading::reading(ctx.as_of, &repo.git_dir, rev)?;
    let (commit, branch) = crate::reading::record_rev(&repo.git_dir, rev.as_deref())?;
    // Where an artifact kept in Git LFS has its content: found once.
    let lfs_store = repo::lfs_store(&repo.git_dir);
    let (built, bundled) = std::thread::scope(|s| {
        let bundled = s.spawn(|| crate::history::bundle::create(&repo.git_dir, &commit, &branch));
        let built = build(
            &repo.git_dir,
            Some(&commit),
            ctx.today,
            ctx.now,
            &|_, pointer| repo::lfs_content(&lfs_store, pointer),
        );
        (built, bundled.join())
    });
    let bundled = bundled.map_err(|_| Error::new("could not bundle the record"))??;
    let built = match built? {
        Ok(built) => built,
        Err((commit, errors)) => {
            for d in &errors {
                let at = match (d.line, d.column) {
                    (Some(l), Some(col)) => format!(":{l}:{col}"),
                    _ => String::new(),
                };
                crate::output::note(&format!("error[{}]: {}{at}: {}", d.rule, d.file, d.message));
            }
            crate::output::note(&format!(
                "not packed: commit {} has {} (`isms check` says the same); nothing was written",
                &commit[..10],
                crate::output::plural(errors.len(), "error")
            ));
            return Ok(ExitCode::from(1));
        }
    };
    let Built {
        mut files,
        commit: tip,
        time: tip_time,
        branch,
    } = built;
    files.insert(BUNDLE.to_owned(), bundled);
    let as_of = ctx.today.to_string();
    let mut manifest = format!(
        "# isms evidence pack\n# record branch {branch}, commit {tip}\n# as of {as_of}\n{MADE_BY}{}\n# sha256  path\n",
        env!("CARGO_PKG_VERSION")
    );
    for (path, bytes) in &files {
        manifest.push_str(&format!("{}  {path}\n", sha256_hex(bytes)));
    }
    files.insert(MANIFEST.to_owned(), manifest.into_bytes());

    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip_time(tip_time)?)
        .unix_permissions(0o644);
    let zerr = |e: zip::result::ZipError| {
        Error::new(format!("could not write {}", out.display())).caused_by(e)
    };
    writer.replace_with(out, |tmp| {
        let mut zip = zip::ZipWriter::new(tmp);
        for (path, bytes) in &files {
            // The bundle is compressed already.
            let options = if path == BUNDLE {
                options.compression_method(zip::CompressionMethod::Stored)
            } else {
                options
            };
            zip.start_file(path.as_str(), options).map_err(zerr)?;
            zip.write_all(bytes)
                .map_err(|e| Error::io("write", out, e))?;
        }
        zip.finish().map_err(zerr)
    })?;
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
    if rev.is_none() && ctx.as_of.is_none() && !repo.is_bare() {
        super::note_left_out(&repo.root, "the pack leaves out: it holds commits alone")?;
    }
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

/// Every file of the zip at `file`, by name. Folder entries, which a pack
/// zipped again by other tools has, hold nothing and are passed over. Each
/// read is bounded: by the size the entry declares, and but for the bundle
/// by the largest file a pack holds.
fn zip_contents(file: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    let f = crate::fsutil::open_regular(file).map_err(|e| Error::io("open", file, e))?;
    let bad = |e: zip::result::ZipError| {
        Error::new(format!("{} is not a readable zip file", file.display())).caused_by(e)
    };
    let mut zip = zip::ZipArchive::new(f).map_err(bad)?;
    let mut contents = BTreeMap::new();
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(bad)?;
        let name = entry.name().to_owned();
        let size = entry.size();
        if entry.is_dir() && size == 0 {
            continue;
        }
        let too_large = |what: &str| {
            Error::new(format!("{}: {name} {what}; not read", file.display()))
                .hint("a pack isms writes holds no file larger than an artifact may be (512 MiB)")
        };
        if name != BUNDLE && size > repo::MAX_ARTIFACT_BYTES {
            return Err(too_large(&format!("declares {size} bytes")));
        }
        let mut bytes = Vec::new();
        entry
            .take(size.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("read", file, e))?;
        if bytes.len() as u64 > size {
            return Err(too_large(&format!(
                "holds more than the {size} bytes it declares"
            )));
        }
        contents.insert(name, bytes);
    }
    Ok(contents)
}

/// Where only what isms writes (reports, the OSCAL export, review
/// histories) differs, and another version of isms made the pack: which
/// one, as the MANIFEST says, since that version may write them otherwise.
fn other_version(manifest: &str, problems: &[String]) -> Option<String> {
    let made_by = manifest
        .lines()
        .find_map(|l| l.strip_prefix(MADE_BY))
        .map(str::trim)?;
    let ours = env!("CARGO_PKG_VERSION");
    let written = problems
        .iter()
        .all(|p| WRITTEN.iter().any(|w| p.starts_with(w)));
    (made_by != ours && written).then(|| {
        format!(
            "the pack was made by isms {made_by}, and this is isms {ours}: the item files and artifacts match, \
             and only what isms writes from them differs, which another version may write otherwise; \
             verify it with isms {made_by}"
        )
    })
}

/// Opens the pack's bundle in a scratch repository, requires its tip to be
/// the MANIFEST's commit, and builds the pack again from it as of the
/// MANIFEST's date: every file of `contents` (the pack without its MANIFEST)
/// must come out byte for byte. The commit, or every problem found: a pack
/// without a bundle cannot be re-derived, and that is one.
fn rederive(
    manifest: &str,
    contents: &mut BTreeMap<String, Vec<u8>>,
) -> std::result::Result<String, Vec<String>> {
    let Some(bundle) = contents.remove(BUNDLE) else {
        return Err(vec![format!(
            "{BUNDLE}: not in the pack, so nothing in it can be re-derived from the record"
        )]);
    };
    let header = |prefix: &str| {
        manifest
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .map(str::trim)
    };
    let (branch, commit) = header("# record branch ")
        .and_then(|l| l.split_once(", commit "))
        .ok_or_else(|| vec![format!("{MANIFEST}: no `# record branch B, commit C` line")])?;
    let as_of: chrono::NaiveDate = header("# as of ")
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| vec![format!("{MANIFEST}: no `# as of DATE` line")])?;
    let scratch = tempfile::tempdir().map_err(|e| vec![format!("a scratch directory: {e}")])?;
    let git_dir = scratch.path().join("record.git");
    let tip = crate::history::bundle::open(&bundle, BUNDLE, branch, scratch.path(), &git_dir)
        .map_err(|e| vec![e])?;
    if tip != commit {
        return Err(vec![format!(
            "{BUNDLE}: its tip is {tip}, the {MANIFEST} says {commit}"
        )]);
    }
    let now = chrono::Local::now().date_naive();
    // The bundle holds an LFS artifact's pointer: the pack's copy is its
    // content only when it is what the pointer names.
    let packed = |path: &str, pointer: &repo::LfsPointer| match contents.get(path) {
        Some(bytes) if pointer.names(bytes) => Ok(bytes.clone()),
        Some(_) => Err(Error::new(format!(
            "kept in Git LFS as sha256:{}, and the pack's copy is not that content",
            pointer.oid
        ))),
        None => Err(Error::new(format!(
            "kept in Git LFS as sha256:{}, and the pack lacks it",
            pointer.oid
        ))),
    };
    let built = match build(&git_dir, Some(commit), as_of, now, &packed) {
        Ok(Ok(built)) => built,
        Ok(Err((_, errors))) => {
            return Err(vec![format!(
                "{BUNDLE}: the record at {commit} has {} ({}: {})",
                crate::output::plural(errors.len(), "error"),
                errors[0].file,
                errors[0].message
            )]);
        }
        Err(e) => return Err(vec![format!("{BUNDLE}: {}", e.message)]),
    };
    let short = &commit[..10.min(commit.len())];
    let mut problems = Vec::new();
    for (path, bytes) in &built.files {
        match contents.remove(path) {
            None => problems.push(format!("{path}: the record gives it, the pack lacks it")),
            Some(b) if &b != bytes => problems.push(format!(
                "{path}: differs from what the record at {short} gives"
            )),
            Some(_) => {}
        }
    }
    problems.extend(
        contents
            .keys()
            .map(|path| format!("{path}: in the pack, but the record does not give it")),
    );
    match problems.is_empty() {
        true => Ok(commit.to_owned()),
        false => Err(problems),
    }
}

/// Re-checks every file of a pack against its MANIFEST, then re-derives
/// it from the record in its bundle.
fn verify(file: &Path) -> Result<ExitCode> {
    let mut contents = zip_contents(file)?;
    let manifest = contents
        .remove(MANIFEST)
        .ok_or_else(|| Error::new(format!("{} has no {MANIFEST}", file.display())))?;
    let manifest = String::from_utf8_lossy(&manifest).into_owned();
    let mut problems = Vec::new();
    let mut listed = std::collections::BTreeSet::new();
    for (n, line) in manifest.lines().enumerate() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let Some((sum, path)) = line.split_once("  ") else {
            problems.push(format!("{MANIFEST}:{}: not `sha256  path`", n + 1));
            continue;
        };
        listed.insert(path);
        match contents.get(path) {
            None => problems.push(format!(
                "{path}: listed in {MANIFEST}, missing from the pack"
            )),
            Some(bytes) if sha256_hex(bytes) != sum => {
                problems.push(format!("{path}: its sha256 differs from {MANIFEST}'s"))
            }
            Some(_) => {}
        }
    }
    for path in contents.keys().filter(|p| !listed.contains(p.as_str())) {
        problems.push(format!("{path}: in the pack, not in {MANIFEST}"));
    }
    let listed = listed.len();
    // Then re-derive: the bundle's record must give every file again.
    let mut rederived = None;
    let mut hint = None;
    if problems.is_empty() {
        match rederive(&manifest, &mut contents) {
            Ok(commit) => rederived = Some(commit),
            Err(p) => {
                hint = other_version(&manifest, &p);
                problems.extend(p);
            }
        }
    }
    for p in &problems {
        crate::output::note(&format!("error: {p}"));
    }
    if let Some(hint) = &hint {
        crate::output::note(&format!("  hint: {hint}"));
    }
    crate::output::note(&match rederived {
        Some(commit) => format!(
            "{}: {listed} files match the manifest, and the record in its bundle (commit {}) gives them again",
            file.display(),
            &commit[..10.min(commit.len())]
        ),
        None => format!(
            "{}: {}",
            file.display(),
            crate::output::plural(problems.len(), "problem")
        ),
    });
    Ok(ExitCode::from(u8::from(!problems.is_empty())))
}
