"""Shared set-up for the DAG tests.

Airflow reads its configuration when first imported, so this module points it at a throw-away
AIRFLOW_HOME (never ~/airflow) before any test imports airflow. Fixtures that need the metadata
database (CLI checks, `airflow dags test`) share one sqlite database migrated once per session.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
import yaml

DAGS_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = DAGS_DIR.parent
VENV_BIN = Path(sys.executable).parent
DAG_ID = "nightcast_nightly"
JAR = PROJECT_DIR / "jobs" / "target" / "nightcast.jar"
LAUNCHER = PROJECT_DIR / "bin" / "nightcast"
MAIN_CLASS = "dev.nightcast.cli.Nightcast"

# The Spark connection of the sample: a local master with two cores.
SPARK_LOCAL_CONN = json.dumps({"conn_type": "spark", "host": "local[2]"})

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="nightcast-airflow-home-"))
AIRFLOW_ENV = {
    "AIRFLOW_HOME": str(_AIRFLOW_HOME),
    "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(_AIRFLOW_HOME / "logs"),
}
os.environ.update(AIRFLOW_ENV)
# The DAG reads these when parsed; tests set the ones they need explicitly.
NIGHTCAST_VARS = (
    "NIGHTCAST_HOME",
    "NIGHTCAST_JAR",
    "NIGHTCAST_PIPELINE",
    "NIGHTCAST_ENV",
    "NIGHTCAST_SPARK_CONN",
    "NIGHTCAST_VAR_DIR",
    "NIGHTCAST_DRIVER_MEMORY",
    "NIGHTCAST_DRIVER_CLASS_ARCHIVE",
    "NIGHTCAST_CATCHUP",
    "NIGHTCAST_MAINTENANCE_DAY",
    "NIGHTCAST_NOTIFIER",
    "NIGHTCAST_NOTIFY_TO",
    "NIGHTCAST_SMTP_CONN",
)
for _name in NIGHTCAST_VARS:
    os.environ.pop(_name, None)


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)


def run(cmd, *, env=None, timeout=600, cwd=PROJECT_DIR, check=True):
    """Runs a command, returns the CompletedProcess; on failure the assertion shows its output."""
    result = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=env if env is not None else os.environ.copy(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check:
        assert_succeeded(result)
    return result


def assert_succeeded(result):
    assert result.returncode == 0, (
        f"{' '.join(map(str, result.args))} exited {result.returncode}\n"
        f"--- stdout (tail) ---\n{result.stdout[-6000:]}\n--- stderr (tail) ---\n{result.stderr[-6000:]}"
    )


def airflow_cmd(*args):
    return [VENV_BIN / "airflow", *args]


@pytest.fixture(scope="session")
def airflow_db():
    """A migrated sqlite metadata database in the session's AIRFLOW_HOME; returns the env to use."""
    env = {**os.environ, **AIRFLOW_ENV}
    run(airflow_cmd("db", "migrate"), env=env, timeout=300)
    return env


@pytest.fixture
def load_dag(monkeypatch):
    """Parses the DAG folder the way the DAG processor does, with the given NIGHTCAST_* env."""
    from airflow.dag_processing.dagbag import DagBag

    def _load(**env):
        for name in NIGHTCAST_VARS:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        bag = DagBag(dag_folder=DAGS_DIR)
        assert bag.import_errors == {}, bag.import_errors
        return bag.dags[DAG_ID]

    return _load


@pytest.fixture(scope="session")
def nightcast_jar():
    """The shaded jar at the DAG's default path, built first when missing."""
    if not JAR.exists():
        run(["mvn", "-B", "-q", "-DskipTests", "package"], timeout=1800)
    assert JAR.exists(), f"`mvn package` did not produce {JAR}"
    assert os.access(LAUNCHER, os.X_OK), f"{LAUNCHER} is missing or not executable"
    return JAR


def write_small_pipeline(path: Path, *, retrain_on_first_monitored_night: bool = False) -> Path:
    """The shipped flight-delay pipeline made cheap for runs through spark-submit (as the Java
    tests' TestPipelines.small does): a 2-day training window (its last 0.2 days test, the 0.2
    before validation) and 1-day delay rates, so the third night of a fresh warehouse (the first
    two whose rates have their day of history) trains the first champion; only the logistic baseline; an absolute test-AUC gate of 0.5 and no per-slice gate
    (a 2-day window leaves too few evening flights per airport). With
    `retrain_on_first_monitored_night`, a retrain rule that any realised AUC breaches raises the
    retrain signal on the first night whose predictions meet their labels (the third night)."""
    pipeline = yaml.safe_load((PROJECT_DIR / "conf" / "pipelines" / "flight_delay.yaml").read_text())
    pipeline["training"].update(window_days=2, validation_days=0.2, test_days=0.2)
    for feature in pipeline["features"]:
        if "history" in feature:
            feature["history"]["days"] = 1
    pipeline["candidates"] = [c for c in pipeline["candidates"] if c.get("baseline")]
    pipeline["gate"]["thresholds"] = {"auc": 0.5}
    del pipeline["gate"]["slices"]
    if retrain_on_first_monitored_night:
        pipeline["monitoring"]["retrain_rules"] = [
            {"metric": "roc_auc", "threshold": 0.99, "breaches": 1, "lookback_nights": 1}
        ]
    path.write_text(yaml.safe_dump(pipeline, sort_keys=False))
    return path


def install_pipeline(home: Path, *, name: str = "flight_delay", file_name: str = "flight_delay.yaml") -> Path:
    """A NIGHTCAST_HOME (or any folder) holding the shipped pipeline under `name` at
    conf/pipelines/`file_name`: the DAG reads the pipeline's name and serving table when parsed."""
    pipeline = yaml.safe_load((PROJECT_DIR / "conf" / "pipelines" / "flight_delay.yaml").read_text())
    pipeline["name"] = name
    pipeline["serving"]["table"] = f"{name}_predictions"
    target = home / "conf" / "pipelines" / file_name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(pipeline, sort_keys=False))
    return home


def free_port() -> int:
    """A free loopback port, so a server someone left running on a default port (the local
    profile's Postgres 54329, Spark's 7077) cannot be mistaken for this test's."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def spark_home() -> str:
    """The Spark distribution inside the venv's pyspark 4.1.0 (bin/spark-submit, bin/spark-class, jars/)."""
    import pyspark

    return os.path.dirname(pyspark.__file__)


def spark_env(var_dir: Path, pg_port: int, **extra) -> dict[str, str]:
    """Environment for spark-submit and bin/nightcast: the venv's pyspark as SPARK_HOME, the
    project as NIGHTCAST_HOME, state under `var_dir`, the embedded Postgres on `pg_port`."""
    return {
        **os.environ,
        "NIGHTCAST_HOME": str(PROJECT_DIR),
        "NIGHTCAST_VAR_DIR": str(var_dir),
        "NIGHTCAST_PG_PORT": str(pg_port),
        # The provider runs `spark-submit` from PATH: the one in the venv, from pyspark 4.1.0.
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        "SPARK_HOME": spark_home(),
        "SPARK_LOCAL_IP": "127.0.0.1",
        **extra,
    }


def spark_submit_backfill(jar, pipeline, first, last, *, master="local[2]", extra_args=()):
    """`spark-submit ... backfill`, as the README tells on-call to run a range."""
    return [
        VENV_BIN / "spark-submit",
        "--master", master,
        "--driver-memory", "2g",
        "--conf", "spark.ui.showConsoleProgress=false",
        "--conf", f"spark.driver.extraJavaOptions=-Dlog4j.configurationFile={PROJECT_DIR}/conf/log4j2.properties",
        *extra_args,
        "--class", MAIN_CLASS,
        jar,
        "backfill",
        "--pipeline", pipeline,
        "--env", "local",
        "--from", first,
        "--to", last,
    ]  # fmt: skip


@pytest.fixture(scope="session")
def driver_class_archive(nightcast_jar, tmp_path_factory):
    """The class-data archive of the venv's spark-submit driver, as `bin/driver-archive` writes one on a worker."""
    archive = tmp_path_factory.mktemp("driver-archive") / "driver.jsa"
    env = spark_env(tmp_path_factory.mktemp("driver-archive-var"), free_port())
    result = run([PROJECT_DIR / "bin" / "driver-archive", archive], env=env, timeout=300)
    assert result.stdout.strip() == str(archive)
    assert archive.stat().st_size > 0
    return archive


def serving_query(env, sql):
    """Rows of `sql` on the serving database, through `bin/nightcast db query` as on-call would."""
    result = run([LAUNCHER, "db", "query", "--no-header", sql], env=env, timeout=300)
    return [line.split("\t") for line in result.stdout.strip().splitlines()]


def scheduled_flights(day):
    """Rows in the sample's schedule drop for `day` (read on night day-1): the flights to score."""
    drop = PROJECT_DIR / "data-samples" / "flights" / "schedule" / f"{day}.csv.gz"
    with gzip.open(drop, "rt", newline="") as rows:
        return sum(1 for _ in csv.reader(rows)) - 1  # minus the header


def actual_flights(day):
    """Rows in the sample's actuals drop for `day` (read on night day): the flights with labels."""
    import pyarrow.parquet

    return pyarrow.parquet.read_metadata(PROJECT_DIR / "data-samples" / "flights" / "actuals" / f"{day}.parquet").num_rows


# A stand-in for the real jar with the same main class: it records the arguments and environment it
# received, writes the summary the test gives it (as `nightcast run --summary-file` does) and exits
# with the code the test asks for, so that every exit code can be produced on demand.
STAND_IN = textwrap.dedent(
    """
    package dev.nightcast.cli;

    import java.nio.file.Files;
    import java.nio.file.Path;
    import java.util.ArrayList;
    import java.util.List;

    public final class Nightcast {
      public static void main(String[] args) throws Exception {
        List<String> lines = new ArrayList<>(List.of(args));
        lines.add("NIGHTCAST_HOME=" + System.getenv("NIGHTCAST_HOME"));
        lines.add("NIGHTCAST_VAR_DIR=" + System.getenv("NIGHTCAST_VAR_DIR"));
        Files.write(Path.of(System.getenv("STAND_IN_RECORD")), lines);
        int summaryFile = lines.indexOf("--summary-file") + 1;
        if (summaryFile > 0 && System.getenv("STAND_IN_SUMMARY") != null) {
          Files.writeString(Path.of(args[summaryFile]), System.getenv("STAND_IN_SUMMARY"));
        }
        System.exit(Integer.parseInt(System.getenv("STAND_IN_EXIT_CODE")));
      }
    }
    """
)


@pytest.fixture(scope="session")
def stand_in_jar(tmp_path_factory):
    for tool in ("javac", "jar", "java"):
        assert shutil.which(tool), f"{tool} (JDK 17) is needed on PATH to run spark-submit"
    work = tmp_path_factory.mktemp("stand-in")
    source = work / "src" / "dev" / "nightcast" / "cli" / "Nightcast.java"
    source.parent.mkdir(parents=True)
    source.write_text(STAND_IN)
    classes = work / "classes"
    subprocess.run(["javac", "--release", "17", "-d", classes, source], check=True)
    jar = work / "nightcast.jar"
    subprocess.run(["jar", "--create", "--file", jar, "-C", classes, "."], check=True)
    return jar
