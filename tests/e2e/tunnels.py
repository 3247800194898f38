#!/usr/bin/env python3
"""Tunnelled captures (pcaps/tunnels/, made by tests/capture/wrap_tunnels.py)
against the unwrapped ones they came from (named in NAME.src):

  1. pop3mon's JSON of the wrapped capture is the unwrapped one's record for
     record (sessions, transactions, findings with their frame numbers),
     once the capture's name and the `tunnel` object are taken out; the
     tunnel object is there on every session record and names the right
     encapsulation. (Transactions and findings against the hand-reviewed
     expected files: check_captures.py, which reads the same directory.)
  2. tshark's POP dissection (tshark -Y pop) of the inner packets is the
     same as of the unwrapped capture: commands and status indicators in
     order (skipped with a note when tshark is absent).
  3. The same session in two VXLAN VNIs stays two sessions, one per VNI.
  4. malformed-tunnels.pcap: each cut or lying outer header is counted as
     tunnel_invalid, the five-deep nest as tunnel_too_deep, the four-deep
     one decoded.
  5. Frame numbers under a BPF filter are the file's own: mixed-dovecot-curl
     (the session among mDNS frames) under `tcp port 110`, read as a file
     and from stdin, gives the records of the unfiltered run, and every
     frame its transactions name is a POP frame in tshark's numbering of
     the unfiltered file. Options after the expression are options.
  6. Snap length inside a tunnel: each wrapped capture whose encapsulation
     costs the same bytes on every frame, cut at 96 bytes of inner frame
     plus that cost, gives the records of the unwrapped capture cut at 96
     (what the capture lost is a gap in both, never a tunnel_invalid).
Usage: tunnels.py POP3MON
"""
import glob
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tshark_compare  # noqa: E402 - the table of tshark's decode-as options

DIR = "pcaps/tunnels"
FRAME_KEYS = {"frame", "end_frame", "pcap_cnt", "first_frame", "last_frame", "frames"}
# the encapsulation each capture's name starts with, as the JSON names it
TYPES = {"vxlan": "vxlan", "geneve": "geneve", "gre": "gre", "gre-eth": "gre",
         "erspan2": "gre/erspan2", "erspan3": "gre/erspan3", "mpls": "mpls", "mpls-pw": "mpls",
         "pppoe": "pppoe", "ipip": "ipip", "6in4": "ipip", "ipip6": "ipip", "ip6ip6": "ipip", "vxlan6": "vxlan", "l2tp": "l2tp",
         "gtpu": "gtpu", "gre-vxlan": "gre/vxlan", "mixed": None,
         "erspan1": "gre/erspan2", "gre-mpls": "gre/mpls", "geneve-ip": "geneve",
         "gtpu-plain": "gtpu", "l2tp-offset": "l2tp", "vxlan-vlan": "vxlan"}


def events(pop3mon, cap, bpf=None, stdin=None):
    p = subprocess.run([pop3mon, "-r", cap, "--json", "-"] + ([bpf] if bpf else []),
                       capture_output=True, stdin=stdin)
    if p.returncode not in (0, 1):
        raise RuntimeError("%s: exit %d: %s" % (cap, p.returncode, p.stderr.decode(errors="replace")))
    return [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()], p.returncode


def strip(obj, drop_frames, top=True):
    if isinstance(obj, dict):
        if top and obj.get("vlan") == [42]:
            obj = dict(obj)
            del obj["vlan"]  # vxlan-vlan: the inner frame's tag, checked in check_json
        return {k: strip(v, drop_frames, False) for k, v in obj.items()
                if k not in ("source", "tunnel") and not (drop_frames and k in FRAME_KEYS)}
    if isinstance(obj, list):
        return [strip(v, drop_frames, False) for v in obj]
    return obj


def pcap_frames(path):
    data = open(path, "rb").read()
    e = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off, out = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        out.append((off, incl))
        off += 16 + incl
    return data, e, out


def cut_pcap(src, dst, snap):
    """src with every record cut to snap bytes (the wire length kept), as a
    capture with -s snap would have it."""
    data, e, frames = pcap_frames(src)
    hdr = bytearray(data[:24])
    hdr[16:20] = struct.pack(e + "I", snap)
    out = [bytes(hdr)]
    for off, incl in frames:
        sec, frac, _, orig = struct.unpack(e + "IIII", data[off:off + 16])
        n = min(incl, snap)
        out.append(struct.pack(e + "IIII", sec, frac, n, orig) + data[off + 16:off + 16 + n])
    with open(dst, "wb") as f:
        f.write(b"".join(out))


def check_snaplen(pop3mon, cap, src, problems, tmp):
    _, _, wf = pcap_frames(cap)
    _, _, sf = pcap_frames(src)
    if len(wf) != len(sf):
        return False
    cost = {w[1] - s_[1] for w, s_ in zip(wf, sf)}
    if len(cost) != 1:
        return False
    c = cost.pop()
    a, b = os.path.join(tmp, "w.pcap"), os.path.join(tmp, "s.pcap")
    cut_pcap(cap, a, 96 + c)
    cut_pcap(src, b, 96)
    g = [strip(e, False) for e in events(pop3mon, a)[0] if e["event_type"] != "stats"]
    w = [strip(e, False) for e in events(pop3mon, b)[0] if e["event_type"] != "stats"]
    if not w or g != w:
        problems.append("%s cut at %d: records differ from %s cut at 96" % (cap, 96 + c, src))
    dec = events(pop3mon, a)[0][-1]["stats"]["decoder"]
    if dec.get("tunnel_invalid"):
        problems.append("%s cut at %d: tunnel_invalid %d" % (cap, 96 + c, dec["tunnel_invalid"]))
    return True


def kind_of(name):
    best = ""
    for k in TYPES:
        if name.startswith(k + "-") and len(k) > len(best):
            best = k
    return TYPES[best]


def tshark_pop(cap):
    # the recordings' MACs are all zero, so the control word looks like the
    # start of a MAC to Wireshark's guess: name the pseudowire
    extra = tshark_compare.TSHARK_DECODE_AS.get(os.path.basename(cap)[:-5], [])
    out = subprocess.run(["tshark", "-r", cap] + extra + ["-Y", "pop", "-T", "fields", "-E", "separator=\t",
                          "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "pop.request.command",
                          "-e", "pop.response.indicator"],
                         capture_output=True, check=True).stdout.decode()
    return [l for l in out.splitlines() if l.strip()]


def check_json(pop3mon, cap, src, problems):
    name = os.path.basename(cap)[:-5]
    got, rc = events(pop3mon, cap)
    want, wrc = events(pop3mon, src)
    if rc != wrc:
        problems.append("%s: exit %d, unwrapped %d" % (name, rc, wrc))
    # the L2TP capture has two control frames first, the two-VNI one two
    # frames for each: their frame numbers differ
    drop = name.startswith("l2tp") or name.startswith("mixed") or "two-vni" in name
    g = [strip(e, drop) for e in got if e["event_type"] != "stats"]
    w = [strip(e, drop) for e in want if e["event_type"] != "stats"]
    if "two-vni" in name:
        # each VNI's session on its own is the unwrapped session
        for e in g + w:
            e.pop("timestamp", None)
            e.pop("flow_id", None)
        w = [e for e in w for _ in (0, 1)]
        key = lambda e: json.dumps(e, sort_keys=True)
        g, w = sorted(g, key=key), sorted(w, key=key)
    if g != w:
        for i, (a, b) in enumerate(zip(g, w)):
            if a != b:
                problems.append("%s: record %d differs:\n  got  %s\n  want %s" % (name, i + 1, a, b))
                break
        else:
            problems.append("%s: %d records, unwrapped %d" % (name, len(g), len(w)))
    sess = [e for e in got if e["event_type"] != "stats"]
    if not sess:
        problems.append("%s: no session records" % name)
    kind = kind_of(name)
    if "vlan" in name and any(e.get("vlan") != [42] for e in sess):
        problems.append("%s: a record without the inner frame's VLAN 42" % name)
    for e in sess:
        t = e.get("tunnel")
        if kind is None and t is None:
            continue
        if not t or t.get("type") != kind:
            problems.append("%s: record without tunnel %r: %s" % (name, kind, t))
            break
    return got


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    pop3mon = sys.argv[1]
    problems = []
    caps = sorted(glob.glob(DIR + "/*.pcap"))
    srcs = {c: open(c[:-5] + ".src").read().strip() for c in caps if os.path.exists(c[:-5] + ".src")}
    if len(srcs) < 15:
        problems.append("only %d wrapped captures in %s" % (len(srcs), DIR))
    have_tshark = shutil.which("tshark") is not None
    if not have_tshark:
        print("SKIP tshark comparison: tshark not installed")
    tmp = tempfile.mkdtemp()
    ncut = 0
    for cap, src in sorted(srcs.items()):
        before = len(problems)
        got = check_json(pop3mon, cap, src, problems)
        ncut += check_snaplen(pop3mon, cap, src, problems, tmp)
        if have_tshark and "two-vni" not in cap:
            a, b = tshark_pop(cap), tshark_pop(src)
            if not b:
                problems.append("%s: tshark sees no POP in %s" % (cap, src))
            elif a != b:
                problems.append("%s: tshark's POP differs from the unwrapped capture's "
                                "(%d vs %d lines)" % (cap, len(a), len(b)))
        if "two-vni" in cap:
            ids = {}
            for e in got:
                if "flow_id" in e:
                    ids.setdefault(e["flow_id"], set()).add(e["tunnel"]["id"])
            if sorted(tuple(v) for v in ids.values()) != [(100,), (200,)]:
                problems.append("%s: want two sessions, VNI 100 and 200; got %s" % (cap, ids))
        print("%s %s" % ("PASS" if len(problems) == before else "FAIL", cap))
    shutil.rmtree(tmp)
    print("snap length 96 inside tunnels: %d wrapped captures cut and compared" % ncut)
    if ncut < 12:
        problems.append("snap length: only %d wrapped captures compared" % ncut)
    # malformed outer headers: counted, skipped, never a crash
    ev, _ = events(pop3mon, DIR + "/malformed-tunnels.pcap")
    dec = ev[-1]["stats"]["decoder"]
    want = {"tunnel_invalid": 8, "tunnel_too_deep": 1, "ok": 1, "tunnel_ipip": 8,
            "tunnel_vxlan": 2, "tunnel_geneve": 1, "tunnel_mpls": 1, "tunnel_pppoe": 1,
            "tunnel_gtpu": 1, "tunnel_l2tp": 1, "tunnel_erspan2": 1}
    bad = {k: (dec.get(k), v) for k, v in want.items() if dec.get(k) != v}
    print("%s %s/malformed-tunnels.pcap" % ("FAIL" if bad else "PASS", DIR))
    if bad:
        problems.append("malformed-tunnels: counters (got, want): %s" % bad)
    # frame numbers under a filter: the file's, on both reader paths
    mixed = DIR + "/mixed-dovecot-curl.pcap"
    before = len(problems)
    plain = [strip(e, False) for e in events(pop3mon, mixed)[0] if e["event_type"] != "stats"]
    filt = [strip(e, False) for e in events(pop3mon, mixed, "tcp port 110")[0]
            if e["event_type"] != "stats"]
    with open(mixed, "rb") as f:
        piped = [strip(e, False) for e in events(pop3mon, "-", "tcp port 110", f)[0]
                 if e["event_type"] != "stats"]
    # options after the expression are options (as tcpdump on Linux)
    p = subprocess.run([pop3mon, "-r", mixed, "tcp", "port", "110", "--json", "-", "-n"],
                       capture_output=True)
    after = [strip(json.loads(l), False) for l in p.stdout.decode().splitlines() if l.strip()]
    after = [e for e in after if e["event_type"] != "stats"]
    if p.returncode not in (0, 1) or not after or after != filt:
        problems.append("%s: '-r F tcp port 110 --json - -n': exit %d, %d records" %
                        (mixed, p.returncode, len(after)))
    if not plain or filt != plain:
        problems.append("%s: records under 'tcp port 110' differ from the unfiltered run" % mixed)
    if piped != plain:
        problems.append("%s: records from stdin under 'tcp port 110' differ" % mixed)
    ours = set()
    for e in filt:
        if e["event_type"] == "pop3":
            for part in ("request", "response"):
                if e["pop3"].get(part, {}).get("frame"):
                    ours.add(e["pop3"][part]["frame"])
    if have_tshark:
        out = subprocess.run(["tshark", "-r", mixed, "-Y", "pop", "-T", "fields", "-e", "frame.number"],
                             capture_output=True, check=True).stdout.decode()
        theirs = {int(x) for x in out.split()}
        if len(ours) < 8 or not ours <= theirs:
            problems.append("%s: POP3 frames %s, tshark's %s" % (mixed, sorted(ours), sorted(theirs)))
    print("%s frame numbers under a BPF filter (%s)" % ("PASS" if len(problems) == before else "FAIL", mixed))
    for p in problems:
        print("  " + p)
    print("tunnels: %s" % ("FAIL" if problems else "PASS"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
