package dev.nightcast;

import java.util.Optional;

/** Process exit codes; Airflow and on-call runbooks branch on these, so they are a stable contract. */
public enum ExitCode {
  OK(0, false),
  /** A bug or a lost resource (an executor, a disk): the only code besides BUSY that a retry may fix. */
  INTERNAL(1, true),
  USAGE(2, false),
  BAD_CONFIG(3, false),
  BAD_DATA(4, false),
  GATE_FAILED(5, false),
  BUSY(6, true),
  /** `nightcast status` only: it ran fine and reports that the latest run of a stage failed. */
  STAGE_FAILED(7, false);

  public final int code;
  /** Whether running the same command again, unchanged, may succeed (Airflow's retry list follows this). */
  public final boolean retryable;

  ExitCode(int code, boolean retryable) {
    this.code = code;
    this.retryable = retryable;
  }

  /**
   * The one mapping of a failure to the code the process exits with: that of the
   * {@link NightcastException} behind it, else {@link #INTERNAL}. Pure; walks the cause chain.
   */
  public static ExitCode of(Throwable failure) {
    return knownCause(failure).map(NightcastException::exitCode).orElse(INTERNAL);
  }

  /** The NightcastException raised on purpose behind {@code failure}: Spark wraps exceptions thrown inside jobs, the cause chain still holds ours. */
  public static Optional<NightcastException> knownCause(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof NightcastException known) {
        return Optional.of(known);
      }
    }
    return Optional.empty();
  }
}
