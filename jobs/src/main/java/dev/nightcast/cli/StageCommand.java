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
@Command(mixinStandardHelpOptions = true, description = "Re-run one stage of the night for logical date D.")
final class StageCommand implements Callable<Integer> {
  private final StageName stage;

  @Mixin PipelineOptions options;

  @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "Logical date D of the night.")
  LocalDate date;

  StageCommand(StageName stage) {
    this.stage = stage;
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
