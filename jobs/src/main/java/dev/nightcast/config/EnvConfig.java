package dev.nightcast.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import java.util.Map;

/**
 * Where a pipeline runs: {@code conf/env/*.yaml}. Paths are absolute or URIs (s3a://) once loaded;
 * credentials are never values here, only the names of environment variables that hold them.
 * {@code pushgateway_url}: the Prometheus Pushgateway each night pushes its run metrics to; unset or
 * empty turns pushing off. {@code landings}: per pipeline, a landing root of its own (teams' feeds
 * land in different places); the pipelines not listed read from {@code landing}. {@code spark} is optional: absent means every Spark default.
 */
public record EnvConfig(
    String warehouse,
    String landing,
    SparkSettings spark,
    PostgresSettings postgres,
    String pushgatewayUrl,
    CatalogSettings catalog,
    @JsonDeserialize(contentUsing = StringDeserializer.class) Map<String, String> landings) {

  public EnvConfig {
    Check.notBlank(warehouse, "warehouse");
    Check.notBlank(landing, "landing");
    spark = spark == null ? new SparkSettings(null, null) : spark;
    Check.present(postgres, "postgres");
    pushgatewayUrl = pushgatewayUrl == null || pushgatewayUrl.isBlank() ? null : pushgatewayUrl.strip();
    Check.that(
        pushgatewayUrl == null || pushgatewayUrl.startsWith("http://") || pushgatewayUrl.startsWith("https://"),
        "'pushgateway_url' must start with http:// or https:// (got '" + pushgatewayUrl + "')");
    catalog = catalog == null ? CatalogSettings.NONE : catalog;
    landings = landings == null ? Map.of() : Map.copyOf(landings);
    landings.forEach((pipeline, root) -> {
      Check.identifier(pipeline, "landings." + pipeline);
      Check.that(root != null && !root.isBlank(), "'landings." + pipeline + "' has no value: give it a path or URI, or remove the key");
    });
  }

  /** A profile whose pipelines all read their drops from {@code landing}. */
  public EnvConfig(String warehouse, String landing, SparkSettings spark, PostgresSettings postgres, String pushgatewayUrl, CatalogSettings catalog) {
    this(warehouse, landing, spark, postgres, pushgatewayUrl, catalog, null);
  }

  /** The root {@code pipeline}'s source paths are relative to: its own in {@code landings}, else {@code landing}. */
  public String landing(String pipeline) {
    return landings.getOrDefault(pipeline, landing);
  }

  /** A profile that pushes no metrics and registers tables in no catalog. */
  public EnvConfig(String warehouse, String landing, SparkSettings spark, PostgresSettings postgres) {
    this(warehouse, landing, spark, postgres, null, null);
  }

  /** A profile that registers tables in no catalog. */
  public EnvConfig(String warehouse, String landing, SparkSettings spark, PostgresSettings postgres, String pushgatewayUrl) {
    this(warehouse, landing, spark, postgres, pushgatewayUrl, null);
  }

  /**
   * The metastore every pipeline's tables are registered in, as {@code <pipeline>.<table>}:
   * {@code derby} (Spark's Hive metastore on an embedded Derby database in {@code derbyDir}; one
   * process at a time, like the embedded Postgres), {@code thrift} (an external Hive metastore at
   * {@code uris}) or {@code none} (tables by path only).
   */
  public record CatalogSettings(String metastore, String derbyDir, String uris) {
    public static final CatalogSettings NONE = new CatalogSettings("none", null, null);

    public CatalogSettings {
      metastore = metastore == null ? "none" : metastore;
      Check.that(
          metastore.equals("none") || metastore.equals("derby") || metastore.equals("thrift"),
          "'metastore' must be derby, thrift or none (got '" + metastore + "')");
      derbyDir = derbyDir == null || derbyDir.isBlank() ? null : derbyDir;
      uris = uris == null || uris.isBlank() ? null : uris.strip();
      if (metastore.equals("derby")) {
        Check.present(derbyDir, "derby_dir");
      }
      if (metastore.equals("thrift")) {
        Check.present(uris, "uris");
        Check.that(uris.startsWith("thrift://"), "'uris' must be thrift://host:port[,thrift://...] (got '" + uris + "')");
      }
    }

    public boolean enabled() {
      return !metastore.equals("none");
    }
  }

  /** @param conf Spark settings applied to the session builder, e.g. shuffle partitions or s3a endpoints */
  private static final java.util.regex.Pattern SPARK_MASTER =
      java.util.regex.Pattern.compile("local(\\[(\\d+|\\*)(,\\d+)?])?|local-cluster\\[.+]|yarn|(spark|k8s|mesos)://.+");
  private static final java.util.regex.Pattern VARIABLE = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  public record SparkSettings(String master, @JsonDeserialize(contentUsing = StringDeserializer.class) Map<String, String> conf) {
    public SparkSettings {
      Check.that(
          master == null || SPARK_MASTER.matcher(master).matches(),
          "'master' must be a Spark master URL: local, local[N], local[*], local[N,F], spark://..., yarn, k8s://... (got '" + master + "')");
      conf = conf == null ? Map.of() : Map.copyOf(conf);
      // Spark ignores, with a warning in a log nobody reads, a setting outside its spark.* namespace
      conf.keySet().forEach(key -> Check.that(key.startsWith("spark."), "'conf." + key + "' is not a Spark setting: Spark's keys start with spark. (spark.hadoop.* for Hadoop's)"));
    }
  }

  /**
   * Either an embedded server (local demo and tests: real PostgreSQL binaries, data kept in
   * {@code dataDir}) or a JDBC URL with credentials from the named environment variables.
   */
  public record PostgresSettings(Embedded embedded, String url, String userEnv, String passwordEnv) {
    public PostgresSettings {
      Check.that(
          (embedded == null) != (url == null), "exactly one of 'embedded' or 'url' must be set");
      if (url != null) {
        // checked first and without echoing the URL: a password in it must not reach an error message
        Check.that(
            !url.toLowerCase(java.util.Locale.ROOT).contains("password"),
            "'url' must not carry a password: name the environment variable that holds it in 'password_env'");
        Check.that(url.startsWith("jdbc:postgresql:"), "'url' must start with jdbc:postgresql: (got '" + url + "')");
        variable(userEnv, "user_env");
        variable(passwordEnv, "password_env");
      }
    }
  }

  private static void variable(String name, String key) {
    Check.present(name, key);
    Check.that(
        VARIABLE.matcher(name).matches(),
        "'" + key + "' must be an environment variable name such as NIGHTCAST_PG_USER, not its value or $NAME (got '" + name + "')");
  }

  /** @param port optional in YAML, 54329 when absent: a fixed port, beside (not on) a system server's 5432 */
  public record Embedded(String dataDir, Integer port) {
    public Embedded {
      Check.notBlank(dataDir, "data_dir");
      port = port == null ? 54329 : port;
      Check.that(port == 0 || (port > 1024 && port < 65536), "'port' must be 0 (any free port) or within 1025..65535 (got " + port + ")");
    }
  }
}
