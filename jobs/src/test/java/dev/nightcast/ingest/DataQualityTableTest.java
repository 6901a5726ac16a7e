package dev.nightcast.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The data_quality record and its contract agree: pure, no Spark session. */
@Tag("unit")
class DataQualityTableTest {
  private static final LocalDate DS = LocalDate.parse("2001-01-20");

  @Test
  void aMetricRoundTripsThroughItsRowInTheContractsColumns() {
    List<DataQualityTable.Metric> metrics =
        List.of(
            new DataQualityTable.Metric(DS, "actuals", Expectations.ROW, Expectations.ROWS_IN, 1200.0),
            new DataQualityTable.Metric(DS, "actuals", "delay", "missing_ratio", null),
            new DataQualityTable.Metric(DS, "schedule", "origin", "top_value", 42.0, "SFO"));
    for (DataQualityTable.Metric metric : metrics) {
      Row row = metric.toRow();
      assertThat(row.size()).isEqualTo(DataQualityTable.CONTRACT.schema().fields().length);
      assertThat(row.schema()).isEqualTo(DataQualityTable.CONTRACT.schema());
      assertThat(DataQualityTable.Metric.fromRow(row)).isEqualTo(metric);
    }
  }

  @Test
  void aMetricReadsItsColumnsByName() {
    DataQualityTable.Metric metric = new DataQualityTable.Metric(DS, "actuals", "delay", "rule_failed", 3.0, "delay_range");
    Row row = metric.toRow();
    StructField[] fields = DataQualityTable.CONTRACT.schema().fields();
    Object[] reversed = new Object[fields.length];
    StructField[] reversedFields = new StructField[fields.length];
    for (int i = 0; i < fields.length; i++) {
      reversed[i] = row.get(fields.length - 1 - i);
      reversedFields[i] = fields[fields.length - 1 - i];
    }
    assertThat(DataQualityTable.Metric.fromRow(new GenericRowWithSchema(reversed, new StructType(reversedFields)))).isEqualTo(metric);
  }
}
