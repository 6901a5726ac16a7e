package dev.nightcast.cli;

import dev.nightcast.ExitCode;
import dev.nightcast.NightcastException;
import dev.nightcast.night.NightlyRun;
import dev.nightcast.ops.RunLog;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import dev.nightcast.night.StageName;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The nightcast command line: `nightcast <command> --help` for each command. */
@Command(
    name = "nightcast",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Nightly batch ML on Spark: train, precompute predictions into Postgres, monitor into Delta.",
    subcommands = {
      DemoCommand.class,
      RunCommand.class,
      CheckCommand.class,
      BackfillCommand.class,
      MaintainCommand.class,
      SqlCommand.class,
      DbCommand.class,
      SampleCommand.class,
      StatusCommand.class,
      ReportCommand.class,
      ScorecardCommand.class,
      ModelsCommand.class,
      TablesCommand.class,
      CompletionCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:internal error (see the log)",
      "2:bad usage",
      "3:bad configuration",
      "4:bad or missing data",
      "5:promotion gate failed (no model to serve)",
      "6:another run holds the lock",
      "7:status: the latest run of a stage failed"
    })
public final class Nightcast {

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    Optional<Path> earlierLog = RunLog.latest();
    return commandLine()
        .setExecutionExceptionHandler((e, command, parsed) -> handle(e, command, parsed, RunLog.latest().filter(log -> !Optional.of(log).equals(earlierLog))))
        .execute(args);
  }

  /** Every command and option, as {@link #execute} parses them: dates as YYYY-MM-DD, a usage error as one line. */
  static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new Nightcast());
    for (StageName stage : StageName.values()) {
      if (stage == StageName.PUBLISH) {
        // publish has its own command: it also holds `publish rollback`
        commandLine.addSubcommand(stage.label(), new PublishCommand());
      } else {
        CommandLine command = new CommandLine(new StageCommand(stage));
        command.getCommandSpec().usageMessage().description(StageCommand.description(stage));
        commandLine.addSubcommand(stage.label(), command);
      }
    }
    // registered after the subcommands: picocli hands the converters and the handler down to those present
    return commandLine.registerConverter(LocalDate.class, Nightcast::date).setParameterExceptionHandler(Nightcast::usage);
  }

  private static LocalDate date(String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      // "Text '2001-13-45' could not be parsed: Invalid value for MonthOfYear ...": keep the why, if any
      int why = e.getMessage().indexOf("parsed: ");
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a date YYYY-MM-DD" + (why < 0 ? "" : " (" + e.getMessage().substring(why + "parsed: ".length()) + ")"));
    }
  }

  /**
   * A usage error as one line naming the option, with where to read more: picocli's default prints
   * the whole usage after the message, which buries it (and Airflow's log shows the last lines).
   */
  private static int usage(CommandLine.ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    String suggestions = e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()
        ? " (did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?)"
        : "";
    command.getErr().println("nightcast: " + e.getMessage().replaceFirst("\\.$", "") + suggestions + "; see '" + command.getCommandSpec().qualifiedName() + " --help'");
    return ExitCode.USAGE.code;
  }

  /**
   * Known failures print their message alone, the rest with its stack trace; both name the run's log
   * ({@code log}: the one this command opened), which holds Spark's side of it. The exit code is {@link ExitCode#of}'s.
   */
  private static int handle(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult, Optional<Path> log) {
    Optional<NightcastException> known = ExitCode.knownCause(e);
    boolean verbose = parseResult.hasMatchedOption("--verbose")
        || parseResult.subcommands().stream().anyMatch(sub -> sub.hasMatchedOption("--verbose"));
    String inLog = log.map(file -> " (log: " + file + ")").orElse("");
    if (known.isPresent()) {
      commandLine.getErr().println("nightcast: " + known.get().getMessage() + inLog);
      if (verbose) {
        known.get().printStackTrace(commandLine.getErr());
      }
    } else {
      commandLine.getErr().println("nightcast: internal error: " + e + inLog);
      e.printStackTrace(commandLine.getErr());
    }
    return ExitCode.of(e).code;
  }
}
