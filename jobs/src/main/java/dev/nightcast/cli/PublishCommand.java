package dev.nightcast.cli;

import dev.nightcast.config.ConfigLoader;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.night.Context;
import dev.nightcast.night.NightlyRun;
import dev.nightcast.night.StageName;
import dev.nightcast.serving.Publisher;
import dev.nightcast.serving.ServingDatabase;
import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** `nightcast publish --date D` re-runs the publish stage; `nightcast publish rollback` undoes the last one. */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description = "Re-run the publish stage for logical date D, or roll the serving table back (`publish rollback`).",
    subcommands = PublishCommand.Rollback.class)
final class PublishCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin PipelineOptions options;

  // checked in call(): picocli would demand a required parent option even for `publish rollback`
  @Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "Logical date D of the night (required to publish).")
  LocalDate date;

  @Override
  public Integer call() {
    if (date == null) {
      throw new ParameterException(spec.commandLine(), "Missing required option: '--date=YYYY-MM-DD'");
    }
    try (Context context = options.start()) {
      Object result = new NightlyRun(context).runStage(StageName.PUBLISH, date).value();
      System.out.println(StageName.PUBLISH.label() + " " + date + ": " + result);
      return 0;
    }
  }

  @Command(
      name = "rollback",
      mixinStandardHelpOptions = true,
      description = "Make the previous published version current again (a view switch: instant, no Spark).")
  static final class Rollback implements Callable<Integer> {
    @Mixin PipelineOptions options;

    @Override
    public Integer call() {
      ConfigLoader.LoadedPipeline loaded = options.loadPipeline();
      PipelineConfig pipeline = loaded.config();
      try (ServingDatabase database = ServingDatabase.open(options.loadEnv().postgres(), Map.copyOf(System.getenv()))) {
        database.migrate(pipeline.serving().schema());
        Publisher.Rollback rollback = new Publisher(database, pipeline.serving(), pipeline.entityKey()).rollback();
        System.out.println(
            "rolled " + pipeline.serving().schema() + "." + pipeline.serving().table() + " back from version " + rollback.from()
                + " to version " + rollback.to() + " (predictions for " + rollback.ds() + ")");
        return 0;
      }
    }
  }
}
