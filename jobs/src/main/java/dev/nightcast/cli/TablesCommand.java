package dev.nightcast.cli;

import dev.nightcast.report.TableReference;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Prints the reference of the Delta tables (no Spark is started). */
@Command(
    name = "tables",
    mixinStandardHelpOptions = true,
    description = "Print the reference of the Delta tables a pipeline writes: each table's owner, meaning and columns (Markdown).")
final class TablesCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.out.print(TableReference.markdown());
    return 0;
  }
}
