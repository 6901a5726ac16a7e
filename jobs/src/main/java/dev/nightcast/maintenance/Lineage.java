package dev.nightcast.maintenance;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightcast.NightcastException;
import dev.nightcast.registry.ModelEventsTable;
import dev.nightcast.registry.ModelsTable;
import dev.nightcast.registry.Registry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Pure: which models maintenance keeps reproducible, and which Delta versions of which tables they
 * need. A kept model is one that serves or can serve again without retraining: the champion and the
 * ones a rollback returns to ({@code keep_champions} deep into the champion stack), and every model
 * whose predictions a published serving version still holds (a `publish rollback` serves them).
 * Each must still time-travel to the table versions it was trained from ({@code models.input_versions}).
 */
public final class Lineage {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Lineage() {}

  /** Version {@code version} of {@code table} is what kept model {@code model} was trained from. */
  public record Need(String table, long version, int model) {}

  /**
   * The kept models, by version, each with why it is kept.
   *
   * @param events every promote and rollback, oldest first ({@link Registry#events})
   * @param published the models of the published serving versions still on the server
   */
  public static Map<Integer, String> keptModels(List<ModelEventsTable.Event> events, int keepChampions, Collection<Integer> published) {
    Map<Integer, String> kept = new TreeMap<>();
    List<Integer> stack = Registry.championStack(events);
    for (int depth = 0; depth < Math.min(keepChampions, stack.size()); depth++) {
      kept.put(stack.get(stack.size() - 1 - depth), depth == 0 ? "the champion" : "rollback target " + depth);
    }
    published.forEach(model -> kept.putIfAbsent(model, "served by a published version"));
    return kept;
  }

  /** What the kept models need, by table, each table's list oldest version first. */
  public static Map<String, List<Need>> needs(Collection<Integer> kept, List<ModelsTable.Model> registered) {
    Map<String, List<Need>> needs = new TreeMap<>();
    for (ModelsTable.Model model : registered) {
      if (kept.contains(model.version())) {
        inputVersions(model).forEach((table, version) -> needs.computeIfAbsent(table, t -> new ArrayList<>()).add(new Need(table, version, model.version())));
      }
    }
    needs.values().forEach(list -> list.sort(Comparator.comparingLong(Need::version).thenComparingInt(Need::model)));
    return needs;
  }

  /** The oldest version of a table that a kept model needs, if any does. */
  public static Optional<Need> oldest(Map<String, List<Need>> needs, String table) {
    return needs.getOrDefault(table, List.of()).stream().findFirst();
  }

  /**
   * The VACUUM retention, in whole hours, that keeps every file of a version committed at
   * {@code committed}: a file leaves that version only through a later commit, so its removal time
   * is after {@code committed}, and VACUUM deletes only files removed longer than the retention ago.
   * One hour more covers clock skew between the writer and this host.
   */
  public static int hoursToKeep(Instant committed, Instant now) {
    long minutes = Math.max(0, Duration.between(committed, now).toMinutes());
    return (int) ((minutes + 59) / 60) + 1;
  }

  /**
   * The log retention, in days, that keeps a version committed at {@code committed} readable until
   * {@code days} after now: Delta expires commit files at checkpoints of the nightly writes, between
   * two maintenance runs, so the next run must find the version's commit still there to extend it.
   */
  public static int daysToKeep(Instant committed, Instant now, int days) {
    long minutes = Math.max(0, Duration.between(committed, now).toMinutes());
    return (int) ((minutes + 1439) / 1440) + days;
  }

  private static Map<String, Long> inputVersions(ModelsTable.Model model) {
    try {
      return JSON.readValue(model.inputVersions(), new TypeReference<TreeMap<String, Long>>() {});
    } catch (IOException e) {
      throw NightcastException.badData(
          "Cannot read the lineage of model v" + model.version() + ": its models.input_versions is not a JSON map of table to Delta version ("
              + e.getMessage() + ")");
    }
  }
}
