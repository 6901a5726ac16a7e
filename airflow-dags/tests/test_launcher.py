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


def _launcher_tree(tmp_path, mvn_script):
    """A copy of bin/nightcast in a project tree without a jar, and a fake `mvn` (and `java`) first on PATH."""
    root = tmp_path / "project"
    (root / "bin").mkdir(parents=True)
    shutil.copy(LAUNCHER, root / "bin" / "nightcast")
    for directory in ("jobs/src/main", "sql", "conf"):
        (root / directory).mkdir(parents=True)
    for file in ("pom.xml", "jobs/pom.xml", "conf/spark-java17.jvmopts"):
        (root / file).write_text("")
    tools = tmp_path / "tools"
    tools.mkdir()
    for name, script in (("mvn", mvn_script), ("java", 'echo "java ran"')):
        (tools / name).write_text(f"#!/usr/bin/env bash\n{script}\n")
        (tools / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{tools}:{os.environ['PATH']}", "NIGHTCAST_CLASS_ARCHIVE": ""}
    return root, env


# 120 artifacts of 2.5 MB each, as Maven prints them in batch mode, then the module and the jar
FIRST_BUILD = """
echo "[INFO] Scanning for projects..."
for i in $(seq 1 120); do
  echo "[INFO] Downloading from central: https://repo.maven.apache.org/maven2/org/example/a$i/1.0/a$i-1.0.jar"
  echo "[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/org/example/a$i/1.0/a$i-1.0.jar (2.5 MB at 9.1 MB/s)"
done
echo "[INFO] Building nightcast-jobs 0.1.0 [2/2]"
"""


def test_the_first_use_build_shows_its_progress_and_keeps_mavens_output_in_a_log(tmp_path):
    root, env = _launcher_tree(
        tmp_path,
        FIRST_BUILD + 'mkdir -p jobs/target && touch jobs/target/nightcast.jar jobs/target/classpath-runtime.txt jobs/target/classpath-provided.txt',
    )

    result = run([root / "bin" / "nightcast", "--version"], env=env, cwd=root, timeout=120)

    log = root / "jobs" / "target" / "build.log"
    progress = result.stderr.splitlines()
    assert progress[0].startswith(f"nightcast: building jobs/target/nightcast.jar (mvn package; the first build downloads ~700 MB; Maven's output: {log})")
    assert [line.split(": ", 2)[2] for line in progress[1:]] == [
        "50 files downloaded (100 MB)...",
        "100 files downloaded (200 MB)...",
        "nightcast-jobs 0.1.0 [2/2]",
        "done",
    ], result.stderr
    assert len(log.read_text().splitlines()) == 1 + 2 * 120 + 1
    assert result.stdout == "java ran\n"


def test_a_failed_build_prints_mavens_last_lines_and_names_its_log(tmp_path):
    root, env = _launcher_tree(tmp_path, FIRST_BUILD + 'echo "[ERROR] Failed to execute goal: compilation failure"; exit 1')

    result = run([root / "bin" / "nightcast", "--version"], env=env, cwd=root, timeout=120, check=False)

    assert result.returncode == 1
    assert "[ERROR] Failed to execute goal: compilation failure" in result.stderr
    assert result.stderr.rstrip().endswith(f"nightcast: the build failed (Maven's whole output: {root / 'jobs' / 'target' / 'build.log'})")
    assert "java ran" not in result.stdout
