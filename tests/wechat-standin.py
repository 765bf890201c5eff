#!/usr/bin/env python3
"""A local stand-in for WeChat's server API, for the tests only.

Answers the three endpoints the service calls, with WeChat's documented
JSON shapes:

  GET  /sns/jscode2session?appid&secret&js_code&grant_type=authorization_code
  GET  /cgi-bin/token?grant_type=client_credential&appid&secret
  POST /wxa/business/getuserphonenumber?access_token=...  {"code": ...}

What a code does is in the code itself (the test chooses):
(a code is letters, digits, '-' and '_', as the service accepts):
  ok-<openid>   jscode2session answers that openid (and a session_key)
  phone-<digits>[-<cc>]  getuserphonenumber answers that number
  bad           errcode 40029 (invalid code)
  used          errcode 40163 (code been used)
  busy          errcode -1 (system busy)
  limit         errcode 45011 (rate limit)
  slow[-<ms>]   waits (default 5000 ms), then answers like ok-slowuser
  garbage       an answer that is not JSON
  status500     HTTP 500

Access tokens are "AT<n>", n counting cgi-bin/token calls.  Control:
  GET /control/stats    {"token_calls","session_calls","phone_calls","valid"}
  GET /control/expire   every token issued so far answers 40001 from now on

The app id and secret are checked (a wrong pair: 40125 / 40013).  The
stand-in logs nothing: no request line, no secret, no session_key.

usage: wechat-standin.py PORT APPID SECRET-FILE [SESSION-KEY-PREFIX]
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PORT = int(sys.argv[1])
APPID = sys.argv[2]
with open(sys.argv[3]) as f:
    SECRET = f.read().strip()
SK_PREFIX = sys.argv[4] if len(sys.argv) > 4 else "sk-standin-"

lock = threading.Lock()
state = {"token_calls": 0, "session_calls": 0, "phone_calls": 0,
         "valid": set()}


def behaviour(code):
    """Returns (kind, argument) for a code the test chose."""
    if code.startswith("ok-"):
        return "ok", code[3:]
    if code.startswith("phone-"):
        return "phone", code[6:]
    if code.startswith("slow"):
        ms = int(code[5:]) if code.startswith("slow-") else 5000
        return "slow", ms
    return code, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass  # nothing logged: the queries carry the secret

    def answer(self, obj, status=200, raw=None):
        body = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def err(self, code, msg):
        self.answer({"errcode": code, "errmsg": msg})

    def credentials_ok(self, q):
        if q.get("appid", [""])[0] != APPID:
            self.err(40013, "invalid appid")
            return False
        if q.get("secret", [""])[0] != SECRET:
            self.err(40125, "invalid appsecret")
            return False
        return True

    def common(self, kind, arg):
        """Answers the shared behaviours; True if answered."""
        if kind == "bad":
            self.err(40029, "invalid code")
        elif kind == "used":
            self.err(40163, "code been used")
        elif kind == "busy":
            self.err(-1, "system error")
        elif kind == "limit":
            self.err(45011, "api minute-quota reach limit")
        elif kind == "garbage":
            self.answer(None, raw=b"<html>not json{")
        elif kind == "status500":
            self.answer({"errcode": 0}, status=500)
        else:
            return False
        return True

    def do_GET(self):
        u = urlparse(self.path)
        q = parse_qs(u.query)
        if u.path == "/control/stats":
            with lock:
                s = dict(state)
                s["valid"] = sorted(state["valid"])
            self.answer(s)
        elif u.path == "/control/expire":
            with lock:
                state["valid"].clear()
            self.answer({"expired": True})
        elif u.path == "/sns/jscode2session":
            with lock:
                state["session_calls"] += 1
            if (not self.credentials_ok(q) or
                    q.get("grant_type", [""])[0] != "authorization_code"):
                return
            kind, arg = behaviour(q.get("js_code", [""])[0])
            if kind == "slow":
                time.sleep(arg / 1000.0)
                kind, arg = "ok", "slowuser"
            if self.common(kind, arg):
                return
            if kind != "ok":
                self.err(40029, "invalid code")
                return
            self.answer({"openid": arg,
                         "session_key": SK_PREFIX + arg,
                         "unionid": "u-" + arg})
        elif u.path == "/cgi-bin/token":
            if (not self.credentials_ok(q) or
                    q.get("grant_type", [""])[0] != "client_credential"):
                return
            with lock:
                state["token_calls"] += 1
                tok = "AT%d" % state["token_calls"]
                state["valid"].add(tok)
            self.answer({"access_token": tok, "expires_in": 7200})
        else:
            self.answer({"errcode": 404, "errmsg": "no such api"}, 404)

    def do_POST(self):
        u = urlparse(self.path)
        q = parse_qs(u.query)
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        if u.path != "/wxa/business/getuserphonenumber":
            self.answer({"errcode": 404, "errmsg": "no such api"}, 404)
            return
        with lock:
            state["phone_calls"] += 1
            valid = q.get("access_token", [""])[0] in state["valid"]
        if not valid:
            self.err(40001, "invalid credential, access_token is invalid")
            return
        try:
            code = json.loads(raw)["code"]
        except (ValueError, KeyError, TypeError):
            self.err(47001, "data format error")
            return
        kind, arg = behaviour(code)
        if kind == "slow":
            time.sleep(arg / 1000.0)
            kind, arg = "phone", "13900139999"
        if self.common(kind, arg):
            return
        if kind != "phone":
            self.err(40029, "invalid code")
            return
        num, _, cc = arg.partition("-")
        cc = cc or "86"
        self.answer({"errcode": 0, "errmsg": "ok", "phone_info": {
            "phoneNumber": num if cc == "86" else "+%s %s" % (cc, num),
            "purePhoneNumber": num, "countryCode": cc,
            "watermark": {"timestamp": int(time.time()), "appid": APPID}}})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


if __name__ == "__main__":
    Server(("127.0.0.1", PORT), Handler).serve_forever()
