#!/usr/bin/env python3
"""Expected transactions (.txns, see tests/FORMATS.md) from client logs.

    bad_txns_from_log.py [--pcap F] [--comment TEXT]... LOG...

Each LOG is one of:
  * poplib debug output written by tests/capture/bad_client.py
    (markers "#session local_port=N", "*welcome*", "*cmd*", "*resp*");
  * curl -v stderr ("* Connected to", "> CMD", "< reply");
  * fetchmail -v -v output ("POP3> CMD", "POP3< reply").
The format is recognised per file.  Sessions are numbered in the order of
their first packet in --pcap (SYN without ACK, matched on the client port
that poplib logged); without --pcap, or for logs that carry no port, in the
order of the logs and of the sessions in them.
"""

import argparse
import ast
import re
import subprocess
import sys


def redact(cmd, args):
    if cmd == "PASS":
        return "<redacted>"
    if cmd == "APOP":
        parts = args.split(" ")
        return parts[0] + " <redacted>" if parts and parts[0] else "<redacted>"
    if cmd == "AUTH":
        parts = args.split(" ")
        return parts[0] + (" <redacted>" if len(parts) > 1 else "")
    return args


def status_of(line, cmd):
    """+OK / -ERR / None for a continuation ("+ ") / '?' for garbage."""
    if cmd == "AUTH" and (line == "+" or line.startswith("+ ")):
        return None
    up = line[:4].upper()
    if up.startswith("+OK"):
        return "+OK"
    if up.startswith("-ERR"):
        return "-ERR"
    return "?"


class Sess:
    def __init__(self, port=None):
        self.port = port
        self.txns = []          # [cmd, args, status]
        self.sasl_cont = False  # the server sent "+ ": next client line is SASL data

    def greet(self, status):
        self.txns.append(["(greeting)", "", status])

    def cmd(self, text):
        if self.sasl_cont:      # a SASL response, part of the AUTH transaction
            self.sasl_cont = False
            return
        word, _, args = text.partition(" ")
        word = word.upper()
        self.txns.append([word, redact(word, args), "none"])

    def resp(self, text):
        if not self.txns:
            return
        t = self.txns[-1]
        if t[2] != "none":          # data line of a multi-line reply
            return
        st = status_of(text, t[0])
        if st is None:
            self.sasl_cont = True
        else:
            self.sasl_cont = False
            t[2] = st if st != "?" else "none"


def parse(path):
    text = open(path, encoding="latin-1").read().splitlines()
    sessions = []
    cur = None
    fmt = None
    for line in text:
        if fmt is None:
            if line.startswith("#session"):
                fmt = "poplib"
            elif re.search(r"^\* +Trying|^\* Connected to", line):
                fmt = "curl"
            elif re.search(r"POP3[<>] |^fetchmail: |Trying to connect to", line):
                fmt = "fetchmail"
        if fmt == "poplib":
            m = re.match(r"#session local_port=(\d+)", line)
            if m:
                cur = Sess(int(m.group(1)))
                sessions.append(cur)
                continue
            m = re.match(r"\*(welcome|cmd|resp)\* (.*)$", line)
            if not m or cur is None:
                continue
            val = ast.literal_eval(m.group(2))
            if isinstance(val, bytes):
                val = val.decode("latin-1")
            if m.group(1) == "welcome":
                cur.greet(status_of(val, "") if status_of(val, "") != "?" else "none")
            elif m.group(1) == "cmd":
                cur.cmd(val)
            else:
                cur.resp(val)
        elif fmt == "curl":
            if re.match(r"^\* Connected to", line):
                cur = Sess()
                sessions.append(cur)
                cur.pending_greeting = True
                continue
            if cur is None:
                continue
            if re.match(r"^\* Connection #\d+ to host .* left intact", line):
                cur.left_intact = True
            elif line.startswith("> "):
                cur.cmd(line[2:])
            elif line.startswith("< "):
                if getattr(cur, "pending_greeting", False):
                    cur.pending_greeting = False
                    cur.greet(status_of(line[2:], ""))
                else:
                    cur.resp(line[2:])
        elif fmt == "fetchmail":
            if re.search(r"Trying to connect to|: poll started", line) and \
                    (cur is None or cur.txns):
                cur = Sess()
                sessions.append(cur)
                cur.pending_greeting = True
                continue
            m = re.search(r"POP3([<>]) (.*)$", line)
            if not m or cur is None:
                continue
            if m.group(1) == ">":
                cur.cmd(m.group(2))
            elif getattr(cur, "pending_greeting", False):
                cur.pending_greeting = False
                cur.greet(status_of(m.group(2), ""))
            else:
                cur.resp(m.group(2))
    return sessions


def syn_order(pcap):
    out = subprocess.run(
        ["tshark", "-r", pcap, "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0",
         "-T", "fields", "-e", "tcp.srcport"],
        check=True, capture_output=True, text=True).stdout.split()
    order = []
    for p in out:
        if int(p) not in order:
            order.append(int(p))
    return order


def quit_from_pcap(pcap, stream):
    """curl sends QUIT for a connection it kept open ("left intact") only
    when it exits, and does not log it.  Take that last exchange from the
    capture: (status or 'none') if the client's last command was QUIT."""
    out = subprocess.run(
        ["tshark", "-r", pcap, "-Y", "tcp.stream==%d && pop" % stream,
         "-T", "fields", "-e", "pop.request.command",
         "-e", "pop.response.indicator"],
        check=True, capture_output=True, text=True).stdout.splitlines()
    status = None
    for row in out:
        cmd, _, ind = row.partition("\t")
        if cmd:
            status = "none" if cmd.upper() == "QUIT" else None
        elif ind and status == "none":
            status = ind
    return status


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pcap")
    ap.add_argument("--comment", action="append", default=[])
    ap.add_argument("logs", nargs="+")
    o = ap.parse_args()
    sessions = []
    for path in o.logs:
        sessions += parse(path)
    if o.pcap:
        order = syn_order(o.pcap)
        known = [s for s in sessions if s.port is not None]
        if len(known) == len(sessions):
            missing = [s.port for s in sessions if s.port not in order]
            if missing:
                sys.exit("ports %s not in %s" % (missing, o.pcap))
            sessions.sort(key=lambda s: order.index(s.port))
        if len(order) != len(sessions):
            sys.exit("%s: %d connections, logs have %d sessions"
                     % (o.pcap, len(order), len(sessions)))
    notes = []
    for i, s in enumerate(sessions):
        if getattr(s, "left_intact", False) and o.pcap:
            st = quit_from_pcap(o.pcap, i)
            if st:
                s.txns.append(["QUIT", "", st])
                notes.append("session %d: QUIT sent by curl at exit, not in "
                             "its log; taken from the capture" % (i + 1))
    print("# expected transactions, from the client logs: %s"
          % " ".join(p.split("/")[-1] for p in o.logs))
    for c in o.comment + notes:
        print("# " + c)
    for i, s in enumerate(sessions, 1):
        for cmd, args, st in s.txns:
            print("%d\t%s\t%s\t%s" % (i, cmd, args, st))
    return 0


if __name__ == "__main__":
    sys.exit(main())
