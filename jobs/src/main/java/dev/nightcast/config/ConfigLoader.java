package dev.nightcast.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.nightcast.NightcastException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads YAML into the typed config records. Every failure names the file, the key path and a hint;
 * nothing here starts Spark, so bad config fails in well under a second.
 */
public final class ConfigLoader {
  private static final Set<Class<?>> INTEGRAL = Set.of(int.class, Integer.class, long.class, Long.class);
  private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)(:-([^}]*))?}");
  public static final String ENV_DIR = "conf/env/";
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          // 2.5 for an integer key is a slip to report, not a value to truncate
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .registerModule(
              new SimpleModule()
                  .addDeserializer(String.class, new TextOnly())
                  .setDeserializerModifier(
                      new BeanDeserializerModifier() {
                        @Override
                        public JsonDeserializer<?> modifyEnumDeserializer(
                            DeserializationConfig config, JavaType type, BeanDescription description, JsonDeserializer<?> deserializer) {
                          return new EnumTextOnly(deserializer, type.getRawClass());
                        }
                      }));

  private ConfigLoader() {}

  /** A pipeline definition with its content hash (recorded with every model it trains). */
  public record LoadedPipeline(PipelineConfig config, Path file, String sha256) {}

  public static LoadedPipeline loadPipeline(Path file) {
    String text = read(file, "pipeline definition");
    return new LoadedPipeline(bind(tree(text, file), PipelineConfig.class, file), file, sha256(text));
  }

  /**
   * Loads an environment profile: a name such as {@code local} means {@code conf/env/local.yaml}
   * under {@code home}. {@code ${VAR}} and {@code ${VAR:-default}} in values are taken from
   * {@code environment}; relative paths are resolved against {@code home}.
   */
  public static EnvConfig loadEnv(String nameOrPath, Path home, Map<String, String> environment) {
    Path file = envFile(nameOrPath, home);
    JsonNode tree = tree(read(file, "environment profile"), file);
    substitute(tree, environment, file, "");
    EnvConfig env = bind(tree, EnvConfig.class, file);
    EnvConfig.Embedded embedded = env.postgres().embedded();
    return new EnvConfig(
        resolve(home, env.warehouse()),
        resolve(home, env.landing()),
        env.spark(),
        embedded == null
            ? env.postgres()
            : new EnvConfig.PostgresSettings(
                new EnvConfig.Embedded(resolve(home, embedded.dataDir()), embedded.port()), null, null, null),
        env.pushgatewayUrl(),
        env.catalog().derbyDir() == null
            ? env.catalog()
            : new EnvConfig.CatalogSettings(env.catalog().metastore(), resolve(home, env.catalog().derbyDir()), env.catalog().uris()));
  }

  /** The profile file {@code nameOrPath} names: a name such as {@code local} is {@code conf/env/local.yaml} under {@code home}. */
  public static Path envFile(String nameOrPath, Path home) {
    return nameOrPath.endsWith(".yaml") || nameOrPath.contains("/") ? home.resolve(nameOrPath) : home.resolve(ENV_DIR + nameOrPath + ".yaml");
  }

  private static String resolve(Path home, String path) {
    if (path.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
      return path;
    }
    return home.resolve(path).toAbsolutePath().normalize().toString();
  }

  private static void substitute(JsonNode node, Map<String, String> environment, Path file, String path) {
    if (!(node instanceof ObjectNode object)) {
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
      if (field.getValue().isTextual()) {
        field.setValue(new TextNode(expand(field.getValue().asText(), environment, file, key)));
      } else {
        substitute(field.getValue(), environment, file, key);
      }
    }
  }

  private static String expand(String value, Map<String, String> environment, Path file, String key) {
    Matcher matcher = ENV_REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String replacement = environment.get(matcher.group(1));
      if (replacement == null || replacement.isEmpty()) {
        replacement = matcher.group(3);
      }
      if (replacement == null) {
        throw NightcastException.badConfig(
            "Cannot load "
                + file
                + ": '"
                + key
                + "' refers to environment variable "
                + matcher.group(1)
                + ", which is not set (set it, or give a default as ${"
                + matcher.group(1)
                + ":-value})");
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static String read(Path file, String what) {
    if (!Files.isRegularFile(file)) {
      throw NightcastException.badConfig(
          "Cannot load " + what + ": " + file + " does not exist (check --pipeline / --env and NIGHTCAST_HOME)");
    }
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw NightcastException.badConfig("Cannot load " + what + ": " + file + " is not readable (" + e + ")", e);
    }
  }

  private static JsonNode tree(String text, Path file) {
    try {
      JsonNode tree = YAML.readTree(text);
      if (tree == null || !tree.isObject()) {
        throw NightcastException.badConfig("Cannot load " + file + ": the file must hold a YAML mapping");
      }
      return tree;
    } catch (IOException e) {
      throw NightcastException.badConfig("Cannot load " + file + ": not valid YAML (" + e.getMessage() + ")", e);
    }
  }

  static <T> T bind(JsonNode tree, Class<T> type, Path file) {
    try {
      return YAML.treeToValue(tree, type);
    } catch (UnrecognizedPropertyException e) {
      String known =
          e.getKnownPropertyIds() == null
              ? ""
              : " (known keys here: "
                  + e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "))
                  + ")";
      String retired = e.getReferringClass() == TrainingConfig.class ? TrainingConfig.RETIRED_KEYS.get(e.getPropertyName()) : null;
      if (retired != null) {
        throw NightcastException.badConfig("Cannot load " + file + ": '" + keyPath(e) + "' no longer exists: " + retired, e);
      }
      throw NightcastException.badConfig(
          "Cannot load " + file + ": unknown key '" + keyPath(e) + "'" + known + "; fix its spelling or remove it", e);
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String at = keyPath(e);
      throw NightcastException.badConfig(
          "Cannot load " + file + ": invalid value" + (at.isEmpty() ? "" : " under '" + at + "'") + ": " + cause.getMessage(),
          e);
    } catch (InvalidFormatException e) {
      throw NightcastException.badConfig("Cannot load " + file + ": " + wrongType(keyPath(e), e.getTargetType(), e.getValue()), e);
    } catch (MismatchedInputException e) {
      throw NightcastException.badConfig(
          "Cannot load "
              + file
              + ": '"
              + keyPath(e)
              + "' has the wrong type or is missing: expected "
              + (e.getTargetType() == null ? "another value" : e.getTargetType().getSimpleName()),
          e);
    } catch (IOException | IllegalArgumentException e) {
      throw NightcastException.badConfig("Cannot load " + file + ": " + e.getMessage(), e);
    }
  }

  private static String wrongType(String key, Class<?> target, Object value) {
    if (value instanceof Boolean yamlBoolean) {
      String values =
          target.isEnum()
              ? "one of " + Arrays.stream(target.getEnumConstants()).map(c -> c.toString().toLowerCase(Locale.ROOT)).toList()
              : "a value as conf/README.md lists it";
      return "'" + key + "' takes text, but YAML read the plain word there as the boolean " + yamlBoolean
          + " (yes, no, on, off, true and false are booleans in YAML): write " + values
          + " (e.g. 'disabled', not off), or quote a text that is one of these words ('no')";
    }
    if (value instanceof Number && INTEGRAL.contains(target)) {
      return "'" + key + "' takes a whole number, not the decimal " + value + " (an integer key is never rounded or truncated)";
    }
    return "'" + key + "' has the wrong type: expected " + target.getSimpleName() + ", got '" + value + "'";
  }

  /**
   * Text keys take no YAML booleans: plain {@code off} or {@code no} would otherwise arrive as the
   * text "false". Free-form Spark option maps opt out (their "true" and "false" are what Spark reads).
   */
  private static final class TextOnly extends StdScalarDeserializer<String> {
    TextOnly() {
      super(String.class);
    }

    @Override
    public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
      rejectBoolean(parser, String.class);
      return StringDeserializer.instance.deserialize(parser, context);
    }
  }

  /** The same for the enumerated keys bound to enums ({@code gate.mode}, {@code training.task}). */
  private static final class EnumTextOnly extends DelegatingDeserializer {
    private final Class<?> type;

    EnumTextOnly(JsonDeserializer<?> deserializer, Class<?> type) {
      super(deserializer);
      this.type = type;
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> deserializer) {
      return new EnumTextOnly(deserializer, type);
    }

    @Override
    public Object deserialize(JsonParser parser, DeserializationContext context) throws IOException {
      rejectBoolean(parser, type);
      return super.deserialize(parser, context);
    }
  }

  private static void rejectBoolean(JsonParser parser, Class<?> target) throws IOException {
    if (parser.currentToken() == JsonToken.VALUE_TRUE || parser.currentToken() == JsonToken.VALUE_FALSE) {
      throw InvalidFormatException.from(parser, "a YAML boolean where text is expected", parser.getBooleanValue(), target);
    }
  }

  private static String keyPath(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference reference : e.getPath()) {
      if (reference.getFieldName() != null) {
        if (!path.isEmpty()) {
          path.append('.');
        }
        path.append(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
