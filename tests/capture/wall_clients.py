#!/usr/bin/env python3
"""Drive the servers of tests/capture/record_wall.sh on a fixed timeline,
so that one capture shows every state of the wall (--wall):

    127.0.0.60  healthy (badpop3 clean): a session every 2 s       -> OK
    127.0.0.61  contradicting (badpop3 stat-list-count), 3 sessions -> ERROR
    127.0.0.62  rejecting logins (clean server, wrong password), 4  -> DEGRADED
    127.0.0.63  nothing listens: 3 connects refused (RST)           -> DOWN
    127.0.0.64  listens with a full accept queue and never accepts:
                the first connect is accepted by the kernel and never
                greeted, the next SYNs are never answered           -> DOWN
    127.0.0.65  accepts and says nothing (a silent server)          -> DOWN

Stdlib only. Prints one line per connection.
"""
import poplib
import socket
import sys
import threading
import time

PW = "secret"


def log(*a):
    print(*a)
    sys.stdout.flush()


def session(host, user, pw=PW):
    try:
        p = poplib.POP3(host, 110, timeout=5)
        try:
            p.user(user)
            p.pass_(pw)
            p.stat()
            p.list()
            p.uidl()
            log(host, user, "ok")
        except poplib.error_proto as e:
            log(host, user, "error", e)
        p.quit()
    except (OSError, poplib.error_proto) as e:
        log(host, user, "failed", e)


def raw_connect(host, wait):
    """Connect and wait `wait` seconds for a greeting that never comes."""
    s = socket.socket()
    s.settimeout(wait)
    try:
        s.connect((host, 110))
        try:
            s.recv(100)
            log(host, "greeted?")
        except socket.timeout:
            log(host, "no greeting in", wait, "s")
    except socket.timeout:
        log(host, "no answer in", wait, "s")
    except OSError as e:
        log(host, "connect:", e)
    finally:
        s.close()


def healthy(stop):
    i = 0
    while not stop.is_set():
        session("127.0.0.60", "alice%d" % (i % 3))
        i += 1
        stop.wait(2)


def main():
    stop = threading.Event()
    th = [threading.Thread(target=healthy, args=(stop,))]
    th[0].start()
    time.sleep(0.5)
    for u in ("bob", "carol", "dave"):
        session("127.0.0.61", u)
    time.sleep(1.5)
    for _ in range(3):
        raw_connect("127.0.0.63", 2)
        time.sleep(0.3)
    time.sleep(1)
    for u in ("erin", "frank", "grace", "heidi"):
        session("127.0.0.62", u, "wrong-password")
    time.sleep(1)
    # the silent server: the client waits longer than --greeting-timeout (10 s)
    t = threading.Thread(target=raw_connect, args=("127.0.0.65", 11.5))
    t.start()
    th.append(t)
    # the full queue: the first is accepted and never greeted, the others unanswered
    t = threading.Thread(target=raw_connect, args=("127.0.0.64", 11.5))
    t.start()
    th.append(t)
    time.sleep(0.5)
    for _ in range(2):
        raw_connect("127.0.0.64", 4)
    for t in th[1:]:
        t.join()
    stop.set()
    th[0].join()


if __name__ == "__main__":
    main()
