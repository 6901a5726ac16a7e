package dev.nightcast.cli;

import dev.nightcast.night.Context;
import dev.nightcast.report.ReportData;
import dev.nightcast.report.ReportHtml;
import dev.nightcast.report.ReportReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Write the monitoring report of the nights FROM..TO as one self-contained HTML file, read from the Delta tables alone:",
      "performance per model version (realised and estimated), a drift heatmap, data-quality trends, alerts, the model history,",
      "the champion's feature importances, the delivery metrics and the ML Test Score of TO (as `nightcast scorecard --date TO`)."
    })
final class ReportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin PipelineOptions options;
  @Mixin DateRange range;

  @Option(names = "--out", paramLabel = "FILE", description = "Where to write it. Default: nightcast-report-FROM-TO.html in the current directory.")
  Path out;

  @Override
  public Integer call() throws IOException {
    range.validate();
    if (out != null) {
      OptionChecks.writableFile(spec, "--out", out);
    }
    try (Context context = options.start()) {
      Path written = write(context, range.from, range.to, out == null ? Path.of("nightcast-report-" + range.from + "-" + range.to + ".html") : out);
      System.out.println("report: " + written);
      return 0;
    }
  }

  /** Reads the tables, renders and writes the report; returns its absolute path. */
  static Path write(Context context, LocalDate from, LocalDate to, Path out) throws IOException {
    ReportData data = ReportReader.read(context.warehouse(), context.pipeline().config(), from, to);
    Path target = out.toAbsolutePath().normalize();
    if (target.getParent() != null) {
      Files.createDirectories(target.getParent());
    }
    Files.writeString(target, ReportHtml.render(data, Optional.of(ScorecardCommand.score(context, to))), StandardCharsets.UTF_8);
    return target;
  }
}
