package dev.nightcast.cli;

import static dev.nightcast.cli.InProcessCli.copy;
import static dev.nightcast.cli.InProcessCli.localProfile;
import static dev.nightcast.cli.InProcessCli.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.cli.InProcessCli.Captured;
import dev.nightcast.testing.TestPipelines;
import dev.nightcast.testing.TestSpark;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `nightcast check` on drops as Spark writes them: a Delta table (columns from the newest schema in
 * its log) and a folder of Parquet part files. Spark only writes the drops; check reads them without it.
 */
@Tag("spark")
class CheckDropsWrittenBySparkTest {
  @TempDir Path dir;

  @Test
  void aDeltaDropIsCheckedAgainstItsLatestSchemaAndAParquetFolderByItsFirstPart() throws Exception {
    Path pipeline = TestPipelines.flightDelay(dir, Map.of("sources.actuals.format", "delta", "sources.actuals.path", "actuals/{date}",
        "sources.schedule.format", "parquet", "sources.schedule.path", "schedule/{date}")).file();
    Path landing = dir.resolve("landing");
    copy("actuals/2001-01-15.parquet", landing);
    Dataset<Row> actuals = TestSpark.session().read().parquet(landing.resolve("actuals/2001-01-15.parquet").toString());
    Path delta = landing.resolve("actuals/2001-01-15");
    Path schedule = landing.resolve("schedule/2001-01-16");
    actuals.drop("delay").write().format("delta").save(delta.toString());
    actuals.drop("delay").repartition(2).write().parquet(schedule.toString());
    String[] check = {"check", "--pipeline", pipeline.toString(), "--env", localProfile(dir, landing).toString(), "--date", "2001-01-15"};

    Captured before = run(check);

    assertThat(before.code()).isEqualTo(4);
    assertThat(before.out()).contains("drop schedule: " + schedule + ": present, parquet columns as declared");
    assertThat(before.err()).contains("source 'actuals' for 2001-01-15").contains("missing: [delay], unexpected: []").contains("file: " + delta);

    actuals.write().format("delta").mode("overwrite").option("overwriteSchema", "true").save(delta.toString());
    Captured after = run(check);

    assertThat(after.code()).as(after.err()).isZero();
    assertThat(after.out()).contains("drop actuals: " + delta + ": present, delta columns as declared").contains("night 2001-01-15");
  }
}
