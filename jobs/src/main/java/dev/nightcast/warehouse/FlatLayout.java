package dev.nightcast.warehouse;

import dev.nightcast.NightcastException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warehouse layout of nightcast before namespaces: one pipeline's tables and artifacts straight
 * under the warehouse root. {@link #moveIntoNamespace} moves them, once, into the namespace of the
 * pipeline that wrote them, each table directory whole: a Delta log addresses its files relative to
 * the table, so history, time travel and the versions recorded as lineage stay valid.
 */
public final class FlatLayout {
  private static final Logger LOG = LoggerFactory.getLogger(FlatLayout.class);

  private FlatLayout() {}

  /**
   * Moves the flat tables of {@code pipeline} from {@code platformRoot} into {@code namespaceRoot}.
   * The flat tables are this pipeline's when all of its raw tables ({@code raw_<source>}) are among
   * them; another pipeline's are left for that pipeline to move. Safe to call on every start: with
   * nothing flat it is one listing.
   *
   * @param tables every table the pipeline writes ({@link Tables#all})
   * @return the entries moved (tables and the artifacts folder); empty when nothing was flat
   */
  public static List<String> moveIntoNamespace(SparkSession spark, String platformRoot, String namespaceRoot, List<String> tables) {
    Path root = new Path(platformRoot);
    try {
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(root)) {
        return List.of();
      }
      Path namespace = new Path(namespaceRoot);
      if (fs.exists(new Path(namespace, "_delta_log"))) {
        throw NightcastException.badConfig(
            "Cannot use the namespace " + namespace + ": it is a Delta table of a flat warehouse (the pipeline's name is one of its"
                + " table names). Rename the pipeline, or move that warehouse's tables into their pipeline's namespace first");
      }
      List<String> flat = new ArrayList<>();
      for (String table : tables) {
        if (fs.exists(new Path(new Path(root, table), "_delta_log"))) {
          flat.add(table);
        }
      }
      boolean owned = !flat.isEmpty() && tables.stream().filter(t -> t.startsWith("raw_")).allMatch(flat::contains);
      if (!owned) {
        return List.of();
      }
      if (fs.exists(new Path(root, "_artifacts"))) {
        flat.add("_artifacts");
      }
      fs.mkdirs(namespace);
      for (String entry : flat) {
        move(fs, new Path(root, entry), new Path(namespace, entry));
      }
      // only leftovers of killed runs (see Sessions.stop): nothing reads them
      fs.delete(new Path(root, Sessions.CHECKPOINTS), true);
      LOG.info("Moved the flat warehouse {} into the namespace {}: {}", root, namespace, String.join(", ", flat));
      return flat;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot move the flat warehouse " + platformRoot + " into " + namespaceRoot, e);
    }
  }

  private static void move(FileSystem fs, Path from, Path to) throws IOException {
    if (fs.exists(to)) {
      // an object store renames by copying: a move cut short leaves both
      throw NightcastException.badConfig(
          "Cannot move " + from + " into the pipeline's namespace: " + to + " exists too (a move cut short?). Compare them, delete"
              + " the incomplete one, then re-run");
    }
    if (!fs.rename(from, to) && !(fs.exists(to) && !fs.exists(from))) {
      throw new IOException("rename " + from + " -> " + to + " failed");
    }
  }
}
