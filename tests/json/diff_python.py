#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Differential test of the json area against Python's json module.

Runs the C helper json_leaves over every file under the shared corpus's sample-logs/
(recursively, sorted), computes the same canonical leaf listing with Python's json
module, and diffs the two. The listing has, per file, "file NAME", then per top-level
value "doc N" and one line per leaf: path, type, value, shadow flag (see json_leaves.c).
A file that stops parsing prints "error doc N" (N = index of the value that failed).

Usage: diff_python.py JSON_LEAVES [--expect FILES DOCS LEAVES]
Exits 77 (skip) when the shared corpus is absent.
"""
import json
import os
import re
import subprocess
import sys

WS = re.compile(r"[ \t\n\r]*")


class Num:
    def __init__(self, text):
        self.text = text


class Obj:
    def __init__(self, pairs):
        self.pairs = pairs


def reject_constant(name):
    raise ValueError("not JSON: " + name)


DECODER = json.JSONDecoder(object_pairs_hook=Obj, parse_float=Num, parse_int=Num,
                           parse_constant=reject_constant)


def esc(b, in_path=False):
    out = []
    for c in b:
        if c == 0x5C:
            out.append("\\\\")
        elif c < 0x20 or c > 0x7E or (in_path and c in (0x2E, 0x5B)):
            out.append("\\x%02x" % c)
        else:
            out.append(chr(c))
    return "".join(out)


class BadText(Exception):
    pass


def utf8(s):
    # Lone surrogates (from \ud800 escapes or undecodable bytes) are errors for us.
    try:
        return s.encode("utf-8")
    except UnicodeEncodeError:
        raise BadText()


def number(text):
    try:
        x = float(text)
    except OverflowError:
        return text + " range"
    if x in (float("inf"), float("-inf")):
        return text + " range"
    return text + " " + ("%.17g" % x)


def leaves(v, path, shadowed, out):
    flag = "S" if shadowed else "-"
    if isinstance(v, Obj):
        seen = set()
        for k, m in v.pairs:
            kb = utf8(k)
            leaves(m, path + "." + esc(kb, True), shadowed or kb in seen, out)
            seen.add(kb)
        if not v.pairs:
            out.append("%s\tobject\t\t%s" % (path, flag))
    elif isinstance(v, list):
        for i, m in enumerate(v):
            leaves(m, "%s[%d]" % (path, i), shadowed, out)
        if not v:
            out.append("%s\tarray\t\t%s" % (path, flag))
    elif isinstance(v, str):
        out.append("%s\tstring\t%s\t%s" % (path, esc(utf8(v)), flag))
    elif isinstance(v, Num):
        out.append("%s\tnumber\t%s\t%s" % (path, number(v.text), flag))
    elif v is True:
        out.append("%s\ttrue\ttrue\t%s" % (path, flag))
    elif v is False:
        out.append("%s\tfalse\tfalse\t%s" % (path, flag))
    else:
        out.append("%s\tnull\tnull\t%s" % (path, flag))


def python_listing(name, data):
    out = ["file " + name]
    text = data.decode("utf-8", errors="surrogateescape")
    pos = WS.match(text, 0).end()
    doc = 0
    while pos < len(text):
        try:
            v, end = DECODER.raw_decode(text, pos)
            part = []
            leaves(v, "$", False, part)
            utf8(text[pos:end])  # undecodable bytes inside the value
        except (ValueError, BadText, RecursionError):
            out.append("error doc %d" % doc)
            break
        out.append("doc %d" % doc)
        out.extend(part)
        doc += 1
        pos = WS.match(text, end).end()
    return out


def corpus_dir():
    env = os.environ.get("SS_SHARED_CORPUS")
    if env is not None:
        return env if os.path.isdir(env) else None
    src = os.environ.get("SS_TEST_SRCDIR", os.path.join(os.path.dirname(__file__), ".."))
    path = os.path.join(src, "..", "..", "shared", "corpus")
    return path if os.path.isdir(path) else None


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    helper = sys.argv[1]
    expect = None
    if len(sys.argv) == 6 and sys.argv[2] == "--expect":
        expect = tuple(int(x) for x in sys.argv[3:6])
    corpus = corpus_dir()
    logs = os.path.join(corpus, "sample-logs") if corpus else None
    if logs is None or not os.path.isdir(logs):
        print("skip: shared corpus absent")
        return 77
    files = []
    for root, dirs, names in os.walk(logs):
        dirs.sort()
        for n in names:
            files.append(os.path.relpath(os.path.join(root, n), logs))
    files.sort()

    want = {}
    for name in files:
        with open(os.path.join(logs, name), "rb") as f:
            want[name] = python_listing(name, f.read())
    proc = subprocess.run([os.path.abspath(helper)] + files, cwd=logs, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
    got = {}
    cur = None
    for line in proc.stdout.decode("utf-8", "surrogateescape").split("\n"):
        if line.startswith("file "):
            cur = line[5:]
            got[cur] = []
        if cur is not None and line != "":
            got[cur].append(line)
    if proc.returncode != 0:
        print("FAIL: json_leaves exited with %d" % proc.returncode)
        return 1
    n_bad = 0
    n_files_bad = 0
    for name in files:
        g, w = got.get(name, []), want[name]
        bad = 0
        for i in range(max(len(g), len(w))):
            gl = g[i] if i < len(g) else "<missing>"
            wl = w[i] if i < len(w) else "<missing>"
            if gl != wl:
                if n_bad < 20:
                    print("%s line %d:\n  C:      %s\n  python: %s" % (name, i + 1, gl, wl))
                n_bad += 1
                bad += 1
        if bad:
            n_files_bad += 1
    want = [x for name in files for x in want[name]]
    n_docs = sum(1 for x in want if x.startswith("doc "))
    n_errors = sum(1 for x in want if x.startswith("error doc "))
    n_leaves = sum(1 for x in want if x.startswith("$"))
    print("%d files, %d documents, %d leaves, %d files not JSON; %d differing lines"
          % (len(files), n_docs, n_leaves, n_errors, n_bad))
    status = 0
    if n_bad != 0:
        print("FAIL: C and Python listings differ")
        status = 1
    if expect is not None and (len(files), n_docs, n_leaves) != expect:
        print("FAIL: expected %d files, %d documents, %d leaves" % expect)
        n_files_bad += 1
        status = 1
    # One test case per file, in the harness's closing-line format.
    print("%d passed, %d failed" % (len(files) - min(n_files_bad, len(files)), n_files_bad))
    return status


if __name__ == "__main__":
    sys.exit(main())
