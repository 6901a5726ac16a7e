package dev.nightcast.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import java.time.LocalDate;
import java.time.LocalDateTime;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Stage 4: time-based split of the training window [first, last] (whole days, UTC wall time) into
 * train, validation and test windows counted back from the window's end: the test window is its
 * last {@code testDays}, validation the {@code validationDays} before, train the rest. The test
 * window is used only for the final evaluation and the gate, never for model selection or
 * calibration.
 */
public record Split(LocalDateTime start, LocalDateTime validationStart, LocalDateTime testStart, LocalDateTime end) {
  private static final long SECONDS_A_DAY = 86_400;

  public static Split of(LocalDate first, LocalDate last, double validationDays, double testDays) {
    LocalDateTime end = last.plusDays(1).atStartOfDay();
    LocalDateTime testStart = end.minusSeconds(Math.round(testDays * SECONDS_A_DAY));
    return new Split(first.atStartOfDay(), testStart.minusSeconds(Math.round(validationDays * SECONDS_A_DAY)), testStart, end);
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
