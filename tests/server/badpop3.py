#!/usr/bin/env python3
"""badpop3 -- a small RFC 1939 POP3 server that misbehaves on demand.

By default (scenario "clean") it is a consistent server: USER/PASS, APOP,
AUTH PLAIN/LOGIN (with "+ " continuations), CAPA, STAT, LIST [n], UIDL [n],
RETR, TOP, DELE, RSET, NOOP, QUIT; STLS is refused.  The maildrop is in
memory with fixed content (one message has dot-stuffed lines), DELE/RSET
bookkeeping is correct, replies end in CRLF, bodies are dot-stuffed.

With --scenario NAME it breaks exactly one rule of docs/RULES.md
(scenario names are the rule ids).  Some scenarios have variants chosen by
the user name the client logs in with (see README.md).  Everything is
deterministic: the same client sequence gives the same bytes.

Stdlib only.  Exits cleanly on SIGTERM/SIGINT or after --connections N.
"""

import argparse
import base64
import hashlib
import signal
import socket
import sys
import threading

CRLF = b"\r\n"
PASSWORD = "secret"
APOP_STAMP = "<1896.697170952@badpop3.test>"   # fixed: captures are reproducible
MAX_CMD = 255          # RFC 2449 section 4, including CRLF


def msg(*lines):
    """A message as bytes with CRLF line ends (unstuffed)."""
    return b"".join(l.encode() + CRLF for l in lines)


# Fixed mailbox.  Message 2 has lines that must be dot-stuffed on the wire.
MAILBOX = [
    ("UID-0001-a3f9c2", msg(
        "From: Alice Example <alice@badpop3.test>",
        "To: user@badpop3.test",
        "Subject: first message",
        "Date: Fri, 11 Jul 2003 15:10:00 +0000",
        "Message-ID: <m1@badpop3.test>",
        "",
        "Hello,",
        "this is the first message of the test maildrop.",
        "Regards, Alice")),
    ("UID-0002-5be7d1", msg(
        "From: Bob Example <bob@badpop3.test>",
        "To: user@badpop3.test",
        "Subject: dots at line starts",
        "Date: Fri, 11 Jul 2003 15:10:30 +0000",
        "Message-ID: <m2@badpop3.test>",
        "",
        "The next lines begin with dots and are stuffed on the wire:",
        ".hidden line that starts with one dot",
        ".",
        "..two dots",
        "...",
        "end of message two.")),
    ("UID-0003-c04e88", msg(
        "From: Carol Example <carol@badpop3.test>",
        "To: user@badpop3.test",
        "Subject: third message",
        "Date: Fri, 11 Jul 2003 15:11:00 +0000",
        "Message-ID: <m3@badpop3.test>",
        "",
        "Line one of three.",
        "Line two of three, a little longer than the first one.",
        "Line three of three.",
        "-- ",
        "Carol")),
]

# A message that "arrives" while a session holds the lock (count-changed) or
# between sessions (uid-size-across-sessions).
NEW_MESSAGE = ("UID-0004-77d0aa", msg(
    "From: Dave Example <dave@badpop3.test>",
    "To: user@badpop3.test",
    "Subject: new mail",
    "Date: Fri, 11 Jul 2003 15:12:00 +0000",
    "Message-ID: <m4@badpop3.test>",
    "",
    "This message arrived later and is a bit longer than the others,",
    "so that its size cannot be mistaken for any other message size.",
    "Dave"))

# InterMail's hidden control message (only its size is ever visible).
CONTROL_SIZE = 554

SCENARIOS = [
    "clean", "intermail", "crowd",
    "stat-list-count", "stat-uidl-count", "stat-list-octets",
    "impossible-drop-listing", "listing-numbers", "list-uidl-numbers",
    "single-vs-listing", "msg-number-range", "retr-size", "dele-not-applied",
    "rset-not-restored", "count-changed", "announced-counts", "uid-duplicate",
    "uid-size-across-sessions", "deleted-without-quit",
    "uid-malformed", "multiline-framing", "reply-syntax",
    "wrong-state-accepted", "capa-contradiction", "stls-not-honoured",
    "auth-exchange", "command-too-long", "reply-too-long",
    "in-use", "login-delay", "sys-temp",
]

# Scenarios whose free texts carry counts ("3 messages (N octets)").  In the
# others the texts are count-free so that a structural fault does not also
# make the text disagree with one side (announced-counts as a side effect).
TEXT_COUNTS = {"clean", "intermail", "crowd", "announced-counts"}

INTERMAIL_GREETING = "+OK qs_tech InterMail POP3 server ready."


def stuff(body):
    """Dot-stuff a CRLF body and add the terminator."""
    out = []
    for line in body.split(CRLF)[:-1]:
        if line.startswith(b"."):
            line = b"." + line
        out.append(line + CRLF)
    out.append(b"." + CRLF)
    return b"".join(out)


class Store:
    """Per-user maildrops shared by all connections (state across sessions)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.boxes = {}
        self.last_login = {}

    def box(self, user):
        # caller holds self.lock
        if user not in self.boxes:
            self.boxes[user] = list(MAILBOX)
        return self.boxes[user]


class Session:
    def __init__(self, server, conn, peer):
        self.srv = server
        self.sc = server.scenario
        self.conn = conn
        self.peer = peer
        self.rbuf = b""
        self.state = "AUTHORIZATION"
        self.user = None
        self.msgs = []          # snapshot at login: [(uid, body)]
        self.deleted = set()
        self.quit_seen = False
        self.stls_done = False
        self.new_arrived = False

    # ---- I/O ---------------------------------------------------------
    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        self.conn.sendall(data)

    def reply(self, line):
        self.send(line + "\r\n" if isinstance(line, str) else line + CRLF)

    def multiline(self, first, lines, terminate=True):
        data = first.encode("latin-1") + CRLF
        for l in lines:
            if isinstance(l, str):
                l = l.encode("latin-1")
            if l.startswith(b"."):
                l = b"." + l
            data += l + CRLF
        if terminate:
            data += b"." + CRLF
        self.send(data)

    def readline(self):
        while CRLF not in self.rbuf and b"\n" not in self.rbuf:
            if len(self.rbuf) > 8192:
                raise ConnectionError("line too long")
            chunk = self.conn.recv(4096)
            if not chunk:
                return None
            self.rbuf += chunk
        i = self.rbuf.index(b"\n")
        line, self.rbuf = self.rbuf[:i + 1], self.rbuf[i + 1:]
        return line

    # ---- helpers -----------------------------------------------------
    @property
    def intermail(self):
        if self.sc == "intermail":
            return True
        return self.sc == "crowd" and (self.user or "").startswith("ctl")

    @property
    def text_counts(self):
        return self.sc in TEXT_COUNTS

    def variant(self, *names):
        """Variant of the scenario chosen by user name (first one is default)."""
        u = (self.user or "").lower()
        for n in names:
            if u.startswith(n):
                return n
        return names[0]

    def live(self):
        """[(number, uid, body)] of messages not marked deleted."""
        return [(i + 1, u, b) for i, (u, b) in enumerate(self.msgs)
                if i + 1 not in self.deleted]

    def totals(self):
        lv = self.live()
        return len(lv), sum(len(b) for _, _, b in lv)

    def get(self, arg):
        """Message number argument -> (n, uid, body) or None."""
        try:
            n = int(arg)
        except (TypeError, ValueError):
            return None
        if n < 1 or n > len(self.msgs) or n in self.deleted:
            return None
        u, b = self.msgs[n - 1]
        return n, u, b

    def counts_text(self):
        n, o = self.totals()
        return "%d message%s (%d octets)" % (n, "" if n == 1 else "s", o)

    # ---- session -----------------------------------------------------
    def run(self):
        if self.intermail or self.sc == "crowd":
            self.reply(INTERMAIL_GREETING)
        else:
            self.reply("+OK badpop3 ready %s" % APOP_STAMP)
        while True:
            raw = self.readline()
            if raw is None:
                break
            if len(raw) > MAX_CMD and self.sc != "command-too-long":
                self.reply("-ERR command line too long")
                continue
            line = raw.rstrip(b"\r\n").decode("latin-1")
            parts = line.split(" ")
            cmd = parts[0].upper()
            args = parts[1:]
            done = self.dispatch(cmd, args, line)
            if done:
                break
        self.finish()

    def finish(self):
        """Connection over: UPDATE state if QUIT was seen (RFC 1939 sec. 6)."""
        if self.state != "TRANSACTION" and not self.quit_seen:
            return
        expunge = self.quit_seen
        if not self.quit_seen and self.sc == "deleted-without-quit":
            expunge = True          # the bug: no QUIT, deletions applied anyway
        if self.sc in ("dele-not-applied",):
            expunge = False
        if not expunge or not self.deleted or self.intermail:
            return
        with self.srv.store.lock:
            box = self.srv.store.box(self.user)
            gone = [self.msgs[n - 1] for n in sorted(self.deleted)]
            for m in gone:
                if m in box:
                    box.remove(m)
            if self.sc == "uid-size-across-sessions":
                # the bug: a new message arrives and gets the unique-id of
                # the first expunged message (unique-id reused, new size)
                box.append((gone[0][0], NEW_MESSAGE[1]))

    def dispatch(self, cmd, args, line):
        sc = self.sc
        if cmd == "QUIT":
            self.quit_seen = True
            if self.intermail:
                self.reply("+OK Bye!")
            else:
                self.reply("+OK badpop3 signing off")
            return True
        if cmd == "NOOP" and self.state == "TRANSACTION":
            if sc == "reply-syntax":
                self.reply("+ok")
            elif sc == "reply-too-long":
                self.reply("+OK " + "noop-" * 120 + "done")   # 608 octets
            else:
                if sc == "count-changed" and not self.new_arrived:
                    # the bug: new mail shows up inside the locked session
                    self.new_arrived = True
                    self.msgs.append(NEW_MESSAGE)
                self.reply("+OK")
            return False
        if cmd == "CAPA":
            return self.do_capa()
        if self.state == "AUTHORIZATION":
            return self.authorization(cmd, args, line)
        return self.transaction(cmd, args, line)

    def do_capa(self):
        sc = self.sc
        if self.intermail or sc == "crowd":
            self.reply("-ERR unknown command")
            return False
        caps = ["TOP", "UIDL", "RESP-CODES", "PIPELINING"]
        if self.state == "AUTHORIZATION":
            caps += ["USER", "SASL PLAIN LOGIN"]
            if sc == "stls-not-honoured":
                caps.append("STLS")
        if sc == "login-delay":
            caps.append("LOGIN-DELAY 900")
        caps.append("IMPLEMENTATION badpop3")
        self.multiline("+OK Capability list follows", caps)
        return False

    # ---- AUTHORIZATION ------------------------------------------------
    def authorization(self, cmd, args, line):
        sc = self.sc
        if cmd == "USER":
            if not args:
                self.reply("-ERR missing user name")
                return False
            self.user = " ".join(args)
            if self.intermail or sc == "crowd":
                self.reply("+OK Need a password")
            else:
                self.reply("+OK send PASS")
            return False
        if cmd == "PASS":
            if self.user is None:
                self.reply("-ERR USER first")
                return False
            return self.login(" ".join(args) == PASSWORD)
        if cmd == "APOP":
            if len(args) != 2:
                self.reply("-ERR usage: APOP name digest")
                return False
            self.user = args[0]
            want = hashlib.md5((APOP_STAMP + PASSWORD).encode()).hexdigest()
            return self.login(args[1].lower() == want)
        if cmd == "AUTH":
            return self.do_auth(args)
        if cmd == "STLS":
            if sc == "stls-not-honoured" and not self.stls_done:
                self.stls_done = True      # the bug: +OK, then plain text
                self.reply("+OK Begin TLS negotiation now")
            else:
                self.reply("-ERR TLS not available")
            return False
        if cmd == "STAT" and sc == "wrong-state-accepted":
            with self.srv.store.lock:
                box = list(self.srv.store.box("default"))
            self.reply("+OK %d %d" % (len(box), sum(len(b) for _, b in box)))
            return False
        if cmd in ("STAT", "LIST", "UIDL", "RETR", "TOP", "DELE", "RSET",
                   "NOOP"):
            self.reply("-ERR command not valid in this state")
            return False
        self.reply("-ERR unknown command")
        return False

    def do_auth(self, args):
        sc = self.sc
        if not args:
            self.multiline("+OK mechanisms follow", ["PLAIN", "LOGIN"])
            return False
        mech = args[0].upper()
        if mech == "PLAIN":
            if len(args) > 1:
                resp = args[1]
            else:
                self.reply("+ ")
                resp = (self.readline() or b"*").rstrip(b"\r\n").decode("latin-1")
            if resp == "*":
                if sc == "auth-exchange":
                    self.reply("+OK authentication cancelled")   # the bug
                else:
                    self.reply("-ERR authentication cancelled")
                return False
            try:
                _, user, pw = base64.b64decode(resp, validate=True).decode().split("\0")
            except Exception:
                self.reply("-ERR invalid base64")
                return False
            self.user = user
            return self.login(pw == PASSWORD)
        if mech == "LOGIN":
            got = []
            for prompt in ("Username:", "Password:"):
                if sc == "auth-exchange":
                    self.reply("+ " + prompt)      # the bug: not base64
                else:
                    self.reply("+ " + base64.b64encode(prompt.encode()).decode())
                resp = (self.readline() or b"*").rstrip(b"\r\n").decode("latin-1")
                if resp == "*":
                    self.reply("-ERR authentication cancelled")
                    return False
                try:
                    got.append(base64.b64decode(resp, validate=True).decode())
                except Exception:
                    self.reply("-ERR invalid base64")
                    return False
            self.user = got[0]
            return self.login(got[1] == PASSWORD)
        self.reply("-ERR unsupported mechanism")
        return False

    def login(self, ok):
        sc = self.sc
        if not ok:
            self.reply("-ERR [AUTH] invalid user name or password")
            return False
        if sc == "in-use":
            self.reply("-ERR [IN-USE] maildrop already locked")
            return False
        if sc == "sys-temp":
            self.reply("-ERR [SYS/TEMP] mail store temporarily unavailable")
            return False
        with self.srv.store.lock:
            if sc == "login-delay" and self.user in self.srv.store.last_login:
                self.reply("-ERR [LOGIN-DELAY] minimum time between logins "
                           "is 900 seconds")
                return False
            self.srv.store.last_login[self.user] = True
            self.msgs = list(self.srv.store.box(self.user))
        self.state = "TRANSACTION"
        if self.intermail:
            self.msgs = []
            self.reply("+OK You have 0 messages totaling %d octets from "
                       "/mail/user" % CONTROL_SIZE)
        elif sc == "crowd":
            n, o = self.totals()
            self.reply("+OK You have %d messages totaling %d octets from "
                       "/mail/user" % (n, o))
        elif sc == "announced-counts":
            n, o = self.totals()
            self.reply("+OK Logged in, %d messages (%d octets)" % (n + 2, o))
        elif self.text_counts:
            self.reply("+OK Logged in, " + self.counts_text())
        else:
            self.reply("+OK Logged in")
        return False

    # ---- TRANSACTION --------------------------------------------------
    def transaction(self, cmd, args, line):
        sc = self.sc
        if cmd in ("USER", "PASS", "APOP", "AUTH", "STLS"):
            if sc == "wrong-state-accepted" and cmd == "USER":
                self.reply("+OK send PASS")        # the bug
            else:
                self.reply("-ERR already authenticated")
            return False
        if self.intermail:
            return self.transaction_intermail(cmd, args)
        h = getattr(self, "cmd_" + cmd.lower(), None)
        if h is None:
            self.reply("-ERR unknown command")
            return False
        h(args)
        return False

    def transaction_intermail(self, cmd, args):
        if cmd == "STAT":
            self.reply("+OK 1 %d" % CONTROL_SIZE)
        elif cmd == "LIST" and not args:
            self.multiline("+OK 0 messages (%d octets) [1 control message(s) "
                           "hidden]" % CONTROL_SIZE, [])
        elif cmd == "UIDL" and not args:
            self.multiline("+OK ", [])
        elif cmd in ("LIST", "UIDL", "RETR", "TOP", "DELE"):
            self.reply("-ERR no such message")
        elif cmd == "RSET":
            self.reply("+OK")
        else:
            self.reply("-ERR unknown command")
        return False

    def cmd_stat(self, args):
        n, o = self.totals()
        sc = self.sc
        if sc == "stat-list-octets":
            o += 10                        # the bug: counts something extra
        elif sc == "impossible-drop-listing":
            if self.variant("zero", "nosize") == "nosize":
                o = 0
            else:
                n = 0
        self.reply("+OK %d %d" % (n, o))

    def cmd_list(self, args):
        sc = self.sc
        if args:
            m = self.get(args[0])
            if m is None:
                self.reply("-ERR no such message")
                return
            size = len(m[2])
            if sc == "single-vs-listing":
                size += 5                  # the bug: a stale size
            self.reply("+OK %d %d" % (m[0], size))
            return
        lv = self.live()
        lines = ["%d %d" % (n, len(b)) for n, _, b in lv]
        if sc == "stat-list-count" and len(lv) >= 2:
            # the bug: the last message is not listed; its size is folded
            # into the line before so that the octet sum still matches STAT
            n1, _, b1 = lv[-2]
            lines = lines[:-2] + ["%d %d" % (n1, len(b1) + len(lv[-1][2]))]
        elif sc == "listing-numbers":
            v = self.variant("zero", "hole", "dup")
            if v == "zero":
                lines = ["%d %d" % (n - 1, len(b)) for n, _, b in lv]
            elif v == "hole":
                lines = ["%d %d" % (n + (1 if n == len(lv) else 0), len(b))
                         for n, _, b in lv]
            else:
                lines = ["%d %d" % (n - (1 if n == len(lv) else 0), len(b))
                         for n, _, b in lv]
        first = "+OK " + self.counts_text() if self.text_counts \
            else "+OK scan listing follows"
        if sc == "multiline-framing" and self.variant("cr", "noterm",
                                                      "unstuffed") == "noterm":
            self.multiline(first, lines, terminate=False)   # the bug
            return
        self.multiline(first, lines)

    def uid_of(self, n, uid):
        sc = self.sc
        if sc == "uid-duplicate" and n == 3:
            return self.msgs[0][0]          # the bug: same uid as message 1
        if sc == "uid-malformed" and n == 2:
            v = self.variant("long", "space", "control")
            if v == "long":
                return uid + "-" + "x" * 60  # 76 characters
            if v == "space":
                return uid + " extra"
            return uid + "\x01"
        return uid

    def cmd_uidl(self, args):
        sc = self.sc
        if sc == "capa-contradiction":
            self.reply("-ERR command disabled")   # the bug: CAPA said UIDL
            return
        if args:
            m = self.get(args[0])
            if m is None:
                self.reply("-ERR no such message")
                return
            self.reply("+OK %d %s" % (m[0], self.uid_of(m[0], m[1])))
            return
        lv = self.live()
        if sc in ("stat-uidl-count", "list-uidl-numbers") and lv:
            lv = lv[:-1]                   # the bug: last message not listed
        lines = ["%d %s" % (n, self.uid_of(n, u)) for n, u, _ in lv]
        first = "+OK " + self.counts_text() if self.text_counts \
            else "+OK unique-id listing follows"
        self.multiline(first, lines)

    def send_body(self, first, body, n):
        sc = self.sc
        v = self.variant("cr", "noterm", "unstuffed")
        if sc == "multiline-framing" and v == "unstuffed":
            # the bug: only a line that is a lone "." is stuffed; other
            # lines beginning with "." go out as they are
            lines = [b".." if l == b"." else l
                     for l in body.split(CRLF)[:-1]]
            self.send(first.encode() + CRLF +
                      b"".join(l + CRLF for l in lines) + b"." + CRLF)
        elif sc == "multiline-framing" and v == "cr":
            # the bug (Cyrus 3.4.6): terminator ".\r" without LF
            self.send(first.encode() + CRLF + stuff(body)[:-1])
        else:
            self.send(first.encode() + CRLF + stuff(body))

    def cmd_retr(self, args):
        sc = self.sc
        m = self.get(args[0]) if args else None
        if sc == "msg-number-range" and args:
            v = self.variant("alice", "temp", "beyond")
            if v == "alice" and m and m[0] == 2:
                self.reply("-ERR no such message")          # the bug
                return
            if v == "temp" and m and m[0] == 2:
                self.reply("-ERR [SYS/TEMP] message 2 temporarily unavailable")
                return
            if v == "beyond" and m is None and args[0].isdigit():
                u, b = self.msgs[-1]                        # the bug
                self.send_body("+OK message follows", b, int(args[0]))
                return
        if m is None:
            self.reply("-ERR no such message")
            return
        n, u, body = m
        if sc == "retr-size" and n == 1:
            # the bug: a header added on the fly, not counted by LIST
            body = b"X-Scanned-By: badpop3 content filter 1.0" + CRLF + body
        first = ("+OK %d octets" % len(m[2])) if self.text_counts \
            else "+OK message follows"
        self.send_body(first, body, n)

    def cmd_top(self, args):
        if len(args) != 2 or not args[1].isdigit():
            self.reply("-ERR usage: TOP msg lines")
            return
        m = self.get(args[0])
        if m is None:
            self.reply("-ERR no such message")
            return
        head, _, rest = m[2].partition(CRLF + CRLF)
        lines = rest.split(CRLF)[:-1][:int(args[1])]
        out = head + CRLF + CRLF + b"".join(l + CRLF for l in lines)
        self.send_body("+OK top of message follows", out, m[0])

    def cmd_dele(self, args):
        m = self.get(args[0]) if args else None
        if m is None:
            if args and args[0].isdigit() and int(args[0]) in self.deleted:
                self.reply("-ERR message %s already deleted" % args[0])
            else:
                self.reply("-ERR no such message")
            return
        if self.sc != "dele-not-applied":
            self.deleted.add(m[0])         # (the bug: not marked)
        self.reply("+OK message %d deleted" % m[0])

    def cmd_rset(self, args):
        if self.sc != "rset-not-restored":
            self.deleted.clear()           # (the bug: not restored)
        if self.text_counts:
            self.reply("+OK maildrop has " + self.counts_text())
        else:
            self.reply("+OK")

    def cmd_noop(self, args):
        self.reply("+OK")


class Server:
    def __init__(self, opts):
        self.scenario = opts.scenario
        self.store = Store()
        self.opts = opts
        self.stop = threading.Event()
        self.threads = []
        fam = socket.AF_INET6 if ":" in opts.listen else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((opts.listen, opts.port))
        self.sock.listen(16)
        self.sock.settimeout(0.2)

    def handle(self, conn, peer):
        try:
            conn.settimeout(self.opts.idle)
            Session(self, conn, peer).run()
        except (OSError, ConnectionError) as e:
            print("badpop3: %s:%d: %s" % (peer[0], peer[1], e), file=sys.stderr)
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def serve(self):
        left = self.opts.connections
        while not self.stop.is_set():
            try:
                conn, peer = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            t = threading.Thread(target=self.handle, args=(conn, peer),
                                 daemon=True)
            t.start()
            self.threads.append(t)
            if left:
                left -= 1
                if left == 0:
                    break
        self.sock.close()
        for t in self.threads:
            t.join(timeout=2 if self.stop.is_set() else self.opts.idle + 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listen", default="127.0.0.11")
    ap.add_argument("--port", type=int, default=110)
    ap.add_argument("--scenario", default="clean", choices=SCENARIOS)
    ap.add_argument("--connections", type=int, default=0,
                    help="exit after serving N connections (0: forever)")
    ap.add_argument("--once", action="store_const", const=1,
                    dest="connections", help="same as --connections 1")
    ap.add_argument("--idle", type=float, default=30.0,
                    help="close a connection idle for this many seconds")
    ap.add_argument("--list-scenarios", action="store_true")
    opts = ap.parse_args()
    if opts.list_scenarios:
        print("\n".join(SCENARIOS))
        return 0
    srv = Server(opts)

    def on_signal(signum, frame):
        srv.stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print("badpop3: %s port %d scenario %s" % (opts.listen, opts.port,
                                               opts.scenario), file=sys.stderr)
    sys.stderr.flush()
    srv.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
