package dev.nightcast.report;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

import dev.nightcast.config.MonitoringConfig;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.ingest.Expectations;
import dev.nightcast.monitoring.DriftReport;
import dev.nightcast.monitoring.OfflineOnline;
import dev.nightcast.monitoring.Performance;
import dev.nightcast.monitoring.PerformanceDailyTable.DailyPerformance;
import dev.nightcast.monitoring.SliceGaps;
import dev.nightcast.monitoring.Slices;
import dev.nightcast.ops.RunsTable;
import dev.nightcast.registry.ModelEventsTable;
import dev.nightcast.registry.ModelsTable;
import dev.nightcast.registry.Registry;
import dev.nightcast.training.ImportancesTable;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Reads the report's rows for the dates FROM..TO from the Delta tables (a table not written yet
 * reads as empty). Cost: one small filtered scan of each metric table (two of performance_daily), no shuffle beyond the
 * data_quality aggregation; everything collected is a few thousand rows for a month.
 */
public final class ReportReader {
  private static final List<String> SEVERITIES = List.of("none", "low", "medium", "high");

  private ReportReader() {}

  public static ReportData read(Warehouse warehouse, PipelineConfig pipeline, LocalDate from, LocalDate to) {
    return new ReportData(
        pipeline.name(), from, to,
        rows(warehouse, Tables.PERFORMANCE_DAILY, from, to,
            t -> t.where(col(Slices.KEY).isNull())
                .select("ds", "model_version", "kind", "rows", "roc_auc", "accuracy", "precision", "recall", "f1")
                .orderBy("ds", "model_version", "kind"),
            r -> new ReportData.PerformancePoint(date(r, "ds"), r.<Integer>getAs("model_version"), r.getAs("kind"), r.<Long>getAs("rows"), r.getAs("roc_auc"),
                r.getAs("accuracy"), r.getAs("precision"), r.getAs("recall"), r.getAs("f1"))),
        worstDrift(rows(warehouse, Tables.DRIFT_DAILY, from, to,
            t -> t.where(col(Slices.KEY).isNull().and(col("comparison").equalTo(DriftReport.BASELINE)).and(col("column_name").notEqual(DriftReport.ALL_COLUMNS)))
                .select("ds", "column_name", "severity", "metric", "value"),
            r -> new ReportData.DriftCell(date(r, "ds"), r.getAs("column_name"), r.getAs("severity"), r.getAs("metric"), r.<Double>getAs("value")))),
        rows(warehouse, Tables.DATA_QUALITY, from, to,
            t -> t.groupBy("ds", "source")
                .agg(
                    max(when(col("column_name").equalTo(Expectations.ROW).and(col("metric").equalTo(Expectations.ROWS_IN)), col("value"))).as("rows_in"),
                    max(when(col("column_name").equalTo(Expectations.ROW).and(col("metric").equalTo("rows_quarantined")), col("value"))).as("quarantined"),
                    avg(when(col("metric").equalTo("missing_ratio"), col("value"))).as("missing_ratio"))
                .orderBy("ds", "source"),
            r -> new ReportData.QualityPoint(date(r, "ds"), r.getAs("source"), count(r, "rows_in"), count(r, "quarantined"), r.getAs("missing_ratio"))),
        rows(warehouse, Tables.ALERTS, from, to,
            t -> t.select("ds", "kind", "severity", "metric", "column_name", "message"),
            r -> new ReportData.Alert(date(r, "ds"), r.getAs("kind"), r.getAs("severity"), r.getAs("metric"), r.getAs("column_name"), r.getAs("message"))),
        modelEvents(warehouse, from, to),
        rows(warehouse, Tables.RUNS, from, to, t -> t, RunsTable.Run::fromRow).stream()
            .map(run -> new ReportData.Run(run.runId(), run.ds(), run.stage(), run.status(), run.startedAt(), run.endedAt(), run.rowsIn(),
                run.rowsOut(), run.message()))
            .toList(),
        explanation(warehouse, to),
        OfflineOnline.read(warehouse, to),
        sliceGaps(warehouse, pipeline.monitoring(), from, to));
  }

  /** The realised whole-population and declared slices' rows of the window, as gaps (a few rows per slice and night). */
  private static List<SliceGaps.Gap> sliceGaps(Warehouse warehouse, MonitoringConfig monitoring, LocalDate from, LocalDate to) {
    if (monitoring.slices().isEmpty()) {
      return List.of();
    }
    List<DailyPerformance> rows =
        rows(warehouse, Tables.PERFORMANCE_DAILY, from, to,
            t -> t.where(col("kind").equalTo(Performance.REALISED)
                .and(col(Slices.KEY).isNull().or(col(Slices.KEY).isin(Slices.columns(monitoring.slices()).toArray())))),
            DailyPerformance::fromRow);
    return SliceGaps.of(rows, monitoring.slices());
  }

  /** The champion serving on {@code to} and its importances (a few rows per feature, whatever the window). */
  private static ReportData.Explanation explanation(Warehouse warehouse, LocalDate to) {
    Optional<Registry.Champion> champion = warehouse.exists(Tables.MODEL_EVENTS) ? Registry.champion(warehouse, to) : Optional.empty();
    if (champion.isEmpty()) {
      return ReportData.Explanation.none();
    }
    ModelsTable.Model model = Registry.model(warehouse, champion.get().version(), "report");
    List<ReportData.FeatureImportance> importances =
        !warehouse.exists(Tables.IMPORTANCES)
            ? List.of()
            : warehouse.read(Tables.IMPORTANCES).where(col("version").equalTo(champion.get().version())).orderBy("kind", "feature")
                .collectAsList().stream()
                .map(ImportancesTable.Importance::fromRow)
                .map(i -> new ReportData.FeatureImportance(i.feature(), i.kind(), i.metric(), i.value(), i.lower(), i.upper(), i.repeats()))
                .toList();
    return new ReportData.Explanation(champion.get().version(), model.candidate(), model.ds(), importances);
  }

  /** Per feature and day, the drift metric of the worst severity (the first such metric by name on a tie). Pure. */
  static List<ReportData.DriftCell> worstDrift(List<ReportData.DriftCell> metrics) {
    Map<String, ReportData.DriftCell> worst = new TreeMap<>();
    for (ReportData.DriftCell cell : metrics) {
      worst.merge(cell.ds() + "|" + cell.column(), cell, (a, b) -> {
        int bySeverity = Integer.compare(SEVERITIES.indexOf(b.severity()), SEVERITIES.indexOf(a.severity()));
        return bySeverity > 0 || (bySeverity == 0 && b.metric().compareTo(a.metric()) < 0) ? b : a;
      });
    }
    return new ArrayList<>(worst.values());
  }

  private static List<ReportData.ModelEvent> modelEvents(Warehouse warehouse, LocalDate from, LocalDate to) {
    if (!warehouse.exists(Tables.MODEL_EVENTS)) {
      return List.of();
    }
    Dataset<Row> events = window(warehouse.read(Tables.MODEL_EVENTS), from, to);
    Dataset<Row> models =
        warehouse.exists(Tables.MODELS)
            ? warehouse.read(Tables.MODELS).select(col("version"), col("candidate"), col("test_auc"))
            : warehouse.spark().emptyDataFrame().select(lit(null).cast("int").as("version"), lit(null).cast("string").as("candidate"),
                lit(null).cast("double").as("test_auc"));
    return events.join(models, events.col("model_version").equalTo(models.col("version")), "left")
        .select("ds", "seq", "event", "model_version", "previous_version", "reason", "actor", "candidate", "test_auc")
        .orderBy("ds", "seq")
        .collectAsList()
        .stream()
        .map(r -> {
          ModelEventsTable.Event event = ModelEventsTable.Event.fromRow(r);
          return new ReportData.ModelEvent(event.ds(), event.seq(), event.event(), event.modelVersion(), event.previousVersion(), event.reason(),
              event.actor(), r.getAs("candidate"), r.getAs("test_auc"));
        })
        .toList();
  }

  private static <T> List<T> rows(
      Warehouse warehouse, String table, LocalDate from, LocalDate to, Function<Dataset<Row>, Dataset<Row>> query, Function<Row, T> map) {
    if (!warehouse.exists(table)) {
      return List.of();
    }
    return query.apply(window(warehouse.read(table), from, to)).collectAsList().stream().map(map).toList();
  }

  private static Dataset<Row> window(Dataset<Row> table, LocalDate from, LocalDate to) {
    return table.where(col("ds").between(Date.valueOf(from), Date.valueOf(to)));
  }

  private static LocalDate date(Row row, String column) {
    return row.<Date>getAs(column).toLocalDate();
  }

  /** A row count data_quality stores as a double. */
  private static Long count(Row row, String column) {
    Double value = row.getAs(column);
    return value == null ? null : value.longValue();
  }
}
