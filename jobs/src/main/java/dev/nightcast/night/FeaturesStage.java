package dev.nightcast.night;

import dev.nightcast.features.Features;
import dev.nightcast.features.HistoryCoverage;
import java.time.LocalDate;
import java.util.SortedSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the night's feature rows (labelled rows of D, scoring rows of D+1) from the raw tables,
 * and derives again the training window's nights that another feature definition wrote.
 */
final class FeaturesStage implements Stage<Long> {
  private static final Logger LOG = LoggerFactory.getLogger(FeaturesStage.class);

  @Override
  public StageName name() {
    return StageName.FEATURES;
  }

  @Override
  public StageResult<Long> run(NightContext night) {
    long rows = Features.run(night.warehouse(), night.pipeline(), night.ds());
    SortedSet<LocalDate> again = Features.rederive(night.warehouse(), night.pipeline(), night.ds());
    if (!again.isEmpty()) {
      LOG.info("{} features: derived {} night(s) of the training window again with the pipeline's feature definitions"
          + " (their rows had other ones): {}", night.ds(), again.size(), HistoryCoverage.ranges(again));
    }
    return StageResult.wrote(rows, rows);
  }
}
