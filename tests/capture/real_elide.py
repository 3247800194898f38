#!/usr/bin/env python3
"""Shorten a client protocol log: elide the middle of long multi-line data.

Usage: real_elide.py PREFIX < raw.log > short.log
PREFIX is the marker of a received line: "*get* " (poplib) or "<-- " (mpop).
Status lines (+OK/-ERR/'+ '), the "." terminator and every other line are
kept; of each run of data lines between them, the first 12 and the last 3
stay and the rest become one line "[record_real.sh: N data lines elided]".
Progress bars of fetchmail ("#****.***") are shortened too.
"""
import re
import sys

prefix = sys.argv[1]
KEEP_HEAD, KEEP_TAIL = 12, 3


def body(line):
    s = line[len(prefix):].rstrip("\n")
    if prefix.startswith("*get*"):
        s = s.strip()
        for q in ("b'", 'b"'):
            if s.startswith(q):
                s = s[2:-1]
    return s


def is_anchor(line):
    if not line.startswith(prefix):
        return True
    b = body(line)
    return b.startswith("+OK") or b.startswith("-ERR") or b.startswith("+ ") \
        or b == "+" or b == "."


buf = []


def flush(out):
    if len(buf) > KEEP_HEAD + KEEP_TAIL + 1:
        out.writelines(buf[:KEEP_HEAD])
        out.write("[record_real.sh: %d data lines elided]\n"
                  % (len(buf) - KEEP_HEAD - KEEP_TAIL))
        out.writelines(buf[-KEEP_TAIL:])
    else:
        out.writelines(buf)
    buf.clear()


out = sys.stdout
for line in sys.stdin:
    line = re.sub(r"#[*.]{40,}", "#[progress bar elided]", line)
    if is_anchor(line):
        flush(out)
        out.write(line)
    else:
        buf.append(line)
flush(out)
