package dev.nightcast.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

import dev.nightcast.registry.ModelEventsTable;
import dev.nightcast.registry.Registry;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
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

  /** One registered model, with its validation and test value of one metric (null when it was not computed). */
  public record Model(
      int version, LocalDate trainedOn, String candidate, String algorithm, boolean baseline, String decision, Double validationMetric,
      Double testMetric) {}


  /** Every registered model, newest first, with its value of {@code metric}. Cost: one read of the models table. */
  public static List<Model> models(Warehouse warehouse, String metric) {
    return Registry.models(warehouse).orderBy(col("version").desc()).collectAsList().stream()
        .map(row -> new Model(
            row.getAs("version"),
            row.<Date>getAs("ds").toLocalDate(),
            row.getAs("candidate"),
            row.getAs("algorithm"),
            row.getAs("is_baseline"),
            row.getAs("decision"),
            metric(row, "validation_metrics", metric),
            metric(row, "test_metrics", metric)))
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

  private static Double metric(Row row, String column, String metric) {
    Map<String, Double> metrics = row.getJavaMap(row.fieldIndex(column));
    return metrics.get(metric);
  }
}
