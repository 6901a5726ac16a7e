"""Nightly nightcast run: one ``spark-submit`` of the shaded jar for logical date D.

What it runs
    ``spark-submit --class dev.nightcast.cli.Nightcast <jar> run --pipeline <yaml> --env <profile>
    --date D`` through the Spark connection ``NIGHTCAST_SPARK_CONN``. That one Spark application
    runs the night's six stages in order: ingest (D's actuals and D+1's schedule, checked against
    the expectations, bad rows quarantined, the kept rows profiled), features, train when due
    (split, tune, gate, register), score D+1, publish to Postgres, monitor (see README.md).

Why one task for the whole night, not one task per stage
    * Start-up cost: every stage as its own task would be its own Spark application, paying JVM and
      SparkSession start-up, the embedded Postgres start and the Delta log replay six times, and
      handing intermediate results over through storage. One application pays it once and keeps
      the night's data in one session.
    * Retries are safe at night granularity: every stage is idempotent per date (Delta
      ``replaceWhere ds = D``, a fresh versioned serving table switched in atomically, metrics keyed
      by D), so re-running a whole night never duplicates or half-publishes anything; a stage that
      already finished simply rewrites the same rows.
    * What on-call re-runs is a date, not a stage: "re-run 2001-01-16" is one action (clear the
      task, or trigger with ``run_date``), with no partial-stage state to reason about. The job's
      own logs and its ``runs`` Delta table tell which stage failed and why.
    The price is coarser retries (a failure in ``monitor`` re-does ``ingest``); at this data size
    that is minutes, and it buys the simpler operational model.

Retrain signal
    ``nightly_run`` passes ``--summary-file`` and returns the night's JSON summary as its XCom (status,
    stages, alerts per kind, ``retrain_due``). ``check_retrain_signal`` branches on it: when monitoring
    raised the retrain signal on D, ``retrain_signal_raised`` runs and logs why (the job itself trains
    on night D+1: that night has D+1's labels, so retraining is not a separate run); otherwise
    ``no_retrain_signal`` runs. The grid thus shows at a glance which nights raised the signal.

Retries
    3 retries, 5 min doubling up to 1 h (5, 10, 20 min), for failures a retry can fix: the job's
    internal error (exit 1, e.g. a lost executor, a full disk), 6 busy (another run of the pipeline
    holds the run lock, or another publisher the serving table's lock) or spark-submit itself
    failing. Exit codes a retry cannot fix fail the task at once, so on-call hears 35 minutes
    sooner: 2 bad usage, 3 bad config, 4 bad data (this includes a missing drop: re-run the date
    once it has landed), 5 failed promotion gate (see ``NON_RETRYABLE_EXIT_CODES``, which follows
    ``ExitCode.java``: the codes it marks not retryable).
    A failed task calls ``on_nightly_failure`` (the alerting hook; it logs the date, the cause and
    the re-run commands; plug a pager or chat notifier in there).

Dates
    The schedule is daily at 00:00 UTC with data intervals: the run for logical date D starts when
    D is over (D+1 00:00), which is when D's actuals and D+1's schedule have landed; the job gets
    ``--date D``. A manual run uses its ``run_date`` param when set (YYYY-MM-DD), else the run's
    logical date: the template is ``{{ params.run_date or ds }}``.

Re-running and backfilling (Airflow 3 CLI)
    * re-run one date:  ``airflow tasks clear nightcast_nightly -t nightly_run -s D -e D -y``
      or trigger a manual run with conf ``{"run_date": "D"}``;
    * a range through Airflow: ``airflow backfill create --dag-id nightcast_nightly --from-date A
      --to-date B`` (runs one date at a time: ``max_active_runs=1``, since a night builds on the
      previous nights' model and history);
    * ``catchup`` is off by default, so a newly deployed DAG does not start ~25 years of sample
      nights; set ``NIGHTCAST_CATCHUP=true`` to let the scheduler run every missed night since
      ``start_date`` (2001-01-15, the first night of the sample that can run);
    * a large range outside Airflow: one ``spark-submit ... backfill --from A --to B`` (README.md,
      "Running nights and backfills").
    Nights do not wait for the previous night (``depends_on_past=False``): tonight's predictions are
    published even if last night failed. After re-running a failed night D, re-run the nights after
    D as well (backfill D..latest) to get exactly what an unbroken sequence would have produced.

Configuration (environment of the DAG processor and the worker; read when the file is parsed)
    NIGHTCAST_HOME        project root (default: the parent of this DAG's folder)
    NIGHTCAST_JAR         shaded jar (default: $NIGHTCAST_HOME/jobs/target/nightcast.jar)
    NIGHTCAST_PIPELINE    pipeline YAML (default: $NIGHTCAST_HOME/conf/pipelines/flight_delay.yaml)
    NIGHTCAST_ENV         environment profile name or YAML path (default: local)
    NIGHTCAST_SPARK_CONN  Airflow Spark connection id (default: spark_default); the sample uses a
                          connection whose master is ``local[2]``. Its ``spark-submit`` must be on
                          the worker's PATH (the provider does not accept a path).
    NIGHTCAST_VAR_DIR     state directory of the local profile (default: $NIGHTCAST_HOME/var)
    NIGHTCAST_DRIVER_MEMORY  spark-submit --driver-memory (default: 2g)
    NIGHTCAST_DRIVER_CLASS_ARCHIVE  class-data archive the driver JVM starts from, written on the
                          worker by ``bin/driver-archive FILE`` (default: none); ~5 s less per start
    NIGHTCAST_CATCHUP     "true" to enable catchup (default: false)
NIGHTCAST_HOME and NIGHTCAST_VAR_DIR are also passed to the job's environment: the job resolves the
profile's relative paths against NIGHTCAST_HOME and keeps local state under NIGHTCAST_VAR_DIR.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pendulum
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, CronDataIntervalTimetable, Param, task
from airflow.sdk.exceptions import AirflowException, AirflowFailException

log = logging.getLogger(__name__)

DAG_ID = "nightcast_nightly"
TASK_ID = "nightly_run"
RETRAIN_TASK_ID = "retrain_signal_raised"
HEALTHY_TASK_ID = "no_retrain_signal"
MAIN_CLASS = "dev.nightcast.cli.Nightcast"

# Exit codes a retry cannot fix (the inputs or config must change first): those ExitCode.java marks
# not retryable (tests/test_dag_definition.py checks they agree). Every other code is retried:
# 1 internal error, 6 busy, and spark-submit's own failures. `nightcast run` never exits 7.
NON_RETRYABLE_EXIT_CODES = {
    2: "bad usage",
    3: "bad config",
    4: "bad data",
    5: "failed promotion gate",
    7: "a stage failed",
}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ERROR_CODE = re.compile(r"Error code is: (-?\d+)")


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


NIGHTCAST_HOME = _env("NIGHTCAST_HOME", str(Path(__file__).resolve().parent.parent))
NIGHTCAST_JAR = _env("NIGHTCAST_JAR", f"{NIGHTCAST_HOME}/jobs/target/nightcast.jar")
NIGHTCAST_PIPELINE = _env("NIGHTCAST_PIPELINE", f"{NIGHTCAST_HOME}/conf/pipelines/flight_delay.yaml")
NIGHTCAST_ENV = _env("NIGHTCAST_ENV", "local")
NIGHTCAST_SPARK_CONN = _env("NIGHTCAST_SPARK_CONN", "spark_default")
NIGHTCAST_VAR_DIR = _env("NIGHTCAST_VAR_DIR", f"{NIGHTCAST_HOME}/var")
NIGHTCAST_DRIVER_MEMORY = _env("NIGHTCAST_DRIVER_MEMORY", "2g")
NIGHTCAST_DRIVER_CLASS_ARCHIVE = _env("NIGHTCAST_DRIVER_CLASS_ARCHIVE", "")
NIGHTCAST_CATCHUP = _env("NIGHTCAST_CATCHUP", "false").lower() in ("1", "true", "yes")

# The date the job runs for: the run_date param of a manual run, else the run's logical date.
# (`| default('')`: a manual run without a logical date has no `ds`; execute() then fails clearly.)
RUN_DATE_TEMPLATE = "{{ params.run_date or ds | default('') }}"


def rerun_hint(run_date: str) -> str:
    """The commands on-call uses to re-run one night."""
    return (
        f"re-run it with: airflow tasks clear {DAG_ID} -t {TASK_ID} -s {run_date} -e {run_date} -y"
        f"  (or trigger {DAG_ID} with conf {{\"run_date\": \"{run_date}\"}})"
    )


def on_nightly_failure(context: dict[str, Any]) -> None:
    """Alerting hook: called once when the nightly task has failed for good (retries exhausted
    or a non-retryable exit code). Logs one line with everything on-call needs; replace or extend
    this to page or post to chat."""
    ti = context.get("ti") or context.get("task_instance")
    dag_run = context.get("dag_run")
    params = context.get("params") or {}
    run_date = params.get("run_date") or context.get("ds") or "<unknown date>"
    cause = str(context.get("exception") or "unknown (see the task log)")
    hint = rerun_hint(run_date)
    log.error(
        "NIGHTCAST NIGHTLY FAILED: dag=%s run=%s date=%s try=%s cause=%s%s",
        DAG_ID,
        getattr(dag_run, "run_id", None),
        run_date,
        getattr(ti, "try_number", None),
        cause,
        "" if hint in cause else f"; {hint}",
    )


class NightcastSubmitOperator(SparkSubmitOperator):
    """``SparkSubmitOperator`` that checks the run date, maps nightcast's exit codes (codes a retry
    cannot fix, ``NON_RETRYABLE_EXIT_CODES``, fail the task without retrying) and returns the
    night's summary (``nightcast run --summary-file``) as its XCom, for the retrain branch.

    The job writes the summary on the machine its driver runs on, so the connection's deploy mode
    must be ``client`` (the default)."""

    def execute(self, context: Any) -> dict[str, Any]:
        run_date = self._run_date()
        with tempfile.TemporaryDirectory(prefix="nightcast-summary-") as summary_dir:
            summary_file = Path(summary_dir) / "summary.json"
            self.application_args = [*self.application_args, "--summary-file", str(summary_file)]
            self._hook = None  # rebuilt from the arguments above
            try:
                super().execute(context)
            except AirflowException as error:
                code = self._exit_code(error)
                where = _failed_stage(summary_file)
                if code in NON_RETRYABLE_EXIT_CODES:
                    raise AirflowFailException(
                        f"Cannot run nightcast for {run_date}: the job exited {code} "
                        f"({NON_RETRYABLE_EXIT_CODES[code]}){where}, which a retry cannot fix; see the "
                        f"job's log above, fix the cause, then {rerun_hint(run_date)}"
                    ) from error
                if where:
                    log.error("nightcast %s exited %s%s", run_date, code, where)
                raise
            if not summary_file.is_file():
                raise AirflowException(
                    f"Cannot read the outcome of nightcast for {run_date}: the job succeeded but wrote no "
                    f"summary at {summary_file} (does the driver run on this worker? use deploy mode client)"
                )
            return json.loads(summary_file.read_text())

    def _run_date(self) -> str:
        args = [str(arg) for arg in (self.application_args or [])]
        run_date = args[args.index("--date") + 1] if "--date" in args[:-1] else ""
        if not _DATE.match(run_date):
            raise AirflowFailException(
                f"Cannot run nightcast: no valid run date (got {run_date!r}); trigger the run with "
                f'a logical date or with conf {{"run_date": "YYYY-MM-DD"}}'
            )
        return run_date

    def _exit_code(self, error: AirflowException) -> int | None:
        process = getattr(self._hook, "_submit_sp", None)
        if process is not None and process.returncode is not None:
            return process.returncode
        match = _ERROR_CODE.search(str(error))
        return int(match.group(1)) if match else None


def _failed_stage(summary_file: Path) -> str:
    """' in stage <s>: <message>' from a failed night's summary, or '' when no stage failed."""
    if not summary_file.is_file():
        return ""
    failed = [s for s in json.loads(summary_file.read_text()).get("stages", []) if s.get("status") == "failed"]
    return f" in stage {failed[-1]['stage']}: {failed[-1]['message']}" if failed else ""


def choose_retrain_branch(summary: dict[str, Any]) -> str:
    """The task to follow the night: ``retrain_signal_raised`` when monitoring raised the retrain
    signal on D (the job then trains on night D+1), else ``no_retrain_signal``."""
    return RETRAIN_TASK_ID if summary["retrain_due"] else HEALTHY_TASK_ID


def announce_retrain(summary: dict[str, Any]) -> str:
    """Makes the signal visible in the task log (and its XCom): why, and which night retrains."""
    next_night = pendulum.parse(summary["ds"]).add(days=1).to_date_string()
    message = (
        f"monitoring raised the retrain signal on {summary['ds']}: {summary['retrain_reason']}; "
        f"night {next_night} trains new candidates (alerts of the night: {summary['alerts']})"
    )
    log.warning("NIGHTCAST RETRAIN DUE: %s", message)
    return message


default_args = {
    "owner": "nightcast",
    "depends_on_past": False,
    "retries": 3,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(hours=1),
    # A hung night would hold the only active run slot (max_active_runs=1): stop it, then retry.
    "execution_timeout": timedelta(hours=8),
    "on_failure_callback": on_nightly_failure,
}

with DAG(
    dag_id=DAG_ID,
    description="Nightly nightcast run: ingest and validate, train when due, score, publish, monitor",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=pendulum.datetime(2001, 1, 15, tz="UTC"),
    catchup=NIGHTCAST_CATCHUP,
    max_active_runs=1,
    default_args=default_args,
    params={
        "run_date": Param(
            None,
            type=["null", "string"],
            pattern=r"^\d{4}-\d{2}-\d{2}$",
            format="date",
            title="Run date (YYYY-MM-DD)",
            description="Manual runs: the logical date D to run for. Empty: the run's logical date.",
        ),
    },
    tags=["nightcast", "spark"],
    doc_md=__doc__,
) as dag:
    nightly_run = NightcastSubmitOperator(
        task_id=TASK_ID,
        conn_id=NIGHTCAST_SPARK_CONN,
        application=NIGHTCAST_JAR,
        java_class=MAIN_CLASS,
        name="nightcast-" + RUN_DATE_TEMPLATE,
        application_args=[
            "run",
            "--pipeline",
            NIGHTCAST_PIPELINE,
            "--env",
            NIGHTCAST_ENV,
            "--date",
            RUN_DATE_TEMPLATE,
        ],
        conf={
            # Dates and timestamps are interpreted in UTC, like the schedule.
            "spark.sql.session.timeZone": "UTC",
            # The console progress bar only clutters the task log.
            "spark.ui.showConsoleProgress": "false",
            # nightcast's log layout (its steps at INFO, Spark at WARN), as bin/nightcast uses;
            # the class-data archive, if any (a driver that cannot map it starts without it, quietly).
            "spark.driver.extraJavaOptions": f"-Dlog4j.configurationFile={NIGHTCAST_HOME}/conf/log4j2.properties"
            + (f" -XX:SharedArchiveFile={NIGHTCAST_DRIVER_CLASS_ARCHIVE} -Xlog:cds*=off" if NIGHTCAST_DRIVER_CLASS_ARCHIVE else ""),
        },
        driver_memory=NIGHTCAST_DRIVER_MEMORY,
        env_vars={
            "NIGHTCAST_HOME": NIGHTCAST_HOME,
            "NIGHTCAST_VAR_DIR": NIGHTCAST_VAR_DIR,
        },
    )

    check_retrain_signal = task.branch(task_id="check_retrain_signal")(choose_retrain_branch)(nightly_run.output)
    retrain_signal_raised = task(task_id=RETRAIN_TASK_ID)(announce_retrain)(nightly_run.output)
    check_retrain_signal >> [retrain_signal_raised, EmptyOperator(task_id=HEALTHY_TASK_ID)]
