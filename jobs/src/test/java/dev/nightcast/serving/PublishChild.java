package dev.nightcast.serving;

import dev.nightcast.config.EnvConfig;
import dev.nightcast.testing.TestSpark;
import java.time.LocalDate;

/**
 * A publishing process for {@link PublishCrashTest} to kill: publishes {@code rows} predictions for
 * {@code ds} to the server at {@code url}, reached the production way (credentials from the
 * environment variables CHILD_PG_USER and CHILD_PG_PASSWORD).
 *
 * <p>Arguments: url schema rows ds model_version
 */
public final class PublishChild {
  private PublishChild() {}

  public static void main(String[] args) {
    String url = args[0];
    String schema = args[1];
    long rows = Long.parseLong(args[2]);
    LocalDate ds = LocalDate.parse(args[3]);
    int modelVersion = Integer.parseInt(args[4]);
    EnvConfig.PostgresSettings settings = new EnvConfig.PostgresSettings(null, url, "CHILD_PG_USER", "CHILD_PG_PASSWORD");
    try (ServingDatabase database = ServingDatabase.open(settings, System.getenv())) {
      new Publisher(database, ServingFixtures.serving(schema, 3, 2), ServingFixtures.KEY)
          .publish(ServingFixtures.predictions(TestSpark.session(), rows, ds, modelVersion), ds, modelVersion);
    }
    System.exit(0);
  }
}
