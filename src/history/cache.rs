//! The history cache under the git directory, keyed by the record branch's
//! tip commit. A cache that is truncated, corrupt or from another version is
//! ignored and rebuilt: it is checked by its SHA-256 before it is trusted.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::Record;

const MAGIC: &[u8] = b"isms-history-v1\n";

pub enum Loaded {
    Hit(Record),
    Missing,
    Corrupt,
}

/// `<git dir>/isms/history-<branch>.bin`, with the branch name made file-safe.
pub fn path(git_dir: &Path, branch: &str) -> PathBuf {
    let safe: String = branch
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '~'
            }
        })
        .collect();
    git_dir.join("isms").join(format!("history-{safe}.bin"))
}

pub fn load(path: &Path) -> Loaded {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(_) => return Loaded::Missing,
    };
    let Some(rest) = bytes.strip_prefix(MAGIC) else {
        return Loaded::Corrupt;
    };
    if rest.len() < 32 {
        return Loaded::Corrupt;
    }
    let (sum, payload) = rest.split_at(32);
    if Sha256::digest(payload).as_slice() != sum {
        return Loaded::Corrupt;
    }
    match postcard::from_bytes::<Record>(payload) {
        Ok(r) => Loaded::Hit(r),
        Err(_) => Loaded::Corrupt,
    }
}

pub fn save(path: &Path, record: &Record) -> std::io::Result<()> {
    let payload = postcard::to_allocvec(record).map_err(std::io::Error::other)?;
    let mut bytes = Vec::with_capacity(MAGIC.len() + 32 + payload.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&Sha256::digest(&payload));
    bytes.extend_from_slice(&payload);
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, &bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
