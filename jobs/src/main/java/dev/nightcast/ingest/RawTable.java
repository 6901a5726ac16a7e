package dev.nightcast.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import dev.nightcast.config.SourceConfig;
import dev.nightcast.warehouse.TableContract;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The tables a source's drops land in: {@code raw_<source>} (the rows that broke no error rule) and
 * {@code quarantine_<source>} (the others, with the rules they broke). Both hold the source's
 * declared columns, typed, then bookkeeping columns; the ingest stage owns them and writes them here.
 */
public final class RawTable {
  /** The drop file a row was read from. */
  static final String SOURCE_FILE = "_source_file";
  static final String RUN_ID = "_run_id";
  static final String INGESTED_AT = "_ingested_at";
  static final String DS = "ds";

  private static final StructType FAILURE =
      new StructType()
          .add("rule", DataTypes.StringType)
          .add("severity", DataTypes.StringType)
          .add("column", DataTypes.StringType)
          .add("value", DataTypes.StringType);

  private RawTable() {}

  /** The contract of {@code raw_<source>}: the rows of the source's drops that broke no error rule. */
  public static TableContract raw(String source) {
    TableContract.Builder contract =
        TableContract.perPipeline(
                Tables.raw(source), RawTable.class,
                "One row of source " + source + "'s drop for night ds that broke no error rule (it may have broken warn rules)")
            .configured("<declared columns>", "the source's schema from the pipeline definition, in its order, as the declared types");
    return provenance(contract).build();
  }

  /** The contract of {@code quarantine_<source>}: the rows of the source's drops that broke an error rule. */
  public static TableContract quarantine(String source) {
    TableContract.Builder contract =
        TableContract.perPipeline(
                Tables.quarantine(source), RawTable.class,
                "One row of source " + source + "'s drop for night ds that broke an error rule, with every rule it broke")
            .configured(
                "<declared columns>",
                "the source's schema from the pipeline definition, in its order, as the declared types; null where the"
                    + " delivered value does not convert (the _type rule names it)")
            .column(
                Expectations.FAILED_RULES, DataTypes.createArrayType(DataTypes.StringType), false,
                "the codes of the rules the row broke, errors and warnings, in the order the rules are checked")
            .column(
                Expectations.FAILURES, DataTypes.createArrayType(FAILURE), false,
                "per broken rule: its code, severity (error or warn), the column it checks (* for the whole line) and the"
                    + " offending value as delivered (for key_seen_before with the night that already holds the key)");
    return provenance(contract).build();
  }

  private static TableContract.Builder provenance(TableContract.Builder contract) {
    return contract
        .column(SOURCE_FILE, DataTypes.StringType, false, "the drop file the row was read from")
        .column(RUN_ID, DataTypes.StringType, false, "the run that wrote the row (differs between re-runs of a night)")
        .column(INGESTED_AT, DataTypes.TimestampType, false, "when that run started ingesting (wall clock; differs between re-runs)")
        .column(DS, DataTypes.DateType, false, "the night whose drop held the row (the partition)");
  }

  /**
   * The bookkeeping columns after {@link #SOURCE_FILE} (which the prepared drop carries): the run,
   * its start and the night. Pure.
   */
  static List<Column> provenance(String runId, String ingestedAt, LocalDate ds) {
    return List.of(
        col(SOURCE_FILE), lit(runId).as(RUN_ID), expr("timestamp'" + ingestedAt + "'").as(INGESTED_AT), lit(Date.valueOf(ds)).as(DS));
  }

  /**
   * Replaces D's rows of raw_<source> with {@code rows} (validated rows, see {@link Expectations#evaluate},
   * that broke no error rule). Cost: one write job over {@code rows} plus the Delta commit.
   *
   * @return the rows written
   */
  static long replaceRaw(Warehouse warehouse, String sourceName, SourceConfig source, LocalDate ds, Dataset<Row> rows) {
    return warehouse.replaceDate(raw(sourceName), ds, select(rows, columns(source, List.of())));
  }

  /**
   * Replaces D's rows of quarantine_<source> with {@code rows} (validated rows that broke an error
   * rule). Cost: one write job over {@code rows} plus the Delta commit.
   *
   * @return the rows written
   */
  static long replaceQuarantine(Warehouse warehouse, String sourceName, SourceConfig source, LocalDate ds, Dataset<Row> rows) {
    return warehouse.replaceDate(
        quarantine(sourceName), ds, select(rows, columns(source, List.of(Expectations.FAILED_RULES, Expectations.FAILURES))));
  }

  /** The declared columns, then {@code reasons}, then the bookkeeping ones: the contracts' order. */
  private static List<String> columns(SourceConfig source, List<String> reasons) {
    List<String> columns = new ArrayList<>(source.schema().keySet());
    columns.addAll(reasons);
    columns.addAll(List.of(SOURCE_FILE, RUN_ID, INGESTED_AT, DS));
    return columns;
  }

  private static Dataset<Row> select(Dataset<Row> rows, List<String> columns) {
    return rows.select(columns.stream().map(c -> col("`" + c + "`")).toArray(Column[]::new));
  }
}
