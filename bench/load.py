"""Load a running server with wrk: distinct stories, one route, requests/s and latency.

    python bench/load.py --url http://127.0.0.1:8000 [--path /v1/bullets]
        [--connections 16] [--threads 2] [--seconds 20]
        [--data ../shared/eval/val.jsonl,../shared/eval/bbc.jsonl]

Each request posts the next story of the data files (every wrk thread starts
at its own offset), so no two requests in a row carry the same article.
Start the server with the result cache off (``NEWSBRIEF_CACHE_BYTES=0``)
to measure the work, not the cache: a CMS's repeated saves are what the
cache is for. Needs ``wrk`` on the PATH (``apt-get install wrk``). Prints
requests/s, p50/p90/p99 latency, and socket errors and non-2xx answers;
with ``--master`` (the gunicorn master's pid), each worker's memory after
the load: peak RSS, RSS and PSS (shared pages split among their sharers).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SCRIPT = """
local bodies = {}
for line in io.lines(os.getenv("LOAD_BODIES")) do bodies[#bodies + 1] = line end
local threads = 0
function setup(thread)
  thread:set("offset", threads * 997)
  threads = threads + 1
end
function init(args)
  n = offset
end
function request()
  n = n + 1
  return wrk.format("POST", os.getenv("LOAD_PATH"),
    {["Content-Type"] = "application/json"}, bodies[(n % #bodies) + 1])
end
function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "connect": %d, "read": %d, "write": %d, "timeout": %d, '
    .. '"status": %d, "p50": %f, "p90": %f, "p99": %f}\\n',
    summary.requests, summary.duration / 1e6, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, summary.errors.status,
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3))
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--path", default="/v1/bullets")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--master", type=int, help="gunicorn master pid: print worker memory")
    parser.add_argument("--data", default="../shared/eval/val.jsonl,../shared/eval/bbc.jsonl")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    with tempfile.TemporaryDirectory() as folder:
        bodies = Path(folder) / "bodies.jsonl"
        count = 0
        with bodies.open("w", encoding="utf-8") as sink:
            for name in args.data.split(","):
                for line in Path(name).read_text(encoding="utf-8").splitlines():
                    if line.strip():
                        sink.write(json.dumps({"text": json.loads(line)["article"]}) + "\n")
                        count += 1
        script = Path(folder) / "load.lua"
        script.write_text(SCRIPT, encoding="utf-8")
        done = subprocess.run(
            ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s",
             "--timeout", "10s", "-s", str(script), args.url],
            capture_output=True, text=True, check=True,
            env={"LOAD_BODIES": str(bodies), "LOAD_PATH": args.path, "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    errors = sum(result[k] for k in ("connect", "read", "write", "timeout", "status"))
    print(
        f"{args.path}, {args.connections} connections, {args.seconds} s, {count} distinct stories: "
        f"{result['requests'] / result['seconds']:.0f} requests/s, p50 {result['p50']:.1f} ms, "
        f"p90 {result['p90']:.1f} ms, p99 {result['p99']:.1f} ms, {errors} errors "
        f"(non-2xx {result['status']}, timeouts {result['timeout']})"
    )
    if args.master:
        for pid in worker_pids(args.master):
            status = Path(f"/proc/{pid}/status").read_text().splitlines()
            fields = {
                line.split(":")[0]: line.split()[1] for line in status if len(line.split()) > 1
            }
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
            pss = next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
            print(
                f"worker {pid}: peak RSS {int(fields['VmHWM']) // 1024} MiB, "
                f"RSS {int(fields['VmRSS']) // 1024} MiB, PSS {pss // 1024} MiB"
            )


def worker_pids(master: int) -> list[int]:
    """Return the pids of the master's child processes (its workers)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sorted(int(pid) for pid in children)


if __name__ == "__main__":
    main()
