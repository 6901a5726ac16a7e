package dev.nightcast.cli;

import static org.apache.spark.sql.functions.col;

import dev.nightcast.night.Context;
import dev.nightcast.registry.Registry;
import dev.nightcast.warehouse.Tables;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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
        System.out.printf("%-3s %-7s %-10s %-20s %-26s %-17s %-10s %-10s %s%n",
            "", "version", "trained", "candidate", "algorithm", "decision", "val", "test", "primary metric");
        String metric = context.pipeline().config().training().task().primaryMetric();
        for (Row row : Registry.models(context.warehouse()).orderBy(col("version").desc()).collectAsList()) {
          int version = row.getInt(row.fieldIndex("version"));
          System.out.printf("%-3s v%-6d %-10s %-20s %-26s %-17s %-10s %-10s %s%n",
              champion.map(c -> c.version() == version ? "*" : "").orElse(""), version, row.getDate(row.fieldIndex("ds")),
              row.getString(row.fieldIndex("candidate")), row.getString(row.fieldIndex("algorithm")) + (row.getBoolean(row.fieldIndex("is_baseline")) ? " (baseline)" : ""),
              row.getString(row.fieldIndex("decision")), metric(row, "validation_metrics", metric), metric(row, "test_metrics", metric), metric);
        }
        return 0;
      }
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "One model's registry row (lineage, metrics, gate reasons) and its alias moves.")
  static final class Show implements Callable<Integer> {
    @Mixin PipelineOptions options;

    @Parameters(paramLabel = "VERSION", description = "Model version, e.g. 3 or v3.")
    String version;

    @Override
    public Integer call() {
      try (Context context = options.start()) {
        int v = parse(version);
        Row row = Registry.model(context.warehouse(), v, "show").toRow();
        for (String field : row.schema().fieldNames()) {
          Object value = row.get(row.fieldIndex(field));
          if (field.equals("calibration") && value != null) {
            // a rate per score bin: its ends say how far the scores are from calibrated
            List<Double> rates = row.getList(row.fieldIndex(field));
            value = String.format("%d bins: positive rate %.4f in the lowest score bin .. %.4f in the highest", rates.size(), rates.get(0),
                rates.get(rates.size() - 1));
          }
          System.out.printf("%-20s %s%n", field, value instanceof scala.collection.Iterable<?> seq ? seq.mkString("\n" + " ".repeat(21)) : value);
        }
        System.out.println("events:");
        List<Row> events =
            context.warehouse().read(Tables.MODEL_EVENTS)
                .where(col("model_version").equalTo(v).or(col("previous_version").equalTo(v)))
                .orderBy(col("ds"), col("seq")).collectAsList();
        for (Row event : events) {
          System.out.printf("  %s #%d %-8s v%d (was %s) by %s: %s%n", event.getDate(0), event.getInt(1), event.getString(2), event.getInt(3),
              event.isNullAt(4) ? "none" : "v" + event.getInt(4), event.getString(6), event.getString(5));
        }
        return 0;
      }
    }
  }

  /** A move of the champion alias from night --date on, recorded with who and why. */
  abstract static class AliasMove implements Callable<Integer> {
    private final String defaultReason;

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
    @Parameters(paramLabel = "VERSION", description = "Model version, e.g. 3 or v3.")
    String version;

    Promote() {
      super("manual promotion");
    }

    @Override
    Registry.Champion move(Context context, String reason) {
      return Registry.promote(context.warehouse(), parse(version), date, reason, actor);
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
    if (date != null) {
      return Optional.of(date);
    }
    if (!context.warehouse().exists(Tables.MODEL_EVENTS)) {
      return Optional.empty();
    }
    Row max = context.warehouse().read(Tables.MODEL_EVENTS).agg(org.apache.spark.sql.functions.max("ds")).head();
    return max.isNullAt(0) ? Optional.empty() : Optional.of(max.getDate(0).toLocalDate());
  }

  private static String metric(Row row, String column, String metric) {
    scala.collection.Map<String, Double> metrics = row.getMap(row.fieldIndex(column));
    return metrics.get(metric).map(v -> String.format("%.4f", v)).getOrElse(() -> "n/a");
  }

  static int parse(String version) {
    try {
      return Integer.parseInt(version.startsWith("v") ? version.substring(1) : version);
    } catch (NumberFormatException e) {
      throw new picocli.CommandLine.TypeConversionException("'" + version + "' is not a model version (e.g. 3 or v3)");
    }
  }
}
