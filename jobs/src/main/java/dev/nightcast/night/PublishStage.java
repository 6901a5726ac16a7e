package dev.nightcast.night;

import dev.nightcast.registry.Registry;
import dev.nightcast.serving.Publisher;
import dev.nightcast.warehouse.Tables;
import java.time.LocalDate;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the night's predictions into a fresh versioned Postgres table and switches the serving
 * view to it. In the night's sequence it never pulls applications back to an older night.
 */
final class PublishStage implements Stage<Publisher.Result> {
  private static final Logger LOG = LoggerFactory.getLogger(PublishStage.class);

  @Override
  public StageName name() {
    return StageName.PUBLISH;
  }

  @Override
  public Optional<String> skipped(NightContext night) {
    LocalDate ds = night.ds();
    if (Registry.champion(night.warehouse(), ds).isEmpty()) {
      return Optional.of("no champion yet, nothing scored");
    }
    var serving = night.pipeline().serving();
    // a late re-run or a backfill must not pull applications back to an older night's predictions
    return publisher(night).servedDate().filter(served -> served.isAfter(ds)).map(served ->
        serving.schema() + "." + serving.table() + " already serves the later night " + served + " (`nightcast publish --date " + ds
            + "` publishes " + ds + " anyway)");
  }

  @Override
  public StageResult<Publisher.Result> run(NightContext night) {
    LocalDate ds = night.ds();
    var predictions = night.warehouse().readDate(Tables.PREDICTIONS, ds);
    Integer modelVersion = Registry.champion(night.warehouse(), ds).map(Registry.Champion::version).orElse(null);
    Publisher.Result result = publisher(night).publish(predictions, ds, modelVersion);
    var serving = night.pipeline().serving();
    LOG.info(
        "{} publish: {} rows as version {} of {}.{} (load {} s, index {} s, switch {} s)",
        ds, result.rows(), result.version(), serving.schema(), serving.table(),
        String.format("%.2f", result.loadSeconds()), String.format("%.2f", result.indexSeconds()), String.format("%.3f", result.switchSeconds()));
    // the loaded rows are verified equal to Spark's count of the predictions
    return new StageResult<>(result, result.rows(), result.rows());
  }

  private static Publisher publisher(NightContext night) {
    return new Publisher(night.context().database(), night.pipeline().serving(), night.pipeline().entityKey());
  }
}
