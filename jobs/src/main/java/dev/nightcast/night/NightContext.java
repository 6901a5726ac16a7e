package dev.nightcast.night;

import dev.nightcast.config.PipelineConfig;
import dev.nightcast.warehouse.Warehouse;
import java.time.LocalDate;

/** What every stage of one attempt at night {@code ds} works with. */
public record NightContext(Context context, LocalDate ds, String runId) {
  public PipelineConfig pipeline() {
    return context.pipeline().config();
  }

  public Warehouse warehouse() {
    return context.warehouse();
  }
}
