package dev.nightcast.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.nightcast.warehouse.TableContract;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * The {@code features} table: the model inputs of each night's labelled rows (training) and rows to
 * score, derived by {@link Features#build}. The features stage owns it and writes it here.
 */
public final class FeaturesTable {
  public static final TableContract CONTRACT =
      TableContract.perPipeline(
              Tables.FEATURES, FeaturesTable.class,
              "The features of one row of night ds: a labelled row (for training) or a row to score")
          .column("ds", DataTypes.DateType, false, "the night whose raw rows these are (the partition)")
          .column(
              "role", DataTypes.StringType, false,
              Features.LABELLED + " (a row of the label source, with its label) or " + Features.SCORING
                  + " (a row of the scoring source, to predict)")
          .configured("<entity_key>", "the pipeline's entity key, as in the raw table")
          .configured("<event_time>", "the pipeline's event time, as in the raw table")
          .configured(
              "<feature names>",
              "one column per declared feature, in the declared order: double for numeric ones (clipped and imputed as"
                  + " declared; null where not imputed), string for categorical ones")
          .column(
              Features.LABEL, DataTypes.DoubleType, true,
              "the label of a labelled row (classification: 1.0 when the label column is above the threshold, else 0.0;"
                  + " regression: the label column's value); null for rows to score")
          .column(
              Features.DERIVATION, DataTypes.StringType, true,
              "the first 32 hex digits of the SHA-256 of the feature and label definitions the row was derived with (name, type,"
                  + " expr, clip, constant imputation, history of each feature; the label expression); training uses a night only"
                  + " when it matches the pipeline file's, and the features stage derives the training window's other nights again;"
                  + " null on rows written before nightcast recorded it")
          .build();

  private FeaturesTable() {}

  /**
   * Replaces D's rows with {@code features} (of {@link Features#build}). Cost: the plan's jobs (see
   * {@link Features#build}) run once, in the write, plus the Delta commit.
   *
   * @return the rows written
   */
  static long replace(Warehouse warehouse, LocalDate ds, Dataset<Row> features) {
    return warehouse.replaceDate(CONTRACT, ds, features);
  }

  /**
   * The nights in [from, to] whose labelled rows were derived with another derivation than
   * {@code current}, or before nightcast recorded it.
   */
  public static SortedSet<LocalDate> otherDerivations(Warehouse warehouse, LocalDate from, LocalDate to, String current) {
    SortedSet<LocalDate> nights = new TreeSet<>();
    if (warehouse.exists(Tables.FEATURES)) {
      otherDerivationNights(warehouse, from, to, current).collectAsList().forEach(row -> nights.add(row.<Date>getAs("ds").toLocalDate()));
    }
    return nights;
  }

  /**
   * The query behind {@link #otherDerivations}: distinct ds. When every night is current, Delta's
   * statistics of the column (each file's min and max equal {@code current}, kept whole at 32
   * characters) skip every file and no data is read; they exist for the first 32 columns, so a
   * pipeline of more than 27 features scans the window's labelled rows instead.
   */
  static Dataset<Row> otherDerivationNights(Warehouse warehouse, LocalDate from, LocalDate to, String current) {
    Dataset<Row> features = warehouse.read(Tables.FEATURES);
    Column other = Arrays.asList(features.columns()).contains(Features.DERIVATION)
        ? col(Features.DERIVATION).isNull().or(col(Features.DERIVATION).notEqual(current))
        : lit(true);
    return features
        .where(other.and(col("ds").between(Date.valueOf(from), Date.valueOf(to))).and(col("role").equalTo(Features.LABELLED))
            .and(col(Features.LABEL).isNotNull()))
        .select("ds").distinct();
  }
}
