package dev.nightcast.cli;

import dev.nightcast.Context;
import dev.nightcast.NightlyRun;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run the whole night for logical date D: ingest, validate, features, train (when due), score, publish, monitor.")
final class RunCommand implements Callable<Integer> {
  @Mixin PipelineOptions options;

  @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "Logical date D of the night.")
  LocalDate date;

  @Override
  public Integer call() {
    try (Context context = options.start()) {
      NightlyRun.Night night = new NightlyRun(context).run(date);
      System.out.println(Summaries.night(night));
      return 0;
    }
  }
}
