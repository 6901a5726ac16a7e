package dev.nightcast.cli;

import dev.nightcast.night.Context;
import dev.nightcast.night.NightlyRun;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "backfill",
    mixinStandardHelpOptions = true,
    description = "Run the nights FROM..TO (inclusive) in order inside one Spark application; stops at the first failed night.")
final class BackfillCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(BackfillCommand.class);

  @Mixin PipelineOptions options;
  @Mixin DateRange range;

  @Override
  public Integer call() {
    range.validate();
    try (Context context = options.start()) {
      for (NightlyRun.Night night : backfill(context, range.from, range.to)) {
        System.out.println(Summaries.night(night));
      }
      return 0;
    }
  }

  /** Runs the nights in order, logging progress with an estimate of the time left. */
  static List<NightlyRun.Night> backfill(Context context, LocalDate from, LocalDate to) {
    NightlyRun run = new NightlyRun(context);
    int total = (int) (to.toEpochDay() - from.toEpochDay() + 1);
    long began = System.nanoTime();
    List<NightlyRun.Night> nights = new ArrayList<>();
    for (int k = 1; k <= total; k++) {
      LocalDate ds = from.plusDays(k - 1L);
      try {
        nights.add(run.run(ds));
      } catch (RuntimeException e) {
        LOG.error("backfill stopped at night {} of {} ({}); resume with --from {}", k, total, ds, ds);
        throw e;
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - began);
      Duration left = elapsed.dividedBy(k).multipliedBy(total - k);
      LOG.info("backfill: night {} of {} ({}) done, elapsed {}, about {} left", k, total, ds, format(elapsed), format(left));
    }
    return nights;
  }

  private static String format(Duration duration) {
    return String.format("%dm%02ds", duration.toMinutes(), duration.toSecondsPart());
  }
}
