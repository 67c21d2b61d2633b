#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Validate a case written by `siloscope synth` (docs/synth.md).

Usage: validate_case.py SILOSCOPE WORKDIR
Generates a small case into WORKDIR/case (seed 42, 3 tenants, 3 days), JSON-parses every
file, checks the export layouts and casing rules, and cross-checks every planted
scenario of truth.json against the inventory and the logs. Exit 0 when all checks pass.
"""
import collections
import datetime
import gzip
import json
import os
import re
import shutil
import subprocess
import sys

T7 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z\Z")
TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z")
HOUR_PATH = re.compile(r"/y=(\d{4})/m=(\d\d)/d=(\d\d)/h=(\d\d)/m=00/PT1H\.json\Z")
CT_NAME = re.compile(r"(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_[A-Za-z0-9]{16}\.json\.gz\Z")

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        if len(failures) > 30:
            report()


def report():
    for f in failures:
        print("FAIL:", f)
    print("%d failures" % len(failures))
    sys.exit(1 if failures else 0)


def add_hours(t7, hours):
    d = datetime.datetime.strptime(t7[:19], "%Y-%m-%dT%H:%M:%S") + datetime.timedelta(hours=hours)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + t7[19:]


def load_lines(path):
    out = []
    with open(path, "rb") as f:
        data = f.read()
    check(data.endswith(b"\n"), "%s: no final newline" % path)
    for line in data.split(b"\n"):
        if not line:
            continue
        check(line.startswith(b"{") and line.endswith(b"}"), "%s: line not an object" % path)
        out.append(json.loads(line))
    return out


def main():
    exe, work = sys.argv[1], sys.argv[2]
    case = os.path.join(work, "case")
    shutil.rmtree(case, ignore_errors=True)
    subprocess.run([exe, "synth", "--seed", "42", "--tenants", "3", "--days", "3",
                    "--size", "8M", "-j", "2", "-q", "-o", case], check=True)

    truth = json.load(open(os.path.join(case, "truth.json")))
    scen = {s["id"]: s for s in truth["scenarios"]}
    check(sorted(s["kind"] for s in truth["scenarios"]) == sorted([
        "siloed-tenant", "bulk-voice-archive", "replica-outside-allowed-geography",
        "retention-breach", "audit-log-gap", "embargoed-country-sign-in",
        "provider-access-without-approval", "near-miss-call-centre"]), "scenario kinds")

    inv = {}
    for name in ("resources", "resourcecontainers", "authorizationresources",
                 "policyresources", "managedserviceresources"):
        d = json.load(open(os.path.join(case, "inventory", name + ".json")))
        check(list(d) == ["count", "data", "skip_token", "total_records"], name + " envelope")
        check(d["count"] == len(d["data"]) == d["total_records"], name + " count")
        for row in d["data"]:
            check(row["id"] == row["id"].lower(), "inventory id not lower: " + row["id"])
            check(row["type"] == row["type"].lower(), "inventory type not lower")
        inv[name] = d["data"]
    res_by_id = {r["id"]: r for r in inv["resources"]}

    # every log file
    activity = collections.defaultdict(list)   # sub -> [(hour path, records)]
    signins, audits, blobs = [], [], []
    ct_records = 0
    for dp, _, fns in os.walk(case):
        for fn in fns:
            p = os.path.join(dp, fn)
            rel = os.path.relpath(p, case)
            if fn.endswith(".json.gz"):
                m = CT_NAME.search(fn)
                check(m is not None, "CloudTrail name " + rel)
                acct, region, stamp = m.groups()
                check(("AWSLogs/%s/CloudTrail/%s/%s/%s/%s/" % (acct, region, stamp[:4],
                       stamp[4:6], stamp[6:8])) in rel, "CloudTrail dirs " + rel)
                d = json.loads(gzip.open(p).read())
                check(list(d) == ["Records"] and d["Records"], "CloudTrail body " + rel)
                deliver = "%s-%s-%sT%s:%s:59Z" % (stamp[:4], stamp[4:6], stamp[6:8],
                                                  stamp[9:11], stamp[11:13])
                for r in d["Records"]:
                    ct_records += 1
                    check(r["awsRegion"] == region, "CloudTrail region " + rel)
                    check(TS.match(r["eventTime"]) is not None, "CloudTrail time")
                    check(r["eventTime"] <= deliver, "event after delivery " + rel)
                    check(r["recipientAccountId"] == acct, "recipient")
                continue
            if fn != "PT1H.json":
                if fn.endswith(".json"):
                    json.load(open(p))
                continue
            m = HOUR_PATH.search(rel)
            check(m is not None, "hour path " + rel)
            prefix = "%s-%s-%sT%s:" % m.groups()
            recs = load_lines(p)
            for r in recs:
                check(T7.match(r["time"]) is not None, "7-digit time %s" % r["time"])
                check(r["time"].startswith(prefix), "record outside its hour blob " + rel)
            if "/insights-activity-logs/" in rel:
                sub = rel.split("/SUBSCRIPTIONS/")[1].split("/")[0]
                check(sub == sub.upper(), "activity path casing")
                for r in recs:
                    check(r["resourceId"] == r["resourceId"].upper(), "activity id casing")
                activity[sub.lower()].append((prefix, recs))
            elif "/insights-logs-signinlogs/" in rel:
                signins += recs
            elif "/insights-logs-auditlogs/" in rel:
                audits += recs
            else:
                check("/blobServices/default/y=" in rel, "storage path " + rel)
                blobs += recs

    # silo
    s = scen["silo.tenant"]
    silo_tid, silo_sub = s["entities"][0], s["entities"][1]
    check(not any(r["tenantId"] == silo_tid for r in inv["policyresources"]), "silo policies")
    check(not any(r["tenantId"] == silo_tid for r in inv["managedserviceresources"]),
          "silo lighthouse")
    d = json.load(open(os.path.join(case, "inventory/diagnosticsettings/%s.json" % silo_sub)))
    check(d == {"value": []}, "silo diagnostic settings")
    check(silo_sub not in activity, "silo logs")
    check(any(e.endswith("/expressroutecircuits/erc-kestrel-ams") and e in res_by_id
              for e in s["entities"]), "silo circuit in inventory")

    # voice archive
    s = scen["aup.voice-archive"]
    acct = s["entities"][2].rsplit("/", 1)[1]
    vb = [r for r in blobs if r["properties"]["accountName"] == acct]
    check(not any(r["operationName"] == "DeleteBlob" for r in vb), "voice deletes")
    uploads = sum(1 for r in vb if r["operationName"] in ("PutBlob", "PutBlockList"))
    check(uploads == s["metrics"]["uploads"], "voice uploads %d != %d" %
          (uploads, s["metrics"]["uploads"]))
    hours = {r["time"][:13] for r in vb if r["operationName"] in ("PutBlob", "PutBlockList")}
    check(len(hours) == 72, "voice writes every hour: %d" % len(hours))

    # near miss
    s = scen["nearmiss.callcentre"]
    acct = s["entities"][2].rsplit("/", 1)[1]
    cb = [r for r in blobs if r["properties"]["accountName"] == acct]
    dels = [r for r in cb if r["operationName"] == "DeleteBlob"]
    check(len(dels) == s["metrics"]["delete_operations"] > 0, "call-centre deletes")
    for r in dels:
        y, mo, d = r["properties"]["objectKey"].split("/")[3:6]
        check("%s-%s-%s" % (y, mo, d) < r["time"][:10], "deleted recording too young")
    check(uploads > 20 * sum(1 for r in cb if r["operationName"] == "PutBlob"),
          "voice volume not orders above the call centre")

    # residency
    s = scen["residency.replica"]
    dst = res_by_id[s["entities"][3]]
    check(dst["location"] == "eastus" and dst["properties"]["secondaryLocation"] == "westus"
          and dst["sku"]["name"] == "Standard_RAGRS", "replica account")
    check(res_by_id[s["entities"][2]]["location"] in s["allowed_regions"], "source region")

    # retention
    s = scen["retention.breach"]
    logs = s["entities"][1].rsplit("/", 1)[1]
    for dp, _, fns in os.walk(os.path.join(case, "logs", logs)):
        for fn in fns:
            m = HOUR_PATH.search(os.path.join(dp, fn))
            check("%s-%s-%sT%s:59:59.9999999Z" % m.groups() >= s["deleted_before"],
                  "blob older than the retention cut-off survived")

    # audit gap
    s = scen["audit.gap"]
    sub = s["entities"][1]
    w0, w1 = s["window"]["start"], s["window"]["end"]
    recs = [r for _, rs in activity[sub] for r in rs]
    ops = [(r["time"], r["operationName"], r["resultType"]) for r in recs]
    check(any(t == w0 and o == "MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/DELETE" for t, o, _ in ops),
          "diagnostic setting delete")
    check(any(t == w1 and o == "MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/WRITE" for t, o, _ in ops),
          "diagnostic setting write")
    inside = [t for t, o, rt in ops if w0 < t < w1 and not (o.startswith("MICROSOFT.INSIGHTS")
                                                           and rt != "Start")]
    check(not inside, "activity inside the gap: %s" % inside[:3])
    check(s["gap_hours"] == 48 and s["missing_blobs"] >= 47, "gap size")
    present = {p for p, _ in activity[sub]}
    check(len(present) == 72 - s["missing_blobs"], "gap blob count")

    # embargo
    s = scen["access.embargoed-signin"]
    emb = [r for r in signins if r["location"] in ("IR", "KP", "SY", "CU")]
    check(len(emb) == len(s["sign_ins"]) == 9, "embargoed sign-ins %d" % len(emb))
    check(all(r["properties"]["userId"] == s["entities"][1] for r in emb), "embargo user")
    check(all(r["properties"]["location"]["countryOrRegion"] == r["location"] for r in emb),
          "embargo location")

    # provider staff
    s = scen["access.staff-unapproved"]
    prov = truth["provider"]["tenantId"]
    staff = [r for r in signins if r["properties"]["homeTenantId"] == prov
             and r["tenantId"] != prov]
    check(staff and all(r["properties"]["crossTenantAccessType"] in
                        ("serviceProvider", "microsoftSupport") for r in staff), "staff sign-ins")
    lockbox = {}
    for dp, _, fns in os.walk(os.path.join(case, "inventory/lockbox/requests")):
        for fn in fns:
            lockbox[fn[:-5]] = json.load(open(os.path.join(dp, fn)))["value"]
    subs_of = {t["tenantId"]: t["subscriptions"] for t in truth["customer_tenants"]}
    unapproved = []
    for r in staff:
        t = r["time"]
        ok = any(q["properties"]["status"] == "Approved" and
                 q["properties"]["createdDateTime"] <= t <=
                 add_hours(q["properties"]["createdDateTime"], q["properties"]["duration"])
                 for sub in subs_of[r["tenantId"]] for q in lockbox.get(sub, []))
        if not ok:
            unapproved.append(r)
    check(len(unapproved) == 1 and unapproved[0]["tenantId"] == s["tenant"]
          and s["window"]["start"] <= unapproved[0]["time"] <= s["window"]["end"],
          "exactly the planted staff sign-in lacks approval: %d" % len(unapproved))
    app = s["entities"][4].rsplit("/", 1)[1]
    reads = [r for r in blobs if r["identity"].get("requester", {}).get("tenantId") == prov
             and r["properties"]["accountName"] == app
             and s["window"]["start"] <= r["time"] <= s["window"]["end"]]
    check(len(reads) == 12, "staff blob reads %d" % len(reads))
    check(any(r["operationName"] == "Add member to role completed (PIM activation)"
              and r["tenantId"] == s["tenant"] for r in audits), "PIM activation")

    check(ct_records > 0, "CloudTrail records")
    report()


if __name__ == "__main__":
    main()
