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
    boolean file = pipeline.endsWith(".yaml") || pipeline.contains("/");
    return ConfigLoader.loadPipeline(home().resolve(file ? pipeline : "conf/pipelines/" + pipeline + ".yaml"));
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
