//! The Markdown a GitHub Actions job shows on its summary page
//! (`$GITHUB_STEP_SUMMARY`) beside the annotations of `--format github`: a
//! heading and, when there is something to list, one table. It takes rows
//! and returns text; it never writes the file (that is [`crate::output`]).

use std::fmt::Write;

/// At most this many rows: GitHub shows up to 1 MiB of a step's summary,
/// and the annotations and the command itself list everything.
pub const MAX_ROWS: usize = 200;

/// `heading`, then a table of `rows` under `columns`; past [`MAX_ROWS`], a
/// line says how many more there are and where to see them (`elsewhere`).
pub fn table(heading: &str, columns: &[&str], rows: &[Vec<String>], elsewhere: &str) -> String {
    let mut out = format!("### {}\n\n", cell(heading));
    if rows.is_empty() {
        return out;
    }
    let heads: Vec<String> = columns.iter().map(|c| cell(c)).collect();
    let _ = writeln!(out, "| {} |", heads.join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(columns.len()));
    for row in rows.iter().take(MAX_ROWS) {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    if rows.len() > MAX_ROWS {
        let _ = write!(out, "\n…and {} more: {elsewhere}\n", rows.len() - MAX_ROWS);
    }
    out.push('\n');
    out
}

/// `text` as one table cell: what Markdown or HTML would read as markup is
/// escaped, and a line break is a space.
fn cell(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace("\r\n", " ")
        .replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_keep_their_text_and_break_no_table() {
        let rows = vec![vec![
            "a | b".to_owned(),
            "<script>x</script> & `code`\nhint: y".to_owned(),
        ]];
        assert_eq!(
            table("isms check: 1 error", &["One", "Two"], &rows, "run it"),
            "### isms check: 1 error\n\n| One | Two |\n| --- | --- |\n| a \\| b | &lt;script&gt;x&lt;/script&gt; &amp; `code` hint: y |\n\n"
        );
    }

    #[test]
    fn nothing_to_list_is_the_heading_alone_and_many_rows_are_cut_with_a_count() {
        assert_eq!(table("all good", &["A"], &[], "x"), "### all good\n\n");
        let rows: Vec<Vec<String>> = (0..MAX_ROWS + 3).map(|i| vec![i.to_string()]).collect();
        let md = table("many", &["N"], &rows, "the annotations list them");
        // The heading row, the rule under it, and the rows shown.
        assert_eq!(
            md.lines().filter(|l| l.starts_with("| ")).count(),
            MAX_ROWS + 2
        );
        assert!(
            md.ends_with("\n…and 3 more: the annotations list them\n\n"),
            "{md}"
        );
    }
}
