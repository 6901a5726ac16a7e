package dev.nightcast.report;

import dev.nightcast.features.FeaturesTable;
import dev.nightcast.ingest.DataQualityTable;
import dev.nightcast.ingest.RawTable;
import dev.nightcast.monitoring.AlertsTable;
import dev.nightcast.monitoring.DriftDailyTable;
import dev.nightcast.monitoring.PerformanceDailyTable;
import dev.nightcast.monitoring.ReferenceProfilesTable;
import dev.nightcast.ops.RunsTable;
import dev.nightcast.registry.ModelEventsTable;
import dev.nightcast.registry.ModelsTable;
import dev.nightcast.scoring.PredictionsTable;
import dev.nightcast.training.BacktestsTable;
import dev.nightcast.training.ImportancesTable;
import dev.nightcast.warehouse.TableContract;
import java.util.List;

/**
 * The analysts' reference of every Delta table a pipeline writes, generated from the tables'
 * contracts (so it cannot drift from what the code writes): {@code nightcast tables} prints it, and
 * {@code sql/analyst/TABLES.md} is its committed copy.
 */
public final class TableReference {
  private TableReference() {}

  /** Every table's contract, in the order a night writes them; per-source tables named for a source {@code <source>}. */
  public static List<TableContract> contracts() {
    return List.of(
        RawTable.raw("<source>"), RawTable.quarantine("<source>"), DataQualityTable.CONTRACT, FeaturesTable.CONTRACT, ModelsTable.CONTRACT, ModelEventsTable.CONTRACT, BacktestsTable.CONTRACT, ImportancesTable.CONTRACT, ReferenceProfilesTable.CONTRACT, PerformanceDailyTable.CONTRACT,
        DriftDailyTable.CONTRACT, AlertsTable.CONTRACT, PredictionsTable.CONTRACT, RunsTable.CONTRACT);
  }

  /** The reference as Markdown: one section per table with its owner and a row per documented column. */
  public static String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("# The Delta tables\n\n")
        .append("Generated from the table contracts by `bin/nightcast tables`; do not edit by hand. Each pipeline writes these\n")
        .append("tables in its namespace, `<warehouse>/<pipeline>/<table>`, registered in the catalog as `<pipeline>.<table>`;\n")
        .append("they are partitioned by `ds` (the logical date), and every night replaces its own `ds` rows.\n");
    for (TableContract table : contracts()) {
      out.append("\n## ").append(table.name()).append("\n\n")
          .append(table.description()).append(table.description().endsWith(".") ? "" : ".").append(" Written only by `").append(table.owner()).append("`")
          .append(table.schema() == null ? "; its other columns follow the pipeline's config" : "").append(".\n\n")
          .append("| column | type | meaning |\n|---|---|---|\n");
      for (TableContract.Column column : table.columns()) {
        out.append("| `").append(column.name()).append("` | ").append(column.type()).append(" | ").append(column.meaning()).append(" |\n");
      }
    }
    return out.toString();
  }
}
