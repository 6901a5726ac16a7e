package dev.nightcast.registry;

import dev.nightcast.warehouse.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.SparkSession;

/**
 * Model artifacts on the warehouse's file system, with the last few loaded models kept in this JVM:
 * a backfill scores every night with the same champion, and loading a pipeline model reads each
 * stage's metadata and data in Spark jobs of their own (dozens of jobs for a GBT). Saves go through
 * here too; an artifact is never overwritten, so a cached model is always the one stored.
 */
public final class Artifacts {
  /** The artifacts' folder under the warehouse root. */
  static final String MODELS = "_artifacts/models";

  private static final int KEPT = 4;
  private static final Map<String, PipelineModel> LOADED =
      new LinkedHashMap<>(KEPT, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PipelineModel> eldest) {
          return size() > KEPT;
        }
      };

  private Artifacts() {}

  public static synchronized PipelineModel load(String path) {
    PipelineModel model = LOADED.get(path);
    if (model == null) {
      model = PipelineModel.load(path);
      LOADED.put(path, model);
    }
    return model;
  }

  /**
   * Saves a new artifact. Artifacts are immutable: a path that exists already is a bug in version
   * numbering (see {@link Registry#nextVersion}), never something to overwrite.
   */
  public static synchronized void save(PipelineModel model, String path) {
    try {
      if (fileSystem(path).exists(new Path(path))) {
        throw new IllegalStateException("Cannot save a model to " + path + ": an artifact is stored there already, and artifacts are never overwritten");
      }
      model.write().save(path);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot save model to " + path, e);
    }
    LOADED.put(path, model);
  }

  /**
   * The absolute location of an artifact path read from the registry: a relative path lies under this
   * warehouse; an absolute one (as nightcast recorded them before paths were relative) that points
   * into another warehouse's artifacts, e.g. of the warehouse this one was copied from, is read from
   * this warehouse's.
   */
  public static String resolve(Warehouse warehouse, String stored) {
    if (!stored.startsWith("/") && !stored.contains(":")) {
      return warehouse.root() + "/" + stored;
    }
    int at = stored.lastIndexOf("/" + MODELS + "/");
    return at < 0 ? stored : warehouse.root() + stored.substring(at);
  }

  /** The highest version with an artifact folder under the warehouse, 0 when there is none. Cost: one listing. */
  static int highestVersion(Warehouse warehouse) {
    String folder = warehouse.root() + "/" + MODELS;
    try {
      FileSystem fs = fileSystem(folder);
      if (!fs.exists(new Path(folder))) {
        return 0;
      }
      int highest = 0;
      for (FileStatus status : fs.listStatus(new Path(folder))) {
        String name = status.getPath().getName();
        if (name.matches("v[0-9]+")) {
          highest = Math.max(highest, Integer.parseInt(name.substring(1)));
        }
      }
      return highest;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the model artifacts under " + folder, e);
    }
  }

  private static FileSystem fileSystem(String path) throws IOException {
    return new Path(path).getFileSystem(SparkSession.active().sparkContext().hadoopConfiguration());
  }
}
