//! Where file contents come from: the working tree, or the git index.

use std::borrow::Cow;
use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use super::staged::Entries;
use crate::error::{Error, Result};
use crate::model::ArtifactState;

/// Files larger than this are refused without being read: every `isms` file
/// is small, and a huge one is a mistake (or an attack on the hook's speed).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Why a file's contents could not be had.
#[derive(Debug)]
pub enum ReadError {
    /// Nothing is at the path.
    Missing,
    TooLarge(u64),
    /// A symbolic link where a regular file belongs; it is not followed.
    Symlink,
    /// A folder on the way to the file is a symbolic link (the folder's
    /// path); nothing is read through it.
    LinkedFolder(String),
    /// A FIFO, device, socket or directory where a regular file belongs:
    /// never opened, so nothing blocks or reads without end. Says what it is.
    NotAFile(&'static str),
    /// A file of the index with an unresolved conflict: both sides are
    /// staged, neither as the one to commit.
    Unmerged,
    Other(String),
}

/// Something a repository snapshot can be read from.
pub trait Source: Sync {
    /// Repository-relative paths (with `/`) of every file under the layout's
    /// directories, plus `isms.toml` if present; borrowed where the source
    /// holds them (an index's 10,000s of paths are not copied to be counted).
    /// A folder that is a symbolic link is listed as its path and a `/`:
    /// it is never followed.
    fn files(&self) -> Result<Vec<Cow<'_, str>>>;
    /// The contents of `path`, size-checked before reading.
    fn read(&self, path: &str) -> std::result::Result<Vec<u8>, ReadError>;
    /// Hashes the evidence artifact at `path` (relative to `evidence/`),
    /// never reading anything outside the repository.
    fn artifact(&self, path: &str) -> ArtifactState;
    /// Whether the artifact at `path`, whose hash is not `want`, is the file
    /// whose hash is `want` but for line endings git converted (see
    /// [`converted_line_endings`]); asked only of an artifact that differs.
    fn artifact_line_endings(&self, path: &str, want: &str) -> Option<bool>;
    /// The commit it reads, when it reads one (its full id).
    fn commit(&self) -> Option<&str> {
        None
    }
    /// Repository-relative paths of every file below `evidence/files/`, the
    /// artifacts' folder, whether a record names it or not. A link is listed
    /// as a file and never followed.
    fn artifact_files(&self) -> Result<Vec<String>>;
    /// Of `paths`, those that git does not ignore: what a commit could hold.
    /// A commit or the index holds nothing ignored.
    fn unignored(&self, paths: Vec<String>) -> Vec<String> {
        paths
    }
}

/// Line endings are looked into in artifacts of at most this size: text
/// that git converts is small, and a large file is not read twice.
const LINE_ENDINGS_MAX: u64 = 64 * 1024 * 1024;

/// Whether `bytes` are those whose SHA-256 is `want` but for their line
/// endings, as git converts them: `Some(true)` when they have CRLF where
/// those had LF (a checkout under `core.autocrlf`), `Some(false)` when they
/// have LF where those had CRLF (an `add` that normalises text).
pub fn converted_line_endings(bytes: &[u8], want: &str) -> Option<bool> {
    let same = |b: &[u8]| sha256_hex(b).eq_ignore_ascii_case(want);
    if bytes.windows(2).any(|w| w == b"\r\n") {
        let mut lf = Vec::with_capacity(bytes.len());
        for (i, &b) in bytes.iter().enumerate() {
            if !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')) {
                lf.push(b);
            }
        }
        if same(&lf) {
            return Some(true);
        }
    }
    if bytes.contains(&b'\n') {
        let mut crlf = Vec::with_capacity(bytes.len() + bytes.len() / 32);
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' && (i == 0 || bytes[i - 1] != b'\r') {
                crlf.push(b'\r');
            }
            crlf.push(b);
        }
        if same(&crlf) {
            return Some(false);
        }
    }
    None
}

use crate::model::ITEM_DIRS as DIRS;

/// Checks an artifact path before anything touches the file system: it must
/// be relative, use `/`, and stay below `evidence/`.
pub fn artifact_path_problem(path: &str) -> Option<String> {
    if path.is_empty() {
        return Some("the artifact path is empty".into());
    }
    if path.starts_with('/') || Path::new(path).is_absolute() || path.contains(':') {
        return Some(format!(
            "artifact path `{path}` is absolute; write it relative to evidence/, like files/report.pdf"
        ));
    }
    if path.contains('\\') {
        return Some(format!("artifact path `{path}` uses `\\`; use `/`"));
    }
    if path.split('/').any(|c| c == "..") {
        return Some(format!(
            "artifact path `{path}` contains `..`; artifacts must stay inside evidence/"
        ));
    }
    if path.split('/').any(|c| c.is_empty() || c == ".") {
        return Some(format!(
            "artifact path `{path}` has an empty or `.` component"
        ));
    }
    None
}

/// The SHA-256 of `bytes` as lowercase hex, as evidence records carry it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The working tree below `root`.
pub struct WorkTree {
    root: PathBuf,
    /// `root`, canonicalized, for the inside-the-repository test.
    canonical_root: PathBuf,
}

impl WorkTree {
    pub fn new(root: &Path) -> Result<Self> {
        let canonical_root = root
            .canonicalize()
            .map_err(|e| Error::io("resolve", root, e))?;
        Ok(WorkTree {
            root: root.to_owned(),
            canonical_root,
        })
    }

    /// Lists the `.toml` files below `rel`, `depth` folders deep. A folder
    /// that is a symbolic link is listed as its path and `/`, never
    /// followed: what it points to may lie outside the repository.
    fn walk(&self, rel: &str, depth: usize, out: &mut Vec<String>) -> Result<()> {
        let dir = self.root.join(rel);
        match fs::symlink_metadata(&dir) {
            Ok(meta) if meta.file_type().is_symlink() => {
                out.push(format!("{rel}/"));
                return Ok(());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            _ => {}
        }
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io("read directory", &dir, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("read directory", &dir, e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                // Not UTF-8: report it as a file so the user hears of it.
                out.push(format!("{rel}/{}", name.to_string_lossy()));
                continue;
            };
            let path = format!("{rel}/{name}");
            let file_type = entry
                .file_type()
                .map_err(|e| Error::io("read", &entry.path(), e))?;
            // evidence/files holds artifacts, not records.
            let walked = depth > 0 && path != crate::model::ARTIFACT_DIR;
            if file_type.is_dir() {
                if walked {
                    self.walk(&path, depth - 1, out)?;
                }
            } else if walked && file_type.is_symlink() && !name.ends_with(".toml") {
                // A link where a folder of items would be.
                if entry.path().is_dir() {
                    out.push(format!("{path}/"));
                }
            } else if name.ends_with(".toml") {
                out.push(path);
            }
        }
        Ok(())
    }
}

/// Whether `path` is one that [`WorkTree::files_with`] lists where it is a
/// file: `isms.toml`, or a `.toml` file in an item directory or in a
/// directory just below one (not `evidence/files`).
pub(super) fn listed(path: &str) -> bool {
    if path == super::CONFIG_FILE {
        return true;
    }
    if !path.ends_with(".toml") {
        return false;
    }
    DIRS.iter().any(|dir| {
        let Some(rest) = path.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) else {
            return false;
        };
        match rest.split_once('/') {
            None => true,
            Some((sub, name)) => {
                !name.contains('/')
                    && path[..dir.len() + 1 + sub.len()] != *crate::model::ARTIFACT_DIR
            }
        }
    })
}

/// The same files as git pathspecs, with the migration maps that
/// [`super::stats`] lists beside them: what a summary reads, as
/// `git status` is asked about it.
pub fn listed_pathspecs() -> Vec<String> {
    let mut paths = vec![super::CONFIG_FILE.to_owned()];
    paths.extend(super::migration_maps());
    for dir in DIRS {
        paths.push(format!(":(glob){dir}/*.toml"));
        paths.push(format!(":(glob){dir}/*/*.toml"));
    }
    paths.push(format!(":(exclude){}", crate::model::ARTIFACT_DIR));
    paths
}

impl WorkTree {
    /// Every file [`Source::files`] lists, with `what` its metadata (not
    /// following links) says, read from each directory as it is listed: a
    /// stat relative to the open directory, not a walk of each full path.
    /// Directories are read across cores, and only `what` is kept of each
    /// file's metadata.
    pub fn files_with<T: Send>(
        &self,
        what: impl Fn(&fs::Metadata) -> T + Sync,
    ) -> Result<Vec<(String, T)>> {
        use rayon::prelude::*;
        let mut out = Vec::new();
        let config = self.root.join(super::CONFIG_FILE);
        if let Ok(meta) = fs::symlink_metadata(&config) {
            out.push((super::CONFIG_FILE.to_owned(), what(&meta)));
        }
        // Top directories, and the one level below them (responsibilities/<svc>).
        let mut dirs: Vec<String> = Vec::new();
        // A folder that is a link is not followed; its own metadata is kept,
        // as `files` lists it.
        for dir in DIRS {
            let full = self.root.join(dir);
            match fs::symlink_metadata(&full) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    out.push((format!("{dir}/"), what(&meta)));
                    continue;
                }
                _ => dirs.push(dir.to_owned()),
            }
            if let Ok(entries) = fs::read_dir(full) {
                for entry in entries.flatten() {
                    let name = entry.file_name();
                    let Some(name) = name.to_str() else { continue };
                    let path = format!("{dir}/{name}");
                    if path == crate::model::ARTIFACT_DIR {
                        continue;
                    }
                    match entry.file_type() {
                        Ok(t) if t.is_dir() => dirs.push(path),
                        Ok(t) if t.is_symlink() && !name.ends_with(".toml") => {
                            if entry.path().is_dir()
                                && let Ok(meta) = entry.metadata()
                            {
                                out.push((format!("{path}/"), what(&meta)));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        let listed: Vec<Result<Vec<(String, T)>>> = dirs
            .par_iter()
            .map(|dir| {
                let full = self.root.join(dir);
                let entries = match fs::read_dir(&full) {
                    Ok(entries) => entries,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
                    Err(e) => return Err(Error::io("read directory", &full, e)),
                };
                let mut found = Vec::new();
                for entry in entries {
                    let entry = entry.map_err(|e| Error::io("read directory", &full, e))?;
                    let name = entry.file_name();
                    let name = name.to_string_lossy();
                    if !name.ends_with(".toml") {
                        continue;
                    }
                    let meta = entry
                        .metadata()
                        .map_err(|e| Error::io("read", &entry.path(), e))?;
                    if !meta.is_dir() {
                        found.push((format!("{dir}/{name}"), what(&meta)));
                    }
                }
                Ok(found)
            })
            .collect();
        for l in listed {
            out.extend(l?);
        }
        Ok(out)
    }
}

impl Source for WorkTree {
    fn files(&self) -> Result<Vec<Cow<'_, str>>> {
        let mut out = Vec::new();
        if self.root.join(super::CONFIG_FILE).exists() {
            out.push(super::CONFIG_FILE.to_owned());
        }
        for dir in DIRS {
            self.walk(dir, 1, &mut out)?;
        }
        // What is near the layout, so `check` can say it is not read: TOML
        // files at the top, and folders a typo away from an item folder.
        if let Ok(entries) = fs::read_dir(&self.root) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                if !is_dir && name.ends_with(".toml") && name != super::CONFIG_FILE {
                    out.push(name);
                } else if is_dir && crate::model::near_miss(&name).is_some() {
                    self.walk(&name, 1, &mut out)?;
                }
            }
        }
        Ok(out.into_iter().map(Cow::Owned).collect())
    }

    fn artifact_files(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        // Not through a link: `evidence/` or `evidence/files/` may be one.
        let within = Path::new(crate::model::ARTIFACT_DIR).join("-");
        if crate::fsutil::linked_folder(&self.root, &within).is_some() {
            return Ok(out);
        }
        let mut folders = vec![crate::model::ARTIFACT_DIR.to_owned()];
        while let Some(rel) = folders.pop() {
            // Each folder below is listed as a folder only when it is one:
            // a link to a folder is a file here, never followed.
            let dir = self.root.join(&rel);
            let entries = match fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e)
                    if e.kind() == std::io::ErrorKind::NotFound
                        || e.kind() == std::io::ErrorKind::NotADirectory =>
                {
                    continue;
                }
                Err(e) => return Err(Error::io("read directory", &dir, e)),
            };
            for entry in entries {
                let entry = entry.map_err(|e| Error::io("read directory", &dir, e))?;
                let path = format!("{rel}/{}", entry.file_name().to_string_lossy());
                match entry.file_type() {
                    Ok(t) if t.is_dir() => folders.push(path),
                    _ => out.push(path),
                }
            }
        }
        out.sort_unstable();
        Ok(out)
    }

    fn unignored(&self, mut paths: Vec<String>) -> Vec<String> {
        if let Ok(repo) = git2::Repository::open(&self.root) {
            paths.retain(|p| !repo.is_path_ignored(p).unwrap_or(false));
        }
        paths
    }

    fn read(&self, path: &str) -> std::result::Result<Vec<u8>, ReadError> {
        // A folder on the way that is a link is not followed either: item
        // folders are judged as they are listed, any other (`.github`,
        // `.isms`) here.
        let top = path.split_once('/').map(|(top, _)| top);
        if top.is_some_and(|top| !DIRS.contains(&top))
            && let Some(folder) = crate::fsutil::linked_folder(&self.root, Path::new(path))
        {
            return Err(ReadError::LinkedFolder(
                folder.to_string_lossy().into_owned(),
            ));
        }
        let full = self.root.join(path);
        let meta = fs::symlink_metadata(&full).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::Missing,
            _ => ReadError::Other(e.to_string()),
        })?;
        if meta.file_type().is_symlink() {
            return Err(ReadError::Symlink);
        }
        if !meta.is_file() {
            return Err(ReadError::NotAFile(crate::fsutil::file_kind(&meta)));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(ReadError::TooLarge(meta.len()));
        }
        // It may have grown since: read one byte past the limit at most.
        crate::fsutil::read_bounded(&full, MAX_FILE_BYTES).map_err(|e| match e.kind() {
            std::io::ErrorKind::FileTooLarge => ReadError::TooLarge(MAX_FILE_BYTES + 1),
            _ => ReadError::Other(e.to_string()),
        })
    }

    fn artifact(&self, path: &str) -> ArtifactState {
        let resolved = match self.artifact_file(path) {
            Ok(resolved) => resolved,
            Err(state) => return state,
        };
        match fs::metadata(&resolved) {
            Ok(m) if m.is_file() && m.len() > MAX_ARTIFACT_BYTES => {
                return ArtifactState::TooLarge(m.len());
            }
            // Small enough to be a Git LFS pointer (one whose content was
            // not fetched): read whole, it names its content's SHA-256.
            Ok(m) if m.is_file() && m.len() < super::lfs::POINTER_MAX => {
                return match crate::fsutil::read_bounded(&resolved, super::lfs::POINTER_MAX) {
                    Ok(bytes) => ArtifactState::Found {
                        sha256: super::lfs::artifact_sha256(&bytes),
                    },
                    Err(e) => ArtifactState::Unreadable(e.to_string()),
                };
            }
            Ok(m) if m.is_file() => {}
            Ok(_) => return ArtifactState::NotAFile,
            Err(e) => return ArtifactState::Unreadable(e.to_string()),
        }
        let mut file = match crate::fsutil::open_regular(&resolved) {
            Ok(f) => f,
            Err(e) => return ArtifactState::Unreadable(e.to_string()),
        };
        let mut hasher = Sha256::new();
        let mut buf = vec![0; 64 * 1024];
        loop {
            match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => hasher.update(&buf[..n]),
                Err(e) => return ArtifactState::Unreadable(e.to_string()),
            }
        }
        ArtifactState::Found {
            sha256: hex(&hasher.finalize()),
        }
    }

    fn artifact_line_endings(&self, path: &str, want: &str) -> Option<bool> {
        let resolved = self.artifact_file(path).ok()?;
        let bytes = crate::fsutil::read_bounded(&resolved, LINE_ENDINGS_MAX).ok()?;
        converted_line_endings(&bytes, want)
    }
}

impl WorkTree {
    /// The artifact at `path` (relative to `evidence/`), every link on the
    /// way resolved: only a file inside the repository, or the state that
    /// says why not. Nothing is opened.
    fn artifact_file(&self, path: &str) -> std::result::Result<PathBuf, ArtifactState> {
        if let Some(problem) = artifact_path_problem(path) {
            return Err(ArtifactState::InvalidPath(problem));
        }
        let full = self.root.join(crate::model::artifact_path(path));
        if fs::symlink_metadata(&full).is_err() {
            return Err(ArtifactState::Missing);
        }
        // Resolving every link on the way is what tells whether the file is
        // really inside the repository; nothing is opened before that.
        let resolved = full.canonicalize().map_err(|_| ArtifactState::Missing)?;
        if !resolved.starts_with(&self.canonical_root) {
            return Err(ArtifactState::Escapes);
        }
        Ok(resolved)
    }
}

/// An artifact as a commit holds it.
#[derive(Debug)]
pub enum Committed {
    /// Its bytes.
    Blob(Vec<u8>),
    /// A Git LFS pointer: its content is in the LFS store, not in git.
    Lfs(super::LfsPointer),
}

/// Files as git objects: the index (the staging area, what is about to be
/// committed), or the tree of a commit (what a pack or an export reads).
pub struct Index {
    /// The repository's objects, read from any thread at once.
    odb: git2::Odb<'static>,
    /// Path → (blob id, file mode), for stage-0 entries.
    entries: Entries,
    /// Paths with an unresolved conflict (entries of stages 1–3 and none
    /// of stage 0), sorted: listed, but never read as either side.
    unmerged: Vec<String>,
    /// Whether a link among the artifacts is resolved (inside the
    /// repository) or refused: a commit's artifacts must be regular blobs.
    follow_links: bool,
    /// The commit whose tree it is, when it is one's (full id).
    commit: Option<String>,
}

pub use crate::model::MAX_ARTIFACT_BYTES;

const MODE_SYMLINK: u32 = 0o120000;

impl Index {
    /// What is about to be committed, read from the index git is
    /// committing: `$GIT_INDEX_FILE` when git sets it (`git commit -a` and
    /// `git commit <paths>` commit a temporary index), else the repository's.
    /// With it, the paths that differ from `HEAD`, sorted (`None` when there
    /// is no `HEAD`).
    ///
    /// Both are read in-process, as git reads them: the index without
    /// re-hashing it, and what changed from the index's cached tree ids. An
    /// index this reader does not take (a sparse one) is listed by `git`.
    pub fn staged(root: &Path, git_dir: &Path) -> Result<(Self, Option<Vec<String>>)> {
        // Objects are verified by git when they enter the repository; a
        // hook's read need not hash them again.
        git2::opts::strict_hash_verification(false);
        let repo =
            git2::Repository::open(git_dir).map_err(|e| Error::git("open the repository", e))?;
        // A relative GIT_INDEX_FILE names a file relative to where isms runs.
        let index_file = std::env::var_os("GIT_INDEX_FILE")
            .filter(|f| !f.is_empty())
            .map(|f| std::path::absolute(&f).unwrap_or_else(|_| PathBuf::from(f)));
        let ((entries, unmerged), changed) = match super::staged::read(
            &index_file
                .clone()
                .unwrap_or_else(|| repo.path().join("index")),
        ) {
            Some(staged) => {
                let changed = super::staged::changed(&repo, &staged)?;
                ((staged.entries, staged.unmerged), changed)
            }
            None => listed_by_git(root, &repo, index_file.as_deref())?,
        };
        let index = Index {
            odb: objects(&repo)?,
            entries: entries.sorted(),
            unmerged,
            follow_links: true,
            commit: None,
        };
        Ok((index, changed))
    }

    /// Whether `path` is staged (or in the commit).
    pub fn contains(&self, path: &str) -> bool {
        self.entries.get(path).is_some()
    }

    /// Every entry's path, object id and file mode, sorted by path.
    pub(super) fn ids(&self) -> impl Iterator<Item = (&str, git2::Oid, u32)> {
        self.entries.iter()
    }

    /// The tree of the commit `rev` names, and the commit's full id.
    pub fn commit(git_dir: &Path, rev: &str) -> Result<(Self, String)> {
        let repo =
            git2::Repository::open(git_dir).map_err(|e| Error::git("open the repository", e))?;
        // The commit is found in the objects its blobs are read from: with
        // those a pre-receive hook sees, where git keeps a pushed commit
        // until the hook accepts it.
        let odb = objects(&repo)?;
        repo.set_odb(&odb)
            .map_err(|e| Error::git("open the object database", e))?;
        let commit = repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map_err(|e| Error::git(format!("read the commit `{rev}`"), e))?;
        let tree = commit
            .tree()
            .map_err(|e| Error::git(format!("read the tree of `{rev}`"), e))?;
        let mut entries = Entries::default();
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            // Blobs, links and submodules (commits) alike: their mode says which.
            if entry.kind() != Some(git2::ObjectType::Tree)
                && let Ok(name) = entry.name()
            {
                entries.push(&format!("{dir}{name}"), entry.id(), entry.filemode() as u32);
            }
            git2::TreeWalkResult::Ok
        })
        .map_err(|e| Error::git(format!("read the tree of `{rev}`"), e))?;
        let id = commit.id().to_string();
        drop(tree);
        drop(commit);
        Ok((
            Index {
                odb,
                entries: entries.sorted(),
                unmerged: Vec::new(),
                follow_links: false,
                commit: Some(id.clone()),
            },
            id,
        ))
    }

    /// The artifact at `path` (relative to `evidence/`) as committed: a
    /// regular blob of at most [`MAX_ARTIFACT_BYTES`], or the Git LFS
    /// pointer it is; a link, a submodule or anything larger is refused,
    /// never followed or read.
    pub fn artifact_bytes(&self, path: &str) -> std::result::Result<Committed, String> {
        if let Some(problem) = artifact_path_problem(path) {
            return Err(problem);
        }
        let full = crate::model::artifact_path(path);
        let (oid, mode) = self
            .entries
            .get(&full)
            .ok_or_else(|| format!("{full} is not in the commit"))?;
        if mode == MODE_SYMLINK {
            return Err(format!(
                "{full} is a symbolic link; an artifact must be a file"
            ));
        }
        if mode & 0o170000 != 0o100000 {
            return Err(format!("{full} is not a regular file (mode {mode:o})"));
        }
        let odb = &self.odb;
        let (size, _) = odb.read_header(oid).map_err(|e| e.message().to_owned())?;
        if size as u64 > MAX_ARTIFACT_BYTES {
            return Err(format!(
                "{full} is {size} bytes, over the {} MiB an artifact may have",
                MAX_ARTIFACT_BYTES >> 20
            ));
        }
        let obj = odb.read(oid).map_err(|e| e.message().to_owned())?;
        Ok(match super::lfs::pointer(obj.data()) {
            Some(pointer) => Committed::Lfs(pointer),
            None => Committed::Blob(obj.data().to_vec()),
        })
    }

    fn blob(&self, oid: git2::Oid) -> std::result::Result<Vec<u8>, ReadError> {
        item_blob(&self.odb, oid)
    }
}

/// The blob `oid` of `odb`, refused unread when its header says it is
/// over [`MAX_FILE_BYTES`]: an item file from git objects is read within
/// the bound a working tree's is.
pub fn item_blob(odb: &git2::Odb<'_>, oid: git2::Oid) -> std::result::Result<Vec<u8>, ReadError> {
    let (size, _) = odb
        .read_header(oid)
        .map_err(|e| ReadError::Other(e.to_string()))?;
    if size as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(size as u64));
    }
    let obj = odb.read(oid).map_err(|e| ReadError::Other(e.to_string()))?;
    Ok(obj.data().to_vec())
}

/// The object database of `repo` (its common directory's, for a linked
/// worktree, with its alternates), on its own: libgit2's object database
/// is safe to read from several threads, a repository handle is not.
fn objects(repo: &git2::Repository) -> Result<git2::Odb<'static>> {
    let odb = git2::Odb::new().map_err(|e| Error::git("open the object database", e))?;
    for dir in std::iter::once(repo.commondir().join("objects")).chain(quarantine()) {
        let path = dir
            .to_str()
            .ok_or_else(|| Error::new(format!("{} is not a UTF-8 path", dir.display())))?;
        odb.add_disk_alternate(path)
            .map_err(|e| Error::git(format!("open the object database in {path}"), e))?;
    }
    Ok(odb)
}

/// The object directories git names in the environment of a hook that runs
/// while a push is received (`GIT_OBJECT_DIRECTORY`, where the pushed
/// objects wait until the hook accepts them, and
/// `GIT_ALTERNATE_OBJECT_DIRECTORIES`), as git itself reads them. libgit2
/// does not; without them a pushed commit cannot be found.
fn quarantine() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("GIT_OBJECT_DIRECTORY")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .into_iter()
        .collect();
    if let Some(list) = std::env::var_os("GIT_ALTERNATE_OBJECT_DIRECTORIES") {
        dirs.extend(std::env::split_paths(&list).filter(|d| !d.as_os_str().is_empty()));
    }
    // Relative to where git runs the hook, which is where isms runs.
    dirs.into_iter()
        .filter_map(|d| std::path::absolute(d).ok())
        .filter(|d| d.is_dir())
        .collect()
}

/// The index as `git` lists it, and what differs from `HEAD`, each listed
/// on its own core.
fn listed_by_git(
    root: &Path,
    repo: &git2::Repository,
    index_file: Option<&Path>,
) -> Result<(Listed, Option<Vec<String>>)> {
    let env: Vec<(&str, &std::ffi::OsStr)> = index_file
        .iter()
        .map(|f| ("GIT_INDEX_FILE", f.as_os_str()))
        .collect();
    let (listed, changed) = std::thread::scope(|s| {
        let changed = s.spawn(|| {
            crate::git::bytes_with(
                root,
                &[
                    "diff",
                    "--cached",
                    "--name-only",
                    "--no-renames",
                    "--no-relative",
                    "--no-ext-diff",
                    "-z",
                    "HEAD",
                    "--",
                ],
                &env,
            )
        });
        let listed = crate::git::bytes_with(root, &["ls-files", "--stage", "-z"], &env);
        let changed = changed
            .join()
            .unwrap_or_else(|_| Err(Error::new("comparing the index with HEAD failed")));
        (listed, changed)
    });
    let entries = parse_stage(&listed?)
        .map_err(|why| Error::new("could not read `git ls-files --stage`").caused_by(why))?;
    let changed = match changed {
        Ok(out) => {
            let mut paths: Vec<String> = out
                .split(|&b| b == 0)
                .filter(|p| !p.is_empty())
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect();
            paths.sort();
            paths.dedup();
            Some(paths)
        }
        Err(_) if matches!(repo.head(), Err(e) if e.code() == git2::ErrorCode::UnbornBranch) => {
            None
        }
        Err(e) => return Err(e),
    };
    Ok((entries, changed))
}

/// An index's stage-0 entries, and its paths with unresolved conflicts.
type Listed = (Entries, Vec<String>);

/// `git ls-files --stage -z`: `<mode> <id> <stage>\t<path>\0` per entry;
/// the stage-0 ones (a conflicted path is not "about to be committed"), and
/// the conflicted paths, each once.
fn parse_stage(out: &[u8]) -> std::result::Result<Listed, String> {
    let mut entries = Entries::default();
    let mut unmerged: Vec<String> = Vec::new();
    for record in out.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let bad = || format!("unexpected entry `{}`", String::from_utf8_lossy(record));
        let tab = record.iter().position(|&b| b == b'\t').ok_or_else(bad)?;
        let (meta, path) = (&record[..tab], &record[tab + 1..]);
        let meta = std::str::from_utf8(meta).map_err(|_| bad())?;
        let mut fields = meta.split(' ');
        let (Some(mode), Some(id), Some(stage), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(bad());
        };
        if stage != "0" {
            super::staged::push_unmerged(&mut unmerged, String::from_utf8_lossy(path));
            continue;
        }
        let mode = u32::from_str_radix(mode, 8).map_err(|_| bad())?;
        let id = git2::Oid::from_str(id).map_err(|_| bad())?;
        entries.push(&String::from_utf8_lossy(path), id, mode);
    }
    Ok((entries, unmerged))
}

impl Source for Index {
    fn commit(&self) -> Option<&str> {
        self.commit.as_deref()
    }

    fn artifact_files(&self) -> Result<Vec<String>> {
        let folder = format!("{}/", crate::model::ARTIFACT_DIR);
        Ok(self
            .entries
            .iter()
            .map(|(p, _, _)| p)
            .chain(self.unmerged.iter().map(String::as_str))
            .filter(|p| p.starts_with(&folder))
            .map(str::to_owned)
            .collect())
    }

    fn files(&self) -> Result<Vec<Cow<'_, str>>> {
        // In path order, as the entries are kept.
        let listed = |p: &&str| {
            p.ends_with(".toml")
                && (*p == super::CONFIG_FILE
                    || DIRS
                        .iter()
                        .any(|d| p.strip_prefix(d).is_some_and(|r| r.starts_with('/')))
                    || !p.contains('/')
                    || p.split_once('/')
                        .is_some_and(|(top, _)| crate::model::near_miss(top).is_some()))
        };
        let out = self
            .entries
            .iter()
            .map(|(p, _, _)| p)
            .filter(listed)
            .map(Cow::Borrowed);
        // A conflicted file: listed, so that it is reported, not missed.
        let unmerged = self
            .unmerged
            .iter()
            .map(String::as_str)
            .filter(listed)
            .map(Cow::Borrowed);
        // A link committed where a folder of items belongs.
        let links = self
            .entries
            .iter()
            .filter(|&(p, _, mode)| mode == MODE_SYMLINK && crate::model::is_item_folder(p))
            .map(|(p, _, _)| Cow::Owned(format!("{p}/")));
        Ok(out.chain(unmerged).chain(links).collect())
    }

    fn read(&self, path: &str) -> std::result::Result<Vec<u8>, ReadError> {
        let (oid, mode) = self.entries.get(path).ok_or_else(|| {
            match self.unmerged.binary_search_by(|p| p.as_str().cmp(path)) {
                Ok(_) => ReadError::Unmerged,
                // Committed behind a link, as a checkout would put it: not
                // read through it.
                Err(_) => match Path::new(path).ancestors().skip(1).find(|a| {
                    (a.to_str())
                        .and_then(|a| self.entries.get(a))
                        .is_some_and(|(_, mode)| mode == MODE_SYMLINK)
                }) {
                    Some(folder) => ReadError::LinkedFolder(folder.to_string_lossy().into_owned()),
                    None => ReadError::Missing,
                },
            }
        })?;
        if mode == MODE_SYMLINK {
            return Err(ReadError::Symlink);
        }
        self.blob(oid)
    }

    fn artifact(&self, path: &str) -> ArtifactState {
        let oid = match self.artifact_blob(path) {
            Ok(oid) => oid,
            Err(state) => return state,
        };
        let odb = &self.odb;
        match odb.read_header(oid) {
            Ok((size, _)) if size as u64 > MAX_ARTIFACT_BYTES => {
                return ArtifactState::TooLarge(size as u64);
            }
            Ok(_) => {}
            Err(e) => return ArtifactState::Unreadable(e.message().to_owned()),
        }
        match odb.read(oid) {
            // A Git LFS pointer names its content's SHA-256.
            Ok(obj) => ArtifactState::Found {
                sha256: super::lfs::artifact_sha256(obj.data()),
            },
            Err(e) => ArtifactState::Unreadable(e.message().to_owned()),
        }
    }

    fn artifact_line_endings(&self, path: &str, want: &str) -> Option<bool> {
        let oid = self.artifact_blob(path).ok()?;
        let (size, _) = self.odb.read_header(oid).ok()?;
        if size as u64 > LINE_ENDINGS_MAX {
            return None;
        }
        converted_line_endings(self.odb.read(oid).ok()?.data(), want)
    }
}

impl Index {
    /// The blob of the artifact at `path` (relative to `evidence/`): a
    /// regular file's, or, where the index follows links, the one a link
    /// inside the repository leads to; or the state that says why not.
    fn artifact_blob(&self, path: &str) -> std::result::Result<git2::Oid, ArtifactState> {
        if let Some(problem) = artifact_path_problem(path) {
            return Err(ArtifactState::InvalidPath(problem));
        }
        let full = crate::model::artifact_path(path);
        let Some((oid, mode)) = self.entries.get(&full) else {
            return Err(ArtifactState::Missing);
        };
        let oid = if mode == MODE_SYMLINK && !self.follow_links {
            return Err(ArtifactState::NotAFile);
        } else if mode == MODE_SYMLINK {
            // A staged link: resolve its target lexically; it is never read
            // from outside the repository.
            let target = match self.blob(oid) {
                Ok(t) => String::from_utf8_lossy(&t).into_owned(),
                Err(_) => return Err(ArtifactState::Unreadable("unreadable link".into())),
            };
            let Some(resolved) = resolve_lexically(&full, &target) else {
                return Err(ArtifactState::Escapes);
            };
            match self.entries.get(&resolved) {
                Some((oid, mode)) if mode != MODE_SYMLINK => oid,
                Some(_) => return Err(ArtifactState::NotAFile),
                None => return Err(ArtifactState::Missing),
            }
        } else if mode & 0o170000 != 0o100000 {
            return Err(ArtifactState::NotAFile);
        } else {
            oid
        };
        Ok(oid)
    }
}

/// Resolves a symlink `target` relative to the link at `link` (both
/// repository-relative); `None` when it would leave the repository.
fn resolve_lexically(link: &str, target: &str) -> Option<String> {
    if target.starts_with('/') || Path::new(target).is_absolute() {
        return None;
    }
    let mut parts: Vec<&str> = link.split('/').collect();
    parts.pop();
    for component in Path::new(target).components() {
        match component {
            Component::Normal(c) => parts.push(c.to_str()?),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

/// A source as it would read with some of its files' texts replaced: what
/// an edit would make of it, read before anything is written.
pub struct Edited<'a> {
    base: &'a dyn Source,
    texts: &'a std::collections::BTreeMap<&'a str, &'a [u8]>,
}

impl<'a> Edited<'a> {
    /// `base` with the files of `texts` (repository-relative paths) read as
    /// those texts. Each must be a file `base` lists.
    pub fn new(
        base: &'a dyn Source,
        texts: &'a std::collections::BTreeMap<&'a str, &'a [u8]>,
    ) -> Self {
        Edited { base, texts }
    }
}

impl Source for Edited<'_> {
    fn files(&self) -> Result<Vec<Cow<'_, str>>> {
        self.base.files()
    }

    fn read(&self, path: &str) -> std::result::Result<Vec<u8>, ReadError> {
        match self.texts.get(path) {
            Some(text) => Ok(text.to_vec()),
            None => self.base.read(path),
        }
    }

    fn artifact(&self, path: &str) -> ArtifactState {
        self.base.artifact(path)
    }

    fn artifact_line_endings(&self, path: &str, want: &str) -> Option<bool> {
        self.base.artifact_line_endings(path, want)
    }

    fn commit(&self) -> Option<&str> {
        self.base.commit()
    }

    fn artifact_files(&self) -> Result<Vec<String>> {
        self.base.artifact_files()
    }

    fn unignored(&self, paths: Vec<String>) -> Vec<String> {
        self.base.unignored(paths)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_names_exactly_the_files_the_working_tree_listing_finds() {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            "isms.toml",
            "notes.toml",
            "README.md",
            "controls/5.1.toml",
            "controls/README.md",
            "controls/sub/x.toml",
            "controls/sub/deeper/y.toml",
            "responsibilities/svc/5.1.toml",
            "responsibilities/svc/notes.txt",
            "responsibilities/5.1.toml",
            "evidence/scan.toml",
            "evidence/files/scan.toml",
            "evidence/files/deep/scan.toml",
            "evidence/other/scan.toml",
            "findings/f-1.toml",
            "elsewhere/a.toml",
        ];
        for f in files {
            let path = dir.path().join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let tree = WorkTree::new(dir.path()).unwrap();
        let mut found: Vec<String> = tree
            .files_with(|_| ())
            .unwrap()
            .into_iter()
            .map(|(p, ())| p)
            .collect();
        found.sort();
        let mut named: Vec<&str> = files.into_iter().filter(|f| listed(f)).collect();
        named.sort();
        assert_eq!(found, named);
        assert!(
            named.contains(&"controls/sub/x.toml") && !named.contains(&"evidence/files/scan.toml")
        );
    }

    #[test]
    fn staged_entries_keep_stage_zero_and_the_conflicted_paths_once_and_refuse_what_they_cannot_read()
     {
        let id = "de980441c3ab03a8c07dda1ad27b8a11f39deb1e";
        let out = format!(
            "100644 {id} 0\tcontrols/A.1.toml\0120000 {id} 0\tevidence/link\0\
             100644 {id} 1\tservices/s.toml\0100644 {id} 2\tservices/s.toml\0\
             100644 {id} 3\tservices/s.toml\0100644 {id} 2\tservices/t.toml\0"
        );
        let (entries, unmerged) = parse_stage(out.as_bytes()).unwrap();
        assert_eq!(unmerged, ["services/s.toml", "services/t.toml"]);
        let paths: Vec<_> = entries.iter().map(|(p, _, mode)| (p, mode)).collect();
        assert_eq!(
            paths,
            [
                ("controls/A.1.toml", 0o100644),
                ("evidence/link", MODE_SYMLINK)
            ]
        );
        assert!(parse_stage(b"100644 nothex 0\tx\0").is_err());
        assert!(parse_stage(b"no tab here\0").is_err());
    }

    #[test]
    fn line_endings_git_converts_are_told_from_other_changes() {
        let lf = b"a,b\n1,2\n";
        let crlf = b"a,b\r\n1,2\r\n";
        // Checked out with CRLF, collected with LF; and the other way.
        assert_eq!(converted_line_endings(crlf, &sha256_hex(lf)), Some(true));
        assert_eq!(converted_line_endings(lf, &sha256_hex(crlf)), Some(false));
        // Another change besides, or none to line endings at all.
        assert_eq!(
            converted_line_endings(b"a,b\r\n1,3\r\n", &sha256_hex(lf)),
            None
        );
        assert_eq!(converted_line_endings(b"a,b", &sha256_hex(b"a,c")), None);
        // Mixed: git adds CRLF only to the lone LFs of a checkout.
        let mixed = b"a\r\nb\n";
        assert_eq!(
            converted_line_endings(b"a\r\nb\r\n", &sha256_hex(mixed)),
            None,
            "CRLF to LF throughout is not what was collected"
        );
        assert_eq!(
            converted_line_endings(mixed, &sha256_hex(b"a\nb\n")),
            Some(true)
        );
    }

    #[test]
    fn artifact_paths_must_stay_inside_evidence() {
        assert_eq!(artifact_path_problem("files/a.pdf"), None);
        assert!(
            artifact_path_problem("/etc/passwd")
                .unwrap()
                .contains("absolute")
        );
        assert!(
            artifact_path_problem("../isms.toml")
                .unwrap()
                .contains("`..`")
        );
        assert!(
            artifact_path_problem("files/../../x")
                .unwrap()
                .contains("`..`")
        );
        assert!(artifact_path_problem("files\\a").unwrap().contains("`\\`"));
        assert!(artifact_path_problem("C:/x").unwrap().contains("absolute"));
    }

    #[test]
    fn staged_links_resolve_lexically() {
        assert_eq!(
            resolve_lexically("evidence/files/a", "b"),
            Some("evidence/files/b".into())
        );
        assert_eq!(
            resolve_lexically("evidence/files/a", "../../isms.toml"),
            Some("isms.toml".into())
        );
        assert_eq!(resolve_lexically("evidence/files/a", "../../../x"), None);
        assert_eq!(resolve_lexically("evidence/files/a", "/etc/passwd"), None);
    }

    #[test]
    fn an_edited_source_reads_the_given_texts_and_the_rest_from_its_base() {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in [("controls/5.1.toml", "a"), ("controls/5.2.toml", "b")] {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let tree = WorkTree::new(dir.path()).unwrap();
        let texts = [("controls/5.1.toml", &b"edited"[..])].into();
        let edited = Edited::new(&tree, &texts);
        assert_eq!(edited.read("controls/5.1.toml").unwrap(), b"edited");
        assert_eq!(edited.read("controls/5.2.toml").unwrap(), b"b");
        assert!(matches!(
            edited.read("controls/5.3.toml"),
            Err(ReadError::Missing)
        ));
        let mut files: Vec<String> = edited
            .files()
            .unwrap()
            .into_iter()
            .map(String::from)
            .collect();
        files.sort();
        assert_eq!(files, ["controls/5.1.toml", "controls/5.2.toml"]);
        // Nothing was written.
        assert_eq!(
            std::fs::read(dir.path().join("controls/5.1.toml")).unwrap(),
            b"a"
        );
    }
}
