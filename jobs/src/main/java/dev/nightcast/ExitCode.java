package dev.nightcast;

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
}
