package dev.nightcast;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightcast.config.ConfigLoader;
import dev.nightcast.config.EnvConfig;
import dev.nightcast.night.Context;
import dev.nightcast.night.NightlyRun;
import dev.nightcast.night.StageName;
import dev.nightcast.serving.Publisher;
import dev.nightcast.testing.Cli;
import dev.nightcast.testing.Fingerprints;
import dev.nightcast.testing.TestPipelines;
import dev.nightcast.testing.TestPostgres;
import dev.nightcast.testing.TestSpark;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Re-runs, a second run at the same time, late and missing drops, and credentials, on real
 * components: nights 2001-01-01..04 of the sample (the first model is trained and published on the
 * 4th, the first night whose window has complete history; the logistic baseline alone, to keep it
 * cheap), a local Delta warehouse, the embedded PostgreSQL with a serving schema of this class's own. The tests run in any order: each compares
 * what it checks with what it found, and leaves NIGHT served (the late-data test, which serves later
 * nights, publishes NIGHT again at its end; the rows of later nights it adds change nothing the
 * others compare).
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NightReliabilityTest {
  private static final LocalDate NIGHT = LocalDate.parse("2001-01-04");
  private static final LocalDate LATE = LocalDate.parse("2001-01-05");
  private static final LocalDate NEXT = LocalDate.parse("2001-01-06");
  private static final String SCHEMA = "reliability";
  private static final String VIEW = SCHEMA + ".flight_delay_predictions";
  /** The actuals drop of {@link #LATE} arrives only during the late-data test. */
  private static final String LATE_LABELS = "actuals/" + LATE + ".parquet";

  @TempDir static Path dir;
  private Path landing;
  private ConfigLoader.LoadedPipeline pipeline;
  private EnvConfig env;
  private Context context;
  private Warehouse warehouse;

  @BeforeAll
  void history() throws IOException {
    landing = dir.resolve("landing");
    TestPipelines.copySampleDrops(landing, LocalDate.parse("2001-01-08"));
    Files.move(landing.resolve(LATE_LABELS), dir.resolve("late-labels.parquet"));
    Map<String, Object> overrides = new LinkedHashMap<>();
    overrides.put(
        "candidates",
        List.of(Map.of("name", "logistic_baseline", "algorithm", "logistic_regression", "baseline", true, "params", Map.of("maxIter", 20, "regParam", 0.01))));
    overrides.put("serving.schema", SCHEMA);
    pipeline = TestPipelines.small(dir, overrides);
    env = new EnvConfig(dir.resolve("warehouse").toString(), landing.toString(), new EnvConfig.SparkSettings(null, Map.of()), TestPostgres.settings());
    context = new Context(pipeline, env, Map.of(), TestSpark.session(), false);
    warehouse = context.warehouse();
    NightlyRun run = new NightlyRun(context);
    for (LocalDate ds = NIGHT.minusDays(3); !ds.isAfter(NIGHT); ds = ds.plusDays(1)) {
      run.run(ds);
    }
    assertThat(servedDate()).contains(NIGHT);
  }

  @Test
  void eachStageRunTwiceAndThriceLeavesEveryOutputAsTheFirstRunLeftIt() throws Exception {
    Map<String, String> once = fingerprints();
    NightlyRun run = new NightlyRun(context);
    for (StageName stage : StageName.values()) {
      for (int times = 2; times <= 3; times++) {
        long attempts = succeeded(stage);
        run.runStage(stage, NIGHT);
        assertThat(succeeded(stage)).as("%s really ran again", stage).isEqualTo(attempts + 1);
        assertThat(fingerprints()).as("every output after %s ran %d times", stage.label(), times).isEqualTo(once);
      }
    }
  }

  @Test
  void aSecondRunOfTheSameNightStopsAsBusyWritesNothingAndTheFirstCompletes() throws Exception {
    Map<String, String> before = fingerprints();
    Set<String> runIdsBefore = runIds();
    ExecutorService background = Executors.newSingleThreadExecutor();
    // holding publish_log stops the first run right before its publish, deterministically, with its run lock held
    try (Connection blocker = TestPostgres.database().connect()) {
      blocker.setAutoCommit(false);
      try (Statement statement = blocker.createStatement()) {
        statement.execute("LOCK TABLE " + SCHEMA + ".publish_log IN ACCESS EXCLUSIVE MODE");
      }
      Future<NightlyRun.Night> first = background.submit(() -> new NightlyRun(context).run(NIGHT));
      awaitBlockedOnPublishLog(blocker, first);

      assertThatThrownBy(() -> new NightlyRun(context).run(NIGHT))
          .isInstanceOfSatisfying(NightcastException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.BUSY))
          .hasMessageContaining("Cannot run the night of " + NIGHT + ": another nightcast run of pipeline 'flight_delay'")
          .hasMessageContaining("Nothing was written");
      // the command line, as Airflow runs it: a process of its own, exit code 6 and the same message
      Cli.Result second = cli(password("busy"), "run", "--pipeline", pipeline.file().toString(), "--env", productionProfile().toString(), "--date", NIGHT.toString());
      assertThat(second.code()).as(second.output()).isEqualTo(ExitCode.BUSY.code);
      assertThat(second.output()).contains("nightcast: Cannot run the night of " + NIGHT + ": another nightcast run of pipeline 'flight_delay'");

      blocker.rollback();
      assertThat(first.get(300, TimeUnit.SECONDS).publish()).isPresent();
    } finally {
      background.shutdownNow();
    }
    assertThat(fingerprints()).isEqualTo(before);
    // the refused runs wrote not even a stage row: one new attempt in the runs table, the first run's
    Set<String> added = runIds();
    added.removeAll(runIdsBefore);
    assertThat(added).hasSize(1);
  }

  @Test
  void theDatabasePasswordFromTheEnvironmentNeverReachesLogsOrErrors() throws Exception {
    String secret = password("right");
    String wrong = password("wrong");
    try (Connection admin = TestPostgres.database().connect();
        Statement statement = admin.createStatement()) {
      statement.execute("CREATE ROLE reliability_login LOGIN SUPERUSER PASSWORD '" + secret + "'");
    }
    requirePasswordFor("reliability_login");
    String profile = productionProfile().toString();
    String pipelineFile = pipeline.file().toString();

    // a real publish: Spark ships the credentials to its COPY tasks; --verbose logs nightcast at DEBUG
    Cli.Result publish = cli(Map.of("NIGHTCAST_PG_USER", "reliability_login", "NIGHTCAST_PG_PASSWORD", secret),
        "publish", "--verbose", "--pipeline", pipelineFile, "--env", profile, "--date", NIGHT.toString());
    assertThat(publish.code()).as(publish.output()).isZero();
    assertThat(publish.output()).contains("publish: ").doesNotContain(secret);

    // what the environment resolves to, as printed for people
    Cli.Result url = cli(Map.of("NIGHTCAST_PG_USER", "reliability_login", "NIGHTCAST_PG_PASSWORD", secret), "db", "url", "--env", profile);
    assertThat(url.code()).as(url.output()).isZero();
    assertThat(url.output()).contains("jdbc:postgresql://").doesNotContain(secret);

    // a failed connection: the server's refusal and the stack trace, but neither password
    Cli.Result refused = cli(Map.of("NIGHTCAST_PG_USER", "reliability_login", "NIGHTCAST_PG_PASSWORD", wrong),
        "publish", "rollback", "--verbose", "--pipeline", pipelineFile, "--env", profile);
    assertThat(refused.code()).as(refused.output()).isEqualTo(ExitCode.INTERNAL.code);
    assertThat(refused.output()).contains("password authentication failed for user \"reliability_login\"").doesNotContain(wrong).doesNotContain(secret);

    // a password written into the profile's URL is refused without echoing it
    Path leaky = dir.resolve("leaky.yaml");
    Files.writeString(leaky, Files.readString(productionProfile()).replace("/postgres\"", "/postgres?password=" + secret + "\""));
    assertThatThrownBy(() -> ConfigLoader.loadEnv(leaky.toString(), dir, Map.of()))
        .isInstanceOfSatisfying(NightcastException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.BAD_CONFIG))
        .hasMessageContaining("'postgres.url' must not carry a password")
        .hasMessageNotContaining(secret);
  }

  @Test
  void aMissingDropStopsTheNightUntouchedAndLateLabelsAreTakenInByARerunThatKeepsTheNewerServingVersion() throws Exception {
    NightlyRun run = new NightlyRun(context);
    Map<String, String> before = fingerprints();
    assertThatThrownBy(() -> run.run(LATE))
        .isInstanceOfSatisfying(NightcastException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.BAD_DATA))
        .hasMessageContaining("Cannot ingest source 'actuals' for " + LATE + ": the drop is missing")
        .hasMessageContaining(LATE_LABELS)
        .hasMessageContaining("re-run this date once the drop has arrived");
    assertThat(fingerprints()).as("every output after the failed night").isEqualTo(before);
    assertThat(servedDate()).contains(NIGHT);

    // the next night runs without them and serves tomorrow's flights
    NightlyRun.Night next = run.run(NEXT);
    assertThat(next.publish()).isPresent();
    assertThat(servedDate()).contains(NEXT);
    String served = servingDigest();

    // the labels arrive days late: the re-run takes them in, measures the night, and leaves serving alone
    Files.move(dir.resolve("late-labels.parquet"), landing.resolve(LATE_LABELS));
    NightlyRun.Night late = run.run(LATE);
    assertThat(late.publish()).isEmpty();
    assertThat(servedDate()).contains(NEXT);
    assertThat(servingDigest()).isEqualTo(served);
    long labels = TestSpark.session().read().parquet(landing.resolve(LATE_LABELS).toString()).count();
    assertThat(warehouse.readDate(Tables.raw("actuals"), LATE).count()).isEqualTo(labels);
    Dataset<Row> realised = warehouse.readDate(Tables.PERFORMANCE_DAILY, LATE).where(col("kind").equalTo("realised").and(col("slice_key").isNull()));
    assertThat(realised.count()).isOne();
    assertThat(realised.head().<Long>getAs("rows")).isEqualTo(labels);
    assertThat(warehouse.readDate(Tables.PREDICTIONS, LATE).count()).isPositive();
    // an operator can still publish the older night on purpose
    assertThat(new NightlyRun(context).runStage(StageName.PUBLISH, LATE).value()).isInstanceOf(Publisher.Result.class);
    assertThat(servedDate()).contains(LATE);

    // and back: NIGHT serves again, as the fixture left it for the other tests (which run in any order)
    new NightlyRun(context).runStage(StageName.PUBLISH, NIGHT);
    assertThat(servedDate()).contains(NIGHT);
  }

  /** Every Delta table but runs (one row per attempt), without attempt columns, and the serving view. */
  private Map<String, String> fingerprints() throws SQLException {
    Map<String, String> fingerprints =
        new LinkedHashMap<>(Fingerprints.of(warehouse, Tables.all(pipeline.config()).stream().filter(table -> !table.equals(Tables.RUNS)).toList()));
    fingerprints.put(VIEW, servingDigest());
    return fingerprints;
  }

  private long succeeded(StageName stage) {
    return warehouse.read(Tables.RUNS).where(col("stage").equalTo(stage.label()).and(col("status").equalTo("succeeded"))).count();
  }

  private Set<String> runIds() {
    Set<String> ids = new HashSet<>();
    warehouse.read(Tables.RUNS).select("run_id").distinct().collectAsList().forEach(row -> ids.add(row.getString(0)));
    return ids;
  }

  private String servingDigest() throws SQLException {
    return query("SELECT count(*) || ':' || md5(string_agg(t::text, ',' ORDER BY flight_id)) FROM " + VIEW + " t");
  }

  private java.util.Optional<LocalDate> servedDate() {
    return new Publisher(context.database(), pipeline.config().serving(), pipeline.config().entityKey()).servedDate();
  }

  private static String query(String sql) throws SQLException {
    try (Connection connection = TestPostgres.database().connect();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getString(1);
    }
  }

  /** Waits (without a time limit of its own: the first run's end also ends the wait) until it queues behind the lock. */
  private static void awaitBlockedOnPublishLog(Connection blocker, Future<?> first) throws Exception {
    while (!"t".equals(query("SELECT count(*) > 0 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%publish_log%'"))) {
      assertThat(first.isDone()).as("the first run ended before it reached its publish").isFalse();
      Thread.sleep(50);
    }
  }

  private static String password(String which) {
    return "pw-" + which + "-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
  }

  /** Makes the shared test server check this role's password (the embedded server trusts everyone else). */
  private static void requirePasswordFor(String role) throws Exception {
    Path hba = Path.of(TestPostgres.settings().embedded().dataDir()).resolve("pg_hba.conf");
    String rules = "host all " + role + " 127.0.0.1/32 scram-sha-256\nhost all " + role + " ::1/128 scram-sha-256\n";
    Files.writeString(hba, rules + Files.readString(hba));
    query("SELECT pg_reload_conf()::text");
  }

  /** A production-shaped profile: this warehouse and landing, the test server by URL, credentials by variable name. */
  private Path productionProfile() throws IOException {
    return Cli.productionProfile(dir, env);
  }

  private Cli.Result cli(String password, String... args) throws Exception {
    return cli(Map.of("NIGHTCAST_PG_USER", "postgres", "NIGHTCAST_PG_PASSWORD", password), args);
  }

  private static Cli.Result cli(Map<String, String> environment, String... args) throws Exception {
    return Cli.run(dir, environment, args);
  }
}
