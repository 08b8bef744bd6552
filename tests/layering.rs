//! The layering of `src/`, kept by a test: the model does no I/O, rules and
//! renderers take data and never reach for git, files or GitHub, and the
//! parts that read git or files never talk to the terminal or the commands.
//! Test code (`tests.rs` files, and what follows `#[cfg(test)]`) is exempt.

use std::path::{Path, PathBuf};

/// Every module path a text names: `crate::history::Review` gives
/// `crate::history`, `use std::{fs, io}` gives `std::fs` and `std::io`, and
/// `git2::Oid` gives `git2`.
fn names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for root in ["crate", "std"] {
        let needle = format!("{root}::");
        let mut rest = text;
        while let Some(i) = rest.find(&needle) {
            let before = rest[..i].chars().next_back();
            rest = &rest[i + needle.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                let inner = &group[..group.find('}').unwrap_or(group.len())];
                for part in inner.split(',') {
                    let first = part.trim().split("::").next().unwrap_or("").trim();
                    if !first.is_empty() {
                        out.push(format!("{root}::{first}"));
                    }
                }
            } else {
                let ident: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push(format!("{root}::{ident}"));
            }
        }
    }
    for krate in ["git2", "octocrab", "reqwest", "hyper", "tokio"] {
        let mut rest = text;
        while let Some(i) = rest.find(krate) {
            let before = rest[..i].chars().next_back();
            let after = rest[i + krate.len()..].chars().next();
            rest = &rest[i + krate.len()..];
            let starts = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':'));
            if starts && after == Some(':') {
                out.push(krate.to_owned());
            }
        }
    }
    out
}

/// The code of `path` that is not a test.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    // Comments name modules without importing them.
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The `.rs` files of `part` (a folder or a file under `src/`), tests aside.
fn files(part: &str) -> Vec<PathBuf> {
    let path = src().join(part);
    if path.is_file() {
        return vec![path];
    }
    let mut out = Vec::new();
    let mut dirs = vec![path];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "rs")
                && p.file_name().is_some_and(|n| n != "tests.rs")
            {
                out.push(p);
            }
        }
    }
    assert!(!out.is_empty(), "{part} has no code");
    out
}

/// Every use of a `forbidden` name in `parts`, as "file: name".
fn breaches(parts: &[&str], forbidden: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for part in parts {
        for file in files(part) {
            for name in names(&code(&file)) {
                if forbidden.contains(&name.as_str()) {
                    let rel = file.strip_prefix(src()).unwrap().display().to_string();
                    out.push(format!("src/{rel}: {name}"));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

const RULES_AND_RENDERERS: [&str; 2] = ["check", "render"];

#[test]
fn the_model_does_no_io() {
    let found = breaches(
        &["model"],
        &[
            "std::fs",
            "std::process",
            "std::net",
            "git2",
            "octocrab",
            "reqwest",
            "hyper",
            "tokio",
        ],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn rules_and_renderers_take_data() {
    let found = breaches(
        &RULES_AND_RENDERERS,
        &[
            "crate::history",
            "crate::repo",
            "crate::github",
            "crate::commands",
            "crate::reading",
            "crate::summary",
            "crate::git",
            "crate::fsutil",
            "crate::output",
            "std::fs",
            "std::process",
            "git2",
            "octocrab",
        ],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn readers_of_git_and_files_never_reach_the_terminal_or_the_commands() {
    let found = breaches(
        &[
            "history",
            "repo",
            "github",
            "reading.rs",
            "summary.rs",
            "git.rs",
            "fsutil.rs",
            "cache.rs",
        ],
        &["crate::commands", "crate::cli", "crate::output"],
    );
    assert!(found.is_empty(), "{found:#?}");
}

/// Every part of `src/` but `except` (folders or files), as `files` takes them.
fn all_but(except: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(src())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !except.contains(&n.as_str()))
        .collect();
    out.sort();
    out
}

/// Every use of a `tells` text in the code of `parts`, whitespace aside,
/// as "file: text".
fn containing(parts: &[String], tells: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for part in parts {
        for file in files(part) {
            let text = code(&file).replace(char::is_whitespace, "");
            for tell in tells.iter().filter(|t| text.contains(*t)) {
                let rel = file.strip_prefix(src()).unwrap().display().to_string();
                out.push(format!("src/{rel}: {tell}"));
            }
        }
    }
    out
}

#[test]
fn git_is_reached_only_from_history_repo_and_the_git_module() {
    // error.rs names git2's error type to turn it into a message.
    let parts = all_but(&["history", "repo", "git.rs", "error.rs"]);
    let names: Vec<&str> = parts.iter().map(String::as_str).collect();
    let mut found = breaches(&names, &["git2"]);
    found.extend(containing(&parts, &["Command::new(\"git\")"]));
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn no_command_imports_another() {
    let commands: Vec<String> = files("commands")
        .iter()
        .filter_map(|f| f.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|n| n != "mod")
        .collect();
    let mut found = Vec::new();
    for file in files("commands") {
        let text = code(&file);
        let own = file.file_stem().unwrap().to_string_lossy().into_owned();
        for other in commands.iter().filter(|c| **c != own) {
            for path in [
                format!("super::{other}::"),
                format!("crate::commands::{other}"),
            ] {
                if text.contains(&path) || text.contains(&format!("super::{{{other}")) {
                    found.push(format!("src/commands/{own}.rs: {path}"));
                }
            }
        }
    }
    found.dedup();
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn html_is_built_with_a_template_that_escapes() {
    // Markup by string formatting must remember to escape every value; maud
    // escapes by default and is checked at compile time.
    let found = containing(&all_but(&[]), &["format!(\"<", "push_str(\"<", ",\"<"]);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn only_the_commands_and_output_print() {
    let found = containing(
        &all_but(&["commands", "output.rs", "lib.rs", "main.rs"]),
        &["print!(", "println!(", "stdout()", "stderr()"],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_scanner_sees_every_way_of_naming_a_module() {
    let text = "use crate::{history::Review, repo};\nuse std::{fs, io::Write};\n\
                fn f() { crate::output::note(\"x\"); let _ = git2::Oid::zero(); }\n\
                // crate::commands in a comment is not code\n";
    let file = std::env::temp_dir().join(format!("isms-layering-{}.rs", std::process::id()));
    std::fs::write(&file, text).unwrap();
    let found = names(&code(&file));
    std::fs::remove_file(&file).unwrap();
    for want in [
        "crate::history",
        "crate::repo",
        "std::fs",
        "std::io",
        "crate::output",
        "git2",
    ] {
        assert!(found.iter().any(|n| n == want), "{want} in {found:?}");
    }
    assert!(!found.iter().any(|n| n == "crate::commands"), "{found:?}");
    // Not a crate named inside another name.
    assert!(!names("my_git2::x").contains(&"git2".to_owned()));
}

#[test]
fn item_paths_are_built_only_by_the_layout_table() {
    // `FileKind::path` and `dir` (model/layout.rs) say where each kind
    // lives; a path built from a folder's name elsewhere would drift from it.
    let mut tells = Vec::new();
    for dir in [
        "controls",
        "services",
        "responsibilities",
        "evidence",
        "triggers",
        "findings",
    ] {
        tells.push(format!("format!(\"{dir}/"));
        tells.push(format!("join(\"{dir}"));
    }
    let tells: Vec<&str> = tells.iter().map(String::as_str).collect();
    let mut parts = all_but(&["model"]);
    parts.extend(
        files("model")
            .iter()
            .filter(|f| !f.ends_with("layout.rs"))
            .map(|f| f.strip_prefix(src()).unwrap().display().to_string()),
    );
    let found = containing(&parts, &tells);
    assert!(found.is_empty(), "{found:#?}");
}
