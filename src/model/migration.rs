//! `.isms/migrations/<from>-to-<to>.toml`: which items of the old edition each
//! item of the new edition was made from, as `isms migrate` recorded it.

use std::collections::HashMap;

use serde::Deserialize;

use super::Date;

/// The map one migration recorded.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationMap {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub item: Vec<MappedItem>,
}

/// One item of the new edition and the items it was made from.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappedItem {
    pub key: String,
    pub from: Vec<MappedSource>,
}

/// An item of the old edition, and when its file was added.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappedSource {
    pub key: String,
    #[serde(default)]
    pub added: Option<Date>,
}

/// Every recorded migration's sources, by new item key.
pub fn sources_by_key(maps: &[MigrationMap]) -> HashMap<&str, Vec<&MappedSource>> {
    let mut out: HashMap<&str, Vec<&MappedSource>> = HashMap::new();
    for m in maps {
        for i in &m.item {
            out.entry(i.key.as_str()).or_default().extend(i.from.iter());
        }
    }
    out
}

/// `key` and every key it was made from, through each recorded migration.
pub fn with_sources<'a>(
    key: &'a str,
    maps: &'a [MigrationMap],
) -> std::collections::BTreeSet<&'a str> {
    let sources = sources_by_key(maps);
    let mut keys = std::collections::BTreeSet::from([key]);
    let mut todo = vec![key];
    while let Some(k) = todo.pop() {
        for src in sources.get(k).into_iter().flatten() {
            if keys.insert(src.key.as_str()) {
                todo.push(src.key.as_str());
            }
        }
    }
    keys
}
