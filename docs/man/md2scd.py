#!/usr/bin/env python3
"""md2scd.py CONFIG.md OUT.scd - evircd.conf(5) in scdoc, generated from
docs/CONFIG.md so that the man page and the reference list the same keys
(one source). Handles what CONFIG.md uses: '#'/'##' headings, paragraphs,
'|' tables whose first column names the key(s), ``` code blocks, `code`,
**bold** and [text](url) links."""

import re
import sys


def inline(t):
    t = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", t)
    t = t.replace("\\|", "|")
    # escape scdoc's markup characters, then add ours
    parts = re.split(r"(`[^`]+`)", t)
    out = []
    for part in parts:
        code = part.startswith("`") and part.endswith("`") and len(part) > 1
        if code:
            part = part[1:-1]
        part = part.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")
        if code:
            out.append("*" + part + "*")
            continue
        part = re.sub(r"\\\*\\\*(.+?)\\\*\\\*", r"*\1*", part)
        part = re.sub(r"(?<![\w\\])\\\*([^*\s][^*]*?)\\\*(?!\w)", r"_\1_", part)
        out.append(part)
    return "".join(out)


def split_row(line):
    """The cells of a table row; a '|' inside `code` is not a separator."""
    cells, cur, code = [], "", False
    for ch in line.strip():
        if ch == "`":
            code = not code
        if ch == "|" and not code:
            cells.append(cur)
            cur = ""
        else:
            cur += ch
    cells.append(cur)
    return [c.strip() for c in cells[1:-1]]


def main():
    src, out = sys.argv[1], sys.argv[2]
    lines = open(src, encoding="utf-8").read().split("\n")
    o = ["evircd.conf(5)", "", "# NAME", "",
         "evircd.conf - configuration file of *evircd*(8)", "",
         "# SYNOPSIS", "", "_/etc/evircd/evircd.conf_ (the packaged service), or any file "
         "given to *evircd -c*", "", "# DESCRIPTION", ""]
    i = 0
    header = None
    in_code = False
    # the title line of CONFIG.md is replaced by NAME/SYNOPSIS above
    while i < len(lines) and not lines[i].startswith("# "):
        i += 1
    i += 1
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.startswith("```"):
            if not in_code:
                o.append("```")
                in_code = True
            else:
                o.append("```")
                in_code = False
            continue
        if in_code:
            o.append(line)
            continue
        if line.startswith("## "):
            title = line[3:].strip()
            if title.lower() == "example":
                o += ["# EXAMPLE", ""]
            else:
                o += ["# SECTION " + inline(title), ""]
            header = None
            continue
        if line.startswith("|"):
            cells = split_row(line)
            if header is None:
                header = [c.lower() for c in cells]
                continue
            if all(re.fullmatch(r":?-+:?", c) for c in cells):
                continue
            row = dict(zip(header, cells))
            first = cells[0]
            rest = [(h, c) for h, c in zip(header[1:], cells[1:])]
            o.append(inline(first))
            meaning = row.get("meaning") or row.get("fields") or ""
            extra = ["%s: %s" % (h.capitalize(), inline(c)) for h, c in rest
                     if h not in ("meaning", "fields") and c and c != "—"]
            m = inline(meaning)
            if extra and m and not m.endswith((".", ")")):
                m += "."
            o.append("\t" + m + (" ++" if extra else ""))
            if extra:
                o.append("\t" + "; ".join(extra) + ".")
            o.append("")
            continue
        header = None
        o.append(inline(line))
    o += ["# SEE ALSO", "", "*evircd*(8)", ""]
    text = "\n".join(o)
    text = re.sub(r"\n{3,}", "\n\n", text)
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
