package dev.nightcast.cli;

import dev.nightcast.NightcastException;
import dev.nightcast.config.EnvConfig;
import dev.nightcast.serving.ServingDatabase;
import java.io.IOException;
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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The serving database as applications see it (for the local profile: the embedded server). */
@Command(
    name = "db",
    mixinStandardHelpOptions = true,
    description = "Reach the serving database: print how to connect, run a query, open psql, or keep the embedded server up.",
    subcommands = {DbCommand.Url.class, DbCommand.Query.class, DbCommand.Shell.class, DbCommand.Start.class})
final class DbCommand {

  static ServingDatabase open(PipelineOptions options) {
    // the database is the profile's, but a --pipeline given with a bad value is still a mistake to report
    options.loadPipeline();
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
    @Spec CommandSpec spec;

    @Mixin PipelineOptions options;

    @Parameters(paramLabel = "SQL", description = "e.g. \"select * from serving.flight_delay_predictions limit 5\"")
    String sql;

    @Option(names = "--no-header", description = "Leave out the header line.")
    boolean noHeader;

    @Override
    public Integer call() throws Exception {
      OptionChecks.notBlank(spec, "positional parameter SQL", sql);
      try (ServingDatabase database = open(options);
          Connection connection = database.connect();
          Statement statement = connection.createStatement()) {
        boolean hasRows;
        try {
          hasRows = statement.execute(sql);
        } catch (SQLException e) {
          throw refused(e);
        }
        if (!hasRows) {
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

  /**
   * A statement the server refuses for what it says (syntax, unknown names, rights, data: any
   * SQLSTATE but the classes of a lost connection or a server in trouble) is the user's mistake:
   * the server's message, first line only (without its "Position:" detail).
   */
  static Exception refused(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.length() < 2 || List.of("08", "53", "57", "58", "XX").contains(state.substring(0, 2))) {
      return e;
    }
    return NightcastException.usage(
        "Cannot run the statement: " + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + " (SQLSTATE " + state + "). Fix it and run it again");
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
        Process psql;
        try {
          psql = builder.start();
        } catch (IOException e) {
          throw NightcastException.usage(
              "Cannot open psql: it is not installed or not on PATH (" + e.getMessage() + "). Install the PostgreSQL client,"
                  + " or use `nightcast db query \"<SQL>\"`, or connect any client with `nightcast db url`");
        }
        return psql.waitFor();
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
