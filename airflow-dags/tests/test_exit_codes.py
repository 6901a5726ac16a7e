"""The nightly task as it runs on a worker: real spark-submit (from the venv's pyspark) launching a
jar, and the task's reaction to the job's exit code.

The jar here is a stand-in for the real one with the same main class, compiled by the test
(conftest.stand_in_jar): it records the arguments and environment it received, writes the summary
the test gives it (as `nightcast run --summary-file` does) and exits with the code the test asks
for, so that every exit code of the `nightcast run` and `nightcast maintain` contract can be
produced on demand. The real jar is exercised end to end in test_nightly_e2e.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import SPARK_LOCAL_CONN, VENV_BIN, install_pipeline


@pytest.fixture
def render_task(load_dag, stand_in_jar, monkeypatch, tmp_path):
    """Renders a task of the DAG for a run date, the DAG submitting the stand-in jar to local[2]."""
    from airflow.sdk.definitions.param import process_params

    monkeypatch.setenv("AIRFLOW_CONN_SPARK_DEFAULT", SPARK_LOCAL_CONN)
    monkeypatch.setenv("PATH", f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("STAND_IN_RECORD", str(tmp_path / "received.txt"))
    dag = load_dag(
        NIGHTCAST_HOME=str(install_pipeline(tmp_path / "home")),
        NIGHTCAST_VAR_DIR=str(tmp_path / "var"),
        NIGHTCAST_JAR=str(stand_in_jar),
        NIGHTCAST_DRIVER_MEMORY="512m",
    )

    def rendered(task_id, run_date):
        task = dag.get_task(task_id)
        task.render_template_fields({"params": process_params(dag, task, None, suppress_exception=False), "ds": run_date})
        return task

    return rendered


@pytest.fixture
def nightly_task(render_task):
    """The nightly task rendered for 2001-01-16."""
    return render_task("nightly_run", "2001-01-16")


SUMMARY = {"ds": "2001-01-16", "status": "succeeded", "exit_code": 0, "retrain_due": False}


def test_job_gets_the_arguments_and_environment_and_its_summary_is_the_xcom(nightly_task, monkeypatch, tmp_path):
    monkeypatch.setenv("STAND_IN_EXIT_CODE", "0")
    monkeypatch.setenv("STAND_IN_SUMMARY", json.dumps(SUMMARY))

    returned = nightly_task.execute({})

    received = (tmp_path / "received.txt").read_text().splitlines()
    summary_file = Path(received[received.index("--summary-file") + 1])
    assert received == [
        "run",
        "--pipeline", f"{tmp_path}/home/conf/pipelines/flight_delay.yaml",
        "--env", "local",
        "--date", "2001-01-16",
        "--summary-file", str(summary_file),
        f"NIGHTCAST_HOME={tmp_path}/home",
        f"NIGHTCAST_VAR_DIR={tmp_path}/var",
    ]  # fmt: skip
    assert returned == SUMMARY
    # a private temporary directory per try, removed afterwards
    assert summary_file.name == "summary.json" and summary_file.parent.name.startswith("nightcast-summary-")
    assert not summary_file.parent.exists()


def test_success_without_a_summary_fails_the_try(nightly_task, monkeypatch):
    from airflow.sdk.exceptions import AirflowException

    monkeypatch.setenv("STAND_IN_EXIT_CODE", "0")
    monkeypatch.delenv("STAND_IN_SUMMARY", raising=False)

    with pytest.raises(AirflowException, match="the job succeeded but wrote no summary"):
        nightly_task.execute({})


@pytest.mark.parametrize(
    "code, meaning", [(2, "bad usage"), (3, "bad config"), (4, "bad data"), (5, "failed promotion gate")]
)
def test_exit_codes_a_retry_cannot_fix_fail_without_retrying(nightly_task, monkeypatch, code, meaning):
    from airflow.sdk.exceptions import AirflowFailException

    monkeypatch.setenv("STAND_IN_EXIT_CODE", str(code))
    stages = [{"stage": "ingest", "status": "succeeded"}, {"stage": "features", "status": "failed", "message": "why"}]
    monkeypatch.setenv("STAND_IN_SUMMARY", json.dumps({"status": "failed", "exit_code": code, "stages": stages}))

    with pytest.raises(AirflowFailException) as failure:
        nightly_task.execute({})

    message = str(failure.value)
    assert f"Cannot run nightcast for 2001-01-16: the job exited {code} ({meaning}) in stage features: why," in message
    assert "airflow tasks clear nightcast_nightly -t nightly_run -s 2001-01-16 -e 2001-01-16" in message


def test_internal_error_is_left_to_the_retries(nightly_task, monkeypatch):
    from airflow.sdk.exceptions import AirflowException, AirflowFailException

    monkeypatch.setenv("STAND_IN_EXIT_CODE", "1")

    with pytest.raises(AirflowException, match="Error code is: 1") as failure:
        nightly_task.execute({})

    assert not isinstance(failure.value, AirflowFailException)


def test_run_without_any_date_fails_clearly(load_dag, monkeypatch):
    from airflow.sdk.definitions.param import process_params
    from airflow.sdk.exceptions import AirflowFailException

    monkeypatch.setenv("AIRFLOW_CONN_SPARK_DEFAULT", SPARK_LOCAL_CONN)
    dag = load_dag()
    task = dag.get_task("nightly_run")
    # A manual run triggered without a logical date has no `ds` in its context.
    task.render_template_fields({"params": process_params(dag, task, None, suppress_exception=False)})

    with pytest.raises(AirflowFailException, match="no valid run date"):
        task.execute({})


@pytest.fixture
def maintenance_task(render_task):
    """The weekly maintenance task; call it with a run date."""
    return lambda run_date: render_task("weekly_maintenance", run_date)


def try_number(number):
    """The task instance part of the context the task runner passes to execute()."""
    return {"ti": type("TaskInstance", (), {"try_number": number})()}


def test_maintenance_runs_maintain_on_the_maintenance_day(maintenance_task, monkeypatch, tmp_path):
    monkeypatch.setenv("STAND_IN_EXIT_CODE", "0")

    maintenance_task("2001-01-21").execute(try_number(1))

    assert (tmp_path / "received.txt").read_text().splitlines() == [
        "maintain",
        "--pipeline", f"{tmp_path}/home/conf/pipelines/flight_delay.yaml",
        "--env", "local",
        f"NIGHTCAST_HOME={tmp_path}/home",
        f"NIGHTCAST_VAR_DIR={tmp_path}/var",
    ]  # fmt: skip


def test_maintenance_is_skipped_without_submitting_on_other_days(maintenance_task, monkeypatch, tmp_path):
    from airflow.sdk.exceptions import AirflowSkipException

    monkeypatch.setenv("STAND_IN_EXIT_CODE", "0")

    with pytest.raises(AirflowSkipException, match="2001-01-22 is not a sunday"):
        maintenance_task("2001-01-22").execute(try_number(1))

    assert not (tmp_path / "received.txt").exists()


def test_busy_maintenance_is_retried_then_skipped_on_its_last_try(maintenance_task, monkeypatch):
    from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSkipException

    monkeypatch.setenv("STAND_IN_EXIT_CODE", "6")
    task = maintenance_task("2001-01-21")

    with pytest.raises(AirflowException) as busy:
        task.execute(try_number(task.retries))
    assert not isinstance(busy.value, (AirflowFailException, AirflowSkipException))
    assert busy.value.exit_code == 6 and "Cannot maintain the tables of flight_delay" in str(busy.value)

    with pytest.raises(AirflowSkipException, match="flight_delay stayed busy .* through 4 tries: maintenance skipped this week"):
        task.execute(try_number(task.retries + 1))


def test_maintenance_exit_codes_a_retry_cannot_fix_fail_without_retrying(maintenance_task, monkeypatch):
    from airflow.sdk.exceptions import AirflowFailException

    monkeypatch.setenv("STAND_IN_EXIT_CODE", "3")

    with pytest.raises(AirflowFailException) as failure:
        maintenance_task("2001-01-21").execute(try_number(1))

    assert failure.value.exit_code == 3
    assert str(failure.value).startswith("Cannot maintain the tables of flight_delay: the job exited 3 (bad config), which a retry")
    assert "re-run it with: airflow tasks clear nightcast_nightly -t weekly_maintenance -s 2001-01-21 -e 2001-01-21 -y" in str(failure.value)
