package dev.nightcast.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightcast.testing.TestSpark;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Date-keyed replaces on a real Delta table: versions and row counts come from the Delta log. */
@Tag("spark")
class WarehouseTest {
  private static final LocalDate D1 = LocalDate.of(2001, 1, 1);
  private static final LocalDate D2 = LocalDate.of(2001, 1, 2);
  private static final StructType SCHEMA =
      new StructType().add("ds", DataTypes.DateType).add("flight_id", DataTypes.StringType);

  @TempDir Path dir;

  private static TableContract table(String name) {
    return TableContract.table(name, WarehouseTest.class, "a test table")
        .column("ds", DataTypes.DateType, true, "the date")
        .column("flight_id", DataTypes.StringType, true, "the key")
        .build();
  }

  @Test
  void aWriteWhoseColumnsDifferFromTheContractFailsBeforeWritingAnything() {
    Warehouse warehouse = new Warehouse(TestSpark.session(), dir.toString());
    Dataset<Row> extra = rows(D1, 2).withColumn("delay", org.apache.spark.sql.functions.lit(1));
    assertThatThrownBy(() -> warehouse.replaceDate(table("raw_flights"), D1, extra))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Cannot write Delta table raw_flights: the rows do not match its contract")
        .hasMessageContaining("delay INT");
    assertThat(warehouse.exists("raw_flights")).isFalse();
  }

  @Test
  void replacingADateReportsTheRowsWrittenAndAdvancesTheVersionByOne() {
    Warehouse warehouse = new Warehouse(TestSpark.session(), dir.toString());
    assertThat(warehouse.version("raw_flights")).isEqualTo(-1);

    assertThat(warehouse.replaceDate(table("raw_flights"), D1, rows(D1, 3))).isEqualTo(3);
    assertThat(warehouse.version("raw_flights")).isEqualTo(0);
    assertThat(warehouse.replaceDate(table("raw_flights"), D2, rows(D2, 5))).isEqualTo(5);
    assertThat(warehouse.version("raw_flights")).isEqualTo(1);

    // a re-run replaces the date's rows, never adds to them, and leaves other dates alone
    assertThat(warehouse.replaceDate(table("raw_flights"), D1, rows(D1, 4))).isEqualTo(4);
    assertThat(warehouse.version("raw_flights")).isEqualTo(2);
    assertThat(warehouse.readDate("raw_flights", D1).count()).isEqualTo(4);
    assertThat(warehouse.readDate("raw_flights", D2).count()).isEqualTo(5);
  }

  @Test
  void replacingADateWithNoRowsEmptiesItAndReportsZero() {
    Warehouse warehouse = new Warehouse(TestSpark.session(), dir.toString());
    warehouse.replaceDate(table("quarantine_flights"), D1, rows(D1, 2));
    warehouse.replaceDate(table("quarantine_flights"), D2, rows(D2, 1));

    assertThat(warehouse.replaceDate(table("quarantine_flights"), D1, rows(D1, 0))).isZero();
    assertThat(warehouse.readDate("quarantine_flights", D1).count()).isZero();
    assertThat(warehouse.readDate("quarantine_flights", D2).count()).isEqualTo(1);
    // and again, when the date already holds nothing
    long version = warehouse.version("quarantine_flights");
    assertThat(warehouse.replaceDate(table("quarantine_flights"), D1, rows(D1, 0))).isZero();
    assertThat(warehouse.version("quarantine_flights")).isGreaterThanOrEqualTo(version);
    assertThat(warehouse.read("quarantine_flights").count()).isEqualTo(1);
  }

  @Test
  void aSmallTablesRowsAreReadAgainOnlyAfterTheTableChanged() {
    Warehouse warehouse = new Warehouse(TestSpark.session(), dir.toString());
    assertThat(warehouse.rows("models")).isEmpty();

    warehouse.replaceDate(table("models"), D1, rows(D1, 2));
    List<Row> first = warehouse.rows("models");
    assertThat(first).extracting(row -> row.getString(1)).containsExactlyInAnyOrder("2001-01-01-0", "2001-01-01-1");
    assertThat(warehouse.rows("models")).isSameAs(first);

    // a write by this process, or by another one (here: a second Warehouse on the same root), is seen
    new Warehouse(TestSpark.session(), dir.toString()).replaceDate(table("models"), D2, rows(D2, 1));
    assertThat(warehouse.rows("models")).isNotSameAs(first).extracting(row -> row.getString(1))
        .containsExactlyInAnyOrder("2001-01-01-0", "2001-01-01-1", "2001-01-02-0");

    // one date's rows, the same way
    List<Row> day = warehouse.rowsOn("models", D1);
    assertThat(day).extracting(row -> row.getString(1)).containsExactlyInAnyOrder("2001-01-01-0", "2001-01-01-1");
    assertThat(warehouse.rowsOn("models", D1)).isSameAs(day);
    warehouse.replaceDate(table("models"), D1, rows(D1, 3));
    assertThat(warehouse.rowsOn("models", D1)).extracting(row -> row.getString(1))
        .containsExactlyInAnyOrder("2001-01-01-0", "2001-01-01-1", "2001-01-01-2");
  }

  @Test
  void aTableWrittenUnpartitionedIsPartitionedByDateOnItsNextReplaceKeepingItsRowsAndHistory() {
    Warehouse warehouse = new Warehouse(TestSpark.session(), dir.toString());
    // as nightcast before 2026-11-27 wrote the small tables
    rows(D1, 2).union(rows(D2, 3)).write().format("delta").save(warehouse.path("data_quality"));
    assertThat(partitionColumns(warehouse, "data_quality")).isEmpty();

    assertThat(warehouse.replaceDate(table("data_quality"), D1, rows(D1, 4))).isEqualTo(4);

    assertThat(partitionColumns(warehouse, "data_quality")).containsExactly("ds");
    assertThat(warehouse.readDate("data_quality", D1).count()).isEqualTo(4);
    assertThat(warehouse.readDate("data_quality", D2).collectAsList()).extracting(row -> row.getString(1))
        .containsExactlyInAnyOrder("2001-01-02-0", "2001-01-02-1", "2001-01-02-2");
    // version 0 (the old layout) stays readable; the rewrite and the replace are one commit each
    assertThat(warehouse.version("data_quality")).isEqualTo(2);
    assertThat(TestSpark.session().read().format("delta").option("versionAsOf", 0).load(warehouse.path("data_quality")).count()).isEqualTo(5);
    // the next replace writes into the partitioned table directly
    assertThat(warehouse.replaceDate(table("data_quality"), D2, rows(D2, 1))).isEqualTo(1);
    assertThat(warehouse.version("data_quality")).isEqualTo(3);
  }

  private static List<String> partitionColumns(Warehouse warehouse, String table) {
    Row detail = TestSpark.session().sql("DESCRIBE DETAIL delta.`" + warehouse.path(table) + "`").head();
    return detail.getList(detail.fieldIndex("partitionColumns"));
  }

  private static Dataset<Row> rows(LocalDate ds, int count) {
    List<Row> rows = IntStream.range(0, count).mapToObj(i -> RowFactory.create(Date.valueOf(ds), ds + "-" + i)).toList();
    return TestSpark.session().createDataFrame(rows, SCHEMA);
  }
}
