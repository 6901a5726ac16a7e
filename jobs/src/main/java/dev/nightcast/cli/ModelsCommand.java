package dev.nightcast.cli;

import dev.nightcast.night.Context;
import dev.nightcast.registry.ModelEventsTable;
import dev.nightcast.registry.Registry;
import dev.nightcast.report.ModelHistory;
import dev.nightcast.warehouse.Tables;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The model registry from the command line: list, show, promote, rollback. */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description = "Inspect the model registry and move the champion alias (every move is logged in model_events).",
    subcommands = {ModelsCommand.ListModels.class, ModelsCommand.Show.class, ModelsCommand.Promote.class, ModelsCommand.Rollback.class})
final class ModelsCommand {

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Every registered model, newest first, with the champion marked.")
  static final class ListModels implements Callable<Integer> {
    @Mixin PipelineOptions options;

    @Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "Mark the champion as of this night (default: the latest model event).")
    LocalDate date;

    @Override
    public Integer call() {
      try (Context context = options.start()) {
        if (!context.warehouse().exists(Tables.MODELS)) {
          System.out.println("no models yet in " + context.warehouse().path(Tables.MODELS));
          return 0;
        }
        Optional<Registry.Champion> champion = asOf(context, date).flatMap(d -> Registry.champion(context.warehouse(), d));
        System.out.printf("%-3s %-7s %-10s %-20s %-26s %-17s %-8s %-8s %-25s %-29s %s%n",
            "", "version", "trained", "candidate", "algorithm", "decision", "val", "test", "backtest mean [95% t]", "vs champion [95% paired]",
            "primary metric");
        String metric = context.pipeline().config().training().task().primaryMetric();
        for (ModelHistory.Model model : ModelHistory.models(context.warehouse(), metric)) {
          System.out.printf("%-3s v%-6d %-10s %-20s %-26s %-17s %-8s %-8s %-25s %-29s %s%n",
              champion.map(c -> c.version() == model.version() ? "*" : "").orElse(""), model.version(), model.trainedOn(),
              model.candidate(), model.algorithm() + (model.baseline() ? " (baseline)" : ""),
              model.decision(), format(model.validationMetric()), format(model.testMetric()),
              interval("%.4f", model.backtestMean(), model.backtestLower(), model.backtestUpper()),
              interval("%+.4f", model.championDifference(), model.championDifferenceLower(), model.championDifferenceUpper()), metric);
        }
        return 0;
      }
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "One model's registry row (lineage, metrics, gate reasons) and its alias moves.")
  static final class Show implements Callable<Integer> {
    @Mixin PipelineOptions options;

    @Parameters(paramLabel = "VERSION", converter = Version.class, description = "Model version, e.g. 3 or v3.")
    int version;

    @Override
    public Integer call() {
      try (Context context = options.start()) {
        int v = version;
        for (Map.Entry<String, Object> field : ModelHistory.model(context.warehouse(), v).entrySet()) {
          Object value = field.getValue();
          if (field.getKey().equals("calibration") && value instanceof List<?> rates) {
            // a rate per score bin: its ends say how far the scores are from calibrated
            value = String.format("%d bins: positive rate %.4f in the lowest score bin .. %.4f in the highest", rates.size(), rates.get(0),
                rates.get(rates.size() - 1));
          }
          System.out.printf("%-20s %s%n", field.getKey(), render(value));
        }
        System.out.println("events:");
        for (ModelEventsTable.Event move : ModelHistory.moves(context.warehouse(), v)) {
          System.out.printf("  %s #%d %-8s v%d (was %s) by %s: %s%n", move.ds(), move.seq(), move.event(), move.modelVersion(),
              move.previousVersion() == null ? "none" : "v" + move.previousVersion(), move.actor(), move.reason());
        }
        return 0;
      }
    }
  }

  /** A move of the champion alias from night --date on, recorded with who and why. */
  abstract static class AliasMove implements Callable<Integer> {
    private final String defaultReason;

    @Spec CommandSpec spec;

    @Mixin PipelineOptions options;

    @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "The first night whose scoring uses the new champion.")
    LocalDate date;

    @Option(names = "--reason", description = "Why (recorded in model_events). Default: manual promotion / manual rollback")
    String reason;

    @Option(names = "--actor", defaultValue = "${sys:user.name}", description = "Who (recorded in model_events). Default: the OS user")
    String actor;

    AliasMove(String defaultReason) {
      this.defaultReason = defaultReason;
    }

    abstract Registry.Champion move(Context context, String reason);

    @Override
    public Integer call() {
      if (reason != null) {
        OptionChecks.notBlank(spec, "option '--reason'", reason);
      }
      OptionChecks.notBlank(spec, "option '--actor'", actor);
      try (Context context = options.start()) {
        Registry.Champion champion = move(context, reason == null ? defaultReason : reason);
        System.out.println("champion from " + date + ": v" + champion.version() + " (trained " + champion.trainedOn() + ")");
        return 0;
      }
    }
  }

  @Command(name = "promote", mixinStandardHelpOptions = true,
      description = "Make VERSION the champion from night --date on (re-run score and publish of that night to serve it now).")
  static final class Promote extends AliasMove {
    @Parameters(paramLabel = "VERSION", converter = Version.class, description = "Model version, e.g. 3 or v3.")
    int version;

    Promote() {
      super("manual promotion");
    }

    @Override
    Registry.Champion move(Context context, String reason) {
      return Registry.promote(context.warehouse(), version, date, reason, actor);
    }
  }

  @Command(name = "rollback", mixinStandardHelpOptions = true,
      description = "Serve the previous champion again from night --date on (the next scoring and publish use it).")
  static final class Rollback extends AliasMove {
    Rollback() {
      super("manual rollback");
    }

    @Override
    Registry.Champion move(Context context, String reason) {
      return Registry.rollback(context.warehouse(), date, reason, actor);
    }
  }

  /** The given night, or the latest night with a model event (empty when there is none). */
  private static Optional<LocalDate> asOf(Context context, LocalDate date) {
    return date != null ? Optional.of(date) : ModelHistory.latestEventNight(context.warehouse());
  }

  private static String format(Double metric) {
    return metric == null ? "n/a" : String.format("%.4f", metric);
  }

  /** A value and its interval, e.g. {@code 0.7012 [0.6903, 0.7121]}; "-" when absent (not a pick, no champion, backtest off). */
  private static String interval(String format, Double value, Double lower, Double upper) {
    if (value == null) {
      return "-";
    }
    return String.format(format, value) + (lower == null ? "" : " [" + String.format(format, lower) + ", " + String.format(format, upper) + "]");
  }

  /** One value per line for arrays, one {@code key -> value} per line for maps (as the registry row has always printed). */
  private static Object render(Object value) {
    String separator = "\n" + " ".repeat(21);
    if (value instanceof List<?> list) {
      return String.join(separator, list.stream().map(String::valueOf).toList());
    }
    if (value instanceof Map<?, ?> map) {
      return String.join(separator, map.entrySet().stream().map(e -> e.getKey() + " -> " + e.getValue()).toList());
    }
    return value;
  }

  /** A model version as the registry numbers them (from 1), written 3 or v3: checked while parsing, before Spark starts. */
  static final class Version implements picocli.CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      try {
        int version = Integer.parseInt(value.startsWith("v") ? value.substring(1) : value);
        if (version >= 1) {
          return version;
        }
      } catch (NumberFormatException e) {
        // reported below, with what a version looks like
      }
      throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a model version (e.g. 3 or v3)");
    }
  }
}
