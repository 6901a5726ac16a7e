package dev.nightcast;

/**
 * The one exception type nightcast raises on purpose. Messages follow "Cannot <do what>: <why>
 * (<detail>)" and end with what to do, so an operator can act on the log line alone.
 */
public final class NightcastException extends RuntimeException {
  private final ExitCode exitCode;

  private NightcastException(ExitCode exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public ExitCode exitCode() {
    return exitCode;
  }

  public static NightcastException badConfig(String message) {
    return new NightcastException(ExitCode.BAD_CONFIG, message, null);
  }

  public static NightcastException badConfig(String message, Throwable cause) {
    return new NightcastException(ExitCode.BAD_CONFIG, message, cause);
  }

  public static NightcastException badData(String message) {
    return new NightcastException(ExitCode.BAD_DATA, message, null);
  }

  /** A user's mistake on the command line (a query the analyser or the server refuses, a missing tool). */
  public static NightcastException usage(String message) {
    return new NightcastException(ExitCode.USAGE, message, null);
  }

  public static NightcastException gateFailed(String message) {
    return new NightcastException(ExitCode.GATE_FAILED, message, null);
  }

  public static NightcastException busy(String message) {
    return new NightcastException(ExitCode.BUSY, message, null);
  }

  public static NightcastException internal(String message, Throwable cause) {
    return new NightcastException(ExitCode.INTERNAL, message, cause);
  }
}
