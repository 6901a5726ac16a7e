"""Class-data archives: bin/nightcast's local mode starts from the archive of its jar, written once
per build; bin/driver-archive writes one for spark-submit's driver. Every start maps its archive
(-Xshare:on makes a JVM that cannot map it fail instead of silently loading the classes from the
jars), and none is heard of on stdout."""

from __future__ import annotations

import os
import shutil
import time

from conftest import LAUNCHER, MAIN_CLASS, VENV_BIN, free_port, run, spark_env


def test_every_start_maps_the_class_data_archive_written_for_the_jar(nightcast_jar, tmp_path):
    archive = nightcast_jar.parent / "nightcast.jsa"
    env = {**os.environ, "NIGHTCAST_VAR_DIR": str(tmp_path / "var")}

    first = run([LAUNCHER, "--version"], env=env, timeout=300)

    assert archive.stat().st_mtime >= nightcast_jar.stat().st_mtime
    written = archive.stat().st_mtime
    assert [line for line in first.stdout.splitlines() if line.strip()] == [first.stdout.strip()]
    assert "nightcast" in first.stdout
    time.sleep(1)  # a rewrite would show as a newer modification time

    shared = run([LAUNCHER, "--version"], env={**env, "NIGHTCAST_JAVA_OPTS": "-Xmx1g -Xshare:on"}, timeout=120)

    assert shared.stdout == first.stdout
    assert archive.stat().st_mtime == written


def test_an_archive_that_does_not_match_the_classpath_is_refused_and_the_start_goes_on(nightcast_jar, tmp_path):
    # an archive written for another classpath (a copy of the jar elsewhere): a JVM with -Xshare:on
    # refuses it, bin/nightcast's default (-Xshare:auto) starts without it, quietly
    copy = tmp_path / "copy.jar"
    shutil.copy(nightcast_jar, copy)
    other = tmp_path / "other.jsa"
    # (without Spark's jars the CLI stops at once, but the classes it loaded from the copy are archived)
    run(["java", f"-XX:ArchiveClassesAtExit={other}", "-Xlog:cds*=off", "-cp", copy, MAIN_CLASS], timeout=120, check=False)
    assert other.exists()
    env = {**os.environ, "NIGHTCAST_VAR_DIR": str(tmp_path / "var"), "NIGHTCAST_CLASS_ARCHIVE": str(other)}

    refused = run([LAUNCHER, "--version"], env={**env, "NIGHTCAST_JAVA_OPTS": "-Xmx1g -Xshare:on"}, timeout=120, check=False)
    started = run([LAUNCHER, "--version"], env=env, timeout=120)

    assert refused.returncode != 0
    assert started.stdout.strip().startswith("nightcast")
    assert "shared" not in started.stdout + started.stderr


def test_a_spark_submit_driver_maps_the_archive_bin_driver_archive_wrote(nightcast_jar, driver_class_archive, tmp_path):
    command = [
        VENV_BIN / "spark-submit",
        "--master", "local[1]",
        "--driver-java-options", f"-Xshare:on -XX:SharedArchiveFile={driver_class_archive} -Xlog:cds*=off",
        "--class", MAIN_CLASS,
        nightcast_jar,
        "--version",
    ]  # fmt: skip

    result = run(command, env=spark_env(tmp_path / "var", free_port()), timeout=300)

    assert result.stdout.strip().startswith("nightcast")
