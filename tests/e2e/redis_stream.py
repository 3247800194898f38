#!/usr/bin/env python3
"""Helpers for tests/e2e/redis.sh (redis-cli only, no client library).

  redis_stream.py dump PORT KEY [SENSOR]   the "event" field of each entry, in order
  redis_stream.py check PORT KEY           entries well formed, seq per (sensor, run)
                                           strictly increasing: prints "sensors N dups D gaps G"
  redis_stream.py slowcat FILE SECONDS     a classic pcap to stdout, records spread over SECONDS
"""
import subprocess
import sys
import time


def entries(port, key):
    out = subprocess.run(["redis-cli", "-p", port, "--raw", "XRANGE", key, "-", "+"],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    i = 0
    while i + 8 < len(out):
        f = out[i + 1:i + 9]
        yield out[i], dict(zip(f[0::2], f[1::2]))
        i += 9


def main():
    cmd = sys.argv[1]
    if cmd == "dump":
        want = sys.argv[4] if len(sys.argv) > 4 else None
        for _, d in entries(sys.argv[2], sys.argv[3]):
            if want is None or d["sensor"] == want:
                print(d["event"])
    elif cmd == "check":
        last, dups, gaps = {}, 0, 0
        for _, d in entries(sys.argv[2], sys.argv[3]):
            k = (d["sensor"], d["run"])
            s = int(d["seq"])
            prev = last.get(k, 0)
            if s <= prev:
                dups += 1
            elif s != prev + 1:
                gaps += 1
            last[k] = max(prev, s)
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
