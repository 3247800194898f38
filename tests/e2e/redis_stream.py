#!/usr/bin/env python3
"""Helpers for tests/e2e/redis.sh and tests/bench/publish_bench.sh (a few
lines of RESP over a socket: no client library to install).

  redis_stream.py dump PORT KEY [SENSOR]   the events of each entry (its JSON lines), in order
  redis_stream.py count PORT KEY           the events in the stream (the sum of the entries' n)
  redis_stream.py check PORT KEY           entries well formed, seq per (sensor, run)
                                           strictly increasing: prints "sensors N dups D gaps G"
  redis_stream.py slowcat FILE SECONDS     a classic pcap to stdout, records spread over SECONDS
"""
import socket
import sys
import time


class Resp:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", int(port)))
        self.f = self.s.makefile("rb")

    def cmd(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)
        return self.read()

    def read(self):
        line = self.f.readline()[:-2]
        t, rest = line[:1], line[1:]
        if t in (b"+", b":"):
            return rest.decode()
        if t == b"-":
            raise RuntimeError(rest.decode())
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data.decode()
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RuntimeError("bad reply %r" % line)


def entries(port, key):
    r = Resp(port)
    start = "-"
    while True:
        batch = r.cmd("XRANGE", key, start, "+", "COUNT", "1000")
        for eid, fields in batch:
            yield eid, dict(zip(fields[0::2], fields[1::2]))
        if len(batch) < 1000:
            return
        start = "(" + batch[-1][0]


def main():
    cmd = sys.argv[1]
    if cmd == "dump":
        want = sys.argv[4] if len(sys.argv) > 4 else None
        for _, d in entries(sys.argv[2], sys.argv[3]):
            if want is None or d["sensor"] == want:
                lines = d["events"].split("\n")
                assert len(lines) == int(d["n"]), "n %s, %d lines" % (d["n"], len(lines))
                print("\n".join(lines))
    elif cmd == "count":
        print(sum(int(d["n"]) for _, d in entries(sys.argv[2], sys.argv[3])))
    elif cmd == "check":
        last, dups, gaps = {}, 0, 0
        for _, d in entries(sys.argv[2], sys.argv[3]):
            k = (d["sensor"], d["run"])
            s, n = int(d["seq"]), int(d["n"])
            prev = last.get(k, 0)
            if s <= prev:
                dups += 1
            elif s != prev + 1:
                gaps += 1
            last[k] = max(prev, s + n - 1)
        print("sensors %d dups %d gaps %d" % (len({k[0] for k in last}), dups, gaps))
    elif cmd == "slowcat":
        data = open(sys.argv[2], "rb").read()
        secs = float(sys.argv[3])
        out = sys.stdout.buffer
        out.write(data[:24])
        le = data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
        recs, off = [], 24
        while off + 16 <= len(data):
            incl = int.from_bytes(data[off + 8:off + 12], "little" if le else "big")
            recs.append(data[off:off + 16 + incl])
            off += 16 + incl
        steps = 40
        per = max(1, len(recs) // steps)
        for i in range(0, len(recs), per):
            out.write(b"".join(recs[i:i + per]))
            out.flush()
            time.sleep(secs / steps)
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
