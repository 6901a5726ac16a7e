package dev.nightcast.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

import dev.nightcast.registry.ModelEventsTable;
import dev.nightcast.registry.ModelsTable;
import dev.nightcast.registry.Registry;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;

/**
 * What {@code nightcast models} shows of the registry's Delta tables ({@code models} and
 * {@code model_events}): the registered models and one model's row with its alias moves. Read-only;
 * both tables hold a few rows per training night, so each call is one small Spark job, and columns
 * are read by name.
 */
public final class ModelHistory {
  private ModelHistory() {}

  /**
   * One registered model, with its validation and test value of one metric (null when it was not
   * computed) and, for a pick, the gate's evidence on the primary metric: its backtest mean and 95%
   * interval, and its paired improvement over the champion with its 95% interval (null when absent).
   */
  public record Model(
      int version, LocalDate trainedOn, String candidate, String algorithm, boolean baseline, String decision, Double validationMetric,
      Double testMetric, Double backtestMean, Double backtestLower, Double backtestUpper, Double championDifference,
      Double championDifferenceLower, Double championDifferenceUpper) {}


  /** Every registered model, newest first, with its value of {@code metric}. Cost: one read of the models table. */
  public static List<Model> models(Warehouse warehouse, String metric) {
    return Registry.registered(warehouse).stream()
        .sorted(Comparator.comparingInt(ModelsTable.Model::version).reversed())
        .map(row -> new Model(
            row.version(), row.ds(), row.candidate(), row.algorithm(), row.isBaseline(), row.decision(),
            row.validationMetrics().get(metric), row.testMetrics().get(metric), row.backtestMean(), row.backtestLower(),
            row.backtestUpper(), row.championDifference(), row.championDifferenceLower(), row.championDifferenceUpper()))
        .toList();
  }

  /**
   * The registry row of {@code version}, column by column in the table's order. Arrays read as
   * {@link List}s and maps as {@link Map}s (in the order Spark returns their entries), so no Scala
   * type leaves this class. Cost: a read of the small models table (cached per table version).
   */
  public static Map<String, Object> model(Warehouse warehouse, int version) {
    Row row = Registry.model(warehouse, version, "show").toRow();
    Map<String, Object> fields = new LinkedHashMap<>();
    for (StructField field : row.schema().fields()) {
      String name = field.name();
      int index = row.fieldIndex(name);
      Object value;
      if (row.isNullAt(index)) {
        value = null;
      } else if (field.dataType() instanceof ArrayType) {
        value = row.getList(index);
      } else if (field.dataType() instanceof MapType) {
        value = row.getJavaMap(index);
      } else {
        value = row.getAs(name);
      }
      fields.put(name, value);
    }
    return fields;
  }

  /** The alias moves to or from {@code version}, oldest first. Cost: one read of the model_events table. */
  public static List<ModelEventsTable.Event> moves(Warehouse warehouse, int version) {
    return warehouse.read(Tables.MODEL_EVENTS)
        .where(col("model_version").equalTo(version).or(col("previous_version").equalTo(version)))
        .orderBy(col("ds"), col("seq"))
        .collectAsList()
        .stream()
        .map(ModelEventsTable.Event::fromRow)
        .toList();
  }

  /** The latest night with a model event, empty when there is none. Cost: one aggregate over the model_events table. */
  public static Optional<LocalDate> latestEventNight(Warehouse warehouse) {
    if (!warehouse.exists(Tables.MODEL_EVENTS)) {
      return Optional.empty();
    }
    Row latest = warehouse.read(Tables.MODEL_EVENTS).agg(max("ds").as("latest")).head();
    return Optional.ofNullable(latest.<Date>getAs("latest")).map(Date::toLocalDate);
  }

}
