//! `responsibilities/<SERVICE>/<CONTROL>.toml`: who does what for one control on one service.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Id, Period};

/// One shared-responsibility allocation.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Allocation {
    /// The service; equals the directory name.
    pub service: Id,
    /// The control; equals the file name.
    pub control: Id,
    /// Who carries the control for this service.
    pub party: Party,
    /// What the provider does (required when party is provider or shared).
    #[serde(default)]
    pub provider: String,
    /// What the customer does (required when party is customer or shared).
    #[serde(default)]
    pub customer: String,
    /// Why the control does not apply to this service (required when not-applicable).
    #[serde(default)]
    pub justification: String,
    /// Person or team key that owns the allocation.
    pub owner: Id,
    /// Review cadence; inherits the control's.
    #[serde(default)]
    pub cadence: Option<Period>,
    /// Optional RACI assignment.
    #[serde(default)]
    pub raci: Option<Raci>,
}

/// Who carries a control for a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Party {
    Provider,
    Customer,
    Shared,
    NotApplicable,
}

impl Party {
    /// Every party, in the schema's order.
    pub const ALL: [Party; 4] = [
        Party::Provider,
        Party::Customer,
        Party::Shared,
        Party::NotApplicable,
    ];

    /// As the file writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Party::Provider => "provider",
            Party::Customer => "customer",
            Party::Shared => "shared",
            Party::NotApplicable => "not-applicable",
        }
    }
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Responsible, accountable, consulted, informed: person or team keys.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Raci {
    #[serde(default)]
    pub responsible: Option<Id>,
    #[serde(default)]
    pub accountable: Option<Id>,
    #[serde(default)]
    pub consulted: Vec<Id>,
    #[serde(default)]
    pub informed: Vec<Id>,
}
