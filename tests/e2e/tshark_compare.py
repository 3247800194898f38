#!/usr/bin/env python3
"""Compare pop3mon's dissection with tshark's POP dissector on the same
capture: per TCP connection, the client commands and the server's status
indicators, in order.

tshark and pop3mon differ where tshark is wrong, and this test names each
such case instead of hiding it:
  - pipelining: tshark shows only the first command of a segment carrying
    several (RFC 2449 s6.6 allows it); pop3mon shows all. Checked: tshark's
    commands must be a subsequence of pop3mon's, and the commands only
    pop3mon sees must share a frame with a command tshark shows.
  - SASL: tshark shows "+ " continuations as empty replies and the client's
    base64 lines as commands; pop3mon keeps them inside the AUTH
    transaction. Dropped from tshark's list before comparing.
  - a reply that begins in the segment where the previous one ended, or
    after tshark missed pipelined items, is missed by tshark (it keeps
    reading message data); lower-case "+ok" is no indicator to tshark.
  - after STLS +OK tshark stops too; both stop parsing POP3.
Usage: tshark_compare.py POP3MON [CAPTURE...]   (skips when tshark is absent)
"""
import glob
import json
import re
import shutil
import subprocess
import sys
from collections import defaultdict

B64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")


KEYWORDS = {"USER", "PASS", "APOP", "AUTH", "STLS", "CAPA", "STAT", "LIST", "UIDL", "RETR",
            "TOP", "DELE", "RSET", "NOOP", "LAST", "XTND", "QUIT"}


# pcaps/tunnels: what tshark needs told, and what it cannot do.
TSHARK_DECODE_AS = {
    # the recordings' MACs are zero, so Wireshark takes the pseudowire
    # control word for the start of a MAC: name the pseudowire
    "mpls-pw-dovecot-curl": ["-d", "mpls.label==3001,pwethcw", "-d", "mpls.label==3002,pwethcw"],
    # pcaps/detect: POP3 on ports Wireshark does not take for POP (pop3mon
    # finds it by its content)
    "dovecot-curl-1110": ["-d", "tcp.port==1110,pop"],
    "intermail-8110": ["-d", "tcp.port==8110,pop"],
    "pop3-2222": ["-d", "tcp.port==2222,pop"],
}
TSHARK_SKIP = {
    # Wireshark's TCP analysis does not tell the two VNIs apart: it takes
    # the second session's segments for retransmissions of the first
    # (tests/e2e/tunnels.py checks pop3mon keeps two sessions)
    "vxlan-two-vni-stat-list-count": "tshark merges flows across VXLAN VNIs",
    # pcaps/detect: not POP3 on port 110; tshark takes any bytes on 110 for
    # POP "requests", pop3mon ends them not_pop3 (tests/e2e/detect.sh and
    # their .sessions files check that)
    "redis-110": "not POP3: tshark decodes Redis on port 110 as POP lines",
    "tls-110": "not POP3: tshark decodes TLS on port 110 as POP lines",
}


def cap_stem(cap):
    return cap.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def tshark_view(cap):
    out = subprocess.run(
        ["tshark", "-r", cap] + TSHARK_DECODE_AS.get(cap_stem(cap), []) + ["-Y", "pop", "-T", "fields", "-E", "separator=\t",
         "-E", "occurrence=l",  # tunnelled (pcaps/tunnels): the innermost header
         "-e", "frame.number", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport",
         "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport",
         "-e", "pop.request.command", "-e", "pop.response.indicator", "-e", "frame.protocols"],
        capture_output=True, text=True, check=True).stdout
    conns = defaultdict(lambda: {"cmds": [], "status": []})
    for line in out.splitlines():
        f = (line.split("\t") + [""] * 10)[:10]
        frame, s4, s6, sport, d4, d6, dport, cmd, ind, protos = f
        # IPv6 in IPv4 and the reverse: the IP layer just before TCP is the inner one
        chain = protos.split(":")
        inner6 = "tcp" in chain and chain[chain.index("tcp") - 1] == "ipv6"
        src, dst = ((s6, d6) if inner6 else (s4, d4)) if s4 and s6 else (s4 or s6, d4 or d6)
        if cmd:
            c = conns[(src, sport, dst, dport)]
            # SASL continuation lines ("*" or base64) are not commands
            if cmd == "*" or (cmd.upper() not in KEYWORDS and B64.match(cmd)):
                continue
            c["cmds"].append((cmd.upper(), int(frame)))
        elif ind:
            conns[(dst, dport, src, sport)]["status"].append((ind.split(",")[0], int(frame)))
    return conns


def pop3mon_view(pop3mon, cap):
    out = subprocess.run([pop3mon, "-r", cap, "--json", "-"], capture_output=True, text=True).stdout
    conns = defaultdict(lambda: {"cmds": [], "status": []})
    last_end = {}
    for line in out.splitlines():
        e = json.loads(line)
        if e.get("event_type") != "pop3":
            continue
        key = (e["src_ip"], str(e["src_port"]), e["dest_ip"], str(e["dest_port"]))
        p = e["pop3"]
        req, resp = p.get("request"), p.get("response") or {}
        if req:
            conns[key]["cmds"].append((req["command"], req.get("frame", 0)))
        if resp.get("status") in ("+OK", "-ERR"):
            fr = resp.get("frame", 0)
            why = None
            if "status_lowercase" in p.get("flags", []):
                why = "lower-case status: tshark does not recognise it"
            elif fr and fr == last_end.get(key):
                why = "begins in the segment where the previous reply ended: tshark reads one per segment"
            conns[key]["status"].append((resp["status"], fr, why))
            last_end[key] = resp.get("end_frame", fr)
    return conns


def explain(tshark, ours, sasl_from):
    """Items pop3mon has and tshark lacks, each explained, or the unexplained ones."""
    it, unexplained, explained = iter(tshark), [], []
    want = next(it, None)
    frames = [o[1] for o in ours]
    for o in ours:
        item, fr, known = o[0], o[1], (o[2] if len(o) > 2 else None)
        if want is not None and item == want[0] and not (known and known.startswith("lower")):
            want = next(it, None)
            continue
        if known:
            explained.append("%s (%s)" % (item, known))
        elif frames.count(fr) > 1:
            explained.append("%s (shares frame %d: tshark shows one per segment)" % (item, fr))
        elif sasl_from is not None and fr > sasl_from:
            explained.append("%s (after a SASL exchange tshark takes lines as data)" % item)
        elif explained and any("one per segment" in x for x in explained):
            explained.append("%s (tshark out of step since it missed pipelined items)" % item)
        else:
            unexplained.append((item, fr))
    if want is not None:
        unexplained.append(("tshark-only " + want[0], want[1]))
    return unexplained, explained


def compare(pop3mon, cap):
    t, m = tshark_view(cap), pop3mon_view(pop3mon, cap)
    problems, notes = [], []
    for key in sorted(set(t) | set(m)):
        auth = [fr for c, fr in m[key]["cmds"] if c == "AUTH"]
        sasl_from = min(auth) if auth else None
        for what in ("cmds", "status"):
            bad, why = explain(t[key][what], m[key][what], sasl_from)
            if why:
                notes.append("%s:%s %s tshark lacks: %s" % (key[0], key[1], what, "; ".join(why[:4])))
            if bad:
                problems.append("%s:%s %s differ: %s\n    tshark  %s\n    pop3mon %s" %
                                (key[0], key[1], what, bad[:4], [x[0] for x in t[key][what]],
                                 [x[0] for x in m[key][what]]))
    return problems, notes


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    if not shutil.which("tshark"):
        print("tshark not installed: comparison skipped")
        print("tshark comparison: 0 passed, 0 failed, 1 skipped")
        return 0
    caps = sys.argv[2:] or sorted(glob.glob("pcaps/**/*.pcap", recursive=True) +
                                  glob.glob("pcaps/**/*.pcapng", recursive=True))
    passed = failed = 0
    for cap in caps:
        if cap_stem(cap) in TSHARK_SKIP:
            print("SKIP %s: %s" % (cap, TSHARK_SKIP[cap_stem(cap)]))
            continue
        problems, notes = compare(sys.argv[1], cap)
        print("%s %s" % ("FAIL" if problems else "PASS", cap))
        for n in notes:
            print("  note: " + n)
        for p in problems:
            print("  " + p)
        failed += bool(problems)
        passed += not problems
    print("tshark comparison: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
