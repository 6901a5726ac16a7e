"""Nightly nightcast run: one ``spark-submit`` of the shaded jar for logical date D, the night's
outputs announced as Airflow assets, and the weekly table maintenance.

What it runs
    ``spark-submit --class dev.nightcast.cli.Nightcast <jar> run --pipeline <yaml> --env <profile>
    --date D`` through the Spark connection ``NIGHTCAST_SPARK_CONN``. That one Spark application
    runs the night's six stages in order: ingest, features, train, score, publish, monitor. Ingest
    reads D's actuals and D+1's schedule, checks them against the expectations, quarantines bad rows
    and profiles the kept ones; train runs when due (split, tune, gate, register); score predicts
    D+1; publish loads Postgres and switches the serving view; monitor computes D's performance,
    drift and alerts (see README.md).

Tasks
    nightly_run            the night (above); returns the night's JSON summary as its XCom
    check_retrain_signal   branches on the summary's ``retrain_due``: when monitoring raised the
                           retrain signal on D, to
    retrain_signal_raised  which logs why (the job itself trains on night D+1, which has D+1's
                           labels, so retraining is not a separate run), else to
    no_retrain_signal      so the grid shows at a glance which nights raised the signal
    predictions_published  updates the assets (below) when the night published
    weekly_maintenance     ``nightcast maintain`` once a week, after the night (below)

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

Assets (for downstream DAGs)
    When the night's summary shows publish and monitor succeeded, ``predictions_published`` updates
    four assets, named after the pipeline's ``name`` (read from its YAML when the DAG is parsed):
    ``<pipeline>.serving_view`` (URI ``x-nightcast://<pipeline>/postgres/<schema>.<table>``, the
    view applications read) and the metric tables ``<pipeline>.performance_daily``,
    ``<pipeline>.drift_daily``, ``<pipeline>.alerts`` (URI ``x-nightcast://<pipeline>/delta/<table>``;
    the asset names are the tables' catalog names). Each event's extra holds ``ds``; the view's also
    ``serving_version``, ``model_version`` and ``predictions``. A failed night, or one with no model
    to score with yet, updates none. A downstream DAG schedules on "predictions published" with
    the asset's name and URI, e.g.
    ``schedule=Asset(name="flight_delay.serving_view",
    uri="x-nightcast://flight_delay/postgres/serving.flight_delay_predictions")``.

Weekly maintenance
    ``weekly_maintenance`` runs ``nightcast maintain --pipeline <yaml> --env <profile>`` (compacts
    and vacuums the pipeline's Delta tables) through the same spark-submit, in the DAG run whose
    date D is a ``NIGHTCAST_MAINTENANCE_DAY``, after the night, whether the night succeeded or not;
    on the other nights it is skipped. In the same DAG run it cannot overlap the DAG's nights
    (``max_active_runs=1``: the next night waits for it). A night or backfill started outside
    Airflow holds the pipeline's run lock, and maintain then exits 6 (busy): the task retries 3 times
    (10 min doubling) and, still busy on its last try, is skipped; next week's run maintains. Its
    other exit codes are handled as the night's.

Retries
    3 retries, 5 min doubling up to 1 h (5, 10, 20 min), for failures a retry can fix: the job's
    internal error (exit 1, e.g. a lost executor, a full disk), 6 busy (another run of the pipeline
    holds the run lock, or another publisher the serving table's lock) or spark-submit itself
    failing. Exit codes a retry cannot fix fail the task at once, so on-call hears 35 minutes
    sooner: 2 bad usage, 3 bad config, 4 bad data (this includes a missing drop: re-run the date
    once it has landed), 5 failed promotion gate (see ``NON_RETRYABLE_EXIT_CODES``, which follows
    ``ExitCode.java``: the codes it marks not retryable).

Failure notifications
    A task that failed for good (retries used up, or a code not retried) calls ``on_task_failure``:
    it logs one line (``NIGHTCAST NIGHTLY FAILED: ...``) and sends a message through the notifier
    ``NIGHTCAST_NOTIFIER`` chooses. Its subject names the pipeline, the date, the failed stage and
    the exit code; its body the error, the run's log file and the re-run commands. ``log`` (the
    default) sends nothing more; ``smtp`` mails it with Airflow's ``SmtpNotifier`` (provider
    apache-airflow-providers-smtp) to ``NIGHTCAST_NOTIFY_TO``, through the Airflow connection
    ``NIGHTCAST_SMTP_CONN``: host, port, login, password and the ``from_email`` extra live in the
    connection (the secrets backend, or ``AIRFLOW_CONN_SMTP_DEFAULT``), never in this file.

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
    NIGHTCAST_JAR         shaded jar (default: the one ``mvn package`` builds, under $NIGHTCAST_HOME/jobs/target)
    NIGHTCAST_PIPELINE    pipeline YAML (default: $NIGHTCAST_HOME/conf/pipelines/flight_delay.yaml);
                          must be readable where the DAG is parsed too (it names the assets)
    NIGHTCAST_ENV         environment profile name or YAML path (default: local)
    NIGHTCAST_SPARK_CONN  Airflow Spark connection id (default: spark_default); the sample uses a
                          connection whose master is ``local[2]``. Its ``spark-submit`` must be on
                          the worker's PATH (the provider does not accept a path).
    NIGHTCAST_VAR_DIR     state directory of the local profile (default: $NIGHTCAST_HOME/var)
    NIGHTCAST_DRIVER_MEMORY  spark-submit --driver-memory (default: 2g)
    NIGHTCAST_DRIVER_CLASS_ARCHIVE  class-data archive the driver JVM starts from, written on the
                          worker by ``bin/driver-archive FILE`` (default: none); ~5 s less per start
    NIGHTCAST_CATCHUP     "true" to enable catchup (default: false)
    NIGHTCAST_MAINTENANCE_DAY  weekday of the dates D whose run maintains (default: sunday)
    NIGHTCAST_NOTIFIER    failure notifier: log or smtp (default: log)
    NIGHTCAST_NOTIFY_TO   comma-separated recipients (smtp; required by it)
    NIGHTCAST_SMTP_CONN   Airflow SMTP connection id (default: smtp_default)
NIGHTCAST_HOME and NIGHTCAST_VAR_DIR are also passed to the job's environment: the job resolves the
profile's relative paths against NIGHTCAST_HOME and keeps local state under NIGHTCAST_VAR_DIR.
"""

from __future__ import annotations

import calendar
import functools
import json
import logging
import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pendulum
import yaml
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, Asset, CronDataIntervalTimetable, Param, task
from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSkipException

log = logging.getLogger(__name__)

DAG_ID = "nightcast_nightly"
TASK_ID = "nightly_run"
RETRAIN_TASK_ID = "retrain_signal_raised"
HEALTHY_TASK_ID = "no_retrain_signal"
PUBLISHED_TASK_ID = "predictions_published"
MAINTENANCE_TASK_ID = "weekly_maintenance"
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
BUSY = 6
EXIT_CODES = {1: "internal error", BUSY: "busy: another run holds the lock", **NON_RETRYABLE_EXIT_CODES}
# The metric tables analysts and downstream DAGs read after a night (Delta, in the pipeline's namespace).
METRIC_TABLES = ("performance_daily", "drift_daily", "alerts")

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
NIGHTCAST_MAINTENANCE_DAY = _env("NIGHTCAST_MAINTENANCE_DAY", "sunday").lower()
NIGHTCAST_NOTIFIER = _env("NIGHTCAST_NOTIFIER", "log").lower()
NIGHTCAST_NOTIFY_TO = [address.strip() for address in _env("NIGHTCAST_NOTIFY_TO", "").split(",") if address.strip()]
NIGHTCAST_SMTP_CONN = _env("NIGHTCAST_SMTP_CONN", "smtp_default")

# The date the job runs for: the run_date param of a manual run, else the run's logical date.
# (`| default('')`: a manual run without a logical date has no `ds`; execute() then fails clearly.)
RUN_DATE_TEMPLATE = "{{ params.run_date or ds | default('') }}"


def _cannot_load(why: str) -> ValueError:
    return ValueError(f"Cannot load the DAG {DAG_ID}: {why}")


def pipeline_outputs(pipeline_file: str) -> tuple[str, str]:
    """(pipeline name, serving view as schema.table) from the pipeline YAML: they name the assets."""
    try:
        pipeline = yaml.safe_load(Path(pipeline_file).read_text())
        return pipeline["name"], f"{pipeline['serving']['schema']}.{pipeline['serving']['table']}"
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        raise _cannot_load(
            f"cannot read the pipeline's name and serving table from NIGHTCAST_PIPELINE={pipeline_file} ({error!r})"
        ) from error


PIPELINE_NAME, SERVING_VIEW_NAME = pipeline_outputs(NIGHTCAST_PIPELINE)
# Stable identities that do not depend on where the warehouse or Postgres live (`x-`: a scheme of
# our own, which Airflow leaves as written); names as analysts know the tables.
SERVING_VIEW = Asset(name=f"{PIPELINE_NAME}.serving_view", uri=f"x-nightcast://{PIPELINE_NAME}/postgres/{SERVING_VIEW_NAME}")
METRIC_ASSETS = {
    table: Asset(name=f"{PIPELINE_NAME}.{table}", uri=f"x-nightcast://{PIPELINE_NAME}/delta/{table}") for table in METRIC_TABLES
}

if NIGHTCAST_MAINTENANCE_DAY not in [day.lower() for day in calendar.day_name]:
    raise _cannot_load(f"NIGHTCAST_MAINTENANCE_DAY={NIGHTCAST_MAINTENANCE_DAY!r} is not a weekday name (e.g. sunday)")


def _notifier_factory():
    """A function making the configured notifier (a fresh one per failure: a notifier renders its
    templates in place), or None for `log`. The message comes from the context key `nightcast_failure`."""
    if NIGHTCAST_NOTIFIER == "log":
        return None
    if NIGHTCAST_NOTIFIER == "smtp":
        if not NIGHTCAST_NOTIFY_TO:
            raise _cannot_load("NIGHTCAST_NOTIFIER=smtp needs NIGHTCAST_NOTIFY_TO (comma-separated recipients)")
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        return functools.partial(
            SmtpNotifier,
            to=NIGHTCAST_NOTIFY_TO,
            smtp_conn_id=NIGHTCAST_SMTP_CONN,
            subject="{{ nightcast_failure.subject }}",
            html_content="<pre>{{ nightcast_failure.body | e }}</pre>",
        )
    raise _cannot_load(f"NIGHTCAST_NOTIFIER={NIGHTCAST_NOTIFIER!r} is not a notifier (use log or smtp)")


NOTIFIER = _notifier_factory()


def rerun_commands(task_id: str, run_date: str) -> list[str]:
    """The commands on-call uses to run a failed task again."""
    clear = f"airflow tasks clear {DAG_ID} -t {task_id} -s {run_date} -e {run_date} -y"
    if task_id == MAINTENANCE_TASK_ID:
        return [clear, f"bin/nightcast maintain --pipeline {NIGHTCAST_PIPELINE} --env {NIGHTCAST_ENV}"]
    return [
        clear,
        f"airflow dags trigger {DAG_ID} --conf '{{\"run_date\": \"{run_date}\"}}'",
        f"bin/nightcast run --pipeline {NIGHTCAST_PIPELINE} --env {NIGHTCAST_ENV} --date {run_date}",
    ]


def rerun_hint(task_id: str, run_date: str) -> str:
    """One line for error messages: how to run a failed task again."""
    first, second, *_ = rerun_commands(task_id, run_date)
    return f"re-run it with: {first}  (or: {second})"


class NightcastJobFailed(AirflowException):
    """The job failed with a code a retry may fix (1, 6) or none (spark-submit itself failed):
    Airflow retries. Carries what the failure notification names."""

    def __init__(self, message: str, *, exit_code: int | None, stage: str | None = None, log_file: str | None = None):
        super().__init__(message)
        self.exit_code = exit_code
        self.stage = stage
        self.log_file = log_file


class NightcastJobFailedForGood(NightcastJobFailed, AirflowFailException):
    """The job failed with a code a retry cannot fix (NON_RETRYABLE_EXIT_CODES): no retry."""


def _exit_text(code: int | None) -> str:
    return f"exit {code} ({EXIT_CODES.get(code, 'unknown code')})" if code is not None else "no exit code (see the task log)"


def _run_date_of(context: dict[str, Any]) -> str:
    return (context.get("params") or {}).get("run_date") or context.get("ds") or "<unknown date>"


def failure_message(context: dict[str, Any]) -> dict[str, str]:
    """Subject and body of a task's final failure: pipeline, date, failed stage, exit code, error,
    log file and the re-run commands."""
    ti = context.get("ti") or context.get("task_instance")
    task_id = getattr(ti, "task_id", TASK_ID)
    run_date = _run_date_of(context)
    error = context.get("exception")
    code = getattr(error, "exit_code", None)
    stage = getattr(error, "stage", None)
    if task_id == MAINTENANCE_TASK_ID:
        subject = f"nightcast {PIPELINE_NAME}: weekly maintenance of {run_date} failed, {_exit_text(code)}"
    else:
        where = f"in stage {stage}" if stage else "before any stage"
        subject = f"nightcast {PIPELINE_NAME}: night {run_date} failed {where}, {_exit_text(code)}"
    lines = [
        f"Pipeline: {PIPELINE_NAME} ({NIGHTCAST_PIPELINE}, env {NIGHTCAST_ENV})",
        f"Task: {DAG_ID}.{task_id}, run {getattr(context.get('dag_run'), 'run_id', None)}, try {getattr(ti, 'try_number', None)}",
        f"Error: {error or 'unknown (see the task log)'}",
    ]
    if getattr(error, "log_file", None):
        lines.append(f"Log: {error.log_file}")
    lines += ["", "Fix the cause, then run it again with one of:", *(f"  {c}" for c in rerun_commands(task_id, run_date))]
    return {"subject": subject, "body": "\n".join(lines)}


def on_task_failure(context: dict[str, Any]) -> None:
    """Alerting hook: called once when a task has failed for good (retries exhausted or a
    non-retryable exit code). Logs one line with everything on-call needs, then sends the message
    through the configured notifier (NIGHTCAST_NOTIFIER)."""
    ti = context.get("ti") or context.get("task_instance")
    task_id = getattr(ti, "task_id", TASK_ID)
    run_date = _run_date_of(context)
    cause = str(context.get("exception") or "unknown (see the task log)")
    hint = rerun_hint(task_id, run_date)
    log.error(
        "NIGHTCAST %s FAILED: dag=%s run=%s date=%s try=%s cause=%s%s",
        "MAINTENANCE" if task_id == MAINTENANCE_TASK_ID else "NIGHTLY",
        DAG_ID,
        getattr(context.get("dag_run"), "run_id", None),
        run_date,
        getattr(ti, "try_number", None),
        cause,
        "" if hint in cause else f"; {hint}",
    )
    if NOTIFIER is not None:
        NOTIFIER()({**context, "nightcast_failure": failure_message(context)})


class NightcastSubmitOperator(SparkSubmitOperator):
    """``SparkSubmitOperator`` for one nightcast command: maps the job's exit code to Airflow's
    reaction (codes a retry cannot fix, ``NON_RETRYABLE_EXIT_CODES``, fail the task without
    retrying; others are retried) and raises ``NightcastJobFailed`` carrying the code."""

    def _submit(self, context: Any, *, run_date: str, cannot: str, summary_file: Path | None = None) -> None:
        """Runs spark-submit for the DAG run of `run_date`; `cannot` starts the error message
        ("Cannot <do what>")."""
        self._hook = None  # rebuilt from the current arguments
        try:
            super().execute(context)
        except AirflowException as error:
            code = self._exit_code(error)
            summary = _read_summary(summary_file)
            stage, message = _failed_stage(summary)
            where = f" in stage {stage}: {message}" if stage else ""
            details = {"exit_code": code, "stage": stage, "log_file": summary.get("log_file")}
            if code in NON_RETRYABLE_EXIT_CODES:
                raise NightcastJobFailedForGood(
                    f"{cannot}: the job exited {code} ({NON_RETRYABLE_EXIT_CODES[code]}){where}, which a retry "
                    f"cannot fix; see the job's log above, fix the cause, then {rerun_hint(self.task_id, run_date)}",
                    **details,
                ) from error
            raise NightcastJobFailed(f"{cannot}: {error}{where}", **details) from error

    def _exit_code(self, error: AirflowException) -> int | None:
        process = getattr(self._hook, "_submit_sp", None)
        if process is not None and process.returncode is not None:
            return process.returncode
        match = _ERROR_CODE.search(str(error))
        return int(match.group(1)) if match else None


class NightlyRunOperator(NightcastSubmitOperator):
    """``nightcast run`` for one date: checks the run date and returns the night's summary
    (``--summary-file``) as its XCom, for the retrain branch and the assets.

    The job writes the summary on the machine its driver runs on, so the connection's deploy mode
    must be ``client`` (the default)."""

    def execute(self, context: Any) -> dict[str, Any]:
        run_date = self._run_date()
        with tempfile.TemporaryDirectory(prefix="nightcast-summary-") as summary_dir:
            summary_file = Path(summary_dir) / "summary.json"
            self.application_args = [*self.application_args, "--summary-file", str(summary_file)]
            self._submit(context, run_date=run_date, cannot=f"Cannot run nightcast for {run_date}", summary_file=summary_file)
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


class MaintenanceOperator(NightcastSubmitOperator):
    """``nightcast maintain`` in the DAG runs whose date is a NIGHTCAST_MAINTENANCE_DAY, skipped in
    the others. Busy (another run holds the pipeline's lock) is retried; still busy on the last try
    the task is skipped: maintenance can wait a week, the nights cannot."""

    template_fields = (*SparkSubmitOperator.template_fields, "run_date")

    def __init__(self, *, run_date: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run_date = run_date

    def execute(self, context: Any) -> None:
        if not is_maintenance_date(self.run_date):
            raise AirflowSkipException(
                f"{self.run_date} is not a {NIGHTCAST_MAINTENANCE_DAY}: maintenance runs after the nights of "
                f"{NIGHTCAST_MAINTENANCE_DAY}s (NIGHTCAST_MAINTENANCE_DAY)"
            )
        try:
            self._submit(context, run_date=self.run_date, cannot=f"Cannot maintain the tables of {PIPELINE_NAME}")
        except NightcastJobFailed as error:
            if error.exit_code == BUSY and context["ti"].try_number > self.retries:
                raise AirflowSkipException(
                    f"{PIPELINE_NAME} stayed busy (another run holds its lock) through {context['ti'].try_number} "
                    "tries: maintenance skipped this week"
                ) from error
            raise


def is_maintenance_date(run_date: str) -> bool:
    """Whether the DAG run for `run_date` (YYYY-MM-DD) maintains the tables."""
    return _DATE.match(run_date or "") is not None and calendar.day_name[
        pendulum.parse(run_date).weekday()
    ].lower() == NIGHTCAST_MAINTENANCE_DAY


def _read_summary(summary_file: Path | None) -> dict[str, Any]:
    return json.loads(summary_file.read_text()) if summary_file is not None and summary_file.is_file() else {}


def _failed_stage(summary: dict[str, Any]) -> tuple[str | None, str | None]:
    """(stage, message) of the stage a night's summary shows failed, or (None, None)."""
    failed = [s for s in summary.get("stages") or [] if s.get("status") == "failed"]
    return (failed[-1]["stage"], failed[-1].get("message")) if failed else (None, None)


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


def announce_published(summary: dict[str, Any], *, outlet_events: Any = None) -> str:
    """Updates the serving view's and the metric tables' assets (their events carry D and the
    serving version) when the night published and monitored; skipped (no events) when it did not."""
    succeeded = {s["stage"] for s in summary["stages"] if s["status"] == "succeeded"}
    if not {"publish", "monitor"} <= succeeded:
        raise AirflowSkipException(f"night {summary['ds']} published nothing (no champion to score with yet)")
    outlet_events[SERVING_VIEW].extra = {
        "ds": summary["ds"],
        "serving_version": summary["published_version"],
        "model_version": summary["serving_model_version"],
        "predictions": summary["predictions"],
    }
    for asset in METRIC_ASSETS.values():
        outlet_events[asset].extra = {"ds": summary["ds"]}
    return (
        f"night {summary['ds']}: serving version {summary['published_version']} of {SERVING_VIEW_NAME} "
        f"({summary['predictions']} predictions by model v{summary['serving_model_version']}) and D's metrics published"
    )


default_args = {
    "owner": "nightcast",
    "depends_on_past": False,
    "retries": 3,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(hours=1),
}

# What both spark-submit tasks share: the connection, the jar, the driver's settings.
SUBMIT = {
    "conn_id": NIGHTCAST_SPARK_CONN,
    "application": NIGHTCAST_JAR,
    "java_class": MAIN_CLASS,
    "conf": {
        # Dates and timestamps are interpreted in UTC, like the schedule.
        "spark.sql.session.timeZone": "UTC",
        # The console progress bar only clutters the task log.
        "spark.ui.showConsoleProgress": "false",
        # nightcast's log layout (its steps at INFO, Spark at WARN), as bin/nightcast uses;
        # the class-data archive, if any (a driver that cannot map it starts without it, quietly).
        "spark.driver.extraJavaOptions": f"-Dlog4j.configurationFile={NIGHTCAST_HOME}/conf/log4j2.properties"
        + (f" -XX:SharedArchiveFile={NIGHTCAST_DRIVER_CLASS_ARCHIVE} -Xlog:cds*=off" if NIGHTCAST_DRIVER_CLASS_ARCHIVE else ""),
    },
    "driver_memory": NIGHTCAST_DRIVER_MEMORY,
    "env_vars": {
        "NIGHTCAST_HOME": NIGHTCAST_HOME,
        "NIGHTCAST_VAR_DIR": NIGHTCAST_VAR_DIR,
    },
    "on_failure_callback": on_task_failure,
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
    nightly_run = NightlyRunOperator(
        task_id=TASK_ID,
        name="nightcast-" + RUN_DATE_TEMPLATE,
        application_args=["run", "--pipeline", NIGHTCAST_PIPELINE, "--env", NIGHTCAST_ENV, "--date", RUN_DATE_TEMPLATE],
        # A hung night would hold the only active run slot (max_active_runs=1): stop it, then retry.
        execution_timeout=timedelta(hours=8),
        **SUBMIT,
    )

    check_retrain_signal = task.branch(task_id="check_retrain_signal")(choose_retrain_branch)(nightly_run.output)
    retrain_signal_raised = task(task_id=RETRAIN_TASK_ID)(announce_retrain)(nightly_run.output)
    check_retrain_signal >> [retrain_signal_raised, EmptyOperator(task_id=HEALTHY_TASK_ID)]

    task(task_id=PUBLISHED_TASK_ID, outlets=[SERVING_VIEW, *METRIC_ASSETS.values()])(announce_published)(nightly_run.output)

    # After the night whatever its outcome (all_done), so it never runs beside this DAG's nights.
    nightly_run >> MaintenanceOperator(
        task_id=MAINTENANCE_TASK_ID,
        name="nightcast-maintain",
        application_args=["maintain", "--pipeline", NIGHTCAST_PIPELINE, "--env", NIGHTCAST_ENV],
        run_date=RUN_DATE_TEMPLATE,
        trigger_rule="all_done",
        retry_delay=timedelta(minutes=10),
        execution_timeout=timedelta(hours=4),
        **SUBMIT,
    )
