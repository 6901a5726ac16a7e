package dev.nightcast;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The shape of the main code, read from its sources: packages without cycles, tables written only
 * by their contract classes, no row read or built by position.
 */
@Tag("unit")
class ArchitectureTest {
  private static final Path MAIN = Path.of("src/main/java/dev/nightcast");
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.nightcast\\.([a-z]\\w*)\\.", Pattern.MULTILINE);
  private static Map<Path, String> sources;

  @BeforeAll
  static void read() throws IOException {
    sources = new TreeMap<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        sources.put(MAIN.relativize(file), Files.readString(file));
      }
    }
    assertThat(sources).hasSizeGreaterThan(50);
  }

  private static String packageOf(Path file) {
    return file.getParent() == null ? "(root)" : file.getParent().toString().replace('/', '.');
  }

  @Test
  void packagesHaveNoCycles() {
    Map<String, Set<String>> imports = new TreeMap<>();
    sources.forEach((file, source) -> {
      Set<String> used = imports.computeIfAbsent(packageOf(file), p -> new TreeSet<>());
      Matcher m = IMPORT.matcher(source);
      while (m.find()) {
        if (!m.group(1).equals(packageOf(file))) {
          used.add(m.group(1));
        }
      }
    });
    List<String> cycles = new ArrayList<>();
    imports.forEach((from, tos) -> tos.forEach(to -> {
      if (reaches(imports, to, from)) {
        cycles.add(from + " -> " + to);
      }
    }));
    assertThat(cycles).as("package imports that close a cycle (move the shared code down a layer)").isEmpty();
    // the orchestrator is the only package that knows every stage
    assertThat(imports.entrySet()).filteredOn(e -> !e.getKey().equals("cli") && e.getValue().contains("night")).isEmpty();
  }

  private static boolean reaches(Map<String, Set<String>> imports, String from, String target) {
    Set<String> seen = new HashSet<>();
    List<String> todo = new ArrayList<>(List.of(from));
    while (!todo.isEmpty()) {
      String next = todo.remove(todo.size() - 1);
      if (next.equals(target)) {
        return true;
      }
      if (seen.add(next)) {
        todo.addAll(imports.getOrDefault(next, Set.of()));
      }
    }
    return false;
  }

  @Test
  void onlyContractClassesWriteTables() {
    Pattern write = Pattern.compile("\\bwarehouse(\\(\\))?\\.(replaceDate|replace|append)\\(");
    Map<Path, Integer> writers = new HashMap<>();
    sources.forEach((file, source) -> {
      Matcher m = write.matcher(source);
      while (m.find()) {
        writers.merge(file, 1, Integer::sum);
      }
    });
    assertThat(writers.keySet())
        .as("files that write Delta tables: only table contract classes (*Table.java) and the Warehouse itself")
        .allMatch(file -> file.getFileName().toString().endsWith("Table.java") || file.getFileName().toString().equals("Warehouse.java"))
        .isNotEmpty();
    // the Warehouse has no write that bypasses a contract
    assertThat(sources.get(Path.of("warehouse/Warehouse.java")))
        .doesNotContain("replaceDate(String", "replace(String", "append(String");
  }

  @Test
  void noRowIsReadOrBuiltByPosition() {
    Pattern positional = Pattern.compile(
        "\\.(getString|getLong|getInt|getDouble|getBoolean|getDate|getTimestamp|getAs|getList|getMap|getJavaMap|getSeq|isNullAt)\\(\\d+\\)"
            + "|\\b(row|r|group|event|result|top|state)\\.get\\(\\d+\\)"
            + "|RowFactory\\.create\\(");
    Map<Path, List<String>> found = new TreeMap<>();
    sources.forEach((file, source) -> {
      String[] lines = source.split("\n");
      for (int i = 0; i < lines.length; i++) {
        if (positional.matcher(lines[i]).find() && !file.getFileName().toString().endsWith("Table.java")) {
          found.computeIfAbsent(file, f -> new ArrayList<>()).add((i + 1) + ": " + lines[i].trim());
        }
      }
    });
    assertThat(found).as("rows read by position, or built outside their table's contract (read by name: row.getAs(\"column\"))").isEmpty();
  }
}
