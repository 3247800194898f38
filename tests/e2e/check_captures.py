#!/usr/bin/env python3
"""End-to-end: run pop3mon on every capture in pcaps/ that has expected
files beside it, and compare

  NAME.txns      the transactions (session, command, args, status), taken
                 from the client's own log and reviewed by hand;
  NAME.findings  the error/warning findings (session, rule, severity);
  NAME.sessions  (optional) how each session ended and what it was:
                 session, end_reason, found_by (port or content), and every
                 rule it hit, notices included (comma-separated, or -).

Sessions are numbered in the order of their first packet (pop3mon's flow
ids are assigned in that order). Prints one PASS/FAIL line per capture and
a closing "N passed, N failed" line; exits 1 on any failure.
Usage: check_captures.py POP3MON [CAPTURE...]
"""
import glob
import json
import os
import subprocess
import sys


def read_expected(path):
    rows = []
    if not os.path.exists(path):
        return None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            rows.append(tuple(line.split("\t")))
    return rows


def run(pop3mon, pcap):
    p = subprocess.run([pop3mon, "-r", pcap, "--json", "-"], capture_output=True)
    if p.returncode not in (0, 1):
        raise RuntimeError("exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace")))
    events = [json.loads(l) for l in p.stdout.decode("utf-8").splitlines() if l.strip()]
    return events, p.returncode


def session_numbers(events):
    ids = sorted({e["flow_id"] for e in events if "flow_id" in e and e["event_type"] != "stats"})
    return {fid: i + 1 for i, fid in enumerate(ids)}


def txns_of(events, num):
    rows, seen_first = [], set()
    for e in events:
        if e["event_type"] != "pop3":
            continue
        p = e["pop3"]
        s = num[e["flow_id"]]
        req = p.get("request")
        resp = p.get("response") or {}
        status = resp.get("status") or "none"
        if req is None:
            flags = p.get("flags", [])
            if s not in seen_first and "unsolicited" not in flags and status in ("+OK", "-ERR"):
                rows.append((str(s), "(greeting)", "", status))
            seen_first.add(s)
            continue
        seen_first.add(s)
        rows.append((str(s), req.get("command", ""), req.get("args", ""), status))
    return sorted(rows, key=lambda r: int(r[0]))  # stable: per session, in order


def findings_of(events, num):
    rows = set()
    for e in events:
        if e["event_type"] == "pop3_finding" and e["finding"]["severity"] in ("error", "warning"):
            rows.add((str(num[e["flow_id"]]), e["finding"]["rule"], e["finding"]["severity"]))
    return sorted(rows)


def sessions_of(events, num):
    rows = []
    for e in events:
        if e["event_type"] != "pop3_session":
            continue
        p = e["pop3_session"]
        rows.append((str(num[e["flow_id"]]), p["end_reason"], p.get("found_by", "port"),
                     ",".join(p.get("rules", [])) or "-"))
    return sorted(rows, key=lambda r: int(r[0]))


def normalise_txn(row):
    row = tuple(row) + ("",) * (4 - len(row))
    s, cmd, args, status = row[:4]
    return (s, cmd if cmd.startswith("(") else cmd.upper(), args, status)


def diff(label, want, got):
    out = []
    w, g = list(want), list(got)
    for i in range(max(len(w), len(g))):
        a = w[i] if i < len(w) else None
        b = g[i] if i < len(g) else None
        if a != b:
            out.append("  %s #%d: expected %s, got %s" % (label, i + 1, a, b))
            if len(out) >= 6:
                out.append("  ...")
                break
    return out


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    pop3mon = sys.argv[1]
    caps = sys.argv[2:] or sorted(glob.glob("pcaps/**/*.pcap", recursive=True) +
                                  glob.glob("pcaps/**/*.pcapng", recursive=True))
    passed = failed = 0
    for cap in caps:
        base = cap.rsplit(".", 1)[0]
        want_t = read_expected(base + ".txns")
        want_f = read_expected(base + ".findings")
        want_s = read_expected(base + ".sessions")
        if want_t is None and want_f is None:
            continue
        problems = []
        try:
            events, rc = run(pop3mon, cap)
        except Exception as ex:  # noqa: BLE001 - report and go on
            problems.append("  " + str(ex))
            events, rc = [], None
        if events:
            num = session_numbers(events)
            if want_t is not None:
                problems += diff("txn", [normalise_txn(r) for r in want_t], txns_of(events, num))
            if want_f is not None:
                got_f = findings_of(events, num)
                problems += diff("finding", sorted(tuple(r) for r in want_f), got_f)
                want_rc = 1 if want_f else 0
                if rc != want_rc:
                    problems.append("  exit status %s, expected %d" % (rc, want_rc))
            if want_s is not None:
                problems += diff("session", sorted(want_s, key=lambda r: int(r[0])),
                                 sessions_of(events, num))
        if problems:
            failed += 1
            print("FAIL %s" % cap)
            print("\n".join(problems))
        else:
            passed += 1
            print("PASS %s" % cap)
    print("captures: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
