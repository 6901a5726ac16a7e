package dev.nightcast.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks of option values that picocli's types do not express, run before a command does any work:
 * each failure is a usage error (exit code 2) naming the option.
 */
final class OptionChecks {
  private OptionChecks() {}

  static void dateOrder(CommandSpec command, LocalDate from, LocalDate to) {
    if (to.isBefore(from)) {
      throw new ParameterException(command.commandLine(), "--to " + to + " is before --from " + from);
    }
  }

  static void positive(CommandSpec command, String option, int value) {
    if (value < 1) {
      throw new ParameterException(command.commandLine(), "Invalid value for option '" + option + "': " + value + " (give 1 or more)");
    }
  }

  static void notBlank(CommandSpec command, String label, String value) {
    if (value.isBlank()) {
      throw new ParameterException(command.commandLine(), "Invalid value for " + label + ": it is empty");
    }
  }

  static void existing(CommandSpec command, String option, Path input) {
    if (!Files.exists(input)) {
      throw new ParameterException(command.commandLine(), "Invalid value for option '" + option + "': " + input + " does not exist");
    }
  }

  /** A file to write: not a directory, and below a directory that exists or can be created and written. */
  static void writableFile(CommandSpec command, String option, Path output) {
    if (Files.isDirectory(output)) {
      throw new ParameterException(command.commandLine(), "Invalid value for option '" + option + "': " + output + " is a directory; name a file");
    }
    Path parent = output.toAbsolutePath().getParent();
    if (parent != null) {
      writableDirectory(command, option, parent);
    }
  }

  /** A directory to write into: it, or its nearest existing ancestor, is a writable directory. */
  static void writableDirectory(CommandSpec command, String option, Path directory) {
    Path existing = directory.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null || !Files.isDirectory(existing)) {
      throw new ParameterException(command.commandLine(), "Invalid value for option '" + option + "': " + existing + " is a file, not a directory");
    }
    if (!Files.isWritable(existing)) {
      throw new ParameterException(command.commandLine(), "Invalid value for option '" + option + "': " + existing + " is not writable");
    }
  }
}
