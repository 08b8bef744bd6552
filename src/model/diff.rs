//! What changed in one file between two commits: both versions, parsed as
//! TOML tables where they are TOML, and as text.

use toml::Table;

/// One changed file between two revisions. A renamed file has both paths;
/// a created one no `old`, a deleted one no `new`.
#[derive(Debug)]
pub struct FileDiff {
    pub old_path: Option<String>,
    pub new_path: Option<String>,
    pub old: Option<Table>,
    pub new: Option<Table>,
}

impl FileDiff {
    /// The path the file has now, or had before it was deleted.
    pub fn path(&self) -> &str {
        self.new_path
            .as_deref()
            .or(self.old_path.as_deref())
            .unwrap_or_default()
    }
}

/// One changed file between two commits, with both versions as text.
pub struct Changed {
    pub file: FileDiff,
    pub old_text: Option<String>,
    pub new_text: Option<String>,
}
