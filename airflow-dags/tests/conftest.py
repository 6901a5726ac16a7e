"""Shared set-up for the DAG tests.

Airflow reads its configuration when first imported, so this module points it at a throw-away
AIRFLOW_HOME (never ~/airflow) before any test imports airflow. Fixtures that need the metadata
database (CLI checks, `airflow dags test`) share one sqlite database migrated once per session.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

DAGS_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = DAGS_DIR.parent
VENV_BIN = Path(sys.executable).parent
DAG_ID = "nightcast_nightly"
JAR = PROJECT_DIR / "jobs" / "target" / "nightcast.jar"

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
    "NIGHTCAST_CATCHUP",
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
