//! The static dashboard: the status overview, the matrix with filters, the
//! Statement of Applicability, the evidence register and one page per item
//! with its review history. Plain files that open from disk: no server, no
//! external assets, the little script each table needs written inline.
//! Pure: the assessment and reports in, pages out.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::check::review::{Assessment, ItemStatus, KIND_LABELS, STATES};
use crate::model::Review;
use crate::model::{Id, Snapshot};
use crate::render::report::{Report, html_escape as e};

/// What the pages are made from.
pub struct Input<'a> {
    pub organization: &'a str,
    pub as_of: &'a str,
    pub branch: &'a str,
    /// The record branch's tip.
    pub tip: &'a str,
    pub snapshot: &'a Snapshot,
    pub assessment: &'a Assessment,
    /// Landed reviews, up to the as-of date.
    pub reviews: &'a [&'a Review],
    pub counts: &'a BTreeMap<String, BTreeMap<String, usize>>,
    /// (present, required) allocations.
    /// Allocations present, required, and present but still placeholders.
    pub matrix: (usize, usize, usize),
    /// Items that need action, by owner.
    pub needs_action: &'a BTreeMap<&'a str, Vec<String>>,
    /// An owner key's label: "alice (Alice Ng)".
    pub label: &'a dyn Fn(&str) -> String,
    pub soa: &'a Report,
    pub matrix_report: &'a Report,
    pub evidence: &'a Report,
    pub findings: &'a Report,
    /// What was read, when it is not simply the committed record.
    pub source: Option<&'a str>,
}

const STYLE: &str = "\
:root{--fg:#1d2125;--muted:#5b6570;--line:#d8dde3;--head:#f3f5f7;--accent:#0b57d0}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--fg);margin:0}
header{background:#1d2125;color:#fff;padding:.7rem 1.5rem;display:flex;gap:1.5rem;align-items:baseline;flex-wrap:wrap}
header b{font-size:1.05rem}
header nav a{color:#d7e3ff;margin-right:1rem;text-decoration:none}
header nav a[aria-current]{color:#fff;text-decoration:underline}
header small{color:#aab4bf;margin-left:auto}
main{padding:1rem 1.5rem 3rem}
h1{font-size:1.35rem;margin:.4rem 0 1rem}
h2{font-size:1.1rem;margin:1.6rem 0 .6rem}
a{color:var(--accent)}
table{border-collapse:collapse;margin:.3rem 0}
.scroll{overflow-x:auto}
td.date{white-space:nowrap}
td.mono{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all;min-width:14rem}
th,td{border:1px solid var(--line);padding:.28rem .5rem;text-align:left;vertical-align:top}
th{background:var(--head);position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.figures{display:flex;gap:1rem;flex-wrap:wrap;margin:.5rem 0 1rem}
.figure{border:1px solid var(--line);border-radius:6px;padding:.6rem 1rem;min-width:9rem}
.figure b{display:block;font-size:1.6rem}
.figure span{color:var(--muted)}
.s-ok,.s-closed{color:#137333}.s-due,.s-open{color:#8a5a00}.s-overdue,.s-expired,.s-missing-evidence,.s-needs-change{color:#b3261e;font-weight:600}
td.p-provider{background:#e8f0fe}td.p-customer{background:#fef7e0}td.p-shared{background:#e6f4ea}
td.p-not-applicable{background:#f1f3f4;color:var(--muted)}td.p-missing{background:#fce8e6;font-weight:600}
td.todo{background:repeating-linear-gradient(135deg,#fff,#fff 4px,#fef7e0 4px,#fef7e0 8px);font-style:italic}
.filters{display:flex;gap:.8rem;align-items:center;flex-wrap:wrap;margin:.4rem 0 .8rem}
.filters input{padding:.3rem .5rem;min-width:16rem}
.muted{color:var(--muted)}
pre{background:var(--head);padding:.8rem;overflow:auto;border-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere}
dl.fields dd{white-space:pre-wrap;overflow-wrap:anywhere}
.owners details{border:1px solid var(--line,#ddd);border-radius:4px;padding:.3rem .6rem;margin:.3rem 0}
.owners summary{cursor:pointer}.owners p{margin:.3rem 0 .3rem 1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dt{color:var(--muted)}dd{margin:0}
";

/// Filters a page's table: the text box, and on the matrix the service
/// and party choices. The choices live in the query string, so a filtered
/// view can be linked to (matrix.html?service=payments-api&party=customer).
const FILTER_SCRIPT: &str = r#"
(function () {
  var table = document.querySelector("table.data");
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var fields = ["q", "service", "party"].map(function (id) { return document.getElementById(id); })
    .filter(function (f) { return f; });
  var params = new URLSearchParams(location.search);
  fields.forEach(function (f) { if (params.has(f.id)) f.value = params.get(f.id); });
  function value(id) { var f = document.getElementById(id); return f ? f.value : ""; }
  function apply() {
    var q = value("q").toLowerCase(), service = value("service"), party = value("party");
    table.querySelectorAll("[data-service]").forEach(function (c) {
      c.hidden = service !== "" && c.getAttribute("data-service") !== service;
    });
    var shown = 0;
    rows.forEach(function (r) {
      var cells = Array.prototype.filter.call(r.querySelectorAll("td[data-party]"),
        function (c) { return !c.hidden; });
      var byParty = party === "" || cells.some(function (c) { return c.getAttribute("data-party") === party; });
      var byText = q === "" || r.textContent.toLowerCase().indexOf(q) !== -1;
      r.hidden = !(byParty && byText);
      if (!r.hidden) shown++;
    });
    document.getElementById("shown").textContent = shown;
    var next = new URLSearchParams();
    fields.forEach(function (f) { if (f.value) next.set(f.id, f.value); });
    try { history.replaceState(null, "", next.toString() ? "?" + next : location.pathname); } catch (err) {}
  }
  fields.forEach(function (f) { f.addEventListener("input", apply); });
  apply();
})();
"#;

/// Every page, and the one stylesheet they share, by path under the site's directory.
pub fn render(x: &Input<'_>) -> BTreeMap<String, String> {
    let mut pages = BTreeMap::new();
    pages.insert("style.css".to_owned(), STYLE.to_owned());
    pages.insert("index.html".to_owned(), overview(x));
    pages.insert("matrix.html".to_owned(), matrix(x));
    pages.insert(
        "soa.html".to_owned(),
        table_page(x, "soa", x.soa, |col, row| {
            (col == 0).then(|| format!("items/control/{}.html", row[0]))
        }),
    );
    pages.insert(
        "evidence.html".to_owned(),
        table_page(x, "evidence", x.evidence, |col, row| {
            (col == 0).then(|| format!("items/evidence/{}.html", row[0]))
        }),
    );
    let mut history: BTreeMap<&str, Vec<&Review>> = BTreeMap::new();
    for r in x.reviews.iter().copied() {
        history.entry(&*r.item).or_default().push(r);
    }
    let mut items: BTreeMap<&str, Vec<&ItemStatus>> = BTreeMap::new();
    for i in &x.assessment.items {
        items.entry(i.item.as_str()).or_default().push(i);
    }
    for (key, states) in items {
        let reviews = history.get(key).map(Vec::as_slice).unwrap_or(&[]);
        pages.insert(item_path(key), item_page(x, key, &states, reviews));
    }
    pages
}

/// `control:CLD.9.5.1` → `items/control/CLD.9.5.1.html`.
pub fn item_path(key: &str) -> String {
    let (kind, id) = key.split_once(':').unwrap_or(("item", key));
    format!("items/{kind}/{id}.html")
}

/// The path back to the site's root from a page at `path`.
fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

fn page(x: &Input<'_>, path: &str, current: &str, title: &str, body: &str) -> String {
    let root = root_of(path);
    let mut nav = String::new();
    for (href, name) in [
        ("index.html", "Overview"),
        ("matrix.html", "Matrix"),
        ("soa.html", "Statement of Applicability"),
        ("evidence.html", "Evidence"),
    ] {
        let here = if href == current {
            " aria-current=\"page\""
        } else {
            ""
        };
        let _ = write!(nav, "<a href=\"{root}{href}\"{here}>{name}</a>");
    }
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title} — {org}</title>\n<link rel=\"stylesheet\" href=\"{root}style.css\"></head>\n<body>\n\
         <header><b>{org}</b><nav>{nav}</nav><small>as of {as_of} · {branch} at {tip}{source}</small></header>\n\
         <main>\n{body}</main>\n</body></html>\n",
        title = e(title),
        org = e(x.organization),
        as_of = e(x.as_of),
        branch = e(x.branch),
        tip = e(&x.tip[..10.min(x.tip.len())]),
        source = x.source.map(|s| format!(" · {}", e(s))).unwrap_or_default(),
    )
}

/// A state in its colour; "missing evidence" as the report words it is `missing-evidence`.
fn state_cell(state: &str) -> String {
    format!(
        "<span class=\"s-{}\">{}</span>",
        e(&state.replace(' ', "-")),
        e(state)
    )
}

fn overview(x: &Input<'_>) -> String {
    let mut b = String::from("<h1>Status</h1>\n<div class=\"figures\">\n");
    let flagged: usize = x.needs_action.values().map(Vec::len).sum();
    let (present, required, placeholders) = x.matrix;
    let todo = if placeholders > 0 {
        format!(
            ", <span data-figure=\"matrix/placeholders\">{placeholders}</span> still TODO placeholders"
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        b,
        "<div class=\"figure\"><b data-figure=\"needs-action\">{flagged}</b><span>items need action</span></div>\n\
         <div class=\"figure\"><b><span data-figure=\"matrix/present\">{present}</span> / \
         <span data-figure=\"matrix/required\">{required}</span></b><span>allocations in the matrix{todo}</span></div>\n\
         <div class=\"figure\"><b data-figure=\"owners\">{}</b><span>owners with items to act on</span></div>",
        x.needs_action.len()
    );
    b.push_str("</div>\n<h2>Items by state</h2>\n<table class=\"counts\"><thead><tr><th></th>");
    for s in STATES {
        let _ = write!(b, "<th>{}</th>", state_cell(s.as_str()));
    }
    b.push_str("</tr></thead><tbody>\n");
    for (kind, label) in KIND_LABELS {
        let _ = write!(b, "<tr><th>{label}</th>");
        for s in STATES.map(|s| s.as_str()) {
            let n = x
                .counts
                .get(kind)
                .and_then(|m| m.get(s))
                .copied()
                .unwrap_or(0);
            let _ = write!(b, "<td class=\"n\" data-figure=\"{kind}/{s}\">{n}</td>");
        }
        b.push_str("</tr>\n");
    }
    b.push_str("</tbody></table>\n<h2>Needs action, by owner</h2>\n");
    if x.needs_action.is_empty() {
        b.push_str("<p>Nothing needs action.</p>\n");
    } else {
        // Per owner, folded: the count and its states, then the items by state.
        let worst: BTreeMap<&str, &str> = crate::check::review::most_urgent(&x.assessment.items)
            .into_iter()
            .map(|(k, v)| (k, v.state.as_str()))
            .collect();
        b.push_str("<div class=\"owners\">\n");
        for (owner, items) in x.needs_action {
            let mut by_state: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
            for i in items {
                let st = worst.get(i.as_str()).copied().unwrap_or("overdue");
                by_state.entry(st).or_default().push(i);
            }
            let counts: Vec<String> = by_state
                .iter()
                .map(|(st, list)| format!("{} {}", list.len(), state_cell(st)))
                .collect();
            let _ = writeln!(
                b,
                "<details data-owner=\"{o}\"><summary><b>{label}</b>: \
                 <span data-figure=\"owner/{o}\">{n}</span> {items} ({})</summary>",
                counts.join(", "),
                o = e(owner),
                label = e(&(x.label)(owner)),
                n = items.len(),
                items = if items.len() == 1 { "item" } else { "items" },
            );
            for (st, list) in &by_state {
                let links: Vec<String> = list
                    .iter()
                    .map(|i| format!("<a href=\"{}\">{}</a>", e(&item_path(i)), e(i)))
                    .collect();
                let _ = writeln!(
                    b,
                    "<p>{} <span class=\"muted\">({})</span>: {}</p>",
                    state_cell(st),
                    list.len(),
                    links.join(" · ")
                );
            }
            b.push_str("</details>\n");
        }
        b.push_str("</div>\n");
    }
    // The findings register's fields: an open nonconformity reads as open,
    // never as "ok".
    let r = x.findings;
    if !r.rows.is_empty() {
        let shown = [
            "finding", "title", "severity", "status", "state", "raised", "due", "owner",
        ];
        let at: Vec<usize> = shown
            .iter()
            .filter_map(|c| r.columns.iter().position(|(id, _)| id == c))
            .collect();
        b.push_str("<h2>Findings</h2>\n<table class=\"findings\"><thead><tr>");
        for &i in &at {
            let _ = write!(b, "<th>{}</th>", e(&r.columns[i].1));
        }
        b.push_str("</tr></thead><tbody>\n");
        for row in &r.rows {
            b.push_str("<tr>");
            for &i in &at {
                let cell = match r.columns[i].0.as_str() {
                    "finding" => format!(
                        "<a href=\"{}\">{}</a>",
                        e(&item_path(&format!("finding:{}", row[i]))),
                        e(&row[i])
                    ),
                    "state" => state_cell(&row[i]),
                    "owner" => e(&(x.label)(&row[i])),
                    _ => e(&row[i]),
                };
                let _ = write!(b, "<td>{cell}</td>");
            }
            b.push_str("</tr>\n");
        }
        b.push_str("</tbody></table>\n");
    }
    page(x, "index.html", "index.html", "Status", &b)
}

/// A report as a filterable table; `link` gives a cell's link, if any.
fn table_page(
    x: &Input<'_>,
    name: &str,
    r: &Report,
    link: impl Fn(usize, &[String]) -> Option<String>,
) -> String {
    let path = format!("{name}.html");
    let mut b = format!(
        "<h1>{}</h1>\n<div class=\"filters\"><input id=\"q\" type=\"search\" placeholder=\"Filter rows\" \
         aria-label=\"Filter rows\"><span><output id=\"shown\">{}</output> of {} shown</span></div>\n",
        e(&r.title),
        r.rows.len(),
        r.rows.len()
    );
    table(&mut b, r, &link, |_, _| String::new());
    b.push_str(&notes(r));
    let _ = writeln!(b, "<script>{FILTER_SCRIPT}</script>");
    page(x, &path, &path, &r.title, &b)
}

fn table(
    b: &mut String,
    r: &Report,
    link: &dyn Fn(usize, &[String]) -> Option<String>,
    attrs: impl Fn(usize, &[String]) -> String,
) {
    b.push_str("<div class=\"scroll\"><table class=\"data\"><thead><tr>");
    for (i, (_, head)) in r.columns.iter().enumerate() {
        let _ = write!(b, "<th{}>{}</th>", attrs(i, &[]), e(head));
    }
    b.push_str("</tr></thead><tbody>\n");
    for row in &r.rows {
        b.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let text = match link(i, row) {
                Some(href) => format!("<a href=\"{}\">{}</a>", e(&href), e(cell)),
                None if r.columns[i].0 == "review_state" || r.columns[i].0 == "state" => cell
                    .split("; ")
                    .map(state_cell)
                    .collect::<Vec<_>>()
                    .join("; "),
                None => e(cell),
            };
            // Hashes and commit ids: fixed width, and broken anywhere rather than overflowing.
            let class = match r.columns[i].0.as_str() {
                "artifacts" | "commit" => " class=\"mono\"",
                "collected" | "expires" | "last_review" => " class=\"date\"",
                _ => "",
            };
            let _ = write!(b, "<td{class}{}>{text}</td>", attrs(i, row));
        }
        b.push_str("</tr>\n");
    }
    b.push_str("</tbody></table></div>\n");
}

fn notes(r: &Report) -> String {
    if r.notes.is_empty() {
        return String::new();
    }
    let mut b = format!("<h2>{}</h2>\n<dl>\n", r.notes_title);
    for (head, text) in &r.notes {
        let _ = writeln!(b, "<dt>{}</dt><dd>{}</dd>", e(head), e(text));
    }
    b.push_str("</dl>\n");
    b
}

fn matrix(x: &Input<'_>) -> String {
    let r = x.matrix_report;
    let services: Vec<&str> = r.columns[2..].iter().map(|(id, _)| id.as_str()).collect();
    let mut b = format!(
        "<h1>{}</h1>\n<div class=\"filters\">\
         <label>Service <select id=\"service\"><option value=\"\">all</option>",
        e(&r.title)
    );
    for s in &services {
        let _ = write!(b, "<option>{}</option>", e(s));
    }
    b.push_str(
        "</select></label><label>Party <select id=\"party\"><option value=\"\">any</option>",
    );
    for p in [
        "provider",
        "customer",
        "shared",
        "not-applicable",
        "missing",
    ] {
        let _ = write!(b, "<option>{p}</option>");
    }
    let _ = writeln!(
        b,
        "</select></label><input id=\"q\" type=\"search\" placeholder=\"Filter controls\" \
         aria-label=\"Filter controls\"><span><output id=\"shown\">{n}</output> of {n} controls shown</span></div>",
        n = r.rows.len()
    );
    let link = |col: usize, row: &[String]| match col {
        0 => Some(format!("items/control/{}.html", row[0])),
        c if c >= 2 && row[c] != "missing" => Some(format!(
            "items/allocation/{}/{}.html",
            services[c - 2],
            row[0]
        )),
        _ => None,
    };
    table(&mut b, r, &link, |col, row| {
        if col < 2 {
            return String::new();
        }
        let svc = e(services[col - 2]);
        match row.get(col) {
            Some(cell) => {
                let (party, todo) = match cell.strip_suffix(crate::render::report::TODO_MARK) {
                    Some(party) => (party.trim_end(), " todo"),
                    None => (cell.as_str(), ""),
                };
                format!(
                    " class=\"p-{p}{todo}\" data-service=\"{svc}\" data-party=\"{p}\"",
                    p = e(party)
                )
            }
            None => format!(" data-service=\"{svc}\""),
        }
    });
    b.push_str("<p class=\"muted\">Each cell links to its allocation: the duties, the owner and the reviews.</p>\n");
    let _ = writeln!(b, "<script>{FILTER_SCRIPT}</script>");
    page(x, "matrix.html", "matrix.html", &r.title, &b)
}

fn item_page(x: &Input<'_>, key: &str, states: &[&ItemStatus], reviews: &[&Review]) -> String {
    let path = item_path(key);
    let root = root_of(&path);
    let first = states[0];
    let s = x.snapshot;
    let (kind, id) = key.split_once(':').unwrap_or(("", key));
    let (title, text) = item_doc(s, kind, id);
    let mut b = format!("<h1>{}", e(key));
    if !title.is_empty() {
        let _ = write!(b, " <span class=\"muted\">{}</span>", e(title));
    }
    b.push_str("</h1>\n<dl>\n");
    let state: Vec<String> = states
        .iter()
        .map(|i| state_cell(i.state.as_str()))
        .collect();
    let _ = writeln!(
        b,
        "<dt>State</dt><dd data-figure=\"state\">{}</dd>",
        state.join(", ")
    );
    let _ = writeln!(b, "<dt>Owner</dt><dd>{}</dd>", e(&(x.label)(&first.owner)));
    if let Some(c) = &first.cadence {
        let _ = writeln!(b, "<dt>Cadence</dt><dd>{}</dd>", e(c));
    }
    if let Some(d) = first.due {
        let _ = writeln!(b, "<dt>Due</dt><dd>{d}</dd>");
    }
    for i in states.iter().filter(|i| !i.detail.is_empty()) {
        let _ = writeln!(b, "<dt>{}</dt><dd>{}</dd>", i.state.as_str(), e(&i.detail));
    }
    let _ = writeln!(b, "<dt>File</dt><dd><code>{}</code></dd>", e(&first.file));
    b.push_str("</dl>\n");
    if kind == "finding" {
        let r = x.findings;
        if let Some(row) = r.rows.iter().find(|row| row[0] == id) {
            b.push_str("<h2>Finding</h2>\n<dl class=\"finding\">\n");
            for ((col, head), value) in r.columns.iter().zip(row).skip(1) {
                let value = if col == "state" {
                    state_cell(value)
                } else {
                    e(value)
                };
                let _ = writeln!(
                    b,
                    "<dt>{}</dt><dd data-field=\"{}\">{value}</dd>",
                    e(head),
                    e(col)
                );
            }
            b.push_str("</dl>\n");
        }
    }
    // The file's fields, rendered (a finding's are its register row above).
    if kind != "finding" && !text.is_empty() {
        fields(&mut b, text);
    }
    related(&mut b, s, kind, id, &root);
    if kind == "allocation"
        && let Some((svc, ctl)) = id.split_once('/')
    {
        let _ = writeln!(
            b,
            "<p>Service <a href=\"{root}items/service/{s}.html\">{s}</a>, control \
                 <a href=\"{root}items/control/{c}.html\">{c}</a>.</p>",
            s = e(svc),
            c = e(ctl)
        );
    }
    let _ = writeln!(
        b,
        "<h2>Reviews <span class=\"muted\">({})</span></h2>",
        reviews.len()
    );
    if reviews.is_empty() {
        b.push_str("<p>Never reviewed.</p>\n");
    } else {
        b.push_str(
            "<table class=\"reviews\"><thead><tr><th>Landed</th><th>Outcome</th><th>By</th>\
             <th>Commit</th><th>Landed by</th><th>Pull request</th><th>Note</th></tr></thead><tbody>\n",
        );
        let mut newest: Vec<&&Review> = reviews.iter().collect();
        newest.sort_by_key(|r| std::cmp::Reverse(r.landed));
        for r in newest {
            let outcome = serde_json::to_value(r.outcome)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{} &lt;{}&gt;</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                r.landed.format("%Y-%m-%d %H:%M %:z"),
                e(&outcome),
                e(&r.author),
                e(&r.email),
                e(&r.commit.short()),
                e(&r.landed_by.short()),
                r.pull_request.map(|n| format!("#{n}")).unwrap_or_default(),
                e(r.note.as_deref().unwrap_or(""))
            );
        }
        b.push_str("</tbody></table>\n");
    }
    if !text.is_empty() {
        let _ = writeln!(
            b,
            "<details><summary>File as committed</summary>\n<pre>{}</pre></details>",
            e(text)
        );
    }
    page(x, &path, "", key, &b)
}

/// An item file's fields as a definition list: nested tables as dotted
/// names (`soa.justification`), lists joined.
fn fields(b: &mut String, text: &str) {
    let Ok(table) = text.parse::<toml::Table>() else {
        return;
    };
    b.push_str("<h2>Fields</h2>\n<dl class=\"fields\">\n");
    fields_of(b, &table, "");
    b.push_str("</dl>\n");
}

fn fields_of(b: &mut String, table: &toml::Table, prefix: &str) {
    for (key, value) in table {
        let name = format!("{prefix}{key}");
        match value {
            toml::Value::Table(t) => fields_of(b, t, &format!("{name}.")),
            toml::Value::Array(items)
                if items.iter().all(toml::Value::is_table) && !items.is_empty() =>
            {
                for (i, item) in items.iter().enumerate() {
                    if let toml::Value::Table(t) = item {
                        fields_of(b, t, &format!("{name}[{}].", i + 1));
                    }
                }
            }
            other => {
                let _ = writeln!(
                    b,
                    "<dt>{n}</dt><dd data-field=\"{n}\">{}</dd>",
                    e(&field_text(other)),
                    n = e(&name)
                );
            }
        }
    }
}

/// A field's value as text: strings as they are, lists joined.
fn field_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(items) => items.iter().map(field_text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// Links from an item to the items about it: a control's allocations and
/// evidence, an evidence record's controls.
fn related(b: &mut String, s: &Snapshot, kind: &str, id: &str, root: &str) {
    let link = |kind: &str, id: &str| {
        format!(
            "<a href=\"{root}items/{kind}/{id}.html\">{}</a>",
            e(id),
            id = e(id)
        )
    };
    let mut sections: Vec<(&str, Vec<String>)> = Vec::new();
    match kind {
        "control" => {
            let allocations: Vec<String> = s
                .allocations
                .keys()
                .filter(|(_, c)| c.as_str() == id)
                .map(|(svc, c)| link("allocation", &format!("{svc}/{c}")))
                .collect();
            let evidence: Vec<String> = s
                .evidence
                .iter()
                .filter(|(_, ev)| ev.value.controls.iter().any(|c| c.as_str() == id))
                .map(|(eid, _)| link("evidence", eid.as_str()))
                .collect();
            sections.push(("Allocations", allocations));
            sections.push(("Evidence", evidence));
        }
        "evidence" => {
            if let Some(ev) = s.evidence.get(id) {
                let controls = ev
                    .value
                    .controls
                    .iter()
                    .map(|c| link("control", c.as_str()))
                    .collect();
                sections.push(("Controls", controls));
            }
        }
        _ => {}
    }
    for (title, links) in sections.into_iter().filter(|(_, l)| !l.is_empty()) {
        let _ = writeln!(
            b,
            "<h2>{title} <span class=\"muted\">({})</span></h2>\n<p class=\"links\">{}</p>",
            links.len(),
            links.join(" · ")
        );
    }
}

/// An item's title (empty for an allocation) and its TOML as read; both
/// empty when the item has no parsed file.
fn item_doc<'a>(s: &'a Snapshot, kind: &str, id: &str) -> (&'a str, &'a str) {
    let found = match kind {
        "control" => s
            .controls
            .get(id)
            .map(|d| (d.value.title.as_str(), &d.text)),
        "service" => s.services.get(id).map(|d| (d.value.name.as_str(), &d.text)),
        "evidence" => s
            .evidence
            .get(id)
            .map(|d| (d.value.title.as_str(), &d.text)),
        "finding" => s
            .findings
            .get(id)
            .map(|d| (d.value.title.as_str(), &d.text)),
        "allocation" => id
            .split_once('/')
            .and_then(|(sv, ct)| Some((Id::parse(sv).ok()?, Id::parse(ct).ok()?)))
            .and_then(|k| s.allocations.get(&k))
            .map(|d| ("", &d.text)),
        _ => None,
    };
    found.map_or(("", ""), |(title, text)| (title, text.as_str()))
}
