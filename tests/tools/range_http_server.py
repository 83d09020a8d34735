#!/usr/bin/env python3
"""A small HTTP file server for fpt's download tests (stdlib only).

Serves files under --root at their relative path, so a fixture laid out as
<root>/<repository>/resolve/<revision>/<file> answers the Hugging Face URL layout. It supports
"Range: bytes=N-" / "bytes=N-M" (206, or 416 past the end) and answers 404 for anything else.
Per-file behaviour is set by sidecar files next to the served file:
  <file>.drop          "N [COUNT]": close the connection after N body bytes, for the first COUNT
                       requests of that file (every request when COUNT is absent)
  <file>.ignore_range  any content: answer Range requests with 200 and the whole file
With --redirect, /<path> answers 302 to /cdn/<path> (as the hub redirects to its CDN).
Every request is appended to --log as one JSON line: {"path", "range", "status"}.
Binds 127.0.0.1 on an ephemeral port (or --port) and prints the port on stdout.
"""
import argparse
import http.server
import json
import os
import re
import sys
import threading


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True)
    parser.add_argument("--log", default=None)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--redirect", action="store_true")
    args = parser.parse_args()
    root = os.path.realpath(args.root)
    lock = threading.Lock()
    request_counts = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one response per connection: a drop is a plain close

        def log_message(self, format, *log_args):  # keep the test output quiet
            pass

        def record(self, status):
            if args.log:
                entry = {"path": self.path, "range": self.headers.get("Range"), "status": status}
                with lock, open(args.log, "a") as log:
                    log.write(json.dumps(entry) + "\n")

        def reply_text(self, status, text, extra_headers=()):
            body = text.encode()
            self.record(status)  # logged before the client can see the reply: no read races
            self.send_response(status)
            for name, value in extra_headers:
                self.send_header(name, value)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if args.redirect and not path.startswith("/cdn/"):
                self.record(302)
                self.send_response(302)
                self.send_header("Location", "/cdn" + path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if path.startswith("/cdn/"):
                path = path[len("/cdn"):]
            local = os.path.realpath(os.path.join(root, path.lstrip("/")))
            if not local.startswith(root + os.sep) or not os.path.isfile(local):
                self.reply_text(404, "Entry not found")
                return
            size = os.path.getsize(local)
            with lock:
                request_counts[local] = request_counts.get(local, 0) + 1
                request_number = request_counts[local]
            drop_after = None
            if os.path.isfile(local + ".drop"):
                fields = open(local + ".drop").read().split()
                if len(fields) < 2 or request_number <= int(fields[1]):
                    drop_after = int(fields[0])
            begin, end, status = 0, size, 200
            range_header = self.headers.get("Range")
            if range_header and not os.path.exists(local + ".ignore_range"):
                match = re.fullmatch(r"bytes=(\d+)-(\d*)", range_header.strip())
                if match:
                    begin = int(match.group(1))
                    if match.group(2):
                        end = min(size, int(match.group(2)) + 1)
                    if begin >= size:
                        self.reply_text(416, "Range Not Satisfiable",
                                        [("Content-Range", "bytes */%d" % size)])
                        return
                    status = 206
            self.record(status)
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(end - begin))
            self.send_header("Accept-Ranges", "bytes")
            if status == 206:
                self.send_header("Content-Range", "bytes %d-%d/%d" % (begin, end - 1, size))
            self.end_headers()
            with open(local, "rb") as source:
                source.seek(begin)
                remaining = end - begin
                if drop_after is not None:
                    remaining = min(remaining, drop_after)
                while remaining > 0:
                    block = source.read(min(65536, remaining))
                    if not block:
                        break
                    self.wfile.write(block)
                    remaining -= len(block)
            self.wfile.flush()
            if drop_after is not None:
                self.close_connection = True

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
