#!/usr/bin/env python3
"""Write pcaps/detect/junk.pcap: the one packet of issue 19, from port 110,
every TCP flag set (FIN SYN RST PSH ACK URG ECE CWR) and HTTP text as its
payload. Built byte by byte (Ethernet, IPv4, TCP with correct checksums),
so the file is the same on every run."""
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "pcaps/detect/junk.pcap"
    src, dst = bytes([192, 0, 2, 110]), bytes([198, 51, 100, 7])
    payload = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n"
               b"<b>hello</b>\n")
    tcp = struct.pack("!HHIIBBHHH", 110, 40000, 1000, 2000, 5 << 4, 0xFF, 8192, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
    c = csum(pseudo + tcp + payload)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 1, 0x4000, 64, 6, 0,
                     src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    frame = eth + ip + tcp + payload
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        f.write(struct.pack("<IIII", 1767225600, 0, len(frame), len(frame)))
        f.write(frame)
    print("wrote " + out)


if __name__ == "__main__":
    main()
