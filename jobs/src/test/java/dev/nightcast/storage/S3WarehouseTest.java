package dev.nightcast.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.config.ConfigLoader;
import dev.nightcast.config.EnvConfig;
import dev.nightcast.night.Context;
import dev.nightcast.night.NightlyRun;
import dev.nightcast.testing.Cli;
import dev.nightcast.testing.TestPipelines;
import dev.nightcast.testing.TestPostgres;
import dev.nightcast.testing.TestSpark;
import dev.nightcast.warehouse.Tables;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A nightly run whose landing zone and Delta warehouse live in object storage: s3a:// against a
 * real S3 API (S3Proxy with a filesystem blob store) on loopback.
 */
@Tag("e2e")
class S3WarehouseTest {
  private static final String BUCKET = "nightcast";
  @TempDir static Path dir;
  private static S3Proxy proxy;
  private static BlobStoreContext blobs;
  private static final LocalDate FIRST = LocalDate.parse("2001-01-01");
  private static final LocalDate LAST = LocalDate.parse("2001-01-03");
  private static ConfigLoader.LoadedPipeline pipeline;
  private static Context context;
  private static NightlyRun.Night night;

  @BeforeAll
  static void startS3() throws Exception {
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", dir.resolve("blobs").toString());
    blobs = ContextBuilder.newBuilder("filesystem").credentials("identity", "credential").overrides(properties).build(BlobStoreContext.class);
    blobs.getBlobStore().createContainerInLocation(null, BUCKET);
    proxy = S3Proxy.builder()
        .blobStore(blobs.getBlobStore())
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "test-access", "test-secret")
        .build();
    proxy.start();
    while (!proxy.getState().equals("STARTED")) {
      Thread.sleep(10);
    }
    Configuration hadoop = TestSpark.session().sparkContext().hadoopConfiguration();
    hadoop.set("fs.s3a.endpoint", "http://127.0.0.1:" + proxy.getPort());
    hadoop.set("fs.s3a.endpoint.region", "us-east-1");
    hadoop.set("fs.s3a.path.style.access", "true");
    hadoop.set("fs.s3a.connection.ssl.enabled", "false");
    hadoop.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    hadoop.set("fs.s3a.access.key", "test-access");
    hadoop.set("fs.s3a.secret.key", "test-secret");
    threeNightsInTheBucket();
  }

  @AfterAll
  static void stopS3() throws Exception {
    FileSystem.closeAll();
    proxy.stop();
    blobs.close();
  }

  /**
   * Three nights through s3a:// (the third, the second with complete 1-day history, trains, scores
   * and publishes), run once for the tests that read them.
   */
  private static void threeNightsInTheBucket() {
    SparkSession spark = TestSpark.session();
    for (LocalDate day = FIRST; !day.isAfter(LAST.plusDays(1)); day = day.plusDays(1)) {
      upload("schedule/" + day + ".csv.gz");
      upload("actuals/" + day + ".parquet");
    }
    pipeline =
        TestPipelines.small(dir, Map.of(
            "training.window_days", 2,
            "training.validation_days", 0.2,
            "training.test_days", 0.2,
            // one candidate: every MLlib artifact write is a committed rename, slow on object stores
            "candidates", java.util.List.of(Map.of(
                "name", "logistic_baseline", "algorithm", "logistic_regression", "baseline", true,
                "params", Map.of("maxIter", 20))),
            "serving.table", "flight_delay_s3"));
    EnvConfig env = new EnvConfig(
        "s3a://" + BUCKET + "/warehouse", "s3a://" + BUCKET + "/landing",
        new EnvConfig.SparkSettings(null, Map.of()), TestPostgres.settings());
    context = new Context(pipeline, env, Map.of(), spark, false);
    NightlyRun run = new NightlyRun(context);
    run.run(FIRST);
    run.run(FIRST.plusDays(1));
    night = run.run(LAST);
  }

  @Test
  void aNightReadsDropsFromAndWritesEveryTableToS3() throws Exception {
    SparkSession spark = TestSpark.session();
    FileSystem s3 = FileSystem.get(URI.create("s3a://" + BUCKET + "/"), spark.sparkContext().hadoopConfiguration());
    assertThat(night.servingModel()).isPresent();
    long scheduled = spark.read().option("header", "true")
        .csv(TestPipelines.sampleLanding().resolve("schedule/" + LAST.plusDays(1) + ".csv.gz").toString()).count();
    assertThat(context.warehouse().readDate(Tables.PREDICTIONS, LAST).count()).isEqualTo(scheduled);
    for (String table : Tables.all(pipeline.config())) {
      assertThat(s3.exists(new org.apache.hadoop.fs.Path("s3a://" + BUCKET + "/warehouse/flight_delay/" + table + "/_delta_log/00000000000000000000.json")))
          .as("Delta log of %s in the pipeline's namespace in the bucket", table).isTrue();
    }
    // the objects really are in the blob store behind the S3 API
    try (Stream<Path> files = Files.walk(dir.resolve("blobs").resolve(BUCKET).resolve("warehouse/flight_delay/predictions"))) {
      assertThat(files.filter(p -> p.toString().endsWith(".parquet")).count()).isPositive();
    }
    try (Connection connection = context.database().connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM serving.flight_delay_s3")) {
      rows.next();
      assertThat(rows.getLong(1)).isEqualTo(scheduled);
    }
  }

  /**
   * The shipped production profile (plus what spark-submit and the region give in production):
   * the S3 credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY alone, and neither a
   * verbose run nor a refused one prints the secret.
   */
  @Test
  void s3CredentialsComeFromTheEnvironmentAndNeverReachTheLogs() throws Exception {
    Path profile = dir.resolve("production-s3.yaml");
    Files.writeString(profile, Files.readString(TestPipelines.root().resolve("conf/env/production.yaml"))
        .replace("  conf:\n", "  conf:\n    spark.hadoop.fs.s3a.endpoint.region: us-east-1\n    spark.hadoop.fs.s3a.connection.ssl.enabled: \"false\"\n"));
    Map<String, String> environment = new java.util.HashMap<>(Map.of(
        "NIGHTCAST_WAREHOUSE", "s3a://" + BUCKET + "/warehouse", "NIGHTCAST_LANDING", "s3a://" + BUCKET + "/landing",
        "NIGHTCAST_S3_ENDPOINT", "http://127.0.0.1:" + proxy.getPort(), "NIGHTCAST_S3_PATH_STYLE", "true",
        "NIGHTCAST_PG_URL", TestPostgres.database().credentials().url(), "NIGHTCAST_PG_USER", "postgres", "NIGHTCAST_PG_PASSWORD", "unused",
        "AWS_ACCESS_KEY_ID", "test-access", "AWS_SECRET_ACCESS_KEY", "test-secret"));
    List<String> jvm = List.of("-Dspark.master=local[1]");
    String[] query = {"sql", "--verbose", "--tsv", "--env", profile.toString(), "select count(*) as n from raw_schedule"};

    Cli.Result read = Cli.run(dir, environment, jvm, query);
    assertThat(read.code()).as(read.output()).isZero();
    long rows = TestSpark.session().read().format("delta").load("s3a://" + BUCKET + "/warehouse/flight_delay/raw_schedule").count();
    assertThat(read.output()).contains("n\n" + rows + "\n").doesNotContain("test-secret");

    environment.put("AWS_SECRET_ACCESS_KEY", "wrong-secret-4f7a");
    Cli.Result refused = Cli.run(dir, environment, jvm, query);
    assertThat(refused.code()).as(refused.output()).isNotZero();
    assertThat(refused.output()).containsIgnoringCase("403").doesNotContain("wrong-secret-4f7a").doesNotContain("test-secret");
  }

  /** The upstream feed puts its drops into the bucket (through the blob store behind the S3 API). */
  private static void upload(String relative) {
    var store = blobs.getBlobStore();
    store.putBlob(BUCKET, store.blobBuilder("landing/" + relative).payload(TestPipelines.sampleLanding().resolve(relative).toFile()).build());
  }
}
