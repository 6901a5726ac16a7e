package dev.nightcast.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.ingest.DataQualityTable;
import dev.nightcast.monitoring.AlertsTable.Alert;
import dev.nightcast.monitoring.DriftDailyTable.DriftMetric;
import dev.nightcast.monitoring.PerformanceDailyTable.DailyPerformance;
import dev.nightcast.testing.TestPipelines;
import dev.nightcast.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The analyst queries in sql/analyst run against views with the real table schemas. */
@Tag("spark")
class AnalystSqlTest {
  private static final Date D1 = Date.valueOf("2001-03-01");
  private static final Date D9 = Date.valueOf("2001-03-09");

  private static String query(String file) throws IOException {
    return Files.readString(TestPipelines.root().resolve("sql/analyst/" + file));
  }

  @Test
  void analystQueriesAnswerFromTheMonitoringTables() throws IOException {
    SparkSession spark = TestSpark.session();
    spark.createDataFrame(
            Stream.of(
                    new DriftMetric(D1.toLocalDate(), 1, null, null, "distance", "BASELINE", "psi", 0.5, 0.2, "high", true),
                    new DriftMetric(D9.toLocalDate(), 1, null, null, "origin", "BASELINE", "js", 0.15, 0.1, "medium", true),
                    new DriftMetric(D9.toLocalDate(), 1, null, null, "distance", "BASELINE", "psi", 0.05, 0.2, "none", false),
                    new DriftMetric(D9.toLocalDate(), 1, "origin", "ORD", "hour_of_day", "BASELINE", "psi", 0.9, 0.2, "high", true))
                .map(DriftMetric::toRow)
                .toList(),
            DriftDailyTable.CONTRACT.schema())
        .createOrReplaceTempView("drift_daily");
    List<Row> drifted = spark.sql(query("drifted_features_last_7_days.sql")).collectAsList();
    // distance drifted 8 nights before the latest: outside the window; the ORD slice is not the whole population
    assertThat(drifted).singleElement().satisfies(row -> {
      assertThat(row.getString(0)).isEqualTo("origin");
      assertThat(row.getString(2)).isEqualTo("medium");
    });

    LocalDate d8 = LocalDate.parse("2001-03-08");
    spark.createDataFrame(
            Stream.of(
                    new DailyPerformance(D9.toLocalDate(), 2, d8, 100L, 20L, 0.2, 0.8, 0.71, "realised", null, null, 0.4, 0.45, 0.15, 0.5, 0.3, 0.375, 0.5, 0.12, 0.2, 0.02,
                        null, null, null, null, 0.1),
                    new DailyPerformance(D9.toLocalDate(), 2, d8, 100L, null, 0.2, 0.79, 0.69, "estimated", null, null, null, null, null, 0.5, 0.31, 0.38, 0.5, 0.12, null,
                        null, null, null, null, null, 0.1))
                .map(DailyPerformance::toRow)
                .toList(),
            PerformanceDailyTable.CONTRACT.schema())
        .createOrReplaceTempView("performance_daily");
    Row auc = spark.sql(query("auc_by_model_version.sql")).head();
    assertThat(auc.getDouble(3)).isEqualTo(0.71);
    assertThat(auc.getDouble(4)).isEqualTo(0.69);

    spark.createDataFrame(
            Stream.of(new Alert(D9.toLocalDate(), "retrain", "high", "roc_auc", null, 3.0, 0.6, "due"), new Alert(D1.toLocalDate(), "drift", "high", "psi", "distance", 0.5, 0.2, "old"))
                .map(Alert::toRow)
                .toList(),
            AlertsTable.CONTRACT.schema())
        .createOrReplaceTempView("alerts");
    assertThat(spark.sql(query("alerts_last_7_days.sql")).collectAsList()).singleElement().satisfies(row -> assertThat(row.getString(1)).isEqualTo("retrain"));

    spark.createDataFrame(
            List.of(RowFactory.create(D9, "schedule", "*", "rows", 200.0), RowFactory.create(D9, "actuals", "*", "rows", 100.0)), DataQualityTable.CONTRACT.schema())
        .createOrReplaceTempView("data_quality");
    StructType quarantine = new StructType().add("ds", DataTypes.DateType).add("reason", DataTypes.StringType);
    spark.createDataFrame(List.of(RowFactory.create(D9, "x"), RowFactory.create(D9, "y")), quarantine).createOrReplaceTempView("quarantine_schedule");
    spark.createDataFrame(List.<Row>of(), quarantine).createOrReplaceTempView("quarantine_actuals");
    List<Row> rates = spark.sql(query("quarantine_rate_by_source.sql")).collectAsList();
    assertThat(rates).hasSize(2);
    assertThat(rates.get(0).getString(1)).isEqualTo("actuals");
    assertThat(rates.get(0).getLong(3)).isZero();
    assertThat(rates.get(1).getDouble(4)).isEqualTo(0.01);
  }
}
