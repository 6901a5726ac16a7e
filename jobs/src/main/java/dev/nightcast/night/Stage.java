package dev.nightcast.night;

import java.util.Optional;

/**
 * One stage of the night: a thin shell that reads its inputs, calls the pure work of its package and
 * writes the tables that package owns. {@link NightlyRun} runs the stages in order and records each
 * attempt in {@code runs}; an operator can run one on its own (`nightcast <stage> --date D`).
 */
public interface Stage<T> {
  StageName name();

  /**
   * Why this stage does not run in tonight's sequence (empty: it runs). Asked just before it would
   * run, so it sees what the stages before it wrote; a stage run on its own is never skipped.
   */
  default Optional<String> skipped(NightContext night) {
    return Optional.empty();
  }

  StageResult<T> run(NightContext night);
}
