//! `services/<SERVICE>.toml`: one cloud service in scope.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Id;

/// A cloud service in scope, provided or consumed.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// The service's ID; equals the file name.
    pub id: Id,
    /// Display name.
    pub name: String,
    /// `provider`: we provide it; `customer`: we consume it.
    pub role: ServiceRole,
    /// Service model.
    pub model: ServiceModel,
    /// Who provides the service (us, or the cloud provider we consume it from).
    pub provider: String,
    /// Regions where data is stored or processed (data location disclosure).
    #[serde(default)]
    pub regions: Vec<String>,
    /// Categories of data the service holds.
    #[serde(default)]
    pub data: Vec<String>,
    /// Person or team key that owns the service.
    pub owner: Id,
    /// Whether the service is in scope of the ISMS (its allocations are required).
    #[serde(default = "in_scope_default")]
    pub in_scope: bool,
    /// Free text.
    #[serde(default)]
    pub description: String,
}

fn in_scope_default() -> bool {
    true
}

/// Our role for a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceRole {
    Provider,
    Customer,
}

/// Cloud service model.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceModel {
    Iaas,
    Paas,
    Saas,
}

impl fmt::Display for ServiceModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ServiceModel::Iaas => "iaas",
            ServiceModel::Paas => "paas",
            ServiceModel::Saas => "saas",
        })
    }
}

impl fmt::Display for ServiceRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ServiceRole::Provider => "provider",
            ServiceRole::Customer => "customer",
        })
    }
}
