package dev.nightcast.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBase;
import com.fasterxml.jackson.databind.deser.DefaultDeserializationContext;
import dev.nightcast.testing.TestPipelines;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Keeps conf/README.md, the configuration reference, in step with the config records: every YAML
 * key the loader accepts has a row in a key table of the reference, and every row names a key the
 * loader accepts.
 *
 * <p>Keys are derived the way {@link ConfigLoader} binds YAML: each record component is a key named
 * by Jackson's snake_case strategy; a component that is a record is a nested mapping; a list of
 * records adds {@code []} to the path ({@code features[].name}); a map whose values are records
 * adds {@code <name>} ({@code sources.<name>.path}). Lists and maps of plain values are leaves.
 * {@link #theWalkNamesKeysAsTheLoaderDoes} checks that naming against the loader's own list of
 * known keys for each record.
 *
 * <p>In the reference, a key table is a Markdown table whose header's first cell is {@code Key};
 * the first cell of each of its rows is the key's path in backticks. Tables under the heading
 * {@code ## Pipeline file ...} document {@link PipelineConfig}, those under
 * {@code ## Environment profile ...} {@link EnvConfig}.
 */
@Tag("unit")
class ConfigReferenceTest {
  private static final Path REFERENCE = TestPipelines.root().resolve("conf/README.md");
  /** The naming strategy ConfigLoader's mapper uses. */
  private static final PropertyNamingStrategies.NamingBase NAMING =
      (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;
  private static final String MAP_ENTRY = "<name>";
  private static final String LIST_ITEM = "[]";
  /** Level-2 heading of the reference (its start) to the record its key tables document. */
  private static final Map<String, Class<? extends Record>> SECTIONS =
      new LinkedHashMap<>(Map.of("Pipeline file", PipelineConfig.class, "Environment profile", EnvConfig.class));
  private static final Pattern KEY_CELL = Pattern.compile("`([^`]+)`");

  @Test
  void everyConfigKeyIsDocumented() {
    Map<String, List<KeyRow>> documented = documentedBySection();
    List<String> missing = new ArrayList<>();
    SECTIONS.forEach(
        (section, root) -> {
          Set<String> rows = paths(documented.getOrDefault(section, List.of()));
          for (String key : new Walk(root).paths) {
            if (!rows.contains(key)) {
              missing.add("`" + key + "` (" + root.getSimpleName() + ", under '## " + section + "')");
            }
          }
        });
    assertThat(missing)
        .withFailMessage(
            "%d config key(s) are not in the configuration reference; document it in conf/README.md: a row"
                + " | `<path>` | type | default | allowed values | meaning | in a key table of the named section:%n  %s",
            missing.size(), String.join("\n  ", missing))
        .isEmpty();
  }

  @Test
  void everyDocumentedKeyIsAConfigKey() {
    Map<String, List<KeyRow>> documented = documentedBySection();
    List<String> unknown = new ArrayList<>();
    documented.forEach(
        (section, rows) -> {
          Class<? extends Record> root = SECTIONS.get(section);
          Set<String> keys = root == null ? Set.of() : new Walk(root).paths;
          for (KeyRow row : rows) {
            if (row.path() != null && !keys.contains(row.path())) {
              unknown.add(
                  "`" + row.path() + "` (conf/README.md line " + row.line() + ", under '## " + section + "'"
                      + (root == null ? ", a section that documents no config file" : "") + ")");
            }
          }
        });
    assertThat(unknown)
        .withFailMessage(
            "conf/README.md documents %d key(s) the config records do not have; fix the path or remove the row"
                + " from conf/README.md (key tables belong under '## Pipeline file' or '## Environment profile'):%n  %s",
            unknown.size(), String.join("\n  ", unknown))
        .isEmpty();
  }

  @Test
  void eachKeyRowNamesOnePathOnce() {
    List<KeyRow> rows = documentedBySection().values().stream().flatMap(List::stream).toList();
    assertThat(rows).as("key rows in conf/README.md").isNotEmpty();
    assertThat(rows.stream().filter(row -> row.path() == null).map(row -> "line " + row.line() + ": " + row.text()))
        .as("key rows of conf/README.md whose first cell is not one `path` in backticks")
        .isEmpty();
    Map<String, Long> counts =
        rows.stream().filter(row -> row.path() != null).collect(Collectors.groupingBy(row -> row.section() + ": " + row.path(), Collectors.counting()));
    assertThat(counts.entrySet().stream().filter(entry -> entry.getValue() > 1).map(Map.Entry::getKey))
        .as("keys documented more than once in conf/README.md")
        .isEmpty();
  }

  /** The walk's key names are the loader's: those its mapper offers when it meets an unknown key. */
  @Test
  void theWalkNamesKeysAsTheLoaderDoes() {
    for (Class<? extends Record> root : SECTIONS.values()) {
      for (Class<?> type : new Walk(root).records) {
        Set<String> walked = Stream.of(type.getRecordComponents()).map(ConfigReferenceTest::key).collect(Collectors.toCollection(TreeSet::new));
        assertThat(knownToTheLoader(type)).as("keys of %s as ConfigLoader binds them", type.getName()).isEqualTo(walked);
      }
    }
  }

  @Test
  void theWalkReachesNestedRecordsListsAndMaps() {
    assertThat(new Walk(PipelineConfig.class).paths)
        .contains(
            "name",
            "sources",
            "sources.<name>.day_offset",
            "sources.<name>.expectations.max_bad_row_ratio",
            "sources.<name>.expectations.rules[].severity",
            "features[].history.days",
            "candidates[].grid",
            "gate.slices.top_n",
            "monitoring.retrain_rules[].lookback_nights",
            "monitoring.drift.p_value_max_rows",
            "serving.keep_versions")
        .doesNotContain("sources.<name>.schema.<name>", "training.task.primary_metric");
    assertThat(new Walk(EnvConfig.class).paths).contains("spark.conf", "postgres.embedded.port", "pushgateway_url");
  }

  /**
   * Environment variables the shipped profiles refer to ({@code ${VAR}}, {@code *_env: VAR}) and
   * those the code reads ({@code System.getenv("VAR")}) are in a {@code Variable} table.
   */
  @Test
  void everyEnvironmentVariableIsDocumented() throws IOException {
    Path root = TestPipelines.root();
    Set<String> used = new TreeSet<>();
    try (Stream<Path> profiles = Files.list(root.resolve("conf/env"))) {
      for (Path profile : profiles.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        String text = Files.readString(profile);
        collect(Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)"), text, used);
        collect(Pattern.compile("(?m)^\\s*\\w+_env:\\s*([A-Z_][A-Z0-9_]*)\\s*$"), text, used);
      }
    }
    try (Stream<Path> sources = Files.walk(root.resolve("jobs/src/main/java"))) {
      for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
        collect(Pattern.compile("getenv\\(\"([A-Z_][A-Z0-9_]*)\"\\)"), Files.readString(source), used);
      }
    }
    assertThat(used).as("environment variables found in conf/env and the code").isNotEmpty();
    Set<String> documented = new TreeSet<>();
    boolean inTable = false;
    for (String line : Files.readAllLines(REFERENCE)) {
      if (!line.startsWith("|")) {
        inTable = false;
      } else if (firstCell(line).equals("Variable")) {
        inTable = true;
      } else if (inTable) {
        collect(KEY_CELL, firstCell(line), documented);
      }
    }
    Set<String> missing = new TreeSet<>(used);
    missing.removeAll(documented);
    assertThat(missing)
        .withFailMessage(
            "environment variables used by conf/env/*.yaml or the code but not in a Variable table; document it in"
                + " conf/README.md (section '## Environment variables'): %s",
            missing)
        .isEmpty();
  }

  /** The record types and key paths reachable from a root record, as the loader binds YAML to them. */
  static final class Walk {
    final Set<String> paths = new TreeSet<>();
    /** Each path's declared Java type: a list of records is that of the list ({@code List<FeatureConfig>}). */
    final Map<String, Type> types = new TreeMap<>();
    final Set<Class<?>> records = new LinkedHashSet<>();
    private final Deque<Class<?>> open = new ArrayDeque<>();

    Walk(Class<? extends Record> root) {
      record(root, "");
    }

    private void record(Class<?> type, String prefix) {
      assertThat(open).as("a config record that contains itself: %s", open).doesNotContain(type);
      open.push(type);
      records.add(type);
      for (RecordComponent component : type.getRecordComponents()) {
        String path = prefix.isEmpty() ? key(component) : prefix + "." + key(component);
        paths.add(path);
        types.put(path, component.getGenericType());
        value(component.getGenericType(), path);
      }
      open.pop();
    }

    /** Descends into a value that is, or holds, records; plain values end the path. */
    private void value(Type type, String path) {
      if (type instanceof Class<?> plain) {
        if (plain.isRecord()) {
          record(plain, path);
        } else if (plain.isArray()) {
          value(plain.getComponentType(), path + LIST_ITEM);
        }
      } else if (type instanceof ParameterizedType generic && generic.getRawType() instanceof Class<?> raw) {
        Type[] arguments = generic.getActualTypeArguments();
        if (Collection.class.isAssignableFrom(raw)) {
          value(arguments[0], path + LIST_ITEM);
        } else if (Map.class.isAssignableFrom(raw)) {
          value(arguments[1], path + "." + MAP_ENTRY);
        }
      }
    }
  }

  private static String key(RecordComponent component) {
    return NAMING.translate(component.getName());
  }

  /**
   * The keys ConfigLoader's own mapper knows for {@code type}: the list its "unknown key" error
   * offers (the bean deserializer's known property names, after the naming strategy).
   */
  private static Set<String> knownToTheLoader(Class<?> type) {
    ObjectMapper loader = loaderMapper();
    try {
      DeserializationContext context =
          ((DefaultDeserializationContext) loader.getDeserializationContext()).createDummyInstance(loader.getDeserializationConfig());
      JsonDeserializer<Object> deserializer = context.findRootValueDeserializer(loader.constructType(type));
      assertThat(deserializer).as("ConfigLoader's deserializer of %s", type.getName()).isInstanceOf(BeanDeserializerBase.class);
      return ((BeanDeserializerBase) deserializer)
          .getKnownPropertyNames().stream().map(Object::toString).collect(Collectors.toCollection(TreeSet::new));
    } catch (JsonMappingException e) {
      throw new AssertionError("ConfigLoader cannot bind " + type.getName() + " (" + e.getMessage() + ")", e);
    }
  }

  /** ConfigLoader's YAML mapper (its one static ObjectMapper), so the check uses its very settings. */
  private static ObjectMapper loaderMapper() {
    List<Field> mappers =
        Stream.of(ConfigLoader.class.getDeclaredFields())
            .filter(field -> Modifier.isStatic(field.getModifiers()) && ObjectMapper.class.isAssignableFrom(field.getType()))
            .toList();
    assertThat(mappers).as("static ObjectMapper fields of ConfigLoader").hasSize(1);
    try {
      mappers.get(0).setAccessible(true);
      return (ObjectMapper) mappers.get(0).get(null);
    } catch (IllegalAccessException e) {
      throw new AssertionError("Cannot read ConfigLoader's mapper (" + e + ")", e);
    }
  }

  private record KeyRow(String section, String path, int line, String text) {}

  /** Key-table rows of the reference by their level-2 section (the heading up to a " (" or its end). */
  private static Map<String, List<KeyRow>> documentedBySection() {
    List<String> lines;
    try {
      lines = Files.readAllLines(REFERENCE);
    } catch (IOException e) {
      throw new AssertionError("Cannot read the configuration reference " + REFERENCE + " (" + e + ")", e);
    }
    Map<String, List<KeyRow>> rows = new LinkedHashMap<>();
    String section = "";
    boolean inKeyTable = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("## ")) {
        section = sectionOf(line.substring(3).strip());
        inKeyTable = false;
      } else if (!line.startsWith("|")) {
        inKeyTable = false;
      } else if (firstCell(line).equals("Key")) {
        inKeyTable = true;
      } else if (inKeyTable && !firstCell(line).matches(":?-+:?")) {
        Matcher matcher = KEY_CELL.matcher(firstCell(line));
        String path = matcher.matches() ? matcher.group(1) : null;
        rows.computeIfAbsent(section, s -> new ArrayList<>()).add(new KeyRow(section, path, i + 1, line));
      }
    }
    return rows;
  }

  private static String sectionOf(String heading) {
    return SECTIONS.keySet().stream().filter(heading::startsWith).findFirst().orElse(heading);
  }

  private static Set<String> paths(List<KeyRow> rows) {
    return rows.stream().map(KeyRow::path).filter(java.util.Objects::nonNull).collect(Collectors.toSet());
  }

  private static String firstCell(String row) {
    int end = row.indexOf('|', 1);
    return (end < 0 ? row.substring(1) : row.substring(1, end)).strip();
  }

  private static void collect(Pattern pattern, String text, Set<String> into) {
    Matcher matcher = pattern.matcher(text);
    while (matcher.find()) {
      into.add(matcher.group(1));
    }
  }
}
