//! `.isms/migrations/<from>-to-<to>.toml`: which items of the old edition each
//! item of the new edition was made from, as `isms migrate` recorded it; and
//! `.isms/migrations/renames.toml`: the key each renamed item had, as `isms
//! rename` recorded it.

use std::collections::HashMap;

use serde::Deserialize;

use super::Date;

/// Where `isms rename` records the key each renamed item had.
pub const RENAMES_MAP: &str = ".isms/migrations/renames.toml";

/// The map one migration recorded.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationMap {
    /// The editions a migration moved between; a map of renames has none.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
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

impl MigrationMap {
    /// Whether this is the map of renames, which names no editions.
    pub fn is_renames(&self) -> bool {
        self.from.is_empty()
    }
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

/// `key` and every key made from it, through each recorded migration or
/// rename: where its history goes on.
pub fn with_successors<'a>(
    key: &'a str,
    maps: &'a [MigrationMap],
) -> std::collections::BTreeSet<&'a str> {
    let mut keys = std::collections::BTreeSet::from([key]);
    let mut todo = vec![key];
    while let Some(k) = todo.pop() {
        let made = (maps.iter().flat_map(|m| &m.item))
            .filter(|i| i.from.iter().any(|src| src.key == k))
            .map(|i| i.key.as_str());
        for next in made {
            if keys.insert(next) {
                todo.push(next);
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> MigrationMap {
        let item = (pairs.iter())
            .map(|(new, old)| MappedItem {
                key: (*new).to_owned(),
                from: vec![MappedSource {
                    key: (*old).to_owned(),
                    added: None,
                }],
            })
            .collect();
        MigrationMap {
            from: String::new(),
            to: String::new(),
            item,
        }
    }

    #[test]
    fn history_goes_on_through_each_rename_both_ways_and_a_loop_ends() {
        let maps = [map(&[
            ("service:b", "service:a"),
            ("service:c", "service:b"),
        ])];
        fn keys(set: std::collections::BTreeSet<&str>) -> Vec<&str> {
            set.into_iter().collect()
        }
        assert_eq!(
            keys(with_successors("service:a", &maps)),
            ["service:a", "service:b", "service:c"]
        );
        assert_eq!(
            keys(with_sources("service:c", &maps)),
            ["service:a", "service:b", "service:c"]
        );
        assert_eq!(keys(with_successors("service:c", &maps)), ["service:c"]);
        // Renamed back: a loop, followed once.
        let maps = [map(&[
            ("service:b", "service:a"),
            ("service:a", "service:b"),
        ])];
        assert_eq!(
            keys(with_successors("service:a", &maps)),
            ["service:a", "service:b"]
        );
    }
}
