package dev.nightcast.cli;

import dev.nightcast.NightcastException;
import dev.nightcast.night.Context;
import dev.nightcast.warehouse.Catalog;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description = {
      "Run Spark SQL over the warehouse's Delta tables, by name: <pipeline>.<table> for any pipeline (e.g. flight_delay.drift_daily),"
          + " bare names (models, runs, ...) for the --pipeline's tables.",
      "Registers new tables in the profile's catalog first (in this session only, for `catalog: none`)."})
final class SqlCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin PipelineOptions options;

  @Parameters(paramLabel = "QUERY", description = "A Spark SQL query, e.g. \"select * from performance_daily order by ds\".")
  String query;

  @Option(names = "--limit", defaultValue = "100", description = "Rows to print at most. Default: ${DEFAULT-VALUE}")
  int limit;

  @Option(names = "--tsv", description = "Print tab-separated values with a header line instead of a table.")
  boolean tsv;

  @Override
  public Integer call() throws Exception {
    OptionChecks.notBlank(spec, "positional parameter QUERY", query);
    OptionChecks.positive(spec, "--limit", limit);
    try (Context context = options.start()) {
      List<String> databases = Catalog.registerAll(context.spark(), context.env().warehouse());
      String pipeline = context.pipeline().config().name();
      if (databases.contains(pipeline)) {
        context.spark().sql("USE `" + pipeline + "`");
      } else {
        System.err.println("nightcast: pipeline '" + pipeline + "' has no tables in " + context.env().warehouse() + " yet (run a night first)");
      }
      try {
        print(context.spark().sql(query));
      } catch (Exception e) {
        // Spark's AnalysisException is a checked exception, thrown without being declared
        throw refused(e);
      }
      return 0;
    }
  }

  /**
   * A query the analyser or the executor refuses for what it says (an unknown column or table, a
   * syntax error, a division by zero: SQLSTATE classes 42 and 22) is the user's mistake: its first
   * line, without the plan Spark appends. Anything else stays a failure of nightcast.
   */
  static Exception refused(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SparkThrowable spark && spark.getSqlState() != null
          && (spark.getSqlState().startsWith("42") || spark.getSqlState().startsWith("22"))) {
        return NightcastException.usage("Cannot run the query: " + t.getMessage().lines().findFirst().orElse("") + " Fix the query and run it again");
      }
    }
    return e;
  }

  private void print(Dataset<Row> result) {
    if (tsv) {
      System.out.println(String.join("\t", result.columns()));
      for (Row row : result.limit(limit).collectAsList()) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < row.length(); i++) {
          line.append(i == 0 ? "" : "\t").append(row.isNullAt(i) ? "" : String.valueOf(row.get(i)));
        }
        System.out.println(line);
      }
    } else {
      result.show(limit, false);
    }
  }
}
