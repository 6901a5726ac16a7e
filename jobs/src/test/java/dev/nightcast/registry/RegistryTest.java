package dev.nightcast.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightcast.config.ConfigLoader;
import dev.nightcast.config.EnvConfig;
import dev.nightcast.night.Context;
import dev.nightcast.testing.TestPipelines;
import dev.nightcast.testing.TestPostgres;
import dev.nightcast.testing.TestSpark;
import dev.nightcast.warehouse.FlatLayout;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Version numbers and artifacts over re-runs, out-of-order trainings, a copied warehouse and a flat one
 * moved into its namespace (real Delta tables and MLlib artifacts).
 */
@Tag("spark")
class RegistryTest {
  private static final LocalDate JAN16 = LocalDate.of(2001, 1, 16);
  private static final LocalDate JAN21 = LocalDate.of(2001, 1, 21);
  private static final LocalDate JAN28 = LocalDate.of(2001, 1, 28);

  @TempDir Path dir;

  /** A real pipeline model (one SQL stage), saved and loaded like a trained one. */
  private static PipelineModel model() {
    return new Pipeline().setStages(new PipelineStage[] {new SQLTransformer().setStatement("SELECT * FROM __THIS__")})
        .fit(TestSpark.session().range(1).toDF());
  }

  private static ModelsTable.Model row(LocalDate ds, int version, String runId, String decision) {
    return new ModelsTable.Model(
        ds, runId, version, "candidate", "logistic_regression", false, "classification", "{}", "[]", List.of("distance"), "{}", 1L,
        ds.minusDays(13), ds, 10, 5, 5, 0.6, 0.6, Map.of("auc", 0.6), Map.of("auc", 0.6), "{}", "{}", null, null, "auto", true, List.of(),
        1.0, decision, "test", "{}", "sha", "code", Registry.artifactPath(version, runId), "reference", null, null, null, null, null, null, null);
  }

  /** Registers a training of {@code ds} as Train does: numbers from the registry, the last candidate promoted. */
  private static List<Integer> train(Warehouse warehouse, LocalDate ds, String runId, int candidates) {
    int first = Registry.firstVersion(warehouse, ds, candidates);
    List<Registry.Registration> registrations = IntStream.range(0, candidates)
        .mapToObj(i -> new Registry.Registration(row(ds, first + i, runId, i == candidates - 1 ? "promoted" : "not_selected"), model()))
        .toList();
    Registry.register(
        warehouse, ds, registrations, new ModelEventsTable.Event(ds, 0, Registry.PROMOTE, first + candidates - 1, null, "test", "train"));
    return IntStream.range(first, first + candidates).boxed().toList();
  }

  private static Map<Integer, LocalDate> versions(Warehouse warehouse) {
    Map<Integer, LocalDate> out = new java.util.TreeMap<>();
    for (var r : warehouse.read(Tables.MODELS).collectAsList()) {
      ModelsTable.Model model = ModelsTable.Model.fromRow(r);
      assertThat(out.put(model.version(), model.ds())).as("v%d registered once", model.version()).isNull();
    }
    return out;
  }

  private static List<Path> files(Path folder) throws IOException {
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    }
  }

  @Test
  void anEarlierDateTrainedAfterLaterOnesGetsNewNumbersAndLeavesTheirsAlone() throws IOException {
    Warehouse warehouse = new Warehouse(TestSpark.session(), dir.toString());
    assertThat(train(warehouse, JAN21, "run-21", 2)).containsExactly(1, 2);
    assertThat(train(warehouse, JAN28, "run-28", 2)).containsExactly(3, 4);
    Path laterArtifacts = dir.resolve("_artifacts/models/v3");
    List<Path> before = files(laterArtifacts);
    Map<Path, Long> modified = new java.util.HashMap<>();
    for (Path file : before) {
      modified.put(file, Files.getLastModifiedTime(file).toMillis());
    }

    assertThat(train(warehouse, JAN16, "run-16", 2)).containsExactly(5, 6);

    assertThat(versions(warehouse)).containsExactly(
        Map.entry(1, JAN21), Map.entry(2, JAN21), Map.entry(3, JAN28), Map.entry(4, JAN28), Map.entry(5, JAN16), Map.entry(6, JAN16));
    assertThat(Registry.model(warehouse, 3, "read").ds()).isEqualTo(JAN28);
    assertThat(files(laterArtifacts)).isEqualTo(before);
    for (Path file : before) {
      assertThat(Files.getLastModifiedTime(file).toMillis()).as("%s untouched", file).isEqualTo(modified.get(file));
    }
    // the champion of each night follows the trainings by date
    assertThat(Registry.champion(warehouse, JAN16).orElseThrow().version()).isEqualTo(6);
    assertThat(Registry.champion(warehouse, JAN21).orElseThrow().version()).isEqualTo(2);
    assertThat(Registry.champion(warehouse, JAN28).orElseThrow().version()).isEqualTo(4);
  }

  @Test
  void aReRunKeepsItsNumbersReplacesOnlyItsOwnRowsAndNeverOverwritesAnArtifact() throws IOException {
    Warehouse warehouse = new Warehouse(TestSpark.session(), dir.toString());
    train(warehouse, JAN21, "run-21", 2);
    train(warehouse, JAN28, "run-28", 2);

    assertThat(train(warehouse, JAN21, "run-21-again", 2)).containsExactly(1, 2);

    assertThat(versions(warehouse)).containsOnlyKeys(1, 2, 3, 4);
    assertThat(Registry.model(warehouse, 1, "read").runId()).isEqualTo("run-21-again");
    assertThat(Registry.model(warehouse, 3, "read").runId()).isEqualTo("run-28");
    // both attempts' artifacts stay, each in its own folder; the registry points at the re-run's
    assertThat(dir.resolve("_artifacts/models/v1/run-21")).isDirectory();
    assertThat(dir.resolve("_artifacts/models/v1/run-21-again")).isDirectory();
    assertThat(Registry.champion(warehouse, JAN21).orElseThrow().artifactPath()).isEqualTo(dir + "/_artifacts/models/v2/run-21-again");
    assertThatThrownBy(() -> Artifacts.save(model(), dir + "/_artifacts/models/v2/run-21-again"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("artifacts are never overwritten");

    // a re-run with another number of candidates, and a training that crashed after saving its
    // artifacts (v9 on storage, not registered), take numbers above everything
    Files.createDirectories(dir.resolve("_artifacts/models/v9/run-crashed"));
    assertThat(train(warehouse, JAN28, "run-28-three", 3)).containsExactly(10, 11, 12);
    assertThat(versions(warehouse)).containsOnlyKeys(1, 2, 10, 11, 12);
    assertThat(train(warehouse, JAN16, "run-16", 1)).containsExactly(13);
  }

  @Test
  void aCopiedWarehouseLoadsItsModelsAndRollsBackThere() throws IOException {
    Path original = dir.resolve("original");
    Warehouse warehouse = new Warehouse(TestSpark.session(), original.toString());
    train(warehouse, JAN21, "run-21", 2);
    train(warehouse, JAN28, "run-28", 2);
    assertThat(Registry.model(warehouse, 4, "read").artifactPath()).isEqualTo("_artifacts/models/v4/run-28");

    Path copy = dir.resolve("restored");
    try (Stream<Path> paths = Files.walk(original)) {
      for (Path path : paths.toList()) {
        Path target = copy.resolve(original.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
    Warehouse restored = new Warehouse(TestSpark.session(), copy.toString());
    Registry.Champion champion = Registry.champion(restored, JAN28).orElseThrow();
    assertThat(champion.version()).isEqualTo(4);
    assertThat(champion.artifactPath()).isEqualTo(copy + "/_artifacts/models/v4/run-28");
    assertThat(Artifacts.load(champion.artifactPath()).transform(TestSpark.session().range(3).toDF()).count()).isEqualTo(3);

    Registry.Champion back = Registry.rollback(restored, JAN28, "restored copy misbehaves", "oncall");
    assertThat(back.version()).isEqualTo(2);
    assertThat(back.artifactPath()).isEqualTo(copy + "/_artifacts/models/v2/run-21");
    assertThat(Artifacts.load(back.artifactPath()).transform(TestSpark.session().range(2).toDF()).count()).isEqualTo(2);
    // the original is untouched by the copy's rollback
    assertThat(Registry.champion(warehouse, JAN28).orElseThrow().version()).isEqualTo(4);

    // an absolute path recorded by an older nightcast into the original still resolves into the copy
    assertThat(Artifacts.resolve(restored, original + "/_artifacts/models/v4/run-28")).isEqualTo(copy + "/_artifacts/models/v4/run-28");
  }

  /**
   * A warehouse written before namespaces: the flight pipeline's tables and artifacts straight under
   * the root, its model paths absolute (as recorded then). The pipeline's first context moves them
   * into its namespace, once, with their history; another pipeline's start leaves them alone.
   */
  @Test
  void aFlatWarehouseMovesIntoItsPipelinesNamespaceOnceWithItsHistoryAndModels() throws IOException {
    Path root = dir.resolve("flat");
    SparkSession spark = TestSpark.session();
    Warehouse flat = new Warehouse(spark, root.toString());
    train(flat, JAN21, "run-21", 2);
    train(flat, JAN28, "run-28", 2);
    for (String raw : List.of(Tables.raw("schedule"), Tables.raw("actuals"))) {
      spark.range(3).toDF("n").write().format("delta").save(flat.path(raw));
      spark.range(5).toDF("n").write().format("delta").mode("append").save(flat.path(raw));
    }
    Files.createDirectories(root.resolve("_checkpoints/killed-run"));
    long modelsVersion = flat.version(Tables.MODELS);
    String absolute = root + "/_artifacts/models/v4/run-28";

    // a pipeline with other sources does not own these tables
    assertThat(FlatLayout.moveIntoNamespace(spark, root.toString(), root + "/weather", List.of(Tables.raw("weather"), Tables.MODELS)))
        .isEmpty();
    assertThat(root.resolve(Tables.MODELS)).isDirectory();

    ConfigLoader.LoadedPipeline pipeline = TestPipelines.small(dir);
    EnvConfig env = new EnvConfig(root.toString(), TestPipelines.sampleLanding().toString(), new EnvConfig.SparkSettings(null, Map.of()),
        TestPostgres.settings());
    Context context = new Context(pipeline, env, Map.of(), spark, false);
    Warehouse moved = context.warehouse();
    assertThat(moved.root()).isEqualTo(root + "/flight_delay");
    try (Stream<Path> left = Files.list(root)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("flight_delay");
    }
    assertThat(moved.tables()).containsExactly(Tables.MODEL_EVENTS, Tables.MODELS, Tables.raw("actuals"), Tables.raw("schedule"));
    // history and time travel stay: versions recorded as lineage still read the same rows
    assertThat(moved.version(Tables.MODELS)).isEqualTo(modelsVersion);
    assertThat(moved.version(Tables.raw("schedule"))).isEqualTo(1);
    assertThat(spark.read().format("delta").option("versionAsOf", 0).load(moved.path(Tables.raw("schedule"))).count()).isEqualTo(3);
    assertThat(moved.read(Tables.raw("schedule")).count()).isEqualTo(8);
    // the champion's artifact, recorded absolute into the flat root, loads from the namespace
    Registry.Champion champion = Registry.champion(moved, JAN28).orElseThrow();
    assertThat(champion.version()).isEqualTo(4);
    assertThat(Artifacts.resolve(moved, absolute)).isEqualTo(root + "/flight_delay/_artifacts/models/v4/run-28");
    assertThat(Artifacts.load(champion.artifactPath()).transform(spark.range(2).toDF()).count()).isEqualTo(2);
    assertThat(versions(moved)).containsOnlyKeys(1, 2, 3, 4);

    // once: a second start finds nothing flat
    assertThat(FlatLayout.moveIntoNamespace(spark, root.toString(), moved.root(), Tables.all(pipeline.config()))).isEmpty();
    assertThat(new Context(pipeline, env, Map.of(), spark, false).warehouse().version(Tables.MODELS)).isEqualTo(modelsVersion);
  }

  @Test
  void aRegistryThatHoldsAVersionTwiceNamesTheTrainingsAndWhatToReRun() {
    // as nightcast wrote before numbers were unique: an earlier date trained after a later one reused v1
    Warehouse warehouse = new Warehouse(TestSpark.session(), dir.toString());
    ModelsTable.replace(warehouse, JAN21, List.of(row(JAN21, 1, "run-21", "promoted")));
    ModelsTable.replace(warehouse, JAN16, List.of(row(JAN16, 1, "run-16", "promoted")));
    long before = warehouse.version(Tables.MODELS);

    assertThatThrownBy(() -> Registry.model(warehouse, 1, "show"))
        .isInstanceOfSatisfying(dev.nightcast.NightcastException.class,
            e -> assertThat(e.exitCode()).isEqualTo(dev.nightcast.ExitCode.BAD_DATA))
        .hasMessage("Cannot show model v1: " + warehouse.path(Tables.MODELS) + " holds it 2 times (trainings of [2001-01-16, 2001-01-21],"
            + " which reused the number and its artifact); re-run the latest of those trainings (`nightcast train --date D`) to"
            + " register it under new numbers");
    // reading changed nothing
    assertThat(warehouse.version(Tables.MODELS)).isEqualTo(before);
    assertThat(warehouse.read(Tables.MODELS).count()).isEqualTo(2);
  }
}
