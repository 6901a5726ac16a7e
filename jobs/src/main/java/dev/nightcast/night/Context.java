package dev.nightcast.night;

import dev.nightcast.NightcastException;
import dev.nightcast.config.ConfigLoader;
import dev.nightcast.config.EnvConfig;
import dev.nightcast.features.Features;
import dev.nightcast.serving.ServingDatabase;
import dev.nightcast.warehouse.FlatLayout;
import dev.nightcast.warehouse.Sessions;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.sql.SparkSession;

/**
 * What one nightcast process works with: the loaded configs, one SparkSession, the warehouse and
 * (opened on first use) the serving database. Config is loaded and validated before Spark starts.
 */
public final class Context implements AutoCloseable {
  private final ConfigLoader.LoadedPipeline pipeline;
  private final EnvConfig env;
  private final Map<String, String> environment;
  private final SparkSession spark;
  private final Warehouse warehouse;
  private final boolean ownsSpark;
  private ServingDatabase database;

  public Context(ConfigLoader.LoadedPipeline pipeline, EnvConfig env, Map<String, String> environment, SparkSession spark, boolean ownsSpark) {
    this.pipeline = pipeline;
    this.env = env;
    this.environment = environment;
    this.spark = spark;
    this.ownsSpark = ownsSpark;
    try {
      Features.checkExpressions(spark, pipeline.config());
    } catch (IllegalArgumentException e) {
      throw NightcastException.badConfig("Cannot load " + pipeline.file() + ": " + e.getMessage(), e);
    }
    String name = pipeline.config().name();
    String namespace = Warehouse.namespace(env.warehouse(), name);
    FlatLayout.moveIntoNamespace(spark, env.warehouse(), namespace, Tables.all(pipeline.config()));
    this.warehouse = new Warehouse(spark, namespace);
  }

  /** Starts a SparkSession for the environment; closing the context stops it. */
  public static Context start(ConfigLoader.LoadedPipeline pipeline, EnvConfig env, Map<String, String> environment) {
    SparkSession spark = Sessions.create(env, Warehouse.namespace(env.warehouse(), pipeline.config().name()), "nightcast-" + pipeline.config().name());
    try {
      return new Context(pipeline, env, environment, spark, true);
    } catch (RuntimeException e) {
      Sessions.stop(spark);
      throw e;
    }
  }

  public ConfigLoader.LoadedPipeline pipeline() {
    return pipeline;
  }

  public EnvConfig env() {
    return env;
  }

  public SparkSession spark() {
    return spark;
  }

  public Warehouse warehouse() {
    return warehouse;
  }

  public synchronized ServingDatabase database() {
    if (database == null) {
      database = ServingDatabase.open(env.postgres(), environment);
      database.migrate(pipeline.config().serving().schema());
    }
    return database;
  }

  /** The code version recorded with every model: the jar's version and git commit. */
  public static String codeVersion() {
    Properties properties = new Properties();
    try (InputStream in = Context.class.getResourceAsStream("/nightcast-version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // an unreadable resource only costs the lineage detail
    }
    return properties.getProperty("version", "unknown") + "+" + properties.getProperty("commit", "unknown");
  }

  @Override
  public void close() {
    if (database != null) {
      database.close();
    }
    if (ownsSpark) {
      Sessions.stop(spark);
    }
  }
}
