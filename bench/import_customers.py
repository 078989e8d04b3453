#!/usr/bin/env python3
"""Issue 23: `switchboard import customers` rows per second for 100,000 rows
(docs/performance.md). Starts the real binary on a fresh SQLite file with
declared attributes, writes a CSV (100,000 customers over 5,000
organisations, two attributes, every 100th row refused for a bad number),
imports it, then imports it again (every row unchanged), and prints both
runs' rows per second and the rejects counted.

Usage: bench/import_customers.py [--binary build/switchboard] [--rows 100000]
"""
import argparse, os, random, re, subprocess, tempfile, time

from local_server import LocalServer


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--binary', default='build/switchboard')
    p.add_argument('--rows', type=int, default=100_000)
    p.add_argument('--port', type=int, default=18723)
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix='sb_import_bench_')
    config = os.path.join(work, 'config.yaml')
    with open(config, 'w') as f:
        f.write('tiers: [standard, vip, enterprise]\n'
                'customers:\n  attributes:\n    - {name: lifetime_value, type: number}\n'
                '    - {name: plan, type: one_of, values: [free, pro, business]}\n')
    csv = os.path.join(work, 'customers.csv')
    rng = random.Random(23)
    with open(csv, 'w') as f:
        f.write('external_id,email,name,organization,tier,lifetime_value,plan\n')
        for i in range(args.rows):
            value = 'lots' if i % 100 == 99 else str(rng.randint(0, 9000))
            tier = 'vip' if i % 20 == 0 else ''
            f.write(f'crm-{i},c{i}@org{i % 5000}.example,Customer {i},Organisation {i % 5000},{tier},{value},'
                    f'{("free", "pro", "business")[i % 3]}\n')
    token = 'import-bench-token-0123456789'
    server = LocalServer(args.binary, os.path.join(work, 'db.sqlite'), token, args.port, config)
    try:
        for run in ('first', 'again'):
            started = time.monotonic()
            out = subprocess.run([args.binary, 'import', 'customers', csv, '--url', server.base, '--token', token,
                                  '--reject', os.path.join(work, 'rejects.csv')],
                                 capture_output=True, text=True)
            seconds = time.monotonic() - started
            summary = out.stdout.strip()
            print(f'{run}: {args.rows} rows in {seconds:.1f} s = {args.rows / seconds:,.0f} rows/s; {summary}')
            assert re.search(r'\d+ rejected', summary), out.stderr
    finally:
        server.stop()


if __name__ == '__main__':
    main()
