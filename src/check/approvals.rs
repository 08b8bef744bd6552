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

use crate::model::Config;

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

/// What is known of how one landing was approved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Landing {
    /// Through this pull request, approved by these logins (lowercase).
    Approved(u64, BTreeSet<String>),
    /// No pull request (online), or no note (offline: the landing commit's
    /// subject may name a pull request).
    NoNote(Option<u64>),
}

/// Why a review that landed as `landing` does not count as approved by
/// `owner`, who may approve as any of `logins` (lowercase); `None` when one
/// of them approved. `online`: GitHub itself was asked, so a landing
/// without a pull request has none, rather than no note.
pub fn unapproved_because(
    landing: &Landing,
    owner: &str,
    logins: &[String],
    online: bool,
) -> Option<String> {
    Some(match landing {
        Landing::NoNote(None) if online => "landed without a pull request".to_owned(),
        Landing::NoNote(None) => {
            "landed without a pull request: no approval note records one".to_owned()
        }
        Landing::NoNote(Some(n)) => format!(
            "pull request #{n} has no approval note ({NOTES_REF}): \
             `isms approvals record` has not recorded it"
        ),
        Landing::Approved(..) if logins.is_empty() => {
            format!("{owner} has no github handle in isms.toml, so the approval cannot be checked")
        }
        Landing::Approved(n, approvers) if !logins.iter().any(|l| approvers.contains(l)) => {
            format!("pull request #{n} was not approved by {owner}")
        }
        Landing::Approved(..) => return None,
    })
}

/// The GitHub logins (lowercase) that may approve for `owner`: theirs, or
/// a team's members'.
pub fn logins_of(config: &Config, owner: &str) -> Vec<String> {
    config
        .people_of(owner)
        .into_iter()
        .map(|p| p.github.trim_start_matches('@').to_lowercase())
        .filter(|h| !h.is_empty())
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

    fn approved(n: u64, logins: &[&str]) -> Landing {
        Landing::Approved(n, logins.iter().map(|l| l.to_string()).collect())
    }

    #[test]
    fn a_review_counts_when_one_of_its_owners_logins_approved() {
        let platform = ["dave".to_owned(), "erin".to_owned()];
        assert_eq!(
            unapproved_because(&approved(12, &["erin"]), "platform", &platform, false),
            None
        );
        assert_eq!(
            unapproved_because(&approved(12, &["mallory"]), "platform", &platform, true).as_deref(),
            Some("pull request #12 was not approved by platform")
        );
        // An owner without a handle cannot be checked, whoever approved.
        assert_eq!(
            unapproved_because(&approved(12, &["erin"]), "bob", &[], false).as_deref(),
            Some("bob has no github handle in isms.toml, so the approval cannot be checked")
        );
    }

    #[test]
    fn a_landing_without_a_note_or_a_pull_request_is_not_approved() {
        let bob = ["bob".to_owned()];
        assert_eq!(
            unapproved_because(&Landing::NoNote(None), "bob", &bob, true).as_deref(),
            Some("landed without a pull request")
        );
        assert_eq!(
            unapproved_because(&Landing::NoNote(None), "bob", &bob, false).as_deref(),
            Some("landed without a pull request: no approval note records one")
        );
        let named = unapproved_because(&Landing::NoNote(Some(7)), "bob", &bob, false).unwrap();
        assert!(
            named.starts_with("pull request #7 has no approval note"),
            "{named}"
        );
    }

    #[test]
    fn a_teams_logins_are_its_members_handles_lowercased() {
        let config: Config = toml::from_str(
            r#"
            [organization]
            name = "Example"
            role = "provider"
            [defaults]
            branch = "main"
            [people.dave]
            name = "Dave"
            github = "@Dave-Ops"
            [people.erin]
            name = "Erin"
            [teams.platform]
            name = "Platform"
            members = ["dave", "erin"]
            "#,
        )
        .unwrap();
        assert_eq!(logins_of(&config, "platform"), ["dave-ops"]);
        assert_eq!(logins_of(&config, "erin"), Vec::<String>::new());
        assert_eq!(logins_of(&config, "nobody"), Vec::<String>::new());
    }
}
