#!/usr/bin/python3
"""A throwaway Dovecot IMAP server for the end-to-end tests.

usage: imap_server.py DIR

Writes a Dovecot config under DIR (any user name logs in with the password
"secret"; mail in DIR/mail/<user> as Maildir), starts Dovecot in the
foreground on a free 127.0.0.1 port, prints "listening PORT" once it
accepts connections, and stops it when terminated. As root, Dovecot's own
users (dovenull, dovecot) run the login and mail processes.
"""
import os
import pwd
import signal
import socket
import subprocess
import sys
import time

root = os.path.abspath(sys.argv[1])
os.makedirs(os.path.join(root, "mail"), exist_ok=True)
os.makedirs(os.path.join(root, "run"), exist_ok=True)
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]

if os.geteuid() == 0:
    login_user, mail_user = "dovenull", "dovecot"
    mail = pwd.getpwnam(mail_user)
    for d in (os.path.join(root, "mail"),):
        os.chown(d, mail.pw_uid, mail.pw_gid)
    uid, gid, group = mail.pw_uid, mail.pw_gid, "dovecot"
else:
    me = pwd.getpwuid(os.geteuid())
    login_user = mail_user = me.pw_name
    uid, gid, group = me.pw_uid, me.pw_gid, None

config = f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/run/state
instance_name = sb{port}
default_login_user = {login_user}
default_internal_user = {mail_user}
{"default_internal_group = " + group if group else ""}
ssl = no
first_valid_uid = 1
first_valid_gid = 1
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
log_path = {root}/dovecot.log
passdb {{
  driver = static
  args = password=secret
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
conf = os.path.join(root, "dovecot.conf")
with open(conf, "w") as f:
    f.write(config)

# Its own process group, so that stopping takes every Dovecot process at once
# (a polite SIGTERM makes Dovecot wait seconds for its children).
child = subprocess.Popen(["/usr/sbin/dovecot", "-F", "-c", conf], start_new_session=True)


def stop(*_):
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    child.wait()
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
for _ in range(200):
    if child.poll() is not None:
        sys.exit("dovecot exited: see " + os.path.join(root, "dovecot.log"))
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            break
    except OSError:
        time.sleep(0.05)
print("listening", port, flush=True)
child.wait()
