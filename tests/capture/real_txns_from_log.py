#!/usr/bin/env python3
"""Derive pcaps/real/NAME.txns (tests/FORMATS.md) from a client's own log.

Usage: real_txns_from_log.py KIND LOG [--pcap PCAP] [--complete-from-pcap]
       real_txns_from_log.py tshark PCAP

KIND:
  poplib     real_pop_client.py output (poplib set_debuglevel(2) markers):
             "### session N local=IP:PORT", "*welcome*", "*cmd* '...'",
             "*resp* b'...'" (status lines only; '+ ' is a SASL challenge),
             "### capture started" (drop what came before: not in capture).
  curl       curl -v: "> CMD" / "< reply"; status = first "<" after a ">".
  fetchmail  fetchmail -v: "POP3> CMD" / "POP3< reply", same rule.
  mpop       mpop --debug: "--> CMD" / "<-- reply"; mpop pipelines, so the
             replies are matched to a queue of commands, skipping the data
             lines of multi-line replies up to the "." line.
  tshark     no client log (getmail): tshark's POP dissector view of PCAP,
             one command per segment (fine for a client that never pipelines).

Sessions are numbered in the order of their first packet in the capture:
with --pcap, a log that names local ports is mapped through tshark's
tcp.stream numbering. --complete-from-pcap appends commands that the
capture shows after the last logged one (curl does not log its QUIT).
Secrets are redacted as FORMATS.md says.
"""
import ast
import re
import subprocess
import sys

MULTI_ALWAYS = {"CAPA", "RETR", "TOP"}


def is_multi(cmd, args):
    if cmd in ("LIST", "UIDL"):
        return args == ""
    return cmd in MULTI_ALWAYS


def redact(cmd, args):
    if cmd == "PASS":
        return "<redacted>"
    if cmd == "APOP":
        return args.split(" ")[0] + " <redacted>"
    if cmd == "AUTH":
        w = args.split(" ", 1)
        return w[0] + (" <redacted>" if len(w) > 1 and w[1] else "")
    return args


class Session:
    def __init__(self, key=None):
        self.key = key            # local port, when known
        self.txns = []            # [cmd, args, status]
        self.pending = []         # indexes into txns waiting for a status
        self.in_sasl = False      # last status was a '+ ' challenge
        self.stopped = False      # after STLS +OK: TLS, nothing more
        self.comments = []

    def greeting(self, line):
        self.txns.append(["(greeting)", "", status_of(line)])

    def command(self, text):
        if self.stopped:
            return
        if self.in_sasl:          # SASL response line, part of AUTH
            return
        w = text.split(" ", 1)
        cmd = w[0].upper()
        args = w[1] if len(w) > 1 else ""
        self.txns.append([cmd, redact(cmd, args), "none"])
        self.pending.append(len(self.txns) - 1)

    def status(self, line):
        """A status line; returns the command it answered (or None)."""
        if self.stopped or not self.pending:
            return None
        i = self.pending[0]
        if line.startswith("+ ") or line == "+":
            self.in_sasl = True
            return None
        self.in_sasl = False
        self.pending.pop(0)
        self.txns[i][2] = status_of(line)
        if self.txns[i][0] == "STLS" and self.txns[i][2] == "+OK":
            self.stopped = True
        return self.txns[i]

    def drop_before_now(self):
        self.comments.append("capture starts mid-session: %d earlier "
                             "transactions not in the capture" % len(self.txns))
        self.txns = []
        self.pending = []


def status_of(line):
    if line.startswith("+OK"):
        return "+OK"
    if line.startswith("-ERR"):
        return "-ERR"
    return "none"


def lit(s):
    try:
        v = ast.literal_eval(s.strip())
    except Exception:
        return s.strip()
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return v


def parse_poplib(lines):
    sessions = []
    cur = None
    for ln in lines:
        ln = ln.rstrip("\r\n")
        m = re.match(r"### session \d+ local=(.*):(\d+)$", ln)
        if m:
            cur = Session(int(m.group(2)))
            sessions.append(cur)
            continue
        if cur is None:
            continue
        if ln.startswith("### capture started"):
            cur.drop_before_now()
        elif ln.startswith("*welcome* "):
            cur.greeting(lit(ln[10:]))
        elif ln.startswith("*cmd* "):
            cur.command(lit(ln[6:]))
        elif ln.startswith("*resp* "):
            cur.status(lit(ln[7:]))
        elif ln.startswith("*reset*"):
            cur.comments.append("client closed with SO_LINGER 0 (RST) while "
                                "receiving the reply; the interrupted reply "
                                "keeps its status +OK (its first line arrived)")
    return sessions


def parse_lockstep(lines, send, recv, new_session):
    sessions = []
    cur = None
    expect = False           # a command is waiting for its first reply line
    for ln in lines:
        ln = ln.rstrip("\r\n")
        if new_session(ln):
            cur = Session()
            sessions.append(cur)
            expect = False
            continue
        if cur is None:
            continue
        if ln.startswith(send):
            cur.command(ln[len(send):])
            expect = True
        elif ln.startswith(recv):
            text = ln[len(recv):]
            if not cur.txns:
                cur.greeting(text)
            elif expect:
                cur.status(text)
                expect = False
    return sessions


def parse_mpop(lines):
    sessions = []
    cur = None
    data_for = None
    for ln in lines:
        ln = ln.rstrip("\r\n")
        if cur is None and ln.startswith("<-- "):
            cur = Session()
            sessions.append(cur)
            cur.greeting(ln[4:])
            continue
        if cur is None:
            continue
        if ln.startswith("--> "):
            cur.command(ln[4:])
        elif ln.startswith("<-- "):
            text = ln[4:]
            if data_for is not None:
                if text == ".":
                    data_for = None
                continue
            t = cur.status(text)
            if t and t[2] == "+OK" and is_multi(t[0], t[1]):
                data_for = t
    return sessions


def tshark_rows(pcap):
    out = subprocess.run(
        ["tshark", "-r", pcap, "-o", "tcp.desegment_tcp_streams:TRUE",
         "-Y", "pop", "-T", "fields", "-E", "separator=\t",
         "-e", "tcp.stream", "-e", "tcp.srcport", "-e", "tcp.dstport",
         "-e", "pop.request.command", "-e", "pop.request.parameter",
         "-e", "pop.response.indicator", "-e", "pop.response"],
        capture_output=True, text=True, check=True).stdout
    rows = []
    for ln in out.splitlines():
        f = (ln.split("\t") + [""] * 7)[:7]
        rows.append(f)
    return rows


def stream_ports(pcap):
    out = subprocess.run(
        ["tshark", "-r", pcap, "-T", "fields", "-e", "tcp.stream",
         "-e", "tcp.srcport", "-e", "tcp.dstport"],
        capture_output=True, text=True, check=True).stdout
    order = {}
    for ln in out.splitlines():
        f = ln.split("\t")
        if len(f) < 3 or not f[0]:
            continue
        st = int(f[0])
        port = int(f[1]) if f[2] == "110" else int(f[2])
        order.setdefault(port, st)
    return order


def parse_tshark(pcap):
    """One session per tcp.stream; command then the next response line."""
    sessions = {}
    for st, sp, dp, cmd, par, ind, resp in tshark_rows(pcap):
        s = sessions.setdefault(int(st), Session(int(sp) if dp == "110" else int(dp)))
        if dp == "110":
            if cmd:
                s.command((cmd + " " + par).strip())
        else:
            if not s.txns:
                s.greeting(ind)
            elif ind in ("+OK", "-ERR"):
                s.status(ind)
            elif s.pending and s.txns[s.pending[0]][0] == "AUTH":
                s.status("+ ")        # SASL challenge: no indicator in tshark
    return [sessions[k] for k in sorted(sessions)]


def complete_from_pcap(sessions, pcap):
    """Append commands seen in the capture after the last logged one."""
    ts = parse_tshark(pcap)
    for s, t in zip(sessions, ts):
        mine = [x[0] for x in s.txns]
        theirs = [x[0] for x in t.txns]
        if len(theirs) > len(mine) and theirs[:len(mine)] == mine:
            extra = t.txns[len(mine):]
            s.txns.extend(extra)
            s.comments.append("not in the client log, taken from the capture "
                              "(tshark): " + ", ".join(x[0] for x in extra))


def main():
    argv = sys.argv[1:]
    kind = argv.pop(0)
    src = argv.pop(0)
    pcap = None
    complete = False
    while argv:
        a = argv.pop(0)
        if a == "--pcap":
            pcap = argv.pop(0)
        elif a == "--complete-from-pcap":
            complete = True
    if kind == "tshark":
        sessions = parse_tshark(src)
        pcap = src
    else:
        with open(src, encoding="utf-8", errors="replace") as f:
            lines = f.readlines()
        if kind == "poplib":
            sessions = parse_poplib(lines)
        elif kind == "curl":
            sessions = parse_lockstep(lines, "> ", "< ",
                                      lambda l: l.startswith("* Connected to "))
        elif kind == "fetchmail":
            sessions = parse_lockstep(lines, "fetchmail: POP3> ", "fetchmail: POP3< ",
                                      lambda l: l.startswith("Trying to connect to "))
        elif kind == "mpop":
            sessions = parse_mpop(lines)
        else:
            sys.exit("unknown kind " + kind)
    if pcap and all(s.key for s in sessions):
        order = stream_ports(pcap)
        missing = [s.key for s in sessions if s.key not in order]
        if missing:
            sys.exit("local ports %s not in %s" % (missing, pcap))
        sessions.sort(key=lambda s: order[s.key])
    if complete and pcap:
        complete_from_pcap(sessions, pcap)
    print("# derived by tests/capture/real_txns_from_log.py %s from %s" % (kind, src.split("/")[-1]))
    for n, s in enumerate(sessions, 1):
        for c in s.comments:
            print("# session %d: %s" % (n, c))
        for cmd, args, st in s.txns:
            print("%d\t%s\t%s\t%s" % (n, cmd, args, st))


if __name__ == "__main__":
    main()
