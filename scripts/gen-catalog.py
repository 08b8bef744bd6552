#!/usr/bin/env python3
"""Generate the catalog editions and their crosswalk from the shared standards data.

Usage: scripts/gen-catalog.py [DATA_DIR] [--check]

Writes, under templates/catalog/:
  2013.toml                 ISO/IEC 27002:2013 controls and the ISO/IEC 27017 CLD controls
  2022.toml                 ISO/IEC 27001:2022 Annex A (ISO/IEC 27002:2022) and the CLD controls
  crosswalk-2013-2022.toml  which 2013 control became which 2022 control (n:1 and 1:n)

DATA_DIR defaults to ../shared/data (relative to the repository root). With
--check the files are generated in memory and compared with the committed
ones; a difference exits 1, so CI notices a catalog edited by hand.

Only control IDs, short titles and isms's own one-line summaries are written:
never text from the standards.
"""

import csv
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "templates", "catalog")

# Which catalog controls each row of ssrm-defaults.tsv governs. This is isms's
# own judgement, written down so it can be reviewed and changed in one place.
# A control gets the party of its area for each service model; a matrix control
# in no area falls back to the sides ISO/IEC 27017 gives guidance to (both ->
# shared, provider only -> provider, customer only -> customer).
AREA_CONTROLS_2013 = {
    "physical_datacenter_hosts_network": ["11.2.7"],
    "hypervisor_virtualization_tenant_isolation": ["CLD.9.5.1", "CLD.13.1.4"],
    "network_controls": ["9.1.2", "13.1.3"],
    "operating_system": ["CLD.9.5.2"],
    "middleware_runtime": [],
    "application": ["14.1.1", "14.2.1"],
    "configuration_and_settings": [],
    "data": ["8.2.2"],
    "identity_and_access": ["9.2.1", "9.2.2", "9.2.3", "9.2.4", "9.4.1"],
    "client_devices_endpoints": [],
    "logging_monitoring": ["12.4.1", "12.4.3", "12.4.4", "CLD.12.4.5"],
    "backup_and_restore": ["12.3.1"],
    "encryption_key_management": ["10.1.1", "10.1.2", "18.1.5"],
    "patch_config_mgmt_awareness_training": ["7.2.2", "12.1.2", "12.6.1"],
    "incident_response": ["16.1.1", "16.1.2", "16.1.7"],
    "deletion_and_return_at_termination": ["CLD.8.1.5"],
}

# The same judgement for the 2022 edition. Most entries follow from the 2013
# control they replace (11.2.7 -> 7.14, 9.2.1 -> 5.16, ...); controls new in
# 2022 that a service carries are placed here too (7.4, 8.9, 8.10, 8.11, 8.12,
# 8.16, 8.28), which makes them matrix controls.
AREA_CONTROLS_2022 = {
    "physical_datacenter_hosts_network": ["7.4", "7.14"],
    "hypervisor_virtualization_tenant_isolation": ["CLD.9.5.1", "CLD.13.1.4"],
    "network_controls": ["8.22"],
    "operating_system": ["CLD.9.5.2"],
    "middleware_runtime": [],
    "application": ["5.8", "8.25", "8.28"],
    "configuration_and_settings": [],
    "data": ["5.13", "8.10", "8.11", "8.12"],
    "identity_and_access": ["5.15", "5.16", "5.17", "5.18", "8.2", "8.3"],
    "client_devices_endpoints": [],
    "logging_monitoring": ["8.15", "8.16", "8.17", "CLD.12.4.5"],
    "backup_and_restore": ["8.13"],
    "encryption_key_management": ["8.24", "5.31"],
    "patch_config_mgmt_awareness_training": ["6.3", "8.8", "8.9", "8.32"],
    "incident_response": ["5.24", "5.28", "6.8"],
    "deletion_and_return_at_termination": ["CLD.8.1.5"],
}

# ISO/IEC 27002:2022 counterparts of the cloud-specific controls. The 2013->2022
# crosswalk covers only ISO/IEC 27002 controls; these are isms's own mapping,
# checked against the 2022 control list below.
CLD_MAPS_TO = {
    "CLD.6.3.1": ["5.2", "5.23"],
    "CLD.8.1.5": ["5.11", "5.23"],
    "CLD.9.5.1": ["8.22"],
    "CLD.9.5.2": ["8.9"],
    "CLD.12.1.5": ["5.37"],
    "CLD.12.4.5": ["8.16"],
    "CLD.13.1.4": ["8.20"],
}

# Own-words one-line summaries of the CLD controls (never the standards' text).
# Those of the ISO/IEC 27002 controls are in scripts/summaries-<edition>.tsv.
CLD_SUMMARIES = {
    "CLD.6.3.1": "Agree and write down which security duties the provider and the customer each hold for the cloud service.",
    "CLD.8.1.5": "Return or remove the customer's assets, including copies and backups, in good time when the agreement ends.",
    "CLD.9.5.1": "Keep each tenant's virtual environment isolated from other tenants and from the provider's own systems.",
    "CLD.9.5.2": "Harden virtual machine images and instances: only the ports, services and software they need, with malware protection.",
    "CLD.12.1.5": "Write down and follow procedures for administrative operations whose mistakes could seriously harm the service.",
    "CLD.12.4.5": "Let the customer monitor the parts of the cloud service that matter to its own security.",
    "CLD.13.1.4": "Keep virtual network configuration consistent with the security policy of the physical network beneath it.",
}

# Evidence that a review of the control would expect, with the frequency the
# cited requirement sets (review-cadences.tsv). Kind, every, description, basis.
EVIDENCE_REQUIRED = {
    "7.2.2": [("awareness-training", "1y", "Security awareness training completion records", "security_awareness_training: PCI DSS 4.0.1 12.6.3; FedRAMP AT-2")],
    "9.2.5": [("access-review", "6mo", "User access rights review with sign-off", "access_review_user_accounts: PCI DSS 4.0.1 7.2.4")],
    "12.6.1": [("vulnerability-scan", "3mo", "Internal and external vulnerability scan reports", "vulnerability_scan: PCI DSS 4.0.1 11.3.1 / 11.3.2")],
    "16.1.1": [("incident-response-test", "1y", "Incident response plan test or exercise report", "incident_response_plan_test: PCI DSS 4.0.1 12.10.2; CIS 17.7")],
    "17.1.3": [("continuity-test", "1y", "Business continuity / disaster recovery exercise report", "bcp_dr_test: FedRAMP CP-4; CSA BCR-06")],
    "18.2.1": [("independent-audit", "1y", "Independent audit or assessment report", "independent_audit_assessment: CSA A&A-02; FedRAMP CA-2")],
}

PARTIES = {"provider", "customer", "shared"}
MODELS = ("iaas", "paas", "saas")
FW_2013 = "ISO/IEC 27002:2013"
FW_2022 = "ISO/IEC 27002:2022"
FW_CLD = "ISO/IEC 27017:2015"


def read_tsv(data, name):
    with open(os.path.join(data, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def party(value):
    # "shared (customer-led; ...)" -> "shared"
    word = value.strip().split()[0].strip("(;,").lower()
    if word not in PARTIES:
        sys.exit(f"ssrm-defaults.tsv: unexpected party {value!r}")
    return word


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_list(items):
    return "[" + ", ".join(toml_str(i) for i in items) + "]"


def reading_order(ids):
    def key(s):
        cld = s.startswith("CLD.")
        return (cld, [int(p) for p in s.removeprefix("CLD.").split(".")])
    return sorted(set(ids), key=key)


def summaries(name, ids):
    rows = {r["id"]: r["summary"].strip() for r in read_tsv(os.path.join(ROOT, "scripts"), name)}
    missing = [i for i in ids if not rows.get(i)]
    extra = sorted(set(rows) - set(ids))
    if missing or extra:
        sys.exit(f"scripts/{name}: missing summaries {missing}, unknown IDs {extra}")
    return rows


def control_areas(table, areas, ids):
    unknown = set(table) ^ set(areas)
    if unknown:
        sys.exit(f"the area table and ssrm-defaults.tsv disagree on areas: {sorted(unknown)}")
    out = {}
    for area, cids in table.items():
        for cid in cids:
            if cid not in ids:
                sys.exit(f"{cid} (area {area}) is not in the catalog")
            if cid in out:
                sys.exit(f"{cid} is mapped to two SSRM areas")
            out[cid] = area
    return out


def render_control(c, areas, control_area, require_guidance_for_area):
    """One [[control]] table. `c` is a dict of the control's facts."""
    cid = c["id"]
    guidance_for = c["guidance_for"]
    if cid in control_area and not guidance_for and require_guidance_for_area:
        sys.exit(f"{cid} is mapped to an SSRM area but has no cloud guidance")
    matrix = bool(guidance_for) or cid in control_area
    out = ["[[control]]", f"id = {toml_str(cid)}", f"title = {toml_str(c['title'])}", f"framework = {toml_str(c['framework'])}"]
    if c.get("theme"):
        out.append(f"theme = {toml_str(c['theme'])}")
    out.append(f"summary = {toml_str(c['summary'])}")
    out.append(f"guidance_for = {toml_list(guidance_for)}")
    if c.get("guidance_derived"):
        out.append("guidance_derived = true")
    maps = ", ".join(f"{toml_str(fw)} = {toml_list(reading_order(ids))}" for fw, ids in c["maps_to"].items())
    out.append(f"maps_to = {{ {maps} }}")
    out.append(f"matrix = {'true' if matrix else 'false'}")
    if matrix:
        if cid in control_area:
            parties = areas[control_area[cid]]
        else:
            fallback = "shared" if len(guidance_for) == 2 else guidance_for[0]
            parties = {m: fallback for m in MODELS}
        out.append("default_party = { " + ", ".join(f"{m} = {toml_str(parties[m])}" for m in MODELS) + " }")
    for kind, every, description, basis in c.get("evidence_required", []):
        out.append("[[control.evidence_required]]")
        out.append(f"kind = {toml_str(kind)}")
        out.append(f"every = {toml_str(every)}")
        out.append(f"description = {toml_str(description)}")
        out.append(f"# basis: {basis}")
    out.append("")
    return out


GENERATED = [
    "# Generated by scripts/gen-catalog.py from shared standards data. Do not edit by hand:",
    "# change the script or its data and run it again.",
    "#",
]


def generate(data):
    c2013 = read_tsv(data, "iso27002-2013-controls.tsv")
    c2022 = read_tsv(data, "iso27002-2022-controls.tsv")
    cld = read_tsv(data, "iso27017-cld-controls.tsv")
    guidance = {r["id"]: r for r in read_tsv(data, "iso27017-cloud-guidance.tsv")}
    ids_2013 = [r["id"] for r in c2013]
    ids_2022 = [r["id"] for r in c2022]
    ids_cld = [r["id"] for r in cld]
    for ids, what in ((ids_2013, "2013"), (ids_2022, "2022"), (ids_cld, "CLD")):
        if len(set(ids)) != len(ids):
            sys.exit(f"duplicate control in the {what} list")

    # The crosswalk as pairs: a 2013 control may feed several 2022 controls
    # (1:n) and a 2022 control may come from several (n:1).
    pairs = []
    for r in read_tsv(data, "iso27002-2013-to-2022.tsv"):
        for to in (i.strip() for i in r["id_2022"].replace(";", ",").split(",")):
            if not to:
                continue
            if r["id_2013"] not in ids_2013:
                sys.exit(f"crosswalk: unknown ISO/IEC 27002:2013 control {r['id_2013']}")
            if to not in ids_2022:
                sys.exit(f"crosswalk: {r['id_2013']} maps to unknown ISO/IEC 27002:2022 control {to}")
            pairs.append((r["id_2013"], to, r["relationship_ciso_assistant"].strip()))
    unmapped = [i for i in ids_2013 if not any(p[0] == i for p in pairs)]
    if unmapped:
        sys.exit(f"crosswalk: 2013 controls with no 2022 counterpart: {unmapped}")
    to_2022 = {}
    from_2013 = {}
    for a, b, _ in pairs:
        to_2022.setdefault(a, []).append(b)
        from_2013.setdefault(b, []).append(a)
    new_2022 = {r["id"] for r in c2022 if r["new_in_2022"] == "y"}
    if new_2022 != set(ids_2022) - set(from_2013):
        sys.exit(f"new_in_2022 disagrees with the crosswalk: {sorted(new_2022 ^ (set(ids_2022) - set(from_2013)))}")

    areas = {}
    for r in read_tsv(data, "ssrm-defaults.tsv"):
        area = r["control_area"].split(" (")[0].strip()
        areas[area] = {m: party(r[m]) for m in MODELS}

    def flags(cid):
        g = guidance.get(cid)
        if g is None:
            sys.exit(f"{cid}: no cloud guidance row")
        return [side for side, col in (("provider", "provider_guidance"), ("customer", "customer_guidance")) if g[col] == "y"]

    for cid in CLD_MAPS_TO:
        for m in CLD_MAPS_TO[cid]:
            if m not in ids_2022:
                sys.exit(f"{cid}: maps to unknown ISO/IEC 27002:2022 control {m}")
    for cid in EVIDENCE_REQUIRED:
        if cid not in ids_2013:
            sys.exit(f"{cid} (evidence required) is not a 2013 control")

    cld_controls = [
        {"id": r["id"], "title": r["title"], "framework": FW_CLD, "summary": CLD_SUMMARIES[r["id"]],
         "guidance_for": flags(r["id"]), "maps_to": {FW_2022: CLD_MAPS_TO[r["id"]]},
         "evidence_required": EVIDENCE_REQUIRED.get(r["id"], [])}
        for r in cld
    ]

    # Edition 2013.
    s13 = summaries("summaries-2013.tsv", ids_2013)
    area13 = control_areas(AREA_CONTROLS_2013, areas, ids_2013 + ids_cld)
    out13 = GENERATED + [
        "# ISO/IEC 27002:2013 controls with ISO/IEC 27017:2015 cloud guidance flags, and the",
        "# ISO/IEC 27017 cloud-specific (CLD) controls. IDs, short titles and isms's own",
        "# summaries only.",
        "",
        'edition = "2013"',
        'name = "ISO/IEC 27002:2013 with ISO/IEC 27017:2015"',
        "# ISO/IEC 27001:2013 certificates could be audited until the transition to",
        "# ISO/IEC 27001:2022 ended on 31 October 2025; every certification audit since",
        "# is against edition 2022.",
        'superseded = { by = "2022", since = "2025-11-01" }',
        "",
    ]
    for r in c2013:
        c = {"id": r["id"], "title": r["title"], "framework": FW_2013, "summary": s13[r["id"]],
             "guidance_for": flags(r["id"]), "maps_to": {FW_2022: to_2022[r["id"]]},
             "evidence_required": EVIDENCE_REQUIRED.get(r["id"], [])}
        out13 += render_control(c, areas, area13, True)
    for c in cld_controls:
        out13 += render_control(c, areas, area13, True)

    # Edition 2022: guidance flags and required evidence derived from the 2013 sources.
    s22 = summaries("summaries-2022.tsv", ids_2022)
    area22 = control_areas(AREA_CONTROLS_2022, areas, ids_2022 + ids_cld)
    out22 = GENERATED + [
        "# ISO/IEC 27001:2022 Annex A controls (ISO/IEC 27002:2022), and the ISO/IEC 27017:2015",
        "# cloud-specific (CLD) controls. The cloud guidance flags of a 2022 control are",
        "# derived from those of its ISO/IEC 27002:2013 sources (guidance_derived = true):",
        "# ISO/IEC 27017:2015 gives guidance on the 2013 numbering only. IDs, short titles",
        "# and isms's own summaries only.",
        "",
        'edition = "2022"',
        'name = "ISO/IEC 27001:2022 Annex A with ISO/IEC 27017:2015"',
        "",
    ]
    for r in c2022:
        cid = r["id"]
        sources = reading_order(from_2013.get(cid, []))
        sides = {s for src in sources for s in flags(src)}
        evidence = []
        for src in sources:
            for e in EVIDENCE_REQUIRED.get(src, []):
                if all(e[0] != x[0] for x in evidence):
                    evidence.append(e)
        c = {"id": cid, "title": r["title"], "framework": FW_2022, "theme": r["theme"].lower(),
             "summary": s22[cid], "guidance_for": [s for s in ("provider", "customer") if s in sides],
             "guidance_derived": True, "maps_to": {FW_2013: sources}, "evidence_required": evidence}
        out22 += render_control(c, areas, area22, False)
    for c in cld_controls:
        out22 += render_control(c, areas, area22, True)

    cross = GENERATED + [
        "# Which ISO/IEC 27002:2013 control became which ISO/IEC 27002:2022 control. A 2022",
        "# control with several `from` rows merges them (n:1); a 2013 control with several",
        "# `to` rows is split (1:n). The ISO/IEC 27017 CLD controls keep their IDs. Controls",
        "# of the newer edition that appear in no row are new in it.",
        "",
        'from = "2013"',
        'to = "2022"',
        "",
    ]
    for a, b, rel in sorted(pairs, key=lambda p: (reading_order([p[1], p[1]]), [int(x) for x in p[0].split(".")])):
        cross.append("[[pair]]")
        cross.append(f"from = {toml_str(a)}")
        cross.append(f"to = {toml_str(b)}")
        if rel:
            cross.append(f"relationship = {toml_str(rel)}")
        cross.append("")
    for cid in ids_cld:
        cross += ["[[pair]]", f"from = {toml_str(cid)}", f"to = {toml_str(cid)}", 'relationship = "equal"', ""]
    return {
        "2013.toml": "\n".join(out13),
        "2022.toml": "\n".join(out22),
        "crosswalk-2013-2022.toml": "\n".join(cross),
    }


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    check = "--check" in sys.argv[1:]
    data = args[0] if args else os.path.join(ROOT, "..", "shared", "data")
    files = generate(data)
    if check:
        stale = []
        for name, text in files.items():
            try:
                with open(os.path.join(OUT_DIR, name), encoding="utf-8") as f:
                    if f.read() != text:
                        stale.append(name)
            except FileNotFoundError:
                stale.append(name)
        if stale:
            sys.exit(f"templates/catalog/{', '.join(stale)} out of date: run scripts/gen-catalog.py")
        return
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(OUT_DIR, name), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
