"""Figures of one spark-submit for bench/scale.sh, from files the JVMs wrote:

  sparkrun.py gc FILE...      peak heap in MB over GC logs (-Xlog:gc): "before after", the most the
                              heap held when a collection started and the most it kept after one
  sparkrun.py events DIR      from Spark's event log(s) in DIR: memory and disk bytes spilled (sum
                              over tasks, MB) and the executors' peak JVM heap (MB, max over executors
                              other than the driver; "-" when there were none, as in local mode)
  sparkrun.py jfr FILE [FROM TO]
                              from a JFR recording (-XX:StartFlightRecording), the execution samples
                              between FROM and TO (HH:MM:SS): the share of executor tasks, main and
                              other threads, what the tasks were doing (the category of the frame
                              nearest the top of each stack) and the top frames
"""
import collections
import json
import pathlib
import re
import subprocess
import sys

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


# what a sampled executor task is doing: the category of the frame nearest the top of its stack
CATEGORIES = [
    ("hash join probe", r"HashedRelation\.get|UnsafeHashedRelation"),
    ("parquet write", r"ParquetWriteSupport|InternalParquetRecordWriter|ParquetOutputWriter|DynamicPartitionDataWriter|SingleDirectoryDataWriter"),
    ("csv parse", r"univocity|\.csv\."),
    ("parquet read", r"parquet\.hadoop|VectorizedParquet|parquet\.column|ParquetFileFormat|VectorizedPlain|VectorizedRle"),
    ("decimal arithmetic", r"BigDecimal|BigInteger|types\.Decimal|FloatingDecimal"),
    ("cache build/read", r"CachedBatch|columnar\.compression|ColumnBuilder|InMemoryTableScan|execution\.columnar\."),
    ("quantile/distinct sketches", r"TypedImperativeAggregate|ObjectAggregationIterator|ApproximatePercentile|HyperLogLog|QuantileSummaries"),
    ("window/sort", r"WindowExec|WindowEvaluator|UnsafeExternalRowSorter|UnsafeExternalSorter|Sorter\.sort"),
    ("hash aggregate", r"hashAgg_|AggregationIterator|HashAggregate"),
    ("shuffle write", r"ShuffleWriter|ShuffleExternalSorter|DiskBlockObjectWriter"),
    ("shuffle read", r"ShuffleBlockFetcher|ShuffledRowRDD|BlockStoreShuffleReader"),
    ("codegen compile", r"janino|CodeGenerator"),
    ("class loading", r"ClassLoader\.loadClass|defineClass"),
]


def jfr(file, start="00:00:00", end="99:99:99"):
    """Execution samples of a JFR recording between START and END (HH:MM:SS, the JVM's clock)."""
    dump = subprocess.Popen(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64", file], stdout=subprocess.PIPE, text=True)
    threads, categories, tops = collections.Counter(), collections.Counter(), collections.Counter()
    sample = None
    for line in dump.stdout:
        line = line.strip()
        if line.startswith("jdk.ExecutionSample"):
            sample = {"frames": []}
        elif sample is None:
            continue
        elif line.startswith("startTime ="):
            sample["time"] = line.split("=")[1].strip()[:8]
        elif line.startswith("sampledThread ="):
            sample["thread"] = line.split('"')[1]
        elif line == "stackTrace = [":
            sample["stack"] = True
        elif line == "]":
            sample["stack"] = False
        elif sample.get("stack") and line != "...":
            sample["frames"].append(re.sub(r"\s+line:.*", "", line))
        elif line == "}":
            if start <= sample.get("time", "") <= end and sample["frames"]:
                thread = sample.get("thread", "")
                kind = "executor tasks" if thread.startswith("Executor task launch worker") else "main" if thread == "main" else "other"
                threads[kind] += 1
                tops[sample["frames"][0]] += 1
                if kind == "executor tasks":
                    categories[next((name for frame in sample["frames"] for name, pattern in CATEGORIES if re.search(pattern, frame)), "other")] += 1
            sample = None
    dump.wait()
    total = sum(threads.values())
    if not total:
        print(f"  no execution samples between {start} and {end}")
        return
    print(f"  {total} samples: " + ", ".join(f"{kind} {n / total:.0%}" for kind, n in threads.most_common()))
    tasks = threads["executor tasks"]
    for name, n in categories.most_common(8):
        print(f"    {n / tasks:6.1%} of the executor tasks' samples  {name}")
    for frame, n in tops.most_common(5):
        print(f"    {n / total:6.1%} top frame  {frame[:150]}")


if __name__ == "__main__":
    commands = {"gc": lambda a: gc(a), "events": lambda a: events(a[0]), "jfr": lambda a: jfr(*a)}
    commands[sys.argv[1]](sys.argv[2:])
