#!/usr/bin/env python3
"""POP3 client scenarios for record_real.sh, built on Python's poplib.

Usage: real_pop_client.py SCENARIO [--host H] [--flag FILE]

Every session prints "### session N local=IP:PORT" after connecting, then
poplib's own debug output (set_debuglevel(2): *cmd*, *put*, *resp*, *get*),
"*welcome*" for the greeting. Long runs of *get* data lines are elided by
the caller (real_elide.py). Scenarios that poplib cannot express (SASL
continuation, pipelining, RST) write the same markers by hand:
  *cmd* 'X'   a command the client sent (secrets included: test passwords)
  *put* b'..' bytes written to the socket in one send() call
  *resp* b'..' a status line (+OK / -ERR / '+ ' continuation)
  *get* b'..'  a data line of a multi-line reply
  ### ...      comments (capture started, reset sent, ...)
"""
import base64
import io
import os
import poplib
import socket
import ssl
import struct
import sys
import threading
import time

HOST = "127.0.0.1"
PW = {"alice": "alice-secret", "bob": "bob-secret", "carol": "carol-secret",
      "dave": "dave-secret"}
_session = [0]
_lock = threading.Lock()


class ThreadOut(io.TextIOBase):
    """stdout that buffers per thread, so concurrent sessions log in blocks."""
    def __init__(self, real):
        self.real = real
        self.bufs = {}

    def write(self, s):
        t = threading.current_thread()
        if t is threading.main_thread():
            return self.real.write(s)
        self.bufs.setdefault(t.name, []).append(s)
        return len(s)

    def flush(self):
        self.real.flush()


def connect(host=None, port=110, timeout=60):
    host = host or HOST
    p = poplib.POP3(host, port, timeout=timeout)
    with _lock:
        _session[0] += 1
        n = _session[0]
    la = p.sock.getsockname()
    print("### session %d local=%s:%d" % (n, la[0], la[1]))
    p.set_debuglevel(2)
    print("*welcome*", repr(p.getwelcome()))
    return p


def login(p, user):
    p.user(user)
    p.pass_(PW[user])


def tryc(fn, *a):
    try:
        return fn(*a)
    except poplib.error_proto as e:
        print("### -ERR raised:", e)
        return None


def basic(host=None, user="alice", retr=(1,)):
    p = connect(host)
    p.capa()
    login(p, user)
    p.stat()
    p.list()
    p.uidl()
    for n in retr:
        p.retr(n)
    p.quit()


def sc_full(a):
    p = connect()
    p.capa()
    login(p, "alice")
    p.stat()
    p.list()
    p.uidl()
    p.list(4)
    p.uidl(4)
    tryc(p.list, 9)           # -ERR: no such message
    p.top(1, 0)
    p.retr(2)                 # ~2 MB
    p.retr(4)                 # dot-stuffed lines
    p.dele(5)
    p.stat()
    tryc(p.list, 5)           # -ERR: message deleted
    p.rset()
    p.stat()
    p.noop()
    p.quit()


def sc_apop(a):
    p = connect()
    p.apop("alice", PW["alice"])
    p.stat()
    p.uidl()
    p.quit()


def auth_plain_ir(p, user):
    tok = base64.b64encode(("\0%s\0%s" % (user, PW[user])).encode()).decode()
    p._shortcmd("AUTH PLAIN " + tok)


def sc_auth(a):
    # 1: AUTH PLAIN with initial response (RFC 5034 / SASL-IR)
    p = connect()
    p.capa()
    auth_plain_ir(p, "alice")
    p.stat()
    p.quit()
    # 2: AUTH PLAIN, empty challenge '+ ', then the response line
    p = connect()
    r = p._shortcmd("AUTH PLAIN")                       # *resp* b'+ '
    p._putline(base64.b64encode(b"\0alice\0" + PW["alice"].encode()))
    p._getresp()
    p.stat()
    p.quit()
    # 3: AUTH LOGIN, two challenges
    p = connect()
    p._shortcmd("AUTH LOGIN")
    p._putline(base64.b64encode(b"carol"))
    p._getresp()
    p._putline(base64.b64encode(PW["carol"].encode()))
    p._getresp()
    p.stat()
    p.quit()


def sc_loginfail(a):
    p = connect()
    p.user("alice")
    tryc(p.pass_, "wrong-password")
    p.quit()
    p = connect()
    p.user("nosuchuser")
    tryc(p.pass_, "whatever")
    tryc(p.stat)              # not logged in: -ERR
    p.quit()
    p = connect()
    tryc(p._shortcmd, "AUTH PLAIN " +
         base64.b64encode(b"\0alice\0bad-password").decode())
    p.quit()


def sc_empty(a):
    p = connect()
    login(p, "bob")
    p.stat()
    p.list()
    p.uidl()
    tryc(p.retr, 1)
    p.quit()


def sc_concurrent(a):
    """Four overlapping sessions from one process, as Outlook opens them."""
    out = ThreadOut(sys.stdout)
    sys.stdout = out
    users = ["alice", "bob", "carol", "alice"]

    def run(i, user):
        time.sleep(0.15 * i)
        p = connect()
        login(p, user)
        time.sleep(0.3)
        p.stat()
        p.list()
        time.sleep(0.3)
        p.uidl()
        if user == "alice":
            p.retr(3)
        time.sleep(0.2)
        p.quit()

    ts = [threading.Thread(target=run, args=(i, u), name="s%d" % i)
          for i, u in enumerate(users)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    sys.stdout = out.real
    blocks = ["".join(out.bufs.get(t.name, [])) for t in ts]
    blocks.sort(key=lambda b: int(b.split()[2]) if b.startswith("###") else 0)
    for b in blocks:
        sys.stdout.write(b)


def sc_stls(a):
    p = connect()
    p.capa()
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    p.stls(ctx)
    print("### TLS established:", p.sock.version(), p.sock.cipher()[0])
    p.capa()
    login(p, "alice")
    p.stat()
    p.list()
    p.uidl()
    p.retr(1)
    p.quit()


def sc_basic(a):
    basic(a.get("host"), retr=(1,))


def sc_basic_mime(a):
    basic(a.get("host"), retr=(3, 4))


def sc_veth(a):
    basic(a.get("host"), retr=(1, 2, 4))


def sc_midsession(a):
    """Log in, then wait until the caller has started the capture."""
    p = connect()
    p.capa()
    login(p, "alice")
    p.stat()
    flag = a["flag"]
    print("### waiting for capture start (%s)" % flag)
    sys.stdout.flush()
    for _ in range(600):
        if os.path.exists(flag):
            break
        time.sleep(0.1)
    print("### capture started")
    p.list()
    p.uidl()
    p.top(3, 5)
    p.retr(4)
    p.noop()
    p.quit()


def sc_rst(a):
    """RETR the 2 MB message, read ~64 KB, then close with SO_LINGER 0 (RST)."""
    p = connect()
    login(p, "alice")
    p.stat()
    p._putcmd("RETR 2")
    p._getresp()
    got = 0
    p.set_debuglevel(0)
    while got < 65536:
        line, o = p._getline()
        got += o
    print("### read %d octets of the reply body, now close with SO_LINGER 0 (RST)" % got)
    p.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    p.file.close()
    p.sock.close()
    print("*reset*")


MULTI = ("CAPA", "LIST", "UIDL", "RETR", "TOP")


def is_multi(cmd):
    w = cmd.split()
    k = w[0].upper()
    if k in ("LIST", "UIDL"):
        return len(w) == 1
    return k in MULTI


def sc_pipeline(a):
    """Raw socket: several commands in one send(), replies read afterwards."""
    s = socket.create_connection((HOST, 110))
    la = s.getsockname()
    print("### session 1 local=%s:%d" % (la[0], la[1]))
    f = s.makefile("rb")

    def line():
        l = f.readline()
        return l.rstrip(b"\r\n")

    print("*welcome*", repr(line()))

    def batch(cmds):
        data = "".join(c + "\r\n" for c in cmds).encode()
        for c in cmds:
            print("*cmd*", repr(c))
        print("*put*", repr(data))
        s.sendall(data)
        for c in cmds:
            r = line()
            print("*resp*", repr(r))
            if r.startswith(b"+OK") and is_multi(c):
                while True:
                    d = line()
                    print("*get*", repr(d))
                    if d == b".":
                        break

    batch(["CAPA"])
    batch(["USER alice", "PASS " + PW["alice"]])
    batch(["STAT", "LIST", "UIDL"])
    batch(["LIST 1", "UIDL 1", "TOP 1 0", "RETR 4", "NOOP"])
    batch(["DELE 1", "STAT", "RSET", "STAT", "QUIT"])
    f.close()
    s.close()


def sc_delecommit(a):
    """carol: DELE/RSET, then a committed DELE, then a second session."""
    p = connect()
    login(p, "carol")
    p.stat()
    p.list()
    p.uidl()
    p.dele(2)
    p.stat()
    p.list()
    tryc(p.list, 2)
    tryc(p.dele, 2)
    p.rset()
    p.stat()
    p.dele(2)
    p.quit()
    p = connect()
    login(p, "carol")
    p.stat()
    p.list()
    p.uidl()
    p.quit()


def main():
    global HOST
    args = sys.argv[1:]
    sc = args.pop(0)
    a = {}
    while args:
        k = args.pop(0)
        a[k.lstrip("-")] = args.pop(0)
    if "host" in a:
        HOST = a["host"]
    globals()["sc_" + sc.replace("-", "_")](a)


if __name__ == "__main__":
    main()
