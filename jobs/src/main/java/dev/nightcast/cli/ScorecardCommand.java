package dev.nightcast.cli;

import dev.nightcast.night.Context;
import dev.nightcast.report.StatusView;
import dev.nightcast.scorecard.EvidenceReader;
import dev.nightcast.scorecard.Scorecard;
import java.time.LocalDate;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "scorecard",
    mixinStandardHelpOptions = true,
    description = {
      "The ML Test Score of the pipeline (Breck et al., IEEE Big Data 2017): its 28 tests in four sections (data, model,",
      "infrastructure, monitoring), each automated (1), manual (0.5, documented in the README), missing or not checked (0), with",
      "the evidence read from the pipeline's own tables, its config and the project at NIGHTCAST_HOME; then the section scores",
      "and the final score, the smallest section score. Reads only."
    })
final class ScorecardCommand implements Callable<Integer> {
  @Mixin PipelineOptions options;

  @Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "The night to judge (its rows and champion). Default: the latest night in the runs table.")
  LocalDate date;

  @Override
  public Integer call() {
    try (Context context = options.start()) {
      Optional<LocalDate> night = date != null ? Optional.of(date) : StatusView.latestNight(context.warehouse());
      if (night.isEmpty()) {
        System.out.println("No runs yet in " + context.warehouse().root() + ": nothing to score. Start with: bin/nightcast run --date <YYYY-MM-DD>");
        return 0;
      }
      score(context, night.get()).lines().forEach(System.out::println);
      return 0;
    }
  }

  /** The scorecard of night {@code night}, the project read from NIGHTCAST_HOME. */
  static Scorecard.Result score(Context context, LocalDate night) {
    return Scorecard.score(EvidenceReader.read(context.warehouse(), context.pipeline().config(), night, PipelineOptions.home()));
  }
}
