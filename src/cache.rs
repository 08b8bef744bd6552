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
    load_with(path, magic, |payload| {
        postcard::from_bytes::<T>(payload).ok()
    })
}

/// [`load`], the checked payload decoded by `decode` (`None`: corrupt).
pub fn load_with<T>(
    path: &Path,
    magic: &[u8],
    decode: impl FnOnce(&[u8]) -> Option<T>,
) -> Loaded<T> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(_) => return Loaded::Missing,
    };
    let rest = match strip_magic(&bytes, magic) {
        Ok(rest) => rest,
        Err(other) => return other,
    };
    if rest.len() < 32 {
        return Loaded::Corrupt;
    }
    let (sum, payload) = rest.split_at(32);
    if Sha256::digest(payload).as_slice() != sum {
        return Loaded::Corrupt;
    }
    match decode(payload) {
        Some(r) => Loaded::Hit(r),
        None => Loaded::Corrupt,
    }
}

/// What follows `magic` in `bytes`; otherwise what the file is: another
/// version's format (same kind, another `-vN`) is not damage, and is
/// replaced without a word.
pub fn strip_magic<'a, T>(bytes: &'a [u8], magic: &[u8]) -> Result<&'a [u8], Loaded<T>> {
    if let Some(rest) = bytes.strip_prefix(magic) {
        return Ok(rest);
    }
    let kind = magic.rsplitn(2, |&b| b == b'-').nth(1).unwrap_or(magic);
    match bytes.strip_prefix(kind) {
        Some(rest) if rest.starts_with(b"-v") => Err(Loaded::Missing),
        _ => Err(Loaded::Corrupt),
    }
}

pub fn save<T: Serialize>(path: &Path, magic: &[u8], value: &T) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    // The payload streams to the file through the hash, never held whole;
    // the hash goes in front of it once known.
    tmp.write_all(magic)?;
    tmp.write_all(&[0; 32])?;
    let (_, sum) = write_hashed(tmp.as_file_mut(), value)?;
    tmp.seek(SeekFrom::Start(magic.len() as u64))?;
    tmp.write_all(&sum)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes `value` to `file` where it stands, streamed through the hash and
/// never held whole: how many bytes it took, and their SHA-256.
pub fn write_hashed<T: Serialize>(
    file: &mut std::fs::File,
    value: &T,
) -> std::io::Result<(u64, [u8; 32])> {
    use std::io::Write;
    let out = Hashing::new(std::io::BufWriter::with_capacity(1 << 16, file));
    let mut out = postcard::to_io(value, out).map_err(std::io::Error::other)?;
    out.flush()?;
    Ok(out.finish())
}

/// Writes through to a file, hashing and counting what it writes.
struct Hashing<W> {
    file: W,
    hash: Sha256,
    len: u64,
}

impl<W: std::io::Write> Hashing<W> {
    fn new(file: W) -> Self {
        Hashing {
            file,
            hash: Sha256::new(),
            len: 0,
        }
    }

    /// How many bytes went through, and their SHA-256.
    fn finish(self) -> (u64, [u8; 32]) {
        (self.len, self.hash.finalize().into())
    }
}

impl<W: std::io::Write> std::io::Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hash.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_versions_cache_is_missing_and_damage_is_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("isms").join("x.bin");
        save(&path, b"isms-x-v1\n", &vec![1u32, 2, 3]).unwrap();
        assert!(
            matches!(load::<Vec<u32>>(&path, b"isms-x-v1\n"), Loaded::Hit(v) if v == [1, 2, 3])
        );
        assert!(matches!(
            load::<Vec<u32>>(&path, b"isms-x-v2\n"),
            Loaded::Missing
        ));
        let mut bytes = std::fs::read(&path).unwrap();
        let n = bytes.len();
        bytes[n - 1] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        assert!(matches!(
            load::<Vec<u32>>(&path, b"isms-x-v1\n"),
            Loaded::Corrupt
        ));
        std::fs::write(&path, b"isms-y-v1\nwhatever").unwrap();
        assert!(matches!(
            load::<Vec<u32>>(&path, b"isms-x-v1\n"),
            Loaded::Corrupt
        ));
    }
}
