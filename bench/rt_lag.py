#!/usr/bin/env python3
"""Lag and throughput of the Request Tracker connector against a real RT
(scripts/rt): docs/performance.md, docs/connectors.md.

1. Lag: N tickets created through RT's REST2 at a steady rate (as root, a
   person's client); for each, the time from its creation call returning to
   Switchboard's owner appearing in RT (seen by watching RT's transactions
   every 50 ms). Prints p50, p90, p99, max.
2. Throughput: with every agent offline, M tickets are created and taken in
   (waiting); then the agents come online and the time until RT shows an
   owner on all M is the write-back rate.

  python3 bench/rt_lag.py [--tickets 500] [--rate 3] [--burst 300] [--poll 0.3]
"""
import argparse, base64, json, os, statistics, subprocess, sys, tempfile, threading, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from local_server import LocalServer  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Rt:
    def __init__(self, url, user='root', password='password'):
        self.base = url + '/REST/2.0'
        self.auth = 'Basic ' + base64.b64encode(f'{user}:{password}'.encode()).decode()

    def call(self, method, path, body=None):
        req = urllib.request.Request(self.base + path, method=method,
                                     headers={'Authorization': self.auth, 'Content-Type': 'application/json'},
                                     data=json.dumps(body).encode() if body is not None else None)
        with urllib.request.urlopen(req, timeout=60) as res:
            return json.loads(res.read() or b'null')

    def owner_changes(self, after):
        """The newest transaction id read (`after` when none) and the owner
        changes among them: (transaction id, ticket id, new owner id)."""
        items = self.call('POST', f'/transactions?per_page=100&orderby=id&order=ASC&fields=Type,Field,ObjectId,NewValue',
                          [{'field': 'ObjectType', 'value': 'RT::Ticket'}, {'field': 'id', 'operator': '>', 'value': str(after)}])
        items = items.get('items', [])
        newest = max([after] + [int(t['id']) for t in items])
        return newest, [(int(t['id']), str(t['ObjectId']), t['NewValue']) for t in items
                        if t.get('Type') == 'Set' and t.get('Field') == 'Owner']


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tickets', type=int, default=500)
    ap.add_argument('--rate', type=float, default=3.0, help='tickets created per second')
    ap.add_argument('--burst', type=int, default=300)
    ap.add_argument('--poll', type=float, default=0.3, help="the connector's poll_seconds")
    ap.add_argument('--binary', default=os.path.join(ROOT, 'build', 'switchboard'))
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix='sb_rt_bench_')
    rt_dir = os.path.join(work, 'rt')
    url = subprocess.run([os.path.join(ROOT, 'scripts', 'rt'), 'start', rt_dir], check=True, capture_output=True,
                         text=True).stdout.strip()
    server = None
    try:
        rt = Rt(url)
        agents = ['ada', 'bo', 'cy', 'di']
        for a in agents:
            rt.call('POST', '/user', {'Name': a, 'EmailAddress': f'{a}@rt.test', 'Privileged': 1})
        config = os.path.join(work, 'config.yaml')
        with open(config, 'w') as f:
            f.write('outbound: {allow_loopback: true}\nteams: [{name: Support}]\nagents:\n')
            for a in agents:
                f.write(f'  - {{name: {a}, email: {a}@rt.test, teams: [Support], capacity: {{email: 1000}}, presence: online}}\n')
            f.write(f'connectors:\n  - {{name: rt, type: request_tracker, url: "{url}", user: switchboard, '
                    f'password_env: RT_BENCH_PASSWORD, queues: {{General: Support}}, poll_seconds: {args.poll}}}\n')
        os.environ['RT_BENCH_PASSWORD'] = 'switchboard'
        server = LocalServer(args.binary, os.path.join(work, 'sb.db'), 'bench-admin-token-0123456789', 18231, config)
        time.sleep(2)  # the first sync

        # 1. Lag at a steady rate (--tickets 0: skipped).
        created, owned = {}, {}
        done = threading.Event()

        def watch():
            last = 0
            while not done.is_set() or len(owned) < len(created):
                try:
                    last, changes = rt.owner_changes(last)
                    for _, ticket, _ in changes:
                        owned.setdefault(ticket, time.monotonic())
                except Exception as e:  # RT busy: look again
                    print(f'  watch: {e}', file=sys.stderr)
                time.sleep(0.05)
                if done.is_set() and time.monotonic() - done_at[0] > 120:
                    break

        done_at = [0.0]
        watcher = threading.Thread(target=watch)
        watcher.start()
        start = time.monotonic()
        lock = threading.Lock()

        # A few clients (RT serves a handful of requests at once), each creating
        # its share on schedule: ticket i is due at start + i / rate.
        next_i = [0]

        def creator():
            while True:
                with lock:
                    i = next_i[0]
                    next_i[0] += 1
                if i >= args.tickets:
                    return
                time.sleep(max(0.0, start + i / args.rate - time.monotonic()))
                for attempt in range(5):
                    try:
                        t = rt.call('POST', '/ticket', {'Queue': 'General', 'Subject': f'bench {i}',
                                                        'Requestor': 'c@example.org', 'Content': 'lag'})
                        break
                    except Exception as e:
                        print(f'  create {i}: {e}', file=sys.stderr)
                        time.sleep(1)
                else:
                    continue
                with lock:
                    created[str(t['id'])] = time.monotonic()
                    if len(created) % 50 == 0:
                        print(f'  created {len(created)}/{args.tickets}, owned in RT {len(owned)}', file=sys.stderr,
                              flush=True)

        threads = [threading.Thread(target=creator) for _ in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        achieved = args.tickets / max(1e-9, time.monotonic() - start)
        done_at[0] = time.monotonic()
        done.set()
        watcher.join()
        lags = [owned[t] - c for t, c in created.items() if t in owned]
        if lags:
            print(f'lag from creation in RT to owner set in RT, {len(lags)}/{len(created)} tickets at {achieved:.2f}/s '
              f'(poll {args.poll} s): p50 {pct(lags, 50):.2f} s, p90 {pct(lags, 90):.2f} s, p99 {pct(lags, 99):.2f} s, '
                  f'max {max(lags):.2f} s')

        # 2. Write-back throughput: a backlog taken in while nobody is online, then released.
        ids = {a['name']: a['id'] for a in server.call('GET', '/api/v1/agents')['agents']}
        for a in agents:
            server.call('PATCH', f'/api/v1/agents/{ids[a]}', {'presence': 'offline'})
        print('  presence: ' + ', '.join(f"{a['name']} {a['presence']}" for a in server.call('GET', '/api/v1/agents')['agents']),
              file=sys.stderr)
        last_txn = 0
        while True:  # the newest transaction, to watch after it
            newest, _ = rt.owner_changes(last_txn)
            if newest == last_txn:
                break
            last_txn = newest
        burst = []
        t0 = time.monotonic()
        for i in range(args.burst):
            burst.append(str(rt.call('POST', '/ticket', {'Queue': 'General', 'Subject': f'burst {i}',
                                                         'Requestor': 'c@example.org', 'Content': 'x'})['id']))
        made = time.monotonic() - t0
        want = set(burst)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # all taken in (waiting)
            if sum(q['waiting'] for q in server.call('GET', '/api/v1/queues')['queues']) >= len(want):
                break
            time.sleep(0.2)
        t1 = time.monotonic()
        for a in agents:
            server.call('PATCH', f'/api/v1/agents/{ids[a]}', {'presence': 'online'})
        seen = set()
        while len(seen) < len(want) and time.monotonic() - t1 < 300:
            last_txn, changes = rt.owner_changes(last_txn)
            seen.update(ticket for _, ticket, _ in changes if ticket in want)
            time.sleep(0.05)
        took = time.monotonic() - t1
        print(f'write-back: {len(seen)}/{len(want)} owners set in RT in {took:.1f} s = {len(seen) / took:.1f} tickets/s '
              f'(RT took {made:.1f} s to create them one at a time = {len(want) / made:.1f}/s)')
    finally:
        if server:
            server.stop()
        subprocess.run([os.path.join(ROOT, 'scripts', 'rt'), 'stop', rt_dir])


if __name__ == '__main__':
    main()
