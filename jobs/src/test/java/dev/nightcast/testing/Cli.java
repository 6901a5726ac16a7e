package dev.nightcast.testing;

import dev.nightcast.config.EnvConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** bin/nightcast's way: the CLI in a JVM of its own (this JVM's flags and classpath), stdout and stderr captured together. */
public final class Cli {
  private Cli() {}

  public record Result(int code, String output) {}

  /** Runs {@code nightcast args...} with {@code environment} added; its output goes to a log file in {@code dir}. */
  public static Result run(Path dir, Map<String, String> environment, String... args) throws Exception {
    return run(dir, environment, List.of(), args);
  }

  /** The same with {@code jvmOptions} (e.g. {@code -Dspark.master=local[2]}, which spark-submit gives in production). */
  public static Result run(Path dir, Map<String, String> environment, List<String> jvmOptions, String... args) throws Exception {
    return run(dir, environment, jvmOptions, Duration.ofSeconds(300), args);
  }

  /** The same, given up on after {@code limit}: a whole night in a fresh JVM needs more than a short command on a busy machine. */
  public static Result run(Path dir, Map<String, String> environment, List<String> jvmOptions, Duration limit, String... args) throws Exception {
    List<String> command = ChildJvm.command("1g", "dev.nightcast.cli.Nightcast");
    command.add(1, "-Dlog4j.configurationFile=" + TestPipelines.root().resolve("conf/log4j2.properties"));
    command.addAll(2, jvmOptions);
    command.addAll(List.of(args));
    Path log = Files.createTempFile(dir, "cli", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    builder.environment().put("NIGHTCAST_HOME", TestPipelines.root().toString());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process process = builder.start();
    if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("nightcast " + String.join(" ", args) + " did not finish; its output: " + Files.readString(log));
    }
    return new Result(process.exitValue(), Files.readString(log));
  }

  /**
   * A production-shaped environment profile in {@code dir}: {@code env}'s warehouse and landing, a
   * local Spark, and the test Postgres server by URL, with credentials from NIGHTCAST_PG_USER/PASSWORD.
   */
  public static Path productionProfile(Path dir, EnvConfig env) throws IOException {
    Path file = dir.resolve("production.yaml");
    Files.writeString(
        file,
        "warehouse: " + env.warehouse() + "\nlanding: " + env.landing() + "\nspark:\n  master: local[2]\n"
            + "  conf: {spark.sql.shuffle.partitions: \"4\", spark.ui.enabled: \"false\"}\n"
            + "postgres: {url: \"" + TestPostgres.database().credentials().url() + "\", user_env: NIGHTCAST_PG_USER, password_env: NIGHTCAST_PG_PASSWORD}\n");
    return file;
  }
}
