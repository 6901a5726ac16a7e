package dev.nightcast.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightcast.NightcastException;
import dev.nightcast.config.SourceConfig;
import dev.nightcast.ingest.Ingest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.Type;

/**
 * Checks one source's drop for a night without Spark: that it has arrived, and that its columns are
 * the declared ones, from what the file itself says (a CSV header, the first JSON record, the
 * Parquet footer, the Delta log's latest schema). Reads a few bytes per drop; only local landing
 * zones (paths, {@code file:} URIs): others need Spark's filesystem settings, so ingest checks them.
 * Column types and rows are ingest's to check.
 */
final class LandingCheck {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LandingCheck() {}

  /**
   * What was found for the drop of {@code sourceName} on night {@code ds}: one line for the
   * output. A missing drop, or columns that differ from the schema, stop with exit code 4.
   */
  static String check(String sourceName, SourceConfig source, String landing, LocalDate ds) {
    String location = Ingest.dropPath(landing, source, ds);
    Optional<Path> local = local(location);
    if (local.isEmpty()) {
      return location + ": not checked (a remote landing zone needs Spark's filesystem settings; `nightcast ingest` checks it)";
    }
    Path drop = local.get();
    if (!Files.exists(drop)) {
      throw NightcastException.badData(
          "Cannot check source '" + sourceName + "' for " + ds + ": the drop is missing (" + drop + ", the drop of "
              + ds.plusDays(source.dayOffset()) + " for day_offset " + source.dayOffset() + "). Check that the upstream export ran,"
              + " or that sources." + sourceName + ".path and the profile's landing point at it; the night would stop at ingest");
    }
    try {
      Optional<List<String>> columns = columns(sourceName, source, drop, ds);
      if (columns.isEmpty()) {
        return drop + ": present (" + source.format() + "; its schema lives in a Delta checkpoint, so ingest checks the columns)";
      }
      Ingest.checkColumns(sourceName, ds, drop.toString(), columns.get(), source.schema().keySet());
      boolean ordered = columns.get().equals(List.copyOf(source.schema().keySet()));
      return drop + ": present, " + source.format() + " columns as declared" + (ordered ? "" : " (in another order: read by name, fine)");
    } catch (IOException e) {
      throw NightcastException.badData(
          "Cannot check source '" + sourceName + "' for " + ds + ": the drop is unreadable (" + e + ", file: " + drop + ")."
              + " Is it truncated or corrupt? Have it delivered again");
    }
  }

  private static Optional<Path> local(String location) {
    if (location.startsWith("file:")) {
      return Optional.of(Path.of(URI.create(location)));
    }
    return location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") ? Optional.empty() : Optional.of(Path.of(location));
  }

  /** The drop's columns as the file declares them; empty when only a Delta checkpoint holds them. */
  private static Optional<List<String>> columns(String sourceName, SourceConfig source, Path drop, LocalDate ds) throws IOException {
    if (source.format().equals("delta")) {
      return deltaColumns(sourceName, drop, ds);
    }
    Path file = Files.isDirectory(drop) ? firstDataFile(sourceName, drop, ds) : drop;
    return Optional.of(
        switch (source.format()) {
          case "csv" -> csvHeader(sourceName, source, file, ds);
          case "json" -> jsonKeys(sourceName, source, file, ds);
          case "parquet" -> parquetColumns(file);
          default -> throw new IllegalStateException("format " + source.format());
        });
  }

  /** A drop written by Spark or Hive is a folder of part files; their schema is the first one's. */
  private static Path firstDataFile(String sourceName, Path folder, LocalDate ds) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files
          .filter(f -> Files.isRegularFile(f) && !f.getFileName().toString().startsWith("_") && !f.getFileName().toString().startsWith("."))
          .min(Comparator.naturalOrder())
          .orElseThrow(() -> empty(sourceName, folder, ds, "a folder without data files"));
    }
  }

  private static List<String> csvHeader(String sourceName, SourceConfig source, Path file, LocalDate ds) throws IOException {
    try (BufferedReader reader = text(file)) {
      String header = reader.readLine();
      if (header == null || header.isBlank()) {
        throw empty(sourceName, file, ds, "the drop is empty, without even a header line");
      }
      String separator = source.options().getOrDefault("sep", source.options().getOrDefault("delimiter", ","));
      return splitHeader(header.replace("\uFEFF", ""), separator);
    }
  }

  /** A CSV header's names: split on the separator outside double quotes, quotes removed. */
  static List<String> splitHeader(String header, String separator) {
    List<String> names = new ArrayList<>();
    StringBuilder name = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && header.startsWith(separator, i)) {
        names.add(name.toString().strip());
        name.setLength(0);
        i += separator.length() - 1;
      } else {
        name.append(c);
      }
    }
    names.add(name.toString().strip());
    return names;
  }

  private static List<String> jsonKeys(String sourceName, SourceConfig source, Path file, LocalDate ds) throws IOException {
    JsonNode first;
    try (BufferedReader reader = text(file)) {
      if (Boolean.parseBoolean(source.options().getOrDefault("multiLine", "false"))) {
        JsonNode whole = JSON.readTree(reader);
        first = whole != null && whole.isArray() ? whole.get(0) : whole;
      } else {
        String line = reader.readLine();
        while (line != null && line.isBlank()) {
          line = reader.readLine();
        }
        first = line == null ? null : JSON.readTree(line);
      }
    }
    if (first == null || !first.isObject()) {
      throw empty(sourceName, file, ds, "the drop holds no JSON record (one object per line, or multiLine: \"true\" for an array)");
    }
    List<String> keys = new ArrayList<>();
    first.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  private static List<String> parquetColumns(Path file) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      return reader.getFooter().getFileMetaData().getSchema().getFields().stream().map(Type::getName).toList();
    }
  }

  /** The columns of the newest commit that changed the table's metadata, read from the log's JSON commits. */
  private static Optional<List<String>> deltaColumns(String sourceName, Path table, LocalDate ds) throws IOException {
    Path log = table.resolve("_delta_log");
    if (!Files.isDirectory(log)) {
      throw empty(sourceName, table, ds, "not a Delta table (no _delta_log folder)");
    }
    List<Path> commits;
    try (Stream<Path> files = Files.list(log)) {
      commits = files.filter(f -> f.getFileName().toString().matches("\\d{20}\\.json")).sorted(Comparator.reverseOrder()).toList();
    }
    for (Path commit : commits) {
      for (String line : Files.readAllLines(commit, StandardCharsets.UTF_8)) {
        JsonNode metaData = JSON.readTree(line).get("metaData");
        if (metaData != null) {
          List<String> names = new ArrayList<>();
          JSON.readTree(metaData.get("schemaString").asText()).get("fields").forEach(field -> names.add(field.get("name").asText()));
          return Optional.of(names);
        }
      }
    }
    return Optional.empty();
  }

  private static BufferedReader text(Path file) throws IOException {
    InputStream in = Files.newInputStream(file);
    return new BufferedReader(
        new InputStreamReader(file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in) : in, StandardCharsets.UTF_8));
  }

  private static NightcastException empty(String sourceName, Path file, LocalDate ds, String why) {
    return NightcastException.badData(
        "Cannot check source '" + sourceName + "' for " + ds + ": " + why + " (file: " + file + "). Check the upstream export"
            + " and check this date again once a complete drop has arrived");
  }
}
