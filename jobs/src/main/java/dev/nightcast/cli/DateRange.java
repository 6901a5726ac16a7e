package dev.nightcast.cli;

import java.time.LocalDate;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The required --from/--to of the commands that cover a range of nights (both inclusive). */
final class DateRange {
  @Spec(Spec.Target.MIXEE) CommandSpec command;

  @Option(names = "--from", required = true, paramLabel = "YYYY-MM-DD", description = "First logical date.")
  LocalDate from;

  @Option(names = "--to", required = true, paramLabel = "YYYY-MM-DD", description = "Last logical date (inclusive).")
  LocalDate to;

  /** Fails with a usage error (exit code 2) when the range is empty. */
  void validate() {
    OptionChecks.dateOrder(command, from, to);
  }
}
