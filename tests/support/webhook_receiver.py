#!/usr/bin/python3
"""A webhook receiver for the end-to-end tests, independent of our C++ code.

usage: webhook_receiver.py PORT SECRET_FILE OUT_FILE

Listens on 127.0.0.1:PORT (0 picks one; the port is printed as
"listening PORT"). For every POST it checks the Switchboard-Signature header
(HMAC-SHA256 over "<t>.<body>" with one of the secrets in SECRET_FILE, one
per line, read at each request; the
timestamp within 5 minutes), answers 400 when it does not hold, else 200,
and appends one JSON line per request to OUT_FILE: the event's id, type and
sequence, the delivery attempt, whether the signature held, and whether the
event id was seen before (the receiver's dedupe).
"""
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, secret_file, out_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
seen = set()
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(secret_file) as f:
            secrets = [line.strip() for line in f if line.strip()]
        fields = dict(p.split("=", 1) for p in self.headers.get("Switchboard-Signature", "").split(",") if "=" in p)
        signed = fields.get("t", "").encode() + b"." + body
        valid = ("v1" in fields and fields["t"].isdigit() and abs(time.time() - int(fields["t"])) < 300
                 and any(hmac.compare_digest(hmac.new(s.encode(), signed, hashlib.sha256).hexdigest(), fields["v1"])
                         for s in secrets))
        record = {"valid": valid, "attempt": int(self.headers.get("Switchboard-Delivery-Attempt", "0"))}
        if valid:
            event = json.loads(body)
            record.update(id=event["id"], type=event["type"], sequence=event["sequence"],
                          header_id=self.headers.get("Switchboard-Event-Id"))
        with lock:
            if valid:
                record["duplicate"] = record["id"] in seen
                seen.add(record["id"])
            with open(out_file, "a") as f:
                f.write(json.dumps(record) + "\n")
        self.send_response(200 if valid else 400)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
print("listening", server.server_address[1], flush=True)
server.serve_forever()
