package dev.nightcast.config;

import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code nightcast maintain} keeps of each Delta table's history. Every key is optional, and so
 * is the whole section; the defaults are Delta's own.
 *
 * @param retentionHours VACUUM keeps the files a table stopped using within the last this many hours
 *     (168, Delta's default): a reader or time travel within that window still finds them
 * @param logRetentionDays the table property {@code delta.logRetentionDuration} (30 days, Delta's
 *     default): how long commit files stay, which bounds time travel like the data files do
 * @param keepChampions how deep into the champion stack models are kept (3: the champion and the two
 *     a rollback returns to); their training inputs stay readable by time travel whatever the retention
 * @param tables per-table overrides, by table name (e.g. {@code raw_actuals})
 */
public record MaintenanceConfig(Integer retentionHours, Integer logRetentionDays, Integer keepChampions, Map<String, TableRetention> tables) {
  /** Every default: a pipeline without a {@code maintenance} section. */
  public static final MaintenanceConfig DEFAULTS = new MaintenanceConfig(null, null, null, null);

  /** @param retentionHours this table's VACUUM retention, in place of the pipeline's */
  public record TableRetention(Integer retentionHours) {
    public TableRetention {
      Check.present(retentionHours, "retention_hours");
      Check.that(retentionHours >= 0, "'retention_hours' must be 0 or more (got " + retentionHours + ")");
    }
  }

  public MaintenanceConfig {
    retentionHours = retentionHours == null ? 168 : retentionHours;
    logRetentionDays = logRetentionDays == null ? 30 : logRetentionDays;
    keepChampions = keepChampions == null ? 3 : keepChampions;
    tables = tables == null ? Map.of() : new TreeMap<>(tables);
    Check.that(retentionHours >= 0, "'retention_hours' must be 0 or more (got " + retentionHours + ")");
    Check.positive(logRetentionDays, "log_retention_days");
    Check.positive(keepChampions, "keep_champions");
    // before the copy: an immutable map refuses a null value with an exception that names nothing
    tables.forEach((table, retention) -> Check.that(retention != null, "'tables." + table + "' has no value: give it retention_hours, or remove it"));
    tables = Map.copyOf(tables);
  }

  /** The VACUUM retention of {@code table}: its override, else the pipeline's. */
  public int retentionHours(String table) {
    TableRetention override = tables.get(table);
    return override == null ? retentionHours : override.retentionHours();
  }
}
