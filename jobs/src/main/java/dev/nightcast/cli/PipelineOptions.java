package dev.nightcast.cli;

import dev.nightcast.NightcastException;
import dev.nightcast.config.ConfigLoader;
import dev.nightcast.config.EnvConfig;
import dev.nightcast.night.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Option;

/** Options every pipeline command shares: which pipeline, which environment, how chatty. */
public final class PipelineOptions {
  /** The bundled sample's pipeline, what commands run without --pipeline. */
  static final String DEFAULT_PIPELINE = "flight_delay";

  @Option(
      names = "--pipeline",
      paramLabel = "NAME|FILE",
      defaultValue = DEFAULT_PIPELINE,
      description = "Pipeline: a name under conf/pipelines/ or a YAML file (relative to NIGHTCAST_HOME). Default: ${DEFAULT-VALUE}")
  String pipeline;

  @Option(
      names = "--env",
      paramLabel = "NAME|FILE",
      defaultValue = "local",
      description = "Environment profile: a name under conf/env/ or a YAML file. Default: ${DEFAULT-VALUE}")
  String env;

  @Option(names = "--verbose", description = "Log nightcast's own steps at DEBUG and print stack traces.")
  boolean verbose;

  static Path home() {
    String home = System.getenv("NIGHTCAST_HOME");
    return Path.of(home == null || home.isEmpty() ? "." : home).toAbsolutePath().normalize();
  }

  ConfigLoader.LoadedPipeline loadPipeline() {
    Path file = home().resolve(pipeline.endsWith(".yaml") || pipeline.contains("/") ? pipeline : "conf/pipelines/" + pipeline + ".yaml");
    if (!Files.isRegularFile(file)) {
      throw NightcastException.usage(
          "Cannot load the pipeline: --pipeline " + pipeline + " names no file (" + file
              + "; a name is read from conf/pipelines/, a relative path from NIGHTCAST_HOME)");
    }
    return ConfigLoader.loadPipeline(file);
  }

  EnvConfig loadEnv() {
    Path file = ConfigLoader.envFile(env, home());
    if (!Files.isRegularFile(file)) {
      throw NightcastException.usage(
          "Cannot load the environment profile: --env " + env + " names no file (" + file + "); give one of the profiles in "
              + home().resolve(ConfigLoader.ENV_DIR) + " " + profiles() + ", or a path to a YAML file");
    }
    return ConfigLoader.loadEnv(env, home(), System.getenv());
  }

  /** The profile names under conf/env/, for the message when --env names none. */
  private static List<String> profiles() {
    try (Stream<Path> files = Files.list(home().resolve(ConfigLoader.ENV_DIR))) {
      return files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml")).map(f -> f.substring(0, f.length() - ".yaml".length())).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Loads and validates both configs, then starts Spark. */
  Context start() {
    ConfigLoader.LoadedPipeline loaded = loadPipeline();
    EnvConfig environment = loadEnv();
    if (verbose) {
      Configurator.setLevel("dev.nightcast", Level.DEBUG);
    }
    return Context.start(loaded, environment, Map.copyOf(System.getenv()));
  }
}
