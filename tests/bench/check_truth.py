#!/usr/bin/env python3
"""Compare pop3mon's JSON lines with the ground truth of gen_pop3_pcap.

usage: check_truth.py TRUTH.tsv POP3MON.json [--examples N] [--quiet]

Truth (tests/FORMATS.md): client_ip, client_port, server_ip, server_port,
user, rules (comma-separated rule ids of severity error/warning, or '-').
JSON: one object per line; `pop3_session` events (one per session) and
`pop3_finding` events with finding.rule / finding.severity; src = client,
dest = server.  Sessions are matched on (client ip, port, server ip, port),
addresses normalised (so 2001:db8::1 == 2001:0db8:0:0:0:0:0:1).

Checks:
  * every truth session has a pop3_session event, and no other session does;
  * every rule listed for a truth session was raised on it (error or warning);
  * no error/warning finding on a session beyond its truth list (false flags);
  * findings are oriented src = client (a reversed tuple is reported).
Notices are ignored.  Exit 0 when everything matches, 1 on any mismatch,
2 on a usage or input error.
"""
import ipaddress
import json
import sys
from collections import defaultdict

JUDGED = ("error", "warning")


def die(msg):
    print("check_truth: " + msg, file=sys.stderr)
    sys.exit(2)


def norm(ip, port):
    return (ipaddress.ip_address(str(ip).strip("[]")), int(port))


def load_truth(path):
    truth, users = {}, {}
    try:
        f = open(path, encoding="utf-8")
    except OSError as e:
        die("%s: %s" % (path, e.strerror))
    with f:
        for n, ln in enumerate(f, 1):
            ln = ln.rstrip("\r\n")
            if not ln or ln.startswith("#"):
                continue
            parts = ln.split("\t")
            if len(parts) != 6:
                die("%s:%d: expected 6 tab-separated fields" % (path, n))
            ci, cp, si, sp, user, rules = parts
            try:
                key = norm(ci, cp) + norm(si, sp)
            except ValueError as e:
                die("%s:%d: %s" % (path, n, e))
            if key in truth:
                die("%s:%d: duplicate session %s" % (path, n, fmt(key)))
            truth[key] = frozenset() if rules == "-" else frozenset(rules.split(","))
            users[key] = user
    return truth, users


def endpoint(ev, ipk, portk):
    """src/dest of an event; tolerate a nested flow object"""
    if ipk in ev and portk in ev:
        return ev[ipk], ev[portk]
    for sub in ("flow", "session", "conn"):
        o = ev.get(sub)
        if isinstance(o, dict) and ipk in o and portk in o:
            return o[ipk], o[portk]
    raise KeyError(ipk)


def fmt(key):
    ci, cp, si, sp = key
    f = lambda ip, p: ("[%s]:%d" if ip.version == 6 else "%s:%d") % (ip, p)
    return "%s -> %s" % (f(ci, cp), f(si, sp))


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    examples = 10
    quiet = "--quiet" in argv
    if "--examples" in argv:
        i = argv.index("--examples")
        try:
            examples = int(argv[i + 1])
            args.remove(argv[i + 1])
        except (IndexError, ValueError):
            die("--examples N")
    if len(args) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)
    truth, users = load_truth(args[0])

    sessions = set()
    raised = defaultdict(set)          # key -> {rule}
    reversed_keys = set()
    bad_lines = 0
    nfind = 0
    try:
        f = open(args[1], "rb")
    except OSError as e:
        die("%s: %s" % (args[1], e.strerror))
    with f:
        for n, raw in enumerate(f, 1):
            if b"pop3_session" not in raw and b"pop3_finding" not in raw:
                continue
            try:
                ev = json.loads(raw)
            except ValueError:
                bad_lines += 1
                if bad_lines <= 3:
                    print("check_truth: %s:%d: not JSON" % (args[1], n), file=sys.stderr)
                continue
            et = ev.get("event_type")
            if et not in ("pop3_session", "pop3_finding"):
                continue
            try:
                key = norm(*endpoint(ev, "src_ip", "src_port")) + \
                      norm(*endpoint(ev, "dest_ip", "dest_port"))
            except (KeyError, ValueError, TypeError):
                bad_lines += 1
                if bad_lines <= 3:
                    print("check_truth: %s:%d: %s without usable src/dest ip/port"
                          % (args[1], n, et), file=sys.stderr)
                continue
            if key not in truth:
                rk = key[2:] + key[:2]
                if rk in truth:
                    reversed_keys.add(rk)
                    key = rk
            if et == "pop3_session":
                sessions.add(key)
            else:
                fd = ev.get("finding") or {}
                sev = fd.get("severity")
                if sev in JUDGED:
                    nfind += 1
                    raised[key].add(str(fd.get("rule")))

    tk = set(truth)
    missing = sorted(tk - sessions, key=str)
    extra = sorted(sessions - tk, key=str)
    unknown_find = sorted(set(raised) - tk, key=str)
    flagged = [k for k in truth if truth[k]]
    full = partial = none = 0
    per_rule = defaultdict(lambda: [0, 0, 0, 0])   # expected, caught, missed, false
    missed_ex, false_ex = [], []
    false_sessions = 0
    for k, want in truth.items():
        got = raised.get(k, set())
        for r in want:
            per_rule[r][0] += 1
            per_rule[r][1 if r in got else 2] += 1
        fp = got - want
        for r in fp:
            per_rule[r][3] += 1
        if fp:
            false_sessions += 1
            false_ex.append((k, want, got))
        if want:
            hit = len(want & got)
            if hit == len(want):
                full += 1
            else:
                missed_ex.append((k, want, got))
                if hit:
                    partial += 1
                else:
                    none += 1
    clean = len(truth) - len(flagged)
    clean_flagged = sum(1 for k in truth if not truth[k] and raised.get(k))

    ok = not (missing or extra or unknown_find or missed_ex or false_ex or reversed_keys
              or bad_lines)
    w = print
    w("check_truth: %s vs %s" % (args[1], args[0]))
    w("  sessions: truth %d, pop3mon %d, matched %d, missing %d, extra %d"
      % (len(truth), len(sessions), len(tk & sessions), len(missing), len(extra)))
    w("  judged findings (error/warning): %d" % nfind)
    w("  truth sessions with contradictions: %d; all rules raised %d, some %d, none %d"
      % (len(flagged), full, partial, none))
    w("  clean sessions: %d; with false flags %d" % (clean, clean_flagged))
    w("  sessions with rules beyond their truth list (incl. clean): %d" % false_sessions)
    if reversed_keys:
        w("  findings/sessions with src/dest reversed (src must be the client): %d"
          % len(reversed_keys))
    if unknown_find:
        w("  findings on sessions not in truth: %d" % len(unknown_find))
    if bad_lines:
        w("  unusable JSON lines: %d" % bad_lines)
    if per_rule:
        w("  %-26s %8s %7s %7s %7s" % ("rule", "expected", "raised", "missed", "false"))
        for r in sorted(per_rule):
            e, c, m, fp = per_rule[r]
            w("  %-26s %8d %7d %7d %7d" % (r, e, c, m, fp))
    if not quiet:
        for k in missing[:examples]:
            w("  MISSING session %s user %s truth %s" % (fmt(k), users[k], ",".join(sorted(truth[k])) or "-"))
        for k in extra[:examples]:
            w("  EXTRA session %s" % fmt(k))
        for k, want, got in missed_ex[:examples]:
            w("  MISSED %s user %s: want %s, raised %s" % (fmt(k), users[k], ",".join(sorted(want)),
                                                         ",".join(sorted(got)) or "-"))
        for k, want, got in false_ex[:examples]:
            w("  FALSE %s user %s: want %s, raised %s" % (fmt(k), users[k], ",".join(sorted(want)) or "-",
                                                        ",".join(sorted(got))))
        for k in unknown_find[:examples]:
            w("  FINDING on unknown session %s: %s" % (fmt(k), ",".join(sorted(raised[k]))))
    w("check_truth: %s" % ("OK" if ok else "MISMATCH"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
