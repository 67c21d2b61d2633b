#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# tests/golden/cloudtrail/make_case.py - writes the hand-made CloudTrail golden case: one
# trail, two regions, hourly signed digest chains (formats.md 6.3) over five hours, and
# the tampering the verifier must name:
#   eu-west-1: log file 2 deleted, log file 3 altered (a record removed), a log file
#              added that no digest lists, the newest digest's signature in a sidecar;
#   us-east-1: digest 3 deleted (its log file is then unlisted), digest 5 restarts the
#              chain after a two-hour pause (logging off), no sidecar.
# The RSA key is made here; keys.json (outside the case) holds its public half as
# `aws cloudtrail list-public-keys` prints it. Run once; the outputs are committed.
import base64
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASE = os.path.join(HERE, "case")
ACCT = "210987654321"
BUCKET = "ct-archive-golden"
TRAIL = "org-trail"
HOME = "eu-west-1"


def gz(data):
    return gzip.compress(data, mtime=0)


def write(rel, data):
    path = os.path.join(CASE, "bucket", rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def main():
    tmp = tempfile.mkdtemp()
    key = os.path.join(tmp, "k.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                    "rsa_keygen_bits:2048", "-out", key], check=True, capture_output=True)
    der = subprocess.run(["openssl", "rsa", "-in", key, "-RSAPublicKey_out", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    fpr = hashlib.sha256(der).hexdigest()[:32]

    def sign(msg):
        p = os.path.join(tmp, "m")
        with open(p, "wb") as f:
            f.write(msg)
        return subprocess.run(["openssl", "dgst", "-sha256", "-sign", key, p], check=True,
                               capture_output=True).stdout.hex()

    shutil.rmtree(CASE, ignore_errors=True)
    for region in ("eu-west-1", "us-east-1"):
        prev = None
        for h in range(1, 6):
            start = "2024-05-01T%02d:10:00Z" % (h - 1)
            end = "2024-05-01T%02d:10:00Z" % h
            if region == "us-east-1" and h in (5,):
                start = "2024-05-01T%02d:10:00Z" % (h + 1)
                end = "2024-05-01T%02d:10:00Z" % (h + 2)
                prev = None  # restarted chain
            logs = []
            name = "%s_CloudTrail_%s_2024050%dT%02d30Z_golden%08d.json.gz" % (
                ACCT, region, 1, h - 1 if region != "us-east-1" or h < 5 else h + 1, h)
            obj = "AWSLogs/%s/CloudTrail/%s/2024/05/01/%s" % (ACCT, region, name)
            events = [{"eventVersion": "1.11", "eventTime": "2024-05-01T%02d:0%d:00Z" % (
                h - 1 if region != "us-east-1" or h < 5 else h + 1, i), "eventSource":
                "s3.amazonaws.com", "eventName": ["GetObject", "PutObject", "StopLogging"][i],
                "awsRegion": region, "eventID": "00000000-0000-4000-8000-%012d" % (h * 10 + i),
                "recipientAccountId": ACCT} for i in range(3)]
            body = json.dumps({"Records": events}, separators=(",", ":")).encode()
            logs.append({"s3Bucket": BUCKET, "s3Object": obj,
                         "hashValue": hashlib.sha256(body).hexdigest(), "hashAlgorithm": "SHA-256",
                         "newestEventTime": events[-1]["eventTime"],
                         "oldestEventTime": events[0]["eventTime"]})
            if region == "eu-west-1" and h == 3:
                body = json.dumps({"Records": events[:2]}, separators=(",", ":")).encode()
            if not (region == "eu-west-1" and h == 2):
                write(obj, gz(body))
            dname = "%s_CloudTrail-Digest_%s_%s_%s_%sZ.json.gz" % (
                ACCT, region, TRAIL, HOME, end.replace("-", "").replace(":", "")[:-1])
            dobj = "AWSLogs/%s/CloudTrail-Digest/%s/2024/05/01/%s" % (ACCT, region, dname)
            d = {"awsAccountId": ACCT, "digestStartTime": start, "digestEndTime": end,
                 "digestS3Bucket": BUCKET, "digestS3Object": dobj,
                 "digestPublicKeyFingerprint": fpr, "digestSignatureAlgorithm": "SHA256withRSA",
                 "newestEventTime": logs[-1]["newestEventTime"],
                 "oldestEventTime": logs[0]["oldestEventTime"],
                 "previousDigestS3Bucket": BUCKET if prev else None,
                 "previousDigestS3Object": prev[0] if prev else None,
                 "previousDigestHashValue": prev[1] if prev else None,
                 "previousDigestHashAlgorithm": "SHA-256" if prev else None,
                 "previousDigestSignature": prev[2] if prev else None, "logFiles": logs}
            raw = json.dumps(d, separators=(",", ":")).encode()
            dh = hashlib.sha256(raw).hexdigest()
            sig = sign(("%s\n%s/%s\n%s\n%s" % (end, BUCKET, dobj, dh,
                                               prev[2] if prev else "null")).encode())
            if not (region == "us-east-1" and h == 3):
                write(dobj, gz(raw))
            if region == "eu-west-1" and h == 5:
                write(dobj + ".metadata.json", json.dumps(
                    {"ContentType": "application/json", "ContentEncoding": "gzip",
                     "Metadata": {"signature": sig, "signature-algorithm": "SHA256withRSA"}},
                    indent=4).encode())
            prev = (dobj, dh, sig)
    extra = "AWSLogs/%s/CloudTrail/eu-west-1/2024/05/01/%s_CloudTrail_eu-west-1_20240501T0245Z_planted00000000.json.gz" % (ACCT, ACCT)
    write(extra, gz(json.dumps({"Records": [{"eventVersion": "1.11", "eventTime":
                                             "2024-05-01T02:44:00Z", "eventName": "ConsoleLogin",
                                             "eventSource": "signin.amazonaws.com"}]}).encode()))
    with open(os.path.join(HERE, "keys.json"), "w") as f:
        json.dump({"PublicKeyList": [{"Value": base64.b64encode(der).decode(),
                                      "ValidityStartTime": "2024-01-01T00:00:00+00:00",
                                      "ValidityEndTime": "2025-01-01T00:00:00+00:00",
                                      "Fingerprint": fpr}]}, f, indent=4)
        f.write("\n")
    shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
