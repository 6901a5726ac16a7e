import dev.nightcast.warehouse.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;

/**
 * The observers of bench/crash.sh, one process each:
 *
 * <pre>
 *   reader  URL VIEW STOP_FILE OUT   poll the serving view until STOP_FILE exists; OUT gets every state seen
 *   delta   WAREHOUSE...             print "warehouse table rows:digest" for every Delta table of each warehouse
 * </pre>
 */
public final class CrashProbe {
  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "reader" -> reader(args[1], args[2], Path.of(args[3]), Path.of(args[4]));
      case "delta" -> delta(List.of(args).subList(1, args.length));
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
  }

  /**
   * One statement per poll, so the view and the publish log come from one snapshot: the view must
   * hold exactly one ds and one model version, and exactly as many rows as the publish log recorded
   * for the published version of that ds. Anything else is a partial or mixed read.
   */
  static void reader(String url, String view, Path stop, Path out) throws Exception {
    String schema = view.substring(0, view.indexOf('.'));
    String table = view.substring(view.indexOf('.') + 1);
    String sql =
        "WITH v AS (SELECT count(*) AS n, min(ds) AS lo, max(ds) AS hi, count(DISTINCT model_version) AS models FROM " + view + ")"
            + " SELECT v.n, v.lo, v.hi, v.models, EXISTS (SELECT 1 FROM " + schema + ".publish_log p WHERE p.serving_table = '" + table
            + "' AND p.status = 'published' AND p.ds = v.lo AND p.row_count = v.n) FROM v";
    Map<String, Long> states = new TreeMap<>();
    long reads = 0;
    long violations = 0;
    long errors = 0;
    List<String> errorSamples = new ArrayList<>();
    while (!Files.exists(stop)) {
      try (Connection connection = DriverManager.getConnection(url, "postgres", "");
          Statement statement = connection.createStatement()) {
        while (!Files.exists(stop)) {
          try (ResultSet result = statement.executeQuery(sql)) {
            result.next();
            long rows = result.getLong(1);
            String lo = result.getString(2);
            String hi = result.getString(3);
            boolean complete = rows > 0 && lo.equals(hi) && result.getLong(4) == 1 && result.getBoolean(5);
            states.merge((complete ? "complete" : "PARTIAL") + " ds=" + lo + ".." + hi + " rows=" + rows, 1L, Long::sum);
            reads++;
            if (!complete) {
              violations++;
            }
          }
          Thread.sleep(50);
        }
      } catch (SQLException e) {
        errors++;
        if (errorSamples.size() < 5) {
          errorSamples.add(e.getSQLState() + " " + e.getMessage());
        }
        Thread.sleep(200);
      }
    }
    List<String> lines = new ArrayList<>();
    lines.add("reads " + reads);
    lines.add("violations " + violations);
    lines.add("errors " + errors);
    states.forEach((state, count) -> lines.add("state " + state + " x" + count));
    errorSamples.forEach(sample -> lines.add("error " + sample));
    Files.write(out, lines);
  }

  /**
   * Every Delta table under each warehouse, without the attempt columns (run ids, wall-clock times)
   * and without {@code runs} (one row per attempt by design): row count and the sum of a 64-bit
   * hash of each row's JSON, as EndToEndTest compares re-runs.
   */
  static void delta(List<String> warehouses) throws Exception {
    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("crash-probe")
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    for (String warehouse : warehouses) {
      List<String> tables;
      try (Stream<Path> entries = Files.list(Path.of(warehouse))) {
        tables = entries.filter(p -> Files.isDirectory(p.resolve("_delta_log"))).map(p -> p.getFileName().toString()).sorted().toList();
      }
      for (String table : tables) {
        if (table.equals(Tables.RUNS)) {
          continue;
        }
        Dataset<Row> rows = spark.read().format("delta").load(warehouse + "/" + table);
        for (String column : Tables.ATTEMPT_COLUMNS) {
          rows = rows.drop(column);
        }
        for (StructField field : rows.schema().fields()) {
          if (field.dataType() instanceof MapType) {
            rows = rows.withColumn(field.name(), functions.to_json(functions.col(field.name())));
          }
        }
        Row digest = rows.selectExpr("count(*)", "sum(cast(xxhash64(to_json(struct(*))) as decimal(38, 0)))").head();
        System.out.println(warehouse + " " + table + " " + digest.getLong(0) + ":" + digest.get(1));
      }
    }
    spark.stop();
  }
}
