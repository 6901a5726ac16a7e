package dev.nightcast.serving;

import static org.apache.spark.sql.functions.col;

import dev.nightcast.config.ServingConfig;
import dev.nightcast.testing.TestPostgres;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.postgresql.PGConnection;

/**
 * Run by bench/publish.sh. For each N (default 1M and 3M rows, from spark.range, cached so every
 * writer reads the same in-memory rows), in one process against one embedded Postgres:
 * <ul>
 *   <li>the floor: one raw {@code COPY FROM STDIN} of the same rows as CSV prepared in memory beforehand;
 *   <li>Spark's JDBC writer with default options ({@code mode(Overwrite).jdbc(...)});
 *   <li>nightcast's publish (COPY streams, primary key, ANALYZE, verify, switch);
 *   <li>reader key lookups (p50/p99, errors) while idle and during a nightcast publish.
 * </ul>
 * Figures are ratios against the baselines of the same run, never absolute goals.
 */
public final class PublishBenchmark {
  private static final String SCHEMA = "bench";
  /** Concurrent reader connections, each a thread doing key lookups back to back (-Dreaders). */
  private static final int READERS = Integer.getInteger("readers", 16);
  private static final double IDLE_SECONDS = 10;

  private PublishBenchmark() {}

  public static void main(String[] args) throws Exception {
    long[] sizes = args.length == 0 ? new long[] {1_000_000, 3_000_000} : Arrays.stream(args).mapToLong(Long::parseLong).toArray();
    int streams = Integer.parseInt(System.getProperty("copy.streams", "2"));
    ServingConfig serving = ServingFixtures.serving(SCHEMA, 2, streams);
    Publisher publisher = ServingFixtures.publisher(serving);
    System.out.printf("nightcast publish benchmark: copy_streams=%d, %d cores, %d reader threads, load average %.1f, %s%n",
        streams, Runtime.getRuntime().availableProcessors(), READERS,
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), server());
    int night = 0;
    for (long rows : sizes) {
      LocalDate ds = LocalDate.of(2001, 6, 1).plusDays(night++);
      Dataset<Row> predictions = ServingFixtures.predictions(rows, ds, 1).cache();
      predictions.count();

      double copy = rawCopy(predictions, rows);
      double jdbc = sparkJdbc(predictions, rows);
      long began = System.nanoTime();
      Publisher.Result first = publisher.publish(predictions, ds, 1);
      double nightcast = rows / seconds(began);
      double nightcastLoad = rows / first.loadSeconds();

      Latencies idle = lookups(rows, () -> sleepSeconds(IDLE_SECONDS));
      long[] during = new long[1];
      Publisher.Result[] second = new Publisher.Result[1];
      Latencies busy = lookups(rows, () -> {
        long start = System.nanoTime();
        second[0] = publisher.publish(predictions, ds, 1);
        during[0] = System.nanoTime() - start;
      });
      predictions.unpersist();

      System.out.printf("%nN = %,d rows%n", rows);
      System.out.printf("  raw COPY, 1 stream, prepared CSV   %,10.0f rows/s%n", copy);
      System.out.printf("  Spark JDBC writer, defaults        %,10.0f rows/s%n", jdbc);
      System.out.printf("  nightcast publish, end to end      %,10.0f rows/s  (load %.1f s, index+analyze %.1f s, switch %.3f s)%n",
          nightcast, first.loadSeconds(), first.indexSeconds(), first.switchSeconds());
      System.out.printf("  nightcast load phase only          %,10.0f rows/s%n", nightcastLoad);
      System.out.printf("  nightcast / raw COPY   %.2f x (load phase %.2f x)%n", nightcast / copy, nightcastLoad / copy);
      System.out.printf("  nightcast / Spark JDBC %.2f x (load phase %.2f x)%n", nightcast / jdbc, nightcastLoad / jdbc);
      System.out.printf("  lookups idle            %s%n", idle);
      System.out.printf("  lookups during publish  %s  (publish took %.1f s: load %.1f s, index+analyze %.1f s, switch %.3f s)%n",
          busy, during[0] / 1e9, second[0].loadSeconds(), second[0].indexSeconds(), second[0].switchSeconds());
      System.out.printf("  p99 during / idle      %.2f x%n", busy.p99() / idle.p99());
      System.out.printf("  throughput during / idle %.2f x%n", busy.perSecond() / idle.perSecond());
    }
    System.exit(0);
  }

  private static String server() throws Exception {
    try (Connection connection = TestPostgres.database().connect();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT current_setting('server_version'), datcollate FROM pg_database WHERE datname = current_database()")) {
      result.next();
      return "PostgreSQL " + result.getString(1) + " (collation " + result.getString(2) + ")";
    }
  }

  /** The floor: one COPY of CSV already in memory into a table without indexes; returns rows/s. */
  private static double rawCopy(Dataset<Row> predictions, long rows) throws Exception {
    Column[] asText = Arrays.stream(predictions.columns()).map(name -> col(name).cast("string").as(name)).toArray(Column[]::new);
    ByteArrayOutputStream csv = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, rows * 64));
    StringBuilder line = new StringBuilder(256);
    Iterator<Row> iterator = predictions.select(asText).toLocalIterator();
    while (iterator.hasNext()) {
      line.setLength(0);
      appendCsv(line, iterator.next());
      csv.write(line.toString().getBytes(StandardCharsets.UTF_8));
    }
    byte[] bytes = csv.toByteArray();
    try (Connection connection = TestPostgres.database().connect();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS bench.raw_copy");
      statement.execute("CREATE TABLE bench.raw_copy (ds date, flight_id text, dep_time timestamp, probability double precision, model_version integer)");
      long began = System.nanoTime();
      long copied =
          connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY bench.raw_copy FROM STDIN WITH (FORMAT csv)", new ByteArrayInputStream(bytes));
      double perSecond = copied / seconds(began);
      check(copied == rows, "raw COPY loaded " + copied + " rows, expected " + rows);
      statement.execute("DROP TABLE bench.raw_copy");
      return perSecond;
    }
  }

  /** Spark's JDBC writer as documented, default options (batched INSERTs, a commit per partition). */
  private static double sparkJdbc(Dataset<Row> predictions, long rows) throws Exception {
    Properties properties = new Properties();
    properties.setProperty("user", TestPostgres.database().credentials().user());
    properties.setProperty("driver", "org.postgresql.Driver");
    String url = TestPostgres.database().credentials().url();
    long began = System.nanoTime();
    predictions.write().mode(SaveMode.Overwrite).jdbc(url, "bench.spark_jdbc", properties);
    double perSecond = rows / seconds(began);
    try (Connection connection = TestPostgres.database().connect();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT count(*) FROM bench.spark_jdbc")) {
      result.next();
      check(result.getLong(1) == rows, "Spark JDBC loaded " + result.getLong(1) + " rows, expected " + rows);
      statement.execute("DROP TABLE bench.spark_jdbc");
    }
    return perSecond;
  }

  @FunctionalInterface
  private interface Work {
    void run() throws Exception;
  }

  /** Key lookups by READERS threads (random existing keys) for as long as {@code work} runs. */
  private static Latencies lookups(long rows, Work work) throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(READERS);
    List<Future<Latencies>> readers = new ArrayList<>();
    for (int i = 0; i < READERS; i++) {
      readers.add(pool.submit(() -> {
        Latencies latencies = new Latencies();
        try (Connection connection = TestPostgres.database().connect();
            PreparedStatement lookup = connection.prepareStatement("SELECT probability FROM bench.flight_delay_predictions WHERE flight_id = ?")) {
          while (running.get()) {
            String key = String.format("F%08d", ThreadLocalRandom.current().nextLong(rows));
            long began = System.nanoTime();
            try {
              lookup.setString(1, key);
              try (ResultSet result = lookup.executeQuery()) {
                if (!result.next()) {
                  latencies.errors++;
                }
              }
              latencies.add(System.nanoTime() - began);
            } catch (Exception e) {
              latencies.errors++;
            }
          }
        }
        return latencies;
      }));
    }
    long began = System.nanoTime();
    try {
      work.run();
    } finally {
      running.set(false);
      pool.shutdown();
    }
    Latencies all = new Latencies();
    all.seconds = seconds(began);
    for (Future<Latencies> reader : readers) {
      all.addAll(reader.get());
    }
    return all;
  }

  /** Lookup latencies in nanoseconds; errors count failed lookups and keys not found. */
  private static final class Latencies {
    private long[] nanos = new long[1 << 16];
    private int size;
    long errors;
    double seconds;

    void add(long value) {
      if (size == nanos.length) {
        nanos = Arrays.copyOf(nanos, size * 2);
      }
      nanos[size++] = value;
    }

    void addAll(Latencies other) {
      for (int i = 0; i < other.size; i++) {
        add(other.nanos[i]);
      }
      errors += other.errors;
    }

    double percentileMillis(double p) {
      long[] sorted = Arrays.copyOf(nanos, size);
      Arrays.sort(sorted);
      return size == 0 ? Double.NaN : sorted[(int) Math.min(size - 1, Math.ceil(p * size) - 1)] / 1e6;
    }

    double p99() {
      return percentileMillis(0.99);
    }

    double perSecond() {
      return size / seconds;
    }

    @Override
    public String toString() {
      return String.format("p50 %.3f ms, p99 %.3f ms, max %.1f ms, %,d lookups, %,.0f lookups/s, %d errors",
          percentileMillis(0.5), p99(), percentileMillis(1.0), size, perSecond(), errors);
    }
  }

  /** CSV per PostgreSQL's COPY: every value quoted (so "" is an empty string), null left empty. */
  private static void appendCsv(StringBuilder line, Row row) {
    for (int i = 0; i < row.length(); i++) {
      if (i > 0) {
        line.append(',');
      }
      if (!row.isNullAt(i)) {
        line.append('"').append(row.getString(i).replace("\"", "\"\"")).append('"');
      }
    }
    line.append('\n');
  }

  private static void sleepSeconds(double seconds) {
    try {
      Thread.sleep((long) (seconds * 1000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException(message);
    }
  }

  private static double seconds(long began) {
    return (System.nanoTime() - began) / 1e9;
  }
}
