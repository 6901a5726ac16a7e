package dev.nightcast.cli;

import dev.nightcast.ExitCode;
import dev.nightcast.night.Context;
import dev.nightcast.night.NightlyRun;
import dev.nightcast.ops.RunLog;
import dev.nightcast.warehouse.Warehouse;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run the whole night for logical date D: ingest (with validation and profile), features, train (when due), score, publish, monitor.")
final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin PipelineOptions options;

  @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "Logical date D of the night.")
  LocalDate date;

  @Option(
      names = "--summary-file",
      paramLabel = "FILE",
      description = "Also write the night's outcome as JSON to FILE, also when it fails (status, exit code, stages, alerts, retrain_due).")
  Path summaryFile;

  @Override
  public Integer call() {
    if (summaryFile != null) {
      OptionChecks.writableFile(spec, "--summary-file", summaryFile);
    }
    Context context;
    try {
      context = options.start();
    } catch (RuntimeException e) {
      throw summarizeFailure(null, e);
    }
    try (context) {
      NightlyRun.Night night;
      try {
        night = new NightlyRun(context).run(date);
      } catch (RuntimeException e) {
        throw summarizeFailure(context.warehouse(), e);
      }
      System.out.println(Summaries.night(night));
      if (summaryFile != null) {
        RunSummary.write(RunSummary.succeeded(context.warehouse(), night), summaryFile);
      }
      return 0;
    }
  }

  /** Writes the failure's summary when asked; a failure to do so never hides the night's own error. */
  private RuntimeException summarizeFailure(Warehouse warehouse, RuntimeException failure) {
    if (summaryFile != null) {
      try {
        // a night that started opened its run log first thing
        Optional<Path> log = warehouse == null ? Optional.empty() : RunLog.latest();
        RunSummary.write(RunSummary.failed(warehouse, date, ExitCode.of(failure).code, failure.getMessage(), log), summaryFile);
      } catch (RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
    return failure;
  }
}
