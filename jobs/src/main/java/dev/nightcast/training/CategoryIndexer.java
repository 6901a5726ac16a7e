package dev.nightcast.training;

import java.util.Arrays;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

/**
 * MLlib's StringIndexer with a cap per column: of a column capped at K, the K values most frequent
 * in the fitted data (ties by name) get their own index; every other value, unseen ones and nulls
 * share the last index, as MLlib's "keep" bucket does. Kept values are indexed alphabetically, so an
 * uncapped column is indexed exactly as {@code stringOrderType=alphabetAsc} would. The fitted model
 * is MLlib's own StringIndexerModel (saved and loaded with the model like any other stage).
 *
 * <p>Why a cap: a tree's split search on a categorical costs the square of its category count (and
 * maxBins grows with it). Whether the long tail of rare values carries signal depends on the data:
 * on the sample's routes it did (bench/README.md).
 */
final class CategoryIndexer extends Estimator<StringIndexerModel> {
  private final String uid = Identifiable.randomUID("categoryIndexer");
  private final String[] inputCols;
  private final String[] outputCols;
  private final int[] caps;

  /** @param caps the most values each column keeps, {@code Integer.MAX_VALUE} for all */
  CategoryIndexer(String[] inputCols, String[] outputCols, int[] caps) {
    this.inputCols = inputCols.clone();
    this.outputCols = outputCols.clone();
    this.caps = caps.clone();
  }

  private StringIndexer indexer() {
    return new StringIndexer().setInputCols(inputCols).setOutputCols(outputCols).setHandleInvalid("keep");
  }

  @Override
  public StringIndexerModel fit(Dataset<?> dataset) {
    // frequencyDesc orders equal counts by name, so the cut at K is the same on every run
    String[][] byFrequency = indexer().setStringOrderType("frequencyDesc").fit(dataset).labelsArray();
    String[][] kept = new String[byFrequency.length][];
    for (int i = 0; i < byFrequency.length; i++) {
      kept[i] = Arrays.copyOf(byFrequency[i], Math.min(caps[i], byFrequency[i].length));
      Arrays.sort(kept[i]);
    }
    return new StringIndexerModel(uid, kept).setInputCols(inputCols).setOutputCols(outputCols).setHandleInvalid("keep");
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return indexer().transformSchema(schema);
  }

  @Override
  public CategoryIndexer copy(ParamMap extra) {
    return new CategoryIndexer(inputCols, outputCols, caps);
  }

  @Override
  public String uid() {
    return uid;
  }
}
