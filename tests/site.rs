//! `isms site`: the static dashboard, loaded from disk in a real headless
//! Chromium (which `.ci/test` installs). Screenshots are kept under
//! `target/tmp/site-screenshots/` as test artifacts.

mod common;

use std::path::{Path, PathBuf};

use common::{Env, read, run_tool, success};
use serde_json::Value;

const AS_OF: &str = "2026-11-02";

fn chromium() -> String {
    if let Ok(c) = std::env::var("CHROMIUM") {
        return c;
    }
    ["chromium-headless-shell", "chromium"]
        .into_iter()
        .find(|c| {
            std::process::Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .unwrap_or_else(|| panic!("headless Chromium is needed: run .ci/test, which installs it"))
        .to_owned()
}

/// The page's DOM after its scripts ran, as Chromium serialises it.
fn dom(env: &Env, page: &Path, query: &str) -> String {
    let url = format!("file://{}{query}", page.display());
    let (ok, out) = run_tool(
        env.command(chromium())
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
            .arg(&url)
            .stderr(std::process::Stdio::null()),
        "chromium",
    );
    assert!(
        ok && out.contains("</html>"),
        "chromium could not load {url}: {out}"
    );
    out
}

/// Keeps a screenshot of the page as a test artifact; checks it is a real image.
fn screenshot(env: &Env, page: &Path, query: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("site-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join(name);
    let _ = std::fs::remove_file(&png);
    let (ok, out) = run_tool(
        env.command(chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
            ])
            .arg("--window-size=1280,1000")
            .arg(format!("--screenshot={}", png.display()))
            .arg(format!("file://{}{query}", page.display())),
        "chromium",
    );
    assert!(ok, "{out}");
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        png.display()
    );
    assert!(bytes.len() > 20_000, "{} is nearly empty", png.display());
    png
}

/// The number in the element marked `data-figure="name"`.
fn figure(dom: &str, name: &str) -> u64 {
    let marker = format!("data-figure=\"{name}\">");
    let at = dom
        .find(&marker)
        .unwrap_or_else(|| panic!("no figure {name} on the page"))
        + marker.len();
    dom[at..]
        .split('<')
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("figure {name} is not a number"))
}

fn site(env: &Env) -> (PathBuf, PathBuf) {
    let repo = env.example_on_main(Some(AS_OF));
    success(
        env.isms(&repo)
            .args(["--as-of", AS_OF, "site", "--out", "../site"])
            .output()
            .unwrap(),
    );
    (repo, env.path().join("site"))
}

/// Every page of the site at `site`, each of whose links, checked here,
/// stays on disk and resolves, and each with the stylesheet.
fn pages_linking_within(site: &Path) -> Vec<PathBuf> {
    let mut pages = Vec::new();
    let mut stack = vec![site.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                pages.push(path);
            }
        }
    }
    for page in &pages {
        let html = std::fs::read_to_string(page).unwrap();
        for attr in ["href=\"", "src=\""] {
            for link in html.split(attr).skip(1) {
                let target = link.split('"').next().unwrap();
                assert!(
                    !target.contains("//") && !target.starts_with('/'),
                    "{}: {target} leaves the site",
                    page.display()
                );
                let file = target.split(['?', '#']).next().unwrap();
                assert!(
                    page.parent().unwrap().join(file).is_file(),
                    "{}: {target} does not resolve",
                    page.display()
                );
            }
        }
        assert!(
            html.contains("style.css\"></head>"),
            "{}: the stylesheet",
            page.display()
        );
    }
    pages
}

#[test]
fn an_out_of_scope_service_has_no_pages_and_no_page_links_to_one() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    env.out_of_scope_at(&repo, "tenant-db", "2026-10-20T10:00:00Z");
    success(
        env.isms(&repo)
            .args(["--as-of", AS_OF, "site", "--out", "../site"])
            .output()
            .unwrap(),
    );
    let site = env.path().join("site");
    let pages = pages_linking_within(&site);
    // Its 47 allocations, and the service, are kept and not reviewed.
    assert_eq!(pages.len(), 100 + 2 + (141 - 47) + 4 + 1 + 4);
    assert!(!site.join("items/allocation/tenant-db").exists());
    let control = read(&site, "items/control/8.15.html");
    assert!(control.contains("payments-api/8.15"), "{control}");
    assert!(!control.contains("tenant-db/8.15"), "{control}");
}

fn json(env: &Env, repo: &Path, args: &[&str]) -> Value {
    let out = env
        .isms(repo)
        .args(["--as-of", AS_OF, "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_overview_in_a_browser_shows_the_figures_of_isms_status() {
    let env = Env::new();
    let (repo, site) = site(&env);
    let status = json(&env, &repo, &["status"]);
    let page = site.join("index.html");
    let dom = dom(&env, &page, "");

    let mut compared = 0;
    for (kind, states) in status["counts"].as_object().unwrap() {
        for (state, n) in states.as_object().unwrap() {
            assert_eq!(
                figure(&dom, &format!("{kind}/{state}")),
                n.as_u64().unwrap(),
                "{kind} {state}"
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 30);
    assert_eq!(
        figure(&dom, "matrix/present"),
        status["matrix"]["present"].as_u64().unwrap()
    );
    assert_eq!(
        figure(&dom, "matrix/required"),
        status["matrix"]["required"].as_u64().unwrap()
    );
    let owners = status["overdue_by_owner"].as_array().unwrap();
    assert!(!owners.is_empty(), "the example has items that need action");
    assert_eq!(figure(&dom, "owners"), owners.len() as u64);
    let mut total = 0;
    for o in owners {
        let n = o["items"].as_array().unwrap().len() as u64;
        assert_eq!(
            figure(&dom, &format!("owner/{}", o["owner"].as_str().unwrap())),
            n
        );
        total += n;
        for item in o["items"].as_array().unwrap() {
            assert!(
                dom.contains(&format!(">{}</a>", item.as_str().unwrap())),
                "{item} listed"
            );
        }
    }
    assert_eq!(figure(&dom, "needs-action"), total);
    assert!(dom.contains("Quarterly access review of Tenant Database administrators"));
    screenshot(&env, &page, "", "index.png");
}

#[test]
fn the_matrix_filters_by_service_party_and_text_from_its_address() {
    let env = Env::new();
    let (repo, site) = site(&env);
    let matrix = json(&env, &repo, &["report", "matrix"]);
    let rows = matrix["rows"].as_array().unwrap();
    let page = site.join("matrix.html");

    let shown = |dom: &str| {
        dom.split("<tbody>")
            .nth(1)
            .unwrap()
            .split("</tbody>")
            .next()
            .unwrap()
            .matches("<tr>")
            .count()
    };
    let all = dom(&env, &page, "");
    assert_eq!(shown(&all), rows.len());
    assert!(all.contains(&format!("<output id=\"shown\">{}</output>", rows.len())));

    let filtered = dom(&env, &page, "?service=payments-api&party=customer");
    let expected: Vec<&str> = rows
        .iter()
        .filter(|r| r["payments-api"] == "customer")
        .map(|r| r["control"].as_str().unwrap())
        .collect();
    assert!(!expected.is_empty() && expected.len() < rows.len());
    assert_eq!(shown(&filtered), expected.len());
    for control in &expected {
        assert!(
            filtered.contains(&format!(
                "<tr><td><a href=\"items/control/{control}.html\">"
            )),
            "{control} shown"
        );
    }
    assert!(filtered.contains(&format!("<output id=\"shown\">{}</output>", expected.len())));
    // The other services' columns are hidden.
    assert!(filtered.contains("data-service=\"tenant-db\" hidden=\"\""));
    assert!(!filtered.contains("data-service=\"payments-api\" hidden=\"\""));

    let text = dom(&env, &page, "?q=segregation");
    let by_text = rows
        .iter()
        .filter(|r| {
            r["title"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("segregation")
        })
        .count();
    assert!(by_text > 0);
    assert_eq!(shown(&text), by_text);
    screenshot(
        &env,
        &page,
        "?service=payments-api&party=customer",
        "matrix-filtered.png",
    );
}

#[test]
fn every_item_has_a_history_page_and_every_link_stays_on_disk() {
    let env = Env::new();
    let (repo, site) = site(&env);
    let pages = pages_linking_within(&site);
    // 100 controls, 3 services, 141 allocations, 4 evidence, 1 finding; 4 report pages.
    assert_eq!(pages.len(), 100 + 3 + 141 + 4 + 1 + 4);
    let css = read(&site, "style.css");
    assert!(
        !css.contains("url(") && !css.contains("@import"),
        "the stylesheet fetches nothing"
    );

    // States read in their colour, "missing evidence" included.
    let soa = read(&site, "soa.html");
    assert!(
        soa.contains("<span class=\"s-missing-evidence\">missing evidence</span>"),
        "the SoA colours a control that lacks evidence"
    );

    // An item's page shows its state and its review history with commits.
    let key = "allocation:payments-api/CLD.9.5.1";
    let log = json(&env, &repo, &["log", key]);
    let reviews = log["reviews"].as_array().unwrap();
    assert!(!reviews.is_empty(), "{log}");
    let page = site.join("items/allocation/payments-api/CLD.9.5.1.html");
    let dom = dom(&env, &page, "");
    assert!(dom.contains(&format!(
        "<h2>Reviews <span class=\"muted\">({})</span></h2>",
        reviews.len()
    )));
    for r in reviews {
        let commit = r["commit"].as_str().unwrap();
        assert!(
            dom.contains(&format!("<code>{}</code>", &commit[..10])),
            "{commit} on the page"
        );
    }
    // Its day and outcome (`needs-change`) are each one line.
    assert!(dom.contains("<th>Landed</th><th>Outcome</th>"), "{dom}");
    assert!(css.contains("table.reviews td:nth-child(-n+2){white-space:nowrap}"));
    let status = json(&env, &repo, &["stale"]);
    let state = status["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == key)
        .map(|i| i["state"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| "ok".into());
    assert!(
        dom.contains(&format!("<span class=\"s-{state}\">{state}</span>")),
        "{state}"
    );
    assert!(
        dom.contains("Per-tenant VPCs and encryption keys"),
        "the file is shown"
    );
    assert!(read(&site, ".isms-site").lines().any(|l| l == "index.html"));
}

#[test]
fn an_open_finding_reads_as_open_with_its_register_fields() {
    let env = Env::new();
    let (_, site) = site(&env);
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    let table = index
        .split("<table class=\"findings\">")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .expect("a findings table");
    assert!(table.contains("<th>Severity</th>"), "{table}");
    assert!(
        table.contains("<td><span class=\"s-open\">open</span></td>"),
        "{table}"
    );
    assert!(table.contains("<td>minor</td>"), "{table}");
    // Its days and its ID are each one line, never broken at their hyphens
    // in a narrow column: the page's style says so of their columns.
    let heads: Vec<&str> = table
        .split("<th>")
        .skip(1)
        .map(|h| h.split("</th>").next().unwrap())
        .collect();
    for head in ["Finding", "Raised", "Due"] {
        let nth = 1 + heads.iter().position(|h| *h == head).expect(head);
        let rule = format!("table.findings td:nth-child({nth}){{white-space:nowrap}}");
        assert!(index.contains(&rule), "{head}: {rule}");
    }
    let page = std::fs::read_to_string(site.join("items/finding/2026-003.html")).unwrap();
    assert!(
        page.contains(
            "<dt>Corrective action</dt><dd data-field=\"corrective_action\">Run the overdue review"
        ),
        "{page}"
    );
    assert!(
        page.contains("<dd data-field=\"due\">2026-12-15</dd>"),
        "{page}"
    );
}

#[test]
fn the_site_says_when_it_read_uncommitted_changes_and_reads_a_commit_with_rev() {
    let env = Env::new();
    let (repo, site_dir) = site(&env);
    // A past --as-of reads the record branch as it stood that day.
    let index = std::fs::read_to_string(site_dir.join("index.html")).unwrap();
    assert!(
        index.contains(": the record branch main as it stood on 2026-11-02."),
        "{index}"
    );
    // Without it, the working tree: a clean one needs no stamp.
    success(
        env.isms(&repo)
            .args(["site", "--out", "../clean"])
            .output()
            .unwrap(),
    );
    let index = std::fs::read_to_string(env.path().join("clean/index.html")).unwrap();
    assert!(!index.contains("Read from"), "a clean tree needs no stamp");
    common::write(
        &repo,
        "controls/5.3.toml",
        common::read(&repo, "controls/5.3.toml").replace("Segregation of duties", "Edited"),
    );
    success(
        env.isms(&repo)
            .args(["site", "--out", "../dirty"])
            .output()
            .unwrap(),
    );
    let index = std::fs::read_to_string(env.path().join("dirty/index.html")).unwrap();
    assert!(
        index.contains("Read from the working tree, which differs from HEAD "),
        "{index}"
    );
    success(
        env.isms(&repo)
            .args([
                "--as-of",
                AS_OF,
                "site",
                "--out",
                "../at-head",
                "--rev",
                "HEAD",
            ])
            .output()
            .unwrap(),
    );
    let page = std::fs::read_to_string(env.path().join("at-head/items/control/5.3.html")).unwrap();
    assert!(
        page.contains("Read from commit ")
            && page.contains("Segregation of duties")
            && !page.contains("Edited")
    );
}

#[test]
fn a_rebuilt_site_keeps_files_isms_did_not_write_and_what_a_killed_run_left_is_removed() {
    let env = Env::new();
    let (repo, site_dir) = site(&env);
    std::fs::write(site_dir.join("CNAME"), "isms.example.com\n").unwrap();
    std::fs::create_dir(site_dir.join("extra")).unwrap();
    std::fs::write(site_dir.join("extra/notes.txt"), "mine\n").unwrap();
    // What a killed run leaves beside the output: a temporary directory of
    // a process that no longer runs.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let leftover = env.path().join(format!(".isms-tmp-{dead}-x1y2z3"));
    std::fs::create_dir_all(leftover.join("new")).unwrap();
    success(
        env.isms(&repo)
            .args(["--as-of", AS_OF, "site", "--out", "../site"])
            .output()
            .unwrap(),
    );
    assert_eq!(
        std::fs::read_to_string(site_dir.join("CNAME")).unwrap(),
        "isms.example.com\n"
    );
    assert_eq!(
        std::fs::read_to_string(site_dir.join("extra/notes.txt")).unwrap(),
        "mine\n"
    );
    assert!(site_dir.join("index.html").is_file());
    assert!(!leftover.exists(), "the killed run's leftovers are removed");
    let strays: Vec<_> = std::fs::read_dir(env.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".isms-"))
        .collect();
    assert!(strays.is_empty(), "{strays:?}");
    // The kept files stay the user's: the marker does not claim them.
    let marker = std::fs::read_to_string(site_dir.join(".isms-site")).unwrap();
    assert!(!marker.contains("CNAME"));
}

#[test]
fn item_pages_show_fields_not_raw_toml_and_link_what_belongs_together() {
    let env = Env::new();
    let (_, site_dir) = site(&env);
    let page = |p: &str| std::fs::read_to_string(site_dir.join(p)).unwrap();
    let alloc = page("items/allocation/payments-api/CLD.9.5.1.html");
    // The duties as fields that wrap, the file only folded away.
    assert!(
        alloc.contains("<h2>Fields</h2>\n<dl class=\"fields\">"),
        "{alloc}"
    );
    assert!(
        alloc.contains("<dt>party</dt><dd data-field=\"party\">provider</dd>"),
        "{alloc}"
    );
    assert!(alloc.contains("<dd data-field=\"provider\">"), "{alloc}");
    assert!(
        alloc.contains("<details><summary>File as committed</summary>"),
        "{alloc}"
    );
    let control = page("items/control/CLD.9.5.1.html");
    assert!(
        control.contains("<dt>soa.justification</dt><dd data-field=\"soa.justification\">"),
        "{control}"
    );
    assert!(
        control.contains("<h2>Allocations <span class=\"muted\">(3)</span></h2>"),
        "{control}"
    );
    assert!(
        control.contains("<a href=\"../../items/allocation/payments-api/CLD.9.5.1.html\">payments-api/CLD.9.5.1</a>"),
        "{control}"
    );
    assert!(control.contains("<h2>Evidence "), "{control}");
    let evidence = page("items/evidence/2026-h2-isolation-test.html");
    assert!(
        evidence.contains("<dt>artifacts[1].sha256</dt>"),
        "{evidence}"
    );
    assert!(evidence.contains("<h2>Controls "), "{evidence}");
}

#[test]
fn the_overview_folds_what_needs_action_by_owner_and_state() {
    let env = Env::new();
    let (repo, site_dir) = site(&env);
    let index = std::fs::read_to_string(site_dir.join("index.html")).unwrap();
    let status = json(&env, &repo, &["status"]);
    let owners = status["overdue_by_owner"].as_array().unwrap();
    assert_eq!(index.matches("<details data-owner=").count(), owners.len());
    assert!(!index.contains("<details open"), "folded by default");
    // One owner's summary: the count and its states, then the items by state.
    let alice = owners.iter().find(|o| o["owner"] == "alice").unwrap();
    let n = alice["items"].as_array().unwrap().len();
    assert!(
        index.contains(&format!(
            "<details data-owner=\"alice\"><summary><b>alice (Alice Ng)</b>: <span data-figure=\"owner/alice\">{n}</span> items ("
        )),
        "{index}"
    );
}

#[test]
fn a_past_days_site_shows_only_the_evidence_collected_by_then() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let day = "2026-08-01";
    success(
        env.isms(&repo)
            .args(["--as-of", day, "site", "--out", "../site"])
            .output()
            .unwrap(),
    );
    let site_dir = env.path().join("site");
    let page = |p: &str| std::fs::read_to_string(site_dir.join(p)).unwrap();
    let register = page("evidence.html");
    let mut later = 0;
    for entry in std::fs::read_dir(repo.join("evidence")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let record: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let id = record["id"].as_str().unwrap();
        let link = format!("items/evidence/{id}.html\"");
        let controls: Vec<&str> = record["controls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        let collected_by_then = record["collected"].to_string().as_str() <= day;
        assert_eq!(
            register.contains(&link),
            collected_by_then,
            "{id}: {register}"
        );
        for c in controls {
            let control = page(&format!("items/control/{c}.html"));
            assert_eq!(control.contains(&link), collected_by_then, "{id} on {c}");
        }
        later += usize::from(!collected_by_then);
    }
    assert!(
        later > 0,
        "the example holds evidence collected after {day}"
    );
}

#[test]
fn under_author_approval_the_overview_and_item_pages_mark_reviews_that_do_not_count() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    env.commit_author_approval(&repo);
    let stale = json(&env, &repo, &["stale"]);
    let unauthorized = stale["unauthorized"].as_array().unwrap();
    assert!(!unauthorized.is_empty());
    success(
        env.isms(&repo)
            .args(["--as-of", AS_OF, "site", "--out", "../site"])
            .output()
            .unwrap(),
    );
    let out = env.path().join("site");
    let index = read(&out, "index.html");
    assert_eq!(
        figure(&index, "not-counted"),
        unauthorized.len() as u64,
        "{index}"
    );
    // Each item's page marks the review by its commit, and no other.
    let mark = "does not count: not by the owner (approval = &quot;author&quot;)";
    for u in unauthorized {
        let item = u["item"].as_str().unwrap();
        let href = format!("items/{}.html", item.replacen(':', "/", 1));
        assert!(
            index.contains(&format!("<a href=\"{href}\">{item}</a>")),
            "{item}"
        );
        let page = read(&out, &href);
        let short = &u["commit"].as_str().unwrap()[..10];
        let row = (page.split("<tr>"))
            .find(|row| row.contains(&format!("<code>{short}</code>")))
            .unwrap_or_else(|| panic!("{item}: no review {short}"));
        assert!(row.contains(mark), "{item}: {row}");
        assert_eq!(page.matches(mark).count(), 1, "{item}");
    }
    // With pull-request approval, nothing is marked.
    let other = Env::new();
    let (_, plain) = site(&other);
    assert!(!read(&plain, "index.html").contains("data-notice=\"not-counted\""));
}
