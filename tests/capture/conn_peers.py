#!/usr/bin/env python3
"""The peers of tests/capture/record_conn.sh and record_detect.sh: tiny
clients and servers that make the connections pop3mon must name. Each
mode is one side of one exchange; the script starts the servers in the
background (stopped by PID) and runs the client in the foreground.

  client-refused ADDR PORT        connect where nothing listens (RST)
  client-noanswer ADDR PORT SECS  connect where nothing answers; give up after SECS
  client-wait ADDR PORT SECS      connect, send nothing, close after SECS
  server-silent ADDR PORT         accept and say nothing (until killed)
  server-rst ADDR PORT SECS       accept, wait SECS, reset (SO_LINGER 0)
  server-fin ADDR PORT            accept and close at once (FIN, no greeting)
  client-pop3 ADDR PORT           greeting, CAPA, USER, PASS, STAT, QUIT
  server-pop3 ADDR PORT           a tiny POP3 server for client-pop3 (one session)
"""
import socket
import struct
import sys
import time


def listen(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(8)
    return s


def line(f):
    return f.readline().decode("ascii", "replace").rstrip("\r\n")


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    arg = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    if mode == "client-refused":
        c = socket.socket()
        try:
            c.connect((addr, port))
            print("unexpected: connected", file=sys.stderr)
            return 1
        except ConnectionRefusedError:
            print("refused, as wanted")
        return 0
    if mode == "client-noanswer":
        c = socket.socket()
        c.settimeout(arg)
        try:
            c.connect((addr, port))
            print("unexpected: connected", file=sys.stderr)
            return 1
        except (socket.timeout, TimeoutError):
            print("no answer in %.1f s, as wanted" % arg)
        return 0
    if mode == "client-wait":
        c = socket.create_connection((addr, port))
        c.settimeout(arg)
        try:
            data = c.recv(100)
            print("got %r" % data)
        except (socket.timeout, TimeoutError):
            print("no greeting in %.1f s, as wanted" % arg)
        except ConnectionResetError:
            print("reset, as wanted")
        c.close()
        return 0
    if mode == "client-pop3":
        c = socket.create_connection((addr, port))
        f = c.makefile("rb")
        print(line(f))
        for cmd in ("CAPA", "USER alice", "PASS alice-secret", "STAT", "QUIT"):
            c.sendall(cmd.encode() + b"\r\n")
            first = line(f)
            print(cmd.split()[0], "->", first)
            if cmd == "CAPA" and first.startswith("+OK"):
                while line(f) != ".":
                    pass
        c.close()
        return 0
    s = listen(addr, port)
    print("listening", flush=True)
    if mode == "server-silent":
        conns = []
        while True:
            conns.append(s.accept()[0])
    if mode == "server-rst":
        while True:
            c, _ = s.accept()
            time.sleep(arg)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.close()
    if mode == "server-fin":
        while True:
            c, _ = s.accept()
            c.close()
    if mode == "server-pop3":
        c, _ = s.accept()
        f = c.makefile("rb")
        c.sendall(b"+OK tiny POP3 ready\r\n")
        replies = {
            "CAPA": b"+OK Capability list follows\r\nUSER\r\nUIDL\r\n.\r\n",
            "USER": b"+OK\r\n",
            "PASS": b"+OK Logged in.\r\n",
            "STAT": b"+OK 2 320\r\n",
            "QUIT": b"+OK Logging out.\r\n",
        }
        while True:
            cmd = line(f)
            if not cmd:
                break
            kw = cmd.split()[0].upper()
            c.sendall(replies.get(kw, b"-ERR unknown command\r\n"))
            if kw == "QUIT":
                break
        c.close()
        return 0
    print("unknown mode " + mode, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
