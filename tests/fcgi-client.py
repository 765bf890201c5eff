#!/usr/bin/env python3
# A FastCGI client for the tests: sends one request straight to a
# responder's socket, as a web server would but with whatever parameters
# it is given (tests/e2e/headers.sh: what no web server of conf/ would
# pass on).  Usage:
#   fcgi-client.py SOCKET < PARAMS
# PARAMS: one parameter a line, NAME=VALUE (a value holds no newline);
# a line "@NAME=N*C" stands for the value C repeated N times.  Prints the
# responder's answer (its CGI head and body) as it came, and exits 0 once
# the request ended (FCGI_END_REQUEST), 1 if the connection closed first.
import socket
import struct
import sys

BEGIN, END, PARAMS, STDIN, STDOUT, STDERR = 1, 3, 4, 5, 6, 7
RESPONDER = 1


def record(kind, content, rid=1):
    out = b""
    # A record holds at most 65535 bytes: longer content is split.
    for i in range(0, max(len(content), 1), 65535):
        part = content[i:i + 65535]
        pad = (8 - len(part) % 8) % 8
        out += struct.pack(">BBHHBx", 1, kind, rid, len(part), pad) + part
        out += b"\0" * pad
    return out


def length(n):
    return struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 1 << 31)


def pairs(lines):
    out = b""
    for line in lines:
        line = line.rstrip("\n")
        if not line:
            continue
        name, _, value = line.partition("=")
        if name.startswith("@"):
            name = name[1:]
            n, _, c = value.partition("*")
            value = c * int(n)
        k, v = name.encode(), value.encode()
        out += length(len(k)) + length(len(v)) + k + v
    return out


def main():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    p = pairs(sys.stdin)
    s.sendall(record(BEGIN, struct.pack(">HB5x", RESPONDER, 0)) +
              record(PARAMS, p) + record(PARAMS, b"") + record(STDIN, b""))
    buf, out = b"", b""
    while True:
        while len(buf) >= 8:
            _, kind, _, n, pad = struct.unpack(">BBHHBx", buf[:8])
            if len(buf) < 8 + n + pad:
                break
            content, buf = buf[8:8 + n], buf[8 + n + pad:]
            if kind == STDOUT:
                out += content
            elif kind == END:
                sys.stdout.buffer.write(out)
                return 0
        chunk = s.recv(65536)
        if not chunk:
            sys.stdout.buffer.write(out)
            return 1
        buf += chunk


if __name__ == "__main__":
    sys.exit(main())
