"""(2) The task graph, the schedule and the exact spark-submit command the DAG runs.

Templates are rendered by Airflow's own renderer with the params a run would get
(`process_params`, as the task runner does), and the command line is built by the provider's
own SparkSubmitHook: what these tests see is what the worker would exec.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pendulum
import pytest

from conftest import PROJECT_DIR, SPARK_LOCAL_CONN, install_pipeline

MAIN_CLASS = "dev.nightcast.cli.Nightcast"


def render_submit(dag, *, ds, run_conf=None):
    """Renders the nightly task for a run with logical date `ds` and dag-run conf `run_conf`;
    returns (spark-submit argv, environment added for spark-submit)."""
    from airflow.sdk.definitions.param import process_params

    task = dag.get_task("nightly_run")
    params = process_params(dag, task, run_conf, suppress_exception=False)
    task.render_template_fields({"params": params, "ds": ds})
    hook = task._get_hook()
    argv = hook._build_spark_submit_command(task.application)
    return argv, hook._env


@pytest.fixture
def local_spark(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_SPARK_DEFAULT", SPARK_LOCAL_CONN)


@pytest.fixture
def srv_home(tmp_path):
    """A NIGHTCAST_HOME elsewhere than this project, with the pipeline the DAG reads when parsed."""
    return install_pipeline(tmp_path / "srv" / "nightcast")


def test_one_spark_task_runs_the_whole_night_then_the_retrain_branch_the_assets_and_maintenance(load_dag):
    from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

    dag = load_dag()

    assert sorted(dag.task_ids) == [
        "check_retrain_signal", "nightly_run", "no_retrain_signal", "predictions_published", "retrain_signal_raised",
        "weekly_maintenance",
    ]  # fmt: skip
    assert [t.task_id for t in dag.tasks if isinstance(t, SparkSubmitOperator)] == ["nightly_run", "weekly_maintenance"]
    nightly = dag.get_task("nightly_run")
    assert nightly.upstream_task_ids == set()
    assert nightly.downstream_task_ids == {
        "check_retrain_signal", "retrain_signal_raised", "predictions_published", "weekly_maintenance",
    }  # fmt: skip
    assert dag.get_task("check_retrain_signal").downstream_task_ids == {"retrain_signal_raised", "no_retrain_signal"}
    assert dag.get_task("retrain_signal_raised").upstream_task_ids == {"nightly_run", "check_retrain_signal"}
    assert dag.get_task("no_retrain_signal").upstream_task_ids == {"check_retrain_signal"}
    assert dag.get_task("predictions_published").upstream_task_ids == {"nightly_run"}
    # maintenance follows the night whatever its outcome, so the two never run side by side
    maintenance = dag.get_task("weekly_maintenance")
    assert (maintenance.upstream_task_ids, maintenance.trigger_rule) == ({"nightly_run"}, "all_done")
    assert maintenance.downstream_task_ids == set()


@pytest.mark.parametrize(
    "retrain_due, branch", [(True, "retrain_signal_raised"), (False, "no_retrain_signal")]
)
def test_branch_follows_the_retrain_signal_of_the_summary(load_dag, retrain_due, branch):
    dag = load_dag()
    module = __import__(type(dag.get_task("nightly_run")).__module__)

    assert module.choose_retrain_branch({"ds": "2001-01-16", "retrain_due": retrain_due}) == branch


def test_retrain_announcement_names_the_reason_and_the_night_that_retrains(load_dag):
    dag = load_dag()
    module = __import__(type(dag.get_task("nightly_run")).__module__)
    summary = {
        "ds": "2001-01-31",
        "retrain_due": True,
        "retrain_reason": "roc_auc breached 0.5500 on 3 of the last 5 nights (rule: 3): training is due on 2001-02-01",
        "alerts": {"performance": 1, "retrain": 1},
    }

    assert module.announce_retrain(summary) == (
        "monitoring raised the retrain signal on 2001-01-31: roc_auc breached 0.5500 on 3 of the last 5 nights"
        " (rule: 3): training is due on 2001-02-01; night 2001-02-01 trains new candidates"
        " (alerts of the night: {'performance': 1, 'retrain': 1})"
    )


def test_schedule_runs_each_date_after_it_ends(load_dag):
    from airflow.sdk import CronDataIntervalTimetable
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import TimeRestriction

    dag = load_dag()

    assert isinstance(dag.timetable, CronDataIntervalTimetable)
    assert dag.start_date == pendulum.datetime(2001, 1, 15, tz="UTC")
    assert dag.max_active_runs == 1
    assert dag.catchup is False
    first = coerce_to_core_timetable(dag.timetable).next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(earliest=dag.start_date, latest=None, catchup=True),
    )
    # The first night is D = 2001-01-15 and starts once that day is over.
    assert first.logical_date == pendulum.datetime(2001, 1, 15, tz="UTC")
    assert first.run_after == pendulum.datetime(2001, 1, 16, tz="UTC")


def test_catchup_can_be_switched_on_for_backfills(load_dag):
    assert load_dag(NIGHTCAST_CATCHUP="true").catchup is True


def test_retries_back_off_exponentially_and_failure_calls_the_hook(load_dag):
    dag = load_dag()
    task = dag.get_task("nightly_run")
    module = __import__(type(task).__module__)

    assert task.retries == 3
    assert task.retry_delay == timedelta(minutes=5)
    assert task.retry_exponential_backoff == 2.0
    assert task.max_retry_delay == timedelta(hours=1)
    assert task.depends_on_past is False
    assert [cb.__name__ for cb in task.on_failure_callback] == ["on_task_failure"]
    assert module.NON_RETRYABLE_EXIT_CODES == {
        2: "bad usage",
        3: "bad config",
        4: "bad data",
        5: "failed promotion gate",
        7: "a stage failed",
    }


def test_the_codes_not_retried_are_those_exit_code_java_marks_not_retryable(load_dag):
    """One mapping of failures to exit codes (ExitCode.java); the DAG must not drift from it."""
    dag = load_dag()
    module = __import__(type(dag.get_task("nightly_run")).__module__)
    source = (PROJECT_DIR / "jobs/src/main/java/dev/nightcast/ExitCode.java").read_text()
    codes = {int(code): retryable == "true" for code, retryable in re.findall(r"^\s+[A-Z_]+\((\d+), (true|false)\)[,;]", source, re.M)}

    assert len(codes) >= 8
    assert set(module.NON_RETRYABLE_EXIT_CODES) == {code for code, retryable in codes.items() if code != 0 and not retryable}


def test_submits_the_logical_date(load_dag, local_spark, srv_home):
    dag = load_dag(NIGHTCAST_HOME=str(srv_home), NIGHTCAST_VAR_DIR="/data/nightcast-var")

    argv, env = render_submit(dag, ds="2001-01-16")

    assert argv == [
        "spark-submit",
        "--master", "local[2]",
        "--conf", "spark.sql.session.timeZone=UTC",
        "--conf", "spark.ui.showConsoleProgress=false",
        "--conf", f"spark.driver.extraJavaOptions=-Dlog4j.configurationFile={srv_home}/conf/log4j2.properties",
        "--driver-memory", "2g",
        "--name", "nightcast-2001-01-16",
        "--class", MAIN_CLASS,
        f"{srv_home}/jobs/target/nightcast.jar",
        "run",
        "--pipeline", f"{srv_home}/conf/pipelines/flight_delay.yaml",
        "--env", "local",
        "--date", "2001-01-16",
    ]  # fmt: skip
    assert env == {"NIGHTCAST_HOME": str(srv_home), "NIGHTCAST_VAR_DIR": "/data/nightcast-var"}


def test_run_date_param_overrides_the_logical_date(load_dag, local_spark, srv_home):
    dag = load_dag(NIGHTCAST_HOME=str(srv_home))

    argv, _ = render_submit(dag, ds="2001-03-01", run_conf={"run_date": "2001-01-20"})

    assert argv[argv.index("--date") + 1] == "2001-01-20"
    assert argv[argv.index("--name") + 1] == "nightcast-2001-01-20"
    assert argv.count("--date") == 1


@pytest.mark.parametrize("bad", ["2001/01/20", "20010120", "2001-02-30", ""])
def test_run_date_param_rejects_anything_but_a_date(load_dag, bad):
    from airflow.sdk.definitions.param import process_params
    from airflow.sdk.exceptions import ParamValidationError

    dag = load_dag()

    with pytest.raises(ParamValidationError, match="run_date"):
        process_params(dag, dag.get_task("nightly_run"), {"run_date": bad}, suppress_exception=False)


def test_defaults_point_into_this_project(load_dag, local_spark):
    dag = load_dag()

    argv, env = render_submit(dag, ds="2001-01-16")

    assert argv[argv.index("--class") + 2] == f"{PROJECT_DIR}/jobs/target/nightcast.jar"
    assert argv[argv.index("--pipeline") + 1] == f"{PROJECT_DIR}/conf/pipelines/flight_delay.yaml"
    assert argv[argv.index("--env") + 1] == "local"
    assert f"spark.driver.extraJavaOptions=-Dlog4j.configurationFile={PROJECT_DIR}/conf/log4j2.properties" in argv
    assert env == {"NIGHTCAST_HOME": str(PROJECT_DIR), "NIGHTCAST_VAR_DIR": f"{PROJECT_DIR}/var"}
    assert dag.get_task("nightly_run")._conn_id == "spark_default"


def test_every_setting_comes_from_the_environment(load_dag, monkeypatch, tmp_path, srv_home):
    monkeypatch.setenv(
        "AIRFLOW_CONN_SPARK_CLUSTER", '{"conn_type": "spark", "host": "spark://10.0.0.5", "port": 7077}'
    )
    churn = install_pipeline(tmp_path / "etc", name="churn", file_name="churn.yaml") / "conf" / "pipelines" / "churn.yaml"
    dag = load_dag(
        NIGHTCAST_HOME=str(srv_home),
        NIGHTCAST_JAR="/opt/jars/nightcast-1.2.jar",
        NIGHTCAST_PIPELINE=str(churn),
        NIGHTCAST_ENV="/etc/nightcast/prod.yaml",
        NIGHTCAST_SPARK_CONN="spark_cluster",
        NIGHTCAST_VAR_DIR="/var/lib/nightcast",
        NIGHTCAST_DRIVER_MEMORY="6g",
        NIGHTCAST_DRIVER_CLASS_ARCHIVE="/var/lib/nightcast/driver.jsa",
    )

    argv, env = render_submit(dag, ds="2001-01-16")

    assert argv == [
        "spark-submit",
        "--master", "spark://10.0.0.5:7077",
        "--conf", "spark.sql.session.timeZone=UTC",
        "--conf", "spark.ui.showConsoleProgress=false",
        "--conf", f"spark.driver.extraJavaOptions=-Dlog4j.configurationFile={srv_home}/conf/log4j2.properties"
        " -XX:SharedArchiveFile=/var/lib/nightcast/driver.jsa -Xlog:cds*=off",
        "--driver-memory", "6g",
        "--name", "nightcast-2001-01-16",
        "--class", MAIN_CLASS,
        "/opt/jars/nightcast-1.2.jar",
        "run",
        "--pipeline", str(churn),
        "--env", "/etc/nightcast/prod.yaml",
        "--date", "2001-01-16",
    ]  # fmt: skip
    assert env == {"NIGHTCAST_HOME": str(srv_home), "NIGHTCAST_VAR_DIR": "/var/lib/nightcast"}


def test_assets_are_named_after_the_pipeline_and_its_serving_view(load_dag, tmp_path):
    shipped = load_dag().get_task("predictions_published").outlets
    churn = install_pipeline(tmp_path, name="churn", file_name="churn.yaml") / "conf" / "pipelines" / "churn.yaml"
    other = load_dag(NIGHTCAST_PIPELINE=str(churn)).get_task("predictions_published").outlets

    assert [(a.name, a.uri) for a in shipped] == [
        ("flight_delay.serving_view", "x-nightcast://flight_delay/postgres/serving.flight_delay_predictions"),
        ("flight_delay.performance_daily", "x-nightcast://flight_delay/delta/performance_daily"),
        ("flight_delay.drift_daily", "x-nightcast://flight_delay/delta/drift_daily"),
        ("flight_delay.alerts", "x-nightcast://flight_delay/delta/alerts"),
    ]
    assert [(a.name, a.uri) for a in other] == [
        ("churn.serving_view", "x-nightcast://churn/postgres/serving.churn_predictions"),
        ("churn.performance_daily", "x-nightcast://churn/delta/performance_daily"),
        ("churn.drift_daily", "x-nightcast://churn/delta/drift_daily"),
        ("churn.alerts", "x-nightcast://churn/delta/alerts"),
    ]
    # only the publishing task announces them; the spark-submit tasks declare no outlets
    assert [t.task_id for t in load_dag().tasks if t.outlets] == ["predictions_published"]


def test_a_night_that_published_nothing_updates_no_asset(load_dag):
    from airflow.sdk.exceptions import AirflowSkipException

    module = __import__(type(load_dag().get_task("nightly_run")).__module__)
    first_night = {"ds": "2001-01-15", "stages": [{"stage": "ingest", "status": "succeeded"}, {"stage": "features", "status": "succeeded"}]}

    with pytest.raises(AirflowSkipException, match="night 2001-01-15 published nothing"):
        module.announce_published(first_night, outlet_events=None)


def test_a_pipeline_the_dag_cannot_read_is_an_import_error_that_names_it(monkeypatch, tmp_path):
    from airflow.dag_processing.dagbag import DagBag

    from conftest import DAGS_DIR

    monkeypatch.setenv("NIGHTCAST_PIPELINE", str(tmp_path / "missing.yaml"))
    errors = DagBag(dag_folder=DAGS_DIR).import_errors

    assert list(errors) == [str(DAGS_DIR / "nightcast_nightly.py")]
    assert f"cannot read the pipeline's name and serving table from NIGHTCAST_PIPELINE={tmp_path}/missing.yaml" in next(
        iter(errors.values())
    )


def test_weekly_maintenance_submits_maintain_through_the_same_spark_submit(load_dag, local_spark):
    from airflow.sdk.definitions.param import process_params

    dag = load_dag(NIGHTCAST_DRIVER_MEMORY="3g")
    task = dag.get_task("weekly_maintenance")
    task.render_template_fields({"params": process_params(dag, task, None, suppress_exception=False), "ds": "2001-01-21"})
    hook = task._get_hook()

    assert hook._build_spark_submit_command(task.application) == [
        "spark-submit",
        "--master", "local[2]",
        "--conf", "spark.sql.session.timeZone=UTC",
        "--conf", "spark.ui.showConsoleProgress=false",
        "--conf", f"spark.driver.extraJavaOptions=-Dlog4j.configurationFile={PROJECT_DIR}/conf/log4j2.properties",
        "--driver-memory", "3g",
        "--name", "nightcast-maintain",
        "--class", MAIN_CLASS,
        f"{PROJECT_DIR}/jobs/target/nightcast.jar",
        "maintain",
        "--pipeline", f"{PROJECT_DIR}/conf/pipelines/flight_delay.yaml",
        "--env", "local",
    ]  # fmt: skip
    assert hook._env == {"NIGHTCAST_HOME": str(PROJECT_DIR), "NIGHTCAST_VAR_DIR": f"{PROJECT_DIR}/var"}
    assert task.run_date == "2001-01-21"
    assert (task.retries, task.retry_delay, task.retry_exponential_backoff) == (3, timedelta(minutes=10), 2.0)
    assert [cb.__name__ for cb in task.on_failure_callback] == ["on_task_failure"]


def test_maintenance_runs_in_the_dag_runs_of_one_weekday(load_dag):
    sunday = __import__(type(load_dag().get_task("nightly_run")).__module__)
    week = ["2001-01-14", "2001-01-15", "2001-01-16", "2001-01-17", "2001-01-18", "2001-01-19", "2001-01-20"]

    assert [sunday.is_maintenance_date(d) for d in week] == [True] + [False] * 6
    assert sunday.is_maintenance_date("") is False
    wednesday = __import__(type(load_dag(NIGHTCAST_MAINTENANCE_DAY="Wednesday").get_task("nightly_run")).__module__)
    assert [wednesday.is_maintenance_date(d) for d in week] == [False, False, False, True, False, False, False]


@pytest.mark.parametrize(
    "env, message",
    [
        ({"NIGHTCAST_NOTIFIER": "pager"}, "NIGHTCAST_NOTIFIER='pager' is not a notifier (use log or smtp)"),
        ({"NIGHTCAST_NOTIFIER": "smtp"}, "NIGHTCAST_NOTIFIER=smtp needs NIGHTCAST_NOTIFY_TO (comma-separated recipients)"),
        ({"NIGHTCAST_MAINTENANCE_DAY": "weekend"}, "NIGHTCAST_MAINTENANCE_DAY='weekend' is not a weekday name"),
    ],
)
def test_a_setting_the_dag_cannot_use_is_an_import_error_that_names_it(monkeypatch, env, message):
    from airflow.dag_processing.dagbag import DagBag

    from conftest import DAGS_DIR

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    errors = DagBag(dag_folder=DAGS_DIR).import_errors

    assert len(errors) == 1 and message in next(iter(errors.values()))


def test_the_smtp_notifier_mails_the_recipients_through_the_configured_connection(load_dag):
    dag = load_dag(NIGHTCAST_NOTIFIER="smtp", NIGHTCAST_NOTIFY_TO="oncall@example.org, ml-team@example.org", NIGHTCAST_SMTP_CONN="smtp_ops")
    module = __import__(type(dag.get_task("nightly_run")).__module__)
    notifier = module.NOTIFIER()

    assert type(notifier).__name__ == "SmtpNotifier"
    assert (notifier.to, notifier.smtp_conn_id) == (["oncall@example.org", "ml-team@example.org"], "smtp_ops")
    assert __import__(type(load_dag().get_task("nightly_run")).__module__).NOTIFIER is None  # default: log only


def test_the_maintenance_failure_message_names_its_exit_code_and_its_rerun_commands(load_dag):
    module = __import__(type(load_dag().get_task("nightly_run")).__module__)
    error = module.NightcastJobFailedForGood("Cannot maintain the tables of flight_delay: the job exited 3 (bad config)", exit_code=3)
    context = {
        "ti": type("TI", (), {"task_id": "weekly_maintenance", "try_number": 1})(),
        "ds": "2001-01-21",
        "params": {"run_date": None},
        "exception": error,
    }

    message = module.failure_message(context)

    assert message["subject"] == "nightcast flight_delay: weekly maintenance of 2001-01-21 failed, exit 3 (bad config)"
    assert message["body"].splitlines()[-2:] == [
        "  airflow tasks clear nightcast_nightly -t weekly_maintenance -s 2001-01-21 -e 2001-01-21 -y",
        f"  bin/nightcast maintain --pipeline {PROJECT_DIR}/conf/pipelines/flight_delay.yaml --env local",
    ]


def test_the_docstring_names_the_six_stages_every_task_and_only_files_that_exist(load_dag):
    dag = load_dag()
    module = __import__(type(dag.get_task("nightly_run")).__module__)
    doc = module.__doc__
    stage_enum = (PROJECT_DIR / "jobs/src/main/java/dev/nightcast/night/StageName.java").read_text()
    stages = [s.strip().lower() for s in re.search(r"enum StageName \{\s*([A-Z_, ]+);", stage_enum).group(1).split(",")]

    assert len(stages) == 6
    assert re.search(r"six stages in order: ([a-z, ]+)\.", doc).group(1).split(", ") == stages
    for task_id in dag.task_ids:
        assert re.search(rf"^    {task_id}\b", doc, re.M), f"the docstring's task list lacks {task_id}"
    files = set(re.findall(r"[\w$./-]+\.(?:md|py|java|yaml|jar|properties|json)\b|\bbin/[\w-]+", doc))
    assert {"README.md", "ExitCode.java", "bin/driver-archive", "$NIGHTCAST_HOME/conf/pipelines/flight_delay.yaml"} <= files
    project_files = {p.name for p in PROJECT_DIR.rglob("*") if "target" not in p.parts and ".git" not in p.parts}
    for name in files:
        path = name.replace("$NIGHTCAST_HOME", str(PROJECT_DIR))
        assert (PROJECT_DIR / path).exists() if "/" in path else path in project_files, f"the docstring names {name}, which does not exist"
