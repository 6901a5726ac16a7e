"""(5) The Dockerfile, checked without a Docker engine (none is available here): every file it copies
exists in the build context or comes out of the build it runs, the S3 jars it fetches are the ones
the build resolves, its base image is our Spark version, it runs as a non-root user, and its
entrypoint is bin/nightcast, the launcher the other tests use, whose image mode (spark-submit of
the jar) is run here for real with the venv's spark-submit.
"""

from __future__ import annotations

import os
import re
import shlex
import xml.etree.ElementTree as ElementTree

from conftest import LAUNCHER, PROJECT_DIR, VENV_BIN, run

DOCKERFILE = PROJECT_DIR / "Dockerfile"
BUILD_WORKDIR = "/src"  # WORKDIR of the build stage: the build context's root inside it
IMAGE_HOME = "/opt/nightcast"


def instructions():
    """(instruction, arguments) of each Dockerfile line, continuations joined, comments left out."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]


def copies(stage_from=None):
    """(sources, destination) of each COPY, from the build context or (stage_from) another stage."""
    out = []
    for instruction, args in instructions():
        if instruction != "COPY":
            continue
        words = shlex.split(args)
        flags = [w for w in words if w.startswith("--")]
        if (f"--from={stage_from}" in flags) if stage_from else not flags:
            paths = [w for w in words if not w.startswith("--")]
            out.append((paths[:-1], paths[-1]))
    return out


def pom_property(name):
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    return ElementTree.parse(PROJECT_DIR / "pom.xml").getroot().find(f"m:properties/m:{name}", ns).text


def test_every_file_copied_from_the_build_context_exists():
    context_copies = copies()
    sources = [source for sources, _ in context_copies for source in sources]

    assert sources == ["pom.xml", "jobs/pom.xml", "jobs/src", "sql", "conf", "bin/nightcast"]
    for source in sources:
        assert (PROJECT_DIR / source).exists(), f"Dockerfile copies {source}, which is not in the project"


def test_every_file_copied_from_the_build_stage_exists_after_the_build(nightcast_jar):
    build_copies = dict((tuple(s), d) for s, d in copies(stage_from="build"))

    assert build_copies == {
        ("/src/s3-jars/",): "/opt/spark/jars/",
        ("/src/jobs/target/nightcast.jar",): f"{IMAGE_HOME}/jobs/target/nightcast.jar",
    }
    # the shaded jar: what `mvn package` (the build stage's command) produced here
    assert (PROJECT_DIR / "jobs/target/nightcast.jar").samefile(nightcast_jar)
    # s3-jars/: the artifacts `dependency:copy` fetches must be the hadoop-aws and AWS SDK bundle
    # that the build resolves against (Spark is provided, so they are in the provided classpath)
    fetched = re.findall(r"-Dartifact=([\w.:-]+) -DoutputDirectory=/src/s3-jars", DOCKERFILE.read_text())
    provided = (PROJECT_DIR / "jobs/target/classpath-provided.txt").read_text().split(os.pathsep)
    assert [a.split(":")[:2] for a in fetched] == [["org.apache.hadoop", "hadoop-aws"], ["software.amazon.awssdk", "bundle"]]
    assert fetched[0].split(":")[2] == pom_property("hadoop.version")
    for artifact in fetched:
        group, name, version = artifact.split(":")
        jar = f"/{group.replace('.', '/')}/{name}/{version}/{name}-{version}.jar"
        assert [p for p in provided if p.endswith(jar)], f"{artifact} is not what the build resolves ({jar})"


def test_base_image_is_our_spark_and_the_user_is_not_root():
    froms = [args for instruction, args in instructions() if instruction == "FROM"]
    users = [args for instruction, args in instructions() if instruction == "USER"]

    assert froms[-1] == f"apache/spark:{pom_property('spark.version')}-scala2.13-java17-ubuntu"
    assert users[-1] == "spark"


def test_entrypoint_is_the_launcher_the_tests_use():
    entrypoint = [args for instruction, args in instructions() if instruction == "ENTRYPOINT"]
    env = " ".join(args for instruction, args in instructions() if instruction == "ENV")

    assert entrypoint == [f'["{IMAGE_HOME}/bin/nightcast"]']
    assert ([f"{IMAGE_HOME}/bin/nightcast"] ==
            [d for s, d in copies() if s == ["bin/nightcast"]])  # fmt: skip
    assert os.access(LAUNCHER, os.X_OK)
    # the launcher's image mode points at the jar where the image puts it
    assert "NIGHTCAST_SPARK_SUBMIT=1" in env
    assert f"NIGHTCAST_JAR={IMAGE_HOME}/jobs/target/nightcast.jar" in env


def test_launcher_in_image_mode_hands_the_jar_to_spark_submit(nightcast_jar):
    import pyspark

    env = {
        **os.environ,
        # what the image's ENV sets, with this checkout's paths
        "NIGHTCAST_SPARK_SUBMIT": "1",
        "NIGHTCAST_JAR": str(nightcast_jar),
        "NIGHTCAST_SUBMIT_ARGS": "--master local[1] --driver-memory 512m",
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        "SPARK_HOME": os.path.dirname(pyspark.__file__),
    }

    result = run([LAUNCHER, "run", "--help"], env=env, timeout=300)

    assert "Usage: nightcast run" in result.stdout
    assert "--summary-file=FILE" in result.stdout


def test_launcher_in_image_mode_hands_kubernetes_pod_commands_to_the_spark_entrypoint(tmp_path):
    # stands in for the base image's /opt/entrypoint.sh, which starts the Kubernetes driver/executor
    entrypoint = tmp_path / "entrypoint.sh"
    entrypoint.write_text('#!/bin/sh\necho "spark entrypoint: $*"\n')
    entrypoint.chmod(0o755)
    env = {**os.environ, "NIGHTCAST_SPARK_SUBMIT": "1", "NIGHTCAST_SPARK_ENTRYPOINT": str(entrypoint)}

    for pod in ("driver", "executor"):
        result = run([LAUNCHER, pod, "--properties-file", "/opt/spark/conf/spark.properties"], env=env, timeout=60)

        assert result.stdout == f"spark entrypoint: {pod} --properties-file /opt/spark/conf/spark.properties\n"
