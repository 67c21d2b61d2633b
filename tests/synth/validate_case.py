#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Validate a case written by `siloscope synth` (docs/synth.md).

Usage: validate_case.py SILOSCOPE WORKDIR
Generates a small case into WORKDIR/case (seed 42, 3 tenants, 3 days), JSON-parses every
file, checks the export layouts and casing rules, and cross-checks every planted
scenario of truth.json against the inventory and the logs. The CloudTrail digest chains
are verified as formats.md 6.3 describes, with the RSA arithmetic done here (no OpenSSL),
so that the generator's use of libcrypto is checked independently. Exit 0 when all
checks pass.
"""
import base64
import collections
import datetime
import gzip
import hashlib
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
DIGEST_NAME = re.compile(r"(\d{12})_CloudTrail-Digest_([a-z0-9-]+)_([A-Za-z0-9_.-]+)_"
                         r"([a-z0-9-]+)_(\d{8}T\d{6}Z)\.json\.gz\Z")
DIGEST_KEYS = ["awsAccountId", "digestStartTime", "digestEndTime", "digestS3Bucket",
               "digestS3Object", "digestPublicKeyFingerprint", "digestSignatureAlgorithm",
               "newestEventTime", "oldestEventTime", "previousDigestS3Bucket",
               "previousDigestS3Object", "previousDigestHashValue", "previousDigestHashAlgorithm",
               "previousDigestSignature", "logFiles"]
LOG_KEYS = ["s3Bucket", "s3Object", "hashValue", "hashAlgorithm", "newestEventTime",
            "oldestEventTime"]
PREVIOUS = DIGEST_KEYS[9:14]
SHA256_INFO = bytes.fromhex("3031300d060960864801650304020105000420")  # DigestInfo prefix

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


def der_rsa_public_key(der):
    """(n, e) of a DER PKCS#1 RSAPublicKey: SEQUENCE { INTEGER n, INTEGER e }."""
    def read(buf, i, tag):
        check(buf[i] == tag, "public key DER tag")
        n = buf[i + 1]
        i += 2
        if n & 0x80:
            k = n & 0x7f
            n = int.from_bytes(buf[i:i + k], "big")
            i += k
        return buf[i:i + n], i + n
    body, end = read(der, 0, 0x30)
    check(end == len(der), "public key DER length")
    n, i = read(body, 0, 0x02)
    e, i = read(body, i, 0x02)
    check(i == len(body), "public key DER fields")
    return int.from_bytes(n, "big"), int.from_bytes(e, "big")


def rsa_verify(key, msg, sig_hex):
    """RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 8.2.2), by hand."""
    n, e = key
    k = (n.bit_length() + 7) // 8
    sig = bytes.fromhex(sig_hex)
    if len(sig) != k or sig_hex != sig_hex.lower():
        return False
    em = pow(int.from_bytes(sig, "big"), e, n).to_bytes(k, "big")
    t = SHA256_INFO + hashlib.sha256(msg).digest()
    return em == b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t


def ts(s):
    check(TS.match(s or "") is not None, "timestamp %r" % s)
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")


def check_cloudtrail_integrity(case, truth, ct_logs, digests):
    """ct_logs: rel -> (uncompressed bytes, records); digests: rel -> uncompressed bytes."""
    acct = truth["aws"]["accountId"]
    s = [x for x in truth["scenarios"] if x["id"] == "audit.cloudtrail-tamper"][0]
    bucket, trail, home = s["bucket"], s["trail"], s["home_region"]
    check(s["expect"] == "finding" and s["tenant"] == acct, "tamper scenario head")
    check(s["findings"] == ["cloudtrail.log-missing", "cloudtrail.log-altered",
                            "cloudtrail.digest-missing"], "tamper finding ids")
    tampered = {t["finding"]: t for t in s["tampered"]}
    check([t["finding"] for t in s["tampered"]] == s["findings"], "tampered list")
    gone_log = tampered["cloudtrail.log-missing"]["path"]
    altered = tampered["cloudtrail.log-altered"]["path"]
    gone_digest = tampered["cloudtrail.digest-missing"]["path"]
    check(gone_log not in ct_logs and altered in ct_logs, "tampered log files")
    check(gone_digest not in digests, "deleted digest absent")
    check(tampered["cloudtrail.log-missing"]["region"] ==
          tampered["cloudtrail.log-altered"]["region"] !=
          tampered["cloudtrail.digest-missing"]["region"], "tamper regions")

    pk = json.load(open(os.path.join(case, "aws", "list-public-keys.json")))
    check(list(pk) == ["PublicKeyList"] and len(pk["PublicKeyList"]) == 1, "public key list")
    entry = pk["PublicKeyList"][0]
    check(list(entry) == ["Value", "ValidityStartTime", "ValidityEndTime", "Fingerprint"],
          "public key fields")
    der = base64.b64decode(entry["Value"], validate=True)
    key = der_rsa_public_key(der)
    check(key[0].bit_length() == 2048 and key[1] == 65537, "RSA-2048, e 65537")
    fp = entry["Fingerprint"]
    check(fp == hashlib.sha256(der).hexdigest()[:32], "fingerprint")
    check(entry["ValidityStartTime"] == truth["start"][:19] + "Z", "key validity start")

    chains = collections.defaultdict(list)
    listed = {}
    for rel, raw in digests.items():
        m = DIGEST_NAME.search(rel)
        check(m is not None, "digest name " + rel)
        a, region, tr, hm, stamp = m.groups()
        check((a, tr, hm) == (acct, trail, home), "digest name fields " + rel)
        d = json.loads(raw)
        check(list(d) == DIGEST_KEYS, "digest field order " + rel)
        check(raw == json.dumps(d, separators=(",", ":")).encode(), "digest is compact " + rel)
        check(d["digestS3Bucket"] == bucket and d["digestS3Object"] == rel[4:],
              "digest location " + rel)
        check(rel.startswith("aws/AWSLogs/%s/CloudTrail-Digest/%s/%s/%s/%s/" % (
            acct, region, stamp[:4], stamp[4:6], stamp[6:8])), "digest dirs " + rel)
        end = ts(d["digestEndTime"])
        check(end.strftime("%Y%m%dT%H%M%SZ") == stamp, "digest name time " + rel)
        check(end - ts(d["digestStartTime"]) == datetime.timedelta(hours=1), "digest window")
        check(d["digestPublicKeyFingerprint"] == fp and
              d["digestSignatureAlgorithm"] == "SHA256withRSA", "digest key " + rel)
        keys = [f["s3Object"] for f in d["logFiles"]]
        check(keys == sorted(keys), "logFiles sorted " + rel)
        for f in d["logFiles"]:
            check(list(f) == LOG_KEYS and f["s3Bucket"] == bucket and
                  f["hashAlgorithm"] == "SHA-256", "logFiles entry " + rel)
            check(f["s3Object"] not in listed, "log listed twice " + f["s3Object"])
            listed[f["s3Object"]] = (rel, f)
            lm = CT_NAME.search(f["s3Object"])
            check(lm is not None and lm.group(2) == region, "listed log region")
            deliver = datetime.datetime.strptime(lm.group(3), "%Y%m%dT%H%MZ")
            start = ts(d["digestStartTime"])
            check(start.replace(second=0) <= deliver < end, "delivery outside window " + rel)
        have = [f for f in d["logFiles"]]
        if have:
            check(d["newestEventTime"] == max(f["newestEventTime"] for f in have) and
                  d["oldestEventTime"] == min(f["oldestEventTime"] for f in have),
                  "digest event times " + rel)
        else:
            check(d["newestEventTime"] is None and d["oldestEventTime"] is None,
                  "empty digest times " + rel)
        chains[region].append((d["digestEndTime"], rel, d, raw))

    # every log file is listed once, but those of the deleted digest; hashes match except
    # the altered file
    unlisted = {r[4:] for r in ct_logs} | {gone_log[4:]}
    unlisted -= set(listed)
    check(len(unlisted) == tampered["cloudtrail.digest-missing"]["log_files"] and
          all(CT_NAME.search(k).group(2) == tampered["cloudtrail.digest-missing"]["region"]
              for k in unlisted), "logs of the deleted digest: %d" % len(unlisted))
    check(gone_log[4:] in listed, "deleted log listed")
    mismatched = []
    for rel, (raw, records) in ct_logs.items():
        if rel[4:] in unlisted:
            continue
        f = listed[rel[4:]][1]
        if hashlib.sha256(raw).hexdigest() != f["hashValue"]:
            mismatched.append(rel)
            continue
        times = [r["eventTime"] for r in records]
        check(f["newestEventTime"] == max(times) and f["oldestEventTime"] == min(times),
              "log event times " + rel)
    check(mismatched == [altered], "altered files: %s" % mismatched)
    raw, records = ct_logs[altered]
    check(len(records) + 1 == raw.count(b'{"eventVersion"') + 1 and
          json.loads(raw) == {"Records": records}, "altered file is valid JSON")
    # the file with the embargo console login is not in a tampered region
    emb = [x for x in truth["scenarios"] if x["id"] == "access.embargoed-signin"][0]
    ir = [x["ip"] for x in emb["sign_ins"] if x["country"] == "IR"]
    logins = [rel for rel, (_, recs) in ct_logs.items()
              if any(r["eventName"] == "ConsoleLogin" and r["sourceIPAddress"] in ir
                     for r in recs)]
    check(len(logins) == 1 and CT_NAME.search(logins[0]).group(2) not in
          {t["region"] for t in s["tampered"]}, "embargo login file untouched")
    check(listed[altered[4:]][0] == tampered["cloudtrail.log-altered"]["digest"] and
          listed[gone_log[4:]][0] == tampered["cloudtrail.log-missing"]["digest"],
          "digests of the tampered logs")

    # the chains: consecutive hourly windows, linked and signed
    last_delivery = max(datetime.datetime.strptime(CT_NAME.search(k).group(3), "%Y%m%dT%H%MZ")
                        for k in listed)
    n_verified = n_present = 0
    case_start = datetime.datetime.strptime(truth["start"][:19], "%Y-%m-%dT%H:%M:%S")
    check(sorted(chains) == sorted(truth["aws"]["regions"]), "digest regions")
    for region, chain in chains.items():
        chain.sort()
        first = chain[0][2]
        check(all(first[k] is None for k in PREVIOUS), "starting digest " + region)
        check(datetime.timedelta(minutes=10) <= case_start - ts(first["digestStartTime"]) <=
              datetime.timedelta(minutes=50), "first window " + region)
        check(ts(chain[-1][2]["digestEndTime"]) > last_delivery and
              ts(chain[-1][2]["digestStartTime"]) <= last_delivery + datetime.timedelta(
                  seconds=59), "chain ends with the last delivery " + region)
        sidecar = json.load(open(os.path.join(case, chain[-1][1] + ".metadata.json")))
        check(list(sidecar) == ["ContentType", "ContentEncoding", "Metadata"] and
              sidecar["Metadata"]["signature-algorithm"] == "SHA256withRSA", "sidecar")
        sigs = {chain[-1][1]: sidecar["Metadata"]["signature"]}
        n_gaps = 0
        for (_, rel, d, raw), nxt in zip(chain, chain[1:] + [None]):
            n_present += 1
            if nxt is not None:
                nd = nxt[2]
                step = ts(nd["digestStartTime"]) - ts(d["digestEndTime"])
                if step == datetime.timedelta(hours=1):
                    n_gaps += 1
                    check(nd["previousDigestS3Object"] == gone_digest[4:], "gap is the deletion")
                    continue
                check(step == datetime.timedelta(0), "windows consecutive " + rel)
                check(nd["previousDigestS3Bucket"] == bucket and
                      nd["previousDigestS3Object"] == rel[4:] and
                      nd["previousDigestHashAlgorithm"] == "SHA-256" and
                      nd["previousDigestHashValue"] == hashlib.sha256(raw).hexdigest(),
                      "chain link " + nxt[1])
                sigs[rel] = nd["previousDigestSignature"]
            if rel not in sigs:
                continue
            tbs = "%s\n%s/%s\n%s\n%s" % (d["digestEndTime"], bucket, rel[4:],
                                        hashlib.sha256(raw).hexdigest(),
                                        d["previousDigestSignature"] or "null")
            check(rsa_verify(key, tbs.encode(), sigs[rel]), "signature " + rel)
            n_verified += 1
        check(n_gaps == (1 if region == tampered["cloudtrail.digest-missing"]["region"] else 0),
              "digest gaps in " + region)
    # all but the digest whose signature only the deleted digest held
    check(n_verified == n_present - 1 and n_present > 200, "verified %d of %d digests" %
          (n_verified, n_present))


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
        "provider-access-without-approval", "near-miss-call-centre",
        "cloudtrail-log-tampering"]), "scenario kinds")

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
    ct_logs, digests = {}, {}
    for dp, _, fns in os.walk(case):
        for fn in fns:
            p = os.path.join(dp, fn)
            rel = os.path.relpath(p, case)
            if fn.endswith(".json.gz") and "/CloudTrail-Digest/" in rel:
                digests[rel] = gzip.open(p).read()
                continue
            if fn.endswith(".json.gz"):
                m = CT_NAME.search(fn)
                check(m is not None, "CloudTrail name " + rel)
                acct, region, stamp = m.groups()
                check(("AWSLogs/%s/CloudTrail/%s/%s/%s/%s/" % (acct, region, stamp[:4],
                       stamp[4:6], stamp[6:8])) in rel, "CloudTrail dirs " + rel)
                raw = gzip.open(p).read()
                d = json.loads(raw)
                check(list(d) == ["Records"] and d["Records"], "CloudTrail body " + rel)
                ct_logs[rel] = (raw, d["Records"])
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
    check_cloudtrail_integrity(case, truth, ct_logs, digests)
    report()


if __name__ == "__main__":
    main()
