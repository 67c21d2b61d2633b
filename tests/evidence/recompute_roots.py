# SPDX-License-Identifier: Apache-2.0
# Recompute inputs_root and findings_root of a sealed siloscope review with hashlib only
# (the script of docs/evidence.md). Usage: recompute_roots.py OUT [CASE]
# With CASE, each input's digest is recomputed from the file itself, not taken from
# manifest.json. Exit status 0 when both roots match manifest.json.
import hashlib, json, sys

def h(b): return hashlib.sha256(b).digest()

def mth(leaves):  # RFC 6962 Merkle Tree Hash over leaf hashes
    if len(leaves) == 0: return h(b"")
    if len(leaves) == 1: return leaves[0]
    k = 1
    while 2 * k < len(leaves): k *= 2
    return h(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))

out = sys.argv[1]
m = json.load(open(out + "/manifest.json", encoding="utf-8"))
def digest(i):
    if len(sys.argv) > 2: return h(open(sys.argv[2] + "/" + i["path"], "rb").read())
    return bytes.fromhex(i["sha256"] or "00" * 32)
inputs = [h(b"\x00" + digest(i) + i["path"].encode("utf-8")) for i in m["inputs"]]
lines = open(out + "/findings.jsonl", "rb").read().split(b"\n")[:-1]
findings = [h(b"\x00" + line) for line in lines]
ok_i = mth(inputs).hex() == m["inputs_root"]
ok_f = mth(findings).hex() == m["findings_root"]
print("inputs_root", mth(inputs).hex(), "ok" if ok_i else "MISMATCH")
print("findings_root", mth(findings).hex(), "ok" if ok_f else "MISMATCH")
sys.exit(0 if ok_i and ok_f else 1)
