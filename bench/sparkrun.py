"""Figures of one spark-submit for bench/scale.sh, from files the JVMs wrote:

  sparkrun.py gc FILE...      peak heap in MB over GC logs (-Xlog:gc): "before after", the most the
                              heap held when a collection started and the most it kept after one
  sparkrun.py events DIR      from Spark's event log(s) in DIR: memory and disk bytes spilled (sum
                              over tasks, MB) and the executors' peak JVM heap (MB, max over executors
                              other than the driver; "-" when there were none, as in local mode)
  sparkrun.py frames PID SECONDS [INTERVAL]
                              samples `jcmd PID Thread.print` every INTERVAL s (default 2) for SECONDS,
                              and prints the 15 most frequent top frames of Spark's task threads
                              ("Executor task launch worker") and of the driver's "main" thread, RUNNABLE ones only
"""
import collections
import json
import pathlib
import re
import subprocess
import sys
import time

UNITS = {"B": 1 / 2**20, "K": 1 / 2**10, "M": 1, "G": 2**10}
# e.g. "GC(12) Pause Young (Normal) (G1 Evacuation Pause) 1024M->310M(6144M) 12.3ms"
TRANSITION = re.compile(r"GC\(\d+\) .* (\d+)([BKMG])->(\d+)([BKMG])\(\d+[BKMG]\)")


def gc(files):
    before = after = 0.0
    for file in files:
        for line in pathlib.Path(file).read_text().splitlines():
            match = TRANSITION.search(line)
            if match:
                before = max(before, int(match[1]) * UNITS[match[2]])
                after = max(after, int(match[3]) * UNITS[match[4]])
    print(f"{before:.0f} {after:.0f}")


def events(directory):
    memory = disk = 0
    executor_heap = {}
    # Spark 4 writes an application's log as a directory of rolled files (events_N_...)
    for log in sorted(pathlib.Path(directory).rglob("events_*")):
        with open(log) as lines:
            for line in lines:
                event = json.loads(line)
                kind = event["Event"]
                if kind == "SparkListenerTaskEnd":
                    metrics = event.get("Task Metrics") or {}
                    memory += metrics.get("Memory Bytes Spilled", 0)
                    disk += metrics.get("Disk Bytes Spilled", 0)
                elif kind == "SparkListenerStageExecutorMetrics":
                    executor = event["Executor ID"]
                    heap = event["Executor Metrics"].get("JVMHeapMemory", 0)
                    executor_heap[executor] = max(executor_heap.get(executor, 0), heap)
    executors = [heap for executor, heap in executor_heap.items() if executor != "driver"]
    peak = f"{max(executors) / 2**20:.0f}" if executors else "-"
    print(f"{memory / 2**20:.0f} {disk / 2**20:.0f} {peak}")


def frames(pid, seconds, interval=2.0):
    counts = {"task": collections.Counter(), "main": collections.Counter()}
    samples = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = subprocess.run(["jcmd", pid, "Thread.print"], capture_output=True, text=True)
        # jcmd prints its own error to stdout when the JVM has ended
        if done.returncode != 0 or "Thread dump" not in done.stdout:
            break
        dump = done.stdout
        samples += 1
        for thread in dump.split("\n\n"):
            kind = "task" if thread.startswith('"Executor task launch worker') else "main" if thread.startswith('"main"') else None
            top = re.search(r"^\s+at (.+)$", thread, re.M)
            # a parked task thread is an idle slot, not work
            if kind and top and "State: RUNNABLE" in thread:
                counts[kind][top[1]] += 1
        time.sleep(interval)
    for kind, counter in counts.items():
        total = sum(counter.values())
        print(f"{kind} threads: {total} thread samples in {samples} dumps")
        for frame, n in counter.most_common(15):
            print(f"  {n / total:6.1%}  {frame}")


if __name__ == "__main__":
    commands = {"gc": lambda a: gc(a), "events": lambda a: events(a[0]), "frames": lambda a: frames(a[0], float(a[1]), *map(float, a[2:]))}
    commands[sys.argv[1]](sys.argv[2:])
