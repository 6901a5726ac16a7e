package dev.nightcast.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Stage 4: time-based split of the training window [first, last] (whole days, UTC wall time) into
 * train, validation and test windows by elapsed time. The test window is the most recent and is
 * used only for the final evaluation and the gate, never for model selection.
 */
public record Split(LocalDateTime start, LocalDateTime validationStart, LocalDateTime testStart, LocalDateTime end) {

  public static Split of(LocalDate first, LocalDate last, double trainFraction, double validationFraction) {
    LocalDateTime start = first.atStartOfDay();
    LocalDateTime end = last.plusDays(1).atStartOfDay();
    long seconds = Duration.between(start, end).getSeconds();
    return new Split(
        start,
        start.plusSeconds(Math.round(seconds * trainFraction)),
        start.plusSeconds(Math.round(seconds * (trainFraction + validationFraction))),
        end);
  }

  public Dataset<Row> train(Dataset<Row> rows, String eventTime) {
    return rows.where(between(eventTime, start, validationStart));
  }

  public Dataset<Row> validation(Dataset<Row> rows, String eventTime) {
    return rows.where(between(eventTime, validationStart, testStart));
  }

  public Dataset<Row> test(Dataset<Row> rows, String eventTime) {
    return rows.where(between(eventTime, testStart, end));
  }

  private static Column between(String eventTime, LocalDateTime from, LocalDateTime until) {
    return col(eventTime).geq(timestamp(from)).and(col(eventTime).lt(timestamp(until)));
  }

  private static Column timestamp(LocalDateTime at) {
    return expr("timestamp'" + at.toString().replace('T', ' ') + "'");
  }
}
