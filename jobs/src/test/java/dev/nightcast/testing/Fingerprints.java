package dev.nightcast.testing;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_json;

import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;

/** Content fingerprints of Delta tables, to compare two runs that should have written the same data. */
public final class Fingerprints {
  private Fingerprints() {}

  /**
   * Row count and an order-independent digest of the table's content (the sum of a 64-bit hash of
   * every row's JSON), collected to the driver so nothing is answered from a cache. The attempt
   * columns (run ids, wall-clock times, Delta versions) are left out: they differ between runs by design.
   */
  public static String of(Warehouse warehouse, String table) {
    return of(warehouse.read(table));
  }

  /** As {@link #of(Warehouse, String)}, of any rows of a table: e.g. one of its versions, read by time travel. */
  public static String of(Dataset<Row> rows) {
    for (String column : Tables.ATTEMPT_COLUMNS) {
      rows = rows.drop(column);
    }
    // set operations and to_json(struct(*)) need comparable columns: maps (e.g. models.test_metrics) as JSON
    for (StructField field : rows.schema().fields()) {
      if (field.dataType() instanceof MapType) {
        rows = rows.withColumn(field.name(), to_json(col(field.name())));
      }
    }
    Row digest = rows.selectExpr("count(*)", "sum(cast(xxhash64(to_json(struct(*))) as decimal(38, 0)))").head();
    return digest.getLong(0) + ":" + digest.get(1);
  }

  /** The fingerprint of every one of {@code tables} that exists, by name. */
  public static Map<String, String> of(Warehouse warehouse, List<String> tables) {
    Map<String, String> fingerprints = new LinkedHashMap<>();
    for (String table : tables) {
      if (warehouse.exists(table)) {
        fingerprints.put(table, of(warehouse, table));
      }
    }
    return fingerprints;
  }
}
