package dev.nightcast.cli;

import dev.nightcast.night.Context;
import dev.nightcast.night.NightlyRun;
import dev.nightcast.night.StageName;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** One stage of the night on its own (registered once per stage as `nightcast <stage>`). */
@Command(mixinStandardHelpOptions = true)
final class StageCommand implements Callable<Integer> {
  private final StageName stage;

  @Mixin PipelineOptions options;

  @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "Logical date D of the night.")
  LocalDate date;

  StageCommand(StageName stage) {
    this.stage = stage;
  }

  /** What `nightcast <stage> --help` and `nightcast --help` say the stage does. */
  static String description(StageName stage) {
    return switch (stage) {
      case INGEST -> "Re-run ingest for logical date D: read each source's drop, check its schema and expectations,"
          + " quarantine bad rows, profile the rest and replace D's raw rows.";
      case FEATURES -> "Re-run features for logical date D: derive D's feature rows from the raw tables (history only from before D).";
      case TRAIN -> "Train on the window ending on logical date D now, due or not: tune and backtest the candidates,"
          + " gate the best against the champion, register every version.";
      case SCORE -> "Re-run score for logical date D: the champion of D scores the entities of D+1 into the predictions table.";
      case PUBLISH -> throw new IllegalArgumentException("publish has a command of its own (PublishCommand)");
      case MONITOR -> "Re-run monitor for logical date D: realised performance of D, the estimate for D+1, drift, alerts and the retrain signal.";
    };
  }

  @Override
  public Integer call() {
    try (Context context = options.start()) {
      Object result = new NightlyRun(context).runStage(stage, date).value();
      System.out.println(stage.label() + " " + date + ": " + result);
      return 0;
    }
  }
}
