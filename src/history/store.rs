//! The history cache on disk: a record kept as segments, each what the
//! commits from one tip to the next added, so that new commits cost a
//! segment appended rather than the whole record written again.
//!
//! The file is a magic line, then segments, each `[length: u32][SHA-256 of
//! the payload][payload]`. A segment must continue from the tip the ones
//! before it reached. A segment that is cut short, fails its hash, or does
//! not continue makes the whole cache corrupt: it is rebuilt, never trusted
//! in part. An append is made under a lock on the file, and only when the
//! file is still as long as when it was read; a writer that cannot have the
//! lock leaves the cache as it is.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;

use chrono::{FixedOffset, TimeZone};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{CommitId, FileTimes, Malformed, Names, Outcome, Record, Review};
use crate::cache::{self, Loaded};

/// The format, named in the first line.
const MAGIC: &[u8] = b"isms-history-v6\n";

/// Past this many segments, the next write is the whole record in one.
const MAX_SEGMENTS: usize = 64;

/// What the commits from `from` (none: the start of history) to `tip` added
/// to the record. A path with no times was deleted.
#[derive(Deserialize)]
struct Segment {
    from: Option<String>,
    tip: String,
    /// The items and people its reviews name, each once.
    names: Vec<String>,
    reviews: Vec<Kept<Option<String>>>,
    malformed: Vec<Malformed>,
    files: Vec<(String, Option<FileTimes>)>,
}

/// A [`Segment`], borrowed from a record: written as it is read.
#[derive(Serialize)]
struct SegmentRef<'a> {
    from: Option<&'a str>,
    tip: &'a str,
    names: Vec<&'a str>,
    reviews: KeptRefs<'a>,
    malformed: &'a [Malformed],
    files: Vec<(&'a str, Option<&'a FileTimes>)>,
}

/// A review as a segment keeps it: names as indexes into the segment's
/// names, times as seconds and offset. Its note is owned when read and
/// borrowed when written.
#[derive(Serialize, Deserialize)]
struct Kept<Note> {
    item: u32,
    outcome: Outcome,
    note: Note,
    commit: CommitId,
    author: u32,
    email: u32,
    landed: (i64, i32),
    landed_by: CommitId,
    pull_request: Option<u64>,
}

/// Reviews written one by one as [`Kept`]s, never all held at once.
struct KeptRefs<'a> {
    reviews: &'a [Review],
    index: HashMap<&'a str, u32>,
}

impl Serialize for KeptRefs<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let name = |n: &str| self.index[n];
        s.collect_seq(self.reviews.iter().map(|r| Kept {
            item: name(&r.item),
            outcome: r.outcome,
            note: &r.note,
            commit: r.commit,
            author: name(&r.author),
            email: name(&r.email),
            landed: (r.landed.timestamp(), r.landed.offset().local_minus_utc()),
            landed_by: r.landed_by,
            pull_request: r.pull_request,
        }))
    }
}

impl<'a> SegmentRef<'a> {
    fn new(
        from: Option<&'a str>,
        record: &'a Record,
        reviews: &'a [Review],
        malformed: &'a [Malformed],
        files: Vec<(&'a str, Option<&'a FileTimes>)>,
    ) -> Self {
        let mut names = Vec::new();
        let mut index: HashMap<&str, u32> = HashMap::new();
        for r in reviews {
            for n in [&*r.item, &*r.author, &*r.email] {
                index.entry(n).or_insert_with(|| {
                    names.push(n);
                    (names.len() - 1) as u32
                });
            }
        }
        let reviews = KeptRefs { reviews, index };
        SegmentRef {
            from,
            tip: record.tip.as_deref().unwrap_or_default(),
            names,
            reviews,
            malformed,
            files,
        }
    }
}

/// A record read from the cache, and where a later segment would go.
pub struct Stored {
    pub record: Record,
    pub end: End,
}

/// What a later segment continues: the file's length when read, its
/// segments, and the record's reviews and trailers so far.
pub struct End {
    len: u64,
    segments: usize,
    reviews: usize,
    malformed: usize,
}

/// The record cached at `path`.
pub fn load(path: &Path) -> Loaded<Stored> {
    let Ok(bytes) = std::fs::read(path) else {
        return Loaded::Missing;
    };
    let mut rest = match cache::strip_magic(&bytes, MAGIC) {
        Ok(rest) => rest,
        Err(other) => return other,
    };
    let mut record = Record::default();
    let mut names = Names::default();
    let mut segments = 0;
    while !rest.is_empty() {
        let Some((payload, after)) = split_segment(rest) else {
            return Loaded::Corrupt;
        };
        let Ok(segment) = postcard::from_bytes::<Segment>(payload) else {
            return Loaded::Corrupt;
        };
        if segment.from != record.tip || apply(&mut record, segment, &mut names).is_none() {
            return Loaded::Corrupt;
        }
        segments += 1;
        rest = after;
    }
    if segments == 0 {
        return Loaded::Corrupt;
    }
    let end = End {
        len: bytes.len() as u64,
        segments,
        reviews: record.reviews.len(),
        malformed: record.malformed.len(),
    };
    Loaded::Hit(Stored { record, end })
}

/// One segment's verified payload, and what follows it.
fn split_segment(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, rest) = bytes.split_first_chunk::<4>()?;
    let (sum, rest) = rest.split_first_chunk::<32>()?;
    let len = u32::from_le_bytes(*len) as usize;
    let payload = rest.get(..len)?;
    (Sha256::digest(payload).as_slice() == sum).then_some((payload, &rest[len..]))
}

/// Adds `segment` to `record`; `None` if it names a name it does not have
/// or a time that cannot be.
fn apply(record: &mut Record, segment: Segment, names: &mut Names) -> Option<()> {
    let local: Vec<Arc<str>> = segment.names.iter().map(|n| names.get(n)).collect();
    let name = |i: u32| local.get(i as usize).cloned();
    record.reviews.reserve(segment.reviews.len());
    for k in segment.reviews {
        let (secs, offset) = k.landed;
        let landed = FixedOffset::east_opt(offset)?
            .timestamp_opt(secs, 0)
            .single()?;
        record.reviews.push(Review {
            item: name(k.item)?,
            outcome: k.outcome,
            note: k.note,
            commit: k.commit,
            author: name(k.author)?,
            email: name(k.email)?,
            landed,
            landed_by: k.landed_by,
            pull_request: k.pull_request,
        });
    }
    record.tip = Some(segment.tip);
    record.malformed.extend(segment.malformed);
    for (path, times) in segment.files {
        match times {
            Some(times) => record.files.insert(path, times),
            None => record.files.remove(&path),
        };
    }
    Some(())
}

/// Writes `record` as the whole cache, in one segment. A cache that cannot
/// be written only costs speed next time.
pub fn save(path: &Path, record: &Record) {
    let files = record
        .files
        .iter()
        .map(|(p, t)| (p.as_str(), Some(t)))
        .collect();
    let segment = SegmentRef::new(None, record, &record.reviews, &record.malformed, files);
    let write = || -> std::io::Result<()> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(MAGIC)?;
        write_segment(tmp.as_file_mut(), MAGIC.len() as u64, &segment)?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    };
    let _ = write();
}

/// Brings the cache that ended at `end` up to `record`, which extended it
/// from `from`: the new reviews, trailers and file times as one more
/// segment. `touched` are the paths whose times the new commits changed.
pub fn append(path: &Path, end: &End, from: &str, record: &Record, touched: &[String]) {
    if end.segments >= MAX_SEGMENTS {
        return save(path, record);
    }
    let files = touched
        .iter()
        .map(|p| (p.as_str(), record.files.get(p)))
        .collect();
    let segment = SegmentRef::new(
        Some(from),
        record,
        &record.reviews[end.reviews..],
        &record.malformed[end.malformed..],
        files,
    );
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)?;
        // Another isms writing it, or having written since it was read:
        // its cache stands.
        if file.try_lock().is_err() || file.metadata()?.len() != end.len {
            return Ok(());
        }
        if let Err(e) = write_segment(&mut file, end.len, &segment) {
            // Never leave half a segment: the cache would be rebuilt.
            let _ = file.set_len(end.len);
            return Err(e);
        }
        Ok(())
    };
    let _ = write();
}

/// Writes `value` as a segment at `at`: the payload streams to the file
/// through the hash, then its length and hash go in front of it.
fn write_segment<T: Serialize>(file: &mut File, at: u64, value: &T) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(at))?;
    file.write_all(&[0; 36])?;
    let (len, sum) = cache::write_hashed(file, value)?;
    let len = u32::try_from(len).map_err(|_| std::io::Error::other("segment over 4 GiB"))?;
    file.seek(SeekFrom::Start(at))?;
    file.write_all(&len.to_le_bytes())?;
    file.write_all(&sum)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn review(n: u8) -> Review {
        Review {
            item: Arc::from(format!("control:5.{n}").as_str()),
            outcome: Outcome::Effective,
            note: None,
            commit: CommitId::from_bytes([n; 20]),
            author: Arc::from("Alice"),
            email: Arc::from("alice@example.com"),
            landed: chrono::DateTime::parse_from_rfc3339("2026-10-01T12:00:00+02:00").unwrap(),
            landed_by: CommitId::from_bytes([n; 20]),
            pull_request: Some(u64::from(n)),
        }
    }

    fn times(t: i64) -> FileTimes {
        FileTimes {
            added: t,
            changed: t,
        }
    }

    /// The record as far as commit `n`: a review and a file per commit, the
    /// file of commit 1 deleted from commit 3 on, and 200 older files.
    fn at(n: u8) -> Record {
        let mut r = Record {
            tip: Some(format!("{n:040}")),
            ..Record::default()
        };
        for i in 1..=n {
            r.reviews.push(review(i));
            r.files
                .insert(format!("controls/5.{i}.toml"), times(i.into()));
        }
        if n >= 3 {
            r.files.remove("controls/5.1.toml");
        }
        // Files no commit after the first touches.
        for k in 0..200 {
            r.files.insert(format!("evidence/e-{k}.toml"), times(0));
        }
        r
    }

    fn load_ok(path: &Path) -> Stored {
        match load(path) {
            Loaded::Hit(s) => s,
            Loaded::Missing => panic!("missing"),
            Loaded::Corrupt => panic!("corrupt"),
        }
    }

    fn same(a: &Record, b: &Record) {
        let sorted = |r: &Record| {
            let mut files: Vec<_> = r.files.iter().collect();
            files.sort_by_key(|(p, _)| *p);
            format!("{:?} {:?} {:?} {files:?}", r.tip, r.reviews, r.malformed)
        };
        assert_eq!(sorted(a), sorted(b));
    }

    /// Appends the commits after `from` up to `to` to the cache at `path`.
    fn append_to(path: &Path, from: u8, to: u8) {
        let touched = vec![
            format!("controls/5.{to}.toml"),
            "controls/5.1.toml".to_owned(),
        ];
        // An append that finds the file locked leaves it alone, and a test
        // running beside this one can hold the lock a moment: a child
        // process it forks keeps this file's descriptor until it runs its
        // program. So the append is made again until it lands.
        for _ in 0..100 {
            let end = load_ok(path).end;
            append(path, &end, &format!("{from:040}"), &at(to), &touched);
            if std::fs::metadata(path).unwrap().len() != end.len {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("the append to commit {to} never landed");
    }

    #[test]
    fn segments_add_up_to_the_record_and_damage_anywhere_is_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history-main.bin");
        save(&path, &at(1));
        same(&load_ok(&path).record, &at(1));
        let one = std::fs::metadata(&path).unwrap().len();

        append_to(&path, 1, 2);
        append_to(&path, 2, 3);
        let stored = load_ok(&path);
        same(&stored.record, &at(3));
        assert_eq!(stored.end.segments, 3);
        // A name is held once, whichever segment it came from.
        let (first, last) = (&stored.record.reviews[0], &stored.record.reviews[2]);
        assert!(Arc::ptr_eq(&first.author, &last.author));
        let three = std::fs::read(&path).unwrap();
        assert!(
            three.len() < (one + one / 4) as usize,
            "a segment holds only what is new"
        );

        // A flipped byte in the last segment, a cut-short file, and a
        // segment that does not go on from the tip before it.
        let mut flipped = three.clone();
        let n = flipped.len();
        flipped[n - 3] ^= 0xff;
        let cut = three[..three.len() - 5].to_vec();
        for damaged in [flipped, cut] {
            std::fs::write(&path, &damaged).unwrap();
            assert!(matches!(load(&path), Loaded::Corrupt));
        }
        std::fs::write(&path, &three).unwrap();
        append_to(&path, 1, 4);
        assert!(matches!(load(&path), Loaded::Corrupt));
    }

    #[test]
    fn a_cache_written_since_it_was_read_is_left_alone_and_many_segments_become_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history-main.bin");
        save(&path, &at(1));
        let stale = load_ok(&path);
        append_to(&path, 1, 2);
        let written = std::fs::read(&path).unwrap();
        append(&path, &stale.end, &format!("{:040}", 1), &at(2), &[]);
        assert_eq!(std::fs::read(&path).unwrap(), written);

        let mut n = 2;
        while load_ok(&path).end.segments < MAX_SEGMENTS {
            append_to(&path, n, n + 1);
            n += 1;
        }
        append_to(&path, n, n + 1);
        let stored = load_ok(&path);
        assert_eq!(stored.end.segments, 1);
        same(&stored.record, &at(n + 1));
    }
}
