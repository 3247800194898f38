#!/usr/bin/env python3
"""Reassembly check: the bytes pop3mon hands the dissector for each flow
(--streams-dir) must equal tshark's `follow,tcp,raw` of the same stream,
byte for byte, each way. Run on recorded captures and on a generated
capture with reordering, retransmission and duplication (tests/bench
generator, 2 MB, fixed seed). Skips when tshark is absent.
Usage: streams_vs_tshark.py POP3MON
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

CAPS = ["pcaps/zeek/pop3.pcap", "pcaps/real/dovecot-poplib-full.pcap",
        "pcaps/real/dovecot-veth-eth.pcap", "pcaps/real/dovecot-concurrent.pcap",
        "pcaps/real/dovecot-ipv6.pcap", "pcaps/real/dovecot-pcapng.pcapng",
        "pcaps/real/dovecot-any-sll2.pcap", "pcaps/real/dovecot-pipelined.pcap"]
MAX_STREAMS = 25


def tshark_streams(cap):
    """{(client ip, client port): (c2s bytes, s2c bytes)} for port-110 streams."""
    out = subprocess.run(["tshark", "-r", cap, "-T", "fields", "-e", "tcp.stream", "-Y",
                          "tcp.port == 110 && tcp.len > 0"], capture_output=True, text=True).stdout
    ids = sorted({int(x) for x in out.split()})[:MAX_STREAMS]
    args = ["tshark", "-r", cap, "-q"]
    for i in ids:
        args += ["-z", "follow,tcp,raw,%d" % i]
    text = subprocess.run(args, capture_output=True, text=True).stdout
    res, node0, node1, data = {}, None, None, None
    for line in text.splitlines():
        if line.startswith("Node 0: "):
            node0 = line[8:].strip()
            data = {0: bytearray(), 1: bytearray()}
        elif line.startswith("Node 1: "):
            node1 = line[8:].strip()
        elif line.startswith("====") and data is not None and node0:
            ep0 = node0.rsplit(":", 1)
            # node 0 is the first sender; the client is the side not on port 110
            if node1.rsplit(":", 1)[1] == "110":
                res[(ep0[0].strip("[]"), ep0[1])] = (bytes(data[0]), bytes(data[1]))
            else:
                ep1 = node1.rsplit(":", 1)
                res[(ep1[0].strip("[]"), ep1[1])] = (bytes(data[1]), bytes(data[0]))
            node0, data = None, None
        elif data is not None and node1 and line.strip():
            side = 1 if line.startswith("\t") else 0
            data[side] += bytes.fromhex(line.strip())
    return res


def pop3mon_streams(pop3mon, cap, d):
    out = subprocess.run([pop3mon, "-r", cap, "--streams-dir", d], capture_output=True,
                         text=True).stdout
    res = {}
    for line in out.splitlines():
        # flow ID CLI:PORT -> SRV:PORT ...
        f = line.split()
        fid, cli = f[1], f[2]
        ip, port = cli.rsplit(":", 1)
        def rd(ext):
            p = os.path.join(d, "%s.%s" % (fid, ext))
            return open(p, "rb").read() if os.path.exists(p) else b""
        res[(ip.strip("[]"), port)] = (rd("c2s"), rd("s2c"))
    return res


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    if not shutil.which("tshark"):
        print("streams: 0 passed, 0 failed, 1 skipped (no tshark)")
        return 0
    caps = list(CAPS)
    tmp = tempfile.mkdtemp()
    gen = "tests/bench/gen_pop3_pcap"
    if subprocess.run(["make", "-s", gen], capture_output=True).returncode == 0:
        g = os.path.join(tmp, "reordered.pcap")
        subprocess.run([gen, "-o", g, "-t", g + ".tsv", "-s", "2", "-S", "7", "-q"], check=True)
        caps.append(g)
    passed = failed = 0
    for cap in caps:
        d = tempfile.mkdtemp(dir=tmp)
        want, got = tshark_streams(cap), pop3mon_streams(sys.argv[1], cap, d)
        bad = []
        for key, (c2s, s2c) in want.items():
            mine = got.get(key)
            if mine is None:
                bad.append("%s: no flow" % (key,))
            elif mine != (c2s, s2c):
                bad.append("%s: c2s %d/%d bytes, s2c %d/%d bytes (pop3mon/tshark)" %
                           (key, len(mine[0]), len(c2s), len(mine[1]), len(s2c)))
        print("%s %s (%d streams compared)" % ("FAIL" if bad else "PASS", cap, len(want)))
        for b in bad[:5]:
            print("  " + b)
        failed += bool(bad)
        passed += not bad
    shutil.rmtree(tmp, ignore_errors=True)
    print("streams: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
