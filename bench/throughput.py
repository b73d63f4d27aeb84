"""Drive the real service under gunicorn, configuration by configuration, in one run.

    python bench/make_shape_model.py --ct2      # once: random distilbart-shaped weights + ct2 copies
    python bench/throughput.py [--clients 8] [--duration 60] [--configs a,b,c,d,e]

For each configuration it starts ``newsbrief serve`` on a free loopback port,
waits for ``/readyz``, then runs N concurrent keep-alive clients over the
dev-set articles for a bounded time and prints articles/s, p50/p95/p99
latency, errors and peak RSS per worker, with each ratio to (a). Decoding is
fixed-length (min words = max words) so random weights do not change the work,
and the result cache is off so every request generates. Finally it measures
``POST /v1/bullets`` at 16 clients.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from percentile import percentile

CONFIGS: dict[str, tuple[str, dict[str, str]]] = {
    # The wrapper everyone writes: one process, one request at a time, fp32,
    # the card's beam search, whatever torch threads it gets.
    "a": (
        "naive",
        {
            "NEWSBRIEF_WORKERS": "1",
            "NEWSBRIEF_THREADS": "1",
            "NEWSBRIEF_BATCH_SIZE": "1",
            "NEWSBRIEF_TORCH_THREADS": "0",
            "NEWSBRIEF_QUANTIZE": "none",
        },
    ),  # fmt: skip
    # The default: with a CTranslate2 float32 copy on disk (make_shape_model.py
    # --ct2 writes one), one worker running a replica per core on one copy.
    "b": ("default", {}),
    "c": ("fastest", {"NEWSBRIEF_QUANTIZE": "ct2-int8", "NEWSBRIEF_NUM_BEAMS": "1"}),
    # CTranslate2 int8 with the card's beam search: decoding as in (a) and (b).
    "d": ("ct2 beam 4", {"NEWSBRIEF_QUANTIZE": "ct2-int8"}),
    "e": ("torch int8", {"NEWSBRIEF_QUANTIZE": "int8", "NEWSBRIEF_NUM_BEAMS": "1"}),
    # The default before issue 31: torch fp32, one worker per core.
    "t": ("torch fp32", {"NEWSBRIEF_QUANTIZE": "none"}),
    # The float32 copy in one worker per core: a copy of the weights each.
    "w": ("ct2 fp32 x2", {"NEWSBRIEF_WORKERS": "2"}),
}


@dataclass
class Outcome:
    latencies: list[float]
    errors: int
    elapsed: float

    def quantile(self, q: float) -> float:
        return percentile(self.latencies, q)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    full = {**os.environ, **env, "NEWSBRIEF_PORT": str(port), "HF_HUB_OFFLINE": "1"}
    handle = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve"], env=full, stdout=handle,
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("server exited during start-up")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("server not ready in time")


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def memory_mib(pid: int) -> dict[str, float]:
    """Return peak RSS (VmHWM), private anonymous RSS and PSS of a process, in MiB.

    Peak RSS counts the model file's page cache, which the kernel shares
    between workers (safetensors are mmapped) and can evict; RssAnon is what
    the worker holds privately; PSS splits shared pages between sharers.
    """
    found: dict[str, float] = {}
    for name in (f"/proc/{pid}/status", f"/proc/{pid}/smaps_rollup"):
        for line in Path(name).read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "RssAnon", "Pss"):
                found[key] = int(rest.split()[0]) / 1024
    return found


def drive(port: int, path: str, bodies: list[bytes], clients: int, duration: float) -> Outcome:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + duration
    counter = iter(range(10**9))

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        while time.monotonic() < stop_at:
            body = bodies[next(counter) % len(bodies)]
            started = time.perf_counter()
            try:
                connection.request("POST", path, body, {"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            with lock:
                if ok:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors[0] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Outcome(latencies, errors[0], time.monotonic() - started)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(120)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model-dir", default="bench/shape-models")
    parser.add_argument("--model", default="shape-distilbart")
    parser.add_argument("--data", default="../shared/eval/dev.jsonl")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--words", type=int, default=43, help="fixed summary length (~60 tokens)")
    parser.add_argument("--configs", default="a,b,c,d")
    parser.add_argument("--bullet-clients", type=int, default=16)
    parser.add_argument("--bullet-duration", type=float, default=20)
    parser.add_argument("--logs", type=Path, default=Path("/tmp"))
    args = parser.parse_args()

    with open(args.data, encoding="utf-8") as handle:
        articles = [json.loads(line)["article"] for line in handle if line.strip()]
    options = {
        "engine": "abstractive",
        "max_summary_words": args.words,
        "min_summary_words": args.words,
    }
    bodies = [json.dumps({"text": text, "options": options}).encode() for text in articles]
    base_env = {
        "NEWSBRIEF_MODEL_DIR": args.model_dir, "NEWSBRIEF_MODEL": args.model,
        "NEWSBRIEF_ENGINE": "abstractive", "NEWSBRIEF_CACHE_BYTES": "0",
        "NEWSBRIEF_TIMEOUT": "600", "NEWSBRIEF_REQUEST_TIMEOUT": "600",
        "NEWSBRIEF_QUEUE_SIZE": "1000", "NEWSBRIEF_LOG_LEVEL": "WARNING",
    }  # fmt: skip
    print(
        f"machine: {os.cpu_count()} cores; model {args.model}; {args.clients} clients; {args.duration:g} s each"
    )
    header = (
        f"{'config':14} {'art/s':>7} {'p50 s':>7} {'p95 s':>7} {'p99 s':>7} {'done':>5} {'err':>4} "
        f"{'peak RSS':>9} {'anon':>6} {'PSS':>6} {'PSS sum':>8} {'x (a)':>6}"
        "   (memory: MiB per worker, max; PSS sum: all workers)"
    )
    print(header)
    baseline = None
    last_port = None
    last_process = None
    for key in args.configs.split(","):
        label, env = CONFIGS[key]
        port = free_port()
        process = start({**base_env, **env}, port, args.logs / f"throughput-{key}.log")
        wait_ready(port, process)
        outcome = drive(port, "/v1/summaries", bodies, args.clients, args.duration)
        memories = [memory_mib(p) for p in worker_pids(process.pid)]
        peak = max((m.get("VmHWM", 0.0) for m in memories), default=0.0)
        anon = max((m.get("RssAnon", 0.0) for m in memories), default=0.0)
        pss = max((m.get("Pss", 0.0) for m in memories), default=0.0)
        total = sum(m.get("Pss", 0.0) for m in memories)
        rate = len(outcome.latencies) / outcome.elapsed
        baseline = baseline or rate
        print(
            f"({key}) {label:10} {rate:7.3f} {outcome.quantile(0.5):7.2f} {outcome.quantile(0.95):7.2f} "
            f"{outcome.quantile(0.99):7.2f} {len(outcome.latencies):5d} {outcome.errors:4d} "
            f"{peak:9.0f} {anon:6.0f} {pss:6.0f} {total:8.0f} {rate / baseline:6.2f}",
            flush=True,
        )
        if last_process is not None:
            stop(last_process)
        last_port, last_process = port, process
    if last_process is not None and last_port is not None:
        bullet_bodies = [json.dumps({"text": text}).encode() for text in articles]
        outcome = drive(
            last_port, "/v1/bullets", bullet_bodies, args.bullet_clients, args.bullet_duration
        )
        rate = len(outcome.latencies) / outcome.elapsed
        print(
            f"bullets endpoint, {args.bullet_clients} clients: {rate:.0f} req/s, "
            f"p50 {outcome.quantile(0.5) * 1000:.1f} ms, p99 {outcome.quantile(0.99) * 1000:.1f} ms, "
            f"errors {outcome.errors}"
        )
        stop(last_process)
    print(f"median of latencies is over completed requests; logs in {args.logs}")


if __name__ == "__main__":
    main()
