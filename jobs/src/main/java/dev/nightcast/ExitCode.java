package dev.nightcast;

import java.util.Optional;

/** Process exit codes; Airflow and on-call runbooks branch on these, so they are a stable contract. */
public enum ExitCode {
  OK(0),
  INTERNAL(1),
  USAGE(2),
  BAD_CONFIG(3),
  BAD_DATA(4),
  GATE_FAILED(5),
  BUSY(6);

  public final int code;

  ExitCode(int code) {
    this.code = code;
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
