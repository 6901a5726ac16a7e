package dev.nightcast.night;

/**
 * What a stage did: its own result and the rows it read and wrote, as recorded in {@code runs}.
 *
 * @param rowsIn rows the stage read, where it counts them anyway (ingest: the drops' rows, publish:
 *     the predictions loaded); null for the others, whose input count would cost an extra Spark job
 * @param rowsOut rows the stage wrote (raw rows, feature rows, registered candidates, predictions,
 *     published rows, monitoring rows)
 */
public record StageResult<T>(T value, Long rowsIn, Long rowsOut) {
  public static <T> StageResult<T> wrote(T value, long rowsOut) {
    return new StageResult<>(value, null, rowsOut);
  }
}
