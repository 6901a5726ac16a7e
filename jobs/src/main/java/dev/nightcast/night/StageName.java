package dev.nightcast.night;

import java.util.Locale;

/** The six stages of a night, in the order they run; each is also a command (`nightcast <label>`). */
public enum StageName {
  INGEST, FEATURES, TRAIN, SCORE, PUBLISH, MONITOR;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
