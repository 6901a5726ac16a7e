package dev.nightcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.ExitCode;
import dev.nightcast.testing.TestPipelines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option and positional parameter of every command, hidden ones too, as picocli's model of
 * {@link Nightcast} lists them, given a malformed value: exit code 2 and one line naming it, before
 * any work (no Spark, no database: the commands run in this JVM). A new option without a malformed
 * value here fails {@link #everyOptionOfEveryCommandHasAMalformedValue}.
 *
 * <p>Malformed values come by type where the type says it all (a flag given a value, an impossible
 * date, a word for a number), and by option name where the meaning decides (a file to read or to
 * write, a date range, a count).
 */
@Tag("unit")
class CliSweepTest {
  @TempDir static Path dir;
  /** Valid values the commands need besides the malformed one: the sample pipeline, a profile under the temp dir. */
  private static Path pipeline;
  private static Path profile;
  private static Path aFile;

  /** A malformed value of one option: the arguments that give it, and what the line must name. */
  record Case(String what, List<String> args, String names) {}

  @BeforeAll
  static void inputs() throws IOException {
    pipeline = TestPipelines.root().resolve("conf/pipelines/flight_delay.yaml");
    profile = InProcessCli.localProfile(dir, TestPipelines.sampleLanding());
    aFile = Files.writeString(dir.resolve("a-file.txt"), "not a directory");
  }

  /** Malformed values by option name (or positional label), whatever the command. */
  private static Map<String, List<Case>> byName() {
    Map<String, List<Case>> cases = new LinkedHashMap<>();
    cases.put("--pipeline", List.of(
        new Case("a pipeline file that does not exist", List.of("--pipeline", dir.resolve("missing.yaml").toString()), "--pipeline"),
        new Case("a directory as the pipeline file", List.of("--pipeline", dir.toString()), "--pipeline")));
    cases.put("--env", List.of(
        new Case("an unknown profile name", List.of("--env", "stagingg"), "--env stagingg"),
        new Case("a profile file that does not exist", List.of("--env", dir.resolve("missing.yaml").toString()), "--env")));
    cases.put("--to", List.of(new Case("--to before --from", List.of("--from", "2001-01-20", "--to", "2001-01-19"), "--to 2001-01-19 is before --from")));
    cases.put("--summary-file", List.of(
        new Case("a directory as the summary file", List.of("--summary-file", dir.toString()), "--summary-file"),
        new Case("a summary file below a file", List.of("--summary-file", aFile.resolve("night.json").toString()), "--summary-file")));
    cases.put("report --out", List.of(new Case("a report below a file", List.of("--out", aFile.resolve("report.html").toString()), "--out")));
    cases.put("sample --out", List.of(new Case("a file as the landing directory", List.of("--out", aFile.toString()), "--out")));
    cases.put("--source", List.of(new Case("a source that does not exist", List.of("--source", dir.resolve("flights-3m.parquet").toString()), "--source")));
    cases.put("--limit", List.of(new Case("no rows to print", List.of("--limit", "0"), "--limit")));
    cases.put("--copies", List.of(new Case("no copies", List.of("--copies", "-1"), "--copies")));
    cases.put("--reason", List.of(new Case("an empty reason", List.of("--reason", " "), "--reason")));
    cases.put("--actor", List.of(new Case("an empty actor", List.of("--actor", ""), "--actor")));
    cases.put("QUERY", List.of(new Case("an empty query", List.of(" "), "QUERY")));
    cases.put("SQL", List.of(new Case("an empty statement", List.of(""), "SQL")));
    cases.put("VERSION", List.of(
        new Case("a word as the model version", List.of("latest"), "VERSION"),
        new Case("model version 0", List.of("v0"), "VERSION")));
    cases.put("COMMAND", List.of(new Case("an unknown command to help with", List.of("frobnicate"), "'frobnicate'")));
    return cases;
  }

  /** Malformed values any option of a type gets. */
  private static List<Case> byType(OptionSpec option) {
    String name = option.longestName();
    if (option.arity().max() == 0) {
      return List.of(new Case("a value for the flag", List.of(name + "=maybe"), "'" + name + "'"));
    }
    if (option.type() == LocalDate.class) {
      return List.of(
          new Case("an impossible date", List.of(name, "2001-13-45"), "'" + name + "': '2001-13-45' is not a date YYYY-MM-DD"),
          new Case("a date in another format", List.of(name, "20/01/2001"), "'" + name + "'"));
    }
    if (option.type() == int.class) {
      return List.of(new Case("a word for a number", List.of(name, "many"), "'" + name + "': 'many' is not an int"));
    }
    return List.of();
  }

  /** Every command, hidden ones too, by its qualified name. */
  private static Map<String, CommandSpec> commands() {
    Map<String, CommandSpec> commands = new LinkedHashMap<>();
    collect(Nightcast.commandLine(), commands);
    return commands;
  }

  private static void collect(CommandLine command, Map<String, CommandSpec> into) {
    into.put(command.getCommandSpec().qualifiedName(), command.getCommandSpec());
    command.getSubcommands().values().forEach(sub -> collect(sub, into));
  }

  private static String label(ArgSpec arg) {
    return arg instanceof OptionSpec option ? option.longestName() : arg.paramLabel();
  }

  private static List<ArgSpec> args(CommandSpec command) {
    return Stream.concat(command.options().stream(), command.positionalParameters().stream()).map(a -> (ArgSpec) a).toList();
  }

  /** The cases of one option of one command: by type, then by "command option" or by name. */
  private static List<Case> cases(CommandSpec command, ArgSpec arg) {
    List<Case> cases = new ArrayList<>(arg instanceof OptionSpec option ? byType(option) : List.of());
    Map<String, List<Case>> named = byName();
    String label = label(arg);
    cases.addAll(named.getOrDefault(command.name() + " " + label, named.getOrDefault(label, List.of())));
    return cases;
  }

  /**
   * What the command needs to get as far as checking the malformed value: a valid pipeline and
   * profile, and a valid value for each required option and parameter the case does not give.
   */
  private static List<String> valid(CommandSpec command, ArgSpec malformed, List<String> given) throws IOException {
    List<String> args = new ArrayList<>();
    for (ArgSpec arg : args(command)) {
      String label = label(arg);
      boolean givenHere = arg == malformed || given.stream().anyMatch(a -> a.equals(label) || a.startsWith(label + "="));
      // publish checks its --date itself (`publish rollback` takes none): give it like a required one
      if (givenHere || (arg instanceof OptionSpec && !arg.required() && !Set.of("--pipeline", "--env", "--date").contains(label))) {
        continue;
      }
      if (arg instanceof OptionSpec option) {
        args.add(option.longestName());
        args.add(switch (label) {
          case "--pipeline" -> pipeline.toString();
          case "--env" -> profile.toString();
          case "--source" -> aFile.toString();
          case "--out" -> Files.createDirectories(dir.resolve("out")).toString();
          default -> "2001-01-20";
        });
      } else if (arg.required()) {
        args.add(arg.type() == int.class ? "1" : "select 1");
      }
    }
    return args;
  }

  @TestFactory
  Stream<DynamicTest> aMalformedValueIsOneUsageLineNamingTheOption() {
    List<DynamicTest> tests = new ArrayList<>();
    for (CommandSpec command : commands().values()) {
      String path = command.qualifiedName().replaceFirst("^nightcast ?", "");
      for (ArgSpec arg : args(command)) {
        for (Case malformed : cases(command, arg)) {
          tests.add(DynamicTest.dynamicTest(command.qualifiedName() + " " + label(arg) + ": " + malformed.what(), () -> {
            List<String> argv = new ArrayList<>(path.isEmpty() ? List.of() : List.of(path.split(" ")));
            // positional values go last, after the options
            List<String> positional = arg instanceof OptionSpec ? List.of() : malformed.args();
            argv.addAll(arg instanceof OptionSpec ? malformed.args() : List.of());
            argv.addAll(valid(command, arg, malformed.args()));
            argv.addAll(positional);
            assertOneUsageLine(InProcessCli.run(argv.toArray(String[]::new)), argv, malformed.names());
          }));
        }
      }
      if (command.helpCommand()) {
        continue; // picocli's `help` takes any word, options too, as the command to show the help of
      }
      tests.add(DynamicTest.dynamicTest(command.qualifiedName() + ": an unknown option", () -> {
        List<String> argv = new ArrayList<>(path.isEmpty() ? List.of() : List.of(path.split(" ")));
        argv.add("--no-such-option");
        argv.addAll(valid(command, null, List.of()));
        assertOneUsageLine(InProcessCli.run(argv.toArray(String[]::new)), argv, "'--no-such-option'");
      }));
    }
    return tests.stream();
  }

  private static void assertOneUsageLine(InProcessCli.Captured result, List<String> argv, String names) {
    String command = "nightcast " + String.join(" ", argv);
    assertThat(result.code()).as(command + "\n" + result.err()).isEqualTo(ExitCode.USAGE.code);
    assertThat(result.err().lines().filter(line -> !line.isBlank()).toList()).as(command).singleElement()
        .satisfies(line -> assertThat(line).startsWith("nightcast: ").contains(names));
    assertThat(result.out()).as(command + ": nothing was done").isEmpty();
  }

  @Test
  void everyOptionOfEveryCommandHasAMalformedValue() {
    Set<String> bare = new TreeSet<>();
    Set<String> labels = new TreeSet<>();
    commands().forEach((name, command) -> {
      for (ArgSpec arg : args(command)) {
        labels.add(label(arg));
        labels.add(command.name() + " " + label(arg));
        if (cases(command, arg).isEmpty()) {
          bare.add(name + " " + label(arg));
        }
      }
    });
    assertThat(bare)
        .withFailMessage("options without a malformed value in CliSweepTest (add one to byName or byType): %s", bare)
        .isEmpty();
    Set<String> stale = new TreeSet<>(byName().keySet());
    stale.removeAll(labels);
    assertThat(stale).as("malformed values in CliSweepTest for options no command has").isEmpty();
    assertThat(commands()).as("hidden commands are swept too").containsKey("nightcast sample");
  }
}
