#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Scripted HTTP and HTTPS answers for tests/check_http_client.c.

A cloud API's misbehaviours, each on its own path, so the HTTP client meets
them for real: HTML error pages, resets, slow, truncated and huge answers,
failures that clear after N tries.  Python's standard library only.

    fixture-server.py [--cert PEM --key PEM]

listens on 127.0.0.1 (ports the kernel picks), prints one line
"http://127.0.0.1:P [https://127.0.0.1:Q]" and serves until SIGTERM or
until its stdin closes (the test that started it is gone), so it never
outlives its test.  Scripted state is counted per path: a test puts a key
of its own in the path ("/flaky/<key>?fail=1") to get fresh counts.
"""

import hashlib
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
SEEN = {}  # path without query -> requests received
CONNECTIONS = [0]
BLOCK = 64 * 1024


def count(path):
    with LOCK:
        SEEN[path] = SEEN.get(path, 0) + 1
        return SEEN[path]


def download_block(i):
    """Block i of a download: deterministic, not compressible."""
    return hashlib.sha256(str(i).encode()).digest() * (BLOCK // 32)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as API servers do

    def setup(self):
        if self.server.tls:
            # The handshake here, in the connection's thread: a client that
            # refuses the certificate only ends this connection.
            self.request = self.server.tls.wrap_socket(self.request,
                                                       server_side=True)
        super().setup()
        with LOCK:
            CONNECTIONS[0] += 1
            self.conn_id = CONNECTIONS[0]

    def finish(self):
        try:
            super().finish()
        finally:
            self.connection.close()

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, body=b"", ctype="application/json", headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self, hashes=()):
        left = int(self.headers.get("Content-Length", "0"))
        kept = []
        while left > 0:
            chunk = self.rfile.read(min(left, BLOCK))
            if not chunk:
                break
            left -= len(chunk)
            for h in hashes:
                h.update(chunk)
            if not hashes:
                kept.append(chunk)
        return b"".join(kept)

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        self.query = dict(urllib.parse.parse_qsl(url.query))
        parts = url.path.strip("/").split("/")
        self.nth = count(url.path)
        # Read every body, or keep-alive breaks on the next request.
        self.body = self.read_body() if parts[0] != "upload" else b""
        route = getattr(self, "r_" + parts[0].replace("-", "_"), None)
        if route is None:
            self.answer(404, {"error": {"message": "no route " + url.path}})
        else:
            route(parts[1:])

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    def r_json(self, args):
        if self.body:
            self.answer(201, {"received": json.loads(self.body),
                              "content_type":
                              self.headers.get("Content-Type")})
        else:
            self.answer(200, {"ok": True, "method": self.command})

    def r_echo(self, args):
        self.answer(200, {"conn": self.conn_id, "method": self.command,
                          "headers": dict(self.headers.items()),
                          "body": self.body.decode("utf-8", "replace")})

    def r_count(self, args):
        with LOCK:
            n = SEEN.get(self.query.get("path", ""), 0)
        self.answer(200, {"count": n})

    def r_status(self, args):
        code = int(args[0])
        self.answer(code, {"error": {"code": code, "title": "scripted",
                                     "message": "scripted answer %d" % code}})

    def r_html400(self, args):
        # What Glance answers to a bad disk_format (webob's error page).
        self.answer(400, "<html>\n <head>\n  <title>400 Bad Request</title>\n"
                    " </head>\n <body>\n  <h1>400 Bad Request</h1>\n  Invalid"
                    " disk format 'foo' for image.<br /><br />\n\n\n </body>"
                    "\n</html>", "text/html; charset=UTF-8")

    def r_text(self, args):
        self.answer(200, "all good\n", "text/plain")

    def r_badjson(self, args):
        self.answer(200, '{"image": {"id": "4f3e", "status":')

    def r_reflect(self, args):
        # A server that quotes what it got in its error (tokens included).
        token = self.headers.get("X-Auth-Token", "")
        self.answer(400, "rejected: token %s, body %s\n"
                    % (token, self.body.decode("utf-8", "replace")),
                    "text/plain")

    def r_session(self, args):
        # A login whose answer body is the session id (vSphere REST).
        self.answer(200, {"value": self.headers.get("X-Auth-Token", "")})

    def r_redirect(self, args):
        self.answer(302, "", None, [("Location", "http://other.invalid/x")])

    def r_flaky(self, args):
        fail = int(self.query.get("fail", "1"))
        if self.nth <= fail:
            code = int(self.query.get("code", "503"))
            extra = []
            if "retry_after" in self.query:
                extra.append(("Retry-After", self.query["retry_after"]))
            self.answer(code, "<html>busy</html>", "text/html", extra)
        else:
            self.answer(200, {"attempt": self.nth})

    def r_reset(self, args):
        if self.nth <= int(self.query.get("n", "1")):
            # Close with a TCP reset, without an answer.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        self.answer(200, {"attempt": self.nth})

    def r_slow(self, args):
        time.sleep(int(self.query.get("ms", "5000")) / 1000)
        self.answer(200, {"slow": True})

    def r_truncated(self, args):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b'{"partial": "xxxxxxxxxx')
        self.close_connection = True

    def r_huge(self, args):
        size = int(self.query.get("bytes", str(BLOCK)))
        chunked = self.query.get("chunked") == "1"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(size))
        self.end_headers()
        left = size
        while left > 0:
            part = b" " * min(left, BLOCK)
            left -= len(part)
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            else:
                self.wfile.write(part)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def r_upload(self, args):
        sha, md5 = hashlib.sha256(), hashlib.md5()
        self.read_body((sha, md5))
        self.answer(201, {"sha256": sha.hexdigest(), "md5": md5.hexdigest(),
                          "bytes": int(self.headers.get("Content-Length", 0)),
                          "method": self.command,
                          "content_type": self.headers.get("Content-Type")})

    def r_download(self, args):
        if self.nth <= int(self.query.get("fail", "0")):
            self.answer(503, {"error": {"message": "try again"}}, headers=[
                ("Retry-After", "0")])
            return
        blocks = int(self.query.get("mib", "1")) * (1024 * 1024 // BLOCK)
        sha, md5 = hashlib.sha256(), hashlib.md5()
        for i in range(blocks):
            sha.update(download_block(i))
            md5.update(download_block(i))
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(blocks * BLOCK))
        self.send_header("X-Sha256", sha.hexdigest())
        self.send_header("X-Md5", md5.hexdigest())
        self.end_headers()
        for i in range(blocks):
            self.wfile.write(download_block(i))


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, tls):
        self.tls = tls
        super().__init__(("127.0.0.1", 0), Handler)

    def handle_error(self, request, client_address):
        pass  # clients that hang up are what this server is for


def main():
    args = sys.argv[1:]
    tls = None
    if "--cert" in args:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args[args.index("--cert") + 1],
                            args[args.index("--key") + 1])
    servers = [Server(None)] + ([Server(tls)] if tls else [])
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print(" ".join("%s://127.0.0.1:%d" % ("https" if s.tls else "http",
                                          s.server_address[1])
                   for s in servers), flush=True)
    sys.stdin.buffer.read()
    os._exit(0)


if __name__ == "__main__":
    main()
