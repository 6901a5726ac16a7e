package dev.nightcast.stages;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightcast.config.CandidateConfig;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.registry.Registry;
import dev.nightcast.spark.Tables;
import dev.nightcast.spark.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.storage.StorageLevel;

/**
 * Stage 5: trains every candidate on the labelled window ending at D, picks the best on the
 * validation window (it must beat the baseline there), checks the gate on the test window, and
 * registers every candidate with its lineage. Cost: the window's features are read once and
 * cached; each candidate fits on train and is scored on validation and test; the pick scores
 * train once more for its reference profile ({@link ReferenceProfile#write}).
 */
public final class Train {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Train() {}

  public record Candidate(
      CandidateConfig config, int version, double validationAuc, double testAuc, double trainSeconds, PipelineModel model) {}

  /** @param promoted the version that became champion, empty when the gate rejected the pick */
  public record Result(List<Candidate> candidates, Candidate pick, Optional<Integer> promoted, String reason) {}

  /** The labelled window a training on night D uses: the {@code windowDays} days ending at D. */
  public static LocalDate windowStart(PipelineConfig pipeline, LocalDate ds) {
    return ds.minusDays(pipeline.training().windowDays() - 1L);
  }

  /** Days in [start, ds] whose labelled features exist; training needs all of them. */
  public static long labelledDays(Warehouse warehouse, PipelineConfig pipeline, LocalDate ds) {
    if (!warehouse.exists(Tables.FEATURES)) {
      return 0;
    }
    return window(warehouse, pipeline, ds).select("ds").distinct().count();
  }

  private static Dataset<Row> window(Warehouse warehouse, PipelineConfig pipeline, LocalDate ds) {
    return warehouse
        .read(Tables.FEATURES)
        .where(
            col("role").equalTo(Features.LABELLED)
                .and(col("ds").between(Date.valueOf(windowStart(pipeline, ds)), Date.valueOf(ds)))
                .and(col(Features.LABEL).isNotNull()));
  }

  public static Result run(
      Warehouse warehouse, PipelineConfig pipeline, String configSha256, String codeVersion, LocalDate ds, String runId) {
    LocalDate start = windowStart(pipeline, ds);
    Split split = Split.of(start, ds, pipeline.training().trainFraction(), pipeline.training().validationFraction());
    Map<String, Long> inputVersions = new TreeMap<>(Map.of(Tables.FEATURES, warehouse.version(Tables.FEATURES)));
    Dataset<Row> window = window(warehouse, pipeline, ds).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> train = split.train(window, pipeline.eventTime());
      Dataset<Row> validation = split.validation(window, pipeline.eventTime());
      Dataset<Row> test = split.test(window, pipeline.eventTime());
      long trainRows = train.count();
      long validationRows = validation.count();
      long testRows = test.count();
      BinaryClassificationEvaluator auc =
          new BinaryClassificationEvaluator().setLabelCol(Features.LABEL).setRawPredictionCol("probability");
      int version = Registry.nextVersion(warehouse, ds);
      List<Candidate> candidates = new ArrayList<>();
      for (CandidateConfig config : pipeline.candidates()) {
        long began = System.nanoTime();
        PipelineModel model = ModelFactory.pipeline(config, pipeline, pipeline.training().seed()).fit(train);
        double seconds = (System.nanoTime() - began) / 1e9;
        candidates.add(
            new Candidate(
                config, version++, auc.evaluate(model.transform(validation)), auc.evaluate(model.transform(test)), seconds, model));
      }
      Result result = decide(candidates, pipeline);
      register(warehouse, pipeline, configSha256, codeVersion, ds, runId, start, trainRows, validationRows, testRows, inputVersions, result);
      // the drift reference: the training split's distribution (and the pick's scores), binned once and kept with the date
      ReferenceProfile.write(warehouse, pipeline, ds, train, result.pick().model());
      return result;
    } finally {
      window.unpersist();
    }
  }

  /**
   * Pure decision: the best validation AUC wins (the baseline wins ties, being first); a pick other
   * than the baseline must beat it on validation; the pick must clear the test-AUC floor.
   */
  static Result decide(List<Candidate> candidates, PipelineConfig pipeline) {
    Candidate baseline = candidates.stream().filter(c -> c.config().isBaseline()).findFirst().orElseThrow();
    Candidate pick =
        candidates.stream()
            .filter(c -> c == baseline || !pipeline.gate().mustBeatBaseline() || c.validationAuc() > baseline.validationAuc())
            .max(Comparator.comparingDouble(Candidate::validationAuc).thenComparing(c -> c == baseline))
            .orElse(baseline);
    if (!(pick.testAuc() >= pipeline.gate().minTestAuc())) {
      return new Result(
          candidates,
          pick,
          Optional.empty(),
          String.format(
              "test AUC %.4f of %s is below the gate's minimum %.4f", pick.testAuc(), pick.config().name(), pipeline.gate().minTestAuc()));
    }
    return new Result(
        candidates,
        pick,
        Optional.of(pick.version()),
        String.format(
            "best validation AUC %.4f (baseline %s %.4f); test AUC %.4f >= %.4f",
            pick.validationAuc(), baseline.config().name(), baseline.validationAuc(), pick.testAuc(), pipeline.gate().minTestAuc()));
  }

  private static void register(
      Warehouse warehouse,
      PipelineConfig pipeline,
      String configSha256,
      String codeVersion,
      LocalDate ds,
      String runId,
      LocalDate start,
      long trainRows,
      long validationRows,
      long testRows,
      Map<String, Long> inputVersions,
      Result result) {
    List<Row> models = new ArrayList<>();
    for (Candidate candidate : result.candidates()) {
      String artifact = Registry.artifactPath(warehouse, candidate.version());
      try {
        candidate.model().write().overwrite().save(artifact);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot save model v" + candidate.version() + " to " + artifact, e);
      }
      boolean picked = candidate == result.pick();
      String decision = !picked ? "not_selected" : result.promoted().isPresent() ? "promoted" : "rejected";
      models.add(
          RowFactory.create(
              Date.valueOf(ds), runId, candidate.version(), candidate.config().name(), candidate.config().algorithm(),
              candidate.config().isBaseline(), json(new TreeMap<>(candidate.config().params())),
              scala.jdk.javaapi.CollectionConverters.asScala(Features.names(pipeline)).toSeq(),
              pipeline.training().seed(), Date.valueOf(start), Date.valueOf(ds), trainRows, validationRows, testRows,
              candidate.validationAuc(), candidate.testAuc(), candidate.trainSeconds(), decision,
              picked ? result.reason() : String.format("validation AUC %.4f, not the pick", candidate.validationAuc()),
              json(inputVersions), configSha256, codeVersion, artifact));
    }
    warehouse.replaceDate(Tables.MODELS, ds, warehouse.spark().createDataFrame(models, Registry.MODELS_SCHEMA).coalesce(1));
    Optional<Registry.Champion> previous = Registry.champion(warehouse, ds.minusDays(1));
    Row event =
        RowFactory.create(
            Date.valueOf(ds), 0, result.promoted().isPresent() ? Registry.PROMOTE : Registry.REJECT, result.pick().version(),
            previous.map(Registry.Champion::version).orElse(null), result.reason(), "train");
    warehouse.spark()
        .createDataFrame(List.of(event), Registry.EVENTS_SCHEMA)
        .coalesce(1)
        .write()
        .format("delta")
        .mode("overwrite")
        .option("replaceWhere", "ds = DATE'" + ds + "' AND actor = 'train'")
        .save(warehouse.path(Tables.MODEL_EVENTS));
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
