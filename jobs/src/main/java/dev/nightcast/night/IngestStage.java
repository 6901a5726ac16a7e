package dev.nightcast.night;

import dev.nightcast.ingest.Ingest;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads, validates and profiles each source's drop for the night; replaces its raw and quarantine rows. */
final class IngestStage implements Stage<List<Ingest.Result>> {
  private static final Logger LOG = LoggerFactory.getLogger(IngestStage.class);

  @Override
  public StageName name() {
    return StageName.INGEST;
  }

  @Override
  public StageResult<List<Ingest.Result>> run(NightContext night) {
    // the one wall-clock value in the raw tables: when the drop was read (an attempt detail, not data)
    String ingestedAt = Timestamp.from(Instant.now()).toString();
    List<Ingest.Result> results =
        Ingest.run(night.warehouse(), night.context().env().landing(night.pipeline().name()), night.pipeline().sources(), night.ds(), night.runId(), ingestedAt);
    for (Ingest.Result result : results) {
      LOG.info(
          "{} ingest {}: {} rows in, {} quarantined, {} with warnings, from {}",
          night.ds(), result.source(), result.rowsIn(), result.rowsQuarantined(), result.rowsWarned(), result.dropPath());
    }
    return new StageResult<>(
        results, results.stream().mapToLong(Ingest.Result::rowsIn).sum(), results.stream().mapToLong(Ingest.Result::rows).sum());
  }
}
