#!/usr/bin/python3
"""An SMTP server for the end-to-end tests (Debian's python3-aiosmtpd).

usage: smtp_sink.py MAILDIR

Listens on a free 127.0.0.1 port, printed as "listening PORT", and stores
every message it accepts in MAILDIR.
"""
import socket
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
controller = Controller(Mailbox(sys.argv[1]), hostname="127.0.0.1", port=port)
controller.start()
print("listening", port, flush=True)
while True:
    time.sleep(3600)
