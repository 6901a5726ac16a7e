"""(3) End to end: `airflow dags test` runs the nightly DAG through the real spark-submit (from the
venv's pyspark, master local[2]) with the real shaded jar, against the embedded PostgreSQL the job
starts, with Airflow's own sqlite metadata database in a temporary AIRFLOW_HOME. The serving table
is read back with `bin/nightcast db query`, as an application or on-call would.

The pipeline is the shipped one made cheap (conftest.write_small_pipeline: a 2-day training window,
the logistic baseline only) so that the whole story fits in a few minutes on 2 cores:
  * nights 2001-01-14..15 (the DAG starts on 01-15: Airflow creates no tasks for earlier logical
    dates) come first, in one `spark-submit ... backfill` (the way on-call runs a range); 01-14
    only builds the history that 01-15's delay rates need;
  * the DAG's scheduled night 2001-01-16 trains and promotes the first champion (v1) under
    spark-submit and publishes the first serving version: tomorrow's flights scored by v1;
  * a manual run with `run_date` 2001-01-17 moves the serving table to the next day; monitoring
    meets the first labelled predictions and (by the test's retrain rule) raises the retrain
    signal, which the DAG's branch shows.
Each of the two DAG nights updates the "predictions published" assets (test_dag_runs.py shows a
downstream DAG started by them). A bad environment profile then fails the run at once, without
retries, through the failure hook, and updates no asset.

Needs Java 17; builds the jar with Maven first when jobs/target/nightcast.jar is missing.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from deltalake import DeltaTable

from conftest import (
    DAG_ID,
    PROJECT_DIR,
    SPARK_LOCAL_CONN,
    VENV_BIN,
    airflow_cmd,
    assert_succeeded,
    free_port,
    run,
    scheduled_flights,
    serving_query,
    spark_env,
    spark_submit_backfill,
    write_small_pipeline,
)

pytestmark = pytest.mark.e2e

NIGHT_TIMEOUT_SECONDS = 900


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("nightcast-e2e")


@pytest.fixture(scope="module")
def night_env(airflow_db, driver_class_archive, work):
    """The environment of `airflow dags test`: the DAG's defaults (jar, `local` profile, connection
    `spark_default`) except for the cheap pipeline, the state directory, the Postgres port and the
    driver's class-data archive (as a worker with one written by bin/driver-archive)."""
    pipeline = write_small_pipeline(work / "flight_delay_small.yaml", retrain_on_first_monitored_night=True)
    return {
        **airflow_db,
        **spark_env(
            work / "var",
            free_port(),
            AIRFLOW_CONN_SPARK_DEFAULT=SPARK_LOCAL_CONN,
            NIGHTCAST_PIPELINE=str(pipeline),
            NIGHTCAST_DRIVER_CLASS_ARCHIVE=str(driver_class_archive),
        ),
    }


@pytest.fixture(scope="module")
def first_night(night_env, nightcast_jar, work):
    """Nights 2001-01-14..15 with one spark-submit backfill: features only, no model yet (01-14's
    rates have no history, so the 2-day window first holds two complete days on 01-16)."""
    command = spark_submit_backfill(nightcast_jar, night_env["NIGHTCAST_PIPELINE"], "2001-01-14", "2001-01-15")
    result = run(command, env=night_env, timeout=NIGHT_TIMEOUT_SECONDS, check=False)
    (work / "backfill-2001-01-14.log").write_text(result.stdout + result.stderr)
    assert_succeeded(result)
    assert "night 2001-01-14: no champion yet, nothing scored" in result.stdout
    assert "night 2001-01-15: no champion yet, nothing scored" in result.stdout
    return night_env


def dags_test(env, logical_date, log_file, *, conf=None, check=True):
    """`airflow dags test`, its output streamed to `log_file` (readable while it runs); returns
    (exit code, output)."""
    args = ["dags", "test", DAG_ID, logical_date]
    if conf is not None:
        args += ["--conf", json.dumps(conf)]
    with open(log_file, "w") as log:
        result = subprocess.run(
            [str(a) for a in airflow_cmd(*args)], env=env, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, timeout=NIGHT_TIMEOUT_SECONDS, cwd=PROJECT_DIR,
        )  # fmt: skip
    output = log_file.read_text(errors="replace")
    if check:
        assert result.returncode == 0, f"airflow dags test {logical_date} exited {result.returncode}\n{output[-6000:]}"
    return result.returncode, output


def dag_run(env, logical_date):
    """The DAG run with this logical date as the CLI reports it; its task instances by task id
    (state from the CLI; try number and the XCom returned by the task from the metadata database,
    which the CLI does not print)."""
    runs = json_output(run(airflow_cmd("dags", "list-runs", DAG_ID, "-o", "json"), env=env).stdout)
    matching = [r for r in runs if r["logical_date"].startswith(logical_date)]
    assert len(matching) == 1, runs
    run_id = matching[0]["run_id"]
    states = json_output(run(airflow_cmd("tasks", "states-for-dag-run", DAG_ID, run_id, "-o", "json"), env=env).stdout)
    tasks = {t["task_id"]: {"state": t["state"]} for t in states}
    with closing(sqlite3.connect(Path(env["AIRFLOW_HOME"]) / "airflow.db")) as db:
        for task_id, try_number in db.execute(
            "select task_id, try_number from task_instance where dag_id = ? and run_id = ?", (DAG_ID, run_id)
        ):
            tasks[task_id]["try_number"] = try_number
        for task_id, value in db.execute(
            "select task_id, value from xcom where dag_id = ? and run_id = ? and key = 'return_value'", (DAG_ID, run_id)
        ):
            tasks[task_id]["xcom"] = json.loads(value)
    return matching[0], tasks


def asset_events(env, run_id):
    """{asset name: extra} of the asset events the DAG run produced (metadata database)."""
    with closing(sqlite3.connect(Path(env["AIRFLOW_HOME"]) / "airflow.db")) as db:
        rows = db.execute(
            "select a.name, e.extra from asset_event e join asset a on a.id = e.asset_id"
            " where e.source_dag_id = ? and e.source_run_id = ?",
            (DAG_ID, run_id),
        ).fetchall()
    return {name: json.loads(extra) for name, extra in rows}


def json_output(stdout):
    return json.loads(stdout.strip().splitlines()[-1])


def serving_state(env):
    """(rows, first ds, last ds, model versions) of the serving view, and the published versions."""
    [[rows, min_ds, max_ds, models]] = serving_query(
        env,
        "select count(*), min(ds), max(ds), string_agg(distinct model_version::text, ',')"
        " from serving.flight_delay_predictions",
    )
    published = serving_query(
        env,
        "select version, ds, model_version, row_count from serving.publish_log"
        " where serving_table = 'flight_delay_predictions' and status = 'published' order by version",
    )
    return (int(rows), min_ds, max_ds, models), published


def test_dag_nights_train_publish_switch_the_serving_table_and_branch_on_retrain(first_night, work):
    env = first_night

    # Night 2001-01-16 as the scheduler would run it (logical date 2001-01-16): the first training.
    dags_test(env, "2001-01-16", work / "night-2001-01-16.log")

    run_1, tasks_1 = dag_run(env, "2001-01-16")
    assert run_1["state"] == "success"
    assert {t: (s["state"], s["try_number"]) for t, s in tasks_1.items()} == {
        "nightly_run": ("success", 1),
        "check_retrain_signal": ("success", 1),
        "no_retrain_signal": ("success", 1),
        "retrain_signal_raised": ("skipped", 0),
        "predictions_published": ("success", 1),
        "weekly_maintenance": ("skipped", 1),  # a Tuesday
    }
    summary_1 = tasks_1["nightly_run"]["xcom"]
    assert summary_1["ds"] == "2001-01-16" and summary_1["status"] == "succeeded"
    assert [(s["stage"], s["status"]) for s in summary_1["stages"]] == [
        (stage, "succeeded") for stage in ("ingest", "features", "train", "score", "publish", "monitor")
    ]
    assert (summary_1["trained"], summary_1["promoted_version"], summary_1["serving_model_version"]) == (True, 1, 1)
    assert summary_1["retrain_due"] is False
    flights_1 = scheduled_flights("2001-01-17")
    assert summary_1["predictions"] == flights_1 > 0
    # "predictions published": the serving view's asset and the metric tables', for downstream DAGs
    assert asset_events(env, run_1["run_id"]) == {
        "flight_delay.serving_view": {"ds": "2001-01-16", "serving_version": 1, "model_version": 1, "predictions": flights_1},
        "flight_delay.performance_daily": {"ds": "2001-01-16"},
        "flight_delay.drift_daily": {"ds": "2001-01-16"},
        "flight_delay.alerts": {"ds": "2001-01-16"},
    }
    assert serving_state(env) == (
        (flights_1, "2001-01-16", "2001-01-16", "1"),
        [["1", "2001-01-16", "1", str(flights_1)]],
    )

    # Night 2001-01-17 as on-call would trigger it: a manual run whose run_date param overrides its
    # logical date. No training (retrain_every_days 7); the champion v1 scores 2001-01-18. Its date
    # is made the weekly maintenance day (a Wednesday), so the real `nightcast maintain` runs after it.
    runs_table = work / "var" / "warehouse" / "flight_delay" / "runs"
    assert len(DeltaTable(str(runs_table)).file_uris()) > 1  # the nights' appends
    dags_test({**env, "NIGHTCAST_MAINTENANCE_DAY": "wednesday"}, "2001-03-01", work / "night-2001-01-17.log",
              conf={"run_date": "2001-01-17"})

    run_2, tasks_2 = dag_run(env, "2001-03-01")
    assert run_2["state"] == "success"
    assert {t: s["state"] for t, s in tasks_2.items()} == {
        "nightly_run": "success",
        "check_retrain_signal": "success",
        "retrain_signal_raised": "success",
        "no_retrain_signal": "skipped",
        "predictions_published": "success",
        "weekly_maintenance": "success",
    }
    # maintained after the night through spark-submit: the runs table's appends compacted into one
    # file, then vacuumed (the configured retention keeps the replaced files for now)
    runs = DeltaTable(str(runs_table))
    assert len(runs.file_uris()) == 1
    assert [h["operation"] for h in runs.history(4)] == ["VACUUM END", "VACUUM START", "SET TBLPROPERTIES", "OPTIMIZE"]
    assert date(2001, 1, 17) in runs.to_pyarrow_table().column("ds").to_pylist()
    summary_2 = tasks_2["nightly_run"]["xcom"]
    assert summary_2["ds"] == "2001-01-17"
    assert "train" not in [s["stage"] for s in summary_2["stages"]]
    assert (summary_2["trained"], summary_2["serving_model_version"], summary_2["published_version"]) == (False, 1, 2)
    assert summary_2["retrain_due"] is True
    assert summary_2["alerts"]["retrain"] == 1
    assert "training is due on 2001-01-18" in summary_2["retrain_reason"]
    assert tasks_2["retrain_signal_raised"]["xcom"].startswith("monitoring raised the retrain signal on 2001-01-17")
    flights_2 = scheduled_flights("2001-01-18")
    assert serving_state(env) == (
        (flights_2, "2001-01-17", "2001-01-17", "1"),
        [["1", "2001-01-16", "1", str(flights_1)], ["2", "2001-01-17", "1", str(flights_2)]],
    )



ANALYST_SESSION = """
import json, sys
from pyspark.sql import SparkSession
builder = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
for key, value in json.loads(sys.argv[1]).items():
    builder = builder.config(key, value)
spark = builder.getOrCreate()
tables = [r.tableName for r in spark.sql("show tables in flight_delay").collect()]
performance = spark.sql("select * from flight_delay.performance_daily")
schedule = spark.sql("select count(*) as n from flight_delay.raw_schedule").head().n
print(json.dumps({"tables": tables, "performance_rows": performance.count(), "performance_columns": performance.columns,
                  "raw_schedule_rows": schedule}))
"""


def readme_analyst_settings(var_dir: Path) -> dict[str, str]:
    """The Spark settings the README gives analysts (its pyspark command, run from the project
    directory), with `var_dir` as the var dir."""
    readme = (PROJECT_DIR / "README.md").read_text()
    block = readme[readme.index("pyspark --packages"):]
    block = block[: block.index("\n>>>")]
    settings = {"spark.jars.packages": re.search(r"--packages (\S+)", block).group(1)}
    for key, value in re.findall(r'--conf "?([^=\s]+)=([^"\s]+)"?', block):
        settings[key] = value.replace("$PWD/var", str(var_dir)).replace("$PWD", str(PROJECT_DIR))
    return settings


def test_analysts_read_the_tables_by_name_from_plain_pyspark_and_by_path_with_delta_rs(first_night, work):
    """After the nights above: a plain pyspark session (not nightcast's code), configured only with
    the README's settings, finds the pipeline's tables in the local metastore by name; delta-rs reads
    two of them by path and sees the same rows."""
    settings = readme_analyst_settings(work / "var")
    assert settings["spark.sql.catalogImplementation"] == "hive"
    result = run([VENV_BIN / "python", "-c", ANALYST_SESSION, json.dumps(settings)], env=first_night, timeout=600)
    by_name = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"performance_daily", "raw_schedule", "predictions", "models", "runs"} <= set(by_name["tables"])

    namespace = work / "var" / "warehouse" / "flight_delay"
    performance = DeltaTable(str(namespace / "performance_daily")).to_pyarrow_table()
    schedule = DeltaTable(str(namespace / "raw_schedule")).to_pyarrow_table()
    assert by_name["performance_rows"] == performance.num_rows > 0
    assert by_name["performance_columns"] == performance.column_names
    assert by_name["raw_schedule_rows"] == schedule.num_rows > 0


def test_bad_config_fails_at_once_and_calls_the_failure_hook(airflow_db, nightcast_jar, tmp_path):
    # a profile that exists but cannot be loaded (a profile that does not exist is a usage mistake, exit 2)
    bad_profile = tmp_path / "bad-profile.yaml"
    bad_profile.write_text("warehouse: wh\nlanding: landing\npostgres: {embedded: {data_dir: pg}}\nwarehous: typo\n")
    env = {
        **airflow_db,
        **spark_env(tmp_path / "var", free_port(), AIRFLOW_CONN_SPARK_DEFAULT=SPARK_LOCAL_CONN, NIGHTCAST_ENV=str(bad_profile)),
    }

    code, output = dags_test(env, "2001-01-18", tmp_path / "night-2001-01-18.log", check=False)

    assert code != 0, output[-4000:]
    run_, tasks = dag_run(env, "2001-01-18")
    assert run_["state"] == "failed"
    # Exit 3 (bad config) is not retried: one try, not up_for_retry; nothing downstream runs.
    assert (tasks["nightly_run"]["state"], tasks["nightly_run"]["try_number"]) == ("failed", 1)
    assert tasks["check_retrain_signal"]["state"] == "upstream_failed"
    assert tasks["predictions_published"]["state"] == "upstream_failed"
    assert asset_events(env, run_["run_id"]) == {}
    assert "the job exited 3 (bad config)" in output, output[-4000:]
    assert "NIGHTCAST NIGHTLY FAILED: dag=nightcast_nightly" in output, output[-4000:]
    assert "date=2001-01-18 try=1 cause=Cannot run nightcast for 2001-01-18" in output, output[-4000:]
