package dev.nightcast.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.nightcast.testing.TestSpark;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Wasserstein as a night computes it (bins learned on the reference, both sides summarised, the
 * distance of the slot states) against SciPy's {@code wasserstein_distance} of the raw samples. The
 * samples and SciPy's values are the fixture in resources/wasserstein, which
 * airflow-dags/tests/test_wasserstein_fixture.py re-derives with SciPy.
 */
@Tag("spark")
class WassersteinScipyTest {
  private static final int FINE_BINS = 100; // monitoring.fine_bins' default

  @ParameterizedTest
  @CsvSource({
    // a 0/1 and a 24-value column get a slot per value: exact
    "binary, 1e-9",
    "hour, 1e-9",
    // a continuous one is spread within its 100 quantile slots (20 reference values each) by their moments
    "continuous, 0.2"
  })
  void matchesScipyOnTheFixture(String column, double percent) throws Exception {
    Dataset<Row> samples = TestSpark.session().read().option("header", true).option("inferSchema", true).csv(fixture("samples.csv").toString());
    Dataset<Row> sides =
        samples.select(functions.lit("reference").as("side"), functions.col(column + "_reference").as("value"))
            .unionAll(samples.select(functions.lit("current").as("side"), functions.col(column + "_current").as("value")));
    List<Binning.Spec> specs = Binning.learn(sides.where("side = 'reference'"), List.of(new Binning.Column("value", false)), FINE_BINS, 10);
    Map<Binning.Group, Map<String, Binning.ColumnState>> state = Binning.summarise(sides, List.of("side"), specs);

    double nightcast = DriftReport.wasserstein(specs.get(0), side(state, "reference"), side(state, "current"));

    assertThat(nightcast).isCloseTo(expected().get(column), withinPercentage(percent));
  }

  private static Binning.ColumnState side(Map<Binning.Group, Map<String, Binning.ColumnState>> state, String side) {
    return state.entrySet().stream().filter(e -> side.equals(e.getKey().value("side"))).findFirst().orElseThrow().getValue().get("value");
  }

  private static Map<String, Double> expected() throws IOException, URISyntaxException {
    return Files.readAllLines(fixture("expected.csv")).stream()
        .skip(1)
        .map(line -> line.split(","))
        .collect(Collectors.toMap(fields -> fields[0], fields -> Double.parseDouble(fields[1])));
  }

  private static Path fixture(String name) throws URISyntaxException {
    return Path.of(WassersteinScipyTest.class.getResource("/wasserstein/" + name).toURI());
  }
}
