package dev.nightcast.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.monitoring.AlertsTable.Alert;
import dev.nightcast.monitoring.DriftDailyTable.DriftMetric;
import dev.nightcast.monitoring.PerformanceDailyTable.DailyPerformance;
import dev.nightcast.monitoring.ReferenceProfilesTable.ProfileSlot;
import dev.nightcast.testing.TestSpark;
import dev.nightcast.warehouse.TableContract;
import java.time.LocalDate;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Each monitoring table's record is its contract's row: toRow has the contract's columns, and a
 * record comes back equal from its row and from the row Spark stores (which checks the types too).
 * Each table is tried with every nullable column set and with every one null.
 */
@Tag("spark")
class MonitoringTablesTest {
  private static final LocalDate D = LocalDate.parse("2001-03-10");

  private static <T> void roundTrips(TableContract contract, List<T> records, Function<T, Row> toRow, Function<Row, T> fromRow) {
    for (T record : records) {
      Row row = toRow.apply(record);
      assertThat(row.size()).as("%s columns", contract.name()).isEqualTo(contract.schema().size());
      assertThat(fromRow.apply(row)).isEqualTo(record);
    }
    List<Row> stored = TestSpark.session().createDataFrame(records.stream().map(toRow).toList(), contract.schema()).collectAsList();
    assertThat(stored.stream().map(fromRow).toList()).isEqualTo(records);
  }

  @Test
  void alertsRoundTrip() {
    roundTrips(
        AlertsTable.CONTRACT,
        List.of(
            new Alert(D, "drift", "high", "psi", "distance", 0.4, 0.2, "distance drifted"),
            new Alert(D, "retrain", "high", "roc_auc", null, null, null, "training is due")),
        Alert::toRow, Alert::fromRow);
  }

  @Test
  void driftDailyRoundTrips() {
    roundTrips(
        DriftDailyTable.CONTRACT,
        List.of(
            new DriftMetric(D, 3, "origin", "ORD", "distance", DriftReport.BASELINE, "psi", 0.3, 0.2, "medium", true),
            new DriftMetric(D, 3, null, null, "origin", DriftReport.CONSECUTIVE, "chi2", 12.5, null, "none", false)),
        DriftMetric::toRow, DriftMetric::fromRow);
  }

  @Test
  void performanceDailyRoundTrips() {
    roundTrips(
        PerformanceDailyTable.CONTRACT,
        List.of(
            new DailyPerformance(
                D, 2, D.minusDays(1), 100, 20L, 0.21, 0.8, 0.71, Performance.REALISED, "origin", "ORD", 0.4, 0.45, 0.15, 0.5, 0.3, 0.375,
                0.5, 0.12, 0.2, 0.02, 1.5, 1.2, 0.3, -0.1, 0.09),
            new DailyPerformance(
                D, 2, D.minusDays(1), 100, null, null, null, null, Performance.ESTIMATED, null, null, null, null, null, null, null, null,
                0.5, null, null, null, null, null, null, null, null)),
        DailyPerformance::toRow, DailyPerformance::fromRow);
  }

  @Test
  void referenceProfilesRoundTrip() {
    roundTrips(
        ReferenceProfilesTable.CONTRACT,
        List.of(
            new ProfileSlot(D, "distance", "numeric", 0, 250.0, null, 40, "origin", "ORD", 6000.0, 1.1e6, 31.0, 249.0),
            new ProfileSlot(D, "origin", "categorical", 1, null, "ATL", 7, null, null, 0.0, 0.0, null, null)),
        ProfileSlot::toRow, ProfileSlot::fromRow);
  }

  @Test
  void aPerformanceMetricReadsByItsColumnName() {
    DailyPerformance row =
        new DailyPerformance(
            D, 2, D.minusDays(1), 100, 20L, 0.21, 0.8, 0.71, Performance.REALISED, null, null, 0.4, 0.45, 0.15, 0.5, 0.3, 0.375, 0.5,
            0.12, 0.2, 0.02, null, null, null, null, 0.09);
    assertThat(row.metric("roc_auc")).isEqualTo(0.71);
    assertThat(row.metric("false_positive_rate")).isEqualTo(0.09);
    assertThat(row.metric("log_loss")).isEqualTo(0.45);
    assertThat(row.metric("ece")).isEqualTo(0.02);
    assertThat(row.metric("rmse")).isNull();
  }
}
