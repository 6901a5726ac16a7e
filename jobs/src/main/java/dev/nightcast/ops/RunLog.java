package dev.nightcast.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.AbstractConfiguration;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * The per-run log file, {@code <dir>/<pipeline>/<ds>/<run_id>.log}: from the start of a run (a night,
 * or a stage run on its own) every line the process logs goes to it, Spark's, Delta's and Hadoop's
 * included. Under nightcast's log4j2 configuration (conf/log4j2.properties, where nightcast's own
 * loggers write to the console themselves) those libraries then write to this file only, so the
 * console keeps nightcast's stage lines. The file stays attached until the next run of the process
 * opens its own: lines that arrive after a failed run (its cancelled tasks) still land in its file.
 */
public final class RunLog {
  private static final String APPENDER = "nightcast-run-log-";
  private static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5p [%t] %c: %m%n";
  private static String attached;
  private static Path latest;

  private RunLog() {}

  /**
   * Where run logs go: {@code NIGHTCAST_LOG_DIR}, else {@code logs} next to a local warehouse (the
   * local profile's {@code var/logs}), else {@code nightcast-logs} in the temporary directory (a
   * remote warehouse: log4j writes local files only).
   */
  public static Path directory(String warehouse) {
    String configured = System.getenv("NIGHTCAST_LOG_DIR");
    if (configured != null && !configured.isEmpty()) {
      return Path.of(configured).toAbsolutePath();
    }
    java.net.URI uri = new org.apache.hadoop.fs.Path(warehouse).toUri();
    if (uri.getScheme() == null || uri.getScheme().equals("file")) {
      return Path.of(uri.getPath()).toAbsolutePath().resolveSibling("logs");
    }
    return Path.of(System.getProperty("java.io.tmpdir"), "nightcast-logs");
  }

  /**
   * Sends the process's log lines to the run's file from now on; empty when the file cannot be
   * created (or log4j2 is not the logging backend), and the lines then go where they went before.
   */
  public static synchronized Optional<Path> open(Path dir, String pipeline, LocalDate ds, String runId) {
    Path file = dir.resolve(pipeline).resolve(ds.toString()).resolve(runId + ".log");
    if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
      return Optional.empty();
    }
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      return Optional.empty();
    }
    Configuration config = context.getConfiguration();
    FileAppender appender = FileAppender.newBuilder()
        .setName(APPENDER + runId)
        .withFileName(file.toString())
        .setLayout(PatternLayout.newBuilder().withConfiguration(config).withPattern(PATTERN).build())
        .setConfiguration(config)
        .build();
    if (appender == null) {
      return Optional.empty();
    }
    appender.start();
    config.addAppender(appender);
    LoggerConfig root = config.getRootLogger();
    boolean nightcastWritesItsOwn = !config.getLoggerConfig("dev.nightcast").isAdditive();
    // every logger that does not pass its lines up to the root writes to the file as well
    for (LoggerConfig logger : config.getLoggers().values()) {
      if (logger != root && !logger.isAdditive()) {
        logger.addAppender(appender, null, null);
      }
    }
    root.addAppender(appender, null, null);
    if (nightcastWritesItsOwn) {
      // nightcast's configuration: the libraries' console goes; under another, the file is only added
      for (String name : List.copyOf(root.getAppenders().keySet())) {
        if (!name.startsWith(APPENDER)) {
          root.removeAppender(name);
        }
      }
    }
    if (attached != null && config instanceof AbstractConfiguration removable) {
      removable.removeAppender(attached);
    }
    context.updateLoggers();
    attached = appender.getName();
    latest = file;
    return Optional.of(file);
  }

  /** The run log this process opened last, if any. */
  public static synchronized Optional<Path> latest() {
    return Optional.ofNullable(latest);
  }
}
