#!/usr/bin/env python3
"""slow_pop3.py - a POP3 server and client on loopback that leave a command
waiting, for the dashboard's "pending command" test (tests/e2e/ui_list_tmux.sh).

  slow_pop3.py server PORTFILE   listen on 127.0.0.1, a free port (written to
                                 PORTFILE); answer USER, PASS, STAT; to RETR
                                 send "+OK" and three body lines, then stall
                                 (the reply never ends) until killed
  slow_pop3.py client PORT       log in, STAT, RETR 1, then keep the
                                 connection open until killed

Both run until the test kills them by PID. Loopback only.
"""
import socket
import sys
import time


def server(portfile):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    import os
    os.rename(portfile + ".tmp", portfile)
    c, _ = ls.accept()
    c.sendall(b"+OK slow test server ready\r\n")
    buf = b""
    while True:
        data = c.recv(4096)
        if not data:
            return
        buf += data
        while b"\r\n" in buf:
            line, buf = buf.split(b"\r\n", 1)
            cmd = line.split(b" ")[0].upper()
            if cmd in (b"USER", b"PASS"):
                c.sendall(b"+OK\r\n")
            elif cmd == b"STAT":
                c.sendall(b"+OK 1 300\r\n")
            elif cmd == b"RETR":
                # the reply begins, then stalls: the dashboard shows the wait
                c.sendall(b"+OK 300 octets\r\nSubject: slow\r\n\r\nfirst body line\r\n")
                while True:
                    time.sleep(60)
            else:
                c.sendall(b"-ERR unknown\r\n")


def client(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.recv(4096)
    for cmd in (b"USER slowpoke", b"PASS secret", b"STAT"):
        s.sendall(cmd + b"\r\n")
        s.recv(4096)
        time.sleep(0.2)
    s.sendall(b"RETR 1\r\n")
    while True:
        time.sleep(60)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("server", "client"):
        sys.exit(__doc__)
    if sys.argv[1] == "server":
        server(sys.argv[2])
    else:
        client(int(sys.argv[2]))
