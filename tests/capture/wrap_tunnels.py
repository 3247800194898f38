#!/usr/bin/env python3
"""Wrap recorded POP3 sessions in each encapsulation pop3mon decodes.

Usage: wrap_tunnels.py [OUTDIR]        (default pcaps/tunnels; run from the top)

Reads Ethernet captures from pcaps/ (recorded on loopback by
tests/capture/record_*.sh) and writes, frame for frame with the same
timestamps, the same packets inside VXLAN (over IPv4 and IPv6, with an
inner VLAN tag), Geneve (Ethernet with an option, IP), GRE (IP, Ethernet,
MPLS; checksum/key/sequence fields), ERSPAN I, II and III, MPLS (IP and a
pseudowire with Ethernet), PPPoE, IPv4/IPv6 in IPv4/IPv6, L2TPv2 with PPP
(length/sequence fields, offset field, compressed PPP), GTP-U with and
without an extension header, GRE carrying VXLAN, and the same session
twice in two VXLAN VNIs. Each NAME.pcap gets NAME.txns / NAME.findings:
symbolic links to the unwrapped capture's hand-reviewed expected files
(two-VNI: those rows once per session), so tests/e2e/check_captures.py
checks that a wrapped session gives exactly the unwrapped one's
transactions and findings. NAME.src names the unwrapped capture (for
tests/e2e/tunnels.py). malformed-tunnels.pcap holds outer headers that are
cut or lie, and a five-deep nest; its expected decoder counters are in
tests/e2e/tunnels.py.

Python standard library only. Outer addresses are documentation ones
(192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32); nothing is sent anywhere.
"""
import os
import struct
import sys

SRC = {
    "stat": "pcaps/bad/stat-list-count.pcap",
    "curl": "pcaps/real/dovecot-curl.pcap",
    "ipv6": "pcaps/real/dovecot-ipv6.pcap",
}
VTEP_A, VTEP_B = bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])
PE_A, PE_B = bytes([198, 51, 100, 1]), bytes([198, 51, 100, 2])
V6_A = bytes.fromhex("20010db8000000000000000000000001")
V6_B = bytes.fromhex("20010db8000000000000000000000002")
MAC_A, MAC_B = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise SystemExit("%s: not a classic pcap file" % path)
    lt = struct.unpack(e + "I", data[20:24])[0]
    if lt != 1:
        raise SystemExit("%s: link type %d, want Ethernet" % (path, lt))
    off, frames = 24, []
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        frames.append((sec, frac, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return magic, e, frames


def write_pcap(path, magic, e, frames):
    with open(path, "wb") as f:
        f.write(magic + struct.pack(e + "HHiIII", 2, 4, 0, 0, 262144, 1))
        for sec, frac, fr in frames:
            f.write(struct.pack(e + "IIII", sec, frac, len(fr), len(fr)) + fr)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(src, dst, proto, payload, ident=0):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto, 0,
                    src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def ipv6(src, dst, nh, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, 64, src, dst) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def eth(et, payload, a=MAC_A, b=MAC_B):
    return b + a + struct.pack("!H", et) + payload


def inner_ip(fr):
    """The IP packet of an Ethernet frame (no VLAN in these recordings)."""
    et = struct.unpack("!H", fr[12:14])[0]
    assert et in (0x0800, 0x86DD), et
    return et, fr[14:]


class Dir:
    """Which way a frame goes: the first frame (a SYN) is the client's."""

    def __init__(self, frames):
        self.cli = self.key(frames[0][2])

    @staticmethod
    def key(fr):
        et, ip = inner_ip(fr)
        if et == 0x0800:
            hl = (ip[0] & 15) * 4
            return ip[12:16], ip[hl:hl + 2]
        return ip[8:24], ip[40:42]

    def c2s(self, fr):
        return self.key(fr) == self.cli


def outer_v4(c2s, proto, payload, a=VTEP_A, b=VTEP_B):
    src, dst = (a, b) if c2s else (b, a)
    return eth(0x0800, ipv4(src, dst, proto, payload))


def gre_hdr(proto, key=None, seq=None, with_csum=False, body=b""):
    flags = (0x8000 if with_csum else 0) | (0x2000 if key is not None else 0) | \
        (0x1000 if seq is not None else 0)
    h = struct.pack("!HH", flags, proto)
    opt = b""
    if with_csum:
        opt += b"\0\0\0\0"
    if key is not None:
        opt += struct.pack("!I", key)
    if seq is not None:
        opt += struct.pack("!I", seq)
    pkt = h + opt + body
    if with_csum:
        c = csum(pkt)
        pkt = pkt[:4] + struct.pack("!H", c) + pkt[6:]
    return pkt


def vxlan(vni, fr, sport=49152):
    return udp(sport, 4789, struct.pack("!BBBBI", 0x08, 0, 0, 0, vni << 8) + fr)


# ---- one function per encapsulation: (frame, index, c2s) -> outer frame ----

def w_vxlan(fr, i, c2s, vni=100):
    return outer_v4(c2s, 17, vxlan(vni, fr, 49152 + (i % 7)))


def w_geneve(fr, i, c2s):
    # one 8-byte option (class 0x0102, type 0x80, 4 bytes of data): skipped by length
    opt = struct.pack("!HBB", 0x0102, 0x80, 1) + b"\xde\xad\xbe\xef"
    hdr = struct.pack("!BBHI", len(opt) // 4, 0, 0x6558, 0x001234 << 8)
    return outer_v4(c2s, 17, udp(50000 + (i % 5), 6081, hdr + opt + fr))


def w_gre(fr, i, c2s):
    et, ip = inner_ip(fr)
    return outer_v4(c2s, 47, gre_hdr(et, key=7, seq=i, with_csum=True, body=ip))


def w_gre_eth(fr, i, c2s):
    return outer_v4(c2s, 47, gre_hdr(0x6558, key=42, body=fr))


def w_erspan2(fr, i, c2s):
    hdr = struct.pack("!HHI", (1 << 12) | 10, 0x0000 | 33, 0)  # ver 1, vlan 10, session 33
    return outer_v4(c2s, 47, gre_hdr(0x88BE, seq=i, body=hdr + fr), PE_A, PE_B)


def w_erspan3(fr, i, c2s):
    # ver 2, session 44, timestamp, SGT 0, then P/FT 0/HW id/D/Gra/O=1 and an 8-byte subheader
    hdr = struct.pack("!HHIHH", (2 << 12), 44, 0x01020304 + i, 0, 0x0001) + b"\0" * 8
    return outer_v4(c2s, 47, gre_hdr(0x22EB, seq=i, body=hdr + fr), PE_A, PE_B)


def mpls_stack(labels):
    out = b""
    for n, lab in enumerate(labels):
        bos = 1 if n == len(labels) - 1 else 0
        out += struct.pack("!I", (lab << 12) | (bos << 8) | 64)
    return out


def w_mpls(fr, i, c2s):
    et, ip = inner_ip(fr)
    labels = [1001, 2001] if c2s else [1002, 2002]  # labels differ by direction
    return eth(0x8847, mpls_stack(labels) + ip)


def w_mpls_pw(fr, i, c2s):
    return eth(0x8847, mpls_stack([3001 if c2s else 3002]) + b"\0\0\0\0" + fr)


def w_pppoe(fr, i, c2s):
    et, ip = inner_ip(fr)
    ppp = struct.pack("!H", 0x0021 if et == 0x0800 else 0x0057) + ip
    hdr = struct.pack("!BBHH", 0x11, 0, 0x0bad, len(ppp))
    return eth(0x8864, hdr + ppp, *((MAC_A, MAC_B) if c2s else (MAC_B, MAC_A)))


def w_ipip(fr, i, c2s):
    et, ip = inner_ip(fr)
    return outer_v4(c2s, 4 if et == 0x0800 else 41, ip)


def w_ipip6(fr, i, c2s):
    et, ip = inner_ip(fr)
    src, dst = (V6_A, V6_B) if c2s else (V6_B, V6_A)
    return eth(0x86DD, ipv6(src, dst, 4 if et == 0x0800 else 41, ip))


def w_l2tp(fr, i, c2s):
    et, ip = inner_ip(fr)
    proto = 0x0021 if et == 0x0800 else 0x0057
    if c2s:   # the LAC: length and sequence fields, PPP address/control field
        ppp = b"\xff\x03" + struct.pack("!H", proto) + ip
        hdr_len = 12
        hdr = struct.pack("!HHHHHH", 0x4802, hdr_len + len(ppp), 5, 9, i, 0)
        return outer_v4(c2s, 17, udp(1701, 1701, hdr + ppp))
    # the LNS: no optional fields, compressed PPP protocol field, other ids
    ppp = bytes([proto & 0xFF]) + ip
    return outer_v4(c2s, 17, udp(1701, 1701, struct.pack("!HHH", 0x0002, 6, 11) + ppp))


def l2tp_extra():
    """Frames a real L2TP capture has besides data: a control message (ZLB
    ack) and an LCP echo request, both to be skipped."""
    zlb = udp(1701, 1701, struct.pack("!HHHHHH", 0xC802, 12, 5, 0, 1, 1))
    lcp = udp(1701, 1701, struct.pack("!HHH", 0x0002, 6, 11) + b"\xff\x03\xc0\x21" +
              struct.pack("!BBHI", 9, 1, 8, 0))
    return [outer_v4(True, 17, zlb), outer_v4(False, 17, lcp)]


def w_gtpu(fr, i, c2s):
    et, ip = inner_ip(fr)
    # E flag: sequence/N-PDU/next-ext, then a PDU session container (0x85, 1 unit)
    ext = struct.pack("!HBB", i, 0, 0x85) + struct.pack("!BBBB", 1, 0x10, 0x05, 0)
    body = ext + ip
    teid = 0x1000 if c2s else 0x2000  # each receiver picks its TEID
    hdr = struct.pack("!BBHI", 0x34, 255, len(body), teid)
    return outer_v4(c2s, 17, udp(2152, 2152, hdr + body), PE_A, PE_B)


def w_vxlan6(fr, i, c2s):
    # VXLAN over IPv6, with the UDP checksum IPv6 wants (RFC 8200 s8.1)
    src, dst = (V6_A, V6_B) if c2s else (V6_B, V6_A)
    u = bytearray(vxlan(300, fr, 49152 + (i % 7)))
    pseudo = src + dst + struct.pack("!IxxxB", len(u), 17)
    u[6:8] = struct.pack("!H", csum(pseudo + bytes(u)) or 0xFFFF)
    return eth(0x86DD, ipv6(src, dst, 17, bytes(u)))


def w_gre_vxlan(fr, i, c2s):
    inner_outer = outer_v4(c2s, 17, vxlan(500, fr))  # an Ethernet frame: VTEP to VTEP
    et, ip = inner_ip(inner_outer)
    return outer_v4(c2s, 47, gre_hdr(0x0800, key=9, body=ip), PE_A, PE_B)


def w_erspan1(fr, i, c2s):
    # ERSPAN type I: GRE 0x88be without a sequence number, no ERSPAN header
    return outer_v4(c2s, 47, gre_hdr(0x88BE, body=fr), PE_A, PE_B)


def w_gre_mpls(fr, i, c2s):
    et, ip = inner_ip(fr)
    return outer_v4(c2s, 47, gre_hdr(0x8847, body=mpls_stack([4001 if c2s else 4002]) + ip))


def w_geneve_ip(fr, i, c2s):
    et, ip = inner_ip(fr)  # no options, the IP packet straight after the header
    return outer_v4(c2s, 17, udp(50001, 6081, struct.pack("!BBHI", 0, 0, et, 77 << 8) + ip))


def w_gtpu_plain(fr, i, c2s):
    et, ip = inner_ip(fr)  # no optional fields
    hdr = struct.pack("!BBHI", 0x30, 255, len(ip), 0x3000 if c2s else 0x4000)
    return outer_v4(c2s, 17, udp(2152, 2152, hdr + ip), PE_A, PE_B)


def w_l2tp_offset(fr, i, c2s):
    et, ip = inner_ip(fr)  # the O flag: an offset size and that many pad bytes
    ppp = b"\xff\x03\x00\x21" + ip
    hdr = struct.pack("!HHHH", 0x0202, 5, 9, 3) + b"\0\0\0"
    return outer_v4(c2s, 17, udp(1701, 1701, hdr + ppp))


def w_vxlan_vlan(fr, i, c2s):
    # the inner frame carries an 802.1Q tag (VLAN 42)
    tagged = fr[:12] + struct.pack("!HH", 0x8100, 42) + fr[12:]
    return outer_v4(c2s, 17, vxlan(600, tagged, 49152 + (i % 7)))


WRAPS = [  # output name, source, function
    ("vxlan-stat-list-count", "stat", w_vxlan),
    ("geneve-dovecot-curl", "curl", w_geneve),
    ("gre-stat-list-count", "stat", w_gre),
    ("gre-eth-dovecot-curl", "curl", w_gre_eth),
    ("erspan2-stat-list-count", "stat", w_erspan2),
    ("erspan3-dovecot-curl", "curl", w_erspan3),
    ("mpls-stat-list-count", "stat", w_mpls),
    ("mpls-pw-dovecot-curl", "curl", w_mpls_pw),
    ("pppoe-dovecot-curl", "curl", w_pppoe),
    ("pppoe-dovecot-ipv6", "ipv6", w_pppoe),
    ("ipip-stat-list-count", "stat", w_ipip),
    ("6in4-dovecot-ipv6", "ipv6", w_ipip),
    ("ipip6-dovecot-curl", "curl", w_ipip6),
    ("ip6ip6-dovecot-ipv6", "ipv6", w_ipip6),
    ("vxlan6-dovecot-ipv6", "ipv6", w_vxlan6),
    ("l2tp-dovecot-curl", "curl", w_l2tp),
    ("gtpu-stat-list-count", "stat", w_gtpu),
    ("gre-vxlan-stat-list-count", "stat", w_gre_vxlan),
    ("erspan1-dovecot-curl", "curl", w_erspan1),
    ("gre-mpls-dovecot-curl", "curl", w_gre_mpls),
    ("geneve-ip-stat-list-count", "stat", w_geneve_ip),
    ("gtpu-plain-dovecot-curl", "curl", w_gtpu_plain),
    ("l2tp-offset-stat-list-count", "stat", w_l2tp_offset),
    ("vxlan-vlan-dovecot-curl", "curl", w_vxlan_vlan),
]


def malformed(frames):
    """Outer headers that are cut or lie, one of each kind, plus too deep a
    nest; tests/e2e/tunnels.py knows the counters they must give."""
    fr = frames[3][2]
    et, ip = inner_ip(fr)
    bad = [
        outer_v4(True, 17, udp(1, 4789, b"\x08\0\0")),                   # VXLAN cut
        outer_v4(True, 17, udp(1, 4789, struct.pack("!BBBBI", 0, 0, 0, 0, 1 << 8) + fr)),  # no I flag
        outer_v4(True, 17, udp(1, 6081, struct.pack("!BBHI", 0x40, 0, 0x6558, 0) + fr)),  # Geneve v1
        outer_v4(True, 47, gre_hdr(0x88BE, seq=1, body=struct.pack("!HHI", 7 << 12, 1, 0) + fr)),  # ERSPAN bad ver
        eth(0x8847, mpls_stack([1] * 9)[:-4] + struct.pack("!I", 1 << 12) + ip),  # no bottom in 9
        eth(0x8864, struct.pack("!BBHH", 0x11, 0, 1, 2000) + b"\x00\x21" + ip),  # PPPoE length lies
        outer_v4(True, 17, udp(2152, 2152, struct.pack("!BBHI", 0x34, 255, 8 + len(ip), 1) +
                               struct.pack("!HBB", 0, 0, 0x85) + b"\x00\x10\x05\x00" + ip)),  # ext len 0
        outer_v4(True, 17, udp(1701, 1701, struct.pack("!HHHHH", 0x4002, 3, 5, 9, 0) + ip)),  # L2TP length < header
    ]
    deep = ip
    for _ in range(5):  # five IP-in-IP layers: one past the limit of four
        deep = ipv4(VTEP_A, VTEP_B, 4, deep)
    bad.append(eth(0x0800, deep))
    ok4 = ip
    for _ in range(3):  # three layers under the first: four in all, decoded
        ok4 = ipv4(VTEP_A, VTEP_B, 4, ok4)
    bad.append(eth(0x0800, ipv4(PE_A, PE_B, 4, ok4)))
    sec, frac = frames[0][0], frames[0][1]
    return [(sec, frac + n, b) for n, b in enumerate(bad)]


def expected_link(out, base, src):
    stem = src.rsplit(".", 1)[0]
    for ext in ("txns", "findings"):
        dst = os.path.join(out, base + "." + ext)
        if os.path.lexists(dst):
            os.remove(dst)
        os.symlink(os.path.relpath(stem + "." + ext, out), dst)
    with open(os.path.join(out, base + ".src"), "w") as f:
        f.write(src + "\n")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "pcaps/tunnels"
    os.makedirs(out, exist_ok=True)
    srcs = {k: read_pcap(v) for k, v in SRC.items()}
    for name, sk, fn in WRAPS:
        magic, e, frames = srcs[sk]
        d = Dir(frames)
        wrapped = [(s, fr_, fn(f, i, d.c2s(f))) for i, (s, fr_, f) in enumerate(frames)]
        if fn is w_l2tp:
            s0, f0 = frames[0][0], frames[0][1]
            wrapped = [(s0, f0, x) for x in l2tp_extra()] + wrapped
        write_pcap(os.path.join(out, name + ".pcap"), magic, e, wrapped)
        expected_link(out, name, SRC[sk])
    # the same session in two VNIs, frames interleaved: two sessions
    magic, e, frames = srcs["stat"]
    d = Dir(frames)
    two = []
    for i, (s, fr_, f) in enumerate(frames):
        for vni in (100, 200):
            two.append((s, fr_, w_vxlan(f, i, d.c2s(f), vni)))
    name = "vxlan-two-vni-stat-list-count"
    write_pcap(os.path.join(out, name + ".pcap"), magic, e, two)
    stem = SRC["stat"].rsplit(".", 1)[0]
    for ext in ("txns", "findings"):
        rows = [l.rstrip("\n").split("\t") for l in open(stem + "." + ext)
                if l.strip() and not l.startswith("#")]
        with open(os.path.join(out, name + "." + ext), "w") as f:
            f.write("# %s.%s's rows, once per VNI (written by wrap_tunnels.py)\n" % (stem, ext))
            for sess in (1, 2):
                for r in rows:
                    f.write("\t".join([str(sess)] + r[1:]) + "\n")
    with open(os.path.join(out, name + ".src"), "w") as f:
        f.write(SRC["stat"] + "\n")
    write_pcap(os.path.join(out, "malformed-tunnels.pcap"), magic, e, malformed(frames))
    # not a tunnel: the session among other traffic, for frame numbers under
    # a BPF filter (tests/e2e/tunnels.py compares them with tshark's)
    magic, e, frames = srcs["curl"]
    mixed = []
    for i, (s_, fr_, f) in enumerate(frames):
        if i % 3 != 1:
            dns = udp(5353, 5353, b"\0\0\x84\0\0\0\0\0\0\0\0\0")
            mixed.append((s_, fr_, eth(0x0800, ipv4(PE_A, bytes([224, 0, 0, 251]), 17, dns))))
        mixed.append((s_, fr_, f))
    name = "mixed-dovecot-curl"
    write_pcap(os.path.join(out, name + ".pcap"), magic, e, mixed)
    expected_link(out, name, SRC["curl"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
