//! The only code that talks to GitHub: pull requests, review requests and
//! reviews, through octocrab, with bounded retries.
//!
//! `GITHUB_API_URL`, `GITHUB_TOKEN` (or `GH_TOKEN`) and `GITHUB_REPOSITORY`
//! are honoured as GitHub Actions sets them. The token is never printed: every
//! message this module makes is scrubbed of it before it leaves.

pub mod proposal;
pub mod reassessment;

use std::time::Duration;

use octocrab::Octocrab;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{Error, Result};

/// Attempts per request: the first and three retries.
const ATTEMPTS: u32 = 4;
/// The first retry's wait; doubled for each further one.
const BACKOFF: Duration = Duration::from_millis(500);
/// The longest `retry-after` honoured; GitHub asks for up to a minute.
const MAX_WAIT: Duration = Duration::from_secs(60);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long each read or write of an answer may take, unless
/// `ISMS_GITHUB_TIMEOUT` (seconds) says otherwise.
const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// The most of one answer read: GitHub's largest pages are a few MiB.
const MAX_ANSWER_BYTES: usize = 32 << 20;
/// Items asked for per page of a list; GitHub's largest.
const PER_PAGE: usize = 100;
/// The most pages of one list read: 10,000 reviews of one pull request.
const MAX_PAGES: usize = 100;

/// The read and write timeout: `ISMS_GITHUB_TIMEOUT` seconds, or [`IO_TIMEOUT`].
fn io_timeout() -> Result<Duration> {
    match std::env::var("ISMS_GITHUB_TIMEOUT") {
        Err(_) => Ok(IO_TIMEOUT),
        Ok(v) => match v.trim().parse::<u64>() {
            Ok(secs) if secs > 0 => Ok(Duration::from_secs(secs)),
            _ => Err(Error::new(format!(
                "ISMS_GITHUB_TIMEOUT={v}: expected a whole number of seconds, at least 1"
            ))),
        },
    }
}

/// An open pull request.
#[derive(Clone, Debug, Deserialize)]
pub struct PullRequest {
    pub number: u64,
    pub html_url: String,
}

/// A pull request, as far as approvals need it.
#[derive(Clone, Debug, Deserialize)]
pub struct PullDetail {
    pub number: u64,
    pub head: Head,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Head {
    pub sha: String,
}

/// A review of a pull request. `user` is null for a deleted account;
/// `submitted_at` for a pending one.
#[derive(Clone, Debug, Deserialize)]
pub struct PrReview {
    pub user: Option<User>,
    pub state: String,
    #[serde(default)]
    pub submitted_at: Option<String>,
    #[serde(default)]
    pub commit_id: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct User {
    pub login: String,
}

/// One answer of GitHub's: its status, its JSON body (null when it is not
/// JSON), and its `link` header, where GitHub says where the next page is.
struct Answer {
    status: u16,
    value: Value,
    link: Option<String>,
}

pub struct GitHub {
    client: Octocrab,
    /// `GITHUB_API_URL`: where every request goes, and the only place a
    /// `link` to a next page is followed.
    api: http::Uri,
    runtime: tokio::runtime::Runtime,
    token: String,
    /// The read and write timeout of each attempt.
    timeout: Duration,
    /// `owner/name`.
    pub repository: String,
}

/// `owner/name` from `GITHUB_REPOSITORY`, the settings, or the origin remote.
fn repository(configured: Option<&str>, origin_url: Option<&str>) -> Result<String> {
    use crate::model::github_repository_problem;
    if let Some(r) = std::env::var("GITHUB_REPOSITORY")
        .ok()
        .filter(|r| !r.is_empty())
    {
        return match github_repository_problem(&r) {
            None => Ok(r),
            Some(problem) => Err(Error::new(format!("GITHUB_REPOSITORY: {problem}"))
                .hint("GitHub Actions sets it as owner/name, e.g. example/isms")),
        };
    }
    if let Some(r) = configured.filter(|r| !r.is_empty()) {
        return match github_repository_problem(r) {
            None => Ok(r.to_owned()),
            Some(problem) => Err(
                Error::new(format!("isms.toml: [github] repository: {problem}"))
                    .hint("write it as owner/name, e.g. repository = \"example/isms\""),
            ),
        };
    }
    let unknown = || {
        Error::new("which GitHub repository this is is not known")
            .hint("set GITHUB_REPOSITORY=owner/name, or repository under [github] in isms.toml")
    };
    let (host, slug) = origin_url.and_then(slug_of_url).ok_or_else(unknown)?;
    // Against github.com, a remote elsewhere (GitLab, Bitbucket) names no
    // repository on it; with GITHUB_API_URL set (GitHub Enterprise Server),
    // the remote's host is the server's own.
    let api_is_github_com = std::env::var("GITHUB_API_URL").map_or(true, |u| u.is_empty());
    if api_is_github_com && !host.eq_ignore_ascii_case("github.com") {
        return Err(Error::new(format!(
            "which GitHub repository this is is not known: origin is on {host}, not github.com"
        ))
        .hint("set GITHUB_REPOSITORY=owner/name, or repository under [github] in isms.toml; for GitHub Enterprise Server, set GITHUB_API_URL too"));
    }
    Ok(slug)
}

/// The host and `owner/name` of a remote URL (https, ssh or scp-like).
fn slug_of_url(url: &str) -> Option<(String, String)> {
    let (authority, rest) = match url.split_once("://") {
        Some((_, after_scheme)) => after_scheme.split_once('/')?,
        // scp-like: [user@]host:owner/name
        None => url.split_once(':').filter(|(h, _)| !h.contains('/'))?,
    };
    // Credentials and a port are not part of the host.
    let host = authority.rsplit('@').next()?;
    let host = host.split(':').next()?;
    let rest = rest.trim_end_matches('/').trim_end_matches(".git");
    let mut parts = rest.rsplit('/');
    let name = parts.next()?;
    let owner = parts.next()?;
    (!host.is_empty() && !owner.is_empty() && !name.is_empty())
        .then(|| (host.to_owned(), format!("{owner}/{name}")))
}

impl GitHub {
    /// A client for the repository of the checkout at `root`: from
    /// `GITHUB_REPOSITORY`, the settings' `[github] repository`, or `origin`.
    pub fn for_checkout(
        root: &std::path::Path,
        snapshot: &crate::model::Snapshot,
    ) -> Result<GitHub> {
        let origin = crate::git::run(root, &["remote", "get-url", "origin"]).ok();
        let configured = snapshot
            .config
            .as_ref()
            .and_then(|c| c.value.github.repository.clone());
        GitHub::connect(repository(configured.as_deref(), origin.as_deref())?)
    }

    /// A client for `repository`, or a clear error when there is no token.
    pub fn connect(repository: String) -> Result<GitHub> {
        let token = ["GITHUB_TOKEN", "GH_TOKEN"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|t| !t.trim().is_empty()))
            .ok_or_else(|| {
                Error::new("no GitHub token: set GITHUB_TOKEN or GH_TOKEN")
                    .hint("in GitHub Actions: env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}, with permissions contents: write and pull-requests: write (read is enough for verify-approvals)")
            })?;
        let api = std::env::var("GITHUB_API_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| "https://api.github.com".into());
        let not_a_url = || Error::new(format!("GITHUB_API_URL `{api}` is not a URL"));
        let api_uri: http::Uri = api.parse().map_err(|_| not_a_url())?;
        let timeout = io_timeout()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::new("could not start the HTTP client").caused_by(e))?;
        let client = {
            let _guard = runtime.enter();
            Octocrab::builder()
                .personal_token(token.clone())
                .base_uri(api.as_str())
                .map_err(|_| not_a_url())?
                .set_connect_timeout(Some(CONNECT_TIMEOUT.min(timeout)))
                .set_read_timeout(Some(timeout))
                .set_write_timeout(Some(timeout))
                .build()
                .map_err(|e| Error::new("could not build the GitHub client").caused_by(e))?
        };
        Ok(GitHub {
            client,
            api: api_uri,
            runtime,
            token,
            timeout,
            repository,
        })
    }

    /// How long one exchange with GitHub may take (`ISMS_GITHUB_TIMEOUT`);
    /// a push or fetch that moves nothing for as long is given up.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Removes the token from anything about to be shown.
    fn scrub(&self, text: &str) -> String {
        text.replace(&self.token, "***")
    }

    /// Sends one request, retrying 5xx answers, rate limits and transport
    /// failures with backoff.
    fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Answer> {
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                std::thread::sleep(BACKOFF * 2u32.pow(attempt - 1));
            }
            let sent = self.runtime.block_on(async {
                let response = match method {
                    "GET" => self.client._get(path).await,
                    "POST" => self.client._post(path, body).await,
                    "PATCH" => self.client._patch(path, body).await,
                    _ => unreachable!("only GET, POST and PATCH are sent"),
                }?;
                let status = response.status().as_u16();
                let header = |name: &str| {
                    response
                        .headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                };
                let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok());
                // When the rate limit is used up, the time it is renewed.
                let reset = (header("x-ratelimit-remaining").as_deref() == Some("0")).then(|| {
                    header("x-ratelimit-reset").and_then(|v| v.trim().parse::<i64>().ok())
                });
                let link = header(http::header::LINK.as_str());
                // Read up to the bound: `None` past it.
                let limited = http_body_util::Limited::new(response.into_body(), MAX_ANSWER_BYTES);
                let text = match http_body_util::BodyExt::collect(limited).await {
                    Ok(body) => Some(body.to_bytes()),
                    Err(e) => match e.downcast::<octocrab::Error>() {
                        Ok(e) => return Err(*e),
                        Err(_) => None,
                    },
                };
                Ok::<_, octocrab::Error>((status, retry_after, reset, link, text))
            });
            let (status, retry_after, reset, link, text) = match sent {
                Ok(answer) => answer,
                Err(e) => {
                    last = if is_timeout(&e) {
                        format!(
                            "GitHub did not answer within {} s (ISMS_GITHUB_TIMEOUT)",
                            self.timeout.as_secs()
                        )
                    } else {
                        format!("could not reach GitHub: {}", root_cause(&e))
                    };
                    continue;
                }
            };
            let Some(text) = text else {
                return Err(Error::new(self.scrub(&format!(
                    "GitHub's answer to {method} {path} is over {} MiB, so it was not read",
                    MAX_ANSWER_BYTES >> 20
                )))
                .hint(
                    "nothing was changed locally; if GITHUB_API_URL points elsewhere, check it",
                ));
            };
            // A body that is not JSON stays null: a 2xx answer then fails
            // to decode where it is used, and is never taken as "nothing".
            let value: Value = serde_json::from_slice(&text).unwrap_or(Value::Null);
            let limited =
                status == 429 || (status == 403 && (retry_after.is_some() || reset.is_some()));
            if status >= 500 || limited {
                last = format!("GitHub answered {status}{}", message_of(&value));
                // GitHub's rule: not before `retry-after` seconds, or, with
                // the rate limit used up, not before it is renewed.
                let now = chrono::Utc::now().timestamp();
                let until = match (retry_after, reset.flatten().filter(|_| limited)) {
                    (Some(secs), _) => Some(now.saturating_add_unsigned(secs)),
                    (None, Some(at)) => Some(at.max(now) + 1),
                    (None, None) => None,
                };
                if let Some(until) = until {
                    let wait = Duration::from_secs(until.saturating_sub(now).unsigned_abs());
                    if wait > MAX_WAIT {
                        return Err(self.rate_limited(method, path, &last, until));
                    }
                    std::thread::sleep(wait);
                }
                continue;
            }
            return Ok(Answer {
                status,
                value,
                link,
            });
        }
        Err(
            Error::new(self.scrub(&format!("{method} {path}: {last} (tried {ATTEMPTS} times)")))
                .hint("nothing was changed locally; run the command again"),
        )
    }

    /// GitHub asks for more than [`MAX_WAIT`] before `method path` is sent
    /// again: waiting is left to the user, who is told until when.
    fn rate_limited(&self, method: &str, path: &str, last: &str, until: i64) -> Error {
        let at = chrono::DateTime::from_timestamp(until, 0)
            .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_else(|| format!("{until} (seconds since 1970)"));
        Error::new(self.scrub(&format!(
            "{method} {path}: GitHub asks to wait until {at} before it is sent again, so it was not ({last})"
        )))
        .hint(format!(
            "nothing was changed locally; run the command again after {at} (a token's rate limit is renewed every hour)"
        ))
    }

    /// `send`, where anything but a 2xx answer is an error.
    fn ok(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Answer> {
        let answer = self.send(method, path, body)?;
        if (200..300).contains(&answer.status) {
            return Ok(answer);
        }
        Err(self.refused(method, path, answer.status, &answer.value))
    }

    fn refused(&self, method: &str, path: &str, status: u16, value: &Value) -> Error {
        let access = if method == "GET" { "read" } else { "write" };
        let limited = value
            .get("message")
            .and_then(Value::as_str)
            .is_some_and(|m| m.to_ascii_lowercase().contains("rate limit"));
        let hint = match status {
            401 => "the token was not accepted: check GITHUB_TOKEN / GH_TOKEN".to_owned(),
            403 if limited => "GitHub limits how fast a token may ask, and gave no time to wait \
                               for; nothing was changed locally: wait a few minutes, then run \
                               the command again"
                .to_owned(),
            403 => format!(
                "the token may lack access: this needs contents and pull-requests {access} on {}",
                self.repository
            ),
            404 => format!(
                "GitHub shows no such thing to this token: check that the repository is {} \
                 (GITHUB_REPOSITORY, repository under [github] in isms.toml, or the origin \
                 remote) and that the token has contents and pull-requests {access} on it",
                self.repository
            ),
            _ => "nothing was changed locally; run the command again".to_owned(),
        };
        Error::new(self.scrub(&format!(
            "GitHub refused {method} {path}: {status}{}",
            message_of(value)
        )))
        .hint(hint)
    }

    fn repo_path(&self, rest: &str) -> String {
        format!("/repos/{}{rest}", self.repository)
    }

    fn owner(&self) -> &str {
        self.repository.split('/').next().unwrap_or_default()
    }

    /// The open pull request from `branch`, if there is one.
    pub fn find_open(&self, branch: &str) -> Result<Option<PullRequest>> {
        let path = self.repo_path(&format!(
            "/pulls?state=open&head={}:{}",
            self.owner(),
            branch
        ));
        let answer = self.ok("GET", &path, None)?;
        let list: Vec<PullRequest> = self.decode("GET", &path, answer.value)?;
        Ok(list.into_iter().next())
    }

    /// A 2xx answer as `T`; an answer of another shape is an error that
    /// says so, never an empty result.
    fn decode<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        value: Value,
    ) -> Result<T> {
        serde_json::from_value(value).map_err(|e| self.not_understood(method, path, &e))
    }

    fn not_understood(&self, method: &str, path: &str, why: &dyn std::fmt::Display) -> Error {
        Error::new(self.scrub(&format!(
            "GitHub's answer to {method} {path} was not understood: {why}"
        )))
        .hint("nothing was written; if GITHUB_API_URL points elsewhere, check it")
    }

    /// A 2xx answer to GET `path` as one page of a list, read by octocrab's
    /// [`Page`](octocrab::Page): its items, and the pages its `link` header
    /// names. Anything but a list is an error, never an empty page.
    fn page<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        answer: Answer,
    ) -> Result<octocrab::Page<T>> {
        if !answer.value.is_array() {
            return Err(self.not_understood("GET", path, &"expected a list"));
        }
        let mut response = http::Response::builder();
        if let Some(link) = &answer.link {
            response = response.header(http::header::LINK, link);
        }
        let response = response
            .body(octocrab::OctoBody::from(answer.value.to_string()))
            .map_err(|e| self.not_understood("GET", path, &e))?;
        self.runtime
            .block_on(<octocrab::Page<T> as octocrab::FromResponse>::from_response(response))
            .map_err(|e| self.not_understood("GET", path, &e))
    }

    /// A `next` link that is not followed: the list is not read, never
    /// taken as complete.
    fn unfollowed(&self, path: &str, next: &str) -> Error {
        Error::new(self.scrub(&format!(
            "GitHub's answer to GET {path} links its next page to {next}: not followed"
        )))
        .hint("nothing was written; if GITHUB_API_URL points elsewhere, check it")
    }

    /// The request path of a page's `next` link: a link to anywhere but
    /// `GITHUB_API_URL` is refused, so the token goes nowhere else.
    fn next_path(&self, path: &str, next: &http::Uri) -> Result<String> {
        let elsewhere = next.authority().is_some()
            && (next.scheme() != self.api.scheme() || next.authority() != self.api.authority());
        match next.path_and_query() {
            Some(rest) if !elsewhere => Ok(rest.as_str().to_owned()),
            _ => Err(self.unfollowed(
                path,
                &format!("{next}, outside GITHUB_API_URL ({})", self.api),
            )),
        }
    }

    /// Opens a pull request from `branch` into `base`, or edits `open`, the
    /// one [`find_open`](Self::find_open) found before the branch was pushed:
    /// never a duplicate.
    pub fn open_or_update(
        &self,
        open: Option<PullRequest>,
        branch: &str,
        base: &str,
        title: &str,
        body: &str,
    ) -> Result<(PullRequest, bool)> {
        if let Some(pr) = open {
            self.update(&pr, title, body)?;
            return Ok((pr, false));
        }
        let path = self.repo_path("/pulls");
        let request = json!({"title": title, "head": branch, "base": base, "body": body});
        let Answer { status, value, .. } = self.send("POST", &path, Some(&request))?;
        if (200..300).contains(&status) {
            let pr: PullRequest = serde_json::from_value(value).map_err(|e| {
                Error::new("GitHub's answer to creating a pull request was not understood")
                    .caused_by(e)
            })?;
            return Ok((pr, true));
        }
        // Opened meanwhile, or listed late: edit the one that exists.
        if status == 422
            && message_of(&value).contains("already exists")
            && let Some(pr) = self.find_open(branch)?
        {
            self.update(&pr, title, body)?;
            return Ok((pr, false));
        }
        Err(self.refused("POST", &path, status, &value))
    }

    fn update(&self, pr: &PullRequest, title: &str, body: &str) -> Result<()> {
        let path = self.repo_path(&format!("/pulls/{}", pr.number));
        self.ok("PATCH", &path, Some(&json!({"title": title, "body": body})))?;
        Ok(())
    }

    /// Asks people (logins) and teams (slugs) to review. GitHub refuses some
    /// (the pull request's author, people without access): that is reported,
    /// not fatal.
    pub fn request_reviewers(
        &self,
        pr: &PullRequest,
        users: &[String],
        teams: &[String],
    ) -> Result<Option<String>> {
        if users.is_empty() && teams.is_empty() {
            return Ok(None);
        }
        let path = self.repo_path(&format!("/pulls/{}/requested_reviewers", pr.number));
        let body = json!({"reviewers": users, "team_reviewers": teams});
        let Answer { status, value, .. } = self.send("POST", &path, Some(&body))?;
        match status {
            200..=299 => Ok(None),
            422 => Ok(Some(self.scrub(&format!(
                "GitHub did not request all reviewers{}",
                message_of(&value)
            )))),
            _ => Err(self.refused("POST", &path, status, &value)),
        }
    }

    /// The reviews submitted on pull request `number`, every page: each
    /// answer's `next` link is followed, as GitHub asks; an answer without
    /// links is the last page unless it is full, then the next page number
    /// is asked for.
    pub fn reviews(&self, number: u64) -> Result<Vec<PrReview>> {
        let first = |page: usize| {
            self.repo_path(&format!(
                "/pulls/{number}/reviews?per_page={PER_PAGE}&page={page}"
            ))
        };
        let mut all = Vec::new();
        let mut path = first(1);
        let mut read = std::collections::HashSet::new();
        for count in 1..=MAX_PAGES {
            let answer = self.ok("GET", &path, None)?;
            let page = self.page::<PrReview>(&path, answer)?;
            let linked = [&page.next, &page.prev, &page.first, &page.last]
                .iter()
                .any(|link| link.is_some());
            let full = page.items.len() >= PER_PAGE;
            all.extend(page.items);
            read.insert(path.clone());
            let next = match &page.next {
                Some(next) => self.next_path(&path, next)?,
                None if full && !linked => first(count + 1),
                None => return Ok(all),
            };
            if read.contains(&next) {
                return Err(self.unfollowed(&path, &format!("{next}, a page already read")));
            }
            path = next;
        }
        Err(Error::new(self.scrub(&format!(
            "GitHub's answer to GET {} has more than {MAX_PAGES} pages of reviews: not read",
            first(1)
        ))))
    }

    /// The pull request that landed commit `sha`: `named` (from the merge
    /// or squash subject) when there is one, else the first GitHub
    /// associates with the commit; `None` when it landed without one.
    pub fn landing_pull(&self, sha: &str, named: Option<u64>) -> Result<Option<u64>> {
        if named.is_some() {
            return Ok(named);
        }
        let path = self.repo_path(&format!("/commits/{sha}/pulls"));
        let answer = self.ok("GET", &path, None)?;
        let list: Vec<PullRequest> = self.decode("GET", &path, answer.value)?;
        Ok(list.first().map(|p| p.number))
    }

    /// Pull request `number`.
    pub fn pull(&self, number: u64) -> Result<PullDetail> {
        let path = self.repo_path(&format!("/pulls/{number}"));
        let answer = self.ok("GET", &path, None)?;
        self.decode("GET", &path, answer.value)
    }
}

/// Whether `e` is a timeout, somewhere in its chain of causes.
fn is_timeout(e: &octocrab::Error) -> bool {
    let mut cause: Option<&dyn std::error::Error> = Some(e);
    while let Some(c) = cause {
        let text = c.to_string().to_ascii_lowercase();
        if text.contains("timed out") || text.contains("timeout") || text.contains("elapsed") {
            return true;
        }
        cause = c.source();
    }
    false
}

/// The last of `e`'s chain of causes: what went wrong below the client
/// ("Connection refused"), not the client's own wrapping of it.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// `: <message>` from a GitHub error body, with its first error's detail.
fn message_of(value: &Value) -> String {
    let mut out = String::new();
    if let Some(m) = value.get("message").and_then(Value::as_str) {
        out.push_str(": ");
        out.push_str(m);
    }
    if let Some(m) = value
        .get("errors")
        .and_then(|e| e.get(0))
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
    {
        out.push_str(" (");
        out.push_str(m);
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_slugs_from_remote_urls() {
        for url in [
            "https://github.com/acme/isms.git",
            "https://github.com/acme/isms",
            "git@github.com:acme/isms.git",
            "ssh://git@github.com/acme/isms.git",
            "https://x-access-token:abc@github.com/acme/isms/",
        ] {
            assert_eq!(
                slug_of_url(url),
                Some(("github.com".into(), "acme/isms".into())),
                "{url}"
            );
        }
        for (url, host) in [
            ("https://gitlab.com/acme/isms.git", "gitlab.com"),
            ("git@bitbucket.org:acme/isms.git", "bitbucket.org"),
            (
                "https://github.example.com:8443/acme/isms",
                "github.example.com",
            ),
        ] {
            assert_eq!(
                slug_of_url(url),
                Some((host.into(), "acme/isms".into())),
                "{url}"
            );
        }
        assert_eq!(slug_of_url("/tmp/origin.git"), None);
        assert_eq!(slug_of_url("../origin.git"), None);
    }

    /// A user as GitHub answers one: every field of its simple-user object.
    fn github_user(login: &str, id: u64) -> Value {
        let api = format!("https://api.github.com/users/{login}");
        json!({
            "login": login, "id": id, "node_id": format!("MDQ6VXNlcj{id}"),
            "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
            "gravatar_id": "", "url": api, "html_url": format!("https://github.com/{login}"),
            "followers_url": format!("{api}/followers"),
            "following_url": format!("{api}/following{{/other_user}}"),
            "gists_url": format!("{api}/gists{{/gist_id}}"),
            "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
            "subscriptions_url": format!("{api}/subscriptions"),
            "organizations_url": format!("{api}/orgs"), "repos_url": format!("{api}/repos"),
            "events_url": format!("{api}/events{{/privacy}}"),
            "received_events_url": format!("{api}/received_events"),
            "type": "User", "site_admin": false,
        })
    }

    /// A pull request as GitHub answers one in a list, a create or a get.
    fn github_pull(number: u64, head_sha: &str) -> Value {
        let api = format!("https://api.github.com/repos/acme/isms/pulls/{number}");
        let side = |r: &str, sha: &str| {
            json!({"label": format!("acme:{r}"), "ref": r, "sha": sha,
                   "user": github_user("acme", 9), "repo": null})
        };
        json!({
            "url": api, "id": 1_000_000 + number, "node_id": "PR_kwDOAbc",
            "html_url": format!("https://github.com/acme/isms/pull/{number}"),
            "diff_url": format!("https://github.com/acme/isms/pull/{number}.diff"),
            "patch_url": format!("https://github.com/acme/isms/pull/{number}.patch"),
            "issue_url": format!("https://api.github.com/repos/acme/isms/issues/{number}"),
            "commits_url": format!("{api}/commits"),
            "review_comments_url": format!("{api}/comments"),
            "review_comment_url": "https://api.github.com/repos/acme/isms/pulls/comments{/number}",
            "comments_url": format!("https://api.github.com/repos/acme/isms/issues/{number}/comments"),
            "statuses_url": format!("https://api.github.com/repos/acme/isms/statuses/{head_sha}"),
            "number": number, "state": "open", "locked": false,
            "title": "Reassess: region-change on payments-api", "user": github_user("isms-bot", 7),
            "body": "Owners, please reassess.", "labels": [], "milestone": null,
            "active_lock_reason": null, "created_at": "2026-11-30T09:00:00Z",
            "updated_at": "2026-11-30T09:05:00Z", "closed_at": null, "merged_at": null,
            "merge_commit_sha": null, "assignee": null, "assignees": [],
            "requested_reviewers": [github_user("alice", 11)], "requested_teams": [],
            "head": side("isms/reassess/region-change/payments-api", head_sha),
            "base": side("main", "0123456789abcdef0123456789abcdef01234567"),
            "author_association": "CONTRIBUTOR", "auto_merge": null, "draft": false,
        })
    }

    /// A review as GitHub answers one; a pending review has no `submitted_at`.
    fn github_review(id: u64, user: Value, state: &str, submitted: Option<&str>) -> Value {
        let mut review = json!({
            "id": id, "node_id": format!("PRR_kwDO{id}"), "user": user,
            "body": "", "state": state,
            "html_url": format!("https://github.com/acme/isms/pull/12#pullrequestreview-{id}"),
            "pull_request_url": "https://api.github.com/repos/acme/isms/pulls/12",
            "author_association": "MEMBER",
            "_links": {
                "html": {"href": format!("https://github.com/acme/isms/pull/12#pullrequestreview-{id}")},
                "pull_request": {"href": "https://api.github.com/repos/acme/isms/pulls/12"},
            },
            "commit_id": "89abcdef0123456789abcdef0123456789abcdef",
        });
        if let Some(at) = submitted {
            review["submitted_at"] = json!(at);
        }
        review
    }

    /// Every field isms reads from GitHub's answers is read as octocrab's
    /// own models read it, on answers shaped as GitHub sends them. isms
    /// decodes no more than it uses, so an answer that leaves out a field
    /// it never reads is still understood.
    #[test]
    fn answers_are_read_as_octocrab_reads_them() {
        use octocrab::models::pulls as typed;

        let pull = github_pull(12, "fedcba9876543210fedcba9876543210fedcba98");
        let theirs: typed::PullRequest = serde_json::from_value(pull.clone()).unwrap();
        let ours: PullRequest = serde_json::from_value(pull.clone()).unwrap();
        assert_eq!(ours.number, theirs.number);
        assert_eq!(
            Some(ours.html_url.as_str()),
            theirs.html_url.as_ref().map(|u| u.as_str())
        );
        let detail: PullDetail = serde_json::from_value(pull).unwrap();
        assert_eq!(detail.number, theirs.number);
        assert_eq!(detail.head.sha, theirs.head.sha);

        let reviews = json!([
            github_review(
                1,
                github_user("alice", 11),
                "APPROVED",
                Some("2026-11-30T10:00:00Z")
            ),
            github_review(
                2,
                github_user("bob", 12),
                "CHANGES_REQUESTED",
                Some("2026-11-30T11:00:00Z")
            ),
            github_review(
                3,
                github_user("carol", 13),
                "COMMENTED",
                Some("2026-11-30T12:00:00Z")
            ),
            github_review(
                4,
                github_user("dave", 14),
                "DISMISSED",
                Some("2026-11-30T13:00:00Z")
            ),
            github_review(5, github_user("erin", 15), "PENDING", None),
            github_review(6, Value::Null, "APPROVED", Some("2026-11-30T14:00:00Z")),
        ]);
        let theirs: Vec<typed::Review> = serde_json::from_value(reviews.clone()).unwrap();
        let ours: Vec<PrReview> = serde_json::from_value(reviews).unwrap();
        assert_eq!(ours.len(), theirs.len());
        for (ours, theirs) in ours.iter().zip(&theirs) {
            assert_eq!(
                ours.user.as_ref().map(|u| u.login.as_str()),
                theirs.user.as_ref().map(|u| u.login.as_str())
            );
            assert_eq!(json!(ours.state), json!(theirs.state.unwrap()));
            assert_eq!(ours.commit_id, theirs.commit_id);
            let at = ours
                .submitted_at
                .as_deref()
                .map(|s| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap());
            assert_eq!(at, theirs.submitted_at);
        }

        // What octocrab's models would refuse, isms still reads: a review
        // whose user carries only the login isms checks against owners.
        let lean = json!([{"user": {"login": "alice"}, "state": "APPROVED",
                           "submitted_at": "2026-11-30T10:00:00Z", "commit_id": "89ab"}]);
        assert!(serde_json::from_value::<Vec<typed::Review>>(lean.clone()).is_err());
        let ours: Vec<PrReview> = serde_json::from_value(lean).unwrap();
        assert_eq!(ours[0].user.as_ref().unwrap().login, "alice");
    }
}
