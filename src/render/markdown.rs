//! Text made safe to put in Markdown that GitHub renders: pull request
//! bodies, `isms diff`, the reports.

/// `text` as Markdown shows it word for word where it may hold `<`: GitHub
/// reads `<tenant>` as a tag and drops it with what it holds.
pub fn inline(text: &str) -> String {
    text.replace('<', "\\<")
}

/// `text` on one line, as [`inline`] shows it: a line break is a space.
pub fn line(text: &str) -> String {
    inline(text).replace("\r\n", " ").replace('\n', " ")
}

/// `text` as one cell of a table: on one [`line`], and a `|` does not end
/// the cell.
pub fn cell(text: &str) -> String {
    line(text).replace('|', "\\|")
}

/// `text` in a fenced code block of `lang`: the fence is longer than any run
/// of backticks in it, so a line of them cannot end the block early.
pub fn code_block(lang: &str, text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let end = if text.is_empty() || text.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    format!("{fence}{lang}\n{text}{end}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_is_shown_as_written() {
        assert_eq!(inline("for <tenant> data"), "for \\<tenant> data");
    }

    #[test]
    fn a_cell_is_one_line_that_no_bar_ends() {
        assert_eq!(cell("a | <b>\nc\r\nd"), "a \\| \\<b> c d");
    }

    #[test]
    fn a_code_block_outlasts_the_backticks_it_holds() {
        assert_eq!(code_block("diff", "+a\n"), "```diff\n+a\n```");
        assert_eq!(
            code_block("diff", "+x = \"\"\"\n+```sh\n+run\n"),
            "````diff\n+x = \"\"\"\n+```sh\n+run\n````"
        );
        assert_eq!(code_block("", "no newline"), "```\nno newline\n```");
    }
}
