//! Evidence artifacts kept in Git LFS: git holds a pointer, and the LFS
//! store (`.git/lfs/objects/`) the content.
//!
//! A pointer names its content's SHA-256, which is what an evidence record
//! names too: an artifact is checked from its pointer alone, in the index,
//! in a commit, and in a working tree whose LFS files were not fetched. The
//! content is read, from the store, only to be packed. Nothing here writes.

use std::path::{Path, PathBuf};

use super::{MAX_ARTIFACT_BYTES, sha256_hex};
use crate::error::{Error, Result};

/// git-lfs takes no blob of this size or more for a pointer.
pub const POINTER_MAX: u64 = 1024;

/// What a pointer file says of its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pointer {
    /// The content's SHA-256, lowercase hex.
    pub oid: String,
    /// The content's size in bytes.
    pub size: u64,
}

impl Pointer {
    /// Whether `bytes` are the content this pointer names: its size and
    /// its SHA-256.
    pub fn names(&self, bytes: &[u8]) -> bool {
        bytes.len() as u64 == self.size && sha256_hex(bytes) == self.oid
    }
}

/// The pointer `bytes` are, as git-lfs's specification writes one
/// (`version https://git-lfs.github.com/spec/v1`, then `oid sha256:…` and
/// `size …`, a `key value` line each); `None` for anything else.
pub fn pointer(bytes: &[u8]) -> Option<Pointer> {
    if bytes.len() as u64 >= POINTER_MAX {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?.strip_suffix('\n')?;
    let mut lines = text.split('\n');
    let version = lines.next()?.strip_prefix("version ")?;
    if !matches!(
        version,
        "https://git-lfs.github.com/spec/v1" | "https://hawser.github.com/spec/v1"
    ) {
        return None;
    }
    let (mut oid, mut size) = (None, None);
    for line in lines {
        let (key, value) = line.split_once(' ')?;
        let key_ok = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
        if !key_ok {
            return None;
        }
        match key {
            "oid" if oid.is_none() => {
                let hex = value.strip_prefix("sha256:")?;
                let hex_ok = hex.len() == 64
                    && hex
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
                if !hex_ok {
                    return None;
                }
                oid = Some(hex.to_owned());
            }
            "size" if size.is_none() => {
                if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                size = Some(value.parse().ok()?);
            }
            "oid" | "size" => return None,
            _ => {}
        }
    }
    Some(Pointer {
        oid: oid?,
        size: size?,
    })
}

/// The SHA-256 an artifact's `bytes` stand for: their own, or, for a Git
/// LFS pointer, its content's, which the pointer names.
pub fn artifact_sha256(bytes: &[u8]) -> String {
    match pointer(bytes) {
        Some(p) => p.oid,
        None => sha256_hex(bytes),
    }
}

/// The LFS store of the repository at `git_dir`: under its common git
/// directory (shared by its worktrees), or where `lfs.storage` says.
pub fn store(git_dir: &Path) -> PathBuf {
    let (common, storage) = match git2::Repository::open_bare(git_dir) {
        Ok(repo) => {
            let storage = repo
                .config()
                .ok()
                .and_then(|c| c.get_path("lfs.storage").ok());
            (repo.commondir().to_path_buf(), storage)
        }
        Err(_) => (git_dir.to_path_buf(), None),
    };
    match storage {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => common.join(dir),
        None => common.join("lfs"),
    }
}

/// Where `store` keeps `p`'s content.
fn object_path(store: &Path, p: &Pointer) -> PathBuf {
    store
        .join("objects")
        .join(&p.oid[..2])
        .join(&p.oid[2..4])
        .join(&p.oid)
}

/// The content `p` points to, from the LFS `store` (see [`store`]): read
/// only when it is a regular file of at most the pointer's size, and given
/// only when it is the content the pointer names.
pub fn content(store: &Path, p: &Pointer) -> Result<Vec<u8>> {
    if p.size > MAX_ARTIFACT_BYTES {
        return Err(Error::new(format!(
            "kept in Git LFS as {} bytes, over the {} MiB an artifact may have",
            p.size,
            MAX_ARTIFACT_BYTES >> 20
        )));
    }
    let path = object_path(store, p);
    let bytes = match crate::fsutil::read_bounded(&path, p.size) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::new(format!(
                "kept in Git LFS (sha256:{}), and its content is not in this clone",
                p.oid
            ))
            .hint("fetch it: `git lfs fetch` (or `git lfs pull`), then run this again"));
        }
        Err(e) => {
            return Err(Error::io("read its Git LFS content at", &path, e));
        }
    };
    if !p.names(&bytes) {
        return Err(Error::new(format!(
            "kept in Git LFS as sha256:{}, and the LFS store's copy at {} is not that content (sha256:{}, {} bytes)",
            p.oid,
            path.display(),
            sha256_hex(&bytes),
            bytes.len()
        ))
        .hint("fetch it again: delete the damaged copy, then `git lfs fetch`"));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OID: &str = "4fe297241e03bd1cbf4820ebd4421b6e9a79645ef9e905491d238fa82e060528";

    fn text(oid: &str, size: &str) -> String {
        format!("version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n")
    }

    #[test]
    fn a_pointer_is_read_as_git_lfs_writes_it_and_nothing_else_is() {
        let p = pointer(text(OID, "5000").as_bytes()).unwrap();
        assert_eq!((p.oid.as_str(), p.size), (OID, 5000));
        // Extension keys are allowed; they sort before `oid`.
        let ext = format!(
            "version https://git-lfs.github.com/spec/v1\next-0-foo sha256:{OID}\noid sha256:{OID}\nsize 1\n"
        );
        assert!(pointer(ext.as_bytes()).is_some());
        for bad in [
            text(OID, "5000").trim_end().to_owned(), // no final newline
            text(&OID.to_uppercase(), "5000"),       // hex in capitals
            text(&OID[..63], "5000"),                // short
            text(OID, "-1"),                         // not a size
            text(OID, ""),                           // no size
            text(OID, "5000").replace("v1", "v2"),   // another version
            text(OID, "5000").replace("sha256", "md5"), // another hash
            format!("{}size 1\n", text(OID, "5000")), // size twice
            format!("{}Key x\n", text(OID, "5000")), // a key git-lfs never writes
            format!("oid sha256:{OID}\nsize 1\n"),   // no version
            "a text that happens to be short\n".to_owned(),
        ] {
            assert_eq!(pointer(bad.as_bytes()), None, "{bad:?}");
        }
        // A blob of 1024 bytes or more is content, whatever it says.
        let long = format!("{}{}", text(OID, "1"), "x ".repeat(600) + "\n");
        assert_eq!(pointer(long.as_bytes()), None);
        assert_eq!(pointer(b"\xff\xfe"), None);
    }

    #[test]
    fn content_comes_from_the_store_only_when_it_is_the_pointers() {
        let dir = tempfile::tempdir().unwrap();
        let git_dir = dir.path().join(".git");
        git2::Repository::init_bare(&git_dir).unwrap();
        let bytes = b"the report".to_vec();
        let p = Pointer {
            oid: sha256_hex(&bytes),
            size: bytes.len() as u64,
        };
        let store = store(&git_dir);
        assert_eq!(store, git_dir.join("lfs"));
        let err = content(&store, &p).unwrap_err().message;
        assert!(err.contains("its content is not in this clone"), "{err}");
        let at = git_dir
            .join("lfs/objects")
            .join(&p.oid[..2])
            .join(&p.oid[2..4]);
        std::fs::create_dir_all(&at).unwrap();
        std::fs::write(at.join(&p.oid), &bytes).unwrap();
        assert_eq!(content(&store, &p).unwrap(), bytes);
        // A damaged copy is never given.
        std::fs::write(at.join(&p.oid), b"the rep0rt").unwrap();
        let err = content(&store, &p).unwrap_err().message;
        assert!(err.contains("is not that content"), "{err}");
        // Nor one larger than the pointer says (read no further than that).
        std::fs::write(at.join(&p.oid), b"the report, and more").unwrap();
        assert!(content(&store, &p).is_err());
    }
}
