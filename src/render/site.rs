//! The static dashboard: the status overview, the matrix with filters, the
//! Statement of Applicability, the evidence register and one page per item
//! with its review history. Plain files that open from disk: no server, no
//! external assets, the little script each table needs written inline.
//! Pure: the assessment and reports in, pages out.

use std::collections::{BTreeMap, BTreeSet};

use maud::{Markup, PreEscaped, Render, html};

use crate::check::review::{Assessment, ItemStatus, KIND_LABELS, STATES};
use crate::model::Review;
use crate::model::{Id, Snapshot};
use crate::render::NL;
use crate::render::report::{EXCLUDED, MISSING, Report, column_css};

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
    /// The catalog, when certification audits are no longer (or soon not)
    /// against its edition: what is said of it, and the edition they are
    /// against.
    pub superseded: Option<(&'a crate::model::CatalogHead, &'a str, &'a str)>,
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
table.reviews td:nth-child(-n+2){white-space:nowrap}
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
td.p-not-applicable,td.p-excluded{background:#f1f3f4;color:var(--muted)}td.p-missing{background:#fce8e6;font-weight:600}
td.todo{background:repeating-linear-gradient(135deg,#fff,#fff 4px,#fef7e0 4px,#fef7e0 8px);font-style:italic}
.filters{display:flex;gap:.8rem;align-items:center;flex-wrap:wrap;margin:.4rem 0 .8rem}
.filters input{padding:.3rem .5rem;min-width:16rem}
.muted{color:var(--muted)}
.notice{border-left:4px solid #8a5a00;background:#fef7e0;padding:.5rem .8rem;margin:.5rem 0 1rem}
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

/// A page of the site: `css` adds to the stylesheet for this page alone
/// (its tables' columns, [`column_css`]).
fn page(x: &Input<'_>, path: &str, current: &str, title: &str, css: &str, body: Markup) -> String {
    let root = root_of(path);
    let nav = [
        ("index.html", "Overview"),
        ("matrix.html", "Matrix"),
        ("soa.html", "Statement of Applicability"),
        ("evidence.html", "Evidence"),
    ];
    let tip = &x.tip[..10.min(x.tip.len())];
    html! {
        (PreEscaped("<!doctype html>\n"))
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { (title) " — " (x.organization) }
                (NL)
                @if !css.is_empty() { style { (PreEscaped(css)) } }
                link rel="stylesheet" href={ (root) "style.css" };
            }
            (NL)
            body {
                (NL)
                header {
                    b { (x.organization) }
                    nav {
                        @for (href, name) in nav {
                            a href={ (root) (href) } aria-current=[(href == current).then_some("page")] { (name) }
                        }
                    }
                    small {
                        "as of " (x.as_of) " · " (x.branch) " at " (tip)
                        @if let Some(source) = x.source { " · " (source) }
                    }
                }
                (NL)
                main { (NL) (body) }
                (NL)
            }
        }
        (NL)
    }
    .into_string()
}

/// A state in its colour; "missing evidence" as the report words it is `missing-evidence`.
fn state_cell(state: &str) -> Markup {
    html! { span class={ "s-" (state.replace(' ', "-")) } { (state) } }
}

/// `items`, with `sep` between them.
fn joined<T: Render>(items: &[T], sep: &str) -> Markup {
    html! {
        @for (i, item) in items.iter().enumerate() {
            @if i > 0 { (sep) }
            (item)
        }
    }
}

fn overview(x: &Input<'_>) -> String {
    let flagged: usize = x.needs_action.values().map(Vec::len).sum();
    let (present, required, placeholders) = x.matrix;
    // Per owner, folded: the count and its states, then the items by state.
    let worst: BTreeMap<&str, &str> = crate::check::review::most_urgent(&x.assessment.items)
        .into_iter()
        .map(|(k, v)| (k, v.state.as_str()))
        .collect();
    let by_state = |items: &[String]| {
        let mut by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for i in items {
            let st = worst.get(i.as_str()).copied().unwrap_or("overdue");
            by.entry(st).or_default().push(i.clone());
        }
        by
    };
    let body = html! {
        h1 { "Status" } (NL)
        @if let Some((catalog, words, by)) = x.superseded {
            p class="notice" data-notice="catalog" {
                "Catalog: edition " (catalog.edition) " (" (catalog.name) "), " (words) ". "
                code { "isms migrate --to " (by) " --dry-run" } " shows what moving to it changes."
            }
            (NL)
        }
        @if !x.assessment.unauthorized.is_empty() {
            @let items: BTreeSet<&str> = x.assessment.unauthorized.iter().map(|u| u.item.as_str()).collect();
            @let n = x.assessment.unauthorized.len();
            p class="notice" data-notice="not-counted" {
                "Not counted: " span data-figure="not-counted" { (n) } (if n == 1 { " review" } else { " reviews" })
                ", by authors who do not own the item (approval = \"author\"), of "
                (joined(&items.iter().map(|i| html! { a href=(item_path(i)) { (i) } }).collect::<Vec<_>>(), " · "))
                ". Each item's page marks them."
            }
            (NL)
        }
        div class="figures" {
            (NL)
            div class="figure" { b data-figure="needs-action" { (flagged) } span { "items need action" } }
            (NL)
            div class="figure" {
                b {
                    span data-figure="matrix/present" { (present) } " / "
                    span data-figure="matrix/required" { (required) }
                }
                span {
                    "allocations in the matrix"
                    @if placeholders > 0 {
                        ", " span data-figure="matrix/placeholders" { (placeholders) } " still TODO placeholders"
                    }
                }
            }
            (NL)
            div class="figure" { b data-figure="owners" { (x.needs_action.len()) } span { "owners with items to act on" } }
            (NL)
        }
        (NL) h2 { "Items by state" } (NL)
        table class="counts" {
            thead { tr { th {} @for s in STATES { th { (state_cell(s.as_str())) } } } }
            tbody {
                (NL)
                @for (kind, label) in KIND_LABELS {
                    tr {
                        th { (label) }
                        @for s in STATES.map(|s| s.as_str()) {
                            td class="n" data-figure={ (kind) "/" (s) } {
                                (x.counts.get(kind).and_then(|m| m.get(s)).copied().unwrap_or(0))
                            }
                        }
                    }
                    (NL)
                }
            }
        }
        (NL) h2 { "Needs action, by owner" } (NL)
        @if x.needs_action.is_empty() {
            p { "Nothing needs action." } (NL)
        } @else {
            div class="owners" {
                (NL)
                @for (owner, items) in x.needs_action {
                    @let by = by_state(items);
                    details data-owner=(owner) {
                        summary {
                            b { ((x.label)(owner)) } ": "
                            span data-figure={ "owner/" (owner) } { (items.len()) }
                            " " (if items.len() == 1 { "item" } else { "items" }) " ("
                            (joined(&by.iter().map(|(st, list)| html! { (list.len()) " " (state_cell(st)) }).collect::<Vec<_>>(), ", "))
                            ")"
                        }
                        (NL)
                        @for (st, list) in &by {
                            p {
                                (state_cell(st)) " " span class="muted" { "(" (list.len()) ")" } ": "
                                (joined(&list.iter().map(|i| html! { a href=(item_path(i)) { (i) } }).collect::<Vec<_>>(), " · "))
                            }
                            (NL)
                        }
                    }
                    (NL)
                }
            }
            (NL)
        }
        (findings_table(x))
    };
    let findings = findings_columns(x.findings).map(|i| x.findings.columns[i].0.as_str());
    let css = column_css("table.findings", findings);
    page(x, "index.html", "index.html", "Status", &css, body)
}

/// The findings register's fields: an open nonconformity reads as open,
/// never as "ok".
fn findings_table(x: &Input<'_>) -> Markup {
    let r = x.findings;
    if r.rows.is_empty() {
        return html! {};
    }
    let at: Vec<usize> = findings_columns(r).collect();
    html! {
        h2 { "Findings" } (NL)
        table class="findings" {
            thead { tr { @for &i in &at { th { (r.columns[i].1) } } } }
            tbody {
                (NL)
                @for row in &r.rows {
                    tr {
                        @for &i in &at {
                            td {
                                @match r.columns[i].0.as_str() {
                                    "finding" => a href=(item_path(&format!("finding:{}", row[i]))) { (row[i]) },
                                    "state" => (state_cell(&row[i])),
                                    "owner" => ((x.label)(&row[i])),
                                    _ => (row[i]),
                                }
                            }
                        }
                    }
                    (NL)
                }
            }
        }
        (NL)
    }
}

/// The columns of the findings register the overview shows, by index.
fn findings_columns(r: &Report) -> impl Iterator<Item = usize> + '_ {
    let shown = [
        "finding", "title", "severity", "status", "state", "raised", "due", "owner",
    ];
    shown
        .into_iter()
        .filter_map(|c| r.columns.iter().position(|(id, _)| id == c))
}

/// Attributes of one cell of a table: its class, and on the matrix the
/// service and party the filters match.
#[derive(Default)]
struct CellAttrs {
    class: Option<String>,
    service: Option<String>,
    party: Option<String>,
}

/// A report as a filterable table; `link` gives a cell's link, if any.
fn table_page(
    x: &Input<'_>,
    name: &str,
    r: &Report,
    link: impl Fn(usize, &[String]) -> Option<String>,
) -> String {
    let path = format!("{name}.html");
    let body = html! {
        h1 { (r.title) } (NL)
        div class="filters" {
            input id="q" type="search" placeholder="Filter rows" aria-label="Filter rows";
            span { output id="shown" { (r.rows.len()) } " of " (r.rows.len()) " shown" }
        }
        (NL)
        (table(r, &link, |_, _| CellAttrs::default()))
        (r.notes_html())
        script { (PreEscaped(FILTER_SCRIPT)) } (NL)
    };
    let css = column_css("table.data", r.columns.iter().map(|(id, _)| id.as_str()));
    page(x, &path, &path, &r.title, &css, body)
}

fn table(
    r: &Report,
    link: &dyn Fn(usize, &[String]) -> Option<String>,
    attrs: impl Fn(usize, &[String]) -> CellAttrs,
) -> Markup {
    let cell = |i: usize, row: &[String], cell: &str| -> Markup {
        match link(i, row) {
            Some(href) => html! { a href=(href) { (cell) } },
            None if r.columns[i].0 == "review_state" || r.columns[i].0 == "state" => {
                joined(&cell.split("; ").map(state_cell).collect::<Vec<_>>(), "; ")
            }
            None => html! { (cell) },
        }
    };
    html! {
        div class="scroll" {
            table class="data" {
                thead {
                    tr {
                        @for (i, (_, head)) in r.columns.iter().enumerate() {
                            @let a = attrs(i, &[]);
                            th class=[a.class] data-service=[a.service] data-party=[a.party] { (head) }
                        }
                    }
                }
                tbody {
                    (NL)
                    @for row in &r.rows {
                        tr {
                            @for (i, text) in row.iter().enumerate() {
                                @let a = attrs(i, row);
                                // Hashes and commit ids: fixed width, and broken anywhere rather than overflowing.
                                @let class = match r.columns[i].0.as_str() {
                                    "artifacts" | "commit" => Some("mono".to_owned()),
                                    "collected" | "expires" | "last_review" => Some("date".to_owned()),
                                    _ => a.class,
                                };
                                td class=[class] data-service=[a.service] data-party=[a.party] { (cell(i, row, text)) }
                            }
                        }
                        (NL)
                    }
                }
            }
        }
        (NL)
    }
}

fn matrix(x: &Input<'_>) -> String {
    let r = x.matrix_report;
    let services: Vec<&str> = r.columns[2..].iter().map(|(id, _)| id.as_str()).collect();
    let link = |col: usize, row: &[String]| match col {
        0 => Some(format!("items/control/{}.html", row[0])),
        c if c >= 2 && ![MISSING, EXCLUDED].contains(&row[c].as_str()) => Some(format!(
            "items/allocation/{}/{}.html",
            services[c - 2],
            row[0]
        )),
        _ => None,
    };
    let attrs = |col: usize, row: &[String]| {
        if col < 2 {
            return CellAttrs::default();
        }
        let service = Some(services[col - 2].to_owned());
        match row.get(col) {
            Some(cell) => {
                let (party, todo) = match cell.strip_suffix(crate::render::report::TODO_MARK) {
                    Some(party) => (party.trim_end(), " todo"),
                    None => (cell.as_str(), ""),
                };
                CellAttrs {
                    class: Some(format!("p-{party}{todo}")),
                    service,
                    party: Some(party.to_owned()),
                }
            }
            None => CellAttrs {
                service,
                ..CellAttrs::default()
            },
        }
    };
    let parties = [
        "provider",
        "customer",
        "shared",
        "not-applicable",
        EXCLUDED,
        MISSING,
    ];
    let body = html! {
        h1 { (r.title) } (NL)
        div class="filters" {
            label {
                "Service "
                select id="service" {
                    option value="" { "all" }
                    @for s in &services { option { (s) } }
                }
            }
            label {
                "Party "
                select id="party" {
                    option value="" { "any" }
                    @for p in parties { option { (p) } }
                }
            }
            input id="q" type="search" placeholder="Filter controls" aria-label="Filter controls";
            span { output id="shown" { (r.rows.len()) } " of " (r.rows.len()) " controls shown" }
        }
        (NL)
        (table(r, &link, attrs))
        p class="muted" { "Each cell links to its allocation: the duties, the owner and the reviews." } (NL)
        script { (PreEscaped(FILTER_SCRIPT)) } (NL)
    };
    page(x, "matrix.html", "matrix.html", &r.title, "", body)
}

fn item_page(x: &Input<'_>, key: &str, states: &[&ItemStatus], reviews: &[&Review]) -> String {
    let path = item_path(key);
    let root = root_of(&path);
    let first = states[0];
    let s = x.snapshot;
    let (kind, id) = key.split_once(':').unwrap_or(("", key));
    let (title, text) = item_doc(s, kind, id);
    let finding = (kind == "finding")
        .then(|| x.findings.rows.iter().find(|row| row[0] == id))
        .flatten();
    let mut newest: Vec<&&Review> = reviews.iter().collect();
    newest.sort_by_key(|r| std::cmp::Reverse(r.landed));
    // The commits of its reviews that do not count (approval = "author").
    let not_counted: BTreeSet<&str> = (x.assessment.unauthorized.iter())
        .filter(|u| u.item == key)
        .map(|u| u.commit.as_str())
        .collect();
    let body = html! {
        h1 {
            (key)
            @if !title.is_empty() { " " span class="muted" { (title) } }
        }
        (NL)
        dl {
            (NL)
            dt { "State" }
            dd data-figure="state" {
                (joined(&states.iter().map(|i| state_cell(i.state.as_str())).collect::<Vec<_>>(), ", "))
            }
            (NL)
            dt { "Owner" } dd { ((x.label)(&first.owner)) } (NL)
            @if let Some(c) = &first.cadence { dt { "Cadence" } dd { (c) } (NL) }
            @if let Some(d) = first.due { dt { "Due" } dd { (d) } (NL) }
            @for i in states.iter().filter(|i| !i.detail.is_empty()) {
                dt { (i.state.as_str()) } dd { (i.detail) } (NL)
            }
            dt { "File" } dd { code { (first.file) } } (NL)
        }
        (NL)
        @if let Some(row) = finding {
            h2 { "Finding" } (NL)
            dl class="finding" {
                (NL)
                @for ((col, head), value) in x.findings.columns.iter().zip(row).skip(1) {
                    dt { (head) }
                    dd data-field=(col) {
                        @if col == "state" { (state_cell(value)) } @else { (value) }
                    }
                    (NL)
                }
            }
            (NL)
        }
        // The file's fields, rendered (a finding's are its register row above).
        @if kind != "finding" && !text.is_empty() { (fields(text)) }
        (related(s, kind, id, &root, x.as_of))
        @if kind == "allocation" {
            @if let Some((svc, ctl)) = id.split_once('/') {
                p {
                    "Service " a href={ (root) "items/service/" (svc) ".html" } { (svc) }
                    ", control " a href={ (root) "items/control/" (ctl) ".html" } { (ctl) } "."
                }
                (NL)
            }
        }
        h2 { "Reviews " span class="muted" { "(" (reviews.len()) ")" } } (NL)
        @if reviews.is_empty() {
            // With count_changes, the last change to its file counts as one.
            @if let Some(r) = states.iter().find_map(|i| i.last_review.as_ref()).filter(|r| r.commit.is_none()) {
                p data-file-change { "No review commit; the change to its file landed " (r.landed) " counts as one (count_changes)." } (NL)
            } @else {
                p { "Never reviewed." } (NL)
            }
        } @else {
            // Its first two columns, the day and the outcome (`needs-change`),
            // are never broken (style.css).
            table class="reviews" {
                thead {
                    tr {
                        th { "Landed" } th { "Outcome" } th { "By" } th { "Commit" }
                        th { "Landed by" } th { "Pull request" } th { "Note" }
                    }
                }
                tbody {
                    (NL)
                    @for r in &newest {
                        tr {
                            td { (r.landed.format("%Y-%m-%d %H:%M %:z")) }
                            td {
                                (r.outcome.as_str())
                                @if not_counted.contains(r.commit.to_string().as_str()) {
                                    br; span class="muted" data-not-counted { "does not count: not by the owner (approval = \"author\")" }
                                }
                            }
                            td { (r.author) " <" (r.email) ">" }
                            td { code { (r.commit.short()) } }
                            td { code { (r.landed_by.short()) } }
                            td { @if let Some(n) = r.pull_request { "#" (n) } }
                            td { (r.note.as_deref().unwrap_or("")) }
                        }
                        (NL)
                    }
                }
            }
            (NL)
        }
        @if !text.is_empty() {
            details { summary { "File as committed" } (NL) pre { (text) } } (NL)
        }
    };
    page(x, &path, "", key, "", body)
}

/// An item file's fields as a definition list: nested tables as dotted
/// names (`soa.justification`), lists joined.
fn fields(text: &str) -> Markup {
    let Ok(table) = text.parse::<toml::Table>() else {
        return html! {};
    };
    html! {
        h2 { "Fields" } (NL)
        dl class="fields" { (NL) (fields_of(&table, "")) }
        (NL)
    }
}

fn fields_of(table: &toml::Table, prefix: &str) -> Markup {
    html! {
        @for (key, value) in table {
            @let name = format!("{prefix}{key}");
            @match value {
                toml::Value::Table(t) => (fields_of(t, &format!("{name}."))),
                toml::Value::Array(items) if items.iter().all(toml::Value::is_table) && !items.is_empty() => {
                    @for (i, item) in items.iter().enumerate() {
                        @if let toml::Value::Table(t) = item {
                            (fields_of(t, &format!("{name}[{}].", i + 1)))
                        }
                    }
                }
                other => {
                    dt { (name) } dd data-field=(name) { (field_text(other)) } (NL)
                }
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

/// Links from an item to the items about it: a control's reviewed
/// allocations (those with pages) and the evidence collected for it by
/// `as_of`, an evidence record's controls.
fn related(s: &Snapshot, kind: &str, id: &str, root: &str, as_of: &str) -> Markup {
    let link = |kind: &str, id: &str| {
        html! { a href={ (root) "items/" (kind) "/" (id) ".html" } { (id) } }
    };
    let mut sections: Vec<(&str, Vec<Markup>)> = Vec::new();
    match kind {
        "control" => {
            let allocations = s
                .allocations
                .keys()
                .filter(|(svc, c)| c.as_str() == id && s.reviews_allocations_of(svc))
                .map(|(svc, c)| link("allocation", &format!("{svc}/{c}")))
                .collect();
            let evidence = crate::render::report::collected_by(s, as_of)
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
    html! {
        @for (title, links) in sections.iter().filter(|(_, l)| !l.is_empty()) {
            h2 { (title) " " span class="muted" { "(" (links.len()) ")" } } (NL)
            p class="links" { (joined(links, " · ")) } (NL)
        }
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
