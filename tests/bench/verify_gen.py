#!/usr/bin/env python3
"""Independent check of gen_pop3_pcap's output (a test of the generator, not
of pop3mon): reassembles every TCP port-110 connection from the pcap with its
own minimal decoder, replays the POP3 dialogue, derives the rule ids the
session must raise (definitions in README.md) and compares them with the
truth TSV.  Also checks framing: no gaps, every stream ends after QUIT/FIN,
dot-stuffing, RETR header octets.  Pure python; fine up to ~100 MB.

usage: verify_gen.py CAPTURE.pcap TRUTH.tsv
"""
import ipaddress
import re
import struct
import sys
from collections import defaultdict

MULTI = {"CAPA", "RETR", "TOP"}


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data, 0)[0]
    assert magic == 0xA1B2C3D4, "pcap magic"
    linktype = struct.unpack_from("<I", data, 20)[0]
    assert linktype == 1
    off = 24
    n = 0
    while off < len(data):
        ts, tu, incl, orig = struct.unpack_from("<IIII", data, off)
        assert incl == orig
        n += 1
        yield n, data[off + 16: off + 16 + incl]
        off += 16 + incl


def decode(fr):
    et = struct.unpack_from("!H", fr, 12)[0]
    p = 14
    while et in (0x8100, 0x88A8):
        et = struct.unpack_from("!H", fr, p + 2)[0]
        p += 4
    if et == 0x0800:
        ihl = (fr[p] & 15) * 4
        tot = struct.unpack_from("!H", fr, p + 2)[0]
        if fr[p + 9] != 6:
            return None
        src = ipaddress.ip_address(fr[p + 12:p + 16])
        dst = ipaddress.ip_address(fr[p + 16:p + 20])
        end = p + tot
        p += ihl
    elif et == 0x86DD:
        plen = struct.unpack_from("!H", fr, p + 4)[0]
        if fr[p + 6] != 6:
            return None
        src = ipaddress.ip_address(fr[p + 8:p + 24])
        dst = ipaddress.ip_address(fr[p + 24:p + 40])
        end = p + 40 + plen
        p += 40
    else:
        return None
    assert end == len(fr), "IP length vs frame length"
    sport, dport, seq, ack, offf, flags = struct.unpack_from("!HHIIBB", fr, p)
    th = (offf >> 4) * 4
    return src, sport, dst, dport, seq, flags, fr[p + th:end]


class Dir:
    def __init__(self):
        self.isn = None
        self.segs = {}
        self.fin = False

    def add(self, seq, flags, pl):
        if flags & 2:
            self.isn = seq
            return
        if flags & 1:
            self.fin = True
        if pl:
            rel = (seq - self.isn - 1) & 0xFFFFFFFF
            self.segs.setdefault(rel, pl)  # first copy wins

    def stream(self):
        out = bytearray()
        for rel in sorted(self.segs):
            pl = self.segs[rel]
            if rel > len(out):
                raise AssertionError("gap at %d" % len(out))
            if rel + len(pl) > len(out):
                assert out[rel:] == pl[:len(out) - rel], "overlap conflict"
                out += pl[len(out) - rel:]
        return bytes(out)


def lines(b):
    assert b.endswith(b"\r\n") or not b
    return b.split(b"\r\n")[:-1]


NUM_RE = re.compile(r"(\d+) (?:visible )?messages?")
OCT_RE = re.compile(r"(\d+) octets")


def free_counts(text):
    m = NUM_RE.search(text)
    o = OCT_RE.search(text)
    return (int(m.group(1)) if m else None, int(o.group(1)) if o else None)


def judge(cl, sv):
    """replay one session; returns (set of rules, problems)"""
    cmds = [l.decode() for l in lines(cl)]
    sl = lines(sv)
    i = 0
    probs = []
    rules = set()

    def take_reply(multi):
        nonlocal i
        first = sl[i].decode()
        i += 1
        data = None
        if multi and first.startswith("+OK"):
            data = []
            while sl[i] != b".":
                ln = sl[i]
                if ln.startswith(b"."):
                    if not ln.startswith(b".."):
                        probs.append("unstuffed dot line")
                    ln = ln[1:]
                data.append(ln)
                i += 1
            i += 1
        return first, data

    greet, _ = take_reply(False)
    texts = [greet]
    stat = uidl = lst = None
    retrs = []
    dele = False
    for c in cmds:
        w = c.split()
        verb = w[0]
        multi = verb in MULTI or (verb in ("LIST", "UIDL") and len(w) == 1)
        first, data = take_reply(multi)
        if not first.startswith("+OK"):
            probs.append("-ERR to " + c)
            continue
        if verb in ("PASS", "RSET"):
            texts.append(first)
        if verb == "DELE":
            dele = True
        if verb == "STAT" and stat is None and not dele:
            _, n, s = first.split()
            stat = (int(n), int(s))
        elif verb == "UIDL" and len(w) == 1:
            texts.append(first)
            uidl = [int(d.split()[0]) for d in data]
        elif verb == "LIST" and len(w) == 1:
            texts.append(first)
            lst = [(int(d.split()[0]), int(d.split()[1])) for d in data]
        elif verb == "RETR":
            body = sum(len(d) + 2 for d in data)
            m = OCT_RE.search(first)
            retrs.append((int(w[1]), body, int(m.group(1)) if m else None))
    if i != len(sl):
        probs.append("trailing server lines")
    if cmds[-1] != "QUIT":
        probs.append("no QUIT")
    n0, s0 = stat
    if uidl is not None and len(uidl) != n0:
        rules.add("stat-uidl-count")
    if lst is not None:
        if len(lst) != n0:
            rules.add("stat-list-count")
        if sum(s for _, s in lst) != s0:
            rules.add("stat-list-octets")
    for listing in (uidl, [n for n, _ in lst] if lst is not None else None):
        if listing is None:
            continue
        if sorted(listing) != list(range(1, len(listing) + 1)) or len(listing) > n0:
            rules.add("listing-numbers")
    if uidl is not None and lst is not None and set(uidl) != {n for n, _ in lst}:
        rules.add("list-uidl-numbers")
    sizes = dict(lst or [])
    for n, body, hdr in retrs:
        if (n in sizes and sizes[n] != body) or (hdr is not None and hdr != body):
            rules.add("retr-size")
    for t in texts:
        cn, co = free_counts(t)
        if cn is not None and cn != n0 or co is not None and co != s0:
            rules.add("announced-counts")
        if cn == 0 and co or cn and co == 0:
            rules.add("impossible-drop-listing")
    if n0 == 0 and s0 or n0 and s0 == 0:
        rules.add("impossible-drop-listing")
    return rules, probs


def main():
    pcap, truth = sys.argv[1], sys.argv[2]
    flows = {}
    for num, fr in packets(pcap):
        d = decode(fr)
        if not d:
            continue
        src, sport, dst, dport, seq, flags, pl = d
        if dport == 110:
            key, side = (src, sport, dst, dport), 0
        elif sport == 110:
            key, side = (dst, dport, src, sport), 1
        else:
            continue
        if key not in flows:
            assert flags & 2 and side == 0, "flow does not start with SYN"
            flows[key] = (Dir(), Dir())
        flows[key][side].add(seq, flags, pl)
    exp = {}
    for ln in open(truth):
        if ln.startswith("#") or not ln.strip():
            continue
        ci, cp, si, sp, user, r = ln.rstrip("\n").split("\t")
        key = (ipaddress.ip_address(ci), int(cp), ipaddress.ip_address(si), int(sp))
        assert key not in exp, "duplicate truth key"
        exp[key] = set() if r == "-" else set(r.split(","))
    bad = 0
    stats = defaultdict(int)
    if set(flows) != set(exp):
        print("flows vs truth differ: %d flows, %d truth" % (len(flows), len(exp)))
        bad += 1
    for key, (c, s) in flows.items():
        if not (c.fin and s.fin):
            print(key, "no FIN both ways")
            bad += 1
            continue
        rules, probs = judge(c.stream(), s.stream())
        for r in rules:
            stats[r] += 1
        if probs or rules != exp.get(key):
            bad += 1
            print(key, "derived", sorted(rules), "truth", sorted(exp.get(key, [])), probs)
    print("verify_gen: %d sessions, %d mismatches; rules derived: %s" %
          (len(flows), bad, dict(sorted(stats.items()))))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
