//! Printing: stdout is data, stderr is talk. Colour only on a terminal and
//! never with `NO_COLOR` (anstream decides).

use std::io::Write;

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use crate::cli::Format;
use crate::diagnostic::{Diagnostic, Severity, one_line, visible};
use crate::error::Error;

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const HINT: Style = AnsiColor::Cyan.on_default().bold();
const DIM: Style = AnsiColor::Blue.on_default().bold();
const BOLD: Style = Style::new().bold();

/// What `isms check` read.
#[derive(Clone, Debug)]
pub enum Checked {
    Worktree,
    /// The git index (`--staged`).
    Index,
    /// A commit (`--rev`), by its full id.
    Commit(String),
}

impl Checked {
    /// Its name in the JSON document's `source`.
    fn name(&self) -> &'static str {
        match self {
            Checked::Worktree => "worktree",
            Checked::Index => "index",
            Checked::Commit(_) => "commit",
        }
    }
}

/// What `isms check` looked at, for the summary and the JSON document.
#[derive(Clone, Debug)]
pub struct CheckSummary {
    pub checked: Checked,
    /// Files parsed.
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    /// The files and folders whose findings alone are shown (all when empty).
    pub only: Vec<String>,
}

/// The JSON document of `isms check --format json` (pinned by a test; see README).
#[derive(Serialize)]
struct CheckJson<'a> {
    version: u32,
    source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    /// The files and folders whose findings alone are listed and counted.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    paths: &'a [String],
    files: usize,
    errors: usize,
    warnings: usize,
    findings: &'a [Diagnostic],
}

/// Prints the findings of a check in `format`, and a one-line summary on stderr.
/// Warnings in one line per rule: how many, in how many files, and the
/// command that lists them (`command`).
fn warning_summary(
    out: &mut impl Write,
    warnings: &[Diagnostic],
    command: &str,
) -> std::io::Result<()> {
    let mut by_rule: std::collections::BTreeMap<&str, (usize, std::collections::BTreeSet<&str>)> =
        std::collections::BTreeMap::new();
    for w in warnings {
        let entry = by_rule.entry(w.rule).or_default();
        entry.0 += 1;
        entry.1.insert(w.file.as_str());
    }
    for (rule, (n, files)) in &by_rule {
        writeln!(
            out,
            "{WARNING}warning[{rule}]{WARNING:#}: {} in {} (`{command}` lists them)",
            n,
            plural(files.len(), "file")
        )?;
    }
    Ok(())
}

/// Prints `diagnostics`, then (for people) `folded` warnings one line per
/// rule with the command that lists them, then the summary.
pub fn check_report(
    format: Format,
    diagnostics: &[Diagnostic],
    folded: Option<(&[Diagnostic], &str)>,
    summary: CheckSummary,
) {
    let what = match &summary.checked {
        Checked::Worktree => plural(summary.files, "file"),
        Checked::Index => plural(summary.files, "staged file"),
        Checked::Commit(id) => format!(
            "{} of commit {}",
            plural(summary.files, "file"),
            &id[..id.len().min(10)]
        ),
    };
    // Where the findings shown are, when not everywhere.
    let within = match summary.only.as_slice() {
        [] => String::new(),
        paths => {
            let shown: Vec<&str> = (paths.iter())
                .map(|p| if p.is_empty() { "." } else { p.as_str() })
                .collect();
            format!(" in {}", shown.join(", "))
        }
    };
    // Buffered: one write for many lines (stdout is line-buffered).
    let mut out = std::io::BufWriter::new(anstream::stdout().lock());
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = match format {
        Format::Human | Format::Md | Format::Csv | Format::Html => diagnostics
            .iter()
            .try_for_each(|d| human(&mut out, d))
            .and_then(|()| match folded {
                Some((warnings, command)) => warning_summary(&mut out, warnings, command),
                None => Ok(()),
            }),
        Format::Json => {
            let doc = CheckJson {
                version: 1,
                source: summary.checked.name(),
                commit: match &summary.checked {
                    Checked::Commit(id) => Some(id),
                    _ => None,
                },
                paths: &summary.only,
                files: summary.files,
                errors: summary.errors,
                warnings: summary.warnings,
                findings: diagnostics,
            };
            serde_json::to_writer_pretty(&mut out, &doc)
                .map_err(std::io::Error::other)
                .and_then(|()| writeln!(out))
        }
        Format::Github => {
            let heading = if summary.errors + summary.warnings == 0 {
                format!("isms check: no problems{within} (checked {what})")
            } else {
                format!(
                    "isms check: {}, {}{within} (checked {what})",
                    plural(summary.errors, "error"),
                    plural(summary.warnings, "warning"),
                )
            };
            job_summary(&crate::render::job_summary::table(
                &heading,
                &["Severity", "Rule", "Where", "What"],
                &finding_rows(diagnostics),
                "the annotations, and `isms check`, list every one",
            ));
            diagnostics
                .iter()
                .try_for_each(|d| writeln!(out, "{}", github(d)))
        }
        Format::Sarif => {
            serde_json::to_writer_pretty(&mut out, &crate::render::sarif::document(diagnostics))
                .map_err(std::io::Error::other)
                .and_then(|()| writeln!(out))
        }
    };
    let _ = out.flush();
    if format == Format::Human {
        let mut err = anstream::stderr().lock();
        let _ = if summary.errors + summary.warnings == 0 {
            writeln!(err, "checked {what}: no problems{within}")
        } else {
            let style = if summary.errors > 0 { ERROR } else { WARNING };
            writeln!(
                err,
                "{style}{}{style:#}, {}{within} (checked {what})",
                plural(summary.errors, "error"),
                plural(summary.warnings, "warning"),
            )
        };
    }
}

/// Findings as rows of a job summary: severity, rule, place, and what is
/// wrong with what to do about it.
pub fn finding_rows(diagnostics: &[Diagnostic]) -> Vec<Vec<String>> {
    diagnostics
        .iter()
        .map(|d| {
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut what = d.message.clone();
            if let Some(h) = &d.hint {
                what.push_str(" — hint: ");
                what.push_str(h);
            }
            let place = match d.line {
                Some(line) => format!("{}:{line}", d.file),
                None => d.file.clone(),
            };
            vec![
                severity.to_owned(),
                format!("`{}`", d.rule),
                format!("`{place}`"),
                what,
            ]
        })
        .collect()
}

/// Adds `markdown` to the summary page of the GitHub Actions job this runs
/// in, where `GITHUB_STEP_SUMMARY` names that page's file; elsewhere, does
/// nothing. A summary that cannot be written is a warning: the annotations
/// and the exit status still say everything.
pub fn job_summary(markdown: &str) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return;
    };
    let path = std::path::PathBuf::from(path);
    let written = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .and_then(|mut f| f.write_all(markdown.as_bytes()));
    if let Err(e) = written {
        note(&format!(
            "warning: could not add to the job summary {}: {e}",
            path.display()
        ));
    }
}

/// How a state is coloured, as `status` colours it: needs action now red,
/// due soon yellow, ok plain (anstream drops colour off a terminal and with
/// NO_COLOR).
pub fn state_style(state: crate::check::review::State) -> Style {
    use crate::check::review::State;
    match state {
        State::Ok => Style::new(),
        s if s.is_flagged() => AnsiColor::Red.on_default().bold(),
        _ => AnsiColor::Yellow.on_default(),
    }
}

/// `a`, `a and b`, `a, b and c` (or with another `conjunction`).
pub fn series(words: &[&str], conjunction: &str) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} {conjunction} {last}", rest.join(", ")),
    }
}

pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn human(out: &mut impl Write, d: &Diagnostic) -> std::io::Result<()> {
    let (label, style) = match d.severity {
        Severity::Error => ("error", ERROR),
        Severity::Warning => ("warning", WARNING),
    };
    writeln!(
        out,
        "{style}{label}[{}]{style:#}{BOLD}: {}{BOLD:#}",
        d.rule,
        one_line(&d.message)
    )?;
    writeln!(out, "  {DIM}-->{DIM:#} {}", one_line(&d.place()))?;
    if let (Some(line), Some(col), Some(text)) = (d.line, d.column, &d.snippet) {
        let (text, col) = window(&visible(text), col);
        let width = line.to_string().len();
        let pad = " ".repeat(width);
        writeln!(out, "  {pad} {DIM}|{DIM:#}")?;
        writeln!(out, "  {DIM}{line}{DIM:#} {DIM}|{DIM:#} {text}")?;
        writeln!(
            out,
            "  {pad} {DIM}|{DIM:#} {}{style}^{style:#}",
            " ".repeat(col - 1)
        )?;
    }
    if let Some(hint) = &d.hint {
        writeln!(
            out,
            "  {HINT}= hint:{HINT:#} {}",
            one_line(&with_dash_c(hint))
        )?;
    }
    writeln!(out)
}

/// At most [`WINDOW`] characters of `line` around the 1-based character
/// column `col`, with `…` where it was cut, and the column within them: a
/// 20 KB line is shown where the problem is, not whole.
fn window(line: &str, col: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= WINDOW {
        return (line.to_owned(), col);
    }
    let at = col.saturating_sub(1).min(chars.len());
    let start = at.saturating_sub(WINDOW / 2);
    let end = (start + WINDOW).min(chars.len());
    let start = end.saturating_sub(WINDOW);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('…');
    }
    (out, at - start + 1 + usize::from(start > 0))
}

/// How much of a source line an error shows.
const WINDOW: usize = 100;

/// One GitHub Actions workflow command, escaped as the runner expects.
pub fn github(d: &Diagnostic) -> String {
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut props = vec![format!("file={}", escape_property(&d.file))];
    if let Some(l) = d.line {
        props.push(format!("line={l}"));
    }
    if let Some(c) = d.column {
        props.push(format!("col={c}"));
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("isms {}", d.rule))
    ));
    let mut message = d.message.clone();
    if let Some(h) = &d.hint {
        message.push_str("\nhint: ");
        message.push_str(h);
    }
    format!("::{level} {}::{}", props.join(","), escape_data(&message))
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Prints an error that stopped a command, with its cause and hints.
pub fn error(e: &Error) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{ERROR}error:{ERROR:#} {}", visible(&e.message));
    if let Some(cause) = &e.cause {
        let _ = writeln!(err, "  caused by: {}", visible(cause));
    }
    for hint in &e.hints {
        let _ = writeln!(err, "  {HINT}hint:{HINT:#} {}", visible(hint));
    }
}

/// A line of talk on stderr.
pub fn note(message: &str) {
    let _ = writeln!(anstream::stderr(), "{}", visible(&with_dash_c(message)));
}

/// Says that this command waits for another isms's lock at `lock`.
pub fn waiting_for(lock: &std::path::Path) {
    note(&format!(
        "waiting for another isms to finish writing in this repository (it holds {})",
        lock.display()
    ));
}

/// The ` -C DIR` the command was run with, for the commands messages suggest.
static DASH_C: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Remembers the ` -C DIR` the command was run with (empty for none).
pub fn set_dash_c(dash_c: &str) {
    let _ = DASH_C.set(dash_c.to_owned());
}

/// `message` with every suggested `` `isms …` `` command run as this one
/// was: with its `-C DIR`.
pub fn with_dash_c(message: &str) -> String {
    match DASH_C.get().filter(|d| !d.is_empty()) {
        Some(d) if !message.contains(&format!("`isms{d} ")) => {
            message.replace("`isms ", &format!("`isms{d} "))
        }
        _ => message.to_owned(),
    }
}

/// "reading history: N commits" on stderr, for long walks on a terminal;
/// the line is cleared when it is dropped.
pub struct Progress {
    terminal: bool,
    shown: bool,
}

impl Progress {
    /// Walks shorter than this finish before a person would wonder.
    const MIN_COMMITS: usize = 5_000;

    /// `done` commits read so far.
    pub fn commits(&mut self, done: usize) {
        if self.terminal && done >= Self::MIN_COMMITS && done.is_multiple_of(1000) {
            self.shown = true;
            eprint!("\rreading history: {done} commits");
        }
    }
}

impl Default for Progress {
    fn default() -> Progress {
        use std::io::IsTerminal;
        Progress {
            terminal: std::io::stderr().is_terminal(),
            shown: false,
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.shown {
            // Clear the line so the report starts clean.
            eprint!("\r\x1b[2K");
        }
    }
}

/// Prints `findings` as SARIF on stdout.
pub fn sarif(findings: &[Diagnostic]) {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer_pretty(&mut out, &crate::render::sarif::document(findings))
        .map_err(std::io::Error::other)
        .and_then(|()| writeln!(out));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_cut_around_the_column() {
        assert_eq!(window("a = 1", 5), ("a = 1".to_owned(), 5));
        let long = format!("x = \"{}\" y", "a".repeat(20_000));
        let (shown, col) = window(&long, 20_008);
        assert!(shown.starts_with('…') && !shown.ends_with('…'), "{shown}");
        assert!(shown.chars().count() <= WINDOW + 2);
        assert_eq!(shown.chars().nth(col - 1), long.chars().nth(20_007));
        let (shown, col) = window(&long, 1);
        assert!(shown.starts_with("x = ") && shown.ends_with('…'));
        assert_eq!(col, 1);
    }

    #[test]
    fn control_characters_are_shown_as_their_pictures_one_for_one() {
        assert!(matches!(
            visible("a = 1\tb\n"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(visible("x\0y\x1b[2J\x7f\u{9b}"), "x␀y␛[2J␡\u{fffd}");
        assert_eq!(visible("a\nb"), "a\nb");
        assert_eq!(crate::diagnostic::one_line("a\n::x\tb"), "a␊::x\tb");
        let line = "k = 1\x1b";
        assert_eq!(visible(line).chars().count(), line.chars().count());
        // In the whole human rendering too: message, place, snippet, hint.
        let d = Diagnostic::error("syntax", "a\x1b.toml", "bad \x07\n::error::x")
            .in_text("k = \x1b]0;t\x07", Some((1, 5)))
            .hint("no \x1b");
        let mut out = Vec::new();
        human(&mut out, &d).unwrap();
        let out = String::from_utf8(out).unwrap();
        // The styles' own escapes stay; none of the text's reaches the terminal.
        assert!(!out.contains('\x07') && !out.contains("\x1b]"), "{out:?}");
        assert!(
            !out.contains("a\x1b.toml") && !out.contains("no \x1b"),
            "{out:?}"
        );
        let stripped = anstream::adapter::strip_str(&out).to_string();
        assert!(stripped.contains("1 | k = ␛]0;t␇\n"), "{stripped}");
        assert!(stripped.contains("a␛.toml:1:5"), "{stripped}");
        // A message is one line: a value in it cannot start another.
        assert!(stripped.contains("bad ␇␊::error::x"), "{stripped}");
    }

    #[test]
    fn github_annotations_escape_data_and_properties() {
        let d = Diagnostic::error("unknown-key", "controls/a,b:c.toml", "100% wrong\nreally")
            .at(Some((3, 7)))
            .hint("did you mean `x`?");
        assert_eq!(
            github(&d),
            "::error file=controls/a%2Cb%3Ac.toml,line=3,col=7,title=isms unknown-key::100%25 wrong%0Areally%0Ahint: did you mean `x`?"
        );
    }
}
