package dev.nightcast.night;

import dev.nightcast.monitoring.Monitor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Realised performance for D, the label-free estimate for D+1, drift, alerts and the retrain signal. */
final class MonitorStage implements Stage<Monitor.Result> {
  private static final Logger LOG = LoggerFactory.getLogger(MonitorStage.class);

  @Override
  public StageName name() {
    return StageName.MONITOR;
  }

  @Override
  public StageResult<Monitor.Result> run(NightContext night) {
    Monitor.Result result = Monitor.run(night.warehouse(), night.pipeline(), night.ds());
    LOG.info("{} monitor: {} performance rows, {} drift rows, {} alerts", night.ds(), result.performanceRows(), result.driftRows(),
        result.alertRows());
    return StageResult.wrote(result, (long) result.performanceRows() + result.driftRows() + result.alertRows());
  }
}
