#!/usr/bin/env python3
"""Drive tests/server/badpop3.py with Python's poplib, one scenario at a time.

    bad_client.py HOST SCENARIO            # the scenario's fixed sessions
    bad_client.py HOST crowd-one USER      # one Outlook-like session (crowd)

Prints poplib's own debug log (set_debuglevel(2)) to stdout, plus a few
markers bad_txns_from_log.py relies on:

    #session local_port=N user=U   start of a TCP connection
    *welcome* b'...'                the greeting (poplib reads it before the
                                    debug level can be set)
    *cont* '...'                    a SASL continuation line the client sent
    *error* ...                     poplib raised (e.g. -ERR, timeout)
    *timeout*                       no (complete) reply within the timeout
    #close-without-quit             the client dropped the connection

The sequences are fixed so that each capture shows one rule being broken
(see pcaps/README.bad.md).  Password: "secret" (a test account).
"""

import base64
import poplib
import socket
import sys
import time

PW = "secret"
TIMEOUT = 2.0


def log(*a):
    print(*a)
    sys.stdout.flush()


def connect(host, user, timeout=10.0):
    p = poplib.POP3(host, 110, timeout=timeout)
    log("#session local_port=%d user=%s" % (p.sock.getsockname()[1], user))
    log("*welcome*", repr(p.getwelcome()))
    p.set_debuglevel(2)
    return p


def do(p, name, *args):
    """Call a poplib method; log and swallow protocol errors and timeouts."""
    try:
        r = getattr(p, name)(*args)
        sys.stdout.flush()
        return r
    except poplib.error_proto as e:
        log("*error*", e)
    except (socket.timeout, TimeoutError) as e:
        log("*timeout*", repr(e))
        # the socket file is unusable after a timeout; make a fresh one so
        # that the session can go on (QUIT) on the same connection
        p.file = p.sock.makefile("rb")
    return None


def login(p, user):
    do(p, "user", user)
    return do(p, "pass_", PW)


def quit(p):
    do(p, "quit")
    try:
        p.close()
    except OSError:
        pass


def drop(p):
    log("#close-without-quit")
    p.close()


def short_timeout(p):
    p.sock.settimeout(TIMEOUT)


# ---- one function per scenario ---------------------------------------

def s_clean(h):
    p = connect(h, "alice")
    do(p, "capa")
    login(p, "alice")
    do(p, "stat"); do(p, "list"); do(p, "uidl")
    do(p, "list", 2); do(p, "uidl", 2)
    do(p, "retr", 2); do(p, "top", 1, 0)
    do(p, "dele", 1); do(p, "stat"); do(p, "list"); do(p, "uidl")
    do(p, "list", 1)                      # refused: deleted (must not flag)
    do(p, "rset"); do(p, "stat"); do(p, "list")
    do(p, "noop")
    quit(p)
    # APOP; DELE 3 and QUIT: the message is gone in the next session
    p = connect(h, "bob")
    do(p, "apop", "bob", PW)
    do(p, "stat"); do(p, "uidl"); do(p, "list")
    do(p, "dele", 3)
    quit(p)
    # AUTH PLAIN with an initial response
    p = connect(h, "bob")
    tok = base64.b64encode(b"\0bob\0" + PW.encode()).decode()
    log("*cmd* 'AUTH PLAIN <redacted>'")
    p._putline(("AUTH PLAIN " + tok).encode())
    do(p, "_getresp")
    do(p, "stat"); do(p, "uidl"); do(p, "list")
    quit(p)
    # STLS refused, AUTH cancelled, a wrong password, then a login
    p = connect(h, "carol")
    do(p, "_shortcmd", "STLS")
    do(p, "_putcmd", "AUTH PLAIN")
    r = do(p, "_getresp")
    if r is not None and r.startswith(b"+ "):
        log("*cont*", repr("*"))
        p._putline(b"*")
        do(p, "_getresp")
    do(p, "user", "carol"); do(p, "pass_", "wrong")
    login(p, "carol")
    do(p, "stat"); do(p, "list")
    quit(p)


def s_intermail(h):
    # Outlook's sequence from the seed trace
    p = connect(h, "user")
    login(p, "user")
    do(p, "stat"); do(p, "uidl"); do(p, "list")
    quit(p)


def crowd_one(h, user):
    """Outlook-like, with pauses so that concurrent sessions interleave."""
    p = connect(h, user)
    for step in (("user", user), ("pass_", PW), ("stat",), ("uidl",),
                 ("list",)):
        time.sleep(0.15)
        do(p, *step)
    time.sleep(0.15)
    quit(p)


def plain(seq, users=("alice",)):
    """A scenario made of login + a sequence of poplib calls + QUIT."""
    def run(h):
        for u in users:
            p = connect(h, u)
            login(p, u)
            for step in seq:
                do(p, *step)
            quit(p)
    return run


STAT_LIST = (("stat",), ("list",))

SCEN = {
    "clean": s_clean,
    "intermail": s_intermail,
    "stat-list-count": plain(STAT_LIST),
    "stat-uidl-count": plain((("stat",), ("uidl",))),
    "stat-list-octets": plain(STAT_LIST),
    "impossible-drop-listing": plain((("stat",),), users=("zero", "nosize")),
    "listing-numbers": plain(STAT_LIST, users=("zero", "hole", "dup")),
    "list-uidl-numbers": plain((("list",), ("uidl",))),
    "single-vs-listing": plain(STAT_LIST + (("list", 2),)),
    "retr-size": plain(STAT_LIST + (("retr", 1),)),
    "dele-not-applied": plain((("stat",), ("dele", 1), ("stat",))),
    "rset-not-restored": plain((("stat",), ("dele", 1), ("stat",),
                                ("rset",), ("stat",))),
    "count-changed": plain((("stat",), ("noop",), ("stat",))),
    "announced-counts": plain(STAT_LIST),
    "uid-malformed": plain((("stat",), ("uidl",)),
                           users=("long", "space", "control")),
    "reply-syntax": plain((("stat",), ("noop",))),
    "reply-too-long": plain((("stat",), ("noop",))),
    "in-use": plain(()),
    "sys-temp": plain(()),
}


def s_msg_number_range(h):
    for u in ("alice", "temp"):
        p = connect(h, u)
        login(p, u)
        do(p, "stat"); do(p, "list"); do(p, "retr", 1); do(p, "retr", 2)
        quit(p)
    p = connect(h, "beyond")
    login(p, "beyond")
    do(p, "stat"); do(p, "list"); do(p, "retr", 4)
    quit(p)


def s_uid_duplicate(h):
    p = connect(h, "alice")
    login(p, "alice")
    do(p, "stat"); do(p, "uidl")
    quit(p)
    p = connect(h, "bob")
    login(p, "bob")
    do(p, "stat"); do(p, "list"); do(p, "uidl")
    quit(p)


def s_uid_size_across_sessions(h):
    p = connect(h, "alice")
    login(p, "alice")
    do(p, "stat"); do(p, "list"); do(p, "uidl"); do(p, "retr", 1)
    do(p, "dele", 1)
    quit(p)
    p = connect(h, "alice")
    login(p, "alice")
    do(p, "stat"); do(p, "list"); do(p, "uidl")
    quit(p)


def s_deleted_without_quit(h):
    p = connect(h, "alice")
    login(p, "alice")
    do(p, "stat"); do(p, "list"); do(p, "uidl"); do(p, "dele", 1)
    drop(p)
    time.sleep(0.3)
    p = connect(h, "alice")
    login(p, "alice")
    do(p, "stat"); do(p, "list"); do(p, "uidl")
    quit(p)


def s_multiline_framing(h):
    # a) RETR ended with ".\r" and no LF: the client waits, then gives up
    p = connect(h, "cr")
    login(p, "cr")
    short_timeout(p)
    do(p, "retr", 1)
    drop(p)
    # b) LIST without the final ".": the client waits, then sends QUIT
    p = connect(h, "noterm")
    login(p, "noterm")
    short_timeout(p)
    do(p, "list")
    quit(p)
    # c) a data line beginning with "." sent without stuffing
    p = connect(h, "unstuffed")
    login(p, "unstuffed")
    do(p, "retr", 2)
    quit(p)


def s_wrong_state_accepted(h):
    p = connect(h, "alice")
    do(p, "stat")                         # before login: must be -ERR
    login(p, "alice")
    do(p, "stat")
    quit(p)
    p = connect(h, "bob")
    login(p, "bob")
    do(p, "stat")
    do(p, "user", "carol")                # in TRANSACTION: must be -ERR
    quit(p)


def s_capa_contradiction(h):
    p = connect(h, "alice")
    do(p, "capa")
    login(p, "alice")
    do(p, "capa")                         # UIDL advertised in TRANSACTION
    do(p, "stat"); do(p, "uidl")
    quit(p)


def s_stls_not_honoured(h):
    p = connect(h, "alice")
    do(p, "capa")
    do(p, "_shortcmd", "STLS")            # +OK, but nobody starts TLS
    login(p, "alice")
    do(p, "stat")
    quit(p)


def s_auth_exchange(h):
    # AUTH PLAIN, "*" cancel answered +OK
    p = connect(h, "alice")
    do(p, "capa")
    do(p, "_putcmd", "AUTH PLAIN")
    r = do(p, "_getresp")
    if r is not None and r.startswith(b"+ "):
        log("*cont*", repr("*"))
        p._putline(b"*")
        do(p, "_getresp")
    quit(p)
    # AUTH LOGIN with prompts that are not base64
    p = connect(h, "bob")
    do(p, "_putcmd", "AUTH LOGIN")
    for answer in (b"bob", PW.encode()):
        r = do(p, "_getresp")
        if r is None or not r.startswith(b"+ "):
            break
        log("*cont*", repr("<redacted>"))
        p._putline(base64.b64encode(answer))
    else:
        do(p, "_getresp")
    do(p, "stat")
    quit(p)


def s_command_too_long(h):
    p = connect(h, "alice")
    do(p, "user", "a" * 260 + "@badpop3.test")   # 280 octets with CRLF
    do(p, "pass_", "wrong")
    login(p, "alice")
    do(p, "stat")
    quit(p)


def s_login_delay(h):
    p = connect(h, "alice")
    do(p, "capa")
    login(p, "alice")
    do(p, "stat")
    quit(p)
    p = connect(h, "alice")
    login(p, "alice")
    quit(p)


SCEN.update({
    "msg-number-range": s_msg_number_range,
    "uid-duplicate": s_uid_duplicate,
    "uid-size-across-sessions": s_uid_size_across_sessions,
    "deleted-without-quit": s_deleted_without_quit,
    "multiline-framing": s_multiline_framing,
    "wrong-state-accepted": s_wrong_state_accepted,
    "capa-contradiction": s_capa_contradiction,
    "stls-not-honoured": s_stls_not_honoured,
    "auth-exchange": s_auth_exchange,
    "command-too-long": s_command_too_long,
    "login-delay": s_login_delay,
})


def main():
    if len(sys.argv) >= 3 and sys.argv[2] == "crowd-one":
        crowd_one(sys.argv[1], sys.argv[3])
        return 0
    if len(sys.argv) != 3 or sys.argv[2] not in SCEN:
        print(__doc__, file=sys.stderr)
        print("scenarios: " + " ".join(sorted(SCEN)), file=sys.stderr)
        return 2
    SCEN[sys.argv[2]](sys.argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
