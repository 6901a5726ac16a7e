package dev.nightcast.warehouse;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What analysts and the code rely on for one Delta table: its name, the class that owns (and alone
 * writes) it, what one row means, and its columns with their meaning. Each table has one contract,
 * a constant of its owner's table class (e.g. {@code monitoring.AlertsTable.CONTRACT}); the
 * {@link Warehouse} writes only through a contract and checks the rows against its schema, and the
 * analysts' table reference is generated from the same contracts.
 *
 * @param schema the columns, or null where they follow the pipeline's config (raw drops, features,
 *     predictions): {@code columns} then documents the fixed ones
 */
public record TableContract(String name, String owner, String description, StructType schema, List<Column> columns) {
  /** One documented column: its name, its SQL type ({@code per pipeline} where config decides) and meaning. */
  public record Column(String name, String type, String meaning) {}

  public TableContract {
    columns = List.copyOf(columns);
  }

  /** Starts a contract for a table with fixed columns. */
  public static Builder table(String name, Class<?> owner, String description) {
    return new Builder(name, owner.getName(), description, true);
  }

  /** As above, for an owner in a package above the contract's (named, not imported, to keep the layers). */
  public static Builder table(String name, String owner, String description) {
    return new Builder(name, owner, description, true);
  }

  /** Starts a contract for a table whose columns follow the pipeline's config; only the fixed ones are listed. */
  public static Builder perPipeline(String name, Class<?> owner, String description) {
    return new Builder(name, owner.getName(), description, false);
  }

  /** Builds the schema and the column documentation from one list, so the two cannot disagree. */
  public static final class Builder {
    private final String name;
    private final String owner;
    private final String description;
    private final boolean fixed;
    private final List<StructField> fields = new ArrayList<>();
    private final List<Column> columns = new ArrayList<>();

    private Builder(String name, String owner, String description, boolean fixed) {
      this.name = name;
      this.owner = owner;
      this.description = description;
      this.fixed = fixed;
    }

    public Builder column(String column, DataType type, boolean nullable, String meaning) {
      fields.add(new StructField(column, type, nullable, Metadata.empty()));
      columns.add(new Column(column, type.sql().toLowerCase(java.util.Locale.ROOT) + (nullable ? "" : " not null"), meaning));
      return this;
    }

    /** A column whose name or type the pipeline's config decides (documentation only). */
    public Builder configured(String column, String meaning) {
      columns.add(new Column(column, "per pipeline", meaning));
      return this;
    }

    public TableContract build() {
      return new TableContract(
          name, owner, description, fixed ? new StructType(fields.toArray(StructField[]::new)) : null, columns);
    }
  }
}
