package dev.nightcast.cli;

import dev.nightcast.config.EnvConfig;
import dev.nightcast.serving.ServingDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The serving database as applications see it (for the local profile: the embedded server). */
@Command(
    name = "db",
    mixinStandardHelpOptions = true,
    description = "Reach the serving database: print how to connect, run a query, open psql, or keep the embedded server up.",
    subcommands = {DbCommand.Url.class, DbCommand.Query.class, DbCommand.Shell.class, DbCommand.Start.class})
final class DbCommand {

  static ServingDatabase open(PipelineOptions options) {
    EnvConfig env = options.loadEnv();
    return ServingDatabase.open(env.postgres(), Map.copyOf(System.getenv()));
  }

  static String psqlLine(ServingDatabase.Credentials credentials) {
    String hostPortDb = credentials.url().substring("jdbc:postgresql://".length());
    String host = hostPortDb.substring(0, hostPortDb.indexOf(':'));
    String port = hostPortDb.substring(hostPortDb.indexOf(':') + 1, hostPortDb.indexOf('/'));
    String database = hostPortDb.substring(hostPortDb.indexOf('/') + 1).replaceAll("\\?.*", "");
    return "psql -h " + host + " -p " + port + " -U " + credentials.user() + " " + database;
  }

  @Command(name = "url", mixinStandardHelpOptions = true, description = "Print the JDBC URL and a psql command line.")
  static final class Url implements Callable<Integer> {
    @Mixin PipelineOptions options;

    @Override
    public Integer call() {
      try (ServingDatabase database = open(options)) {
        System.out.println(database.credentials().url());
        System.out.println(psqlLine(database.credentials()));
        return 0;
      }
    }
  }

  @Command(name = "query", mixinStandardHelpOptions = true, description = "Run one SQL statement and print the rows tab-separated.")
  static final class Query implements Callable<Integer> {
    @Mixin PipelineOptions options;

    @Parameters(paramLabel = "SQL", description = "e.g. \"select * from serving.flight_delay_predictions limit 5\"")
    String sql;

    @Option(names = "--no-header", description = "Leave out the header line.")
    boolean noHeader;

    @Override
    public Integer call() throws SQLException {
      try (ServingDatabase database = open(options);
          Connection connection = database.connect();
          Statement statement = connection.createStatement()) {
        if (!statement.execute(sql)) {
          System.out.println(statement.getUpdateCount() + " rows affected");
          return 0;
        }
        try (ResultSet rows = statement.getResultSet()) {
          ResultSetMetaData meta = rows.getMetaData();
          if (!noHeader) {
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
              names.add(meta.getColumnLabel(i));
            }
            System.out.println(String.join("\t", names));
          }
          while (rows.next()) {
            List<String> values = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
              String value = rows.getString(i);
              values.add(value == null ? "" : value);
            }
            System.out.println(String.join("\t", values));
          }
        }
        return 0;
      }
    }
  }

  @Command(name = "shell", mixinStandardHelpOptions = true, description = "Open psql on the serving database (psql must be installed).")
  static final class Shell implements Callable<Integer> {
    @Mixin PipelineOptions options;

    @Override
    public Integer call() throws Exception {
      try (ServingDatabase database = open(options)) {
        List<String> command = new ArrayList<>(List.of(psqlLine(database.credentials()).split(" ")));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        if (database.credentials().password() != null) {
          builder.environment().put("PGPASSWORD", database.credentials().password());
        }
        return builder.start().waitFor();
      }
    }
  }

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description = "Keep the embedded server running in the foreground (Ctrl-C stops it), so applications can connect.")
  static final class Start implements Callable<Integer> {
    @Mixin PipelineOptions options;

    @Override
    public Integer call() throws InterruptedException {
      ServingDatabase database = open(options);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        database.close();
        stopped.countDown();
      }));
      System.out.println("serving database up: " + database.credentials().url());
      System.out.println(psqlLine(database.credentials()));
      stopped.await();
      return 0;
    }
  }
}
