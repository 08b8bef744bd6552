//! A second opinion on the GitHub client: GitHub's API simulator from npm
//! (`@simulacrum/github-api-simulator`, which `.ci/test` installs) answers
//! every route with the example of GitHub's OpenAPI description, in full,
//! as GitHub does. The other GitHub tests answer with only what they need.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use common::Env;

/// The simulator, stopped when dropped.
struct Simulator {
    child: Child,
    url: String,
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Simulator {
    fn start() -> Simulator {
        let dir = std::env::var_os("GITHUB_SIMULATOR").map_or_else(
            || {
                PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("target/test-tools/node_modules/@simulacrum/github-api-simulator")
            },
            PathBuf::from,
        );
        assert!(
            dir.join("dist/index.mjs").is_file(),
            "GitHub's API simulator is needed at {}: run .ci/test, which installs it",
            dir.display()
        );
        let launcher =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/common/github-simulator.mjs");
        let mut child = Command::new("node")
            .arg(launcher)
            .arg(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs the simulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port: u16 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the simulator printed `{line}`, not its port"));
        Simulator {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

#[test]
fn the_client_reads_githubs_own_example_answers() {
    let sim = Simulator::start();
    let env = Env::new();
    let repo = env.example("demo");
    let origin = env.origin(&repo);
    let record = env.git(&repo, &["symbolic-ref", "--short", "HEAD"]);
    env.git(&repo, &["push", "-q", "origin", record.trim()]);
    let isms = |args: &[&str]| {
        env.isms(&repo)
            .env("GITHUB_API_URL", &sim.url)
            .env("GITHUB_REPOSITORY", "octocat/Hello-World")
            .env("GITHUB_TOKEN", "a-token")
            .args(args)
            .output()
            .unwrap()
    };

    // The lookup by head answers GitHub's example list, whose pull request
    // is edited, never duplicated; its reviewers are then requested.
    let out = isms(&[
        "reassess",
        "region-added",
        "--service",
        "payments-api",
        "--reason",
        "payments-api now also stores data in us-east-1",
        "--open-pr",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "https://github.com/octocat/Hello-World/pull/1347\n"
    );
    assert!(
        stderr.contains("updated pull request #1347 from isms/reassess/region-added/payments-api"),
        "{stderr}"
    );
    let pushed = env.git(
        &origin,
        &[
            "rev-parse",
            "--verify",
            "refs/heads/isms/reassess/region-added/payments-api",
        ],
    );
    assert_eq!(pushed.trim().len(), 40);

    // The pull request, its head and its reviews, read from GitHub's
    // examples into the approval notes.
    let out = isms(&["approvals", "record", "--no-push"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let merge = env.git(
        &repo,
        &["log", "--format=%H", "--grep=Merge pull request #12", "-1"],
    );
    let note = env.git(
        &repo,
        &[
            "notes",
            "--ref=refs/notes/isms/approvals",
            "show",
            merge.trim(),
        ],
    );
    assert!(
        note.contains("head = \"6dcb09b5b57875f334f61aebed695e2e4193db5e\"\n"),
        "{note}"
    );
    assert!(
        note.contains(
            "[[review]]\nlogin = \"octocat\"\nstate = \"APPROVED\"\nsubmitted_at = \"2019-11-17T17:43:43Z\"\ncommit = \"ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091\"\n"
        ),
        "{note}"
    );
}
