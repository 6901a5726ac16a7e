"""(4) A backfill submitted with spark-submit to a Spark standalone cluster: a master and one worker
started on loopback from the venv's pyspark 4.1.0 distribution (the same `spark-class` a cluster
node runs), the real shaded jar in client deploy mode, executors writing the Delta tables, the
driver publishing to the embedded PostgreSQL.

Four nights of the cheap pipeline (conftest.write_small_pipeline): 2001-01-01 and 02 only build
features (01-01's delay rates have no history, so the 2-day window first holds two complete days on
01-03), 2001-01-03 trains and promotes the first champion and publishes, 2001-01-04 publishes again
and monitors the first labelled predictions. Then the Delta tables are read with `bin/nightcast sql`
and the serving table with `bin/nightcast db query`, as an analyst and on-call would, and the
master's own status page must show the application finished on it.

The master and the worker (and the executors the worker forks, in its process group) are stopped
whatever happens.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import (
    LAUNCHER,
    actual_flights,
    assert_succeeded,
    free_port,
    run,
    scheduled_flights,
    serving_query,
    spark_env,
    spark_home,
    spark_submit_backfill,
    write_small_pipeline,
)

pytestmark = pytest.mark.e2e

START_TIMEOUT_SECONDS = 120
BACKFILL_TIMEOUT_SECONDS = 900
NIGHTS = ("2001-01-01", "2001-01-02", "2001-01-03", "2001-01-04")


def start(command, env, log):
    # a session of its own: stopping it reaches every process it started (the worker's executors)
    return subprocess.Popen(
        [str(c) for c in command], env=env, stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def master_status(ui_port):
    with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json/", timeout=5) as response:
        return json.load(response)


def finished_apps(ui_port):
    """Names of the applications the master reports FINISHED (it learns of the end just after the
    driver stops, so this waits a little for it)."""
    deadline = time.monotonic() + 30
    while True:
        apps = [a["name"] for a in master_status(ui_port)["completedapps"] if a["state"] == "FINISHED"]
        if apps or time.monotonic() > deadline:
            return apps
        time.sleep(1)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A standalone master and one worker (1 core, 1 GB) on loopback; yields (master URL, UI port)."""
    work = tmp_path_factory.mktemp("spark-standalone")
    env = {**os.environ, "SPARK_HOME": spark_home(), "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_LOG_DIR": str(work / "logs")}
    spark_class = os.path.join(env["SPARK_HOME"], "bin", "spark-class")
    port, ui_port = free_port(), free_port()
    master_url = f"spark://127.0.0.1:{port}"
    processes = []
    try:
        with open(work / "master.log", "w") as log:
            processes.append(start(
                [spark_class, "org.apache.spark.deploy.master.Master",
                 "--host", "127.0.0.1", "--port", port, "--webui-port", ui_port],
                env, log,
            ))  # fmt: skip
        with open(work / "worker.log", "w") as log:
            processes.append(start(
                [spark_class, "org.apache.spark.deploy.worker.Worker",
                 "--host", "127.0.0.1", "--webui-port", free_port(), "--cores", "1", "--memory", "1g",
                 "--work-dir", work / "worker", master_url],
                env, log,
            ))  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            exited = [p.args[1] for p in processes if p.poll() is not None]
            assert not exited, f"{exited} exited at start; see {work}/*.log"
            try:
                if [w["state"] for w in master_status(ui_port)["workers"]] == ["ALIVE"]:
                    break
            except OSError:
                pass  # the master's UI is not up yet
            assert time.monotonic() < deadline, f"no worker registered within {START_TIMEOUT_SECONDS} s; see {work}/*.log"
            time.sleep(1)
        yield master_url, ui_port
    finally:
        for process in reversed(processes):
            stop(process)


def test_backfill_on_a_standalone_cluster_fills_the_delta_tables_and_the_serving_table(
    cluster, nightcast_jar, tmp_path
):
    master_url, ui_port = cluster
    pipeline = write_small_pipeline(tmp_path / "flight_delay_small.yaml")
    env = spark_env(tmp_path / "var", free_port(), NIGHTCAST_JAVA_OPTS="-Xmx1g")

    result = run(
        spark_submit_backfill(
            nightcast_jar, pipeline, NIGHTS[0], NIGHTS[-1], master=master_url,
            extra_args=("--deploy-mode", "client", "--executor-memory", "1g"),
        ),
        env=env, timeout=BACKFILL_TIMEOUT_SECONDS, check=False,
    )  # fmt: skip
    (tmp_path / "backfill.log").write_text(result.stdout + result.stderr)
    assert_succeeded(result)
    # each night's summary line ends by naming the night's own log file, kept next to the warehouse
    summaries = []
    for line, night in zip(result.stdout.splitlines()[-len(NIGHTS):], NIGHTS):
        summary, log = re.fullmatch(r"(.*) \(log: (\S+)\)", line).groups()
        assert Path(log).parent == tmp_path / "var" / "logs" / "flight_delay" / night and Path(log).is_file(), line
        summaries.append(summary)
    assert summaries == [
        "night 2001-01-01: no champion yet, nothing scored",
        "night 2001-01-02: no champion yet, nothing scored",
        f"night 2001-01-03: trained 1 candidates, promoted v1; {scheduled_flights('2001-01-04')} predictions by model v1,"
        " published as serving version 1",
        f"night 2001-01-04: {scheduled_flights('2001-01-05')} predictions by model v1, published as serving version 2",
    ]

    # It ran on the cluster: the master lists it (named by the job after its pipeline) as finished.
    assert finished_apps(ui_port) == ["nightcast-flight_delay"]

    # Delta tables, one row count per table and night (Spark SQL through bin/nightcast).
    tables = run(
        [LAUNCHER, "sql", "--pipeline", pipeline, "--tsv", "--limit", "1000",
         "select 'raw_schedule' as t, cast(ds as string) as ds, count(*) as n from raw_schedule group by ds"
         " union all select 'raw_actuals', cast(ds as string), count(*) from raw_actuals group by ds"
         " union all select 'predictions', cast(ds as string), count(*) from predictions group by ds"
         " union all select concat('models ', decision), cast(ds as string), count(*) from models group by decision, ds"
         " union all select 'performance', cast(ds as string), count(*) from performance_daily"
         "   where kind = 'realised' and slice_key is null group by ds"
         " union all select 'runs', cast(ds as string), count(distinct run_id) from runs"
         "   where status = 'succeeded' group by ds"
         " order by t, ds"],
        env=env, timeout=300,
    )  # fmt: skip
    counts = {tuple(line.split("\t")[:2]): int(line.split("\t")[2]) for line in tables.stdout.strip().splitlines()[1:]}
    # one model, promoted on the night the 2-day window filled with complete days; realised
    # performance from the night the first predictions met their labels
    expected = {("models promoted", "2001-01-03"): 1, ("performance", "2001-01-04"): 1}
    for night in NIGHTS:
        expected[("raw_actuals", night)] = actual_flights(night)
        expected[("runs", night)] = 1
    for night, tomorrow in zip(NIGHTS, ("2001-01-02", "2001-01-03", "2001-01-04", "2001-01-05")):
        expected[("raw_schedule", night)] = scheduled_flights(tomorrow)
        if night not in NIGHTS[:2]:
            expected[("predictions", night)] = scheduled_flights(tomorrow)
    assert counts == expected

    # The serving table holds the last night's predictions by the champion v1.
    assert serving_query(
        env,
        "select count(*), count(distinct flight_id), min(ds), max(ds), min(model_version), max(model_version)"
        " from serving.flight_delay_predictions",
    ) == [[str(scheduled_flights("2001-01-05"))] * 2 + ["2001-01-04", "2001-01-04", "1", "1"]]
