//! One file per command: its arguments become a plan, then it runs.

mod approvals;
mod check;
mod ci;
mod codeowners;
mod diff;
mod export;
mod hooks;
mod init;
mod log;
mod migrate;
mod new;
mod pack;
mod reassess;
mod report;
mod review;
mod schema;
mod site;
mod stale;
mod status;
mod summary;
mod triggers;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;

use crate::cli::{Cli, Command, Format};
use crate::error::Result;

/// What every command gets from the global options.
pub struct Context {
    /// Where to run (`-C`), default the current directory.
    pub dir: PathBuf,
    pub format: Format,
    /// Today, or `--as-of`.
    pub today: NaiveDate,
    /// `--as-of`, when given: read-only commands then read the record as it
    /// stood that day (see [`reading`]).
    pub as_of: Option<NaiveDate>,
}

pub fn dispatch(cli: Cli) -> Result<ExitCode> {
    let ctx = Context {
        dir: cli.dir.unwrap_or_else(|| PathBuf::from(".")),
        format: cli.format,
        today: cli
            .as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
        as_of: cli.as_of,
    };
    if !ctx.dir.is_dir() {
        return Err(crate::error::Error::new(format!(
            "-C {}: no such directory",
            ctx.dir.display()
        )));
    }
    let (name, formats) = formats(&cli.command);
    if !formats.contains(&ctx.format) {
        let names: Vec<&str> = formats.iter().map(|f| format_name(*f)).collect();
        return Err(crate::error::Error::new(format!(
            "--format {} is not for isms {name}: it writes {}",
            format_name(ctx.format),
            match names.as_slice() {
                [one] => (*one).to_owned(),
                [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
                [] => unreachable!("every command writes some format"),
            }
        )));
    }
    match cli.command {
        Command::Init(args) => init::run(&ctx, &args),
        Command::New(cmd) => new::run(&ctx, cmd),
        Command::Check(args) => check::run(&ctx, &args),
        Command::Schema(args) => schema::run(&args),
        Command::Review(args) => review::run(&ctx, &args),
        Command::Log(args) => log::run(&ctx, &args),
        Command::Stale(args) => stale::run(&ctx, &args),
        Command::Status(args) => status::run(&ctx, &args),
        Command::Triggers(cmd) => triggers::run(&ctx, cmd),
        Command::Reassess(args) => reassess::run(&ctx, &args),
        Command::VerifyApprovals(args) => verify::run(&ctx, &args),
        Command::Approvals(cmd) => approvals::run(&ctx, &cmd),
        Command::Hooks(cmd) => hooks::run(&ctx, cmd),
        Command::Codeowners(args) => codeowners::run(&ctx, &args),
        Command::Ci(cmd) => ci::run(&ctx, cmd),
        Command::Diff(args) => diff::run(&ctx, &args),
        Command::Report(args) => report::run(&ctx, &args),
        Command::Pack(args) => pack::run(&ctx, &args),
        Command::Export(cmd) => export::run(&ctx, &cmd),
        Command::Site(args) => site::run(&ctx, &args),
        Command::Migrate(args) => migrate::run(&ctx, &args),
        Command::Completions(args) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut text = Vec::new();
            clap_complete::generate(args.shell, &mut cmd, "isms", &mut text);
            // A reader that stops early (`| head`) is not an error.
            let _ = std::io::Write::write_all(&mut std::io::stdout(), &text);
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut text = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut text).map_err(|e| {
                crate::error::Error::new("could not render the manual page").caused_by(e)
            })?;
            let _ = std::io::Write::write_all(&mut std::io::stdout(), &text);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A command's name, and the formats it writes (the first is what
/// `human` means for it).
fn formats(command: &Command) -> (&'static str, &'static [Format]) {
    use Format::*;
    const FINDINGS: &[Format] = &[Human, Json, Github, Sarif];
    const DATA: &[Format] = &[Human, Json];
    const TEXT: &[Format] = &[Human];
    match command {
        Command::Check(_) => ("check", FINDINGS),
        Command::Stale(_) => ("stale", FINDINGS),
        Command::Triggers(_) => ("triggers detect", FINDINGS),
        Command::Report(_) => ("report", &[Human, Md, Csv, Json, Html]),
        Command::VerifyApprovals(_) => ("verify-approvals", &[Human, Json, Github]),
        Command::Status(_) => ("status", DATA),
        Command::Log(_) => ("log", DATA),
        Command::Diff(_) => ("diff", DATA),
        Command::Pack(_) => ("pack", DATA),
        Command::Export(_) => ("export", DATA),
        Command::Site(_) => ("site", DATA),
        Command::Migrate(_) => ("migrate", DATA),
        Command::Approvals(_) => ("approvals", DATA),
        Command::Schema(_) => ("schema", DATA),
        Command::Init(_) => ("init", TEXT),
        Command::New(_) => ("new", TEXT),
        Command::Review(_) => ("review", TEXT),
        Command::Reassess(_) => ("reassess", TEXT),
        Command::Codeowners(_) => ("codeowners", TEXT),
        Command::Ci(_) => ("ci", TEXT),
        Command::Hooks(_) => ("hooks", TEXT),
        Command::Completions(_) => ("completions", TEXT),
        Command::Man => ("man", TEXT),
    }
}

/// How `--format` spells `f`.
fn format_name(f: Format) -> &'static str {
    match f {
        Format::Human => "human",
        Format::Json => "json",
        Format::Github => "github",
        Format::Sarif => "sarif",
        Format::Md => "md",
        Format::Csv => "csv",
        Format::Html => "html",
    }
}

/// ` -C DIR` as the user typed it, for commands isms suggests; empty when
/// they ran isms where they are.
pub fn dir_option(ctx: &Context) -> String {
    dash_c(&ctx.dir)
}

/// ` -C DIR` for `dir`, quoted for a shell where it must be; empty for `.`.
pub fn dash_c(dir: &std::path::Path) -> String {
    if dir == std::path::Path::new(".") {
        return String::new();
    }
    let dir = dir.display().to_string();
    if dir.contains(|c: char| c.is_whitespace() || "'\"$`\\".contains(c)) {
        format!(" -C '{}'", dir.replace('\'', "'\\''"))
    } else {
        format!(" -C {dir}")
    }
}

/// A person's or team's display name: "alice (Alice Ng)", "platform (team)".
pub fn owner_label(config: Option<&crate::model::Config>, owner: &str) -> String {
    match config {
        Some(c) if c.people.contains_key(owner) => format!("{owner} ({})", c.people[owner].name),
        Some(c) if c.teams.contains_key(owner) => {
            let name = &c.teams[owner].name;
            if name.is_empty() {
                format!("{owner} (team)")
            } else {
                format!("{owner} ({name})")
            }
        }
        _ => owner.to_owned(),
    }
}

/// The record branch (`defaults.branch`); the settings must parse to know it.
pub fn record_branch(snapshot: &crate::model::Snapshot) -> Result<String> {
    snapshot
        .config
        .as_ref()
        .map(|c| c.value.defaults.branch.clone())
        .ok_or_else(|| {
            crate::error::Error::new("isms.toml does not parse").hint("run `isms check` to see why")
        })
}

/// The commit `rev` names (a commit id, or `refs/heads/<branch>`): its full
/// id and its committer time in UTC.
pub fn commit_time(
    git_dir: &std::path::Path,
    rev: &str,
) -> Result<(String, chrono::DateTime<chrono::Utc>)> {
    let repo = git2::Repository::open(git_dir)
        .map_err(|e| crate::error::Error::git("open the repository", e))?;
    let commit = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| {
            crate::error::Error::git(format!("read `{rev}`"), e)
                .hint("commit to the record branch (defaults.branch in isms.toml) first")
        })?;
    let time = chrono::DateTime::from_timestamp(commit.time().seconds(), 0).unwrap_or_default();
    Ok((commit.id().to_string(), time))
}

/// A repository as committed: the snapshot of a commit's tree, with its
/// artifacts hashed from their blobs, and where it came from.
pub struct Committed {
    pub source: crate::repo::Index,
    pub snapshot: crate::model::Snapshot,
    /// Diagnostics of files that did not load.
    pub diagnostics: Vec<crate::diagnostic::Diagnostic>,
    /// The commit's full id and committer time.
    pub commit: String,
    pub time: chrono::DateTime<chrono::Utc>,
    /// The record branch, from the settings committed at `HEAD`.
    pub branch: String,
}

/// The commit `rev` names, or the record branch's tip (named by the settings
/// committed at `HEAD`), and the record branch: (full id, branch).
pub fn record_rev(git_dir: &std::path::Path, rev: Option<&str>) -> Result<(String, String)> {
    let branch = branch_at(git_dir, rev.unwrap_or("HEAD"))?;
    let rev = rev.map_or_else(|| format!("refs/heads/{branch}"), str::to_owned);
    let (commit, _) = commit_time(git_dir, &rev)?;
    Ok((commit, branch))
}

/// The record branch the settings committed at `rev` name.
fn branch_at(git_dir: &std::path::Path, rev: &str) -> Result<String> {
    use crate::repo::{Index, Scope};
    let (probe, _) = Index::commit(git_dir, rev).map_err(|e| {
        e.hint("commit the repository first: what isms derives is read from commits")
    })?;
    let settings = crate::repo::load(&probe, &Scope::Changed(Default::default()))?.snapshot;
    record_branch(&settings)
}

/// Reads the commit `rev` names, or the record branch's tip: never the
/// working tree, so uncommitted changes cannot enter what is derived from it.
pub fn committed(git_dir: &std::path::Path, rev: Option<&str>) -> Result<Committed> {
    use crate::repo::{Index, Scope};
    // A named commit's own settings name its record branch; otherwise the
    // settings committed at HEAD say which branch's tip to read.
    let (rev, head_branch) = match rev {
        Some(rev) => (rev.to_owned(), None),
        None => {
            let branch = branch_at(git_dir, "HEAD")?;
            (format!("refs/heads/{branch}"), Some(branch))
        }
    };
    let (source, _) = Index::commit(git_dir, &rev).map_err(|e| {
        e.hint("commit the repository first: what isms derives is read from commits")
    })?;
    let loaded = crate::repo::load(&source, &Scope::All)?;
    let mut snapshot = loaded.snapshot;
    let branch = match head_branch {
        Some(branch) => branch,
        None => record_branch(&snapshot)?,
    };
    crate::repo::hash_artifacts(&source, &mut snapshot);
    let (commit, time) = commit_time(git_dir, &rev)?;
    Ok(Committed {
        source,
        snapshot,
        diagnostics: loaded.diagnostics,
        commit,
        time,
        branch,
    })
}

/// What a command that reads the working tree says about it: `None` when
/// the item files are as `HEAD` has them, else that they differ from it.
pub fn worktree_stamp(root: &std::path::Path) -> Result<Option<String>> {
    let mut args = vec!["status", "--porcelain", "--", crate::repo::CONFIG_FILE];
    args.extend(crate::repo::ITEM_DIRS);
    let changed = crate::git::run(root, &args)?;
    if changed.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        match crate::git::run(root, &["rev-parse", "--short=10", "HEAD"]) {
            Ok(head) => format!("Read from the working tree, which differs from HEAD {head}."),
            Err(_) => "Read from the working tree; nothing is committed yet.".to_owned(),
        },
    ))
}

/// The review record of `branch`, with progress shown on a terminal during
/// a long walk and the notes reading it had (a cache rebuilt) on stderr.
pub fn record(git_dir: &std::path::Path, branch: &str) -> Result<crate::history::Record> {
    let mut progress = crate::output::Progress::default();
    let record = crate::history::record(git_dir, branch, &mut |n| progress.commits(n))?;
    drop(progress);
    for note in &record.notes {
        crate::output::note(&format!("note: {note}"));
    }
    Ok(record)
}

/// The working tree's snapshot, every item file read: for answers that must
/// not leave an item out (staleness, owners). An item file that does not
/// load is an error naming it, never a silent gap.
pub fn complete_snapshot(root: &std::path::Path) -> Result<crate::model::Snapshot> {
    let loaded = crate::repo::load(&crate::repo::WorkTree::new(root)?, &crate::repo::Scope::All)?;
    refuse_unread(&loaded.diagnostics)?;
    Ok(loaded.snapshot)
}

/// An error naming the first item file of `diagnostics` that did not load.
pub fn refuse_unread(diagnostics: &[crate::diagnostic::Diagnostic]) -> Result<()> {
    let broken: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| match d.line {
            Some(line) => format!("{}:{line}: {}", d.file, d.message),
            None => format!("{}: {}", d.file, d.message),
        })
        .collect();
    let Some(first) = broken.first() else {
        return Ok(());
    };
    let more = match broken.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    Err(crate::error::Error::new(format!(
        "{first}{more}: an item that cannot be read would be left out, so isms stops"
    ))
    .hint("fix the file (`isms check` lists every problem), then run this again"))
}

/// What a read-only command reads: the commit `--rev` names; with
/// `--as-of` a past day, the record branch as it stood that day; otherwise
/// `None`, the working tree.
pub fn reading(
    ctx: &Context,
    git_dir: &std::path::Path,
    rev: Option<&str>,
) -> Result<Option<String>> {
    if let Some(rev) = rev {
        return Ok(Some(rev.to_owned()));
    }
    // A day still to come is answered from the record as it stands now.
    let today = chrono::Local::now().date_naive();
    let Some(date) = ctx.as_of.filter(|d| *d < today) else {
        return Ok(None);
    };
    let branch = branch_at(git_dir, "HEAD")?;
    crate::history::landed_by(git_dir, &branch, date).map(Some)
}

/// The stamp of what was read from commit `commit`.
pub fn commit_stamp(ctx: &Context, rev: Option<&str>, commit: &str, branch: &str) -> String {
    match (rev, ctx.as_of) {
        (None, Some(date)) => format!(
            "Read from commit {}: the record branch {branch} as it stood on {date}.",
            &commit[..10]
        ),
        _ => format!("Read from commit {}.", &commit[..10]),
    }
}

/// The snapshot a report or the site reads (see [`reading`]), and what to
/// say about it (see [`worktree_stamp`]).
pub fn snapshot_at(
    ctx: &Context,
    repo: &crate::repo::Repo,
    rev: Option<&str>,
) -> Result<(crate::model::Snapshot, Option<String>)> {
    Ok(match reading(ctx, &repo.git_dir, rev)? {
        Some(commit) => {
            let c = committed(&repo.git_dir, Some(&commit))?;
            let source = commit_stamp(ctx, rev, &c.commit, &c.branch);
            (c.snapshot, Some(source))
        }
        None => (
            crate::repo::load(
                &crate::repo::WorkTree::new(&repo.root)?,
                &crate::repo::Scope::All,
            )?
            .snapshot,
            worktree_stamp(&repo.root)?,
        ),
    })
}
