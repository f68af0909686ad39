#!/usr/bin/env python3
"""docs_test.py - the documentation lists what the program has (issue 13):

  config_keys   every key docs/CONFIG.md documents in a [section] table is
                accepted there by `evircd -t` (not "unknown key"), and every
                key name the parser compares against (src/core/config.c) is
                documented
  man_conf      evircd.conf(5) (generated from CONFIG.md when scdoc is
                found) names every documented key under its section
  man_options   every option of `evircd --help` is in evircd(8)

  python3 tests/service/docs_test.py --evircd BIN --source-root DIR [--man-dir DIR]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svclib import run  # noqa: E402

A = None


def documented_keys():
    """{section: [keys]} from the key tables of docs/CONFIG.md."""
    keys = {}
    section = None
    header = None
    for line in open(os.path.join(A.source_root, "docs", "CONFIG.md"), encoding="utf-8"):
        m = re.match(r"## \[(\w+)\]", line)
        if m:
            section, header = m.group(1), None
            keys.setdefault(section, [])
            continue
        if line.startswith("## "):
            section = None
            continue
        if not line.startswith("|"):
            header = None
            continue
        first = line.split("|")[1].strip()
        if header is None:
            header = first
            continue
        if section is None or header != "key" or set(first) <= set("-: "):
            continue
        keys[section] += re.findall(r"`([a-z0-9_]+)`", first)
    return keys


def source_keys():
    src = open(os.path.join(A.source_root, "src", "core", "config.c"), encoding="utf-8").read()
    names = set(re.findall(r'strcmp\(name, "([a-z0-9_]+)"\)', src))
    names |= {n[len("flood_"):] if n.startswith("flood_") else n
              for n in re.findall(r"^\s+(?:UK|SK|CK|CSK)\(([a-z0-9_]+),", src, re.M)}
    names |= set(re.findall(r"^\s+(?:HK|HSK)\(history_([a-z0-9_]+),", src, re.M))
    return names


def t_config_keys():
    keys = documented_keys()
    assert len(keys) >= 7 and sum(len(v) for v in keys.values()) >= 40, keys
    d = tempfile.mkdtemp(prefix="evircd-docs-")
    conf = os.path.join(d, "k.conf")
    for section, names in keys.items():
        for k in names:
            with open(conf, "w") as f:
                f.write("[%s]\n%s = x\n" % (section, k))
            r = subprocess.run([A.evircd, "-t", "-c", conf], capture_output=True, text=True)
            assert "unknown key" not in r.stderr and "unknown section" not in r.stderr, \
                "[%s] %s is documented but refused: %s" % (section, k, r.stderr)
    # and a key that does not exist is refused the same way (the check can fail)
    with open(conf, "w") as f:
        f.write("[limits]\nno_such_key = 1\n")
    r = subprocess.run([A.evircd, "-t", "-c", conf], capture_output=True, text=True)
    assert "unknown key" in r.stderr, r.stderr
    doc = {k for v in keys.values() for k in v}
    missing = source_keys() - doc
    assert not missing, "keys the parser accepts but docs/CONFIG.md does not list: %s" % missing


def t_man_conf():
    if not A.man_dir:
        return "skip"
    page = os.path.join(A.man_dir, "evircd.conf.5.scd")
    if not os.path.exists(page):
        return "skip"
    text = open(page, encoding="utf-8").read()
    parts = re.split(r"^# SECTION \[(\w+)\].*$", text, flags=re.M)
    man = {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}
    for section, names in documented_keys().items():
        assert section in man, "evircd.conf(5) has no section [%s]" % section
        for k in names:
            assert re.search(r"^\*%s\*" % re.escape(k.replace("_", "\\_")) + r"|, \*" +
                             re.escape(k.replace("_", "\\_")) + r"\*", man[section], re.M), \
                "evircd.conf(5) [%s] lacks %s" % (section, k)


def t_man_options():
    page = os.path.join(A.source_root, "docs", "man", "evircd.8.scd")
    text = open(page, encoding="utf-8").read().replace("\\-", "-")
    r = subprocess.run([A.evircd, "--help"], capture_output=True, text=True)
    assert r.returncode == 0, r
    opts = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", r.stdout))
    assert {"-c", "-t", "-d", "--mkpasswd", "--version", "--help"} <= opts, opts
    for o in opts:
        assert re.search(r"\*%s\*" % re.escape(o), text), "evircd(8) lacks option %s" % o
    for arg in ("PORT", "PASSWORD", "FILE"):
        assert arg in r.stdout and "_%s_" % arg in text, arg


def main():
    global A
    ap = argparse.ArgumentParser()
    ap.add_argument("--evircd", required=True)
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--man-dir", default="")
    A = ap.parse_args()
    run([("config_keys", t_config_keys), ("man_conf", t_man_conf),
         ("man_options", t_man_options)])


if __name__ == "__main__":
    main()
