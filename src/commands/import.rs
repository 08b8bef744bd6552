//! `isms import allocations|soa FILE`: many items' fields at once, from a
//! table edited in a spreadsheet (`isms report allocations` or `isms report
//! soa` as CSV, taken back): each allocation's party, duties,
//! justification and owner, or each control's Statement of Applicability
//! decision and owner. Each changed field is set with a TOML editor, and
//! nothing else; every row is checked before any file is written, and
//! nothing is committed.

use std::collections::BTreeMap;
use std::process::ExitCode;

use crate::cli::{ImportArgs, ImportCommand};
use crate::error::{Error, Result};
use crate::model::{Config, Id, Party, Snapshot, SoaStatus};
use crate::output::{self, plural};
use crate::render::report::{ALLOCATION_COLUMNS, SOA_COLUMNS};
use crate::repo::Repo;

use super::Context;

/// The largest table read: 7,500 allocations with a paragraph of duties
/// each take a few MiB.
const MAX_TABLE_BYTES: u64 = 64 << 20;

/// What a table's rows are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Allocations,
    Soa,
}

impl Kind {
    /// The report that writes such a table.
    fn report(self) -> &'static str {
        match self {
            Kind::Allocations => "allocations",
            Kind::Soa => "soa",
        }
    }

    /// The item a row is about, for people.
    fn item(self) -> &'static str {
        match self {
            Kind::Allocations => "allocation",
            Kind::Soa => "control",
        }
    }

    /// The columns its report writes.
    fn columns(self) -> Vec<&'static str> {
        match self {
            Kind::Allocations => ALLOCATION_COLUMNS.iter().map(|(id, _)| *id).collect(),
            Kind::Soa => (SOA_COLUMNS.iter().map(|(id, _)| *id))
                .chain(["other_edition"])
                .collect(),
        }
    }

    /// The columns that name a row's item.
    fn keys(self) -> &'static [&'static str] {
        match self {
            Kind::Allocations => &["service", "control"],
            Kind::Soa => &["control"],
        }
    }

    /// The columns a row may set, in the order of the columns; the others
    /// name the item or are read from elsewhere (the control's title, the
    /// review record), and are not imported.
    fn fields(self) -> &'static [&'static str] {
        match self {
            Kind::Allocations => &["party", "provider", "customer", "justification", "owner"],
            Kind::Soa => &["applicable", "justification", "status", "owner"],
        }
    }
}

pub fn run(ctx: &Context, cmd: &ImportCommand) -> Result<ExitCode> {
    match cmd {
        ImportCommand::Allocations(a) => import(ctx, a, Kind::Allocations),
        ImportCommand::Soa(a) => import(ctx, a, Kind::Soa),
    }
}

fn import(ctx: &Context, a: &ImportArgs, kind: Kind) -> Result<ExitCode> {
    let repo = Repo::discover(&ctx.dir)?;
    // Held from the first read to the last write, as `new` holds it.
    let writer = repo.writer(&mut output::waiting_for)?;
    let snapshot = crate::reading::complete_snapshot(&repo.root)?;
    let config = super::settings(&snapshot)?;
    let (name, text) = read_table(ctx, &a.file, kind)?;
    let table = table(kind, &name, &text)?;
    let plan = plan(kind, &name, &table, &snapshot, config).map_err(|problems| {
        Error::new(format!(
            "{name}: {} cannot be imported; nothing was written:\n  {}",
            plural(problems.len(), "row"),
            problems.join("\n  ")
        ))
    })?;
    let items = |n: usize| plural(n, kind.item());
    if plan.changes.is_empty() {
        output::note(&format!(
            "nothing to import: every {} of {name} is as its file has it ({})",
            kind.item(),
            plural(table.rows.len(), "row")
        ));
        for note in not_imported(&repo, kind, &table, &snapshot, ctx.today, plan.titles)? {
            output::note(&note);
        }
        return Ok(ExitCode::SUCCESS);
    }
    // Every file's new text is made before any is written.
    let mut edits = Vec::with_capacity(plan.changes.len());
    for change in &plan.changes {
        let path = repo.root.join(&change.file);
        let before = crate::fsutil::read_text(&path, crate::repo::MAX_FILE_BYTES)?;
        let after = edited(&before, &change.fields)
            .ok_or_else(|| Error::new(format!("{}: it could not be edited", change.file)))?;
        edits.push((change, path, before, after));
    }
    let summary = plan.summary(kind);
    // The repository as the import leaves it, read before anything is
    // written: what the hook would refuse, said now rather than at the
    // commit, and the cells that cannot be imported, against what isms
    // works out once it is.
    let texts: BTreeMap<&str, &[u8]> = (edits.iter())
        .map(|(change, _, _, after)| (change.file.as_str(), after.as_bytes()))
        .collect();
    let after = edited_snapshot(&repo, &texts)?;
    let errors = errors_in(&after, &texts);
    let not_imported = not_imported(&repo, kind, &table, &after, ctx.today, plan.titles)?;
    let now: BTreeMap<&str, &str> = (edits.iter())
        .map(|(change, _, before, _)| (change.file.as_str(), before.as_str()))
        .collect();
    let undone = undone(&repo, kind, &name, &plan, &now, !a.dry_run)?;
    if a.dry_run {
        for (change, _, before, after) in &edits {
            print!(
                "{}",
                crate::render::diff::unified(before, after, &change.file)
            );
        }
        say_errors(&errors, false);
        undone.iter().for_each(|u| output::note(u));
        output::note(&format!(
            "would update {} from {name}: {summary}; nothing was written",
            items(plan.changes.len())
        ));
        not_imported.iter().for_each(|n| output::note(n));
        return Ok(ExitCode::SUCCESS);
    }
    let codeowners = super::FollowCodeowners::of(&snapshot);
    for (_, path, _, after) in &edits {
        // An edit of the file as it is, uncommitted changes and all.
        writer.refresh(path, after.as_bytes())?;
    }
    output::note(&format!(
        "updated {} from {name}: {summary}",
        items(plan.changes.len())
    ));
    if plan.changes.iter().any(|c| c.fields.contains_key("owner")) {
        codeowners.after(&writer, "the new owners' lines were not written to it")?;
    }
    not_imported.iter().for_each(|n| output::note(n));
    say_errors(&errors, true);
    undone.iter().for_each(|u| output::note(u));
    output::note(
        "next: `isms check`, then review the change with `isms diff --uncommitted` and commit it",
    );
    Ok(ExitCode::SUCCESS)
}

/// Notes on the cells of `table` that differ from its report's and are not
/// imported: a control's title (`titles` rows), and what isms works out
/// (an owner's name, a review, evidence), which an edit cannot change.
fn not_imported(
    repo: &Repo,
    kind: Kind,
    table: &Table,
    s: &Snapshot,
    today: chrono::NaiveDate,
    titles: usize,
) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    if titles > 0 {
        notes.push(format!(
            "note: `title` is the control's, in controls/, and was not imported; the table gives another in {}",
            plural(titles, "row")
        ));
    }
    let worked_out: Vec<&str> = (table.columns.keys().map(String::as_str))
        .filter(|c| *c != "title" && !kind.keys().contains(c) && !kind.fields().contains(c))
        .collect();
    if worked_out.is_empty() {
        return Ok(notes);
    }
    // The table as its report writes it now, read as the table was read.
    let today_text = today.to_string();
    let report = match kind {
        Kind::Allocations => crate::render::report::allocations(s, Default::default(), &today_text),
        Kind::Soa => {
            // The import does not need the record: where it cannot be
            // read, the cells are not compared, and that is said.
            let record = crate::reading::record_branch(s)
                .and_then(|branch| super::record(&repo.git_dir, &branch));
            let record = match record {
                Ok(record) => record,
                Err(e) => {
                    notes.push(format!(
                        "note: the table's review and evidence columns were not compared with the review record: {}",
                        e.message
                    ));
                    return Ok(notes);
                }
            };
            let assessment = crate::check::review::assess(s, &record, today);
            crate::render::report::soa(s, &assessment, &today_text)
        }
    };
    let ours = self::table(kind, "the report", &report.csv())?;
    let rows: BTreeMap<Vec<String>, &Vec<String>> = (ours.rows.iter())
        .map(|(_, row)| (ours.key(kind, row), row))
        .collect();
    let mut differ: Vec<&str> = Vec::new();
    let mut rows_differing = 0;
    for (_, row) in &table.rows {
        let Some(now) = rows.get(&table.key(kind, row)) else {
            continue;
        };
        let mut any = false;
        for column in &worked_out {
            let theirs = table.cell(row, column).unwrap_or_default().trim();
            let Some(ours) = ours.cell(now, column) else {
                continue;
            };
            if theirs != ours.trim() {
                any = true;
                if !differ.contains(column) {
                    differ.push(column);
                }
            }
        }
        rows_differing += usize::from(any);
    }
    if !differ.is_empty() {
        differ.sort_by_key(|c| kind.columns().iter().position(|k| k == c));
        let named: Vec<String> = differ.iter().map(|c| format!("`{c}`")).collect();
        let named: Vec<&str> = named.iter().map(String::as_str).collect();
        notes.push(format!(
            "note: {} {} worked out by isms (from the settings, the files and the review record) and {} not imported; the table gives others in {}",
            output::series(&named, "and"),
            if named.len() == 1 { "is" } else { "are" },
            if named.len() == 1 { "was" } else { "were" },
            plural(rows_differing, "row")
        ));
    }
    Ok(notes)
}

/// How many first-parent commits of HEAD an import looks back through for
/// the changes its table would undo.
const LOOKED_BACK: usize = 1000;

/// A warning for the cells of `plan` that set a field back to a value it
/// had before a later change, each with that change: an uncommitted edit,
/// or the newest commit that changed the field. What a table exported
/// before the change undoes, unsaid. `now`: each changed file's text now.
/// `None` when there is none.
fn undone(
    repo: &Repo,
    kind: Kind,
    name: &str,
    plan: &Plan,
    now: &BTreeMap<&str, &str>,
    written: bool,
) -> Result<Option<String>> {
    let paths = now.keys().copied().collect();
    let versions = crate::history::versions::recent(&repo.git_dir, &paths, LOOKED_BACK)?;
    let current = now.iter().map(|(path, text)| (*path, text.as_bytes()));
    let edited = crate::history::versions::edited_since_head(&repo.git_dir, current)?;
    let mut lines = Vec::new();
    for change in &plan.changes {
        // HEAD's text: the file's own, unless it was edited since.
        let head = match edited.get(&change.file) {
            Some(head) => head.as_deref(),
            None => now.get(change.file.as_str()).copied(),
        };
        let versions = versions.get(&change.file).map_or(&[][..], Vec::as_slice);
        for (field, set) in &change.fields {
            let undone = match undoes(field, set, head, versions) {
                Some(Undoes::Commit(v)) => format!(
                    "as it was before {} ({}, {}: {})",
                    v.commit.short(),
                    v.date,
                    v.author,
                    v.summary
                ),
                Some(Undoes::Uncommitted) => {
                    "as HEAD has it: the file's uncommitted edit is replaced".to_owned()
                }
                None => continue,
            };
            lines.push(format!(
                "{} {field}: `{}` → `{}`, {undone}",
                change.item, set.now, set.new
            ));
        }
    }
    if lines.is_empty() {
        return Ok(None);
    }
    let sets = if written { "set" } else { "would set" };
    let fields = plural(lines.len(), "field");
    let heading = format!(
        "warning: {name} {sets} {fields} back to an earlier value, undoing a later change:"
    );
    let mut said = listed(heading, &lines);
    said.push_str(&format!(
        "\n  hint: a table exported before a change undoes it; if that is not meant, export the table again \
         (`isms report {} --format csv`), redo the edits and import it",
        kind.report()
    ));
    Ok(Some(said))
}

/// A later change that a table's value undoes.
#[derive(Debug)]
enum Undoes<'v> {
    /// The newest commit that changed the field.
    Commit(&'v crate::history::versions::Version),
    /// An edit of the field not committed yet: the value is HEAD's.
    Uncommitted,
}

/// What the table's value of `field` undoes: an uncommitted edit, when it
/// is the value HEAD has (`head`, the file's text there) and the file now
/// has another; else the newest commit of `versions` (the file's, newest
/// first) that changed it, when the value is one the field had before it,
/// or before an older change.
fn undoes<'v>(
    field: &str,
    set: &Set,
    head: Option<&str>,
    versions: &'v [crate::history::versions::Version],
) -> Option<Undoes<'v>> {
    let committed = head.and_then(|t| shown(t, set.table, field));
    if committed.as_deref() != Some(set.now.as_str()) {
        // Edited since HEAD (or new since): only the edit can be undone.
        return (committed.as_deref() == Some(set.new.as_str())).then_some(Undoes::Uncommitted);
    }
    let mut newest = None;
    for v in versions {
        let before = v.before.as_deref().and_then(|t| shown(t, set.table, field));
        let after = v.after.as_deref().and_then(|t| shown(t, set.table, field));
        if before == after {
            continue;
        }
        let newest = *newest.get_or_insert(v);
        if before.as_deref() == Some(set.new.as_str()) {
            return Some(Undoes::Commit(newest));
        }
    }
    None
}

/// `field` of `text` (in `table`, else at its top) as the report writes
/// it; none where `text` is not TOML or lacks it.
fn shown(text: &str, table: Option<&str>, field: &str) -> Option<String> {
    let doc = text.parse::<toml::Table>().ok()?;
    let value = match table {
        Some(name) => doc.get(name)?.get(field)?,
        None => doc.get(field)?,
    };
    Some(match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Boolean(b) => if *b { "yes" } else { "no" }.to_owned(),
        other => other.to_string(),
    })
}

/// The working tree's complete snapshot were its files of `texts` given
/// those texts.
fn edited_snapshot(repo: &Repo, texts: &BTreeMap<&str, &[u8]>) -> Result<Snapshot> {
    let worktree = crate::repo::WorkTree::new(&repo.root)?;
    let edited = crate::repo::Edited::new(&worktree, texts);
    let loaded = crate::repo::load(&edited, &crate::repo::Scope::All)?;
    crate::reading::refuse_unread(&loaded.diagnostics)?;
    Ok(loaded.snapshot)
}

/// The errors `isms check` finds in `s` in the files of `texts`.
fn errors_in(s: &Snapshot, texts: &BTreeMap<&str, &[u8]>) -> Vec<crate::diagnostic::Diagnostic> {
    let mut found: Vec<_> = (crate::check::check(s).into_iter())
        .filter(|d| d.is_error() && texts.contains_key(d.file.as_str()))
        .collect();
    found.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    found
}

/// Says the errors `isms check` finds in what is imported (`written`), or
/// would find in what a dry run would import: the first of them, a line
/// each, and how many more.
fn say_errors(errors: &[crate::diagnostic::Diagnostic], written: bool) {
    if errors.is_empty() {
        return;
    }
    let n = plural(errors.len(), "error");
    let heading = match written {
        true => format!("warning: `isms check` finds {n} in what was imported:"),
        false => format!("warning: `isms check` would find {n} in what would be imported:"),
    };
    let lines: Vec<String> = (errors.iter())
        .map(|d| format!("{}: {}", d.place(), d.message))
        .collect();
    output::note(&listed(heading, &lines));
}

/// `heading`, then the first ten of `lines`, indented, a line each, and
/// how many more.
fn listed(heading: String, lines: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut said = heading;
    for line in lines.iter().take(SHOWN) {
        said.push_str(&format!("\n  {line}"));
    }
    if lines.len() > SHOWN {
        said.push_str(&format!("\n  … and {} more", lines.len() - SHOWN));
    }
    said
}

/// The table's name for messages, and its text: a file, or standard input
/// for `-`.
fn read_table(ctx: &Context, file: &str, kind: Kind) -> Result<(String, String)> {
    if file == "-" {
        use std::io::Read as _;
        let mut buf = Vec::new();
        (std::io::stdin().lock().take(MAX_TABLE_BYTES + 1))
            .read_to_end(&mut buf)
            .map_err(|e| Error::new("standard input could not be read").caused_by(e))?;
        if buf.len() as u64 > MAX_TABLE_BYTES {
            return Err(Error::new(format!(
                "standard input is larger than {MAX_TABLE_BYTES} bytes; not reading it"
            )));
        }
        let text = String::from_utf8(buf)
            .map_err(|_| Error::new("standard input is not UTF-8 text").hint(UTF8))?;
        return Ok(("(standard input)".to_owned(), text));
    }
    let path = ctx.path(file);
    match crate::fsutil::read_text(&path, MAX_TABLE_BYTES) {
        Ok(text) => Ok((file.to_owned(), text)),
        Err(e) if e.message.ends_with("is not UTF-8 text") => Err(e.hint(UTF8)),
        // A pipe, as `<(…)` gives: not opened, as it may never end, but
        // standard input reads one.
        Err(e)
            if std::fs::metadata(&path).is_ok_and(|m| {
                use std::os::unix::fs::FileTypeExt as _;
                m.file_type().is_fifo()
            }) =>
        {
            Err(e.hint(format!(
                "a pipe is read as standard input: `… | isms import {} -`",
                kind.report()
            )))
        }
        Err(e) => Err(e),
    }
}

/// What to do with a table a spreadsheet saved in another encoding.
const UTF8: &str = "save it from the spreadsheet as CSV in UTF-8 (\"CSV UTF-8\")";

/// A table read: its columns by name, and its rows with their lines.
#[derive(Debug)]
struct Table {
    /// Column name → its index in a row.
    columns: BTreeMap<String, usize>,
    /// (line, cells), the empty rows left out.
    rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    /// Row `row`'s cell of `column`, if the table has that column.
    fn cell<'a>(&self, row: &'a [String], column: &str) -> Option<&'a str> {
        let at = *self.columns.get(column)?;
        Some(row.get(at).map_or("", String::as_str))
    }

    /// The cells of `row` that name its item (`kind`'s keys), trimmed.
    fn key(&self, kind: Kind, row: &[String]) -> Vec<String> {
        (kind.keys().iter())
            .map(|k| self.cell(row, k).unwrap_or_default().trim().to_owned())
            .collect()
    }
}

/// The CSV `text` (RFC 4180, a header row first) as a table of `kind`, its
/// header checked: every column one its report writes, the columns that
/// name an item among them.
fn table(kind: Kind, name: &str, text: &str) -> Result<Table> {
    // Spreadsheets save a byte-order mark first.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let unreadable = |e: csv::Error| {
        let line = (e.position())
            .map(|p| format!(":{}", Lines::new(text).of(p.byte())))
            .unwrap_or_default();
        Error::new(format!("{name}{line}: not CSV")).caused_by(e)
    };
    let mut records = reader.records();
    let header = match records.next() {
        Some(record) => record.map_err(unreadable)?,
        None => {
            return Err(
                Error::new(format!("{name} is empty: expected a header row")).hint(format!(
                    "`isms report {} --format csv` writes a table to start from",
                    kind.report()
                )),
            );
        }
    };
    let known = kind.columns();
    let mut columns = BTreeMap::new();
    // Columns without a name, as a spreadsheet saves the empty ones beside
    // the table: left out while they hold nothing.
    let mut unnamed = Vec::new();
    for (at, head) in header.iter().enumerate() {
        let head = head.trim();
        if head.is_empty() {
            unnamed.push(at);
            continue;
        }
        if !known.contains(&head) {
            let separated = [';', '\t'].into_iter().find(|c| head.contains(*c));
            let hint = match separated {
                Some(c) => Some(format!(
                    "its columns are separated by `{}`: save it as CSV, separated by commas",
                    c.escape_default()
                )),
                None => crate::diagnostic::did_you_mean(head, &known)
                    .map(crate::diagnostic::meant)
                    // Not a CSV table at all: one cell, or a first row as
                    // Markdown, JSON or HTML starts.
                    .or_else(|| {
                        let other = head.starts_with(['{', '[', '#', '|', '<']);
                        (header.len() == 1 || other).then(|| {
                            format!(
                                "import reads CSV, its first row the column names separated by commas, \
                                 as `isms report {} --format csv` writes it",
                                kind.report()
                            )
                        })
                    }),
            };
            return Err(Error::new(format!(
                "{name}:1: unknown column `{head}`: expected {}",
                output::series(&known, "or")
            ))
            .hint_if(hint));
        }
        if columns.insert(head.to_owned(), at).is_some() {
            return Err(Error::new(format!(
                "{name}:1: column `{head}` is there twice"
            )));
        }
    }
    let keys = kind.keys();
    for needed in keys {
        if !columns.contains_key(*needed) {
            let by: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
            let by: Vec<&str> = by.iter().map(String::as_str).collect();
            return Err(Error::new(format!(
                "{name}:1: no `{needed}` column: each row names its {} by {}",
                kind.item(),
                output::series(&by, "and")
            )));
        }
    }
    let mut rows = Vec::new();
    let mut lines = Lines::new(text);
    for record in records {
        let record = record.map_err(unreadable)?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = record.position().map_or(0, |p| lines.of(p.byte()));
        let held = |at: &usize| record.get(*at).filter(|c| !c.trim().is_empty());
        if let Some((at, cell)) = unnamed.iter().find_map(|at| held(at).map(|c| (at, c))) {
            return Err(Error::new(format!(
                "{name}:{line}: column {} has no name in the header row, and holds `{}`: \
                 expected the columns of `isms report {} --format csv`",
                at + 1,
                cell.trim(),
                kind.report()
            ))
            .hint("name the column in the first row, or empty it"));
        }
        // More cells than the header names: a comma in a cell that is not
        // quoted has moved the row's cells along.
        if (header.len()..record.len()).any(|at| held(&at).is_some()) {
            return Err(Error::new(format!(
                "{name}:{line}: the row has {} cells, the header row {}",
                record.len(),
                header.len()
            ))
            .hint("a cell with a comma in it is written in double quotes (\"a, b\"), as spreadsheets save it"));
        }
        // Fewer: its last columns are not there to be read as emptied.
        if record.len() < header.len() {
            return Err(Error::new(format!(
                "{name}:{line}: the row has {} cells, the header row {}: expected a cell for each column",
                record.len(),
                header.len()
            ))
            .hint("an empty cell is written as nothing between two commas (`a,,c`), as spreadsheets save it"));
        }
        // A line break in a cell is a line break, whatever the sheet saved.
        let cells = record.iter().map(|c| c.replace("\r\n", "\n")).collect();
        rows.push((line, cells));
    }
    Ok(Table { columns, rows })
}

/// The lines of a text by byte offset, counted once from front to back
/// (the reader's own count misses the line breaks of `\r\n` line ends).
struct Lines<'a> {
    bytes: &'a [u8],
    /// The offset counted up to, and the line it is on.
    at: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            bytes: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The line where the record at byte `offset` begins.
    fn of(&mut self, offset: u64) -> u64 {
        let bytes = self.bytes;
        let mut start = usize::try_from(offset).map_or(bytes.len(), |o| o.min(bytes.len()));
        // A record's offset may be the end of the line before it.
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start < self.at {
            (self.at, self.line) = (0, 1);
        }
        self.line += bytes[self.at..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        self.at = start;
        self.line
    }
}

/// What an import changes: each item's fields that differ from its file.
#[derive(Debug, Default)]
struct Plan {
    changes: Vec<Change>,
    /// Rows whose `title` is not their control's.
    titles: usize,
}

#[derive(Debug)]
struct Change {
    /// The row's key, as messages name the item: `5.3`, `payments-api/5.3`.
    item: String,
    file: String,
    /// Field → where it goes in the file and its new value, for the
    /// fields that change.
    fields: BTreeMap<&'static str, Set>,
}

/// A value to set in an item's file: a key at its top, or in one of its
/// tables (`[soa]`).
#[derive(Debug)]
struct Set {
    table: Option<&'static str>,
    value: toml_edit::Value,
    /// The field's value now and the table's, as the report writes them.
    now: String,
    new: String,
}

impl Plan {
    /// "party 3, customer 10", in the order of the columns.
    fn summary(&self, kind: Kind) -> String {
        let counts: Vec<String> = (kind.fields().iter())
            .filter_map(|f| {
                let n = self
                    .changes
                    .iter()
                    .filter(|c| c.fields.contains_key(f))
                    .count();
                (n > 0).then(|| format!("{f} {n}"))
            })
            .collect();
        counts.join(", ")
    }
}

/// A cell that must be one of `values`: it, or why not.
fn one_of(field: &str, cell: &str, values: &[&'static str]) -> std::result::Result<String, String> {
    let cell = cell.trim();
    if values.contains(&cell) {
        return Ok(cell.to_owned());
    }
    if cell.is_empty() {
        return Err(format!(
            "{field} is empty: expected {}",
            output::series(values, "or")
        ));
    }
    let hint = crate::diagnostic::value_meant(cell, values)
        .map(|p| format!("; {}", crate::diagnostic::meant(p)))
        .unwrap_or_default();
    Err(format!(
        "{field} `{cell}` is none of {}{hint}",
        output::series(values, "or")
    ))
}

/// Every row of `table` checked against `s`: the changes it makes, or
/// every problem, a line each (`FILE:LINE: …`).
fn plan(
    kind: Kind,
    name: &str,
    table: &Table,
    s: &Snapshot,
    config: &Config,
) -> std::result::Result<Plan, Vec<String>> {
    let mut plan = Plan::default();
    let mut problems = Vec::new();
    let mut seen: BTreeMap<&Vec<String>, u64> = BTreeMap::new();
    let keys: Vec<Vec<String>> = (table.rows.iter())
        .map(|(_, row)| table.key(kind, row))
        .collect();
    let named: std::collections::BTreeSet<&Vec<String>> = keys.iter().collect();
    for ((line, row), key) in table.rows.iter().zip(&keys) {
        let at = format!("{name}:{line}");
        if let Some(empty) = (kind.keys().iter().zip(key)).find(|(_, v)| v.is_empty()) {
            problems.push(format!(
                "{at}: `{}` is empty: each row names its {}",
                empty.0,
                kind.item()
            ));
            continue;
        }
        // `control` is the last of the keys.
        let control = key.last().map_or("", String::as_str);
        if let Some(why) = misread(s, control, table.cell(row, "title")) {
            problems.push(format!("{at}: {why}"));
            continue;
        }
        if let Some(first) = seen.get(key) {
            // The item a spreadsheet's number stands for, where the table
            // names it nowhere else.
            let numbers: String = (read_as_number(s, control).into_iter())
                .filter(|id| {
                    let mut other = key.clone();
                    if let Some(last) = other.last_mut() {
                        *last = (*id).to_owned();
                    }
                    let exists = match kind {
                        Kind::Allocations => allocation(s, &other[0], id).is_ok(),
                        Kind::Soa => true,
                    };
                    exists && !named.contains(&other)
                })
                .map(|id| format!("; {}", as_number(id, control)))
                .collect();
            problems.push(format!(
                "{at}: {} is on line {first} too: one row {}{numbers}",
                key.join("/"),
                match kind {
                    Kind::Allocations => "an allocation",
                    Kind::Soa => "a control",
                }
            ));
            continue;
        }
        seen.insert(key, *line);
        // The item's file, and each field's value in it now.
        let found = match kind {
            Kind::Allocations => allocation(s, &key[0], &key[1]),
            Kind::Soa => soa(s, &key[0]),
        };
        let (file, control, now) = match found {
            Ok(found) => found,
            Err(why) => {
                problems.push(format!("{at}: {why}"));
                continue;
            }
        };
        if let Some(title) = table.cell(row, "title") {
            let theirs = s.controls.get(control).map(|c| c.value.title.as_str());
            if theirs.is_some_and(|t| t != title.trim()) {
                plan.titles += 1;
            }
        }
        let mut fields = BTreeMap::new();
        for (field, old) in now {
            let Some(cell) = table.cell(row, field) else {
                continue;
            };
            let new = match field {
                "party" => one_of(field, cell, &Party::ALL.map(Party::as_str)),
                // Undecided, the report writes no status.
                "status" if cell.trim().is_empty() && old.is_empty() => Ok(old.clone()),
                "status" => one_of(field, cell, &SoaStatus::ALL.map(SoaStatus::as_str)),
                "applicable" => applicable(cell),
                "owner" => owner(config, cell),
                _ => Ok(cell.to_owned()),
            };
            let new = match new {
                Ok(new) => new,
                Err(why) => {
                    problems.push(format!("{at}: {why}"));
                    continue;
                }
            };
            if new == old {
                continue;
            }
            if field == "applicable" && new == "undecided" {
                problems.push(format!(
                    "{at}: applicable is empty, and {control} has a decision (applicable: {old}): \
                     expected yes or no; a decision is undone in its file, not by a table"
                ));
                continue;
            }
            let (table, value) = match (kind, field) {
                (Kind::Soa, "applicable") => (Some("soa"), toml_edit::Value::from(new == "yes")),
                (Kind::Soa, "justification" | "status") => (Some("soa"), super::text_value(&new)),
                _ => (None, super::text_value(&new)),
            };
            fields.insert(
                field,
                Set {
                    table,
                    value,
                    now: old,
                    new,
                },
            );
        }
        // A decision is made whole: the file's `[soa]` needs both.
        if kind == Kind::Soa && s.controls[control].value.soa.is_none() && !fields.is_empty() {
            let missing: Vec<&str> = ["applicable", "status"]
                .into_iter()
                .filter(|f| !fields.contains_key(f))
                .collect();
            if let [first, ..] = missing.as_slice() {
                problems.push(format!(
                    "{at}: {control} has no SoA decision yet: give its `{first}` too ({})",
                    match *first {
                        "applicable" => "yes or no".to_owned(),
                        _ => output::series(&SoaStatus::ALL.map(SoaStatus::as_str), "or"),
                    }
                ));
                continue;
            }
        }
        if !fields.is_empty() {
            plan.changes.push(Change {
                item: key.join("/"),
                file,
                fields,
            });
        }
    }
    match problems.is_empty() {
        true => Ok(plan),
        false => Err(problems),
    }
}

/// The item a row names: its file, its control, and each field a row may
/// set with its value now, as the report writes it.
type Found<'s> = (String, &'s Id, Vec<(&'static str, String)>);

/// An allocation's [`Found`]; why there is none, with what the row may
/// mean.
fn allocation<'s>(
    s: &'s Snapshot,
    service: &str,
    control: &str,
) -> std::result::Result<Found<'s>, String> {
    let key = (Id::parse(service).ok()).zip(Id::parse(control).ok());
    let Some(((_, ctl), d)) = key.and_then(|k| s.allocations.get_key_value(&k)) else {
        return Err(no_allocation(service, control, s));
    };
    let a = &d.value;
    let now = vec![
        ("party", a.party.to_string()),
        ("provider", a.provider.clone()),
        ("customer", a.customer.clone()),
        ("justification", a.justification.clone()),
        ("owner", a.owner.to_string()),
    ];
    Ok((d.path.clone(), ctl, now))
}

/// A control's [`Found`]: its decision and owner now, as the SoA report
/// writes them (`undecided` and empty without a decision); why there is
/// none.
fn soa<'s>(s: &'s Snapshot, control: &str) -> std::result::Result<Found<'s>, String> {
    let Some((id, d)) = s.controls.get_key_value(control) else {
        let known: Vec<&str> = s.controls.keys().map(Id::as_str).collect();
        let meant = crate::diagnostic::did_you_mean_id(control, &known)
            .map(|m| format!("; {}", crate::diagnostic::meant(m)))
            .unwrap_or_default();
        return Err(format!("no control `{control}`{meant}"));
    };
    let c = &d.value;
    let (applicable, justification, status) = match &c.soa {
        Some(soa) => (
            if soa.applicable { "yes" } else { "no" },
            soa.justification.clone(),
            soa.status.as_str(),
        ),
        None => ("undecided", String::new(), ""),
    };
    let now = vec![
        ("applicable", applicable.to_owned()),
        ("justification", justification),
        ("status", status.to_owned()),
        ("owner", c.owner.to_string()),
    ];
    Ok((d.path.clone(), id, now))
}

/// Why a row naming `control` whose `title` is another control's names the
/// wrong one: the title a spreadsheet kept beside an ID it changed.
fn misread(s: &Snapshot, control: &str, title: Option<&str>) -> Option<String> {
    let title = title?.trim();
    let ours = s.controls.get(control)?;
    if ours.value.title == title || title.is_empty() {
        return None;
    }
    let (theirs, _) = (s.controls.iter()).find(|(_, d)| d.value.title == title)?;
    let number = match read_as_number(s, control).contains(&theirs.as_str()) {
        true => format!("; {}", as_number(theirs.as_str(), control)),
        false => String::new(),
    };
    Some(format!(
        "the row names {control}, but its title is {theirs}'s (\"{title}\"){number}"
    ))
}

/// The controls whose IDs a spreadsheet reads as the number `control` is:
/// `5.10` and `5.100` for `5.1`, their trailing zeros dropped.
fn read_as_number<'s>(s: &'s Snapshot, control: &str) -> Vec<&'s str> {
    if !control.contains('.') || !control.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Vec::new();
    }
    (s.controls.keys().map(Id::as_str))
        .filter(|id| {
            id.strip_prefix(control)
                .is_some_and(|zeros| !zeros.is_empty() && zeros.bytes().all(|b| b == b'0'))
        })
        .collect()
}

/// What happened to `id`, read as the number `control`, and what keeps it.
fn as_number(id: &str, control: &str) -> String {
    format!(
        "a spreadsheet read {id} as the number {control}: format the `control` column as text \
         before the table is opened, or import the CSV with that column as text"
    )
}

/// `applicable` as a spreadsheet may write it: `yes` or `no` (`true`,
/// `false`, any case), or `undecided` where no decision was made.
fn applicable(cell: &str) -> std::result::Result<String, String> {
    match cell.trim().to_lowercase().as_str() {
        "yes" | "true" => Ok("yes".to_owned()),
        "no" | "false" => Ok("no".to_owned()),
        "undecided" | "" => Ok("undecided".to_owned()),
        other => Err(format!("applicable `{other}` is neither yes nor no")),
    }
}

/// The owner key `cell` names: a person or team key, login, email or slug.
fn owner(config: &Config, cell: &str) -> std::result::Result<String, String> {
    config.owner_key(cell.trim()).ok_or_else(|| {
        let why = crate::summary::unknown_owner(cell.trim(), config);
        let hints: String = why.hints.iter().map(|h| format!("; {h}")).collect();
        format!("owner {}{hints}", why.message)
    })
}

/// Why no allocation of `control` on `service` is in `s`, with what the
/// row may mean.
fn no_allocation(service: &str, control: &str, s: &Snapshot) -> String {
    let services: Vec<&str> = s.services.keys().map(Id::as_str).collect();
    let controls: Vec<&str> = s.controls.keys().map(Id::as_str).collect();
    let unknown = |what: &str, id: &str, known: &[&str]| {
        let meant = crate::diagnostic::did_you_mean_id(id, known)
            .map(|m| format!("; {}", crate::diagnostic::meant(m)))
            .unwrap_or_default();
        format!("no {what} `{id}`{meant}")
    };
    if !services.contains(&service) {
        return unknown("service", service, &services);
    }
    if !controls.contains(&control) {
        return unknown("control", control, &controls);
    }
    format!(
        "{service} has no allocation of {control} to import into; `isms new allocation {service} {control}` makes one"
    )
}

/// `text`, an item's file, with each of `fields` set, the comment beside
/// it kept, and every other line as it was; a field the file lacks is
/// added at the end of its table, and a table it lacks at its end. `None`
/// when it is not TOML.
fn edited(text: &str, fields: &BTreeMap<&'static str, Set>) -> Option<String> {
    let mut doc = text.parse::<toml_edit::DocumentMut>().ok()?;
    for (field, set) in fields {
        let table = match set.table {
            None => doc.as_table_mut() as &mut dyn toml_edit::TableLike,
            Some(name) => {
                if doc.get(name).is_none() {
                    doc.insert(name, toml_edit::table());
                }
                doc.get_mut(name)?.as_table_like_mut()?
            }
        };
        super::set_or_add(table, field, set.value.clone());
    }
    Some(crate::span::in_the_form_of(text, doc.to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::text_value;
    use super::*;

    #[test]
    fn a_table_names_its_columns_and_leaves_empty_rows_out() {
        let t = table(
            Kind::Allocations,
            "t.csv",
            "\u{feff}service,control,customer\r\na,5.1,\"Two\r\nlines\"\r\n,,\r\nb,5.2,\r\n",
        )
        .unwrap();
        assert_eq!(t.columns.get("customer"), Some(&2));
        assert_eq!(t.rows.len(), 2);
        assert_eq!(
            t.rows[0],
            (2, vec!["a".into(), "5.1".into(), "Two\nlines".into()])
        );
        assert_eq!(t.rows[1].0, 5, "after a cell of two lines and an empty row");
        // An empty cell is empty; a column the table has not is none.
        assert_eq!(t.cell(&t.rows[1].1, "customer"), Some(""));
        assert_eq!(t.cell(&t.rows[1].1, "party"), None);
    }

    #[test]
    fn a_header_isms_cannot_read_is_refused_with_what_it_may_mean() {
        let e = table(Kind::Allocations, "t.csv", "service,control,custmer\n").unwrap_err();
        assert!(
            e.message.starts_with("t.csv:1: unknown column `custmer`"),
            "{e:?}"
        );
        assert!(
            format!("{e:?}").contains("did you mean `customer`?"),
            "{e:?}"
        );
        let e = table(Kind::Allocations, "t.csv", "service;control;party\n").unwrap_err();
        assert!(format!("{e:?}").contains("separated by `;`"), "{e:?}");
        let e = table(Kind::Allocations, "t.csv", "control,party\n").unwrap_err();
        assert!(
            e.message.starts_with("t.csv:1: no `service` column"),
            "{e:?}"
        );
        let e = table(Kind::Allocations, "t.csv", "").unwrap_err();
        assert_eq!(e.message, "t.csv is empty: expected a header row");
        // Empty columns a spreadsheet saved beside the table are left out;
        // one that holds something is named.
        let t = table(
            Kind::Allocations,
            "t.csv",
            "service,control,,party,\nweb,5.1,,shared,\n",
        )
        .unwrap();
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.cell(&t.rows[0].1, "party"), Some("shared"));
        let e = table(
            Kind::Allocations,
            "t.csv",
            "service,control,\nweb,5.1,\nweb,5.2,x\n",
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "t.csv:3: column 3 has no name in the header row, and holds `x`: \
             expected the columns of `isms report allocations --format csv`"
        );
        let e = table(
            Kind::Allocations,
            "t.csv",
            "service,control,customer\nweb,5.1,Tenants,\nweb,5.2,Tenants back up, and restore\n",
        )
        .unwrap_err();
        assert_eq!(e.message, "t.csv:3: the row has 4 cells, the header row 3");
        assert!(format!("{e:?}").contains("double quotes"), "{e:?}");
        let e = table(
            Kind::Allocations,
            "t.csv",
            "service,control,provider,customer\nweb,5.1,Runs it\n",
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "t.csv:2: the row has 3 cells, the header row 4: expected a cell for each column"
        );
        // The report in another of its formats.
        for other in [
            "# Statement of Applicability (ISO/IEC 27001:2022)\n\n| control | title |\n",
            "{\"format_version\": 1, \"controls\": []}\n",
            "<!doctype html>\n",
        ] {
            let e = table(Kind::Soa, "soa.md", other).unwrap_err();
            assert!(e.message.starts_with("soa.md:1: unknown column"), "{e:?}");
            assert!(
                format!("{e:?}").contains(
                    "import reads CSV, its first row the column names separated by commas, \
                     as `isms report soa --format csv` writes it"
                ),
                "{e:?}"
            );
        }
    }

    fn top(value: &str) -> Set {
        Set {
            table: None,
            value: text_value(value),
            now: String::new(),
            new: value.to_owned(),
        }
    }

    #[test]
    fn an_edit_sets_each_field_keeps_its_comment_and_adds_what_is_missing() {
        let text = "service = \"a\"\r\ncontrol = \"5.1\"\r\nparty = \"shared\"    # provider | customer\r\ncustomer = \"TODO\"\r\nowner = \"bob\"\r\n";
        let fields = BTreeMap::from([
            ("party", top("customer")),
            ("customer", top("Each tenant\nreviews its users.")),
            ("justification", top("")),
        ]);
        assert_eq!(
            edited(text, &fields).unwrap(),
            "service = \"a\"\r\ncontrol = \"5.1\"\r\nparty = \"customer\"    # provider | customer\r\n\
             customer = \"\"\"\r\nEach tenant\r\nreviews its users.\"\"\"\r\nowner = \"bob\"\r\njustification = \"\"\r\n"
        );
    }

    #[test]
    fn a_decision_is_set_in_its_table_or_in_a_new_one() {
        let soa = |value: toml_edit::Value| Set {
            table: Some("soa"),
            value,
            now: String::new(),
            new: String::new(),
        };
        let decided = "id = \"5.1\"\nowner = \"a\"\n\n[soa]\napplicable = true\njustification = \"\"\nstatus = \"planned\"        # planned | partial\n";
        let fields = BTreeMap::from([
            (
                "justification",
                soa(text_value("Policies are the base of the ISMS.")),
            ),
            ("status", soa(text_value("implemented"))),
            ("owner", top("b")),
        ]);
        assert_eq!(
            edited(decided, &fields).unwrap(),
            "id = \"5.1\"\nowner = \"b\"\n\n[soa]\napplicable = true\njustification = \"Policies are the base of the ISMS.\"\nstatus = \"implemented\"        # planned | partial\n"
        );
        let undecided = "id = \"ACME-1\"\nowner = \"a\"\n";
        let fields = BTreeMap::from([
            ("applicable", soa(toml_edit::Value::from(false))),
            ("justification", soa(text_value("No such systems."))),
            ("status", soa(text_value("not-applicable"))),
        ]);
        let out = edited(undecided, &fields).unwrap();
        let c: toml::Table = toml::from_str(&out).unwrap();
        assert_eq!(c["soa"]["applicable"].as_bool(), Some(false), "{out}");
        assert_eq!(c["soa"]["status"].as_str(), Some("not-applicable"), "{out}");
        assert!(out.starts_with(undecided), "{out}");
    }

    #[test]
    fn a_spreadsheet_s_yes_and_no_are_read_as_a_decision() {
        assert_eq!(applicable("TRUE"), Ok("yes".to_owned()));
        assert_eq!(applicable(" no "), Ok("no".to_owned()));
        assert_eq!(applicable(""), Ok("undecided".to_owned()));
        assert_eq!(
            applicable("maybe"),
            Err("applicable `maybe` is neither yes nor no".to_owned())
        );
    }

    /// A commit, `n`, that changed a control's file from `before` to
    /// `after` (its `[soa]` status and applicability, or none).
    fn version(
        n: u8,
        before: Option<(&str, bool)>,
        after: Option<(&str, bool)>,
    ) -> crate::history::versions::Version {
        let text = |v: Option<(&str, bool)>| {
            v.map(|(status, applicable)| {
                format!("id = \"5.3\"\n[soa]\napplicable = {applicable}\nstatus = \"{status}\"\n")
            })
        };
        crate::history::versions::Version {
            commit: crate::model::CommitId::from_bytes([n; 20]),
            date: chrono::NaiveDate::from_ymd_opt(2026, 12, u32::from(n)).unwrap(),
            author: "Bob Okafor".into(),
            summary: format!("commit {n}"),
            before: text(before),
            after: text(after),
        }
    }

    fn decision(now: &str, new: &str) -> Set {
        Set {
            table: Some("soa"),
            value: text_value(new),
            now: now.into(),
            new: new.into(),
        }
    }

    #[test]
    fn a_cell_that_sets_a_field_back_to_its_value_before_a_commit_names_the_newest_such_commit() {
        // Newest first: 3 made it partial, 2 left it, 1 made it implemented.
        let history = [
            version(3, Some(("implemented", true)), Some(("partial", true))),
            version(2, Some(("implemented", false)), Some(("implemented", true))),
            version(1, Some(("planned", false)), Some(("implemented", false))),
        ];
        let head = history[0].after.clone();
        let undoes = |field: &str, set: &Set, head: Option<&str>| match super::undoes(
            field, set, head, &history,
        ) {
            Some(Undoes::Commit(v)) => Some(v.summary.clone()),
            Some(Undoes::Uncommitted) => Some("uncommitted".to_owned()),
            None => None,
        };
        let status = |now, new| undoes("status", &decision(now, new), head.as_deref());
        assert_eq!(
            status("partial", "implemented").as_deref(),
            Some("commit 3")
        );
        // A value from two changes back undoes every change since.
        assert_eq!(status("partial", "planned").as_deref(), Some("commit 3"));
        // A value it never had is an edit.
        assert_eq!(status("partial", "not-applicable"), None);
        // Commit 2 changed only the applicability, read as the report reads it.
        assert_eq!(
            undoes("applicable", &decision("yes", "no"), head.as_deref()).as_deref(),
            Some("commit 2")
        );
        // An uncommitted edit (planned, where HEAD has partial) is what a
        // table with HEAD's value undoes; older values undo nothing named.
        assert_eq!(status("planned", "partial").as_deref(), Some("uncommitted"));
        assert_eq!(status("planned", "implemented"), None);
        // A file HEAD lacks had no value to go back to.
        assert_eq!(
            undoes("status", &decision("planned", "implemented"), None),
            None
        );
        let created = [version(4, None, Some(("planned", true)))];
        let head = created[0].after.as_deref();
        assert!(
            super::undoes(
                "status",
                &decision("planned", "implemented"),
                head,
                &created
            )
            .is_none()
        );
    }
}
