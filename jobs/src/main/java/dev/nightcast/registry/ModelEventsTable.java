package dev.nightcast.registry;

import dev.nightcast.warehouse.TableContract;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;

/**
 * The registry's {@code model_events} table (contract): every move of the champion alias. Only
 * {@link Registry} writes it.
 */
public final class ModelEventsTable {
  public static final TableContract CONTRACT =
      TableContract.table(Tables.MODEL_EVENTS, Registry.class,
              "One row per alias move: a training's promote or reject, a person's promote or rollback. The champion on D is the model of "
                  + "the latest promote or rollback on or before D (by ds, then seq).")
          .column("ds", DataTypes.DateType, false, "the night from which the move applies")
          .column("seq", DataTypes.IntegerType, false, "order within the night: 0 for training's own event, then people's moves")
          .column("event", DataTypes.StringType, false, "promote, reject or rollback")
          .column("model_version", DataTypes.IntegerType, false, "the model the event is about (the new champion for promote and rollback)")
          .column("previous_version", DataTypes.IntegerType, true, "the champion before the move")
          .column("reason", DataTypes.StringType, false, "why, in words")
          .column("actor", DataTypes.StringType, false, "train for training's own events, else who moved the alias")
          .build();

  private ModelEventsTable() {}

  /** One alias move. */
  public record Event(LocalDate ds, int seq, String event, int modelVersion, Integer previousVersion, String reason, String actor) {
    public Row toRow() {
      return RowFactory.create(Date.valueOf(ds), seq, event, modelVersion, previousVersion, reason, actor);
    }

    public static Event fromRow(Row row) {
      return new Event(
          row.<Date>getAs("ds").toLocalDate(), row.<Integer>getAs("seq"), row.getAs("event"), row.<Integer>getAs("model_version"),
          row.getAs("previous_version"), row.getAs("reason"), row.getAs("actor"));
    }
  }

  /** Every event, read once per table version (see {@link Warehouse#rows}). */
  public static List<Event> all(Warehouse warehouse) {
    return warehouse.rows(Tables.MODEL_EVENTS).stream().map(Event::fromRow).toList();
  }

  /** Replaces training's own event of night {@code ds} (seq 0); people's events of that night stay. */
  static void replaceTraining(Warehouse warehouse, Event event) {
    warehouse.replace(
        CONTRACT, "ds = DATE'" + event.ds() + "' AND actor = 'train'", warehouse.frame(CONTRACT, List.of(event.toRow())));
  }

  /** Appends a person's move. */
  static void append(Warehouse warehouse, Event event) {
    warehouse.append(CONTRACT, warehouse.frame(CONTRACT, List.of(event.toRow())).coalesce(1));
  }
}
