//! Files under `<git dir>/isms/` that only save time: each starts with a
//! magic line naming its format and is checked by its SHA-256 before it is
//! trusted. A cache that is truncated, corrupt or from another version is
//! ignored and rebuilt.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

pub enum Loaded<T> {
    Hit(T),
    Missing,
    Corrupt,
}

/// `<git dir>/isms/<kind>-<branch>.bin`, with the branch name made file-safe.
pub fn path(git_dir: &Path, kind: &str, branch: &str) -> PathBuf {
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
    git_dir.join("isms").join(format!("{kind}-{safe}.bin"))
}

pub fn load<T: DeserializeOwned>(path: &Path, magic: &[u8]) -> Loaded<T> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(_) => return Loaded::Missing,
    };
    let Some(rest) = bytes.strip_prefix(magic) else {
        return Loaded::Corrupt;
    };
    if rest.len() < 32 {
        return Loaded::Corrupt;
    }
    let (sum, payload) = rest.split_at(32);
    if Sha256::digest(payload).as_slice() != sum {
        return Loaded::Corrupt;
    }
    match postcard::from_bytes::<T>(payload) {
        Ok(r) => Loaded::Hit(r),
        Err(_) => Loaded::Corrupt,
    }
}

pub fn save<T: Serialize>(path: &Path, magic: &[u8], value: &T) -> std::io::Result<()> {
    let payload = postcard::to_allocvec(value).map_err(std::io::Error::other)?;
    let mut bytes = Vec::with_capacity(magic.len() + 32 + payload.len());
    bytes.extend_from_slice(magic);
    bytes.extend_from_slice(&Sha256::digest(&payload));
    bytes.extend_from_slice(&payload);
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, &bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
