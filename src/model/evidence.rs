//! `evidence/<EVIDENCE>.toml`: one evidence record and its artifact files.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Date, Id, Period};

/// One evidence record.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// The record's ID; equals the file name.
    pub id: Id,
    /// Short title.
    pub title: String,
    /// Controls this evidence supports.
    #[serde(default)]
    pub controls: Vec<Id>,
    /// Services it concerns.
    #[serde(default)]
    pub services: Vec<Id>,
    /// Evidence kind, matched against controls' `evidence_required`.
    pub kind: String,
    /// When it was collected.
    pub collected: Date,
    /// Person key of who collected it.
    pub collected_by: Id,
    /// How long it stays valid after `collected` (or set `expires`).
    #[serde(default)]
    pub valid_for: Option<Period>,
    /// The date it expires (or set `valid_for`).
    #[serde(default)]
    pub expires: Option<Date>,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Artifact files, under `evidence/`, with their SHA-256.
    #[serde(default)]
    pub artifacts: Vec<Artifact>,
}

/// An artifact file of an evidence record.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Artifact {
    /// Path relative to `evidence/`, e.g. `files/report.pdf`.
    pub path: String,
    /// SHA-256 of the file, 64 lowercase hex digits.
    pub sha256: String,
}

/// The largest artifact a pack reads.
pub const MAX_ARTIFACT_BYTES: u64 = 512 * 1024 * 1024;
