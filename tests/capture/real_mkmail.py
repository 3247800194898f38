#!/usr/bin/env python3
"""Write the fixed maildirs for the real-server captures (record_real.sh).

Usage: real_mkmail.py MAILROOT
Creates MAILROOT/<user>/Maildir/{cur,new,tmp} for alice, bob, carol, dave.
Content is byte-identical on every run (no dates, no randomness), so LIST
sizes and UIDLs (pop3_uidl_format = %f, the file name) repeat.
Files are stored with LF line ends, as Dovecot expects; it sends CRLF.
"""
import os
import sys


def hdr(n, subj, extra=""):
    return (
        "Return-Path: <sender@example.org>\n"
        "From: Sender <sender@example.org>\n"
        "To: %s\n"
        "Subject: %s\n"
        "Date: Mon, 01 Jan 2024 10:%02d:00 +0000\n"
        "Message-ID: <pop3mon-real-%s@example.org>\n"
        "MIME-Version: 1.0\n"
        "%s" % (extra.split("|")[0], subj, n, extra.split("|")[1],
                extra.split("|")[2] if extra.count("|") > 1 else "")
    )


def plain(user, n, subj, body):
    return hdr(n, subj, "%s@example.org|%s-%d|Content-Type: text/plain; charset=us-ascii\n"
               % (user, user, n)) + "\n" + body


def big_body(target):
    # deterministic ~2 MB text: numbered 76-char lines
    lines = []
    size = 0
    i = 0
    alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    while size < target:
        i += 1
        fill = "".join(alpha[(i * 7 + k * 13) % 64] for k in range(64))
        line = "%010d %s" % (i, fill)
        lines.append(line)
        size += len(line) + 2
    return "\n".join(lines) + "\n"


def mime(user, n):
    b = "=_pop3mon_boundary_42"
    att = "".join("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\n" for _ in range(20))
    return hdr(n, "MIME multipart test",
               "%s@example.org|%s-%d|Content-Type: multipart/mixed; boundary=\"%s\"\n"
               % (user, user, n, b)) + (
        "\nThis is a multi-part message in MIME format.\n\n"
        "--%s\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
        "Hello Alice, gr\u00fc\u00dfe aus M\u00fcnchen.\nThe attachment is a small text file.\n\n"
        "--%s\nContent-Type: text/html; charset=us-ascii\n\n"
        "<html><body><p>Hello Alice</p></body></html>\n\n"
        "--%s\nContent-Type: application/octet-stream; name=\"abc.bin\"\n"
        "Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=\"abc.bin\"\n\n"
        "%s\n--%s--\n" % (b, b, b, att, b))


DOTS = (
    "This message has lines that begin with a dot, so the server must\n"
    "dot-stuff them on the wire (RFC 1939 section 3).\n"
    ".hidden line starting with one dot\n"
    "..line starting with two dots\n"
    ".\n"
    "The line above was a single dot; it goes out as '..'.\n"
    ". space after dot\n"
    "...\n"
    "last line\n"
)

MAIL = {
    "alice": [
        plain("alice", 1, "Small plain message",
              "Hi Alice,\n\nthis is a short plain text message.\n\n-- \nSender\n"),
        plain("alice", 2, "Large message (about 2 MB)", big_body(2 * 1024 * 1024)),
        mime("alice", 3),
        plain("alice", 4, "Lines beginning with a dot", DOTS),
        plain("alice", 5, "Fifth message", "Short body of the fifth message.\n"),
    ],
    "bob": [],
    "carol": [
        plain("carol", 1, "Carol one", "First message for Carol.\n"),
        plain("carol", 2, "Carol two", "Second message for Carol.\nIt has two lines.\n"),
        plain("carol", 3, "Carol three", "Third message for Carol.\n"),
    ],
    "dave": [
        plain("dave", 1, "Dave one", "Dave's only message.\n"),
    ],
}


def main():
    root = sys.argv[1]
    for user, msgs in MAIL.items():
        md = os.path.join(root, user, "Maildir")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(md, sub), exist_ok=True)
        for i, text in enumerate(msgs, 1):
            name = "17040672%02d.M%dP1.pop3mon-%s:2," % (i, i, user)
            with open(os.path.join(md, "cur", name), "wb") as f:
                f.write(text.encode("utf-8"))


if __name__ == "__main__":
    main()
