"""(5) Real Airflow runs of the DAG (`airflow dags test`, then one loop of the real scheduler) with
the stand-in jar (conftest.stand_in_jar) behind the real spark-submit, in an AIRFLOW_HOME of this
module's own whose DAG folder also holds a downstream DAG scheduled on "predictions published":

  * a night that publishes updates the assets (their events carry D and the serving version), and
    the scheduler starts the downstream DAG on them; on a Sunday the weekly maintenance runs after it;
  * a night that fails for good updates no asset, so the downstream DAG is not started again, and
    on-call gets the failure mail: SmtpNotifier through a real SMTP server (aiosmtpd) on loopback.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import signal
import sqlite3
import subprocess
import threading
from contextlib import closing
from pathlib import Path

import pytest

from conftest import DAG_ID, DAGS_DIR, PROJECT_DIR, SPARK_LOCAL_CONN, VENV_BIN, airflow_cmd, free_port, run

CONSUMER_DAG_ID = "predictions_consumer"
# What a downstream DAG writes to schedule on the shipped pipeline's published predictions.
CONSUMER_DAG = """
import pendulum
from airflow.sdk import DAG, Asset, task

with DAG(
    dag_id="predictions_consumer",
    schedule=Asset(name="flight_delay.serving_view", uri="x-nightcast://flight_delay/postgres/serving.flight_delay_predictions"),
    start_date=pendulum.datetime(2001, 1, 1, tz="UTC"),
    catchup=False,
):
    task(task_id="read_predictions")(lambda: None)()
"""
PUBLISHED_NIGHT = "2001-05-06"  # a Sunday: the weekly maintenance runs after the night
FAILED_NIGHT = "2001-05-08"
ONCALL = "oncall@example.org"
SIX_STAGES = ("ingest", "features", "train", "score", "publish", "monitor")


class Mailbox:
    """aiosmtpd handler keeping every message the server accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 Message accepted for delivery"


@pytest.fixture(scope="module")
def mailbox():
    """A real SMTP server on a free loopback port; yields (mailbox, port)."""
    from aiosmtpd.controller import Controller

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield box, controller.port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def airflow_env(stand_in_jar, mailbox, tmp_path_factory):
    """A migrated AIRFLOW_HOME whose DAG folder holds this DAG (a link) and the downstream DAG
    (unpaused); the DAG submits the stand-in jar to local[2] and mails failures to ONCALL."""
    _, smtp_port = mailbox
    home = tmp_path_factory.mktemp("airflow-home")
    dags = home / "dags"
    dags.mkdir()
    (dags / "nightcast_nightly.py").symlink_to(DAGS_DIR / "nightcast_nightly.py")
    (dags / "predictions_consumer.py").write_text(CONSUMER_DAG)
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW_CONN_SPARK_DEFAULT": SPARK_LOCAL_CONN,
        "AIRFLOW_CONN_SMTP_DEFAULT": json.dumps({
            "conn_type": "smtp", "host": "127.0.0.1", "port": smtp_port,
            "extra": {"from_email": "nightcast@example.org", "disable_ssl": True, "disable_tls": True, "retry_limit": 0},
        }),  # fmt: skip
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        "NIGHTCAST_JAR": str(stand_in_jar),
        "NIGHTCAST_VAR_DIR": str(home / "var"),
        "NIGHTCAST_DRIVER_MEMORY": "512m",
        "NIGHTCAST_NOTIFIER": "smtp",
        "NIGHTCAST_NOTIFY_TO": ONCALL,
    }
    run(airflow_cmd("db", "migrate"), env=env, timeout=300)
    run(airflow_cmd("dags", "reserialize"), env=env, timeout=300)
    run(airflow_cmd("dags", "unpause", CONSUMER_DAG_ID), env=env)
    return env


def night(env, logical_date, exit_code, summary, record):
    """`airflow dags test` of one night with the stand-in exiting `exit_code` after writing
    `summary`; returns the run's output (the stand-in's last arguments are in `record`)."""
    env = {**env, "STAND_IN_EXIT_CODE": str(exit_code), "STAND_IN_SUMMARY": json.dumps(summary), "STAND_IN_RECORD": str(record)}
    result = subprocess.run(
        [str(a) for a in airflow_cmd("dags", "test", DAG_ID, logical_date)], env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=600, cwd=PROJECT_DIR,
    )  # fmt: skip
    return result.stdout + result.stderr


def query(env, sql, *args):
    with closing(sqlite3.connect(Path(env["AIRFLOW_HOME"]) / "airflow.db")) as db:
        return db.execute(sql, args).fetchall()


def task_states(env, logical_date):
    return dict(query(
        env,
        "select ti.task_id, ti.state from task_instance ti join dag_run r on r.run_id = ti.run_id and r.dag_id = ti.dag_id"
        " where r.dag_id = ? and r.logical_date like ?",
        DAG_ID, f"{logical_date}%",
    ))  # fmt: skip


def asset_events(env, logical_date):
    """{asset name: extra} of the asset events the night's run produced."""
    rows = query(
        env,
        "select a.name, e.extra from asset_event e join asset a on a.id = e.asset_id join dag_run r on r.run_id = e.source_run_id"
        " where r.dag_id = ? and r.logical_date like ?",
        DAG_ID, f"{logical_date}%",
    )  # fmt: skip
    return {name: json.loads(extra) for name, extra in rows}


def consumer_runs(env):
    """(run type, [(asset name, serving version) of the events it consumed]) of each downstream run."""
    runs = query(env, "select id, run_type from dag_run where dag_id = ? order by id", CONSUMER_DAG_ID)
    return [
        (run_type, query(
            env,
            "select a.name, json_extract(e.extra, '$.serving_version') from dagrun_asset_event d"
            " join asset_event e on e.id = d.event_id join asset a on a.id = e.asset_id where d.dag_run_id = ?",
            run_id,
        ))
        for run_id, run_type in runs
    ]  # fmt: skip


def scheduler_loop(env):
    """One loop of the real scheduler: it turns queued asset events into downstream DAG runs.

    Waits for the loop's end, not the process's: after `--num-runs 1` the LocalExecutor's shutdown
    sometimes waits for ever on an idle worker (seen twice on 2026-12-07, each leaving its worker
    and log server behind), so the scheduler's whole process group is ended once the loop has."""
    process = subprocess.Popen(
        [str(c) for c in airflow_cmd("scheduler", "--num-runs", "1")], env=env, cwd=PROJECT_DIR, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    output = []
    loop_ended = threading.Event()

    def read():
        for line in process.stdout:
            output.append(line)
            if "Exiting scheduler loop as requested number of runs" in line:
                loop_ended.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        for _ in range(300):
            if loop_ended.wait(1) or process.poll() is not None:
                break
        if loop_ended.is_set():
            process.wait(timeout=30)  # the normal shutdown takes seconds
    except subprocess.TimeoutExpired:
        pass
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        reader.join(10)
    assert loop_ended.is_set(), "the scheduler loop did not end in 300 s:\n" + "".join(output)[-6000:]


@pytest.fixture(scope="module")
def published_night(airflow_env, tmp_path_factory):
    record = tmp_path_factory.mktemp("published") / "received.txt"
    summary = {
        "ds": PUBLISHED_NIGHT, "status": "succeeded", "exit_code": 0,
        "stages": [{"stage": s, "status": "succeeded"} for s in SIX_STAGES],
        "trained": True, "promoted_version": 2, "serving_model_version": 2, "predictions": 14250,
        "published_version": 9, "alerts": {}, "retrain_due": False, "retrain_reason": None,
    }  # fmt: skip
    output = night(airflow_env, PUBLISHED_NIGHT, 0, summary, record)
    return output, record


@pytest.fixture(scope="module")
def failed_night(airflow_env, published_night, tmp_path_factory):
    record = tmp_path_factory.mktemp("failed") / "received.txt"
    summary = {
        "ds": FAILED_NIGHT, "status": "failed", "exit_code": 4,
        "error": "Cannot ingest actuals for 2001-05-08: the drop is missing (landing/actuals/2001-05-08.parquet)",
        "stages": [{"stage": "ingest", "status": "failed", "rows_out": 0, "message": "the drop is missing"}],
        "log_file": "/srv/nightcast/var/logs/flight_delay/2001-05-08/run.log",
    }  # fmt: skip
    return night(airflow_env, FAILED_NIGHT, 4, summary, record)


def test_a_published_night_updates_the_assets_and_the_scheduler_starts_the_downstream_dag(airflow_env, published_night):
    output, record = published_night

    assert task_states(airflow_env, PUBLISHED_NIGHT) == {
        "nightly_run": "success",
        "check_retrain_signal": "success",
        "no_retrain_signal": "success",
        "retrain_signal_raised": "skipped",
        "predictions_published": "success",
        "weekly_maintenance": "success",
    }, output[-6000:]
    assert asset_events(airflow_env, PUBLISHED_NIGHT) == {
        "flight_delay.serving_view": {"ds": PUBLISHED_NIGHT, "serving_version": 9, "model_version": 2, "predictions": 14250},
        "flight_delay.performance_daily": {"ds": PUBLISHED_NIGHT},
        "flight_delay.drift_daily": {"ds": PUBLISHED_NIGHT},
        "flight_delay.alerts": {"ds": PUBLISHED_NIGHT},
    }
    # Sunday: maintenance ran after the night, through the same spark-submit (the stand-in's last call)
    assert record.read_text().splitlines()[:5] == [
        "maintain", "--pipeline", f"{PROJECT_DIR}/conf/pipelines/flight_delay.yaml", "--env", "local",
    ]  # fmt: skip

    scheduler_loop(airflow_env)

    assert consumer_runs(airflow_env) == [("asset_triggered", [("flight_delay.serving_view", 9)])]


def test_a_night_failed_for_good_updates_no_asset_and_starts_nothing_downstream(airflow_env, failed_night):
    assert task_states(airflow_env, FAILED_NIGHT) == {
        "nightly_run": "failed",
        "check_retrain_signal": "upstream_failed",
        "no_retrain_signal": "upstream_failed",
        "retrain_signal_raised": "upstream_failed",
        "predictions_published": "upstream_failed",
        "weekly_maintenance": "skipped",  # not a Sunday
    }, failed_night[-6000:]
    assert asset_events(airflow_env, FAILED_NIGHT) == {}
    assert query(airflow_env, "select count(*) from asset_dag_run_queue") == [(0,)]

    scheduler_loop(airflow_env)

    assert [run_type for run_type, _ in consumer_runs(airflow_env)] == ["asset_triggered"]


def test_a_night_failed_for_good_mails_on_call_the_stage_the_exit_code_and_the_rerun_commands(mailbox, failed_night):
    box, _ = mailbox

    assert len(box.messages) == 1, failed_night[-6000:]
    recipients, message = box.messages[0]
    assert recipients == [ONCALL]
    assert message["From"] == "nightcast@example.org"
    assert message["Subject"] == "nightcast flight_delay: night 2001-05-08 failed in stage ingest, exit 4 (bad data)"
    body = message.get_body(("html",)).get_content()
    assert body.startswith("<pre>") and body.rstrip().endswith("</pre>")
    lines = body.strip()[len("<pre>"):-len("</pre>")].replace("&#39;", "'").replace("&#34;", '"').splitlines()
    assert lines[0] == f"Pipeline: flight_delay ({PROJECT_DIR}/conf/pipelines/flight_delay.yaml, env local)"
    assert lines[1].startswith("Task: nightcast_nightly.nightly_run, run manual__") and lines[1].endswith(", try 1")
    assert lines[2].startswith(
        "Error: Cannot run nightcast for 2001-05-08: the job exited 4 (bad data) in stage ingest: the drop is missing,"
    )
    assert lines[3:] == [
        "Log: /srv/nightcast/var/logs/flight_delay/2001-05-08/run.log",
        "",
        "Fix the cause, then run it again with one of:",
        "  airflow tasks clear nightcast_nightly -t nightly_run -s 2001-05-08 -e 2001-05-08 -y",
        """  airflow dags trigger nightcast_nightly --conf '{"run_date": "2001-05-08"}'""",
        f"  bin/nightcast run --pipeline {PROJECT_DIR}/conf/pipelines/flight_delay.yaml --env local --date 2001-05-08",
    ]
