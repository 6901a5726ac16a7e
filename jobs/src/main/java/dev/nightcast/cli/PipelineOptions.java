package dev.nightcast.cli;

import dev.nightcast.config.ConfigLoader;
import dev.nightcast.config.EnvConfig;
import dev.nightcast.night.Context;
import java.nio.file.Path;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Option;

/** Options every pipeline command shares: which pipeline, which environment, how chatty. */
public final class PipelineOptions {
  @Option(
      names = "--pipeline",
      paramLabel = "FILE",
      defaultValue = "conf/pipelines/flight_delay.yaml",
      description = "Pipeline definition (relative to NIGHTCAST_HOME). Default: ${DEFAULT-VALUE}")
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
    return ConfigLoader.loadPipeline(home().resolve(pipeline));
  }

  EnvConfig loadEnv() {
    return ConfigLoader.loadEnv(env, home(), System.getenv());
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
