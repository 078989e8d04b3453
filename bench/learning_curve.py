#!/usr/bin/env python3
"""The learning curve of the triage loop (docs/triage.md), through the real
parts: the real binary on loopback with a real SQLite file and no model; the
shared tickets_train.csv replayed in file order, each ticket created and then
given its category by a person (a PATCH, which the server keeps as a
correction); then `switchboard train --from-db --limit N` for each N and
`switchboard eval` on tickets_test.csv. Prints a table and writes an SVG plot.

  bench/learning_curve.py [--binary build/switchboard] [--points 250,500,1000,2000,all] [--plot FILE.svg]
"""
import argparse, csv, json, os, subprocess, sys, tempfile, time

from local_server import LocalServer

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
data = os.path.join(root, '..', 'shared', 'data')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--binary', default=os.path.join(root, 'build', 'switchboard'))
    ap.add_argument('--points', default='250,500,1000,2000,all')
    ap.add_argument('--plot', default=os.path.join(root, 'docs', 'learning-curve.svg'))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix='sb_learning_')
    db = os.path.join(work, 'sb.db')
    token = 'learning-curve-admin-token-0123456789'
    port = 18000 + os.getpid() % 900
    server = LocalServer(args.binary, db, token, port)
    call = server.call
    try:
        rows = list(csv.DictReader(open(os.path.join(data, 'tickets_train.csv'), newline='')))
        started = time.time()
        for i, row in enumerate(rows, 1):
            t = call('POST', '/api/v1/tickets', {'subject': row['title'] or '(none)', 'body': row['body'] or '(none)'})
            call('PATCH', f"/api/v1/tickets/{t['id']}", {'category': row['category']})
            if i % 250 == 0 or i == len(rows):
                print(f'\rreplayed {i}/{len(rows)} corrections ({i / (time.time() - started):.0f}/s)', end='', file=sys.stderr)
        print(file=sys.stderr)
    finally:
        server.stop()

    points = [len(rows) if p == 'all' else int(p) for p in args.points.split(',')]
    results = []
    for n in points:
        model = os.path.join(work, f'm{n}.bin')
        subprocess.run([args.binary, 'train', '--from-db', '--db', db, '--label', 'category', '--limit', str(n),
                        '--holdout', '0', '--out', model], check=True, stderr=subprocess.DEVNULL)
        out = subprocess.run([args.binary, 'eval', '--model', model, '--data', os.path.join(data, 'tickets_test.csv'),
                              '--text', 'title,body', '--label', 'category', '--json'], check=True, capture_output=True, text=True).stdout
        e = json.loads(out[out.index('{'):])
        results.append((n, e['macro_f1'], e['accuracy'], e['coverage_at_90']))
        print(f'{n:>6} corrections: macro-F1 {e["macro_f1"]:.3f}, accuracy {e["accuracy"]:.3f}, '
              f'coverage at 90 % precision {e["coverage_at_90"]:.3f}', file=sys.stderr)
    print('| corrections | macro-F1 | accuracy | coverage at 90 % precision |')
    print('|---|---|---|---|')
    for n, f1, acc, cov in results:
        print(f'| {n:,} | {f1:.3f} | {acc:.3f} | {cov:.3f} |')
    if args.plot:
        write_plot(args.plot, results)
        print(f'plot: {args.plot}', file=sys.stderr)
    subprocess.run(['rm', '-rf', work])


def write_plot(path, results):
    w, h, left, bottom, top, right = 560, 320, 56, 44, 20, 130
    xs = [r[0] for r in results]
    x_max = max(xs)
    px = lambda n: left + (w - left - right) * n / x_max
    py = lambda v: top + (h - top - bottom) * (1 - v)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
             f'<rect width="{w}" height="{h}" fill="white"/>']
    for v in [0, 0.25, 0.5, 0.75, 1]:
        parts.append(f'<line x1="{left}" y1="{py(v):.1f}" x2="{w - right}" y2="{py(v):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{v:.2f}</text>')
    for n in xs:
        parts.append(f'<text x="{px(n):.1f}" y="{h - bottom + 16}" text-anchor="middle">{n:,}</text>')
    parts.append(f'<text x="{(left + w - right) / 2}" y="{h - 8}" text-anchor="middle">corrections learnt from (tickets_train.csv in file order)</text>')
    series = [('macro-F1', 1, '#2f6fed'), ('accuracy', 2, '#1f9d61'), ('coverage at 90 %', 3, '#d2372f')]
    for k, (name, col, colour) in enumerate(series):
        pts = ' '.join(f'{px(r[0]):.1f},{py(r[col]):.1f}' for r in results)
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for r in results:
            parts.append(f'<circle cx="{px(r[0]):.1f}" cy="{py(r[col]):.1f}" r="3" fill="{colour}"/>')
        parts.append(f'<text x="{w - right + 10}" y="{top + 16 + 18 * k}" fill="{colour}">{name}</text>')
    parts.append('</svg>')
    with open(path, 'w') as f:
        f.write('\n'.join(parts) + '\n')


if __name__ == '__main__':
    main()
