//! Git trailers in commit messages, as `git interpret-trailers` finds them,
//! and in GitHub squash bodies, where each squashed message is a `* ` paragraph.

/// One `Token: value` trailer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trailer {
    pub key: String,
    pub value: String,
}

/// A trailer block: the trailers of one (possibly squashed) commit message.
pub type Block = Vec<Trailer>;

/// The trailers isms reads.
pub const KEYS: [&str; 3] = ["Reviewed", "Review-Outcome", "Review-Note"];

/// The trailer of [`KEYS`] that `key` most likely misspells: one or two
/// edits from it, in any case (`Reviewd`, `Review-Notes`). git's own
/// `Reviewed-by` is further away; a key isms reads, in any case, is none.
pub fn misspelt(key: &str) -> Option<&'static str> {
    let key = key.to_ascii_lowercase();
    KEYS.into_iter()
        .map(|k| {
            (
                strsim::damerau_levenshtein(&key, &k.to_ascii_lowercase()),
                k,
            )
        })
        .filter(|(edits, _)| (1..=2).contains(edits))
        .min()
        .map(|(_, k)| k)
}

/// The trailer of [`KEYS`] that `t` misspells, when its value is what that
/// trailer takes: an item key, an outcome, or, in a message that records a
/// review, a note. So `Reviewer: Bob` misspells nothing.
pub fn misspells(t: &Trailer, in_a_review: bool) -> Option<&'static str> {
    let meant = misspelt(&t.key)?;
    let fits = match meant {
        "Reviewed" => crate::model::ItemKey::parse(&t.value).is_ok(),
        "Review-Outcome" => crate::model::Outcome::parse(&t.value).is_some(),
        _ => in_a_review,
    };
    fits.then_some(meant)
}

/// Whether `message` may record a review, or misspell one: it says
/// `reviewed` in any case, or a line starts with a key one or two edits from
/// `Reviewed` (`Reviewd:`). A cheap look, so that the many commits that
/// review nothing are passed over before their trailers are parsed.
pub fn may_review(message: &str) -> bool {
    let bytes = message.as_bytes();
    bytes
        .windows(8)
        .any(|w| w.eq_ignore_ascii_case(b"reviewed"))
        || message.lines().any(|line| {
            split_trailer(line).is_some_and(|(key, _)| {
                (6..=10).contains(&key.len()) && misspelt(key) == Some("Reviewed")
            })
        })
}

fn split_trailer(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    let ok = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    ok.then(|| (key, value.trim()))
}

/// Parses a paragraph as a trailer block: every line a trailer or the
/// continuation (leading whitespace) of the one before.
fn block(paragraph: &[&str]) -> Option<Block> {
    let mut out: Block = Vec::new();
    for line in paragraph {
        if line.starts_with([' ', '\t']) {
            let last = out.last_mut()?;
            last.value.push(' ');
            last.value.push_str(line.trim());
        } else {
            let (key, value) = split_trailer(line)?;
            out.push(Trailer {
                key: key.to_owned(),
                value: value.to_owned(),
            });
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Every trailer block in `message`: the last paragraph (as git reads it),
/// and in a squash commit the last paragraph of each squashed message — the
/// one before the next `* ` bullet. The subject is never a trailer block.
pub fn blocks(message: &str) -> Vec<Block> {
    let lines: Vec<&str> = message
        .lines()
        .map(|l| l.trim_end())
        .filter(|l| !l.starts_with('#'))
        .collect();
    let mut paragraphs: Vec<Vec<&str>> = Vec::new();
    let mut current = Vec::new();
    for line in lines {
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    let n = paragraphs.len();
    (1..n)
        .filter(|&i| i + 1 == n || paragraphs[i + 1][0].starts_with("* "))
        .filter_map(|i| block(&paragraphs[i]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_an_edit_or_two_from_one_isms_reads_is_a_misspelling_of_it() {
        assert_eq!(misspelt("Reviewd"), Some("Reviewed"));
        assert_eq!(misspelt("reveiwed"), Some("Reviewed"));
        assert_eq!(misspelt("Review-Outcomes"), Some("Review-Outcome"));
        assert_eq!(misspelt("Review-Notes"), Some("Review-Note"));
        assert_eq!(misspelt("ReviewNote"), Some("Review-Note"));
        for other in [
            "Reviewed",
            "REVIEW-NOTE",
            "Reviewed-by",
            "Signed-off-by",
            "Co-authored-by",
        ] {
            assert_eq!(misspelt(other), None, "{other}");
        }
    }

    #[test]
    fn a_message_that_may_record_or_misspell_a_review_is_looked_at() {
        assert!(may_review("review\n\nReviewed: control:5.1"));
        assert!(may_review("fix\n\nREVIEWED: control:5.1"));
        assert!(may_review("fix\n\nReveiwed: control:5.1"));
        assert!(may_review("fix\n\nReview: control:5.1"));
        for nothing in [
            "fix: the parser",
            "fix\n\nSigned-off-by: A <a@example.com>\nCo-authored-by: B <b@example.com>",
            "docs\n\nRefs: #12",
        ] {
            assert!(!may_review(nothing), "{nothing}");
        }
    }

    fn keys(b: &Block) -> Vec<(&str, &str)> {
        b.iter()
            .map(|t| (t.key.as_str(), t.value.as_str()))
            .collect()
    }

    #[test]
    fn the_last_paragraph_holds_the_trailers() {
        let m = "review: CLD.9.5.1 on payments-api\n\nSome words: not trailers\nat all\n\nReviewed: allocation:payments-api/CLD.9.5.1\nReviewed: control:CLD.9.5.1\nReview-Outcome: effective\nReview-Note: isolation test\n  2026-H2 passed\n";
        let b = blocks(m);
        assert_eq!(b.len(), 1);
        assert_eq!(
            keys(&b[0]),
            [
                ("Reviewed", "allocation:payments-api/CLD.9.5.1"),
                ("Reviewed", "control:CLD.9.5.1"),
                ("Review-Outcome", "effective"),
                ("Review-Note", "isolation test 2026-H2 passed"),
            ]
        );
    }

    #[test]
    fn a_subject_alone_or_a_prose_last_paragraph_has_none() {
        assert!(blocks("Reviewed: control:X").is_empty());
        assert!(blocks("subject\n\nReviewed: control:X\n\nand then prose.\n").is_empty());
    }

    #[test]
    fn github_squash_bodies_carry_one_block_per_squashed_commit() {
        let m = "Quarterly reviews (#42)\n\n* review: CLD.9.5.1\n\nReviewed: control:CLD.9.5.1\n\n* fix typo\n\n* review: evidence\n\nReviewed: evidence:ev-1\nReview-Outcome: needs-change\n";
        let b = blocks(m);
        assert_eq!(b.len(), 2);
        assert_eq!(keys(&b[0]), [("Reviewed", "control:CLD.9.5.1")]);
        assert_eq!(
            keys(&b[1]),
            [
                ("Reviewed", "evidence:ev-1"),
                ("Review-Outcome", "needs-change")
            ]
        );
    }
}
