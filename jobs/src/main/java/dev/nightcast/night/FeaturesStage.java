package dev.nightcast.night;

import dev.nightcast.features.Features;

/** Builds the night's feature rows (labelled rows of D, scoring rows of D+1) from the raw tables. */
final class FeaturesStage implements Stage<Long> {
  @Override
  public StageName name() {
    return StageName.FEATURES;
  }

  @Override
  public StageResult<Long> run(NightContext night) {
    long rows = Features.run(night.warehouse(), night.pipeline(), night.ds());
    return StageResult.wrote(rows, rows);
  }
}
