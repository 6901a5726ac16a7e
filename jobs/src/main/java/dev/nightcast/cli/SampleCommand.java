package dev.nightcast.cli;

import dev.nightcast.config.EnvConfig;
import dev.nightcast.sample.FlightsSample;
import dev.nightcast.warehouse.Sessions;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "sample",
    hidden = true,
    mixinStandardHelpOptions = true,
    description = "Derive the flight-delay landing-zone drops from flights-3m.parquet (used by data-samples/derive.sh).")
final class SampleCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin PipelineOptions options;

  @Option(names = "--source", required = true, description = "Path to flights-3m.parquet.")
  Path source;

  @Option(names = "--out", required = true, description = "Landing directory to write schedule/ and actuals/ into.")
  Path out;

  @Option(names = "--from", defaultValue = "2001-01-01", description = "First flight date. Default: ${DEFAULT-VALUE}")
  LocalDate from;

  @Option(names = "--to", defaultValue = "2001-01-31", description = "Last flight date. Default: ${DEFAULT-VALUE}")
  LocalDate to;

  @Option(names = "--copies", defaultValue = "1", description = "Copies of every flight (scale benchmarks): new keys, shifted minutes, nudged delays; same input, same copies. Default: ${DEFAULT-VALUE}")
  int copies;

  @Override
  public Integer call() {
    OptionChecks.existing(spec, "--source", source);
    OptionChecks.writableDirectory(spec, "--out", out);
    OptionChecks.dateOrder(spec, from, to);
    OptionChecks.positive(spec, "--copies", copies);
    options.loadPipeline();
    EnvConfig env = options.loadEnv();
    SparkSession spark = Sessions.create(env, null, "nightcast-sample");
    try {
      long rows = FlightsSample.write(spark, source.toAbsolutePath().toString(), out.toAbsolutePath(), from, to, copies);
      System.out.println("sample: " + rows + " flights from " + from + " to " + to + " written to " + out);
      return 0;
    } finally {
      Sessions.stop(spark);
    }
  }
}
