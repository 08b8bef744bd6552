//! `isms import allocations FILE`: the duties of many allocations at once,
//! from a table edited in a spreadsheet (`isms report allocations --format
//! csv`, taken back). Each changed field of each allocation's file is set
//! with a TOML editor, and nothing else; every row is checked before any
//! file is written, and nothing is committed.

use std::collections::BTreeMap;
use std::process::ExitCode;

use crate::cli::{ImportArgs, ImportCommand};
use crate::error::{Error, Result};
use crate::model::{Config, Id, Snapshot};
use crate::output::{self, plural};
use crate::render::report::ALLOCATION_COLUMNS;
use crate::repo::{CONFIG_FILE, Repo};

use super::Context;

/// The largest table read: 7,500 allocations with a paragraph of duties
/// each take a few MiB.
const MAX_TABLE_BYTES: u64 = 64 << 20;

/// The columns a row may set: the others name the allocation
/// (`service`, `control`) or are the control's (`title`).
const FIELDS: [&str; 5] = ["party", "provider", "customer", "justification", "owner"];

const PARTIES: [&str; 4] = ["provider", "customer", "shared", "not-applicable"];

pub fn run(ctx: &Context, cmd: &ImportCommand) -> Result<ExitCode> {
    match cmd {
        ImportCommand::Allocations(a) => allocations(ctx, a),
    }
}

fn allocations(ctx: &Context, a: &ImportArgs) -> Result<ExitCode> {
    let repo = Repo::discover(&ctx.dir)?;
    // Held from the first read to the last write, as `new` holds it.
    let writer = repo.writer(&mut output::waiting_for)?;
    let snapshot = crate::reading::complete_snapshot(&repo.root)?;
    let config = (snapshot.config.as_ref().map(|d| &d.value)).ok_or_else(|| {
        Error::new(format!("{CONFIG_FILE} does not parse"))
            .hint("run `isms check` to see why, and fix it first")
    })?;
    let (name, text) = read_table(ctx, &a.file)?;
    let table = table(&name, &text)?;
    let plan = plan(&name, &table, &snapshot, config).map_err(|problems| {
        Error::new(format!(
            "{name}: {} cannot be imported; nothing was written:\n  {}",
            plural(problems.len(), "row"),
            problems.join("\n  ")
        ))
    })?;
    if plan.changes.is_empty() {
        output::note(&format!(
            "nothing to import: every allocation of {name} is as its file has it ({})",
            plural(table.rows.len(), "row")
        ));
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
    let summary = plan.summary();
    if a.dry_run {
        for (change, _, before, after) in &edits {
            print!(
                "{}",
                crate::render::diff::unified(before, after, &change.file)
            );
        }
        output::note(&format!(
            "would update {} from {name}: {summary}; nothing was written",
            plural(plan.changes.len(), "allocation")
        ));
        return Ok(ExitCode::SUCCESS);
    }
    let codeowners = super::FollowCodeowners::of(&snapshot);
    for (_, path, _, after) in &edits {
        // An edit of the file as it is, uncommitted changes and all.
        writer.refresh(path, after.as_bytes())?;
    }
    output::note(&format!(
        "updated {} from {name}: {summary}",
        plural(plan.changes.len(), "allocation")
    ));
    if plan.changes.iter().any(|c| c.fields.contains_key("owner")) {
        codeowners.after(&writer, "the new owners' lines were not written to it")?;
    }
    if plan.titles > 0 {
        output::note(&format!(
            "note: `title` is the control's, in controls/, and was not imported; the table gives another in {}",
            plural(plan.titles, "row")
        ));
    }
    output::note("next: `isms check`, then review the change with `git diff` and commit it");
    Ok(ExitCode::SUCCESS)
}

/// The table's name for messages, and its text: a file, or standard input
/// for `-`.
fn read_table(ctx: &Context, file: &str) -> Result<(String, String)> {
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
    match crate::fsutil::read_text(&ctx.path(file), MAX_TABLE_BYTES) {
        Ok(text) => Ok((file.to_owned(), text)),
        Err(e) if e.message.ends_with("is not UTF-8 text") => Err(e.hint(UTF8)),
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
}

/// The CSV `text` (RFC 4180, a header row first) as a table, its header
/// checked: every column one the allocations report has, `service` and
/// `control` among them.
fn table(name: &str, text: &str) -> Result<Table> {
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
                Error::new(format!("{name} is empty: expected a header row"))
                    .hint("`isms report allocations --format csv` writes a table to start from"),
            );
        }
    };
    let known: Vec<&str> = ALLOCATION_COLUMNS.iter().map(|(id, _)| *id).collect();
    let mut columns = BTreeMap::new();
    for (at, head) in header.iter().enumerate() {
        let head = head.trim();
        if !known.contains(&head) {
            let separated = [';', '\t'].into_iter().find(|c| head.contains(*c));
            let hint = match separated {
                Some(c) => Some(format!(
                    "its columns are separated by `{}`: save it as CSV, separated by commas",
                    c.escape_default()
                )),
                None => crate::diagnostic::did_you_mean(head, &known).map(crate::diagnostic::meant),
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
    for needed in ["service", "control"] {
        if !columns.contains_key(needed) {
            return Err(Error::new(format!(
                "{name}:1: no `{needed}` column: each row names its allocation by `service` and `control`"
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

/// What an import changes: each allocation's fields that differ from its
/// file.
#[derive(Debug, Default)]
struct Plan {
    changes: Vec<Change>,
    /// Rows whose `title` is not their control's.
    titles: usize,
}

#[derive(Debug)]
struct Change {
    file: String,
    /// Field → its new value, for the fields that change.
    fields: BTreeMap<&'static str, String>,
}

impl Plan {
    /// "party 3, customer 10", in the order of the columns.
    fn summary(&self) -> String {
        let counts: Vec<String> = (FIELDS.iter())
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

/// Every row of `table` checked against `s`: the changes it makes, or
/// every problem, a line each (`FILE:LINE: …`).
fn plan(
    name: &str,
    table: &Table,
    s: &Snapshot,
    config: &Config,
) -> std::result::Result<Plan, Vec<String>> {
    let mut plan = Plan::default();
    let mut problems = Vec::new();
    let mut seen: BTreeMap<(String, String), u64> = BTreeMap::new();
    for (line, row) in &table.rows {
        let at = format!("{name}:{line}");
        let service = table.cell(row, "service").unwrap_or_default().trim();
        let control = table.cell(row, "control").unwrap_or_default().trim();
        if let Some(first) = seen.insert((service.to_owned(), control.to_owned()), *line) {
            problems.push(format!(
                "{at}: {service}/{control} is on line {first} too: one row an allocation"
            ));
            continue;
        }
        let doc = (Id::parse(service).ok())
            .zip(Id::parse(control).ok())
            .and_then(|key| s.allocations.get(&key));
        let Some(doc) = doc else {
            problems.push(format!("{at}: {}", no_allocation(service, control, s)));
            continue;
        };
        let a = &doc.value;
        if let Some(title) = table.cell(row, "title") {
            let theirs = s.controls.get(control).map(|c| c.value.title.as_str());
            if theirs.is_some_and(|t| t != title.trim()) {
                plan.titles += 1;
            }
        }
        let mut fields = BTreeMap::new();
        for field in FIELDS {
            let Some(cell) = table.cell(row, field) else {
                continue;
            };
            let (new, old) = match field {
                "party" => {
                    let party = cell.trim();
                    if !PARTIES.contains(&party) {
                        let hint = crate::diagnostic::did_you_mean(party, &PARTIES)
                            .map(|p| format!("; {}", crate::diagnostic::meant(p)))
                            .unwrap_or_default();
                        problems.push(format!(
                            "{at}: party `{party}` is none of {}{hint}",
                            output::series(&PARTIES, "or")
                        ));
                        continue;
                    }
                    (party.to_owned(), a.party.to_string())
                }
                "owner" => match config.owner_key(cell.trim()) {
                    Some(key) => (key, a.owner.to_string()),
                    None => {
                        let known = config.people.keys().chain(config.teams.keys());
                        let why = crate::summary::unknown(cell.trim(), known.map(Id::as_str));
                        let hints: String = why.hints.iter().map(|h| format!("; {h}")).collect();
                        problems.push(format!("{at}: owner {}{hints}", why.message));
                        continue;
                    }
                },
                "provider" => (cell.to_owned(), a.provider.clone()),
                "customer" => (cell.to_owned(), a.customer.clone()),
                _ => (cell.to_owned(), a.justification.clone()),
            };
            if new != old {
                fields.insert(field, new);
            }
        }
        if !fields.is_empty() {
            plan.changes.push(Change {
                file: doc.path.clone(),
                fields,
            });
        }
    }
    match problems.is_empty() {
        true => Ok(plan),
        false => Err(problems),
    }
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

/// `text`, an allocation's file, with each of `fields` set to its value,
/// the comment beside it kept, and every other line as it was; a field
/// the file lacks is added at its end. `None` when it is not TOML.
fn edited(text: &str, fields: &BTreeMap<&'static str, String>) -> Option<String> {
    let mut doc = text.parse::<toml_edit::DocumentMut>().ok()?;
    for (field, value) in fields {
        // As `new` writes a text: a multi-line string where it has lines.
        let value: toml_edit::Value = crate::scaffold::q(value).parse().ok()?;
        match doc.get_mut(field).and_then(|i| i.as_value_mut()) {
            Some(item) => super::set_value(item, value),
            None => {
                doc.insert(field, toml_edit::Item::Value(value));
            }
        }
    }
    Some(crate::span::in_the_form_of(text, doc.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_names_its_columns_and_leaves_empty_rows_out() {
        let t = table(
            "t.csv",
            "\u{feff}service,control,customer\r\na,5.1,\"Two\r\nlines\"\r\n,,\r\nb,5.2\r\n",
        )
        .unwrap();
        assert_eq!(t.columns.get("customer"), Some(&2));
        assert_eq!(t.rows.len(), 2);
        assert_eq!(
            t.rows[0],
            (2, vec!["a".into(), "5.1".into(), "Two\nlines".into()])
        );
        assert_eq!(t.rows[1].0, 5, "after a cell of two lines and an empty row");
        // A short row has the cells it has; the missing are empty.
        assert_eq!(t.cell(&t.rows[1].1, "customer"), Some(""));
        assert_eq!(t.cell(&t.rows[1].1, "party"), None);
    }

    #[test]
    fn a_header_isms_cannot_read_is_refused_with_what_it_may_mean() {
        let e = table("t.csv", "service,control,custmer\n").unwrap_err();
        assert!(
            e.message.starts_with("t.csv:1: unknown column `custmer`"),
            "{e:?}"
        );
        assert!(
            format!("{e:?}").contains("did you mean `customer`?"),
            "{e:?}"
        );
        let e = table("t.csv", "service;control;party\n").unwrap_err();
        assert!(format!("{e:?}").contains("separated by `;`"), "{e:?}");
        let e = table("t.csv", "control,party\n").unwrap_err();
        assert!(
            e.message.starts_with("t.csv:1: no `service` column"),
            "{e:?}"
        );
        let e = table("t.csv", "").unwrap_err();
        assert_eq!(e.message, "t.csv is empty: expected a header row");
    }

    #[test]
    fn an_edit_sets_each_field_keeps_its_comment_and_adds_what_is_missing() {
        let text = "service = \"a\"\r\ncontrol = \"5.1\"\r\nparty = \"shared\"    # provider | customer\r\ncustomer = \"TODO\"\r\nowner = \"bob\"\r\n";
        let fields = BTreeMap::from([
            ("party", "customer".to_owned()),
            ("customer", "Each tenant\nreviews its users.".to_owned()),
            ("justification", String::new()),
        ]);
        assert_eq!(
            edited(text, &fields).unwrap(),
            "service = \"a\"\r\ncontrol = \"5.1\"\r\nparty = \"customer\"    # provider | customer\r\n\
             customer = \"\"\"\r\nEach tenant\r\nreviews its users.\"\"\"\r\nowner = \"bob\"\r\njustification = \"\"\r\n"
        );
    }
}
