package dev.nightcast.cli;

import dev.nightcast.night.Context;
import dev.nightcast.warehouse.Catalog;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description = {
      "Run Spark SQL over the warehouse's Delta tables, by name: <pipeline>.<table> for any pipeline (e.g. flight_delay.drift_daily),"
          + " bare names (models, runs, ...) for the --pipeline's tables.",
      "Registers new tables in the profile's catalog first (in this session only, for `catalog: none`)."})
final class SqlCommand implements Callable<Integer> {
  @Mixin PipelineOptions options;

  @Parameters(paramLabel = "QUERY", description = "A Spark SQL query, e.g. \"select * from performance_daily order by ds\".")
  String query;

  @Option(names = "--limit", defaultValue = "100", description = "Rows to print at most. Default: ${DEFAULT-VALUE}")
  int limit;

  @Option(names = "--tsv", description = "Print tab-separated values with a header line instead of a table.")
  boolean tsv;

  @Override
  public Integer call() {
    try (Context context = options.start()) {
      List<String> databases = Catalog.registerAll(context.spark(), context.env().warehouse());
      String pipeline = context.pipeline().config().name();
      if (databases.contains(pipeline)) {
        context.spark().sql("USE `" + pipeline + "`");
      } else {
        System.err.println("nightcast: pipeline '" + pipeline + "' has no tables in " + context.env().warehouse() + " yet (run a night first)");
      }
      Dataset<Row> result = context.spark().sql(query);
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
      return 0;
    }
  }
}
