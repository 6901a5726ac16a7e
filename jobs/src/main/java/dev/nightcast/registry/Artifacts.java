package dev.nightcast.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;

/**
 * Model artifacts on the warehouse's file system, with the last few loaded models kept in this JVM:
 * a backfill scores every night with the same champion, and loading a pipeline model reads each
 * stage's metadata and data in Spark jobs of their own (dozens of jobs for a GBT). Saves go through here too, so the cache never holds what a re-training replaced;
 * only one nightcast run writes a pipeline's artifacts at a time (the run lock).
 */
public final class Artifacts {
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

  public static synchronized void save(PipelineModel model, String path) {
    LOADED.remove(path);
    try {
      model.write().overwrite().save(path);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot save model to " + path, e);
    }
    LOADED.put(path, model);
  }
}
