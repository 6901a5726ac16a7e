package dev.nightcast.training;

import dev.nightcast.warehouse.TableContract;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;

/**
 * The {@code importances} table (contract): per training night, every candidate's built-in feature
 * importances and the pick's permutation importance on the validation window ({@link Importances}),
 * one row per (model version, feature, kind). Only {@link Train} writes it, one commit per training
 * night; monitoring raises a {@code feature_importance} alert for each permutation interval that
 * includes 0.
 */
public final class ImportancesTable {
  public static final TableContract CONTRACT =
      TableContract.table(
              Tables.IMPORTANCES, Train.class,
              "One row per training night, model version, declared feature and kind: the built-in importance of every candidate, and"
                  + " the pick's permutation importance on the validation window with its 95% t interval over the window's blocks (encoded"
                  + " columns such as one-hot values are summed back to their feature)")
          .column("ds", DataTypes.DateType, false, "the night the training ran")
          .column("version", DataTypes.IntegerType, false, "the model version (models.version)")
          .column("candidate", DataTypes.StringType, false, "its candidate's name")
          .column("feature", DataTypes.StringType, false, "the declared feature (features[].name)")
          .column("kind", DataTypes.StringType, false, "builtin (every candidate) or permutation (the pick only)")
          .column("metric", DataTypes.StringType, false,
              "builtin: gain (trees: the feature's share of the impurity gain, summing to 1) or standardized_coefficient (linear"
                  + " models: abs(coefficient) x the input's standard deviation on the train window); permutation: the primary metric"
                  + " whose drop is measured")
          .column("value", DataTypes.DoubleType, false,
              "builtin: the importance; permutation: the mean over the validation window's blocks of the metric's advantage on the"
                  + " block as it is over the block with the feature's values shuffled (positive: the feature helps)")
          .column("lower", DataTypes.DoubleType, true,
              "permutation: lower bound of the 95% Student t interval of the mean, mean - t(0.975, r-1) sd / sqrt(r); null for builtin")
          .column("upper", DataTypes.DoubleType, true, "permutation: upper bound of that interval; null for builtin")
          .column("repeats", DataTypes.IntegerType, true,
              "permutation: r, the disjoint blocks of the validation window, one seeded shuffle each (training.importance.repeats;"
                  + " fewer where a block holds one class only); null for builtin")
          .build();

  /** One row of the table. */
  public record Importance(
      LocalDate ds, int version, String candidate, String feature, String kind, String metric, double value, Double lower, Double upper,
      Integer repeats) {

    public boolean isPermutation() {
      return kind.equals(Importances.PERMUTATION);
    }

    Row toRow() {
      return new GenericRowWithSchema(
          new Object[] {Date.valueOf(ds), version, candidate, feature, kind, metric, value, lower, upper, repeats}, CONTRACT.schema());
    }

    /** Reads a row of the table by column name. */
    public static Importance fromRow(Row row) {
      return new Importance(
          row.<Date>getAs("ds").toLocalDate(), row.<Integer>getAs("version"), row.getAs("candidate"), row.getAs("feature"), row.getAs("kind"),
          row.getAs("metric"), row.<Double>getAs("value"), row.getAs("lower"), row.getAs("upper"), row.getAs("repeats"));
    }
  }

  private ImportancesTable() {}

  /** Replaces night {@code ds}'s rows in one commit. Cost: one small write. */
  static void replace(Warehouse warehouse, LocalDate ds, List<Importance> rows) {
    warehouse.replaceDate(CONTRACT, ds, warehouse.frame(CONTRACT, rows.stream().map(Importance::toRow).toList()).coalesce(1));
  }
}
