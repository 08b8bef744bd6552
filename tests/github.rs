//! Pull requests end to end: a real repository pushing to a real bare
//! `origin`, and a local server answering like GitHub's API that records
//! every request. Unexpected requests hit a catch-all that fails the test.

mod common;

use std::path::PathBuf;
use std::process::Output;

use common::{Env, read, write};
use serde_json::{Value, json};
use wiremock::matchers::{any, body_partial_json, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "ghp_isms7test7token7never7shown7x9Q";
const REPO: &str = "acme/compliance";
const BRANCH: &str = "isms/reassess/region-added/payments-api";

struct Gh {
    env: Env,
    repo: PathBuf,
    origin: PathBuf,
    server: MockServer,
    record: String,
}

impl Gh {
    async fn new() -> Gh {
        let env = Env::new();
        let repo = env.example("demo");
        let origin = env.origin(&repo);
        let record = env
            .git(&repo, &["symbolic-ref", "--short", "HEAD"])
            .trim()
            .to_owned();
        env.git(&repo, &["push", "-q", "origin", &record]);
        let server = MockServer::start().await;
        mount_catch_all(&server).await;
        Gh {
            env,
            repo,
            origin,
            server,
            record,
        }
    }

    /// Runs isms in the repository with GitHub pointed at the mock server.
    fn isms(&self, args: &[&str], token: bool) -> Output {
        self.isms_with(args, token, &[])
    }

    /// [`Gh::isms`] with more environment variables, set last (a timeout,
    /// another `GITHUB_API_URL`).
    fn isms_with(&self, args: &[&str], token: bool, env: &[(&str, &str)]) -> Output {
        let mut cmd = self.env.isms(&self.repo);
        cmd.env("GITHUB_API_URL", self.server.uri())
            .env("GITHUB_REPOSITORY", REPO)
            .envs(env.iter().copied())
            .args(args);
        if token {
            cmd.env("GITHUB_TOKEN", TOKEN);
        }
        let out = tokio::task::block_in_place(|| cmd.output().unwrap());
        for stream in [&out.stdout, &out.stderr] {
            assert!(
                !String::from_utf8_lossy(stream).contains(TOKEN),
                "the token was printed"
            );
        }
        out
    }

    fn add_region(&self, region: &str) {
        let file = "services/payments-api.toml";
        let text = read(&self.repo, file);
        let edited = text.replacen(
            "regions = [\"eu-west-1\"",
            &format!("regions = [\"eu-west-1\", \"{region}\""),
            1,
        );
        assert_ne!(edited, text);
        write(&self.repo, file, edited);
        self.env.git(
            &self.repo,
            &["commit", "-q", "-am", &format!("payments-api in {region}")],
        );
    }

    /// Commits on `branch` in origin, newest first.
    fn origin_log(&self, branch: &str) -> Vec<String> {
        let out = std::process::Command::new("git")
            .args([
                "--git-dir",
                self.origin.to_str().unwrap(),
                "log",
                "--format=%H %P",
                branch,
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn origin_has(&self, branch: &str) -> bool {
        std::process::Command::new("git")
            .args([
                "--git-dir",
                self.origin.to_str().unwrap(),
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("refs/heads/{branch}"),
            ])
            .output()
            .unwrap()
            .status
            .success()
    }

    /// `triggers detect --from HEAD~1 --open-pr` refused (exit 2): its stderr.
    fn open_pr_refused(&self) -> String {
        let out = self.isms(
            &["triggers", "detect", "--from", "HEAD~1", "--open-pr"],
            true,
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        stderr(&out)
    }

    async fn requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap_or_default()
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn body(r: &Request) -> Value {
    serde_json::from_slice(&r.body).unwrap_or(Value::Null)
}

fn pulls() -> String {
    format!("/repos/{REPO}/pulls")
}

/// Anything not mounted by a test is a failure.
async fn mount_catch_all(server: &MockServer) {
    Mock::given(any())
        .respond_with(ResponseTemplate::new(599))
        .with_priority(u8::MAX)
        .expect(0)
        .named("unexpected request")
        .mount(server)
        .await;
}

async fn mount_list(server: &MockServer, branch: &str, answer: Value) {
    Mock::given(method("GET"))
        .and(path(pulls()))
        .and(query_param("head", format!("acme:{branch}")))
        .and(query_param("state", "open"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .mount(server)
        .await;
}

async fn mount_reviewers(server: &MockServer, number: u64) {
    Mock::given(method("POST"))
        .and(path(format!("{}/{number}/requested_reviewers", pulls())))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"number": number})))
        .mount(server)
        .await;
}

fn pr(number: u64) -> Value {
    json!({"number": number, "html_url": format!("https://github.com/{REPO}/pull/{number}")})
}

/// The requests as `METHOD path?query`.
fn lines(requests: &[Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| {
            let q = r.url.query().map(|q| format!("?{q}")).unwrap_or_default();
            format!("{} {}{q}", r.method, r.url.path())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fired_trigger_opens_one_pull_request_and_a_rerun_updates_it() {
    let gh = Gh::new().await;
    gh.add_region("us-east-1");
    mount_list(&gh.server, BRANCH, json!([])).await;
    Mock::given(method("POST"))
        .and(path(pulls()))
        .respond_with(ResponseTemplate::new(201).set_body_json(pr(7)))
        .up_to_n_times(1)
        .mount(&gh.server)
        .await;
    mount_reviewers(&gh.server, 7).await;

    let out = gh.isms(
        &["triggers", "detect", "--from", "HEAD~1", "--open-pr"],
        true,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .ends_with(&format!("https://github.com/{REPO}/pull/7\n"))
    );
    assert!(stderr(&out).contains(&format!("opened pull request #7 from {BRANCH}")));

    let requests = gh.requests().await;
    assert_eq!(
        lines(&requests),
        [
            format!("GET /repos/{REPO}/pulls?state=open&head=acme:{BRANCH}"),
            format!("POST /repos/{REPO}/pulls"),
            format!("POST /repos/{REPO}/pulls/7/requested_reviewers"),
        ]
    );
    let auth = requests[0]
        .headers
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        auth.ends_with(TOKEN),
        "the token is sent to GitHub, and only there"
    );
    // Every request names the API version its answers are read as
    // (octocrab's default: an upgrade that moves it must be noticed).
    for r in &requests {
        assert_eq!(
            r.headers
                .get("x-github-api-version")
                .map(|v| v.to_str().unwrap()),
            Some("2022-11-28"),
            "{} {}",
            r.method,
            r.url
        );
    }
    let create = body(&requests[1]);
    assert_eq!(create["head"], BRANCH);
    assert_eq!(create["base"], gh.record.as_str());
    assert_eq!(
        create["title"],
        "Reassess payments-api: A service stores or processes data in a new region"
    );
    let text = create["body"].as_str().unwrap();
    assert!(
        text.contains("| `allocation:payments-api/CLD.6.3.1` | "),
        "{text}"
    );
    assert!(
        text.contains("+regions = [\"eu-west-1\", \"us-east-1\"]"),
        "a readable diff: {text}"
    );
    assert!(text.contains("-regions = [\"eu-west-1\"]"), "{text}");
    let reviewers = body(&requests[2]);
    assert!(
        !reviewers["reviewers"].as_array().unwrap().is_empty(),
        "{reviewers}"
    );

    // The branch is on origin, one commit on the record branch, with the
    // record file and the trailers; no local branch was made.
    let log = gh.origin_log(BRANCH);
    assert_eq!(log.len(), gh.origin_log(&gh.record).len() + 1);
    let tip = log[0].split(' ').next().unwrap().to_owned();
    let message = gh.env.git(&gh.repo, &["log", "-1", "--format=%B", &tip]);
    assert!(
        message.starts_with("reassess: region-added on payments-api\n"),
        "{message}"
    );
    assert!(message.contains("Reviewed: control:CLD.6.3.1\n"));
    assert!(message.contains("Reviewed: allocation:payments-api/CLD.6.3.1\n"));
    let record = gh.env.git(
        &gh.repo,
        &[
            "show",
            &format!("{tip}:reassessments/region-added/payments-api.toml"),
        ],
    );
    assert!(record.contains("trigger = \"region-added\""), "{record}");
    assert!(
        gh.env
            .git(&gh.repo, &["branch", "--list", "isms/*"])
            .trim()
            .is_empty()
    );
    assert_eq!(
        gh.env.git(&gh.repo, &["status", "--porcelain"]),
        "",
        "working tree untouched"
    );

    // Again: the same branch gets a new commit on top, the same PR is edited.
    gh.server.reset().await;
    mount_list(&gh.server, BRANCH, json!([pr(7)])).await;
    Mock::given(method("PATCH"))
        .and(path(format!("{}/7", pulls())))
        .respond_with(ResponseTemplate::new(200).set_body_json(pr(7)))
        .expect(1)
        .mount(&gh.server)
        .await;
    mount_reviewers(&gh.server, 7).await;
    mount_catch_all(&gh.server).await;
    let out = gh.isms(
        &["triggers", "detect", "--from", "HEAD~1", "--open-pr"],
        true,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("updated pull request #7"));
    let requests = gh.requests().await;
    assert_eq!(
        lines(&requests),
        [
            format!("GET /repos/{REPO}/pulls?state=open&head=acme:{BRANCH}"),
            format!("PATCH /repos/{REPO}/pulls/7"),
            format!("POST /repos/{REPO}/pulls/7/requested_reviewers"),
        ]
    );
    let again = gh.origin_log(BRANCH);
    assert_eq!(again.len(), log.len() + 1);
    assert!(
        again[0].ends_with(&tip),
        "the new commit's parent is the old tip: never a force-push"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_502_is_retried_and_a_422_already_exists_edits_the_open_one() {
    let gh = Gh::new().await;
    gh.add_region("us-east-1");
    Mock::given(method("GET"))
        .and(path(pulls()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&gh.server)
        .await;
    mount_list(&gh.server, BRANCH, json!([pr(9)])).await;
    Mock::given(method("POST"))
        .and(path(pulls()))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&gh.server)
        .await;
    Mock::given(method("POST"))
        .and(path(pulls()))
        .and(body_partial_json(json!({"head": BRANCH})))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "message": "Validation Failed",
            "errors": [{"resource": "PullRequest", "code": "custom", "message": "A pull request already exists for acme:isms/reassess/region-added/payments-api."}]
        })))
        .mount(&gh.server)
        .await;
    Mock::given(method("PATCH"))
        .and(path(format!("{}/9", pulls())))
        .respond_with(ResponseTemplate::new(200).set_body_json(pr(9)))
        .expect(1)
        .mount(&gh.server)
        .await;
    mount_reviewers(&gh.server, 9).await;
    let out = gh.isms(
        &["triggers", "detect", "--from", "HEAD~1", "--open-pr"],
        true,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("updated pull request #9"),
        "{}",
        stderr(&out)
    );
    let posts = lines(&gh.requests().await)
        .into_iter()
        .filter(|l| l == &format!("POST /repos/{REPO}/pulls"))
        .count();
    assert_eq!(posts, 2, "the 502 was retried once");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_persistent_500_is_exit_2_and_a_rerun_succeeds() {
    let gh = Gh::new().await;
    gh.add_region("us-east-1");
    mount_list(&gh.server, BRANCH, json!([])).await;
    Mock::given(method("POST"))
        .and(path(pulls()))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"message": "Server Error"})))
        .expect(4)
        .mount(&gh.server)
        .await;
    let out = gh.isms(
        &["triggers", "detect", "--from", "HEAD~1", "--open-pr"],
        true,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "error: POST /repos/{REPO}/pulls: GitHub answered 500: Server Error (tried 4 times)"
        )),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    assert!(
        gh.env
            .git(&gh.repo, &["branch", "--list", "isms/*"])
            .trim()
            .is_empty(),
        "no local branch left behind"
    );

    gh.server.reset().await;
    mount_list(&gh.server, BRANCH, json!([])).await;
    Mock::given(method("POST"))
        .and(path(pulls()))
        .respond_with(ResponseTemplate::new(201).set_body_json(pr(3)))
        .mount(&gh.server)
        .await;
    mount_reviewers(&gh.server, 3).await;
    let out = gh.isms(
        &["triggers", "detect", "--from", "HEAD~1", "--open-pr"],
        true,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("opened pull request #3"));
    assert_eq!(
        gh.origin_log(BRANCH).len(),
        gh.origin_log(&gh.record).len() + 2,
        "the rerun built on what was pushed"
    );
}

/// Mounts an empty pull-request list and a pull request `number` to open.
async fn mount_to_open(gh: &Gh, number: u64) {
    mount_list(&gh.server, BRANCH, json!([])).await;
    Mock::given(method("POST"))
        .and(path(pulls()))
        .respond_with(ResponseTemplate::new(201).set_body_json(pr(number)))
        .up_to_n_times(1)
        .mount(&gh.server)
        .await;
    mount_reviewers(&gh.server, number).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn after_its_pull_request_was_squashed_a_branch_proposes_only_the_new_change() {
    let gh = Gh::new().await;
    let detect = || {
        let out = gh.isms(
            &["triggers", "detect", "--from", "HEAD~1", "--open-pr"],
            true,
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        out
    };
    gh.add_region("us-east-1");
    mount_to_open(&gh, 7).await;
    detect();
    let old_tip = gh.origin_log(BRANCH)[0][..40].to_owned();

    // Pull request #7 is squashed onto the record branch; its branch stays
    // on origin, as GitHub leaves it unless told to delete it.
    let git = |args: &[&str]| gh.env.git(&gh.repo, args);
    git(&["fetch", "-q", "origin", BRANCH]);
    git(&["merge", "-q", "--squash", "FETCH_HEAD"]);
    git(&["commit", "-q", "-m", "Reassess payments-api (#7)"]);
    gh.add_region("ap-south-1");
    git(&["push", "-q", "origin", &gh.record]);
    let record_tip = git(&["rev-parse", "HEAD"]).trim().to_owned();

    gh.server.reset().await;
    mount_to_open(&gh, 8).await;
    let out = detect();
    assert!(stderr(&out).contains(&format!("opened pull request #8 from {BRANCH}")));
    assert_eq!(
        lines(&gh.requests().await),
        [
            format!("GET /repos/{REPO}/pulls?state=open&head=acme:{BRANCH}"),
            format!("POST /repos/{REPO}/pulls"),
            format!("POST /repos/{REPO}/pulls/8/requested_reviewers"),
        ]
    );
    // The new commit is on the record branch, with the old tip as its
    // second parent: nothing was force-pushed, and the pull request holds
    // the new record alone, which merges without a conflict.
    let log = gh.origin_log(BRANCH);
    let tip = &log[0][..40];
    assert_eq!(log[0], format!("{tip} {record_tip} {old_tip}"));
    assert_eq!(
        git(&["diff", "--name-only", &record_tip, tip]).trim(),
        "reassessments/region-added/payments-api.toml"
    );
    assert!(
        git(&[
            "show",
            &format!("{tip}:reassessments/region-added/payments-api.toml")
        ])
        .contains("ap-south-1")
    );
    git(&["merge-tree", "--write-tree", &record_tip, tip]);
    let message = git(&["log", "-1", "--format=%B", tip]);
    assert!(
        message.contains("Reviewed: allocation:payments-api/CLD.6.3.1\n"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_branch_pushed_to_meanwhile_is_never_overwritten_and_a_rerun_is_asked_for() {
    let gh = Gh::new().await;
    gh.add_region("us-east-1");
    mount_to_open(&gh, 7).await;
    let out = gh.isms(
        &["triggers", "detect", "--from", "HEAD~1", "--open-pr"],
        true,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Someone pushes to the branch after isms has fetched it: pushes go to
    // a copy of origin where the branch has moved on.
    let git = |args: &[&str]| gh.env.git(&gh.repo, args).trim().to_owned();
    let moved = gh.env.path().join("moved.git");
    let moved_url = moved.to_str().unwrap();
    git(&[
        "clone",
        "-q",
        "--bare",
        gh.origin.to_str().unwrap(),
        moved_url,
    ]);
    let tip = &gh.origin_log(BRANCH)[0][..40];
    let theirs = git(&[
        "commit-tree",
        &format!("{tip}^{{tree}}"),
        "-p",
        tip,
        "-m",
        "a fix of someone's",
    ]);
    git(&[
        "push",
        "-q",
        moved_url,
        &format!("{theirs}:refs/heads/{BRANCH}"),
    ]);
    git(&["config", "remote.origin.pushurl", moved_url]);

    gh.server.reset().await;
    mount_list(&gh.server, BRANCH, json!([pr(7)])).await;
    mount_catch_all(&gh.server).await;
    let out = gh.isms(
        &["triggers", "detect", "--from", "HEAD~1", "--open-pr"],
        true,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "\nerror: {BRANCH} was pushed to on origin while this ran, so nothing was pushed over it\n  caused by: ! [rejected] "
        )),
        "{err}"
    );
    assert!(
        err.ends_with("  hint: run this again: it builds on what was pushed\n"),
        "{err}"
    );
    assert_eq!(
        lines(&gh.requests().await),
        [format!(
            "GET /repos/{REPO}/pulls?state=open&head=acme:{BRANCH}"
        )]
    );
    let on_moved = gh.env.git(
        &gh.repo,
        &[
            "--git-dir",
            moved_url,
            "rev-parse",
            &format!("refs/heads/{BRANCH}"),
        ],
    );
    assert_eq!(on_moved.trim(), theirs, "their commit is kept");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_token_nothing_is_pushed_or_sent() {
    let gh = Gh::new().await;
    gh.add_region("us-east-1");
    let out = gh.isms(
        &["triggers", "detect", "--from", "HEAD~1", "--open-pr"],
        false,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("error: no GitHub token: set GITHUB_TOKEN or GH_TOKEN\n"),
        "{}",
        stderr(&out)
    );
    // The hint names the permissions a workflow's token needs.
    assert!(
        stderr(&out).contains(
            "with permissions contents: write and pull-requests: write (read is enough for verify-approvals)"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!gh.origin_has(BRANCH));
    assert!(gh.requests().await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trigger_that_does_not_fire_sends_nothing() {
    let gh = Gh::new().await;
    let file = "services/payments-api.toml";
    let text = read(&gh.repo, file);
    write(&gh.repo, file, format!("{text}# wording\n"));
    gh.env.git(&gh.repo, &["commit", "-q", "-am", "wording"]);
    let out = gh.isms(
        &["triggers", "detect", "--from", "HEAD~1", "--open-pr"],
        true,
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(gh.requests().await.is_empty());
    assert!(!gh.origin_has(BRANCH));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pull_request_body_fences_the_change_longer_than_any_fence_the_file_holds() {
    let gh = Gh::new().await;
    // A description that holds a fence, changed with the region.
    let file = "services/payments-api.toml";
    let text: String = read(&gh.repo, file)
        .lines()
        .filter(|l| !l.starts_with("description"))
        .map(|l| format!("{l}\n"))
        .collect();
    write(
        &gh.repo,
        file,
        format!("{text}description = \"\"\"\n```sh\nrun <tenant> checks\n```\n\"\"\"\n"),
    );
    gh.env.git(&gh.repo, &["commit", "-q", "-am", "notes"]);
    gh.add_region("us-east-1");
    mount_list(&gh.server, BRANCH, json!([])).await;
    Mock::given(method("POST"))
        .and(path(pulls()))
        .respond_with(ResponseTemplate::new(201).set_body_json(pr(7)))
        .mount(&gh.server)
        .await;
    mount_reviewers(&gh.server, 7).await;
    let out = gh.isms(
        &["triggers", "detect", "--from", "HEAD~2", "--open-pr"],
        true,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let requests = gh.requests().await;
    let create = requests
        .iter()
        .find(|r| r.method.as_str() == "POST" && r.url.path() == pulls())
        .map(body)
        .expect("a pull request was opened");
    let text = create["body"].as_str().unwrap();
    // The diff's fence outlasts the one the file holds, which stays inside.
    assert!(text.contains("\n````diff\n"), "{text}");
    assert!(
        text.contains("\n+```sh\n+run <tenant> checks\n+```\n"),
        "{text}"
    );
    assert!(text.ends_with("````\n\nApproving and merging this pull request records the reassessment: its commit carries a `Reviewed:` trailer for each item above.\n"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn reassess_by_hand_commits_locally_or_opens_a_pull_request() {
    let gh = Gh::new().await;
    let out = gh.isms(
        &[
            "reassess",
            "region-added",
            "--service",
            "payments-api",
            "--reason",
            "customer contract adds us-east-1",
        ],
        true,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        gh.requests().await.is_empty(),
        "no --open-pr: GitHub is not asked"
    );
    let local = gh.env.git(&gh.repo, &["log", "-1", "--format=%B", BRANCH]);
    assert!(
        local.contains("customer contract adds us-east-1\n\nReviewed: control:CLD.6.3.1\n"),
        "{local}"
    );
    assert_eq!(gh.env.git(&gh.repo, &["status", "--porcelain"]), "");

    let out = gh.isms(&["reassess", "nope", "--reason", "x"], true);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error: no trigger `nope` in triggers/\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn stale_opens_one_pull_request_per_owner_with_trailers() {
    let gh = Gh::new().await;
    let (code, v) = {
        let out = gh.isms(&["--format", "json", "stale"], false);
        (
            out.status.code(),
            serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        )
    };
    assert_eq!(code, Some(1));
    // A review settles an overdue or needs-change control, service or
    // allocation; evidence to collect, or a finding to close, it does not.
    let items = v["items"].as_array().unwrap();
    let settled = |i: &&Value| {
        ["overdue", "needs-change"].contains(&i["state"].as_str().unwrap())
            && !["evidence", "finding"].contains(&i["kind"].as_str().unwrap())
    };
    let owners_of = |keep: &dyn Fn(&&Value) -> bool| {
        let mut owners: Vec<String> = (items.iter().filter(keep))
            .map(|i| i["owner"].as_str().unwrap().to_owned())
            .collect();
        owners.sort();
        owners.dedup();
        owners
    };
    let owners = owners_of(&settled);
    assert!(!owners.is_empty());
    // dave's items all need evidence: no pull request asks him to review.
    let dave: Vec<&Value> = (items.iter())
        .filter(|i| i["owner"] == "dave" && i["state"] != "due")
        .collect();
    assert!(!dave.is_empty() && !dave.iter().any(settled), "{dave:?}");
    assert!(!owners.contains(&"dave".to_owned()));
    // alice has both kinds: control 5.35 lacks evidence, CLD.9.5.1 is overdue.
    let alice = |item: &str| {
        items
            .iter()
            .find(|i| i["owner"] == "alice" && i["item"] == item)
            .map(|i| i["state"].as_str().unwrap().to_owned())
    };
    assert_eq!(alice("control:5.35").as_deref(), Some("missing-evidence"));
    assert_eq!(alice("control:CLD.9.5.1").as_deref(), Some("overdue"));
    for (n, owner) in owners.iter().enumerate() {
        let number = 20 + n as u64;
        let branch = format!("isms/stale/{owner}");
        mount_list(&gh.server, &branch, json!([])).await;
        Mock::given(method("POST"))
            .and(path(pulls()))
            .and(body_partial_json(json!({"head": branch})))
            .respond_with(ResponseTemplate::new(201).set_body_json(pr(number)))
            .expect(1)
            .mount(&gh.server)
            .await;
        mount_reviewers(&gh.server, number).await;
    }
    let out = gh.isms(&["stale", "--open-prs"], true);
    assert_eq!(
        out.status.code(),
        Some(1),
        "still overdue: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains(
            "\nno pull request for dave (Dave Lindqvist): 3 items need evidence collected or a finding closed, which a review does not do (`isms stale --owner dave` lists them)\n"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!gh.origin_has("isms/stale/dave"));
    for owner in &owners {
        let branch = format!("isms/stale/{owner}");
        assert!(gh.origin_has(&branch), "{branch}");
        let message = gh.env.git(
            &gh.repo,
            &["log", "-1", "--format=%B", &format!("origin/{branch}")],
        );
        assert!(message.contains("\nReviewed: "), "{message}");
        // A trailer for each item a review settles, and for nothing else.
        let mut trailed: Vec<&str> = message
            .lines()
            .filter_map(|l| l.strip_prefix("Reviewed: "))
            .collect();
        trailed.sort();
        let mut wanted: Vec<&str> = (items.iter())
            .filter(|i| i["owner"] == owner.as_str() && settled(i))
            .map(|i| i["item"].as_str().unwrap())
            .collect();
        wanted.sort();
        wanted.dedup();
        assert_eq!(trailed, wanted, "{message}");
    }
    // alice's pull request lists what else she must do, untrailed.
    let created = gh.requests().await;
    let alice_pr = created
        .iter()
        .find(|r| {
            r.method.as_str() == "POST"
                && r.url.path() == pulls()
                && String::from_utf8_lossy(&r.body).contains("isms/stale/alice")
        })
        .unwrap();
    let body: Value = serde_json::from_slice(&alice_pr.body).unwrap();
    let body = body["body"].as_str().unwrap();
    assert!(
        body.contains(
            "\nAlso needs action, which a review does not settle (no trailer here):\n\n| Item | State | What to do |\n| --- | --- | --- |\n| `control:5.35` | missing-evidence: no current `independent-audit` evidence (needed every 1y) | collect it, and record it: `isms new evidence --control 5.35` |\n"
        ),
        "{body}"
    );
    let creates = gh
        .requests()
        .await
        .into_iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == pulls())
        .count();
    assert_eq!(creates, owners.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_shows_each_pull_request_and_commits_pushes_and_asks_nothing() {
    let gh = Gh::new().await;
    gh.add_region("us-east-1");
    let head = gh.env.git(&gh.repo, &["rev-parse", "HEAD"]);
    // No token is needed: GitHub is not asked.
    let out = gh.isms(
        &[
            "triggers",
            "detect",
            "--from",
            "HEAD~1",
            "--open-pr",
            "--dry-run",
        ],
        false,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    for line in [
        format!(
            "pull request from {BRANCH}: Reassess payments-api: A service stores or processes data in a new region\n"
        ),
        "writes: reassessments/region-added/payments-api.toml\n".to_owned(),
        "commit:\n    reassess: region-added on payments-api\n".to_owned(),
        "    Reviewed: allocation:payments-api/CLD.6.3.1\n".to_owned(),
        "body:\n".to_owned(),
        "    +regions = [\"eu-west-1\", \"us-east-1\"]\n".to_owned(),
    ] {
        assert!(shown.contains(&line), "{line:?} in {shown}");
    }
    assert!(
        stderr(&out).ends_with(
            "dry run: 1 pull request shown; nothing was committed or pushed, and GitHub was not asked\n"
        ),
        "{}",
        stderr(&out)
    );

    // The pull requests `stale --open-prs` would open, one per owner.
    let out = gh.isms(&["stale", "--open-prs", "--dry-run"], false);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    let owners = shown.matches("pull request from isms/stale/").count();
    assert!(owners > 1, "{shown}");
    assert!(
        shown.contains("pull request from isms/stale/alice: Review "),
        "{shown}"
    );
    assert!(shown.contains("\nreviewers: @alice-ng\n"), "{shown}");
    assert!(
        stderr(&out).ends_with(&format!(
            "dry run: {owners} pull requests shown; nothing was committed or pushed, and GitHub was not asked\n"
        )),
        "{}",
        stderr(&out)
    );

    // And the one `reassess` would open by hand.
    let out = gh.isms(
        &[
            "reassess",
            "region-added",
            "--service",
            "payments-api",
            "--reason",
            "moved to us-east-1",
            "--open-pr",
            "--dry-run",
        ],
        false,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        shown.starts_with(&format!(
            "\npull request from {BRANCH}: Reassess payments-api: "
        )),
        "{shown}"
    );
    assert!(shown.contains("\n    moved to us-east-1\n"), "{shown}");

    // Nothing was asked, pushed or committed.
    assert!(gh.requests().await.is_empty());
    assert!(!gh.origin_has(BRANCH));
    assert!(!gh.origin_has("isms/stale/alice"));
    assert_eq!(gh.env.git(&gh.repo, &["branch", "--list", "isms/*"]), "");
    assert_eq!(gh.env.git(&gh.repo, &["rev-parse", "HEAD"]), head);
    assert_eq!(gh.env.git(&gh.repo, &["status", "--porcelain"]), "");

    // A dry run is of the pull requests, and for people.
    let out = gh.isms(&["stale", "--dry-run"], false);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--open-prs"), "{}", stderr(&out));
    let out = gh.isms(
        &["--format", "json", "stale", "--open-prs", "--dry-run"],
        false,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: --format json is not for isms stale --dry-run: it writes human\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_approvals_reports_reviews_not_approved_by_an_owner() {
    let gh = Gh::new().await;
    // The example's history lands reviews through pull requests #12 and #15.
    Mock::given(method("GET"))
        .and(path(format!("{}/12/reviews", pulls())))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"user": {"login": "mallory"}, "state": "APPROVED"}
        ])))
        .mount(&gh.server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{}/15/reviews", pulls())))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"user": {"login": "alice-ng"}, "state": "APPROVED"},
            {"user": {"login": "bob-okafor"}, "state": "APPROVED"},
            {"user": {"login": "carol-diaz"}, "state": "APPROVED"},
            {"user": {"login": "dave-lq"}, "state": "APPROVED"}
        ])))
        .mount(&gh.server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(
            r"^/repos/acme/compliance/commits/[0-9a-f]{40}/pulls$",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&gh.server)
        .await;
    let out = gh.isms(&["--format", "json", "verify-approvals"], true);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let unapproved = v["unapproved"].as_array().unwrap();
    assert!(
        unapproved.iter().any(|u| u["pull_request"] == 12
            && u["message"]
                .as_str()
                .unwrap()
                .starts_with("pull request #12 was not approved by")
            && u["approved_by"] == json!(["mallory"])),
        "{v}"
    );
    assert!(!unapproved.iter().any(|u| u["pull_request"] == 15), "{v}");
}

/// With the first GET answered by a rate limit (mounted by the caller),
/// `triggers detect --open-pr` waits at least a second, as `header` asks,
/// asks again and opens the pull request.
async fn waits_for_then_opens_the_pull_request(gh: &Gh, header: &str) {
    mount_list(&gh.server, BRANCH, json!([])).await;
    Mock::given(method("POST"))
        .and(path(pulls()))
        .respond_with(ResponseTemplate::new(201).set_body_json(pr(5)))
        .mount(&gh.server)
        .await;
    mount_reviewers(&gh.server, 5).await;
    let started = std::time::Instant::now();
    let out = gh.isms(
        &["triggers", "detect", "--from", "HEAD~1", "--open-pr"],
        true,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "{header} was honoured"
    );
    let gets = lines(&gh.requests().await)
        .into_iter()
        .filter(|l| l.starts_with("GET "))
        .count();
    assert_eq!(gets, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secondary_rate_limit_waits_for_retry_after_and_goes_on() {
    let gh = Gh::new().await;
    gh.add_region("us-east-1");
    Mock::given(method("GET"))
        .and(path(pulls()))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("retry-after", "1")
                .set_body_json(json!({"message": "You have exceeded a secondary rate limit."})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&gh.server)
        .await;
    waits_for_then_opens_the_pull_request(&gh, "retry-after").await;
}

/// A 403 saying the token's rate limit is used up, renewed `in_secs` from now.
async fn mount_rate_limit_used_up(gh: &Gh, in_secs: i64) {
    let reset = chrono::Utc::now().timestamp() + in_secs;
    Mock::given(method("GET"))
        .and(path(pulls()))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("x-ratelimit-limit", "5000")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", reset.to_string().as_str())
                .set_body_json(json!({"message": "API rate limit exceeded for user ID 1."})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&gh.server)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limit_used_up_is_waited_for_only_when_it_is_renewed_soon() {
    // Renewed in two seconds: isms waits for it, then goes on.
    let gh = Gh::new().await;
    gh.add_region("us-east-1");
    mount_rate_limit_used_up(&gh, 2).await;
    waits_for_then_opens_the_pull_request(&gh, "x-ratelimit-reset").await;

    // Renewed in an hour: asked once, not again, and the user is told when.
    let gh = Gh::new().await;
    gh.add_region("us-east-1");
    mount_rate_limit_used_up(&gh, 3600).await;
    let err = gh.open_pr_refused();
    assert!(err.contains(": GitHub asks to wait until 20"), "{err}");
    assert!(
        err.contains(" UTC before it is sent again, so it was not (GitHub answered 403: API rate limit exceeded for user ID 1.)\n"),
        "{err}"
    );
    assert!(
        err.contains("hint: nothing was changed locally; run the command again after 20"),
        "{err}"
    );
    assert_eq!(lines(&gh.requests().await).len(), 1, "asked once");
    let branches = gh.env.git(&gh.origin, &["branch", "--list", "isms/*"]);
    assert_eq!(branches, "", "nothing was pushed");

    // A secondary rate limit that gives no time: not blamed on the token.
    let gh = Gh::new().await;
    gh.add_region("us-east-1");
    Mock::given(method("GET"))
        .and(path(pulls()))
        .respond_with(ResponseTemplate::new(403).set_body_json(
            json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}),
        ))
        .mount(&gh.server)
        .await;
    let err = gh.open_pr_refused();
    assert!(
        err.contains("403: You have exceeded a secondary rate limit."),
        "{err}"
    );
    assert!(
        err.contains("hint: GitHub limits how fast a token may ask, and gave no time to wait for; nothing was changed locally: wait a few minutes, then run the command again\n"),
        "{err}"
    );
    assert!(!err.contains("lack access"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_approvals_since_a_revision_checks_only_later_reviews() {
    let gh = Gh::new().await;
    let out = gh.isms(&["verify-approvals", "--since", "HEAD"], true);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "0 reviews in 0 pull requests checked: every one approved by an owner\n"
    );
    assert!(gh.requests().await.is_empty());
    let out = gh.isms(&["verify-approvals", "--since", "nope"], true);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error: --since nope: not a revision in this repository\n"));
}

/// The example's landing commits with reviews, by subject start.
fn landing(gh: &Gh, subject: &str) -> String {
    gh.env
        .git(&gh.repo, &["log", "--first-parent", "--format=%H %s"])
        .lines()
        .find_map(|l| {
            let (sha, s) = l.split_once(' ')?;
            s.starts_with(subject).then(|| sha.to_owned())
        })
        .unwrap_or_else(|| panic!("no landing `{subject}`"))
}

/// GitHub's answers for the example's pull requests: #12 approved only by
/// someone who owns nothing; #15 approved by alice, by dave (for the
/// platform team, with a later comment), and by bob, who then requested
/// changes. The two reviews committed straight to the branch have none.
async fn mount_approvals(gh: &Gh) {
    let review = |login: &str, state: &str, at: &str, commit: &str| json!({"id": 1, "user": {"login": login}, "state": state, "submitted_at": at, "commit_id": commit, "body": ""});
    let head12 = "1".repeat(40);
    let head15 = "5".repeat(40);
    for (n, head, reviews) in [
        (
            12,
            &head12,
            json!([review(
                "mallory",
                "APPROVED",
                "2026-11-09T09:00:00Z",
                &head12
            )]),
        ),
        (
            15,
            &head15,
            json!([
                review("alice-ng", "APPROVED", "2026-11-20T09:00:00Z", &head15),
                review("bob-okafor", "APPROVED", "2026-11-20T10:00:00Z", &head15),
                review("dave-lq", "APPROVED", "2026-11-20T11:00:00Z", &head15),
                review("bob-okafor", "CHANGES_REQUESTED", "2026-11-21T09:00:00Z", &head15),
                review("dave-lq", "COMMENTED", "2026-11-21T10:00:00Z", &head15),
                {"id": 9, "user": {"login": "carol-diaz"}, "state": "PENDING", "commit_id": head15}
            ]),
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("{}/{n}", pulls())))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"number": n, "state": "closed", "head": {"sha": head, "ref": "x"}}),
            ))
            .mount(&gh.server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("{}/{n}/reviews", pulls())))
            .respond_with(ResponseTemplate::new(200).set_body_json(reviews))
            .mount(&gh.server)
            .await;
    }
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(
            r"^/repos/acme/compliance/commits/[0-9a-f]{40}/pulls$",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&gh.server)
        .await;
}

fn origin_ref(gh: &Gh, name: &str) -> Option<String> {
    let out = std::process::Command::new("git")
        .args([
            "--git-dir",
            gh.origin.to_str().unwrap(),
            "rev-parse",
            "--verify",
            "--quiet",
            name,
        ])
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn approvals_are_recorded_as_notes_and_verified_offline() {
    let gh = Gh::new().await;
    mount_approvals(&gh).await;
    let merge12 = landing(&gh, "Merge pull request #12");
    let squash15 = landing(&gh, "Quarterly logging review (#15)");
    let direct = [
        landing(&gh, "review: event logging"),
        landing(&gh, "review: CLD.9.5.1"),
    ];

    let out = gh.isms(&["approvals", "record"], true);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).ends_with(
            "recorded the approvals of 2 landings (#12, #15); 0 had a note already; pushed refs/notes/isms/approvals to origin\n"
        ),
        "{}",
        stderr(&out)
    );
    // Exactly these requests, all reads.
    let mut sent = lines(&gh.requests().await);
    sent.sort();
    let mut want = vec![
        format!("GET /repos/{REPO}/pulls/12"),
        format!("GET /repos/{REPO}/pulls/12/reviews?per_page=100&page=1"),
        format!("GET /repos/{REPO}/pulls/15"),
        format!("GET /repos/{REPO}/pulls/15/reviews?per_page=100&page=1"),
        format!("GET /repos/{REPO}/commits/{}/pulls", direct[0]),
        format!("GET /repos/{REPO}/commits/{}/pulls", direct[1]),
    ];
    want.sort();
    assert_eq!(sent, want);
    // The note on the merge commit of #12, as an auditor reads it.
    let note = gh.env.git(
        &gh.repo,
        &["notes", "--ref", "isms/approvals", "show", &merge12],
    );
    assert_eq!(
        note,
        format!(
            "# isms approvals v1\npull_request = 12\nhead = \"{h}\"\n\n[[review]]\nlogin = \"mallory\"\n\
             state = \"APPROVED\"\nsubmitted_at = \"2026-11-09T09:00:00Z\"\ncommit = \"{h}\"\n",
            h = "1".repeat(40)
        )
    );
    let note15 = gh.env.git(
        &gh.repo,
        &["notes", "--ref", "isms/approvals", "show", &squash15],
    );
    assert_eq!(
        note15.matches("[[review]]").count(),
        5,
        "a pending review is not submitted: {note15}"
    );
    // Pushed to origin, as it is here.
    let local = gh
        .env
        .git(&gh.repo, &["rev-parse", "refs/notes/isms/approvals"]);
    assert_eq!(
        origin_ref(&gh, "refs/notes/isms/approvals").as_deref(),
        Some(local.trim())
    );

    // A second run keeps every note and asks nothing of the pull requests again.
    let before = gh.requests().await.len();
    let out = gh.isms(&["approvals", "record"], true);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("recorded the approvals of 0 landings; 2 had a note already"),
        "{}",
        stderr(&out)
    );
    let again = lines(&gh.requests().await[before..]);
    assert!(again.iter().all(|l| l.contains("/commits/")), "{again:?}");
    assert_eq!(
        gh.env
            .git(&gh.repo, &["rev-parse", "refs/notes/isms/approvals"]),
        local
    );
    // The same in JSON, for a workflow to read.
    let out = gh.isms(
        &["--format", "json", "approvals", "record", "--no-push"],
        true,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["branch"], gh.record.as_str());
    assert_eq!(v["recorded"], json!([]));
    assert_eq!(v["kept"], 2);
    assert_eq!(v["pushed"], false);

    // Offline: no token, and GitHub unreachable.
    let before = gh.requests().await.len();
    let out = tokio::task::block_in_place(|| {
        gh.env
            .isms(&gh.repo)
            .env("GITHUB_API_URL", "http://127.0.0.1:9")
            .args(["--format", "json", "verify-approvals", "--offline"])
            .output()
            .unwrap()
    });
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(gh.requests().await.len(), before, "offline asks nothing");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got: Vec<(String, String)> = v["unapproved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["item"].as_str().unwrap().to_owned(),
                u["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    got.sort();
    let no_pr = "landed without a pull request: no approval note records one";
    let s = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    assert_eq!(
        got,
        [
            s(
                "allocation:northwind-compute/CLD.9.5.1",
                "pull request #12 was not approved by platform"
            ),
            s(
                "allocation:payments-api/8.15",
                "pull request #15 was not approved by bob"
            ),
            s("allocation:payments-api/CLD.9.5.1", no_pr),
            s(
                "allocation:tenant-db/CLD.9.5.1",
                "pull request #12 was not approved by platform"
            ),
            s("control:8.15", no_pr),
            s("control:CLD.9.5.1", no_pr),
        ]
    );
    assert_eq!(v["pull_requests"], 2);
    // The closing line tells the reviews no pull request landed from those
    // an owner did not approve.
    assert_eq!(
        stderr(&out),
        format!(
            "{} reviews in 2 pull requests checked: 6 not approved by an owner (3 landed without a pull request)\n",
            v["reviews"]
        )
    );

    // isms log says who approved.
    let out = gh.isms(
        &["--format", "json", "log", "allocation:tenant-db/8.15"],
        false,
    );
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        log["reviews"][0]["approved_by"],
        json!(["alice-ng", "dave-lq"]),
        "{log}"
    );
    let out = gh.isms(&["log", "allocation:tenant-db/8.15"], false);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().next().unwrap().contains("APPROVED BY"),
        "{text}"
    );
    assert!(text.contains("#15     alice-ng, dave-lq"), "{text}");
    // And CSV, the logins space-separated in one field.
    let out = gh.isms(
        &["--format", "csv", "log", "allocation:tenant-db/8.15"],
        false,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let row = text.lines().nth(1).unwrap();
    assert!(
        row.ends_with(
            ",15,alice-ng dave-lq,\"replica logs are kept 30 days, policy says 12 months\""
        ),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_that_cannot_be_read_writes_no_note() {
    let gh = Gh::new().await;
    Mock::given(method("GET"))
        .and(path(format!("{}/12", pulls())))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"number": 12, "head": {"sha": "1".repeat(40)}})),
        )
        .mount(&gh.server)
        .await;
    // A reviews list that is not a list.
    Mock::given(method("GET"))
        .and(path(format!("{}/12/reviews", pulls())))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"reviews": "soon"})))
        .mount(&gh.server)
        .await;
    for n in [15] {
        Mock::given(method("GET"))
            .and(path(format!("{}/{n}", pulls())))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"number": n, "head": {"sha": "5".repeat(40)}})),
            )
            .mount(&gh.server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("{}/{n}/reviews", pulls())))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .mount(&gh.server)
            .await;
    }
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(
            r"^/repos/acme/compliance/commits/[0-9a-f]{40}/pulls$",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>proxy error</html>"))
        .mount(&gh.server)
        .await;
    let out = gh.isms(&["approvals", "record"], true);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("was not understood"),
        "{}",
        stderr(&out)
    );
    let local = std::process::Command::new("git")
        .arg("-C")
        .arg(&gh.repo)
        .args([
            "rev-parse",
            "--verify",
            "--quiet",
            "refs/notes/isms/approvals",
        ])
        .output()
        .unwrap();
    assert!(!local.status.success(), "no note was written");
    assert_eq!(origin_ref(&gh, "refs/notes/isms/approvals"), None);
    // Online verification refuses the same answer rather than count it as "no approvals".
    let out = gh.isms(&["verify-approvals"], true);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_github_that_never_answers_is_exit_2_within_the_timeout() {
    let gh = Gh::new().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(600)))
        .mount(&gh.server)
        .await;
    let started = std::time::Instant::now();
    let out = gh.isms_with(&["verify-approvals"], true, &[("ISMS_GITHUB_TIMEOUT", "1")]);
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("GitHub did not answer within 1 s (ISMS_GITHUB_TIMEOUT) (tried 4 times)"),
        "{}",
        stderr(&out)
    );
    // Four attempts of a second, and the backoff between them.
    assert!(took < std::time::Duration::from_secs(30), "{took:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_github_that_cannot_be_reached_is_named_by_what_went_wrong() {
    let gh = Gh::new().await;
    // A port that was free a moment ago: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let api = format!("http://{closed}");
    let out = gh.isms_with(&["verify-approvals"], true, &[("GITHUB_API_URL", &api)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("could not reach GitHub: Connection refused")
            && err.contains("(tried 4 times)"),
        "{err}"
    );
    assert!(
        !err.contains("client error") && !err.contains(TOKEN),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_remote_that_stalls_is_given_up_after_the_timeout_and_nothing_is_opened() {
    let gh = Gh::new().await;
    mount_list(
        &gh.server,
        "isms/reassess/region-added/payments-api",
        json!([]),
    )
    .await;
    // An HTTP remote that takes connections and never answers.
    let stalling = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = stalling.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in stalling.incoming() {
            held.push(conn);
        }
    });
    gh.env.git(
        &gh.repo,
        &[
            "remote",
            "set-url",
            "origin",
            &format!("http://{address}/acme/compliance.git"),
        ],
    );
    let started = std::time::Instant::now();
    let out = gh.isms_with(
        &[
            "reassess",
            "region-added",
            "--service",
            "payments-api",
            "--reason",
            "x",
            "--open-pr",
        ],
        true,
        &[("ISMS_GITHUB_TIMEOUT", "2")],
    );
    let took = started.elapsed();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("git ls-remote --heads origin"), "{err}");
    assert!(err.contains("too slow"), "{err}");
    assert!(took < std::time::Duration::from_secs(20), "{took:?}");
    // Only the question whether a pull request is open: none is opened.
    assert!(
        lines(&gh.requests().await)
            .iter()
            .all(|l| l.starts_with("GET ")),
        "{:?}",
        lines(&gh.requests().await)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_too_large_to_be_a_page_is_not_read_and_nothing_is_pushed() {
    let gh = Gh::new().await;
    gh.add_region("us-east-1");
    // 40 MiB, as a GITHUB_API_URL pointing at the wrong server might send.
    let huge = format!("[{}]", " ".repeat(40 << 20));
    Mock::given(method("GET"))
        .and(path(pulls()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(huge, "application/json"))
        .mount(&gh.server)
        .await;
    let out = gh.isms(
        &["triggers", "detect", "--from", "HEAD~1", "--open-pr"],
        true,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "error: GitHub's answer to GET /repos/{REPO}/pulls?state=open&head=acme:{BRANCH} is over 32 MiB, so it was not read\n"
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(lines(&gh.requests().await).len(), 1, "asked once");
    assert!(!gh.origin_has(BRANCH), "nothing was pushed");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreadable_pull_request_list_is_exit_2_before_anything_is_pushed() {
    let gh = Gh::new().await;
    gh.add_region("us-east-1");
    let before = gh.origin_log(&gh.record);
    // A list that is not a list: never taken as "no pull request yet".
    Mock::given(method("GET"))
        .and(path(pulls()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"total_count": 0})))
        .mount(&gh.server)
        .await;
    let out = gh.isms(
        &["triggers", "detect", "--from", "HEAD~1", "--open-pr"],
        true,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("was not understood"),
        "{}",
        stderr(&out)
    );
    assert!(!gh.origin_has(BRANCH), "nothing was pushed");
    assert_eq!(gh.origin_log(&gh.record), before);
    let sent = lines(&gh.requests().await);
    assert!(
        sent.iter().all(|l| l.starts_with("GET ")),
        "nothing created: {sent:?}"
    );

    // GitHub unreachable: nothing is pushed either.
    let out = tokio::task::block_in_place(|| {
        gh.env
            .isms(&gh.repo)
            .env("GITHUB_API_URL", "http://127.0.0.1:9")
            .env("GITHUB_REPOSITORY", REPO)
            .env("GITHUB_TOKEN", TOKEN)
            .args(["stale", "--open-prs"])
            .output()
            .unwrap()
    });
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let branches = std::process::Command::new("git")
        .args([
            "--git-dir",
            gh.origin.to_str().unwrap(),
            "branch",
            "--list",
            "isms/*",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&branches.stdout),
        "",
        "no isms/ branch was pushed"
    );
}

/// The requests for pull request #12's reviews, as `METHOD path?query`.
async fn reviews_of_12_asked(gh: &Gh) -> Vec<String> {
    lines(&gh.requests().await)
        .into_iter()
        .filter(|l| l.contains("/pulls/12/reviews"))
        .collect()
}

/// Reviews approving the example's items by each of their owners.
fn every_owner_approves() -> Value {
    json!([
        {"user": {"login": "alice-ng"}, "state": "APPROVED"},
        {"user": {"login": "bob-okafor"}, "state": "APPROVED"},
        {"user": {"login": "carol-diaz"}, "state": "APPROVED"},
        {"user": {"login": "dave-lq"}, "state": "APPROVED"}
    ])
}

/// Mounts pull request #15 approved by every owner, and no pull request
/// for a commit: what the paging tests below leave as it is.
async fn mount_approved_15(gh: &Gh) {
    Mock::given(method("GET"))
        .and(path(format!("{}/15/reviews", pulls())))
        .respond_with(ResponseTemplate::new(200).set_body_json(every_owner_approves()))
        .mount(&gh.server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(
            r"^/repos/acme/compliance/commits/[0-9a-f]{40}/pulls$",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&gh.server)
        .await;
}

/// The pull requests `verify-approvals` finds not approved by an owner (the
/// example's reviews that landed without one make its exit 1 regardless).
fn unapproved_pulls(gh: &Gh) -> Vec<u64> {
    let out = gh.isms(&["--format", "json", "verify-approvals"], true);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["unapproved"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["pull_request"].as_u64())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn reviews_on_a_later_page_are_read_where_the_link_header_points() {
    let gh = Gh::new().await;
    mount_approved_15(&gh).await;
    // Page 1 holds one review, not a full page: only its `link` header says
    // there is more, at a cursor rather than a page number.
    let reviews = format!("/repos/{REPO}/pulls/12/reviews");
    let next = format!(
        "{}{reviews}?per_page=100&after=Y3Vyc29yOjE%3D",
        gh.server.uri()
    );
    Mock::given(method("GET"))
        .and(path(reviews.clone()))
        .and(query_param("page", "1"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "link",
                    format!(r#"<{next}>; rel="next", <{next}>; rel="last""#).as_str(),
                )
                .set_body_json(json!([{"user": {"login": "mallory"}, "state": "COMMENTED"}])),
        )
        .mount(&gh.server)
        .await;
    Mock::given(method("GET"))
        .and(path(reviews.clone()))
        .and(query_param("after", "Y3Vyc29yOjE="))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "link",
                    format!(
                        r#"<{}{reviews}?per_page=100&page=1>; rel="first""#,
                        gh.server.uri()
                    )
                    .as_str(),
                )
                .set_body_json(every_owner_approves()),
        )
        .mount(&gh.server)
        .await;
    assert_eq!(
        unapproved_pulls(&gh),
        Vec::<u64>::new(),
        "#12 was approved on its later page"
    );
    let asked = reviews_of_12_asked(&gh).await;
    assert_eq!(
        asked,
        [
            format!("GET {reviews}?per_page=100&page=1"),
            format!("GET {reviews}?per_page=100&after=Y3Vyc29yOjE%3D"),
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_page_without_links_is_followed_by_the_next_page_number() {
    let gh = Gh::new().await;
    mount_approved_15(&gh).await;
    let reviews = format!("/repos/{REPO}/pulls/12/reviews");
    let comments: Vec<Value> = (0..100)
        .map(|_| json!({"user": {"login": "mallory"}, "state": "COMMENTED"}))
        .collect();
    Mock::given(method("GET"))
        .and(path(reviews.clone()))
        .and(query_param("page", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(comments))
        .mount(&gh.server)
        .await;
    Mock::given(method("GET"))
        .and(path(reviews.clone()))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(every_owner_approves()))
        .mount(&gh.server)
        .await;
    assert_eq!(
        unapproved_pulls(&gh),
        Vec::<u64>::new(),
        "#12 was approved on its later page"
    );
    let pages = reviews_of_12_asked(&gh).await.len();
    assert_eq!(pages, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_next_page_elsewhere_or_already_read_is_refused_and_nothing_is_written() {
    let reviews = format!("/repos/{REPO}/pulls/12/reviews");
    for (case, next, why) in [
        (
            "another host",
            format!("http://203.0.113.9{reviews}?page=2"),
            ", outside GITHUB_API_URL (",
        ),
        (
            "the same page",
            format!("{reviews}?per_page=100&page=1"),
            ", a page already read: not followed",
        ),
    ] {
        let gh = Gh::new().await;
        mount_approved_15(&gh).await;
        for (n, digit) in [(12, "1"), (15, "5")] {
            Mock::given(method("GET"))
                .and(path(format!("{}/{n}", pulls())))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(json!({"number": n, "head": {"sha": digit.repeat(40)}})),
                )
                .mount(&gh.server)
                .await;
        }
        let next = if next.starts_with('/') {
            format!("{}{next}", gh.server.uri())
        } else {
            next
        };
        Mock::given(method("GET"))
            .and(path(reviews.clone()))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("link", format!(r#"<{next}>; rel="next""#).as_str())
                    .set_body_json(json!([{"user": {"login": "alice-ng"}, "state": "APPROVED"}])),
            )
            .mount(&gh.server)
            .await;
        let out = gh.isms(&["approvals", "record"], true);
        assert_eq!(out.status.code(), Some(2), "{case}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "GitHub's answer to GET {reviews}?per_page=100&page=1 links its next page to"
            )) && err.contains(why),
            "{case}: {err}"
        );
        assert_eq!(origin_ref(&gh, "refs/notes/isms/approvals"), None, "{case}");
        let asked = reviews_of_12_asked(&gh).await.len();
        assert_eq!(asked, 1, "{case}: the link was not followed");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_says_what_access_is_missing_and_on_which_repository() {
    let gh = Gh::new().await;
    // A repository the token cannot see: GitHub answers 404 to reads.
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(r"^/repos/acme/compliance/"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "message": "Not Found",
            "documentation_url": "https://docs.github.com/rest",
            "status": "404"
        })))
        .mount(&gh.server)
        .await;
    let out = gh.isms(&["verify-approvals"], true);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "  hint: GitHub shows no such thing to this token: check that the repository is \
             acme/compliance (GITHUB_REPOSITORY, repository under [github] in isms.toml, or the \
             origin remote) and that the token has contents and pull-requests read on it\n"
        ),
        "{}",
        stderr(&out)
    );

    // A token that may read but not write: 403 to opening a pull request.
    let gh = Gh::new().await;
    gh.add_region("us-east-1");
    mount_list(&gh.server, BRANCH, json!([])).await;
    Mock::given(method("POST"))
        .and(path(pulls()))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "message": "Resource not accessible by integration",
            "status": "403"
        })))
        .mount(&gh.server)
        .await;
    let said = gh.open_pr_refused();
    assert!(
        said.contains(": 403: Resource not accessible by integration\n"),
        "{said}"
    );
    assert!(
        said.contains(
            "  hint: the token may lack access: this needs contents and pull-requests write on acme/compliance\n"
        ),
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_repository_that_is_not_owner_slash_name_is_refused_before_anything_is_asked() {
    let gh = Gh::new().await;
    gh.add_region("us-east-1");
    for value in ["compliance", "https://github.com/acme/compliance"] {
        let out = gh.isms_with(
            &["triggers", "detect", "--from", "HEAD~1", "--open-pr"],
            true,
            &[("GITHUB_REPOSITORY", value)],
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!(
                "error: GITHUB_REPOSITORY: `{value}` is not a GitHub repository: expected OWNER/NAME\n  \
                 hint: GitHub Actions sets it as owner/name, e.g. example/isms\n"
            )),
            "{}",
            stderr(&out)
        );
    }
    // Nor is a remote that is not on GitHub taken for a repository on it
    // (with GITHUB_API_URL naming a server of its own, it would be).
    let origin = gh.origin.to_str().unwrap();
    gh.env.git(
        &gh.repo,
        &[
            "remote",
            "set-url",
            "origin",
            "git@gitlab.com:acme/compliance.git",
        ],
    );
    gh.env
        .git(&gh.repo, &["remote", "set-url", "--push", "origin", origin]);
    let out = gh.isms_with(
        &["triggers", "detect", "--from", "HEAD~1", "--open-pr"],
        true,
        &[("GITHUB_REPOSITORY", ""), ("GITHUB_API_URL", "")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "error: which GitHub repository this is is not known: origin is on gitlab.com, not github.com\n  \
             hint: set GITHUB_REPOSITORY=owner/name, or repository under [github] in isms.toml; \
             for GitHub Enterprise Server, set GITHUB_API_URL too\n"
        ),
        "{}",
        stderr(&out)
    );
    assert!(gh.requests().await.is_empty(), "GitHub was asked");
    assert_eq!(origin_ref(&gh, &format!("refs/heads/{BRANCH}")), None);
}
