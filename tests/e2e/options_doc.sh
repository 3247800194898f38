#!/bin/sh
# The man page's OPTIONS section names exactly the options --help lists (both
# come from people's hands on one side and the option table in
# src/cli/options.c on the other): an option added to the table without a
# man page entry, or a man page entry for an option that is gone, fails.
P=${1:-./pop3mon}
"$P" --help > "${TMPDIR:-/tmp}/pop3mon-help.$$" || { echo "FAIL --help exits non-zero"; exit 1; }
python3 - "${TMPDIR:-/tmp}/pop3mon-help.$$" pop3mon.1 <<'PY'
import re, sys
help_text = open(sys.argv[1]).read()
man = open(sys.argv[2]).read()
tok = re.compile(r'(?<![\w-])(--[a-z][a-z0-9-]*|-[A-Za-z])(?![\w-])')
helped = set()
for line in help_text.splitlines():
    if line.startswith('  -'):
        left = re.split(r' {2,}', line.strip(), maxsplit=1)[0]
        helped |= set(tok.findall(left))
# The OPTIONS section: the tag line after each .TP
sec = man.split('.SH OPTIONS', 1)[1].split('\n.SH ', 1)[0]
lines = sec.splitlines()
manned = set()
for i, l in enumerate(lines):
    if l == '.TP' and i + 1 < len(lines):
        tag = re.sub(r'\\f[RBIP]', '', lines[i + 1]).replace('\\-', '-').replace('"', ' ')
        tag = re.sub(r'^\.B[IR]* ', '', tag)
        manned |= set(tok.findall(tag))
bad = 0
for o in sorted(helped - manned):
    print("FAIL --help lists %s, pop3mon.1 OPTIONS does not" % o); bad = 1
for o in sorted(manned - helped):
    print("FAIL pop3mon.1 OPTIONS lists %s, --help does not" % o); bad = 1
if len(helped) < 30:
    print("FAIL only %d options found in --help: the parse is broken" % len(helped)); bad = 1
if not bad:
    print("PASS pop3mon.1 and --help name the same %d options" % len(helped))
sys.exit(bad)
PY
rc=$?
rm -f "${TMPDIR:-/tmp}/pop3mon-help.$$"
exit $rc
