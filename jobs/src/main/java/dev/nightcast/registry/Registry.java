package dev.nightcast.registry;

import dev.nightcast.NightcastException;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The model registry: {@code models} holds every trained candidate with its lineage,
 * {@code model_events} every alias move. The champion on date D is the model named by the latest
 * promote or rollback event on or before D (by ds, then seq), so "which model served on D" is one
 * query:
 *
 * <pre>
 * SELECT model_version FROM model_events
 * WHERE event IN ('promote', 'rollback') AND ds <= DATE'2001-01-10'
 * ORDER BY ds DESC, seq DESC LIMIT 1
 * </pre>
 *
 * Training writes its event of night D with seq 0 (a re-run replaces it); people's promote and
 * rollback events get the next seq of their date, so they outrank a re-run training of that date.
 */
public final class Registry {
  public static final String PROMOTE = "promote";
  public static final String REJECT = "reject";
  public static final String ROLLBACK = "rollback";

  private Registry() {}

  /** The serving model as of {@code asOf}. */
  public record Champion(int version, LocalDate trainedOn, String artifactPath) {}

  public static Optional<Champion> champion(Warehouse warehouse, LocalDate asOf) {
    List<Integer> stack = championStack(events(warehouse, asOf));
    if (stack.isEmpty()) {
      return Optional.empty();
    }
    int version = stack.get(stack.size() - 1);
    ModelsTable.Model model = model(warehouse, version, "serve");
    return Optional.of(new Champion(version, model.ds(), Artifacts.resolve(warehouse, model.artifactPath())));
  }

  /**
   * Pure: replays alias moves into the stack of champions (a promote pushes, a rollback pops back
   * to the champion before); the last element serves. Promoting the serving model is a no-op.
   */
  public static List<Integer> championStack(List<ModelEventsTable.Event> events) {
    List<Integer> stack = new ArrayList<>();
    for (ModelEventsTable.Event event : events) {
      if (event.event().equals(PROMOTE)) {
        if (stack.isEmpty() || stack.get(stack.size() - 1) != event.modelVersion()) {
          stack.add(event.modelVersion());
        }
      } else if (event.event().equals(ROLLBACK)) {
        while (!stack.isEmpty() && stack.get(stack.size() - 1) != event.modelVersion()) {
          stack.remove(stack.size() - 1);
        }
        if (stack.isEmpty()) {
          stack.add(event.modelVersion());
        }
      }
    }
    return stack;
  }

  /**
   * The calibration map of every model version that has one (models trained before maps were
   * kept, and regressors, have none).
   */
  public static Map<Integer, double[]> calibrations(Warehouse warehouse) {
    Map<Integer, double[]> out = new TreeMap<>();
    for (ModelsTable.Model model : registered(warehouse)) {
      if (model.calibration() != null) {
        out.put(model.version(), model.calibrationMap());
      }
    }
    return out;
  }

  /** Alias moves on or before {@code asOf}, oldest first. */
  public static List<ModelEventsTable.Event> events(Warehouse warehouse, LocalDate asOf) {
    return ModelEventsTable.all(warehouse).stream()
        .filter(e -> !e.ds().isAfter(asOf) && (e.event().equals(PROMOTE) || e.event().equals(ROLLBACK)))
        .sorted(Comparator.comparing(ModelEventsTable.Event::ds).thenComparingInt(ModelEventsTable.Event::seq))
        .toList();
  }

  public static Dataset<Row> models(Warehouse warehouse) {
    return warehouse.read(Tables.MODELS);
  }

  /**
   * The registry's rows, read once per version of the table: a night asks for the champion, the
   * last training and the calibration maps several times, and the table changes only when a model is
   * trained. Cost: a listing of the Delta log; a read of the small table after it changed.
   */
  public static List<ModelsTable.Model> registered(Warehouse warehouse) {
    return warehouse.rows(Tables.MODELS).stream().map(ModelsTable.Model::fromRow).toList();
  }

  /**
   * The first version number of the training of night {@code ds} with {@code candidates} candidates.
   * A version belongs to one training date for ever: a re-run of that date keeps its numbers (and
   * replaces only its own rows), any other training gets numbers above every version the registry
   * holds and every artifact on storage (a training that crashed after saving leaves them
   * unregistered), so training an earlier date after later ones never reuses one. Cost: a listing of
   * the artifacts folder.
   */
  public static int firstVersion(Warehouse warehouse, LocalDate ds, int candidates) {
    List<Integer> own = registered(warehouse).stream().filter(model -> model.ds().equals(ds)).map(ModelsTable.Model::version).sorted().toList();
    if (own.size() == candidates && own.get(own.size() - 1) - own.get(0) == candidates - 1) {
      return own.get(0);
    }
    int registered = registered(warehouse).stream().mapToInt(ModelsTable.Model::version).max().orElse(0);
    return Math.max(registered, Artifacts.highestVersion(warehouse)) + 1;
  }

  /** The last date any training ran (whatever its decision), if any. */
  public static Optional<LocalDate> lastTraining(Warehouse warehouse, LocalDate asOf) {
    return registered(warehouse).stream()
        .map(ModelsTable.Model::ds)
        .filter(ds -> !ds.isAfter(asOf))
        .max(Comparator.naturalOrder());
  }

  /**
   * Where one training attempt stores a version's artifact, relative to the warehouse root so a copied
   * or moved warehouse still finds it; one folder per attempt, so a re-run never overwrites the
   * artifact an earlier attempt wrote (artifacts are immutable).
   */
  public static String artifactPath(int version, String runId) {
    return Artifacts.MODELS + "/v" + version + "/" + runId;
  }

  /**
   * Makes {@code version} the champion from night {@code ds} on (its scoring and publish use it).
   * A version the gate rejected cannot be promoted: it never serves.
   */
  public static Champion promote(Warehouse warehouse, int version, LocalDate ds, String reason, String actor) {
    ModelsTable.Model model = model(warehouse, version, "promote");
    if (model.decision().equals("rejected")) {
      throw NightcastException.gateFailed(
          "Cannot promote model v" + version + ": the promotion gate rejected it (" + model.reason()
              + "); a rejected model never serves (train a new one, or promote a version that passed)");
    }
    Optional<Champion> current = champion(warehouse, ds);
    if (current.isPresent() && current.get().version() == version) {
      throw NightcastException.badData("Cannot promote model v" + version + " on " + ds + ": it already is the champion");
    }
    append(warehouse, ds, PROMOTE, version, current.map(Champion::version).orElse(null), reason, actor);
    return champion(warehouse, ds).orElseThrow();
  }

  /** Serves the champion before the current one again, from night {@code ds} on. */
  public static Champion rollback(Warehouse warehouse, LocalDate ds, String reason, String actor) {
    List<Integer> stack = championStack(events(warehouse, ds));
    if (stack.size() < 2) {
      throw NightcastException.badData(
          "Cannot roll back on " + ds + ": " + (stack.isEmpty() ? "no model has been promoted yet" : "champion v" + stack.get(0)
              + " has no previous champion") + " (see `nightcast models list`; promote a version with `nightcast models promote V`)");
    }
    int target = stack.get(stack.size() - 2);
    append(warehouse, ds, ROLLBACK, target, stack.get(stack.size() - 1), reason, actor);
    return champion(warehouse, ds).orElseThrow();
  }

  /** The registry row of {@code version}, or a clear error naming what to do. */
  public static ModelsTable.Model model(Warehouse warehouse, int version, String action) {
    List<ModelsTable.Model> rows = registered(warehouse).stream().filter(model -> model.version() == version).toList();
    if (rows.isEmpty()) {
      throw NightcastException.badData(
          "Cannot " + action + " model v" + version + ": no such version in " + warehouse.path(Tables.MODELS) + " (see `nightcast models list`)");
    }
    if (rows.size() > 1) {
      // only registries written before version numbers were unique can hold this
      throw NightcastException.badData(
          "Cannot " + action + " model v" + version + ": " + warehouse.path(Tables.MODELS) + " holds it " + rows.size() + " times (trainings of "
              + rows.stream().map(m -> m.ds().toString()).sorted().toList() + ", which reused the number and its artifact); re-run the"
              + " latest of those trainings (`nightcast train --date D`) to register it under new numbers");
    }
    return rows.get(0);
  }

  /**
   * Registers a training of night {@code ds}: saves each candidate's artifact (never over another),
   * replaces the date's registry rows in one commit (a re-run's rows replace the earlier run's; their
   * numbers and artifacts are not reused), then records training's own alias event (promote or reject of the
   * pick) for that night, replacing a previous training's of the same night.
   */
  public static void register(Warehouse warehouse, LocalDate ds, List<Registration> candidates, ModelEventsTable.Event decision) {
    for (Registration candidate : candidates) {
      Artifacts.save(candidate.model(), Artifacts.resolve(warehouse, candidate.row().artifactPath()));
    }
    ModelsTable.replace(warehouse, ds, candidates.stream().map(Registration::row).toList());
    ModelEventsTable.replaceTraining(warehouse, decision);
  }

  /** A candidate to register: its registry row and its fitted model (saved to the row's artifact path). */
  public record Registration(ModelsTable.Model row, PipelineModel model) {}

  private static void append(Warehouse warehouse, LocalDate ds, String event, int version, Integer previous, String reason, String actor) {
    int seq =
        ModelEventsTable.all(warehouse).stream()
            .filter(e -> e.ds().equals(ds))
            .mapToInt(ModelEventsTable.Event::seq)
            .max()
            .orElse(0) + 1;
    ModelEventsTable.append(warehouse, new ModelEventsTable.Event(ds, seq, event, version, previous, reason, actor));
  }
}
