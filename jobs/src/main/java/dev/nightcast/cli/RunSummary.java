package dev.nightcast.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.nightcast.night.NightlyRun;
import dev.nightcast.report.NightView;
import dev.nightcast.training.TrainingSchedule;
import dev.nightcast.warehouse.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The machine-readable outcome of one {@code nightcast run}, written by {@code --summary-file} for
 * schedulers (the Airflow DAG branches on {@code retrain_due}). Keys are a contract like the exit
 * codes: ds, status (succeeded | failed), exit_code, error, stages (this run's rows of the
 * {@code runs} table), trained, promoted_version, serving_model_version, predictions,
 * published_version, alerts (D's alerts per kind), retrain_due and retrain_reason (monitoring raised
 * the retrain signal on D, so night D+1 trains), log_file (the run's log, Spark's lines included; null
 * when no night started).
 */
final class RunSummary {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private RunSummary() {}

  /** A night that finished; reads D's rows of the runs and alerts tables (small scans, see {@link NightView}). */
  static Map<String, Object> succeeded(Warehouse warehouse, NightlyRun.Night night) {
    Map<String, Object> summary = base(night.ds(), "succeeded", 0, null, night.log());
    summary.put("stages", stages(warehouse, night.ds()));
    summary.put("trained", night.training().isPresent());
    summary.put("promoted_version", night.training().flatMap(t -> t.promoted()).orElse(null));
    summary.put("serving_model_version", night.servingModel().orElse(null));
    summary.put("predictions", night.predictions());
    summary.put("published_version", night.publish().map(p -> p.version()).orElse(null));
    summary.put("alerts", NightView.alertsByKind(warehouse, night.ds()));
    String retrain = TrainingSchedule.retrainSignal(warehouse, night.ds().plusDays(1)).orElse(null);
    summary.put("retrain_due", retrain != null);
    summary.put("retrain_reason", retrain);
    return summary;
  }

  /**
   * A night that failed with {@code exitCode}; {@code warehouse} is null when it failed before
   * Spark started (e.g. bad configuration), and then no stage ran and {@code log} is empty.
   */
  static Map<String, Object> failed(Warehouse warehouse, LocalDate ds, int exitCode, String error, Optional<Path> log) {
    Map<String, Object> summary = base(ds, "failed", exitCode, error, log);
    summary.put("stages", warehouse == null ? List.of() : stages(warehouse, ds));
    return summary;
  }

  /** Writes atomically, so a reader never sees half a summary. */
  static void write(Map<String, Object> summary, Path file) {
    try {
      Path absolute = file.toAbsolutePath();
      Files.createDirectories(absolute.getParent());
      Path partial = absolute.resolveSibling(absolute.getFileName() + ".partial");
      JSON.writeValue(partial.toFile(), summary);
      Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the run summary to " + file + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, Object> base(LocalDate ds, String status, int exitCode, String error, Optional<Path> log) {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("ds", ds.toString());
    summary.put("status", status);
    summary.put("exit_code", exitCode);
    summary.put("error", error);
    summary.put("log_file", log.map(Path::toString).orElse(null));
    return summary;
  }

  /** The stages of the latest run of D (the one that just ended), in the order they ran. */
  private static List<Map<String, Object>> stages(Warehouse warehouse, LocalDate ds) {
    return NightView.latestRun(warehouse, ds).stream()
        .map(run -> {
          Map<String, Object> stage = new LinkedHashMap<>();
          stage.put("stage", run.stage());
          stage.put("status", run.status());
          stage.put("rows_out", run.rowsOut());
          stage.put("message", run.message());
          return stage;
        })
        .toList();
  }
}
