#!/usr/bin/env python3
"""Model swaps under load (docs/triage.md): the real binary on loopback
(SQLite) with a category model trained on the shared tickets; people's
corrections on 600 tickets it never saw; a candidate trained from them (the
newest 200 held out) with the serving model's history. Then wrk posts tickets (bench/post_ticket.lua) for SECONDS while
the candidate is put in place and checked SWAPS times through
POST /api/v1/triage/models/reload (each an accepted swap: the same model is
not worse than itself). Prints each swap's time (reading, scoring 200
corrections with both models, swapping), the reload request's latency, and
wrk's failed requests; a run without swaps first gives the latency to compare.

  bench/model_swap.py [--binary build/switchboard] [--seconds 20] [--swaps 10]
"""
import argparse, csv, os, re, shutil, statistics, subprocess, sys, tempfile, threading, time

from local_server import LocalServer

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
data = os.path.join(root, '..', 'shared', 'data')


def wrk(port, token, seconds):
    env = dict(os.environ, SWITCHBOARD_TOKEN=token)
    out = subprocess.run(['wrk', '-t2', '-c16', f'-d{seconds}s', '--latency', '-s', os.path.join(here, 'post_ticket.lua'),
                          f'http://127.0.0.1:{port}'], env=env, capture_output=True, text=True).stdout
    non2xx = re.search(r'Non-2xx or 3xx responses: (\d+)', out)
    errors = re.search(r'Socket errors: (.*)', out)
    p99 = re.search(r'99%\s+(\S+)', out)
    rps = re.search(r'Requests/sec:\s+(\S+)', out)
    return {'non2xx': int(non2xx.group(1)) if non2xx else 0, 'socket_errors': errors.group(1) if errors else 'none',
            'p99': p99.group(1) if p99 else '?', 'rps': rps.group(1) if rps else '?'}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--binary', default=os.path.join(root, 'build', 'switchboard'))
    ap.add_argument('--seconds', type=int, default=20)
    ap.add_argument('--swaps', type=int, default=10)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix='sb_swap_')
    model = os.path.join(work, 'category.bin')
    # The serving model learns from rows 2,000 on; people correct rows 0-599 (unseen by it).
    rows = list(csv.DictReader(open(os.path.join(data, 'tickets_train.csv'), newline='')))
    history = os.path.join(work, 'history.csv')
    with open(history, 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=['title', 'body', 'category'], extrasaction='ignore')
        w.writeheader()
        w.writerows(rows[2000:])
    subprocess.run([args.binary, 'train', '--data', history, '--label', 'category', '--out', model], check=True,
                   stderr=subprocess.DEVNULL)
    with open(os.path.join(work, 'config.yaml'), 'w') as f:
        f.write(open(os.path.join(root, 'config', 'load.yaml')).read())
        f.write(f'triage:\n  model: {model}\n  predicts: category\n  min_confidence: 0.99\n  model_check: {{holdout: 200}}\n')
    token = 'model-swap-admin-token-0123456789'
    port = 19000 + os.getpid() % 900
    db = os.path.join(work, 'sb.db')
    server = LocalServer(args.binary, db, token, port, os.path.join(work, 'config.yaml'))
    call = server.call
    try:
        for row in rows[:600]:  # the model is seldom 99 % sure: people set nearly every category (corrections)
            t = call('POST', '/api/v1/tickets', {'subject': row['title'] or '(none)', 'body': row['body'] or '(none)'})
            call('PATCH', f"/api/v1/tickets/{t['id']}", {'category': row['category']})
        candidate = os.path.join(work, 'candidate.bin')
        subprocess.run([args.binary, 'train', '--from-db', '--db', db, '--data', history, '--label', 'category', '--out', candidate],
                       check=True, stderr=subprocess.DEVNULL)
        print('without swaps:', wrk(port, token, args.seconds), file=sys.stderr)

        swaps, latencies = [], []
        result = {}
        load = threading.Thread(target=lambda: result.update(wrk(port, token, args.seconds)))
        load.start()
        time.sleep(1)
        gap = max(0.2, (args.seconds - 3) / args.swaps)
        for _ in range(args.swaps):
            shutil.copy(candidate, model + '.candidate')
            started = time.time()
            checks = call('POST', '/api/v1/triage/models/reload', {})['checks']
            latencies.append(time.time() - started)
            c = checks[0]
            print(('accepted: ' if c['accepted'] else 'refused: ') + c['reason'], file=sys.stderr)
            swaps.append(c['seconds'])
            time.sleep(gap)
        load.join()
        print('with swaps:   ', result, file=sys.stderr)
        print(f'{len(swaps)} swaps under load: swap (read + score 200 + swap) median {statistics.median(swaps) * 1000:.0f} ms, '
              f'max {max(swaps) * 1000:.0f} ms; reload request median {statistics.median(latencies) * 1000:.0f} ms; '
              f'failed requests during the run: {result["non2xx"]} non-2xx, socket errors {result["socket_errors"]}')
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
