package dev.nightcast.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.nightcast.testing.TestPipelines;
import dev.nightcast.testing.TestPushgateway;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped alert rules and Grafana dashboard, checked with the real promtool (Debian's
 * prometheus package, unpacked by bin/setup-test-tools): the rules load and pass their unit tests
 * on synthetic series, each alert is tested firing and not firing, the dashboard is one Grafana
 * imports, and every metric the rules and the dashboard query is one nightcast pushes (as scraped
 * from a real Pushgateway after a push).
 */
@Tag("e2e")
class AlertingConfigTest {
  private static final Path ROOT = TestPipelines.root();
  private static final Path RULES = ROOT.resolve("conf/prometheus/nightcast-rules.yml");
  private static final Path RULE_TESTS = ROOT.resolve("conf/prometheus/nightcast-rules.test.yml");
  private static final Path DASHBOARD = ROOT.resolve("conf/grafana/nightcast-dashboard.json");
  private static final Path PROMTOOL = ROOT.resolve(".tools/prometheus/usr/bin/promtool");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void theRulesLoadAndPassTheirUnitTestsInPromtool() throws Exception {
    List<String> alerts = alertNames();
    assertThat(alerts).containsExactlyInAnyOrder("NightcastNightFailed", "NightcastNoSuccessfulNight", "NightcastDatasetDrift",
        "NightcastPerformanceBelowFloor", "NightcastModelStale", "NightcastServedRowsAbnormal", "NightcastStageSlower");
    assertThat(promtool("check", "rules", RULES.toString())).contains("SUCCESS: " + alerts.size() + " rules found");
    assertThat(promtool("test", "rules", RULE_TESTS.toString())).contains("SUCCESS");
  }

  @Test
  void everyAlertIsTestedFiringAndNotFiring() throws Exception {
    Map<String, Set<String>> outcomes = new TreeMap<>();
    for (JsonNode test : YAML.readTree(RULE_TESTS.toFile()).get("tests")) {
      for (JsonNode check : test.path("alert_rule_test")) {
        outcomes.computeIfAbsent(check.get("alertname").asText(), a -> new TreeSet<>())
            .add(check.path("exp_alerts").isEmpty() ? "not firing" : "firing");
      }
    }
    for (String alert : alertNames()) {
      assertThat(outcomes.get(alert)).as(alert).containsExactly("firing", "not firing");
    }
  }

  @Test
  void theDashboardHasWhatGrafanaNeedsAndItsQueriesParse() throws Exception {
    JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
    assertThat(dashboard.path("title").asText()).isNotBlank();
    assertThat(dashboard.path("uid").asText()).isNotBlank();
    assertThat(dashboard.path("schemaVersion").asInt()).isPositive();
    JsonNode datasource = null;
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (variable.path("type").asText().equals("datasource")) {
        datasource = variable;
      }
    }
    assertThat(datasource).as("a datasource variable").isNotNull();
    assertThat(datasource.path("query").asText()).isEqualTo("prometheus");
    String reference = "${" + datasource.path("name").asText() + "}";

    JsonNode panels = dashboard.path("panels");
    assertThat(panels.size()).isGreaterThanOrEqualTo(6);
    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : panels) {
      String title = panel.path("title").asText();
      assertThat(ids.add(panel.path("id").asInt())).as("unique id of panel %s", title).isTrue();
      assertThat(panel.path("type").asText()).as(title).isIn("stat", "timeseries");
      for (String field : List.of("h", "w", "x", "y")) {
        assertThat(panel.path("gridPos").path(field).isInt()).as("%s gridPos.%s", title, field).isTrue();
      }
      assertThat(panel.path("gridPos").path("x").asInt() + panel.path("gridPos").path("w").asInt()).as(title).isLessThanOrEqualTo(24);
      assertThat(panel.path("targets").size()).as("targets of %s", title).isPositive();
      for (JsonNode target : panel.path("targets")) {
        assertThat(target.path("refId").asText()).as(title).isNotBlank();
        assertThat(target.path("expr").asText()).as(title).isNotBlank();
        assertThat(target.path("datasource").path("uid").asText()).as(title).isEqualTo(reference);
      }
    }
    // promtool parses the panels' PromQL as recording rules (with the variable's "all" value)
    ObjectNode rules = JSON.createObjectNode();
    ArrayNode recorded = rules.putArray("groups").addObject().put("name", "dashboard").putArray("rules");
    int n = 0;
    for (String expr : dashboardExpressions()) {
      recorded.addObject().put("record", "dashboard:query_" + ++n).put("expr", expr.replace("$pipeline", ".+"));
    }
    Path file = Files.writeString(dir.resolve("dashboard-queries.yml"), YAML.writeValueAsString(rules));
    assertThat(promtool("check", "rules", file.toString())).contains("SUCCESS: " + n + " rules found");
  }

  @Test
  void everyMetricTheRulesAndTheDashboardQueryIsPushed() throws Exception {
    assertThat(metricNames("abs(a_b{x=\"y z\"} - quantile_over_time(0.5, a_b{x=~\"$p\"}[7d])) > ignoring (u, v) group_left 0.3 * c_d offset 1d"))
        .as("the extraction itself").containsExactly("a_b", "c_d");
    Set<String> pushed = new TreeSet<>();
    try (TestPushgateway gateway = TestPushgateway.start(dir.resolve("pushgateway.log"))) {
      new Pushgateway(gateway.url()).pushNight("flight_delay",
          PushgatewayTest.monitoredNight(LocalDate.parse("2001-01-20"), Instant.parse("2027-01-21T03:00:00Z")));
      gateway.samples().keySet().forEach(series -> pushed.add(series.replaceAll("\\{.*", "")));
    }
    Set<String> used = new TreeSet<>();
    for (JsonNode rule : rules()) {
      used.addAll(metricNames(rule.get("expr").asText()));
    }
    for (String expr : dashboardExpressions()) {
      used.addAll(metricNames(expr));
    }
    for (JsonNode variable : JSON.readTree(DASHBOARD.toFile()).path("templating").path("list")) {
      Matcher labelValues = Pattern.compile("label_values\\((\\w+),").matcher(variable.path("query").path("query").asText());
      if (labelValues.find()) {
        used.add(labelValues.group(1));
      }
    }
    assertThat(used).hasSizeGreaterThan(10).allMatch(name -> name.startsWith("nightcast_"));
    assertThat(pushed).containsAll(used);
  }

  private static List<JsonNode> rules() throws IOException {
    List<JsonNode> rules = new ArrayList<>();
    YAML.readTree(RULES.toFile()).get("groups").forEach(group -> group.get("rules").forEach(rules::add));
    return rules;
  }

  private static List<String> alertNames() throws IOException {
    return rules().stream().filter(rule -> rule.has("alert")).map(rule -> rule.get("alert").asText()).toList();
  }

  private static List<String> dashboardExpressions() throws IOException {
    List<String> exprs = new ArrayList<>();
    JSON.readTree(DASHBOARD.toFile()).path("panels").forEach(panel -> panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
    return exprs;
  }

  /**
   * The metric names a PromQL expression selects: what is left once strings, label matchers,
   * ranges, grouping clauses, variables, numbers, keywords and function names are taken out.
   */
  static Set<String> metricNames(String expr) {
    String rest = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
        .replaceAll("\\{[^}]*}", " ")
        .replaceAll("\\[[^]]*]", " ")
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
        .replaceAll("\\$\\{?\\w+}?", " ");
    Set<String> keywords = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan");
    Set<String> names = new TreeSet<>();
    Matcher identifier = Pattern.compile("(?<![\\w.])([a-zA-Z_:][\\w:]*)(\\s*\\()?").matcher(rest);
    while (identifier.find()) {
      if (identifier.group(2) == null && !keywords.contains(identifier.group(1).toLowerCase())) {
        names.add(identifier.group(1));
      }
    }
    return names;
  }

  private static String promtool(String... args) throws IOException, InterruptedException {
    if (!Files.isExecutable(PROMTOOL)) {
      fail(PROMTOOL + " is not installed: run bin/setup-test-tools (unpacks Debian's prometheus package), then the tests again");
    }
    List<String> command = new ArrayList<>(List.of(PROMTOOL.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("promtool %s:%n%s", String.join(" ", args), output).isZero();
    return output;
  }
}
