//! `triggers/<TRIGGER>.toml`: an event that requires reassessment.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Id;

/// An event that requires reassessment, and how to detect it in a diff.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// The trigger's ID; equals the file name.
    pub id: Id,
    /// What happened, in a line.
    pub title: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Controls to reassess when it fires (with their allocations on the affected service).
    pub reassess: Vec<Id>,
    /// Rules on a diff; the trigger fires when any matches.
    pub when: Vec<WhenRule>,
}

/// One detection rule.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WhenRule {
    /// Glob of repository paths, e.g. `services/*.toml`.
    pub path: String,
    /// Top-level field compared between the two versions (not needed for created / deleted).
    #[serde(default)]
    pub field: Option<String>,
    /// The kind of change that fires the rule.
    pub change: Change,
}

/// A kind of change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    Added,
    Removed,
    Changed,
    Created,
    Deleted,
}
