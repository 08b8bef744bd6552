//! SARIF 2.1.0, the format GitHub code scanning reads: findings as results
//! with rule ids, levels and locations.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::diagnostic::{Diagnostic, Severity};

/// One SARIF log with one run of isms over `findings`.
pub fn document(findings: &[Diagnostic]) -> Value {
    let mut rules: BTreeMap<&str, usize> = BTreeMap::new();
    for d in findings {
        let next = rules.len();
        rules.entry(d.rule).or_insert(next);
    }
    let mut rule_list: Vec<(&str, usize)> = rules.iter().map(|(r, i)| (*r, *i)).collect();
    rule_list.sort_by_key(|(_, i)| *i);
    let results: Vec<Value> = findings
        .iter()
        .map(|d| {
            let mut message = d.message.clone();
            if let Some(h) = &d.hint {
                message.push_str("\nhint: ");
                message.push_str(h);
            }
            let mut location = json!({
                "physicalLocation": {
                    "artifactLocation": {"uri": d.file, "uriBaseId": "%SRCROOT%"}
                }
            });
            if let Some(line) = d.line {
                let mut region = json!({"startLine": line});
                if let Some(col) = d.column {
                    region["startColumn"] = json!(col);
                }
                location["physicalLocation"]["region"] = region;
            }
            json!({
                "ruleId": d.rule,
                "ruleIndex": rules[d.rule],
                "level": match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                },
                "message": {"text": message},
                "locations": [location],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "isms",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rule_list.iter().map(|(id, _)| json!({
                    "id": id,
                    "name": id,
                    "shortDescription": {"text": id.replace('-', " ")},
                })).collect::<Vec<_>>(),
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the compliance repository"}}},
            "results": results,
        }]
    })
}
