#!/usr/bin/python3
"""bench_serve client: RFC 8058 one-click POSTs, as a mail provider makes them.

  bench_serve.py BASE TOKENS_FILE CLIENTS

POSTs `List-Unsubscribe=One-Click` to BASE/TOKEN for every token of the file,
CLIENTS at a time, each on a new connection; prints

  ok N          answered 200
  seconds S     wall time of all the POSTs
  rate R        POSTs per second
  p50 MS / p99 MS  latency of one POST, in milliseconds
"""
import http.client
import sys
import threading
import time
import urllib.parse


def main():
    base, path, clients = sys.argv[1], sys.argv[2], int(sys.argv[3])
    tokens = [t.strip() for t in open(path) if t.strip()]
    url = urllib.parse.urlsplit(base)
    lock = threading.Lock()
    nxt = [0]
    lat = []
    ok = [0]
    errors = []

    def worker():
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= len(tokens):
                return
            t0 = time.perf_counter()
            try:
                c = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
                c.request("POST", f"{url.path}/{tokens[i]}", body="List-Unsubscribe=One-Click",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
                r = c.getresponse()
                r.read()
                c.close()
                status = r.status
            except OSError as e:
                status = str(e)
            dt = time.perf_counter() - t0
            with lock:
                lat.append(dt)
                if status == 200:
                    ok[0] += 1
                elif len(errors) < 5:
                    errors.append(status)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.perf_counter() - t0
    lat.sort()
    q = lambda p: 1000 * lat[min(len(lat) - 1, int(p * len(lat)))] if lat else 0
    print(f"ok {ok[0]}\nseconds {secs:.3f}\nrate {len(tokens) / secs:.1f}\n"
          f"p50 {q(0.50):.2f}\np99 {q(0.99):.2f}")
    if errors:
        print("errors", *errors, file=sys.stderr)


if __name__ == "__main__":
    main()
