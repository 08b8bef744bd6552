#!/usr/bin/env python3
"""Generate templates/catalog.toml from the shared standards data.

Usage: scripts/gen-catalog.py [DATA_DIR] [--check]

DATA_DIR defaults to ../shared/data (relative to the repository root). With
--check the catalog is generated in memory and compared with the committed
file; a difference exits 1, so CI notices a catalog edited by hand.

Only control IDs, short titles and isms's own one-line summaries are written:
never text from the standards.
"""

import csv
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "templates", "catalog.toml")

# Which catalog controls each row of ssrm-defaults.tsv governs. This is isms's
# own judgement, written down so it can be reviewed and changed in one place.
# A control gets the party of its area for each service model; a matrix control
# in no area falls back to the sides ISO/IEC 27017 gives guidance to (both ->
# shared, provider only -> provider, customer only -> customer).
AREA_CONTROLS = {
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

# Own-words one-line summaries (never the standards' text).
SUMMARIES = {
    "CLD.6.3.1": "Agree and write down which security duties the provider and the customer each hold for the cloud service.",
    "CLD.8.1.5": "Return or remove the customer's assets, including copies and backups, in good time when the agreement ends.",
    "CLD.9.5.1": "Keep each tenant's virtual environment isolated from other tenants and from the provider's own systems.",
    "CLD.9.5.2": "Harden virtual machine images and instances: only the ports, services and software they need, with malware protection.",
    "CLD.12.1.5": "Write down and follow procedures for administrative operations whose mistakes could seriously harm the service.",
    "CLD.12.4.5": "Let the customer monitor the parts of the cloud service that matter to its own security.",
    "CLD.13.1.4": "Keep virtual network configuration consistent with the security policy of the physical network beneath it.",
    "5.1.1": "Keep a management-approved set of information security policies and tell the people they concern.",
    "6.1.1": "Define and assign information security roles and responsibilities.",
    "6.1.3": "Know which authorities to contact, and when, including those of the jurisdictions where data is stored.",
    "8.1.1": "Keep an inventory of information assets, including those held in cloud services.",
    "9.2.5": "Have asset owners review users' access rights at regular intervals.",
    "12.3.1": "Back up information, software and system images, and test restores.",
    "12.4.1": "Record, keep and review logs of user activity, exceptions, faults and security events.",
    "12.6.1": "Learn of technical vulnerabilities in time, assess exposure and fix them.",
    "16.1.1": "Set up responsibilities and procedures for a quick, orderly response to security incidents.",
    "18.2.1": "Have the approach to information security reviewed independently at planned intervals.",
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


def generate(data):
    c2013 = read_tsv(data, "iso27002-2013-controls.tsv")
    cld = read_tsv(data, "iso27017-cld-controls.tsv")
    guidance = {r["id"]: r for r in read_tsv(data, "iso27017-cloud-guidance.tsv")}
    crosswalk = {}
    for r in read_tsv(data, "iso27002-2013-to-2022.tsv"):
        crosswalk.setdefault(r["id_2013"], []).extend(
            i.strip() for i in r["id_2022"].replace(";", ",").split(",") if i.strip()
        )
    ids_2022 = {r["id"] for r in read_tsv(data, "iso27002-2022-controls.tsv")}

    areas = {}
    for r in read_tsv(data, "ssrm-defaults.tsv"):
        area = r["control_area"].split(" (")[0].strip()
        areas[area] = {m: party(r[m]) for m in ("iaas", "paas", "saas")}
    unknown = set(AREA_CONTROLS) ^ set(areas)
    if unknown:
        sys.exit(f"AREA_CONTROLS and ssrm-defaults.tsv disagree on areas: {sorted(unknown)}")
    control_area = {}
    for area, ids in AREA_CONTROLS.items():
        for cid in ids:
            if cid in control_area:
                sys.exit(f"{cid} is mapped to two SSRM areas")
            control_area[cid] = area

    controls = []
    for r in c2013:
        controls.append((r["id"], r["title"], "ISO/IEC 27002:2013", crosswalk.get(r["id"], [])))
    for r in cld:
        controls.append((r["id"], r["title"], "ISO/IEC 27017:2015", CLD_MAPS_TO[r["id"]]))

    out = [
        "# Generated by scripts/gen-catalog.py from shared standards data. Do not edit by hand:",
        "# change the script or its data and run it again.",
        "#",
        "# ISO/IEC 27002:2013 controls with ISO/IEC 27017:2015 cloud guidance flags, and the",
        "# ISO/IEC 27017 cloud-specific (CLD) controls. IDs, short titles and isms's own",
        "# summaries only.",
        "",
    ]
    seen = set()
    for cid, title, framework, maps in controls:
        if cid in seen:
            sys.exit(f"duplicate control {cid}")
        seen.add(cid)
        g = guidance.get(cid)
        if g is None:
            sys.exit(f"{cid}: no cloud guidance row")
        guidance_for = [side for side, col in (("provider", "provider_guidance"), ("customer", "customer_guidance")) if g[col] == "y"]
        matrix = bool(guidance_for)
        for m in maps:
            if m not in ids_2022:
                sys.exit(f"{cid}: maps to unknown ISO/IEC 27002:2022 control {m}")
        out.append("[[control]]")
        out.append(f"id = {toml_str(cid)}")
        out.append(f"title = {toml_str(title)}")
        out.append(f"framework = {toml_str(framework)}")
        if cid in SUMMARIES:
            out.append(f"summary = {toml_str(SUMMARIES[cid])}")
        out.append(f"guidance_for = {toml_list(guidance_for)}")
        out.append(f'maps_to = {{ "ISO/IEC 27002:2022" = {toml_list(sorted(set(maps), key=lambda s: [int(p) for p in s.split(".")]))} }}')
        out.append(f"matrix = {'true' if matrix else 'false'}")
        if cid in control_area and not matrix:
            sys.exit(f"{cid} is mapped to an SSRM area but has no cloud guidance")
        if matrix:
            if cid in control_area:
                parties = areas[control_area[cid]]
            else:
                fallback = "shared" if len(guidance_for) == 2 else guidance_for[0]
                parties = {m: fallback for m in ("iaas", "paas", "saas")}
            out.append("default_party = { " + ", ".join(f"{m} = {toml_str(parties[m])}" for m in ("iaas", "paas", "saas")) + " }")
        for kind, every, description, basis in EVIDENCE_REQUIRED.get(cid, []):
            out.append("[[control.evidence_required]]")
            out.append(f"kind = {toml_str(kind)}")
            out.append(f"every = {toml_str(every)}")
            out.append(f"description = {toml_str(description)}")
            out.append(f"# basis: {basis}")
        out.append("")
    for cid in list(SUMMARIES) + list(EVIDENCE_REQUIRED):
        if cid not in seen:
            sys.exit(f"{cid} is not in the catalog")
    return "\n".join(out)


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    check = "--check" in sys.argv[1:]
    data = args[0] if args else os.path.join(ROOT, "..", "shared", "data")
    text = generate(data)
    if check:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                sys.exit("templates/catalog.toml is out of date: run scripts/gen-catalog.py")
        return
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
