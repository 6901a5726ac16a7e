"""(1) The DAG folder imports with no errors, as the DAG processor and the CLI see it."""

from __future__ import annotations

import json

from conftest import DAG_ID, DAGS_DIR, airflow_cmd, run


def test_dag_folder_imports_without_errors():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=DAGS_DIR)

    assert bag.import_errors == {}
    assert bag.dag_ids == [DAG_ID]
    # .airflowignore keeps the tests and conftest out of the DAG processor.
    assert [stat.file for stat in bag.dagbag_stats] == ["nightcast_nightly.py"]
    assert bag.captured_warnings == {}


def test_dag_survives_serialization_for_the_scheduler():
    from airflow.dag_processing.dagbag import DagBag
    from airflow.serialization.serialized_objects import DagSerialization

    dag = DagBag(dag_folder=DAGS_DIR).dags[DAG_ID]
    restored = DagSerialization.deserialize_dag(DagSerialization.serialize_dag(dag))

    assert restored.dag_id == DAG_ID
    assert sorted(restored.task_ids) == sorted(dag.task_ids)
    assert restored.get_task("check_retrain_signal").downstream_task_ids == {"retrain_signal_raised", "no_retrain_signal"}
    assert restored.max_active_runs == 1


def test_cli_lists_the_dag_and_no_import_errors(airflow_db):
    errors = run(airflow_cmd("dags", "list-import-errors", "--local", "-o", "json"), env=airflow_db)
    dags = run(airflow_cmd("dags", "list", "--local", "-o", "json"), env=airflow_db)

    assert json_output(errors.stdout) == []
    assert [d["dag_id"] for d in json_output(dags.stdout)] == [DAG_ID]


def json_output(stdout: str):
    """The JSON document the CLI prints last (Airflow logs its warnings to stdout too)."""
    return json.loads(stdout.strip().splitlines()[-1])
