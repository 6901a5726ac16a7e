package dev.nightcast.registry;

import dev.nightcast.NightcastException;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The model registry: {@code models} holds every trained candidate with its lineage,
 * {@code model_events} every alias move. The champion on date D is the model named by the latest
 * promote or rollback event on or before D (by ds, then seq), so "which model served on D" is one
 * query:
 *
 * <pre>
 * SELECT model_version FROM model_events
 * WHERE event IN ('promote', 'rollback') AND ds <= DATE'2001-01-10'
 * ORDER BY ds DESC, seq DESC LIMIT 1
 * </pre>
 *
 * Training writes its event of night D with seq 0 (a re-run replaces it); people's promote and
 * rollback events get the next seq of their date, so they outrank a re-run training of that date.
 */
public final class Registry {
  public static final String PROMOTE = "promote";
  public static final String REJECT = "reject";
  public static final String ROLLBACK = "rollback";

  private static final org.apache.spark.sql.types.DataType METRICS = DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType);

  public static final StructType MODELS_SCHEMA =
      new StructType()
          .add("ds", DataTypes.DateType, false)
          .add("run_id", DataTypes.StringType, false)
          .add("version", DataTypes.IntegerType, false)
          .add("candidate", DataTypes.StringType, false)
          .add("algorithm", DataTypes.StringType, false)
          .add("is_baseline", DataTypes.BooleanType, false)
          .add("task", DataTypes.StringType, false)
          .add("params", DataTypes.StringType, false)
          .add("tuning", DataTypes.StringType, false)
          .add("feature_names", DataTypes.createArrayType(DataTypes.StringType), false)
          .add("imputation", DataTypes.StringType, false)
          .add("seed", DataTypes.LongType, false)
          .add("window_start", DataTypes.DateType, false)
          .add("window_end", DataTypes.DateType, false)
          .add("train_rows", DataTypes.LongType, false)
          .add("validation_rows", DataTypes.LongType, false)
          .add("test_rows", DataTypes.LongType, false)
          .add("validation_auc", DataTypes.DoubleType, true)
          .add("test_auc", DataTypes.DoubleType, true)
          .add("validation_metrics", METRICS, false)
          .add("test_metrics", METRICS, false)
          .add("slice_metrics", DataTypes.StringType, false)
          .add("baseline_comparison", DataTypes.StringType, false)
          .add("champion_version", DataTypes.IntegerType, true)
          .add("champion_comparison", DataTypes.StringType, true)
          .add("gate_mode", DataTypes.StringType, false)
          .add("gate_passed", DataTypes.BooleanType, true)
          .add("gate_reasons", DataTypes.createArrayType(DataTypes.StringType), false)
          .add("train_seconds", DataTypes.DoubleType, false)
          .add("decision", DataTypes.StringType, false)
          .add("reason", DataTypes.StringType, false)
          .add("input_versions", DataTypes.StringType, false)
          .add("config_sha256", DataTypes.StringType, false)
          .add("code_version", DataTypes.StringType, false)
          .add("artifact_path", DataTypes.StringType, false)
          .add("reference_profile", DataTypes.StringType, false)
          // classifiers: the isotonic calibration map of the test window (Calibration), for the label-free estimates
          .add("calibration", DataTypes.createArrayType(DataTypes.DoubleType, false), true);

  public static final StructType EVENTS_SCHEMA =
      new StructType()
          .add("ds", DataTypes.DateType, false)
          .add("seq", DataTypes.IntegerType, false)
          .add("event", DataTypes.StringType, false)
          .add("model_version", DataTypes.IntegerType, false)
          .add("previous_version", DataTypes.IntegerType, true)
          .add("reason", DataTypes.StringType, false)
          .add("actor", DataTypes.StringType, false);

  private Registry() {}

  /** The serving model as of {@code asOf}. */
  public record Champion(int version, LocalDate trainedOn, String artifactPath) {}

  /** One alias move, in the order they happened. */
  public record Event(LocalDate ds, int seq, String event, int modelVersion) {}

  public static Optional<Champion> champion(Warehouse warehouse, LocalDate asOf) {
    List<Integer> stack = championStack(events(warehouse, asOf));
    if (stack.isEmpty()) {
      return Optional.empty();
    }
    int version = stack.get(stack.size() - 1);
    Row model = model(warehouse, version, "serve");
    return Optional.of(new Champion(version, model.<Date>getAs("ds").toLocalDate(), model.getAs("artifact_path")));
  }

  /**
   * Pure: replays alias moves into the stack of champions (a promote pushes, a rollback pops back
   * to the champion before); the last element serves. Promoting the serving model is a no-op.
   */
  public static List<Integer> championStack(List<Event> events) {
    List<Integer> stack = new ArrayList<>();
    for (Event event : events) {
      if (event.event().equals(PROMOTE)) {
        if (stack.isEmpty() || stack.get(stack.size() - 1) != event.modelVersion()) {
          stack.add(event.modelVersion());
        }
      } else if (event.event().equals(ROLLBACK)) {
        while (!stack.isEmpty() && stack.get(stack.size() - 1) != event.modelVersion()) {
          stack.remove(stack.size() - 1);
        }
        if (stack.isEmpty()) {
          stack.add(event.modelVersion());
        }
      }
    }
    return stack;
  }

  /**
   * The calibration map of every model version that has one (models trained before maps were
   * kept, and regressors, have none).
   */
  public static Map<Integer, double[]> calibrations(Warehouse warehouse) {
    Map<Integer, double[]> out = new TreeMap<>();
    for (Row row : registered(warehouse)) {
      int index = List.of(row.schema().fieldNames()).indexOf("calibration");
      if (index >= 0 && !row.isNullAt(index)) {
        out.put(row.getAs("version"), row.<Double>getList(index).stream().mapToDouble(Double::doubleValue).toArray());
      }
    }
    return out;
  }

  /** Alias moves on or before {@code asOf}, oldest first. */
  public static List<Event> events(Warehouse warehouse, LocalDate asOf) {
    return warehouse.rows(Tables.MODEL_EVENTS).stream()
        .map(r -> new Event(r.<Date>getAs("ds").toLocalDate(), r.getAs("seq"), r.getAs("event"), r.getAs("model_version")))
        .filter(e -> !e.ds().isAfter(asOf) && (e.event().equals(PROMOTE) || e.event().equals(ROLLBACK)))
        .sorted(Comparator.comparing(Event::ds).thenComparingInt(Event::seq))
        .toList();
  }

  public static Dataset<Row> models(Warehouse warehouse) {
    return warehouse.read(Tables.MODELS);
  }

  /**
   * The registry's rows, read once per version of the table: a night asks for the champion, the
   * last training and the calibration maps several times, and the table changes only when a model is
   * trained. Cost: a listing of the Delta log; a read of the small table after it changed.
   */
  private static List<Row> registered(Warehouse warehouse) {
    return warehouse.rows(Tables.MODELS);
  }

  /** Versions are dense and ordered by training date; a re-run of date D reuses D's numbers. */
  public static int nextVersion(Warehouse warehouse, LocalDate ds) {
    return registered(warehouse).stream()
        .filter(r -> r.<Date>getAs("ds").toLocalDate().isBefore(ds))
        .mapToInt(r -> r.<Integer>getAs("version"))
        .max()
        .orElse(0) + 1;
  }

  /** The last date any training ran (whatever its decision), if any. */
  public static Optional<LocalDate> lastTraining(Warehouse warehouse, LocalDate asOf) {
    return registered(warehouse).stream()
        .map(r -> r.<Date>getAs("ds").toLocalDate())
        .filter(ds -> !ds.isAfter(asOf))
        .max(Comparator.naturalOrder());
  }

  public static String artifactPath(Warehouse warehouse, int version) {
    return warehouse.root() + "/_artifacts/models/v" + version;
  }

  /**
   * Makes {@code version} the champion from night {@code ds} on (its scoring and publish use it).
   * A version the gate rejected cannot be promoted: it never serves.
   */
  public static Champion promote(Warehouse warehouse, int version, LocalDate ds, String reason, String actor) {
    Row model = model(warehouse, version, "promote");
    String decision = model.getString(model.fieldIndex("decision"));
    if (decision.equals("rejected")) {
      throw NightcastException.gateFailed(
          "Cannot promote model v" + version + ": the promotion gate rejected it (" + model.getString(model.fieldIndex("reason"))
              + "); a rejected model never serves (train a new one, or promote a version that passed)");
    }
    Optional<Champion> current = champion(warehouse, ds);
    if (current.isPresent() && current.get().version() == version) {
      throw NightcastException.badData("Cannot promote model v" + version + " on " + ds + ": it already is the champion");
    }
    append(warehouse, ds, PROMOTE, version, current.map(Champion::version).orElse(null), reason, actor);
    return champion(warehouse, ds).orElseThrow();
  }

  /** Serves the champion before the current one again, from night {@code ds} on. */
  public static Champion rollback(Warehouse warehouse, LocalDate ds, String reason, String actor) {
    List<Integer> stack = championStack(events(warehouse, ds));
    if (stack.size() < 2) {
      throw NightcastException.badData(
          "Cannot roll back on " + ds + ": " + (stack.isEmpty() ? "no model has been promoted yet" : "champion v" + stack.get(0)
              + " has no previous champion") + " (see `nightcast models list`; promote a version with `nightcast models promote V`)");
    }
    int target = stack.get(stack.size() - 2);
    append(warehouse, ds, ROLLBACK, target, stack.get(stack.size() - 1), reason, actor);
    return champion(warehouse, ds).orElseThrow();
  }

  /** The registry row of {@code version}, or a clear error naming what to do. */
  public static Row model(Warehouse warehouse, int version, String action) {
    return registered(warehouse).stream()
        .filter(r -> r.<Integer>getAs("version") == version)
        .findFirst()
        .orElseThrow(
            () -> NightcastException.badData(
                "Cannot " + action + " model v" + version + ": no such version in " + warehouse.path(Tables.MODELS)
                    + " (see `nightcast models list`)"));
  }

  /** Writes training's own event of night D (seq 0), replacing a previous training's of that night. */
  public static void recordTraining(Warehouse warehouse, LocalDate ds, String event, int version, Integer previous, String reason) {
    warehouse.replace(
        Tables.MODEL_EVENTS,
        "ds = DATE'" + ds + "' AND actor = 'train'",
        warehouse.spark().createDataFrame(List.of(RowFactory.create(Date.valueOf(ds), 0, event, version, previous, reason, "train")), EVENTS_SCHEMA));
  }

  private static void append(Warehouse warehouse, LocalDate ds, String event, int version, Integer previous, String reason, String actor) {
    int seq =
        warehouse.rows(Tables.MODEL_EVENTS).stream()
            .filter(r -> r.<Date>getAs("ds").toLocalDate().equals(ds))
            .mapToInt(r -> r.<Integer>getAs("seq"))
            .max()
            .orElse(0) + 1;
    warehouse.append(
        Tables.MODEL_EVENTS,
        warehouse.spark().createDataFrame(List.of(RowFactory.create(Date.valueOf(ds), seq, event, version, previous, reason, actor)), EVENTS_SCHEMA)
            .coalesce(1));
  }
}
