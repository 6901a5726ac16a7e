"""(3) End to end: `airflow dags test` runs the nightly DAG through the real spark-submit (from the
venv's pyspark, master local[2]) with the real shaded jar, against the embedded PostgreSQL the job
starts, with Airflow's own sqlite metadata database in a temporary AIRFLOW_HOME. Then the serving
table is read back with `bin/nightcast db query`, as an application or on-call would.

Needs Java 17; builds the jar with Maven first when jobs/target/nightcast.jar is missing.
"""

from __future__ import annotations

import json
import os

import pytest

from conftest import (
    DAG_ID,
    JAR,
    PROJECT_DIR,
    SPARK_LOCAL_CONN,
    VENV_BIN,
    airflow_cmd,
    run,
)

pytestmark = pytest.mark.e2e

NIGHT_TIMEOUT_SECONDS = 1800
LAUNCHER = PROJECT_DIR / "bin" / "nightcast"


@pytest.fixture(scope="session")
def nightcast_jar():
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


def night_env(airflow_db, var_dir, **extra):
    return {
        **airflow_db,
        "AIRFLOW_CONN_SPARK_DEFAULT": SPARK_LOCAL_CONN,
        "NIGHTCAST_HOME": str(PROJECT_DIR),
        "NIGHTCAST_VAR_DIR": str(var_dir),
        # The provider runs `spark-submit` from PATH: the one in the venv, from pyspark 4.1.0.
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        **extra,
    }


def dags_test(env, logical_date, *, conf=None, check=True, log_to=None):
    args = ["dags", "test", DAG_ID, logical_date]
    if conf is not None:
        args += ["--conf", json.dumps(conf)]
    result = run(airflow_cmd(*args), env=env, timeout=NIGHT_TIMEOUT_SECONDS, check=check)
    if log_to is not None:
        log_to.write_text(result.stdout + "\n--- stderr ---\n" + result.stderr)
    return result


def dag_run(env, logical_date):
    """The DAG run with this logical date, as the CLI reports it, and its nightly task instance."""
    runs = json_output(run(airflow_cmd("dags", "list-runs", DAG_ID, "-o", "json"), env=env).stdout)
    matching = [r for r in runs if r["logical_date"].startswith(logical_date)]
    assert len(matching) == 1, runs
    tasks = json_output(
        run(
            airflow_cmd("tasks", "states-for-dag-run", DAG_ID, matching[0]["run_id"], "-o", "json"), env=env
        ).stdout
    )
    assert [t["task_id"] for t in tasks] == ["nightly_run"], tasks
    return matching[0], tasks[0]


def json_output(stdout):
    return json.loads(stdout.strip().splitlines()[-1])


def serving_query(env, sql):
    result = run([LAUNCHER, "db", "query", "--no-header", sql], env=env, timeout=300)
    return [line.split("\t") for line in result.stdout.strip().splitlines()]


def test_two_nights_publish_and_switch_the_serving_table(airflow_db, nightcast_jar, var_dir, tmp_path):
    env = night_env(airflow_db, var_dir)

    # Night 1: scheduled-style run for logical date 2001-01-16 (no champion yet: it trains first).
    dags_test(env, "2001-01-16", log_to=tmp_path / "night-2001-01-16.log")

    run_1, task_1 = dag_run(env, "2001-01-16")
    assert run_1["state"] == "success"
    assert task_1["state"] == "success"
    assert task_1["try_number"] == 1
    [[count_1, min_ds_1, max_ds_1]] = serving_query(
        env, "select count(*), min(ds), max(ds) from serving.flight_delay_predictions"
    )
    assert int(count_1) > 0
    assert (min_ds_1, max_ds_1) == ("2001-01-16", "2001-01-16")

    # Night 2: a manual run whose run_date param overrides its logical date.
    dags_test(env, "2001-03-01", conf={"run_date": "2001-01-17"}, log_to=tmp_path / "night-2001-01-17.log")

    run_2, task_2 = dag_run(env, "2001-03-01")
    assert run_2["state"] == "success"
    assert task_2["state"] == "success"
    [[count_2, min_ds_2, max_ds_2]] = serving_query(
        env, "select count(*), min(ds), max(ds) from serving.flight_delay_predictions"
    )
    assert int(count_2) > 0
    assert (min_ds_2, max_ds_2) == ("2001-01-17", "2001-01-17")

    # Each night published a new version; readers were switched to the latest one, the earlier
    # one stays for rollback.
    assert serving_query(
        env,
        "select version, ds, status, row_count from serving.publish_log"
        " where serving_table = 'flight_delay_predictions' order by version",
    ) == [
        ["1", "2001-01-16", "published", count_1],
        ["2", "2001-01-17", "published", count_2],
    ]


def test_bad_config_fails_at_once_and_calls_the_failure_hook(airflow_db, nightcast_jar, tmp_path):
    missing_profile = tmp_path / "no-such-profile.yaml"
    env = night_env(airflow_db, tmp_path / "var", NIGHTCAST_ENV=str(missing_profile))

    result = dags_test(env, "2001-01-18", check=False, log_to=tmp_path / "night-2001-01-18.log")

    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-4000:]
    run_, task = dag_run(env, "2001-01-18")
    assert run_["state"] == "failed"
    assert task["state"] == "failed"
    # Exit 3 (bad config) is not retried: one try, not up_for_retry.
    assert task["try_number"] == 1
    assert "the job exited 3 (bad config)" in output, output[-4000:]
    assert "NIGHTCAST NIGHTLY FAILED" in output and "date=2001-01-18" in output, output[-4000:]
