//! `findings/<FINDING>.toml`: a nonconformity or exception with its corrective action.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Date, Id};

/// A nonconformity, observation or accepted exception.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// The finding's ID; equals the file name.
    pub id: Id,
    /// What is wrong, in a line.
    pub title: String,
    /// What kind of finding it is.
    pub kind: FindingKind,
    /// How serious it is.
    #[serde(default)]
    pub severity: Option<Severity>,
    /// Controls concerned.
    #[serde(default)]
    pub controls: Vec<Id>,
    /// Services concerned.
    #[serde(default)]
    pub services: Vec<Id>,
    /// When it was raised.
    pub raised: Date,
    /// Who raised it (free text: an auditor's name, or a person key).
    #[serde(default)]
    pub raised_by: String,
    /// Person or team key responsible for the corrective action.
    pub owner: Id,
    /// When the corrective action is due.
    #[serde(default)]
    pub due: Option<Date>,
    /// Where it stands.
    pub status: FindingStatus,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// What will be, or was, done about it.
    #[serde(default)]
    pub corrective_action: String,
    /// When it was closed (required when status is closed).
    #[serde(default)]
    pub closed: Option<Date>,
}

/// Kinds of finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    Nonconformity,
    Observation,
    Exception,
}

impl FindingKind {
    /// As the file writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Nonconformity => "nonconformity",
            FindingKind::Observation => "observation",
            FindingKind::Exception => "exception",
        }
    }
}

/// Severity of a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Major,
    Minor,
}

impl Severity {
    /// As the file writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Major => "major",
            Severity::Minor => "minor",
        }
    }
}

/// Status of a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FindingStatus {
    Open,
    InProgress,
    Closed,
    Accepted,
}

impl FindingStatus {
    /// As the file writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Open => "open",
            FindingStatus::InProgress => "in-progress",
            FindingStatus::Closed => "closed",
            FindingStatus::Accepted => "accepted",
        }
    }
}
