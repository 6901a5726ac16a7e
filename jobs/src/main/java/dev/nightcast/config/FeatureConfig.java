package dev.nightcast.config;

import java.util.Set;

/**
 * A model input: a Spark SQL expression over the source columns. Numeric features feed the model
 * as they are; categorical ones are indexed and one-hot encoded inside the model pipeline.
 */
public record FeatureConfig(String name, String expr, String type) {
  private static final Set<String> TYPES = Set.of("numeric", "categorical");

  public FeatureConfig {
    Check.identifier(name, "name");
    Check.present(expr, "expr");
    Check.present(type, "type");
    Check.that(TYPES.contains(type), "'type' must be one of " + TYPES + " (got '" + type + "')");
  }

  public boolean categorical() {
    return type.equals("categorical");
  }
}
