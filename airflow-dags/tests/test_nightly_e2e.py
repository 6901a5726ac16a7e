"""(3) End to end: `airflow dags test` runs the nightly DAG through the real spark-submit (from the
venv's pyspark, master local[2]) with the real shaded jar, against the embedded PostgreSQL the job
starts, with Airflow's own sqlite metadata database in a temporary AIRFLOW_HOME. Then the serving
table is read back with `bin/nightcast db query`, as an application or on-call would.

The sample's history comes first: nights 2001-01-02..2001-01-15 in one `spark-submit ... backfill`
(the way on-call runs a range). The first champion is trained once the training window holds 14
labelled days, so night 2001-01-15 trains it and publishes the first serving version. Then the DAG
runs its nights and the serving table must move to each new date, holding one prediction per
flight of the next day's schedule drop.

Needs Java 17; builds the jar with Maven first when jobs/target/nightcast.jar is missing.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import socket
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from conftest import (
    DAG_ID,
    JAR,
    PROJECT_DIR,
    SPARK_LOCAL_CONN,
    VENV_BIN,
    airflow_cmd,
    assert_succeeded,
    run,
)

pytestmark = pytest.mark.e2e

NIGHT_TIMEOUT_SECONDS = 1800
LAUNCHER = PROJECT_DIR / "bin" / "nightcast"
PIPELINE = PROJECT_DIR / "conf" / "pipelines" / "flight_delay.yaml"
MAIN_CLASS = "dev.nightcast.cli.Nightcast"


@pytest.fixture(scope="session")
def nightcast_jar():
    """The shaded jar at the DAG's default path, built first when missing."""
    if not JAR.exists():
        run(["mvn", "-B", "-q", "-DskipTests", "package"], timeout=1800)
    assert JAR.exists(), f"`mvn package` did not produce {JAR}"
    assert os.access(LAUNCHER, os.X_OK), f"{LAUNCHER} is missing or not executable"
    return JAR


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory):
    """NIGHTCAST_VAR_DIR shared by the nights of this module: the Delta warehouse, the embedded
    Postgres data directory and the job's logs."""
    return tmp_path_factory.mktemp("nightcast-var")


@pytest.fixture(scope="module")
def pg_port():
    """A free loopback port for the embedded Postgres, so a server someone left running on the
    profile's default port cannot be mistaken for this test's."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def night_env(airflow_db, var_dir, pg_port, **extra):
    """The environment of `airflow dags test`: the DAG's defaults (jar, pipeline, `local` profile,
    connection `spark_default`) except for the state directory and the Postgres port."""
    import pyspark

    return {
        **airflow_db,
        "AIRFLOW_CONN_SPARK_DEFAULT": SPARK_LOCAL_CONN,
        "NIGHTCAST_HOME": str(PROJECT_DIR),
        "NIGHTCAST_VAR_DIR": str(var_dir),
        "NIGHTCAST_PG_PORT": pg_port,
        # The provider runs `spark-submit` from PATH: the one in the venv, from pyspark 4.1.0.
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        "SPARK_HOME": os.path.dirname(pyspark.__file__),
        "SPARK_LOCAL_IP": "127.0.0.1",
        **extra,
    }


@pytest.fixture(scope="module")
def sample_history(airflow_db, nightcast_jar, var_dir, pg_port, tmp_path_factory):
    """Nights 2001-01-02..2001-01-15 with one spark-submit backfill; returns the env of the nights."""
    env = night_env(airflow_db, var_dir, pg_port)
    result = run(
        [
            VENV_BIN / "spark-submit",
            "--master", "local[2]",
            "--driver-memory", "2g",
            "--conf", "spark.ui.showConsoleProgress=false",
            "--conf", f"spark.driver.extraJavaOptions=-Dlog4j.configurationFile={PROJECT_DIR}/conf/log4j2.properties",
            "--class", MAIN_CLASS,
            nightcast_jar,
            "backfill",
            "--pipeline", PIPELINE,
            "--env", "local",
            "--from", "2001-01-02",
            "--to", "2001-01-15",
        ],  # fmt: skip
        env=env,
        timeout=NIGHT_TIMEOUT_SECONDS,
        check=False,
    )
    (tmp_path_factory.mktemp("logs") / "backfill-2001-01-02..15.log").write_text(result.stdout + result.stderr)
    assert_succeeded(result)
    return env


def dags_test(env, logical_date, *, conf=None, check=True, log_to=None):
    args = ["dags", "test", DAG_ID, logical_date]
    if conf is not None:
        args += ["--conf", json.dumps(conf)]
    result = run(airflow_cmd(*args), env=env, timeout=NIGHT_TIMEOUT_SECONDS, check=False)
    if log_to is not None:
        log_to.write_text(result.stdout + "\n--- stderr ---\n" + result.stderr)
    if check:
        assert_succeeded(result)
    return result


def dag_run(env, logical_date):
    """The DAG run with this logical date as the CLI reports it, and its nightly task instance
    (state from the CLI, try number from the metadata database, which the CLI does not print)."""
    runs = json_output(run(airflow_cmd("dags", "list-runs", DAG_ID, "-o", "json"), env=env).stdout)
    matching = [r for r in runs if r["logical_date"].startswith(logical_date)]
    assert len(matching) == 1, runs
    run_id = matching[0]["run_id"]
    tasks = json_output(run(airflow_cmd("tasks", "states-for-dag-run", DAG_ID, run_id, "-o", "json"), env=env).stdout)
    assert [t["task_id"] for t in tasks] == ["nightly_run"], tasks
    with closing(sqlite3.connect(Path(env["AIRFLOW_HOME"]) / "airflow.db")) as db:
        [(try_number,)] = db.execute(
            "select try_number from task_instance where dag_id = ? and run_id = ? and task_id = 'nightly_run'",
            (DAG_ID, run_id),
        ).fetchall()
    return matching[0], {**tasks[0], "try_number": try_number}


def json_output(stdout):
    return json.loads(stdout.strip().splitlines()[-1])


def serving_query(env, sql):
    result = run([LAUNCHER, "db", "query", "--no-header", sql], env=env, timeout=300)
    return [line.split("\t") for line in result.stdout.strip().splitlines()]


def scheduled_flights(day):
    """Rows in the sample's schedule drop for `day` (read on night day-1): the flights to score."""
    drop = PROJECT_DIR / "data-samples" / "flights" / "schedule" / f"{day}.csv.gz"
    with gzip.open(drop, "rt", newline="") as rows:
        return sum(1 for _ in csv.reader(rows)) - 1  # minus the header


def serving_state(env):
    [[count, min_ds, max_ds]] = serving_query(
        env, "select count(*), min(ds), max(ds) from serving.flight_delay_predictions"
    )
    return int(count), min_ds, max_ds


def publish_log(env):
    return serving_query(
        env,
        "select version, ds, status, row_count from serving.publish_log"
        " where serving_table = 'flight_delay_predictions' and status = 'published' order by version",
    )


def test_dag_nights_publish_and_switch_the_serving_table(sample_history, tmp_path):
    env = sample_history
    _, before_min_ds, before_max_ds = serving_state(env)
    assert (before_min_ds, before_max_ds) == ("2001-01-15", "2001-01-15")
    latest_version = int(publish_log(env)[-1][0])

    # Night 2001-01-16 as the scheduler would run it: logical date 2001-01-16.
    dags_test(env, "2001-01-16", log_to=tmp_path / "night-2001-01-16.log")

    run_1, task_1 = dag_run(env, "2001-01-16")
    assert (run_1["state"], task_1["state"], task_1["try_number"]) == ("success", "success", 1)
    count_1, *days_1 = serving_state(env)
    assert days_1 == ["2001-01-16", "2001-01-16"]
    assert count_1 == scheduled_flights("2001-01-17") > 0

    # Night 2001-01-17 as on-call would trigger it: a manual run whose run_date param overrides
    # its logical date.
    dags_test(env, "2001-03-01", conf={"run_date": "2001-01-17"}, log_to=tmp_path / "night-2001-01-17.log")

    run_2, task_2 = dag_run(env, "2001-03-01")
    assert (run_2["state"], task_2["state"], task_2["try_number"]) == ("success", "success", 1)
    count_2, *days_2 = serving_state(env)
    assert days_2 == ["2001-01-17", "2001-01-17"]
    assert count_2 == scheduled_flights("2001-01-18") > 0

    # Each DAG night published one new version and switched readers to it.
    assert publish_log(env)[-2:] == [
        [str(latest_version + 1), "2001-01-16", "published", str(count_1)],
        [str(latest_version + 2), "2001-01-17", "published", str(count_2)],
    ]


def test_bad_config_fails_at_once_and_calls_the_failure_hook(airflow_db, nightcast_jar, pg_port, tmp_path):
    missing_profile = tmp_path / "no-such-profile.yaml"
    env = night_env(airflow_db, tmp_path / "var", pg_port, NIGHTCAST_ENV=str(missing_profile))

    result = dags_test(env, "2001-01-18", check=False, log_to=tmp_path / "night-2001-01-18.log")

    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-4000:]
    run_, task = dag_run(env, "2001-01-18")
    assert run_["state"] == "failed"
    assert task["state"] == "failed"
    # Exit 3 (bad config) is not retried: one try, not up_for_retry.
    assert task["try_number"] == 1
    assert "the job exited 3 (bad config)" in output, output[-4000:]
    assert "NIGHTCAST NIGHTLY FAILED: dag=nightcast_nightly" in output, output[-4000:]
    assert "date=2001-01-18 try=1 cause=Cannot run nightcast for 2001-01-18" in output, output[-4000:]
