//! One file per command: its arguments become a plan, then it runs.

mod approvals;
mod check;
mod ci;
mod close;
mod codeowners;
mod diff;
mod export;
mod hooks;
mod import;
mod init;
mod log;
mod migrate;
mod new;
mod pack;
mod reassess;
mod reassign;
mod rename;
mod report;
mod review;
mod schema;
mod show;
mod site;
mod stale;
mod status;
mod triggers;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;

use crate::cli::{Cli, Command, Format};
use crate::error::{Error, Result};
use crate::github::proposal::{Done, Proposal};

/// What every command gets from the global options.
pub struct Context {
    /// Where to run (`-C`), default the current directory.
    pub dir: PathBuf,
    pub format: Format,
    /// Today, or `--as-of`.
    pub today: NaiveDate,
    /// `--as-of`, when given: read-only commands then read the record as it
    /// stood that day (see [`crate::reading::reading`]).
    pub as_of: Option<NaiveDate>,
    /// The day it really is, whatever `--as-of` says.
    pub now: NaiveDate,
}

impl Context {
    /// A path the user named, as seen from where isms runs: below `-C DIR`
    /// when one was given, else as written (so an error names `out`, not
    /// `./out`).
    pub fn path(&self, named: impl AsRef<std::path::Path>) -> PathBuf {
        if self.dir == std::path::Path::new(".") {
            named.as_ref().to_owned()
        } else {
            self.dir.join(named)
        }
    }

    /// A path named on the command line, as the repository path it is
    /// (`""` for the root): a folder is resolved whole, anything else by its
    /// folder, so the file need not exist and a link is not followed. `None`
    /// when it is outside the repository.
    fn in_repo(&self, root: &std::path::Path, named: &str) -> Option<String> {
        let full = self.path(named);
        let is_dir = full.symlink_metadata().is_ok_and(|m| m.is_dir());
        let (dir, file) = match is_dir {
            true => (full.as_path(), None),
            false => (full.parent()?, Some(full.file_name()?)),
        };
        let dir = match dir.as_os_str().is_empty() {
            true => std::path::Path::new("."),
            false => dir,
        };
        let (dir, root) = (dir.canonicalize().ok()?, root.canonicalize().ok()?);
        let rel = dir.strip_prefix(&root).ok()?;
        let parts: Vec<_> = (rel.components())
            .map(|c| c.as_os_str().to_string_lossy())
            .chain(file.map(|f| f.to_string_lossy()))
            .collect();
        Some(parts.join("/"))
    }

    /// A file or folder named on the command line, as the repository path
    /// it is (`""` for the root). It must exist; a link is not followed; a
    /// path outside the repository is refused.
    pub fn repo_path(&self, root: &std::path::Path, named: &str) -> Result<String> {
        if self.path(named).symlink_metadata().is_err() {
            return Err(Error::new(format!("{named}: no such file or folder"))
                .hint_if(self.folder_meant(root, named)));
        }
        self.in_repo(root, named).ok_or_else(|| {
            Error::new(format!(
                "{named}: not a path in the repository at {}",
                root.display()
            ))
        })
    }

    /// For a path named on the command line that is not there, the folder
    /// of the repository beside it that it is a likely typo of, written as
    /// `named` is: "did you mean `responsibilities/payments-api/`?" for
    /// `responsibilities/payment-api/`. Only a path with a folder in it:
    /// a bare name is an item's.
    pub fn folder_meant(&self, root: &std::path::Path, named: &str) -> Option<String> {
        let written = named.trim_end_matches('/');
        if !written.contains('/') && !named.ends_with('/') {
            return None;
        }
        let full = self.path(written);
        if full.symlink_metadata().is_ok() {
            return None;
        }
        let last = full.file_name()?.to_str()?;
        let beside = written.strip_suffix(last)?;
        let parent = self.path(if beside.is_empty() { "." } else { beside });
        self.in_repo(root, &parent.to_string_lossy())?;
        let folders: Vec<String> = std::fs::read_dir(&parent)
            .ok()?
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|name| !name.starts_with('.'))
            .collect();
        let folders: Vec<&str> = folders.iter().map(String::as_str).collect();
        let meant = crate::diagnostic::did_you_mean(last, &folders)?;
        Some(crate::diagnostic::meant(format!("{beside}{meant}/")))
    }

    /// A folder named on the command line, as the repository path it is
    /// (`""` for the root); `None` when `named` is no folder in the
    /// repository. A link is not followed.
    pub fn dir_arg(&self, root: &std::path::Path, named: &str) -> Option<String> {
        let full = self.path(named);
        if !full.symlink_metadata().ok()?.is_dir() {
            return None;
        }
        self.in_repo(root, named)
    }

    /// An item named on the command line by its file, as the repository
    /// path it is: `5.1.toml` given in `controls/` is `controls/5.1.toml`.
    /// Only the file's folder is resolved; the file need not exist, and
    /// anything else is kept as written.
    pub fn item_arg(&self, root: &std::path::Path, named: &str) -> String {
        if !named.ends_with(".toml") {
            return named.to_owned();
        }
        self.in_repo(root, named)
            .unwrap_or_else(|| named.to_owned())
    }
}

/// After a command that reads commits alone, says how many item files
/// have uncommitted changes that it left out; nothing when none do.
pub fn note_left_out(root: &std::path::Path, leaves_out: &str) -> Result<()> {
    let n = crate::reading::uncommitted_read_files(root)?;
    if n > 0 {
        let have = if n == 1 { "has" } else { "have" };
        crate::output::note(&format!(
            "note: {} {have} uncommitted changes, which {leaves_out}",
            crate::output::plural(n, "item file")
        ));
    }
    Ok(())
}

/// FROM when none is named: where TO left the record branch, their merge
/// base (TO itself when TO is on the record branch).
pub fn record_base(
    repo: &crate::repo::Repo,
    revs: &crate::history::diff::Revisions,
    to: crate::model::CommitId,
) -> Result<crate::model::CommitId> {
    let branch = crate::reading::record_branch(&repo.outline()?)?;
    revs.merge_base(&branch, to)
}

pub fn dispatch(cli: Cli) -> Result<ExitCode> {
    let now = chrono::Local::now().date_naive();
    let ctx = Context {
        dir: cli.dir.unwrap_or_else(|| PathBuf::from(".")),
        format: cli.format,
        today: cli.as_of.unwrap_or(now),
        as_of: cli.as_of,
        now,
    };
    if !ctx.dir.is_dir() {
        let what = match ctx.dir.exists() {
            true => "not a directory",
            false => "no such directory",
        };
        return Err(crate::error::Error::new(format!(
            "-C {}: {what}",
            ctx.dir.display()
        )));
    }
    let (name, formats) = formats(&cli.command);
    if !formats.contains(&ctx.format) {
        let names: Vec<&str> = formats.iter().map(|f| format_name(*f)).collect();
        return Err(crate::error::Error::new(format!(
            "--format {} is not for isms {name}: it writes {}",
            format_name(ctx.format),
            crate::output::series(&names, "or")
        )));
    }
    match cli.command {
        Command::Init(args) => init::run(&ctx, &args),
        Command::New(cmd) => new::run(&ctx, cmd),
        Command::Check(args) => check::run(&ctx, &args),
        Command::Schema(args) => schema::run(&args),
        Command::Review(args) => review::run(&ctx, &args),
        Command::Log(args) => log::run(&ctx, &args),
        Command::Show(args) => show::run(&ctx, &args),
        Command::Stale(args) => stale::run(&ctx, &args),
        Command::Status(args) => status::run(&ctx, &args),
        Command::Triggers(cmd) => triggers::run(&ctx, cmd),
        Command::Reassess(args) => reassess::run(&ctx, &args),
        Command::Reassign(args) => reassign::run(&ctx, &args),
        Command::Rename(cmd) => rename::run(&ctx, &cmd),
        Command::Close(args) => close::run(&ctx, &args),
        Command::Import(cmd) => import::run(&ctx, &cmd),
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
        // Annotations and SARIF carry only what needs action.
        Command::Stale(a) if a.all => ("stale --all", &[Human, Json, Csv]),
        // A dry run shows pull requests to people.
        Command::Stale(a) if a.dry_run => ("stale --dry-run", TEXT),
        // CSV, for a spreadsheet that tracks what is due.
        Command::Stale(_) => ("stale", &[Human, Json, Github, Sarif, Csv]),
        Command::Triggers(crate::cli::TriggersCommand::Detect(a)) if a.dry_run => {
            ("triggers detect --dry-run", TEXT)
        }
        Command::Triggers(_) => ("triggers detect", FINDINGS),
        Command::Report(_) => ("report", &[Human, Md, Csv, Json, Html]),
        Command::VerifyApprovals(_) => ("verify-approvals", &[Human, Json, Github]),
        Command::Status(_) => ("status", DATA),
        // CSV, for an auditor's spreadsheet.
        Command::Log(_) => ("log", &[Human, Json, Csv]),
        Command::Show(_) => ("show", DATA),
        // Its human output is Markdown, for a pull request or job summary.
        Command::Diff(_) => ("diff", &[Human, Md, Json]),
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
        Command::Reassign(_) => ("reassign", TEXT),
        Command::Rename(_) => ("rename", TEXT),
        Command::Close(_) => ("close", TEXT),
        Command::Import(_) => ("import", TEXT),
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

/// `--owner @me`: the person whose email is git's author email here, as
/// `gh` reads `@me` for the signed-in user.
pub const ME: &str = "@me";

/// The person `@me` names, given to `flag`: the one whose `email` in the
/// settings `config` is git's author email in `root`, and no one else's.
pub fn me(
    root: &std::path::Path,
    config: Option<&crate::model::Config>,
    flag: &str,
) -> Result<String> {
    let Some((_, email)) = crate::git::author(root) else {
        return Err(Error::new(format!(
            "{flag} @me is git's author email, and git has none here"
        ))
        .hint("set it with `git config user.email YOU@EXAMPLE.COM`, or name the owner"));
    };
    if let Some(key) = config.and_then(|c| c.owner_key(&email)) {
        return Ok(key);
    }
    let sharing = config
        .map(|c| c.people_with_email(&email))
        .unwrap_or_default();
    if sharing.len() > 1 {
        return Err(Error::new(format!(
            "{flag} @me is git's author email, {email}, which {} have in {}: it names none of them",
            crate::output::series(&sharing, "and"),
            crate::repo::CONFIG_FILE
        ))
        .hint(format!(
            "give each person their own email, or name the owner: {flag} KEY"
        )));
    }
    Err(Error::new(format!(
        "{flag} @me is git's author email, {email}, and no person in {} has it",
        crate::repo::CONFIG_FILE
    ))
    .hint(format!(
        "set it as the `email` of your [people.KEY], or name the owner: {flag} KEY"
    )))
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

/// A note naming those of `items` that an effective review on HEAD, not
/// yet on the record branch `record`, reviews (an owner's review on a topic
/// branch, before it lands): listed as due all the same, and this says
/// why. None when there is none, or HEAD or the branch cannot be read.
pub fn unlanded_note<'a>(
    repo: &crate::repo::Repo,
    record: &str,
    items: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    if crate::history::head_is(&repo.git_dir, record) {
        return None;
    }
    let branch = format!("refs/heads/{record}");
    let pending = crate::history::reviews_between(&repo.git_dir, Some(&branch), "HEAD").ok()?;
    // Oldest first: an item's newest review is the one named.
    let reviewed: std::collections::HashMap<&str, crate::model::CommitId> = (pending.iter())
        .filter(|r| r.outcome == crate::model::Outcome::Effective)
        .map(|r| (&*r.item, r.commit))
        .collect();
    let named: Vec<(&str, String)> = (items.into_iter())
        .filter_map(|i| reviewed.get(i).map(|c| (i, c.short())))
        .collect();
    if named.is_empty() {
        return None;
    }
    let here = branch_here(&repo.root);
    Some(match named.as_slice() {
        [(item, commit)] => format!(
            "note: {item} has a review on {here} ({commit}) that is not on `{record}` yet; it counts once it lands there"
        ),
        many => {
            let listed: Vec<String> = many.iter().map(|(i, c)| format!("{i} ({c})")).collect();
            let listed: Vec<&str> = listed.iter().map(String::as_str).collect();
            format!(
                "note: {} have reviews on {here} that are not on `{record}` yet, and count once they land there: {}",
                crate::output::plural(many.len(), "item"),
                crate::output::series(&listed, "and")
            )
        }
    })
}

/// The branch checked out in the working tree at `root`, for messages; "a
/// detached HEAD" when there is none.
pub fn branch_here(root: &std::path::Path) -> String {
    crate::git::run(root, &["symbolic-ref", "--quiet", "--short", "HEAD"])
        .unwrap_or_else(|_| "a detached HEAD".into())
}

/// Says [`unlanded_note`] of those of `items` a review answers, in the
/// repository `ctx` runs in.
pub fn say_unlanded<'a>(
    ctx: &Context,
    record: &str,
    items: impl IntoIterator<Item = &'a crate::check::review::ItemStatus>,
) {
    let listed = (items.into_iter())
        .filter(|i| i.answered_by_review())
        .map(|i| i.item.as_str());
    let repo = crate::repo::Repo::discover(&ctx.dir).ok();
    if let Some(note) = repo.and_then(|repo| unlanded_note(&repo, record, listed)) {
        crate::output::note(&note);
    }
}

/// `service`, named on the command line, checked against `snapshot`'s
/// services: when it is not one of them, an error with a "did you mean".
pub fn known_service(snapshot: &crate::model::Snapshot, service: &str) -> Result<()> {
    let known: Vec<&str> = snapshot.services.keys().map(|k| k.as_str()).collect();
    if known.contains(&service) {
        return Ok(());
    }
    let e = Error::new(format!("no service `{service}` in services/"));
    Err(e.hint_if(crate::repo::suggestion(service, &known)))
}

/// The error for `input`, which names no item (`why`): what items are, and,
/// where it names a person or team (by key, login, email or slug), where
/// what they own is listed.
pub fn no_item(why: String, input: &str, snapshot: &crate::model::Snapshot) -> Error {
    let config = snapshot.config.as_ref().map(|d| &d.value);
    let owner = config.and_then(|c| Some((c.owner_key(input)?, c)));
    let owns = owner.map(|(key, c)| {
        let (what, owns) = match c.teams.contains_key(key.as_str()) {
            true => ("a team", "it owns"),
            false => ("a person", "they own"),
        };
        let named = match key == input {
            true => format!("`{input}` is {what}"),
            false => format!("`{input}` names {key}, {what}"),
        };
        format!(
            "{named} in {}: `isms stale --owner {key} --all` lists what {owns}",
            crate::repo::CONFIG_FILE
        )
    });
    Error::new(why)
        .hint_if(owns)
        .hint(format!("items are {}", crate::model::KEY_FORMS))
}

/// The summary of what `ctx` and `rev` say to read (see
/// [`crate::reading::reading`]). The ask's owner, when given, must be a
/// person or team: it is checked before any history is read.
pub fn summary(
    ctx: &Context,
    ask: crate::summary::Ask,
    rev: Option<&str>,
) -> Result<crate::summary::Summary> {
    // A commit is read from git objects alone: a mirror will do.
    let reads_commit = crate::reading::reads_commit(ctx.as_of, rev);
    let repo = crate::repo::Repo::discover_reading(&ctx.dir, reads_commit)?;
    crate::summary::summary(&repo, ask, rev, &record)
}

/// The summary of the working tree as of `ctx.today`, whatever `--as-of`
/// says: for commands that act on the working tree.
pub fn worktree_summary(ctx: &Context, owner: Option<&str>) -> Result<crate::summary::Summary> {
    let repo = crate::repo::Repo::discover(&ctx.dir)?;
    crate::summary::worktree(&repo, ask(ctx, owner), &record)
}

/// What a summary is asked of, as of `ctx`'s day: the items that need
/// action, `owner`'s when one is given.
pub fn ask<'a>(ctx: &Context, owner: Option<&'a str>) -> crate::summary::Ask<'a> {
    crate::summary::Ask {
        today: ctx.today,
        as_of: ctx.as_of,
        owner,
        all: false,
    }
}

/// Why an author's review of an item owned by `owner` does not count under
/// `approval = "author"`, as the warnings of `review`, `stale` and `log`
/// say it: "bob (Bob Okafor), who owns it, has another email".
/// `label` names the owner; `team` says whether it is a team.
pub fn not_the_owners(label: &str, team: bool) -> String {
    match team {
        true => format!("no member of {label}, which owns it, has that email"),
        false => format!("{label}, who owns it, has another email"),
    }
}

/// The warning of `stale` and `log` for a review that does not count under
/// `approval = "author"`: `why` as [`not_the_owners`] words it.
pub fn not_counted_warning(
    item: &str,
    commit: &str,
    author: &str,
    email: &str,
    why: &str,
) -> String {
    format!(
        "warning: review of {item} in {} by {author} <{email}> does not count: {why} in isms.toml (approval = \"author\")",
        &commit[..commit.len().min(10)]
    )
}

/// Why a review of `key` by `email` does not count in `s` under `approval
/// = "author"` ("bob (Bob Okafor), who owns it, has another email"), as
/// `stale`, `log` and `diff` say it; `None` when it counts, or when `s`
/// does not know the item's owner.
pub fn why_not_counted(
    s: &crate::model::Snapshot,
    key: &crate::model::ItemKey,
    email: &str,
) -> Option<String> {
    let config = &s.config.as_ref()?.value;
    let not_counted = crate::check::review::not_counted(s, std::slice::from_ref(key), email);
    let (_, owner) = not_counted.first()?;
    let label = crate::reading::owner_label(Some(config), owner.as_str());
    Some(not_the_owners(
        &label,
        config.teams.contains_key(owner.as_str()),
    ))
}

/// What to read for the owners of `keys`: the small kinds (the outline),
/// and the allocations among `keys`, which the outline knows only by path,
/// each once however often it is named; `None` when `keys` name no
/// allocation, so the outline will do.
pub fn owners_scope(keys: &[crate::model::ItemKey]) -> Option<crate::repo::Scope> {
    use crate::model::{FileKind, ItemKey};
    let paths: std::collections::BTreeSet<String> = keys
        .iter()
        .filter_map(|k| match k {
            ItemKey::Allocation(svc, ctl) => {
                Some(FileKind::Allocation.path(Some(svc.as_str()), ctl.as_str()))
            }
            _ => None,
        })
        .collect();
    (!paths.is_empty()).then_some(crate::repo::Scope::Changed(paths))
}

/// The outline read again with the allocations `keys` name, for their
/// owners; `None` when `keys` name none.
pub fn with_allocations(
    repo: &crate::repo::Repo,
    keys: &[crate::model::ItemKey],
) -> Result<Option<crate::model::Snapshot>> {
    match owners_scope(keys) {
        Some(scope) => Ok(Some(repo.load_current(&scope)?.snapshot)),
        None => Ok(None),
    }
}

/// With `approval = "author"`, a warning for each of `keys` whose review
/// by git's author here will not count, as `stale` will say once it lands:
/// for `review`, and the commit-msg hook. A warning that cannot be worked
/// out (a folder that cannot be listed) is not given; the command goes on.
pub fn not_counted(
    repo: &crate::repo::Repo,
    outline: &crate::model::Snapshot,
    keys: &[crate::model::ItemKey],
) -> Vec<String> {
    use crate::model::Approval;
    let approval = outline.config.as_ref().map(|c| c.value.review.approval);
    if approval != Some(Approval::Author) {
        return Vec::new();
    }
    let Ok(reloaded) = with_allocations(repo, keys) else {
        return Vec::new();
    };
    let snapshot = reloaded.as_ref().unwrap_or(outline);
    let Some(config) = snapshot.config.as_ref().map(|c| &c.value) else {
        return Vec::new();
    };
    let Some((name, email)) = crate::git::author(&repo.root) else {
        return Vec::new();
    };
    let not_counted = crate::check::review::not_counted(snapshot, keys, &email);
    let mut warnings: Vec<String> = not_counted
        .iter()
        .map(|(key, owner)| {
            let label = crate::reading::owner_label(Some(config), owner.as_str());
            let owner = not_the_owners(&label, config.teams.contains_key(owner.as_str()));
            format!(
                "warning: this review of {key} will not count: it is made as {name} <{email}>, \
                 and {owner} in isms.toml (approval = \"author\")"
            )
        })
        .collect();
    if !warnings.is_empty() {
        warnings.push(
            "  hint: with approval = \"author\", only the owner's own reviews count: ask them to \
             record it, or set your email in isms.toml if it is yours"
                .to_owned(),
        );
    }
    warnings
}

/// What settles an item that needs action but not a review.
pub fn what_settles(i: &crate::check::review::ItemStatus) -> String {
    let (kind, id) = i.item.split_once(':').unwrap_or(("", &i.item));
    match (kind, i.state) {
        (_, crate::check::review::State::MissingEvidence) => {
            format!("collect it, and record it: `isms new evidence --control {id}`")
        }
        ("evidence", _) => format!("collect it again: `isms new evidence --like {id}`"),
        ("finding", _) => format!(
            "finish the corrective action and close it in `{}` (`status = \"closed\"`, `closed = DATE`), or agree a new `due`; `isms close {id}` closes it",
            i.file
        ),
        _ => format!("see `isms show {}`", i.item),
    }
}

/// The settings of `snapshot`, which a command that writes items needs:
/// an error when isms.toml does not parse.
pub fn settings(snapshot: &crate::model::Snapshot) -> Result<&crate::model::Config> {
    (snapshot.config.as_ref().map(|d| &d.value)).ok_or_else(|| {
        Error::new(format!("{} does not parse", crate::repo::CONFIG_FILE))
            .hint("run `isms check` to see why, and fix it first")
    })
}

/// The review record of `branch`, or none while the branch has no commit
/// (a repository whose first commit is still to come).
pub fn record_if_any(repo: &crate::repo::Repo, branch: &str) -> Result<crate::history::Record> {
    let exists = crate::git::run(
        &repo.root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("refs/heads/{branch}"),
        ],
    )
    .is_ok();
    match exists {
        true => record(&repo.git_dir, branch),
        false => Ok(Default::default()),
    }
}

/// Refuses a working tree with uncommitted changes (naming the first few)
/// for a command whose change must be `one` commit of its own: "the
/// migration", "the rename".
pub fn refuse_dirty(repo: &crate::repo::Repo, one: &str) -> Result<()> {
    let dirty = crate::git::run(&repo.root, &["status", "--porcelain"])?;
    if dirty.is_empty() {
        return Ok(());
    }
    let first: Vec<&str> = dirty.lines().take(3).collect();
    Err(Error::new(format!(
        "the working tree has uncommitted changes ({}{}); {one} must be one commit of its own",
        first.join(", ").trim(),
        if dirty.lines().count() > 3 {
            ", …"
        } else {
            ""
        }
    ))
    .hint("commit or stash them, then run it again; nothing was written"))
}

/// Commits what is staged in the work tree at `root` with `message`, which
/// lists every change and may be too long for an argument; hooks are not
/// run (the command checked what it wrote).
pub fn commit_staged(root: &std::path::Path, message: &str) -> Result<()> {
    let mut file = tempfile::NamedTempFile::new()
        .map_err(|e| Error::new("could not create a temporary file").caused_by(e))?;
    std::io::Write::write_all(&mut file, message.as_bytes())
        .map_err(|e| Error::io("write", file.path(), e))?;
    let path = file.path().to_string_lossy().into_owned();
    crate::git::run(root, &["commit", "--quiet", "--no-verify", "--file", &path])?;
    Ok(())
}

/// `text` with its top-level string `key` set to `value`, its comments,
/// layout, line endings and every other key kept; `None` when it has no
/// such string to change.
pub fn with_string(text: &str, key: &str, value: &str) -> Option<String> {
    let mut doc = text.parse::<toml_edit::DocumentMut>().ok()?;
    let item = doc.get_mut(key)?.as_value_mut()?;
    item.as_str()?;
    set_string(item, value);
    Some(crate::span::in_the_form_of(text, doc.to_string()))
}

/// `item` made the string `value`, the spaces and comment around it kept.
pub fn set_string(item: &mut toml_edit::Value, value: &str) {
    set_value(item, toml_edit::Value::from(value));
}

/// `item` made `value`, the spaces and comment around it kept.
pub fn set_value(item: &mut toml_edit::Value, value: toml_edit::Value) {
    let decor = item.decor().clone();
    *item = value;
    *item.decor_mut() = decor;
}

/// `table`'s `key` made `value`, the spaces and comment around it kept;
/// added at the end of the table when it has none. Whether it was added.
pub fn set_or_add(
    table: &mut dyn toml_edit::TableLike,
    key: &str,
    value: toml_edit::Value,
) -> bool {
    match table.get_mut(key).and_then(|i| i.as_value_mut()) {
        Some(item) => {
            set_value(item, value);
            false
        }
        None => {
            table.insert(key, toml_edit::Item::Value(value));
            true
        }
    }
}

/// A text as a TOML value, as `new` writes one: a multi-line string where
/// it has lines.
pub fn text_value(text: &str) -> toml_edit::Value {
    (crate::scaffold::q(text).parse()).unwrap_or_else(|_| toml_edit::Value::from(text))
}

/// A generated CODEOWNERS follows the owners through a command that writes
/// items (`new`, `reassign`): taken as it is before, and brought up to
/// date after, if it was current; never a hand-written one.
pub struct FollowCodeowners(std::result::Result<Codeowners, String>);

impl FollowCodeowners {
    /// CODEOWNERS as it should be before the command: if it is exactly
    /// that, it holds no hand edits and follows the items written.
    pub fn before(root: &std::path::Path) -> Self {
        FollowCodeowners(current_codeowners(root))
    }

    /// As [`FollowCodeowners::before`], of the working tree's complete
    /// snapshot, already read.
    pub fn of(snapshot: &crate::model::Snapshot) -> Self {
        FollowCodeowners(Ok(codeowners_state(snapshot)))
    }

    /// Whether CODEOWNERS was the generated one, following the owners.
    pub fn is_current(&self) -> bool {
        matches!(self.0, Ok(Codeowners::Current))
    }

    /// Brings CODEOWNERS up to date once the items are written, or says why
    /// not; `left_out` says what a generated one that was behind misses.
    pub fn after(self, writer: &crate::repo::Writer, left_out: &str) -> Result<()> {
        let root = &writer.repo().root;
        match self.0 {
            Ok(Codeowners::Current) => {
                if rewrite_codeowners(writer)? {
                    crate::output::note(&format!("updated {}", crate::render::codeowners::PATH));
                }
            }
            Ok(Codeowners::NotOurs) => {}
            // Generated, but edited or not refreshed since, and still behind
            // after the command (`check` warns of it too): said, not left unseen.
            Ok(Codeowners::Behind)
                if !matches!(current_codeowners(root), Ok(Codeowners::Current)) =>
            {
                crate::output::note(&format!(
                    "warning: {} does not follow the owners (edited, or not refreshed), so {left_out}; \
                     `isms codeowners` brings it up to date",
                    crate::render::codeowners::PATH,
                ))
            }
            Ok(Codeowners::Behind) => {}
            // Said once the items are written: a command that fails says why alone.
            Err(why) => crate::output::note(&format!(
                "warning: {} is left as it is: {why}",
                crate::render::codeowners::PATH
            )),
        }
        Ok(())
    }
}

/// What CODEOWNERS is, before a command writes items.
enum Codeowners {
    /// The generated one, matching the owners: isms keeps it current.
    Current,
    /// None, or one of the user's own: never isms's to touch or talk of.
    NotOurs,
    /// The generated one, but it differs from the owners already.
    Behind,
}

/// Whether CODEOWNERS is the generated one and matches the owners. With an
/// item file that does not load, it cannot be kept current: it is left as
/// it is, and the error says why, for the user to hear.
fn current_codeowners(root: &std::path::Path) -> std::result::Result<Codeowners, String> {
    let snapshot = crate::reading::complete_snapshot(root).map_err(|e| e.message)?;
    Ok(codeowners_state(&snapshot))
}

/// What CODEOWNERS is in `snapshot`, against the owners it holds.
fn codeowners_state(snapshot: &crate::model::Snapshot) -> Codeowners {
    use crate::render::codeowners::{is_generated, render};
    match snapshot.codeowners.as_deref() {
        Some(c) if snapshot.config.is_some() && c == render(snapshot) => Codeowners::Current,
        Some(c) if snapshot.config.is_some() && is_generated(c) => Codeowners::Behind,
        _ => Codeowners::NotOurs,
    }
}

/// Brings a generated CODEOWNERS up to date with the items just written;
/// whether it changed.
pub fn rewrite_codeowners(writer: &crate::repo::Writer) -> Result<bool> {
    use crate::render::codeowners::{PATH, render};
    let root = &writer.repo().root;
    let snapshot =
        crate::repo::load(&crate::repo::WorkTree::new(root)?, &crate::repo::Scope::All)?.snapshot;
    let text = render(&snapshot);
    if snapshot.codeowners.as_deref() == Some(text.as_str()) {
        return Ok(false);
    }
    // It was the generated one before this command: isms's own to refresh.
    writer.refresh(&root.join(PATH), text.as_bytes())?;
    Ok(true)
}

/// After a command that changed a clean working tree and failed before its
/// commit: the tree put back as `HEAD` has it, and `e` saying so.
pub fn restore_clean_tree(root: &std::path::Path, e: Error) -> Error {
    let _ = crate::git::run(root, &["reset", "--quiet", "--hard", "HEAD"]);
    let _ = crate::git::run(root, &["clean", "-fdq"]);
    e.hint("the working tree was restored; nothing was committed")
}

/// With `approval = "author"`, a warning for proposal `p` when the reviews
/// it records will not all count once merged: its commit is made as git's
/// author here (in CI, a bot), and only an owner's own reviews count.
/// `snapshot` holds the owners of every item (allocations included).
pub fn warn_uncounted(repo: &crate::repo::Repo, snapshot: &crate::model::Snapshot, p: &Proposal) {
    // Under pull-request approval every landed review counts: git's author
    // is not asked for.
    let approval = snapshot.config.as_ref().map(|c| c.value.review.approval);
    if approval != Some(crate::model::Approval::Author) {
        return;
    }
    let keys: Vec<crate::model::ItemKey> = (p.items.iter())
        .filter_map(|i| crate::model::ItemKey::parse(i).ok())
        .collect();
    let Some((name, email)) = crate::git::author(&repo.root) else {
        return;
    };
    let not_counted = crate::check::review::not_counted(snapshot, &keys, &email);
    if not_counted.is_empty() {
        return;
    }
    let some = match not_counted.len() == keys.len() {
        true => String::new(),
        false => format!(" for {} of its {} items", not_counted.len(), keys.len()),
    };
    crate::output::note(&format!(
        "warning: the pull request from {} records reviews that will not count{some}: \
         its commit is made as {name} <{email}>, and under approval = \"author\" only an owner's \
         own reviews count\n  \
         hint: owners record their reviews as themselves: `isms review ITEM…` (or, for their \
         overdue items, `isms stale --open-prs --owner @me`)",
        p.branch,
    ));
}

/// The pull request a proposal would be, for `--dry-run`: its branch,
/// title, reviewers, the file and commit it would make, and its body, each
/// text indented as `git log` indents a message.
fn show_proposal(out: &mut impl std::io::Write, p: &Proposal) -> std::io::Result<()> {
    let indent = |text: &str| -> String {
        text.lines()
            .map(|l| match l {
                "" => "\n".to_owned(),
                l => format!("    {l}\n"),
            })
            .collect()
    };
    let reviewers: Vec<String> = (p.users.iter().map(|u| format!("@{u}")))
        .chain(p.teams.iter().map(|t| format!("@{t} (team)")))
        .collect();
    writeln!(out, "pull request from {}: {}", p.branch, p.title)?;
    writeln!(
        out,
        "reviewers: {}",
        match reviewers.is_empty() {
            true => "none (no owner has a GitHub handle in isms.toml)".to_owned(),
            false => reviewers.join(", "),
        }
    )?;
    if let Some((path, _)) = &p.file {
        writeln!(out, "writes: {path}")?;
    }
    write!(
        out,
        "commit:\n{}body:\n{}",
        indent(&p.message),
        indent(&p.body)
    )
}

/// What `--dry-run` shows in place of opening pull requests: each that
/// would be opened or updated, then a note that nothing was.
pub fn show_proposals(proposals: impl IntoIterator<Item = Proposal>) {
    use std::io::Write as _;
    let mut out = std::io::BufWriter::new(anstream::stdout().lock());
    let mut shown = 0;
    for p in proposals {
        // Each after a blank line; a closed stdout ends the listing quietly.
        let _ = writeln!(out).and_then(|()| show_proposal(&mut out, &p));
        shown += 1;
    }
    drop(out);
    crate::output::note(&format!(
        "dry run: {} shown; nothing was committed or pushed, and GitHub was not asked",
        crate::output::plural(shown, "pull request")
    ));
}

/// Says what became of a proposal: its URL or commit on stdout, the rest on stderr.
pub fn report_proposal(p: &Proposal, done: &Done) {
    match done {
        Done::Local { commit } => {
            println!("{commit}");
            crate::output::note(&format!(
                "committed on branch {}; push it and open a pull request, or run again with --open-pr",
                p.branch
            ));
        }
        Done::Pull {
            number,
            url,
            created,
            warning,
        } => {
            if let Some(warning) = warning {
                crate::output::note(&format!("warning: pull request #{number}: {warning}"));
            }
            println!("{url}");
            crate::output::note(&match created {
                true => format!("opened pull request #{number} from {}", p.branch),
                false => format!(
                    "updated pull request #{number} from {} with a new commit",
                    p.branch
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_changes_one_value_and_keeps_its_comment_and_the_rest() {
        let text = "#:schema ../.isms/schemas/service.json\r\nid = \"a\"\r\n\
                    owner = \"bob\"     # who answers for it\r\n\
                    services = [\"a\", \"b\"]  # and more\r\n\
                    [extra]\r\nowner = \"bob\"\r\n";
        assert_eq!(
            with_string(text, "owner", "carol").unwrap(),
            "#:schema ../.isms/schemas/service.json\r\nid = \"a\"\r\n\
             owner = \"carol\"     # who answers for it\r\n\
             services = [\"a\", \"b\"]  # and more\r\n\
             [extra]\r\nowner = \"bob\"\r\n"
        );
        let renamed = |id: &str| vec![if id == "b" { "c" } else { id }.to_owned()];
        assert_eq!(
            crate::migrate::rewritten_list(text, "services", &renamed)
                .unwrap()
                .0,
            text.replace("\"b\"]", "\"c\"]")
        );
        assert_eq!(with_string("id = \"a\"\n", "owner", "carol"), None);
        assert_eq!(with_string("owner = 3\n", "owner", "carol"), None);
        assert_eq!(
            crate::migrate::rewritten_list("services = \"a\"\n", "services", &renamed),
            None
        );
    }
}
