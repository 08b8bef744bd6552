//! The review record as data: what history reading produces and the
//! staleness rules and renderers take. Nothing here reads git.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// The outcome a review records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Effective,
    NeedsChange,
}

impl Outcome {
    pub fn parse(s: &str) -> Option<Outcome> {
        match s.trim().to_ascii_lowercase().as_str() {
            "effective" => Some(Outcome::Effective),
            "needs-change" => Some(Outcome::NeedsChange),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Effective => "effective",
            Outcome::NeedsChange => "needs-change",
        }
    }
}

/// A commit's id, kept as its 20 bytes: a record holds two per review.
/// Shown, and written to JSON, as its 40 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommitId([u8; 20]);

impl CommitId {
    pub fn from_bytes(bytes: [u8; 20]) -> CommitId {
        CommitId(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// The commit id written as its 40 hex digits.
    pub fn parse(hex: &str) -> Option<CommitId> {
        if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut bytes = [0; 20];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(CommitId(bytes))
    }

    /// The first 10 hex digits, as lists show a commit.
    pub fn short(self) -> String {
        let mut s = self.to_string();
        s.truncate(10);
        s
    }
}

impl std::fmt::Display for CommitId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl std::fmt::Debug for CommitId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl Serialize for CommitId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            self.0.serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for CommitId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            CommitId::parse(&s)
                .ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not a commit id")))
        } else {
            <[u8; 20]>::deserialize(d).map(CommitId)
        }
    }
}

/// One item reviewed by one commit that landed on the record branch.
///
/// Names repeat across a history (the same items, the same people): each
/// is held once and shared, so memory follows the items and people, while
/// a review itself is a few fixed-size fields.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Review {
    pub item: Arc<str>,
    pub outcome: Outcome,
    pub note: Option<String>,
    /// The commit that carries the trailers.
    pub commit: CommitId,
    pub author: Arc<str>,
    pub email: Arc<str>,
    /// When it landed: the committer time of the first-parent commit that
    /// is, or brought in, the reviewing commit.
    pub landed: DateTime<FixedOffset>,
    /// That first-parent commit.
    pub landed_by: CommitId,
    /// The pull request that landed it, when the landing commit says so.
    pub pull_request: Option<u64>,
}

/// A trailer that could not be used: reported, never silently dropped.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Malformed {
    pub commit: String,
    pub message: String,
}

/// The reviews on the record branch, oldest landing first, and when each
/// item file was added and last changed there.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Record {
    /// The record branch's commit this record was read up to.
    pub tip: Option<String>,
    pub reviews: Vec<Review>,
    pub malformed: Vec<Malformed>,
    pub files: HashMap<String, FileTimes>,
    /// What reading it had to say (a cache rebuilt, and why), for the
    /// command that asked to show.
    #[serde(skip)]
    pub notes: Vec<String>,
}

/// Landing times (unix seconds) of an item file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileTimes {
    /// The landing of the commit that (most recently) added the file.
    pub added: i64,
    /// The landing of the last commit that added or modified it.
    pub changed: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_id_reads_back_from_its_hex_and_nothing_else() {
        let id = CommitId::from_bytes([0xab; 20]);
        let hex = id.to_string();
        assert_eq!(hex, "ab".repeat(20));
        assert_eq!(CommitId::parse(&hex), Some(id));
        assert_eq!(id.short(), "abababab".to_owned() + "ab");
        for bad in [
            &hex[..39],
            &format!("{hex}0"),
            &format!("+f{}", &hex[2..]),
            &format!("zz{}", &hex[2..]),
        ] {
            assert_eq!(CommitId::parse(bad), None, "{bad}");
        }
    }
}
