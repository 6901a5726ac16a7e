package dev.nightcast.cli;

import dev.nightcast.night.NightlyRun;

/** One-line outcomes printed by the commands. */
final class Summaries {
  private Summaries() {}

  static String night(NightlyRun.Night night) {
    StringBuilder line = new StringBuilder("night " + night.ds() + ": ");
    night.training().ifPresent(
        t -> line.append("trained ").append(t.candidates().size()).append(" candidates, ")
            .append(t.promoted().map(v -> "promoted v" + v).orElse("rejected v" + t.pick().version())).append("; "));
    if (night.servingModel().isEmpty()) {
      line.append("no champion yet, nothing scored");
    } else {
      line.append(night.predictions()).append(" predictions by model v").append(night.servingModel().get());
      night.publish().ifPresent(p -> line.append(", published as serving version ").append(p.version()));
    }
    night.log().ifPresent(log -> line.append(" (log: ").append(log).append(")"));
    return line.toString();
  }
}
