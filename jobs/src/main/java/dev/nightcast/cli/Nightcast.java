package dev.nightcast.cli;

import dev.nightcast.ExitCode;
import dev.nightcast.NightcastException;
import dev.nightcast.night.NightlyRun;
import dev.nightcast.night.StageName;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The nightcast command line: `nightcast <command> --help` for each command. */
@Command(
    name = "nightcast",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Nightly batch ML on Spark: train, precompute predictions into Postgres, monitor into Delta.",
    subcommands = {
      DemoCommand.class,
      RunCommand.class,
      BackfillCommand.class,
      SqlCommand.class,
      DbCommand.class,
      SampleCommand.class,
      StatusCommand.class,
      ReportCommand.class,
      ModelsCommand.class,
      TablesCommand.class,
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
      "6:another run holds the lock"
    })
public final class Nightcast {

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    CommandLine commandLine = new CommandLine(new Nightcast());
    for (StageName stage : StageName.values()) {
      // publish has its own command: it also holds `publish rollback`
      commandLine.addSubcommand(stage.label(), stage == StageName.PUBLISH ? new PublishCommand() : new StageCommand(stage));
    }
    return commandLine.setExecutionExceptionHandler(Nightcast::handle).execute(args);
  }

  /** Known failures print their message alone and map to their exit code; the rest is internal. */
  private static int handle(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    NightcastException known = find(e);
    boolean verbose = parseResult.hasMatchedOption("--verbose")
        || parseResult.subcommands().stream().anyMatch(sub -> sub.hasMatchedOption("--verbose"));
    if (known != null) {
      commandLine.getErr().println("nightcast: " + known.getMessage());
      if (verbose) {
        known.printStackTrace(commandLine.getErr());
      }
      return known.exitCode().code;
    }
    commandLine.getErr().println("nightcast: internal error: " + e);
    e.printStackTrace(commandLine.getErr());
    return ExitCode.INTERNAL.code;
  }

  /** The exit code a failure maps to (the same as the process exits with). */
  static int exitCode(Throwable e) {
    NightcastException known = find(e);
    return known == null ? ExitCode.INTERNAL.code : known.exitCode().code;
  }

  /** Spark wraps exceptions thrown inside jobs; the cause chain still holds ours. */
  private static NightcastException find(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof NightcastException known) {
        return known;
      }
    }
    return null;
  }
}
