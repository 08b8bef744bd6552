//! Command-line types only; converted into domain values before anything runs.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::ServiceModel;

const EXAMPLES: &str = "\
Examples:
  isms init --example demo        scaffold an example compliance repository
  isms -C demo check              validate it: schema, references, responsibility matrix
  isms check --staged             validate what is about to be committed (the pre-commit hook)
  isms check --format json        machine-readable findings
  isms new service payments-api --model saas --role provider
  isms schema control             JSON Schema of controls/*.toml
  isms review CLD.9.5.1 --note \"isolation test passed\"
  isms stale --owner alice        what alice must review now
  isms stale --owner @me          what you must review now (git's author email)
  isms stale --owner @me --all    everything you own, with when each is next due
  isms status                     one screen: states, matrix, overdue by owner
  isms reassign bob carol         bob left: his controls, allocations and findings go to carol
  isms close 2026-003             the finding's corrective action is done: closed today
  isms report soa --format csv    the Statement of Applicability as CSV
  isms report evidence --control 5.18
  isms import soa soa.csv         the SoA report's CSV, edited in a spreadsheet, taken back
  isms site --out site            a static dashboard: open site/index.html
  isms export oscal --out oscal   OSCAL: catalog, profile, component definitions, SSP

Exit status: 0 all good, 1 problems found, 2 could not run.";

/// Keep ISO/IEC 27001:2022 Annex A and ISO/IEC 27017 cloud security
/// controls, the shared-responsibility matrix and evidence in git.
#[derive(Debug, Parser)]
#[command(name = "isms", version, after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    /// Run as if started in DIR.
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Output format.
    #[arg(long, global = true, value_enum, ignore_case = true, default_value_t = Format::Human)]
    pub format: Format,

    /// Evaluate dates as of this day instead of today (YYYY-MM-DD).
    #[arg(long, global = true, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the command line (the program name first). An item key where
    /// a kind of item is the subcommand, `isms rename service:tenant-db
    /// tenant-database`, is read as the kind and the ID, as `isms show` and
    /// `isms review` read keys; anything else is clap's error.
    pub fn parse_args(args: Vec<std::ffi::OsString>) -> Result<Cli, clap::Error> {
        use clap::error::{ContextKind, ContextValue, ErrorKind};
        let error = match Cli::try_parse_from(&args) {
            Ok(cli) => return Ok(cli),
            Err(e) => e,
        };
        if error.kind() == ErrorKind::InvalidSubcommand
            && let Some(ContextValue::String(word)) = error.get(ContextKind::InvalidSubcommand)
            && let Some((kind, id)) = word.split_once(':')
            && !kind.is_empty()
            && !id.is_empty()
            && let Some(at) = args.iter().position(|a| a.to_str() == Some(word))
        {
            let mut split = args.clone();
            split.splice(at..=at, [kind.into(), id.into()]);
            if let Ok(cli) = Cli::try_parse_from(split) {
                return Ok(cli);
            }
        }
        Err(error)
    }
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people; colour on a terminal unless NO_COLOR is set.
    Human,
    /// Stable, documented JSON on stdout.
    Json,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// SARIF 2.1.0 for GitHub code scanning (check, stale, triggers detect).
    Sarif,
    /// Markdown (report; the default for people).
    Md,
    /// CSV, RFC 4180 (report, log, stale).
    Csv,
    /// A standalone HTML page (report).
    Html,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a compliance repository: catalog, settings, triggers, workflows.
    Init(InitArgs),
    /// Create a file from its template.
    #[command(subcommand)]
    New(NewCommand),
    /// Validate the repository: schema, references, responsibility matrix, evidence.
    Check(CheckArgs),
    /// Print the JSON Schema of a file kind (all kinds when none is given).
    Schema(SchemaArgs),
    /// Record a review of items: one commit whose trailers name them.
    Review(ReviewArgs),
    /// The review history of an item, or the whole record, as landed on the record branch.
    Log(LogArgs),
    /// One item: its file, owner and states, its reviews, and the items about it.
    Show(ShowArgs),
    /// Items that are overdue, due soon, need change, expired or missing evidence, by owner.
    Stale(StaleArgs),
    /// One screen: counts by state, matrix completeness, what is overdue and whose it is.
    Status(StatusArgs),
    /// Triggers: events that require reassessment.
    #[command(subcommand)]
    Triggers(TriggersCommand),
    /// Ask the owners to reassess what a trigger names, by hand.
    Reassess(ReassessArgs),
    /// Give another person or team the items one owns: every control, service, allocation and finding whose owner it is.
    Reassign(ReassignArgs),
    /// Rename an item: its files and every reference to it, in one commit; its review history carries across.
    #[command(
        subcommand,
        after_help = "The item may be named as its key names it: `isms rename service:tenant-db \
tenant-database`."
    )]
    Rename(RenameCommand),
    /// Close a finding: its corrective action done (or its risk accepted), on a day.
    Close(CloseArgs),
    /// Check on GitHub that every landed review was approved by an owner of its items.
    #[command(
        after_help = "For approval = \"pull-request\": finds the pull request that landed each review \
(from the merge or squash subject, else GitHub's list for the commit) and checks that a person who owns \
each reviewed item (or a member of the owning team, by their github handle) approved it.\n\n\
Exit status: 0 every review was approved by an owner, 1 some were not, 2 could not run."
    )]
    VerifyApprovals(VerifyArgs),
    /// Approvals kept in git: a note per landing under refs/notes/isms/approvals.
    #[command(subcommand)]
    Approvals(ApprovalsCommand),
    /// Write .github/CODEOWNERS from each item's owner (GitHub handles and teams in isms.toml).
    Codeowners(CodeownersArgs),
    /// What changed between two revisions, in words (Markdown; --format json).
    Diff(DiffArgs),
    /// The Statement of Applicability, the responsibility matrix, or the evidence or findings register.
    Report(ReportArgs),
    /// The audit evidence pack: reports, OSCAL, artifacts, review histories and a MANIFEST, in one zip.
    Pack(PackArgs),
    /// A static HTML dashboard: status, the matrix with filters, SoA, evidence, each item's history.
    Site(SiteArgs),
    /// Move the repository to another catalog edition in one commit (2013 → 2022).
    Migrate(MigrateArgs),
    /// Export the repository in a standard format for other tools.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Take many items' fields back from a table edited in a spreadsheet.
    #[command(subcommand)]
    Import(ImportCommand),
    /// GitHub Actions workflows: the pull-request check, stale reviews, trigger detection.
    #[command(subcommand)]
    Ci(CiCommand),
    /// Git hooks: pre-commit (`check --staged`), commit-msg (review trailers), pre-push (`check`); pre-receive in a bare repository.
    #[command(subcommand)]
    Hooks(HooksCommand),
    /// Print a shell completion script: `isms completions bash > ~/.local/share/bash-completion/completions/isms`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff): `isms man > ~/.local/share/man/man1/isms.1`.
    Man,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
#[command(
    after_help = "FROM defaults to where TO left the record branch (their merge base), TO to HEAD: \
in a pull request, `isms diff` says what the pull request changes. \
`isms diff --since 2026-01-01 --as-of 2026-06-30` says what changed on the record branch in \
that period: from the record as it stood on 2025-12-31 to the record as it stood on 2026-06-30."
)]
pub struct DiffArgs {
    /// The revision before (default: where TO left the record branch, their merge base).
    pub from: Option<String>,
    /// The revision after (default: HEAD).
    pub to: Option<String>,
    /// What changed on the record branch from this day on: from the record
    /// as it stood the day before, to the record now (with `--as-of`, as it
    /// stood that day; a period, an audit's, say).
    #[arg(long, value_name = "DATE", value_parser = parse_date, conflicts_with_all = ["from", "to"])]
    pub since: Option<NaiveDate>,
    /// Compare with the working tree: what is not committed yet, staged or
    /// not, new files included, on top of HEAD (FROM defaults to HEAD), as
    /// `git diff HEAD` does.
    #[arg(long, conflicts_with_all = ["to", "since"])]
    pub uncommitted: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "One commit on the current branch, so it can go through a pull request: each control of the \
new edition made from its sources (1:1 renamed with its history, n:1 merged, 1:n split), each \
service's allocations the same way, every reference to a control rewritten, new controls with TODO \
placeholders, and .isms/migrations/<from>-to-<to>.toml mapping old item keys to new ones so that \
review history carries across. The plan lists each decision left to people. --dry-run writes \
nothing (--format json for the plan as JSON).\n\n\
Refused (exit 2, nothing written): uncommitted changes, a repository already on the edition, an \
unknown edition, a control the crosswalk does not know."
)]
pub struct MigrateArgs {
    /// The edition to move to.
    #[arg(long, value_name = "EDITION")]
    pub to: String,
    /// Print the plan and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "Formats: md (default), csv, json, html (--format).")]
pub struct ReportArgs {
    /// Which report.
    #[arg(ignore_case = true)]
    pub kind: ReportKind,
    /// Only this service (matrix, evidence, findings and allocations).
    #[arg(long, value_name = "SERVICE")]
    pub service: Option<String>,
    /// Only this control (matrix, evidence, findings and allocations).
    #[arg(long, value_name = "CONTROL")]
    pub control: Option<String>,
    /// Read this commit instead of the working tree.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Entries are sorted and stamped with the record tip's commit time: two packs of the same \
commit and --as-of date are byte-identical. --verify re-checks every file against the MANIFEST \
and re-derives it from the record in the pack's record.bundle, offline (exit 1 naming every file \
that differs)."
)]
pub struct PackArgs {
    /// Where to write the pack.
    #[arg(long, value_name = "FILE.zip", conflicts_with = "verify")]
    pub out: Option<std::path::PathBuf>,
    /// The commit to pack (default: the record branch's tip).
    #[arg(long, value_name = "REV", conflicts_with = "verify")]
    pub rev: Option<String>,
    /// Check a pack against its MANIFEST and the record in its bundle instead.
    #[arg(long, value_name = "FILE.zip")]
    pub verify: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Pages open from disk (no server, no external assets): index.html (states by kind, \
the matrix's completeness, what needs action by owner, findings), matrix.html (filter by service, \
party and text; the filter is kept in the address, e.g. matrix.html?service=payments-api&party=customer), \
soa.html, evidence.html, and items/<kind>/<id>.html with each item's state, review history and file. \
DIR must be new, empty, or an earlier site: it is replaced whole."
)]
pub struct SiteArgs {
    /// Where to write the pages.
    #[arg(long, value_name = "DIR", default_value = "site")]
    pub out: PathBuf,
    /// Read this commit instead of the working tree.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// OSCAL JSON: a catalog, a profile (the applicable controls), a component
    /// definition per provided service, and a system security plan.
    #[command(
        after_help = "Writes DIR/catalog.json, profile.json, ssp.json and component-definitions/<service>.json \
(OSCAL 1.2). The plan's by-components carry the matrix: for a service we provide, `provided` (what we do) \
and `responsibilities` (what our customers must do); for one we consume, `inherited` and `satisfied`. \
UUIDs are name-based and documents are dated by the record branch's tip, so one commit always exports the \
same bytes. DIR must be new, empty, or an earlier export: it is replaced whole."
    )]
    Oscal(ExportOscalArgs),
}

#[derive(Debug, Args)]
pub struct ExportOscalArgs {
    /// Where to write the documents.
    #[arg(long, value_name = "DIR", default_value = "oscal")]
    pub out: PathBuf,
    /// The commit to export (default: the record branch's tip).
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ReportKind {
    /// Statement of Applicability: every control's decision, owner, last review, evidence.
    Soa,
    /// Matrix controls × in-scope services: the party of each cell, and the duties.
    Matrix,
    /// Evidence register: each record, its controls, dates, expiry state, artifact hashes.
    Evidence,
    /// Findings register: each finding's severity, status, state (open, overdue, closed), dates, owner, controls, corrective action.
    Findings,
    /// Every allocation, a row each: party, provider's and customer's duties, justification, owner (what `isms import allocations` takes back).
    Allocations,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Each allocation's party, duties, justification and owner, a row each,
    /// as `isms report allocations --format csv` writes them.
    #[command(
        after_help = "The table is CSV with a header row: `service` and `control` name each row's \
allocation, and the columns `party`, `provider`, `customer`, `justification` and `owner` set those \
fields (a column left out leaves its field as it is; `title` is the control's, and is not imported). \
Every row is checked before any file is written: an allocation that does not exist, a row there \
twice, a party or owner isms does not know, a row whose `title` is another control's (a spreadsheet \
saved the ID 5.20 as the number 5.2: keep the column as text), each is named by its line, and \
nothing is written. Each \
changed field is set with a TOML editor, its comment and the file's other lines kept, uncommitted \
edits included; a generated CODEOWNERS follows the owners. Nothing is committed.\n\n\
Example:\n  isms report allocations --service payments-api --format csv > duties.csv\n  \
(edit duties.csv in a spreadsheet)\n  isms import allocations duties.csv --dry-run\n  \
isms import allocations duties.csv && isms check"
    )]
    Allocations(ImportArgs),
    /// Each control's Statement of Applicability decision (applicable,
    /// justification, status) and owner, a row each, as `isms report soa
    /// --format csv` writes them.
    #[command(
        after_help = "The table is CSV with a header row: `control` names each row's control, and \
the columns `applicable` (yes or no), `justification`, `status` (planned, partial, implemented, \
not-applicable) and `owner` set its [soa] decision and owner (a column left out leaves its field as \
it is; the report's other columns, its title, review and evidence, are read from elsewhere and are \
not imported: a note names those the table changes). A control without a decision needs both `applicable` and `status`. Every row is \
checked before any file is written, each that cannot be imported (a row whose `title` is another \
control's, as when a spreadsheet saved the ID 5.20 as the number 5.2, too) is named by its line, and \
nothing is written then. Each changed field is set with a TOML editor, its comment and the file's other \
lines kept, uncommitted edits included; a generated CODEOWNERS follows the owners. Nothing is \
committed.\n\n\
Example:\n  isms report soa --format csv > soa.csv\n  (write each justification in a spreadsheet)\n  \
isms import soa soa.csv --dry-run\n  isms import soa soa.csv && isms check"
    )]
    Soa(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV table, or `-` for standard input.
    #[arg(value_name = "FILE", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub file: String,
    /// Print each change as a diff, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum CiCommand {
    /// Write (or refresh) .github/workflows/isms-{check,stale,triggers}.yml.
    #[command(
        after_help = "A workflow isms generated and nobody edited since is refreshed; an edited or \
hand-written one is left alone (the command stops and names it) unless --force."
    )]
    Install(CiInstallArgs),
}

#[derive(Debug, Args)]
pub struct CiInstallArgs {
    /// Replace workflows that were edited or not generated by isms.
    #[arg(long)]
    pub force: bool,
    /// The isms action the workflows use, as OWNER/REPO@REF (or
    /// OWNER/REPO/PATH@REF, or ./PATH for one in this repository).
    #[arg(long, value_name = "REF", value_parser = parse_action,
          default_value = crate::scaffold::workflows::DEFAULT_ACTION)]
    pub action: String,
}

#[derive(Debug, Args)]
pub struct CodeownersArgs {
    /// Replace a CODEOWNERS that isms did not generate.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum HooksCommand {
    /// Install the hooks where git looks for them (core.hooksPath, worktrees honoured).
    #[command(
        after_help = "A hook that isms did not install is never overwritten: without --force the \
command stops and names it; with --force it is kept as <hook>.isms-backup and run first by the \
isms hook. `isms hooks uninstall` puts it back."
    )]
    Install(HooksInstallArgs),
    /// Remove the isms hooks and restore the hooks they replaced.
    Uninstall,
    /// Validate the review trailers of a commit message file (run by the commit-msg hook).
    #[command(hide = true)]
    CommitMsg(CommitMsgArgs),
}

#[derive(Debug, Args)]
pub struct HooksInstallArgs {
    /// Keep existing hooks as <hook>.isms-backup, run before the isms hook.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CommitMsgArgs {
    /// The commit message file git passes to the hook.
    pub file: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Only reviews that landed after this revision (e.g. the last release tag).
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// Judge from the approval notes in git alone (refs/notes/isms/approvals,
    /// written by `isms approvals record`): no token, no network.
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Subcommand)]
pub enum ApprovalsCommand {
    /// For each landing on the record branch whose reviews came through a pull request,
    /// write a note with its reviews from GitHub; then push the notes to origin.
    #[command(
        after_help = "Run on every push to the record branch by the generated workflow (.github/workflows/isms-approvals.yml). A note is never rewritten: landings that have one are skipped. Everything is asked of GitHub before anything is written: an answer that cannot be read is exit 2 with nothing written.\n\n\
Exit status: 0 recorded (or nothing to record), 2 could not run."
    )]
    Record(ApprovalsRecordArgs),
}

#[derive(Debug, Args)]
pub struct ApprovalsRecordArgs {
    /// Write the notes here only: neither fetch them from origin first nor push them after.
    #[arg(long)]
    pub no_push: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Commits a record under reassessments/ on the branch isms/reassess/<trigger>/<service>, \
made from the record branch without touching the working tree; its message carries a Reviewed: trailer \
for each item, so merging the approved pull request is the reassessment. With --open-pr the commit is \
pushed to origin (no local branch is made) and a pull request is opened, or updated when it exists; \
GitHub is reached with GITHUB_TOKEN or GH_TOKEN, GITHUB_REPOSITORY and GITHUB_API_URL."
)]
pub struct ReassessArgs {
    /// The trigger (a file in triggers/).
    pub trigger: String,
    /// The service it concerns; its allocations of the trigger's controls are included.
    #[arg(long, value_name = "SERVICE")]
    pub service: Option<String>,
    /// Why, in a sentence: shown in the record and the pull request.
    #[arg(long, value_name = "TEXT", value_parser = parse_line)]
    pub reason: String,
    /// Push the branch and open (or update) its pull request.
    #[arg(long)]
    pub open_pr: bool,
    /// Print the pull request it would open or update (branch, title, reviewers, file,
    /// commit, body), and commit, push and ask GitHub nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum TriggersCommand {
    /// Evaluate every trigger on the changes between two revisions.
    #[command(
        after_help = "Compares both versions of each changed file field by field; a renamed file is compared \
with its old version (it is not created or deleted). The rules are those of triggers/ at --to (TO).\n\n\
Exit status: 0 whether or not a trigger fired, 2 on a bad revision."
    )]
    Detect(DetectArgs),
}

#[derive(Debug, Args)]
pub struct DetectArgs {
    /// The revision before the change, e.g. origin/main or HEAD~1 (default: where --to
    /// left the record branch, their merge base).
    #[arg(long, value_name = "REV")]
    pub from: Option<String>,
    /// The revision after the change.
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub to: String,
    /// For each fired trigger and service, push a reassessment branch and open (or update) its pull request.
    #[arg(long)]
    pub open_pr: bool,
    /// With --open-pr: print each pull request it would open or update (branch, title,
    /// reviewers, commit, body), and commit, push and ask GitHub nothing.
    #[arg(long, requires = "open_pr")]
    pub dry_run: bool,
    /// The revision before the change, as `isms diff` takes it: the same as --from.
    #[arg(value_name = "FROM", conflicts_with = "from")]
    pub from_arg: Option<String>,
    /// The revision after the change: the same as --to.
    #[arg(value_name = "TO", conflicts_with = "to")]
    pub to_arg: Option<String>,
}

impl DetectArgs {
    /// The revision before the change, with how it was given (`--from` or
    /// `FROM`), for an error to name it so.
    pub fn from(&self) -> Option<(&'static str, &str)> {
        (self.from.as_deref().map(|r| ("--from", r)))
            .or(self.from_arg.as_deref().map(|r| ("FROM", r)))
    }

    /// The revision after the change, with how it was given (`--to` or `TO`).
    pub fn to(&self) -> (&'static str, &str) {
        match &self.to_arg {
            Some(r) => ("TO", r),
            None => ("--to", &self.to),
        }
    }
}

#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 nothing needs action (items may be due soon), 1 something is overdue, needs change, expired or lacks evidence, 2 could not run."
)]
pub struct StaleArgs {
    /// Only items owned by this person or team: its key, or a GitHub login, email or team slug
    /// (a person also sees their teams' items); `@me` is the person whose email is git's author
    /// email.
    #[arg(long, value_name = "WHO")]
    pub owner: Option<String>,
    /// One pull request per owner of items that need action, asking them to review
    /// (branch isms/stale/<owner>; updated, never duplicated, on later runs).
    #[arg(long)]
    pub open_prs: bool,
    /// With --open-prs: print each pull request it would open or update (branch, title,
    /// reviewers, commit, body), and commit, push and ask GitHub nothing.
    #[arg(long, requires = "open_prs")]
    pub dry_run: bool,
    /// Read this commit instead of the working tree.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
    /// Every item, those that are ok too, with when each is next due (human
    /// and json output).
    #[arg(long, conflicts_with = "open_prs")]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Read this commit instead of the working tree.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "The commit keeps HEAD's tree: staged changes stay staged and are not committed. \
It counts once it lands on the record branch (defaults.branch)."
)]
pub struct ReviewArgs {
    /// Items to review: keys (control:ID, service:ID, allocation:SERVICE/CONTROL,
    /// evidence:ID, finding:ID), unambiguous bare IDs, the items' files, or a
    /// folder for every item under it (responsibilities/payments-api/).
    #[arg(required = true, value_name = "ITEM")]
    pub items: Vec<String>,
    /// The review's outcome.
    #[arg(long, value_enum, ignore_case = true, default_value_t = OutcomeArg::Effective)]
    pub outcome: OutcomeArg,
    /// A one-line note recorded with the review (line breaks become spaces).
    #[arg(long, value_parser = parse_note)]
    pub note: Option<String>,
    /// Print the commit message instead of committing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum RenameCommand {
    /// A service: its file, its folder of allocations, and the evidence and
    /// findings that name it.
    #[command(
        after_help = "One commit on the current branch (so it can go through a pull request), of a \
clean working tree: the files are moved as `git mv` moves them, each keeps everything but the ID, \
and .isms/migrations/renames.toml records each old item key and its new one, so that the reviews \
of the old keys count for the new ones (`isms log` lists them, marked with their old key). \
A generated CODEOWNERS follows."
    )]
    Service(RenameArgs),
    /// A control of the organisation's own (not the catalog's): its file,
    /// its allocation in each service's folder, and the evidence, findings
    /// and triggers that name it.
    #[command(
        after_help = "One commit on the current branch, of a clean working tree, as for a service: \
the files are moved as `git mv` moves them, each keeps everything but the ID, and \
.isms/migrations/renames.toml records each old item key and its new one, so that the reviews of \
the old keys count for the new ones. A control of the repository's catalog keeps the standard's ID, \
and is refused. A generated CODEOWNERS follows."
    )]
    Control(RenameArgs),
}

#[derive(Debug, Args)]
pub struct RenameArgs {
    /// The item's ID now.
    pub old: String,
    /// Its new ID.
    pub new: String,
    /// Print what would be moved and changed, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Each file's `owner` is changed and nothing else, its comments and layout kept, \
uncommitted edits included; a generated CODEOWNERS follows. Evidence records keep their collector \
and findings who raised them: those are facts, not duties. Nothing is committed: review the change \
with `git diff`, and commit it, or propose it, as any other."
)]
pub struct ReassignArgs {
    /// The owner whose items move: a person or team key, a GitHub login,
    /// email or team slug, or `@me`; also a key no longer in isms.toml that
    /// items still name.
    pub from: String,
    /// The person or team that takes them, as FROM is named; it must be in
    /// isms.toml.
    pub to: String,
    /// Only the items whose files are under these files or folders
    /// (`responsibilities/payments-api/`).
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// List the items that would move, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Sets `status = \"closed\"` (or `\"accepted\"`) and `closed = DATE` in the finding's \
file, and nothing else unless --corrective-action says what was done; its comments and layout are kept, \
uncommitted edits included. A finding whose corrective action is still empty or a TODO is not closed \
without one. Nothing is committed: review the change with `isms diff --uncommitted`, and commit it, or propose it, as any other."
)]
pub struct CloseArgs {
    /// The finding: its ID (`2026-003`), key (`finding:2026-003`) or file.
    pub finding: String,
    /// The day it was closed (YYYY-MM-DD; default today, or --as-of): not
    /// before it was raised, nor after today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub on: Option<NaiveDate>,
    /// What was done about it, in place of the corrective action the file
    /// has (line breaks kept); needed when that is empty or a TODO.
    #[arg(long, value_name = "TEXT", value_parser = parse_text)]
    pub corrective_action: Option<String>,
    /// Its risk was accepted, not corrected (`status = "accepted"`): say why
    /// in the corrective action.
    #[arg(long)]
    pub accepted: bool,
    /// Print the change as a diff, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutcomeArg {
    Effective,
    NeedsChange,
}

#[derive(Debug, Args)]
#[command(
    after_help = "A control's allocations, evidence and findings; a service's allocations, \
evidence and findings; an allocation's service and control; the controls and services an \
evidence record or a finding names. Each in its state as `isms stale --all` gives it."
)]
pub struct ShowArgs {
    /// The item: a key, an unambiguous bare ID, or its file.
    #[arg(value_name = "ITEM")]
    pub item: String,
    /// Read this commit instead of the working tree.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The item: a key, an unambiguous bare ID, or its file; or a folder, for every item
    /// under it (default: every item's reviews, the whole record).
    #[arg(value_name = "ITEM")]
    pub item: Option<String>,
    /// Only the reviews that landed on or after this day (with `--as-of`,
    /// those that landed in a period: an audit's, say).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub since: Option<NaiveDate>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Refuses a non-empty directory. Runs `git init` when DIR has no .git of its own (even inside another repository's work tree), and makes the first commit."
)]
pub struct InitArgs {
    /// Where to create it (created if missing; must be empty).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Whether the organisation provides cloud services, consumes them, or both.
    #[arg(long, value_enum, ignore_case = true, default_value_t = RoleArg::Both)]
    pub role: RoleArg,
    /// The organisation's name.
    #[arg(long, value_name = "NAME", value_parser = parse_line)]
    pub org: Option<String>,
    /// Add a small fictional organisation: people, services, allocations, evidence, a finding.
    /// It has its own name and role, so --org and --role are refused with it.
    #[arg(long, conflicts_with_all = ["role", "org"])]
    pub example: bool,
    /// The catalog edition: 2022 (ISO/IEC 27001:2022 Annex A and the
    /// ISO/IEC 27017 CLD controls) or 2013 (ISO/IEC 27002:2013, legacy).
    #[arg(long, value_name = "EDITION", default_value = "2022",
          value_parser = clap::builder::PossibleValuesParser::new(crate::scaffold::templates::EDITIONS))]
    pub edition: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WarningsArg {
    Full,
    Summary,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Provider,
    Customer,
    Both,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ServiceRoleArg {
    /// We provide the service.
    Provider,
    /// We consume it.
    Customer,
}

#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// A control: the catalog's own when its ID is in the repository's edition, else one of
    /// the organisation's; a matrix control also gets one allocation per in-scope service.
    Control(NewControlArgs),
    /// A service, with one allocation per applicable matrix control, pre-filled with the model's default party.
    Service(NewServiceArgs),
    /// One allocation of a control to a service, pre-filled with the default party.
    Allocation(NewAllocationArgs),
    /// An evidence record.
    Evidence(NewEvidenceArgs),
    /// A finding: nonconformity, observation or exception.
    Finding(NewFindingArgs),
    /// A reassessment trigger.
    Trigger(NewTriggerArgs),
    /// A person, added to isms.toml.
    Person(NewPersonArgs),
    /// A team of people, added to isms.toml.
    Team(NewTeamArgs),
}

#[derive(Debug, Args)]
pub struct NewTeamArgs {
    /// The team's key in isms.toml, e.g. platform.
    #[arg(value_name = "ID")]
    pub id: String,
    /// The team's name.
    #[arg(long, value_parser = parse_line)]
    pub name: String,
    /// A person in the team (repeatable, or separated by commas).
    #[arg(long = "member", value_name = "PERSON", value_delimiter = ',')]
    pub members: Vec<String>,
    /// The GitHub team, as org/slug (for CODEOWNERS and review requests).
    #[arg(long, default_value = "")]
    pub github: String,
}

#[derive(Debug, Args)]
pub struct NewControlArgs {
    /// The control's ID: one of the catalog's (e.g. 5.7), or one of the organisation's own
    /// (e.g. ACME-1). Its file is controls/ID.toml.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Short title (a control of the organisation's own; a catalog control takes the catalog's).
    #[arg(long, value_parser = parse_line)]
    pub title: Option<String>,
    /// What it requires, in a line of your own words (a control of the organisation's own).
    #[arg(long, value_parser = parse_line)]
    pub summary: Option<String>,
    /// The framework it belongs to (a control of the organisation's own; default: Internal).
    #[arg(long, value_parser = parse_line)]
    pub framework: Option<String>,
    /// Each in-scope service needs an allocation of it (a control of the organisation's own;
    /// without it, the control is organisation-wide).
    #[arg(long)]
    pub matrix: bool,
    /// Person or team key that owns it; `@me` is you, by git's author email (the default).
    #[arg(long)]
    pub owner: Option<String>,
    /// Review cadence, e.g. quarterly or 6mo (default: defaults.cadence in isms.toml).
    #[arg(long)]
    pub cadence: Option<String>,
    /// Why it applies, for the Statement of Applicability (default: a TODO placeholder).
    #[arg(long, value_name = "TEXT", value_parser = parse_text)]
    pub justification: Option<String>,
}

#[derive(Debug, Args)]
pub struct NewServiceArgs {
    /// The service's ID, e.g. payments-api: its file is services/ID.toml.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Service model; chooses each allocation's default party.
    #[arg(long, value_enum, ignore_case = true)]
    pub model: ServiceModel,
    /// Whether we provide the service or consume it (default: the
    /// organisation's role; for one that is both, customer when --provider
    /// names another, else provider).
    #[arg(long, value_enum, ignore_case = true)]
    pub role: Option<ServiceRoleArg>,
    /// Display name (default: the ID).
    #[arg(long, value_parser = parse_line)]
    pub name: Option<String>,
    /// Who provides it (default: the organisation, for services we provide).
    #[arg(long, value_parser = parse_line)]
    pub provider: Option<String>,
    /// Person or team key that owns the service and its allocations; `@me` is you, by git's
    /// author email (the default).
    #[arg(long)]
    pub owner: Option<String>,
    /// A region where it stores or processes data (repeatable).
    #[arg(long = "region", value_name = "REGION", value_parser = parse_line)]
    pub regions: Vec<String>,
    /// A category of data it holds, e.g. customer-data, cloud-service-derived-data
    /// (repeatable; default customer-data).
    #[arg(long = "data", value_name = "CATEGORY", value_parser = parse_line)]
    pub data: Vec<String>,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  isms new allocation payments-api 8.15    one allocation
  isms new allocation --missing            every allocation the matrix lacks
  isms new allocation --missing tenant-db  those of one service")]
pub struct NewAllocationArgs {
    /// The service's ID.
    #[arg(required_unless_present = "missing")]
    pub service: Option<String>,
    /// The control's ID: the allocation's file is responsibilities/SERVICE/CONTROL.toml.
    #[arg(required_unless_present = "missing", conflicts_with = "missing")]
    pub control: Option<String>,
    /// Create every allocation the matrix lacks (of SERVICE, when given): one
    /// per in-scope service and applicable matrix control, each pre-filled
    /// with the default party for its service's model.
    #[arg(long)]
    pub missing: bool,
    /// Person or team key that owns the allocation, or `@me` (default: the service's owner).
    #[arg(long)]
    pub owner: Option<String>,
    /// Who carries the control for the service (default: the control's default
    /// party for the service's model).
    #[arg(long, ignore_case = true, conflicts_with = "missing")]
    pub party: Option<PartyArg>,
    /// What the provider does (default: a TODO placeholder where the party
    /// has provider duties).
    #[arg(long, value_name = "TEXT", value_parser = parse_text, conflicts_with = "missing")]
    pub provider: Option<String>,
    /// What the customer does (default: a TODO placeholder where the party
    /// has customer duties).
    #[arg(long, value_name = "TEXT", value_parser = parse_text, conflicts_with = "missing")]
    pub customer: Option<String>,
    /// Why the control does not apply to the service (default: a TODO
    /// placeholder under --party not-applicable).
    #[arg(long, value_name = "TEXT", value_parser = parse_text, conflicts_with = "missing")]
    pub justification: Option<String>,
}

/// Who carries a control for a service, as `party` in an allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PartyArg {
    Provider,
    Customer,
    Shared,
    NotApplicable,
}

#[derive(Debug, Args)]
pub struct NewEvidenceArgs {
    /// The evidence's ID, e.g. 2026-q3-access-review: its file is evidence/ID.toml
    /// (default: the month it was collected and its kind, e.g. 2026-12-access-review).
    #[arg(value_name = "ID")]
    pub id: Option<String>,
    /// Evidence kind, e.g. log-review, access-review (default: the one kind its
    /// controls ask for, else a TODO placeholder).
    #[arg(long, value_parser = parse_line)]
    pub kind: Option<String>,
    /// A control it supports (repeatable).
    #[arg(long = "control", value_name = "CONTROL")]
    pub controls: Vec<String>,
    /// A service it concerns (repeatable).
    #[arg(long = "service", value_name = "SERVICE")]
    pub services: Vec<String>,
    /// Person key of who collected it; `@me` is you, by git's author email (the default).
    #[arg(long)]
    pub collected_by: Option<String>,
    /// How long it stays valid, e.g. 3mo (default: as --like's record has it, else 1y).
    #[arg(long, value_name = "PERIOD")]
    pub valid_for: Option<String>,
    /// What it shows, in a line.
    #[arg(long, value_parser = parse_line)]
    pub title: Option<String>,
    /// When it was collected (YYYY-MM-DD; default today, or --as-of).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub collected: Option<NaiveDate>,
    /// A file it consists of (repeatable): one under evidence/ is recorded where it
    /// is; another is copied into evidence/files/. Its sha256 is recorded.
    #[arg(long = "artifact", value_name = "FILE")]
    pub artifacts: Vec<PathBuf>,
    /// An earlier record this one renews: its title, kind, controls, services and
    /// validity are taken, unless given here.
    #[arg(long, value_name = "EVIDENCE")]
    pub like: Option<String>,
    /// What it is and how it was collected, in words (line breaks kept).
    #[arg(long, value_name = "TEXT", value_parser = parse_text)]
    pub description: Option<String>,
}

#[derive(Debug, Args)]
pub struct NewFindingArgs {
    /// The finding's ID, e.g. 2026-004: its file is findings/ID.toml (default: the
    /// year it was raised and the next number in it, e.g. 2026-004 after 2026-003).
    #[arg(value_name = "ID")]
    pub id: Option<String>,
    /// What is wrong, in a line.
    #[arg(long, value_parser = parse_line)]
    pub title: Option<String>,
    /// What kind of finding it is.
    #[arg(long, default_value = "nonconformity", value_parser = ["nonconformity", "observation", "exception"])]
    pub kind: String,
    /// How serious it is.
    #[arg(long, default_value = "minor", value_parser = ["major", "minor"])]
    pub severity: String,
    /// A control it concerns (repeatable).
    #[arg(long = "control", value_name = "CONTROL")]
    pub controls: Vec<String>,
    /// A service it concerns (repeatable).
    #[arg(long = "service", value_name = "SERVICE")]
    pub services: Vec<String>,
    /// Who raised it: an auditor's name, or a person key (`@me` is you, by git's author email).
    #[arg(long, value_name = "WHO", value_parser = parse_line)]
    pub raised_by: Option<String>,
    /// When it was raised (YYYY-MM-DD; default today, or --as-of).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub raised: Option<NaiveDate>,
    /// Person or team key responsible for the corrective action; `@me` is you, by git's author
    /// email (the default).
    #[arg(long)]
    pub owner: Option<String>,
    /// When the corrective action is due (YYYY-MM-DD; default: 30 days after it
    /// was raised).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub due: Option<NaiveDate>,
    /// What was found, in words (line breaks kept; default: empty, to fill in).
    #[arg(long, value_name = "TEXT", value_parser = parse_text)]
    pub description: Option<String>,
    /// What will be done about it, and by when (line breaks kept; default: a
    /// TODO placeholder that `isms check` warns of).
    #[arg(long, value_name = "TEXT", value_parser = parse_text)]
    pub corrective_action: Option<String>,
}

#[derive(Debug, Args)]
pub struct NewTriggerArgs {
    /// The trigger's ID, e.g. region-added: its file is triggers/ID.toml.
    #[arg(value_name = "ID")]
    pub id: String,
    /// A control whose owners must reassess when the trigger fires (repeat it, or
    /// separate IDs with commas).
    #[arg(long, value_name = "CONTROL", required = true, value_delimiter = ',')]
    pub reassess: Vec<String>,
    /// The event, in a line.
    #[arg(long, value_parser = parse_line)]
    pub title: Option<String>,
    /// The files its rule watches, a glob (default services/*.toml). Without
    /// --path, --field and --change the rule is an example to edit: a service
    /// gains a region.
    #[arg(long, value_name = "GLOB", value_parser = parse_line)]
    pub path: Option<String>,
    /// The field compared between a file's two versions (for added, removed and
    /// changed).
    #[arg(long, value_parser = parse_line)]
    pub field: Option<String>,
    /// The change that fires it: added, removed or changed (of --field; the
    /// default with one), created or deleted (of a file; the default without).
    #[arg(long, value_parser = ["added", "removed", "changed", "created", "deleted"])]
    pub change: Option<String>,
}

#[derive(Debug, Args)]
pub struct NewPersonArgs {
    /// The person's key in isms.toml, e.g. alice.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Full name.
    #[arg(long, value_parser = parse_line)]
    pub name: String,
    /// Email address (matched against commit authors).
    #[arg(long, default_value = "")]
    pub email: String,
    /// GitHub user name.
    #[arg(long, default_value = "")]
    pub github: String,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 no errors (warnings allowed), 1 errors found, 2 could not run."
)]
pub struct CheckArgs {
    /// Check what is about to be committed (the git index), not the working tree.
    #[arg(long)]
    pub staged: bool,
    /// Check this commit instead, read from git objects, never the working
    /// tree (the pre-push hook checks each branch and tag it pushes so).
    #[arg(long, value_name = "REV", conflicts_with = "staged")]
    pub rev: Option<String>,
    /// How warnings are shown to people: in full, or one line per rule (the
    /// pre-commit hook's way; errors are always shown in full).
    #[arg(long, value_enum, ignore_case = true, default_value_t = WarningsArg::Full)]
    pub warnings: WarningsArg,
    /// Show only the findings in these files or folders (the whole
    /// repository is still checked: completeness and references span it).
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// config, control, service, allocation, evidence, trigger or finding.
    pub kind: Option<String>,
}

/// One line of text: a name or title. Empty text, and a line break or
/// another control character, are refused.
fn parse_line(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        return Err("expected one line of text, found nothing".into());
    }
    match s.chars().find(|c| c.is_control()) {
        Some('\n' | '\r') => Err("expected one line of text, found a line break".into()),
        Some(c) => Err(format!(
            "expected one line of text, found the control character U+{:04X}",
            u32::from(c)
        )),
        None => Ok(s.to_owned()),
    }
}

/// A review's note: any text, its line breaks and tabs later folded into
/// spaces; another control character (an escape sequence a terminal would
/// act on wherever the record is shown) is refused.
fn parse_note(s: &str) -> Result<String, String> {
    match s.chars().find(|c| c.is_control() && !c.is_whitespace()) {
        Some(c) => Err(format!(
            "expected text, found the control character U+{:04X}",
            u32::from(c)
        )),
        None => Ok(s.to_owned()),
    }
}

/// Text a file keeps as written, line breaks and tabs included; nothing at
/// all, or another control character (an escape sequence a terminal would act
/// on wherever the file is shown), is refused.
fn parse_text(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        return Err("expected text, found nothing".into());
    }
    parse_note(s)
}

/// An action reference as a workflow's `uses:` takes it: OWNER/REPO@REF,
/// OWNER/REPO/PATH@REF, or ./PATH. Nothing else reaches the YAML.
fn parse_action(s: &str) -> Result<String, String> {
    let expected = "expected OWNER/REPO@REF (e.g. isms-dev/isms@v0.1.0), or ./PATH for an action in this repository";
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_./@".contains(*c)))
    {
        return Err(match c.is_whitespace() {
            true => format!("{expected}; found a space"),
            false => format!("{expected}; found `{}`", c.escape_default()),
        });
    }
    if let Some(path) = s.strip_prefix("./") {
        return match path.split('/').all(|seg| !seg.is_empty() && seg != "..") && !s.contains('@') {
            true => Ok(s.to_owned()),
            false => Err(format!("{expected}; found `{s}`")),
        };
    }
    let fine = s.rsplit_once('@').is_some_and(|(name, reference)| {
        let mut parts = name.split('/');
        let owner = parts.next().unwrap_or("");
        let repo = parts.next().unwrap_or("");
        !reference.is_empty()
            && !reference.contains("..")
            && !reference.starts_with(['/', '.', '-'])
            && crate::model::github_login_problem(owner).is_none()
            && !repo.is_empty()
            && !repo.starts_with('.')
            && !name.contains('@')
            && parts.all(|seg| !seg.is_empty() && seg != "..")
    });
    match fine {
        true => Ok(s.to_owned()),
        false => Err(format!("{expected}; found `{s}`")),
    }
}

/// A calendar date, YYYY-MM-DD, with a message that says what was expected.
fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        let shaped = s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if shaped {
            format!("{s} is not a day of the calendar; expected a real date like 2026-02-28")
        } else {
            format!("expected a date like 2026-10-31 (YYYY-MM-DD), found `{s}`")
        }
    })
}
