package dev.nightcast.training;

import dev.nightcast.warehouse.TableContract;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;

/**
 * The {@code backtests} table (contract): per training night, the rolling-origin backtest of the
 * pick and of the champion it was gated against, one row per (model version, fold, metric), each
 * carrying its recipe's mean and 95% t interval over the folds. Only {@link Train} writes it, one
 * commit per training night.
 */
public final class BacktestsTable {
  public static final TableContract CONTRACT =
      TableContract.table(
              Tables.BACKTESTS, Train.class,
              "One row per training night, backtested model, fold and metric: the model's recipe (candidate and chosen parameters) refitted"
                  + " on the training window's rows before the fold's origin and evaluated on the fold's horizon, with the mean and 95% t"
                  + " interval over the folds")
          .column("ds", DataTypes.DateType, false, "the night the training ran")
          .column("version", DataTypes.IntegerType, false, "the model version whose recipe was backtested (models.version)")
          .column("candidate", DataTypes.StringType, false, "its candidate's name")
          .column("role", DataTypes.StringType, false, "pick (tonight's pick) or champion (the champion it was gated against)")
          .column("fold", DataTypes.IntegerType, false, "1 for the oldest fold; the last fold's horizon ends with the training window")
          .column("origin", DataTypes.TimestampNTZType, false, "the fold's origin: fitted on the window's rows before it, evaluated from it on")
          .column("until", DataTypes.TimestampNTZType, false, "the end of the fold's horizon (exclusive)")
          .column("train_rows", DataTypes.LongType, false, "rows the fold's model was fitted on")
          .column("rows", DataTypes.LongType, false, "rows the fold's model was evaluated on")
          .column("metric", DataTypes.StringType, false, "the metric (every metric of training.task)")
          .column("value", DataTypes.DoubleType, true, "the metric on the fold's horizon; null where undefined (one class only)")
          .column("mean", DataTypes.DoubleType, true, "the metric's mean over the folds where it is defined")
          .column("lower", DataTypes.DoubleType, true, "lower bound of the 95% Student t interval of the mean: mean - t(0.975, k-1) sd / sqrt(k)")
          .column("upper", DataTypes.DoubleType, true, "upper bound of that interval (both null with fewer than 2 folds)")
          .column("folds", DataTypes.IntegerType, false, "k: the folds where the metric is defined")
          .build();

  private BacktestsTable() {}

  /** The rows of one backtested model, by fold then metric. */
  static List<Row> rows(LocalDate ds, int version, String role, Backtest.Result result) {
    List<Row> rows = new ArrayList<>();
    for (Backtest.Fold fold : result.folds()) {
      for (Map.Entry<String, Backtest.Summary> metric : result.summary().entrySet()) {
        Backtest.Summary summary = metric.getValue();
        rows.add(
            new GenericRowWithSchema(
                new Object[] {
                  Date.valueOf(ds), version, result.candidate(), role, fold.index(), fold.origin(), fold.until(), fold.trainRows(), fold.rows(),
                  metric.getKey(), fold.metrics().get(metric.getKey()), summary.mean(), summary.lower(), summary.upper(), summary.folds()},
                CONTRACT.schema()));
      }
    }
    return rows;
  }

  /** Replaces night {@code ds}'s rows in one commit (none with the backtest off). Cost: one small write. */
  static void replace(Warehouse warehouse, LocalDate ds, List<Row> rows) {
    warehouse.replaceDate(CONTRACT, ds, warehouse.frame(CONTRACT, rows).coalesce(1));
  }
}
