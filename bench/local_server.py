"""The real binary on loopback for the Python benchmarks: started on a SQLite
file with an admin token, waited for (/healthz), called with JSON, stopped."""
import json, os, subprocess, time, urllib.request


class LocalServer:
    def __init__(self, binary, db, token, port, config=None):
        args = [binary, 'serve', '--db', db, '--listen', f'127.0.0.1:{port}', '--admin-token', token]
        if config:
            args += ['--config', config]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f'http://127.0.0.1:{port}'
        self.headers = {'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json'}
        for _ in range(100):
            try:
                urllib.request.urlopen(self.base + '/healthz')
                return
            except Exception:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError('the server did not start')

    def call(self, method, path, body=None):
        req = urllib.request.Request(self.base + path, method=method, headers=self.headers,
                                     data=json.dumps(body).encode() if body is not None else None)
        with urllib.request.urlopen(req) as res:
            return json.loads(res.read() or b'null')

    def stop(self):
        self.process.terminate()
        self.process.wait()
