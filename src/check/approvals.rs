//! Approvals kept in git (DESIGN §11): the note `isms approvals record`
//! writes on each landing commit, and the rule that says who approved.
//!
//! A note is TOML, so an auditor can read it with `git notes --ref
//! isms/approvals show <commit>`:
//!
//! ```toml
//! pull_request = 12
//! head = "<the pull request's head commit>"
//!
//! [[review]]
//! login = "alice-ng"
//! state = "APPROVED"
//! submitted_at = "2026-11-10T09:00:00Z"
//! commit = "<the commit the review approved>"
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// Where the notes live.
pub const NOTES_REF: &str = "refs/notes/isms/approvals";

/// What GitHub said about the pull request that landed one commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    pub pull_request: u64,
    /// The pull request's head commit when it was recorded.
    pub head: String,
    /// Every submitted review, oldest first.
    #[serde(default, rename = "review")]
    pub reviews: Vec<NoteReview>,
}

/// One submitted review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteReview {
    /// The reviewer's GitHub login; `ghost` for a deleted account.
    pub login: String,
    /// As GitHub says it: `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`.
    pub state: String,
    pub submitted_at: String,
    /// The commit the review was given on, when GitHub says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

impl Note {
    /// The note's text: TOML, with a first line saying what it is.
    pub fn to_text(&self) -> String {
        let body = toml::to_string(self).expect("a note serializes");
        format!("# isms approvals v1\n{body}")
    }

    /// Reads a note's text; what is wrong with it, if anything.
    pub fn parse(text: &str) -> Result<Note, String> {
        let note: Note = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        if let Some(r) = note.reviews.iter().find(|r| r.login.is_empty()) {
            return Err(format!("a review in state {} has no login", r.state));
        }
        Ok(note)
    }

    /// The logins (lowercase) whose latest decisive review approves: a
    /// comment neither gives nor takes an approval; a later request for
    /// changes, or a dismissal, takes it back.
    pub fn approvers(&self) -> BTreeSet<String> {
        approvers(
            self.reviews
                .iter()
                .map(|r| (r.login.as_str(), r.state.as_str())),
        )
    }
}

/// The logins (lowercase) whose latest decisive review, of `reviews` in the
/// order they were submitted, is an approval.
pub fn approvers<'a>(reviews: impl IntoIterator<Item = (&'a str, &'a str)>) -> BTreeSet<String> {
    let mut latest: BTreeMap<String, &str> = BTreeMap::new();
    for (login, state) in reviews {
        if state != "COMMENTED" && state != "PENDING" {
            latest.insert(login.to_lowercase(), state);
        }
    }
    latest
        .into_iter()
        .filter(|(_, state)| *state == "APPROVED")
        .map(|(login, _)| login)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(login: &str, state: &str, at: &str) -> NoteReview {
        NoteReview {
            login: login.into(),
            state: state.into(),
            submitted_at: at.into(),
            commit: Some("a".repeat(40)),
        }
    }

    #[test]
    fn the_latest_decisive_review_of_each_person_counts() {
        let note = Note {
            pull_request: 7,
            head: "b".repeat(40),
            reviews: vec![
                review("alice", "APPROVED", "2026-11-01T10:00:00Z"),
                review("bob", "APPROVED", "2026-11-01T11:00:00Z"),
                review("Alice", "CHANGES_REQUESTED", "2026-11-02T10:00:00Z"),
                review("bob", "COMMENTED", "2026-11-02T11:00:00Z"),
                review("carol", "CHANGES_REQUESTED", "2026-11-01T10:00:00Z"),
                review("carol", "APPROVED", "2026-11-03T10:00:00Z"),
                review("dave", "APPROVED", "2026-11-01T10:00:00Z"),
                review("dave", "DISMISSED", "2026-11-02T10:00:00Z"),
            ],
        };
        assert_eq!(
            note.approvers().into_iter().collect::<Vec<_>>(),
            ["bob", "carol"]
        );
    }

    #[test]
    fn a_note_reads_back_as_written_and_a_bad_one_says_why() {
        let note = Note {
            pull_request: 12,
            head: "c".repeat(40),
            reviews: vec![review("alice-ng", "APPROVED", "2026-11-10T09:00:00Z")],
        };
        let text = note.to_text();
        assert!(
            text.starts_with("# isms approvals v1\npull_request = 12\n"),
            "{text}"
        );
        assert_eq!(Note::parse(&text), Ok(note));
        assert!(Note::parse("pull_request = \"twelve\"\nhead = \"x\"\n").is_err());
        assert!(
            Note::parse("head = \"x\"\n")
                .unwrap_err()
                .contains("pull_request")
        );
        assert!(
            Note::parse("pull_request = 1\nhead = \"x\"\nextra = 1\n")
                .unwrap_err()
                .contains("extra")
        );
    }
}
