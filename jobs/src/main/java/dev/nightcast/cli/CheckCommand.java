package dev.nightcast.cli;

import dev.nightcast.NightcastException;
import dev.nightcast.config.ConfigLoader;
import dev.nightcast.config.EnvConfig;
import dev.nightcast.config.SourceConfig;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Checks a pipeline before its night without starting Spark: what a night would stop on at its start, and what it would do. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Check a pipeline without starting Spark: both configuration files (exit code 3 names the file and the key),"
          + " and with --date each source's drop for night D (present, columns as declared; exit code 4 names the file),"
          + " then print the night's plan."
    })
final class CheckCommand implements Callable<Integer> {
  @Mixin PipelineOptions options;

  @Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "Logical date D: also check its drops and print its plan.")
  LocalDate date;

  @Override
  public Integer call() {
    ConfigLoader.LoadedPipeline loaded = options.loadPipeline();
    EnvConfig env = options.loadEnv();
    System.out.println("pipeline " + loaded.config().name() + ": " + loaded.file() + " is valid");
    System.out.println("profile " + options.env + ": valid (warehouse " + env.warehouse() + ", landing " + env.landing(loaded.config().name()) + ")");
    if (date == null) {
      System.out.println("give --date D to check the drops of night D and print its plan");
      return 0;
    }
    List<String> failures = new ArrayList<>();
    for (Map.Entry<String, SourceConfig> source : loaded.config().sources().entrySet()) {
      try {
        System.out.println("drop " + source.getKey() + ": " + LandingCheck.check(source.getKey(), source.getValue(), env.landing(loaded.config().name()), date));
      } catch (NightcastException e) {
        System.out.println("drop " + source.getKey() + ": FAILED");
        failures.add(e.getMessage());
      }
    }
    // every drop is looked at before stopping, so one check lists all that an upstream export must fix
    if (!failures.isEmpty()) {
      throw NightcastException.badData(String.join("\n", failures));
    }
    NightPlan.lines(loaded.config(), date).forEach(System.out::println);
    return 0;
  }
}
