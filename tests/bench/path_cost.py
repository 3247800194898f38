#!/usr/bin/env python3
"""Instructions per frame by path: crafts small captures that differ only in
the number of frames of one kind, runs pop3mon on each under callgrind
(report and JSON to /dev/null, as make bench runs it) and divides the
difference in instructions by the difference in frames, so start-up and
end cost cancel out.

  pure ACK       a client ACK with no payload, acknowledging a body segment
  command/reply  an in-order data segment outside a body: a client NOOP and
                 the server's +OK in a segment of its own (one transaction
                 each, so this path carries the transaction's events)
  body segment   a 1448-byte segment of a RETR body (~70-character lines)

usage: path_cost.py [POP3MON] [--keep DIR] [--profile CAPTURE]...
Prints instructions per frame, all threads and per thread (each thread is
named by what it runs: main, reader, sinks).  With --profile, also each
capture's instructions per frame per thread and each thread's five
costliest functions (self cost).  Needs valgrind.  Instruction counts do
not move with the machine's load, unlike times.
"""
import glob
import os
import re
import struct
import subprocess
import sys
import tempfile

MSS = 1448


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


class Conn:
    cmac, smac = bytes.fromhex("024200000001"), bytes.fromhex("001b21000002")
    cip, sip = bytes([198, 18, 0, 1]), bytes([192, 0, 2, 10])
    cport, sport = 40001, 110

    def __init__(self):
        self.cseq, self.sseq = 1000, 5000000
        self.frames = []
        self.t = 1709280000 * 1000000

    def frame(self, from_srv, flags, payload=b""):
        src, dst = (self.sip, self.cip) if from_srv else (self.cip, self.sip)
        sp, dp = (self.sport, self.cport) if from_srv else (self.cport, self.sport)
        seq = self.sseq if from_srv else self.cseq
        ack = self.cseq if from_srv else self.sseq
        tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, ack if flags & 0x10 else 0, 5 << 4, flags,
                          65535, 0, 0) + payload
        ph = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", csum(ph + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        eth = (self.cmac + self.smac if from_srv else self.smac + self.cmac) + b"\x08\x00"
        self.frames.append(eth + ip + tcp)
        n = len(payload) + (1 if flags & 0x03 else 0)
        if from_srv:
            self.sseq = (self.sseq + n) & 0xFFFFFFFF
        else:
            self.cseq = (self.cseq + n) & 0xFFFFFFFF

    def cmd(self, text):
        self.frame(0, 0x18, text)

    def reply(self, text):
        self.frame(1, 0x18, text)


BODY_LINE = b"the quarterly report is attached, please review the figures by Thursday\r\n"


def session(noops, body_segs, acks):
    c = Conn()
    c.frame(0, 0x02)
    c.frame(1, 0x12)
    c.frame(0, 0x10)
    c.reply(b"+OK Dovecot ready.\r\n")
    c.cmd(b"USER anna\r\n")
    c.reply(b"+OK\r\n")
    c.cmd(b"PASS secret\r\n")
    c.reply(b"+OK Logged in.\r\n")
    for _ in range(noops):
        c.cmd(b"NOOP\r\n")
        c.reply(b"+OK\r\n")
    per = len(BODY_LINE)
    body = BODY_LINE * ((body_segs * MSS) // per + 1)
    body = body[:body_segs * MSS]
    body = body[:body.rfind(b"\r\n") + 2] if body_segs else b""
    size = len(body)
    c.cmd(b"RETR 1\r\n")
    c.reply(b"+OK %d octets\r\n" % size)
    for i in range(0, size, MSS):
        c.frame(1, 0x10, body[i:i + MSS])
        if acks:
            c.frame(0, 0x10)
    c.reply(b".\r\n")
    c.cmd(b"QUIT\r\n")
    c.reply(b"+OK Logging out.\r\n")
    c.frame(1, 0x11)
    c.frame(0, 0x11)
    c.frame(1, 0x10)
    return c.frames


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        t = 1709280000 * 1000000
        for fr in frames:
            t += 50
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(fr), len(fr)))
            f.write(fr)


def thread_name(fn):
    """callgrind numbers threads in start order; name them by their code"""
    txt = open(fn, errors="replace").read()
    if "reader_direct" in txt or "frame_prepare" in txt or re.search(r"fn=.*\breader\b", txt):
        return "reader"
    if re.search(r"fn=.*\bconsumer\b", txt):
        return "sinks"
    if re.search(r"-0*1$", fn):
        return "main"
    return "thread" + fn.rsplit("-", 1)[1]


def count_frames(path):
    n = 0
    with open(path, "rb") as f:
        hdr = f.read(24)
        bo = "<" if struct.unpack_from("<I", hdr)[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        while True:
            h = f.read(16)
            if len(h) < 16:
                return n
            f.seek(struct.unpack_from(bo + "I", h, 8)[0], 1)
            n += 1


def top_functions(fn, k=5):
    out = subprocess.run(["callgrind_annotate", "--auto=no", fn], capture_output=True,
                         text=True).stdout
    by = {}
    for ln in out.splitlines():
        m = re.match(r"\s*([\d,]+) \(\s*([\d.]+)%\)\s+(\S+)", ln)
        if m and "PROGRAM" not in ln:
            # one function inlined from several files: one row
            name = re.sub(r"\.(lto_priv|part|constprop|isra)\.\d+", "", m.group(3).split(":")[-1])
            ir, pct = by.get(name, (0, 0.0))
            by[name] = (ir + int(m.group(1).replace(",", "")), pct + float(m.group(2)))
    rows = sorted(((ir, pct, name) for name, (ir, pct) in by.items()), reverse=True)
    return rows[:k]


def irs(pop3mon, pcap, tmp, keep_files=False):
    out = os.path.join(tmp, "cg.out")
    for old in glob.glob(out + "*"):
        os.unlink(old)
    subprocess.run(["valgrind", "--tool=callgrind", "--separate-threads=yes",
                    "--callgrind-out-file=" + out, pop3mon, "-r", pcap, "--report",
                    "--json", "/dev/null"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    per = {}
    for fn in sorted(glob.glob(out + "-*")):
        tot = None
        for ln in open(fn, errors="replace"):
            if ln.startswith("totals:") or ln.startswith("summary:"):
                tot = int(ln.split()[1])
        if tot is not None:
            name = thread_name(fn)
            per[name] = (tot, top_functions(fn)) if keep_files else tot
    if not per:
        sys.exit("path_cost: callgrind gave no output for %s" % pcap)
    return per


def main():
    args = sys.argv[1:]
    keep = None
    profile = []
    while "--profile" in args:
        i = args.index("--profile")
        profile.append(args[i + 1])
        del args[i:i + 2]
    if "--keep" in args:
        i = args.index("--keep")
        keep = args[i + 1]
        del args[i:i + 2]
    pop3mon = args[0] if args else "./pop3mon"
    if not os.access(pop3mon, os.X_OK):
        sys.exit("path_cost: %s not built" % pop3mon)
    tmp = keep or tempfile.mkdtemp(prefix="pop3path.")
    os.makedirs(tmp, exist_ok=True)
    N = 2000
    caps = {
        "base": session(N, N, False),
        "noop2": session(2 * N, N, False),
        "body2": session(N, 2 * N, False),
        "acks": session(N, N, True),
    }
    ir = {}
    for name, fr in caps.items():
        p = os.path.join(tmp, name + ".pcap")
        write_pcap(p, fr)
        ir[name] = (len(fr), irs(pop3mon, p, tmp))
    order = ["main", "reader", "sinks"]
    cols = sorted(ir["base"][1], key=lambda t: order.index(t) if t in order else 9)
    print("instructions per frame (callgrind Ir; %d-frame differences):" % N)
    print("  %-34s %8s   %s" % ("path", "total", "  ".join("%6s" % t for t in cols)))
    for label, name, frames in (("pure ACK", "acks", N),
                                ("command/reply (in-order data)", "noop2", 2 * N),
                                ("body segment (1448 bytes)", "body2", N)):
        n, per = ir[name]
        assert n - ir["base"][0] == frames, (name, n, ir["base"][0])
        d = {t: (per.get(t, 0) - ir["base"][1].get(t, 0)) / frames for t in per}
        print("  %-34s %8.0f   %s" % (label, sum(d.values()),
                                       "  ".join("%6.0f" % d.get(t, 0) for t in cols)))
    for cap in profile:
        n = count_frames(cap)
        per = irs(pop3mon, cap, tmp, keep_files=True)
        tot = sum(v[0] for v in per.values())
        print("%s: %d frames, %.0f instructions per frame (%s)" % (
              os.path.basename(cap), n, tot / n,
              ", ".join("%s %.0f" % (t, per[t][0] / n) for t in sorted(
                  per, key=lambda t: order.index(t) if t in order else 9))))
        for t in sorted(per, key=lambda t: order.index(t) if t in order else 9):
            print("  %-7s %s" % (t, "; ".join("%s %.1f%%" % (name, pct)
                                               for _, pct, name in per[t][1])))
    if not keep:
        for fn in glob.glob(os.path.join(tmp, "*")):
            os.unlink(fn)
        os.rmdir(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
