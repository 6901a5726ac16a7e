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
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
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
import java.util.Collection;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
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
  /** A validation message that starts with the key it is about, relative to its record: {@code 'history.days' must be ...}. */
  private static final Pattern RELATIVE_KEY = Pattern.compile("'([a-z_][a-z0-9_]*(?:\\[\\d+])?(?:\\.[a-zA-Z_][a-zA-Z0-9_]*(?:\\[\\d+])?)*)'");
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
                  .addDeserializer(Double.class, new NumberNotNaN(Double.class, null))
                  .addDeserializer(double.class, new NumberNotNaN(Double.TYPE, 0.0))
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
            : new EnvConfig.CatalogSettings(env.catalog().metastore(), resolve(home, env.catalog().derbyDir()), env.catalog().uris()),
        env.landings().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> resolve(home, e.getValue()))));
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
      throw NightcastException.badConfig("Cannot load " + file + ": " + within(keyPath(e), cause.getMessage()), e);
    } catch (InvalidFormatException e) {
      throw NightcastException.badConfig("Cannot load " + file + ": " + wrongType(keyPath(e), e.getTargetType(), e.getValue(), at(tree, e)), e);
    } catch (MismatchedInputException e) {
      throw NightcastException.badConfig("Cannot load " + file + ": " + wrongType(keyPath(e), e.getTargetType(), null, at(tree, e)), e);
    } catch (JsonMappingException e) {
      // e.g. a number beyond the key's range: Jackson's message names its own types and parser state
      throw NightcastException.badConfig("Cannot load " + file + ": " + wrongType(keyPath(e), null, null, at(tree, e)), e);
    } catch (IOException | IllegalArgumentException e) {
      throw NightcastException.badConfig("Cannot load " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * A record's validation message with its key made a full path: the record checks its own keys
   * ({@code 'days' must be ...}), the loader knows where the record is ({@code features[8].history}).
   */
  private static String within(String at, String message) {
    if (at.isEmpty()) {
      return message;
    }
    Matcher key = RELATIVE_KEY.matcher(message);
    if (!key.lookingAt()) {
      return "under '" + at + "': " + message;
    }
    // a nested record may name its own key first ('history.days' inside features[8].history)
    String relative = key.group(1);
    String own = at.substring(at.lastIndexOf('.') + 1).replaceFirst("\\[\\d+]$", "");
    if (relative.startsWith(own + ".")) {
      relative = relative.substring(own.length() + 1);
    } else if (relative.equals(own)) {
      return "'" + at + "'" + message.substring(key.end());
    }
    return "'" + at + "." + relative + "'" + message.substring(key.end());
  }

  private static String wrongType(String key, Class<?> target, Object value, JsonNode given) {
    if (value instanceof Boolean yamlBoolean && target != null && !isBoolean(target)) {
      String values =
          target.isEnum()
              ? "one of " + enumValues(target)
              : "a value as conf/README.md lists it";
      return "'" + key + "' takes " + takes(target) + ", but YAML read the plain word there as the boolean " + yamlBoolean
          + " (yes, no, on, off, true and false are booleans in YAML): write " + values
          + " (e.g. 'disabled', not off), or quote a text that is one of these words ('no')";
    }
    if (value instanceof Double number && number.isNaN()) {
      return "'" + key + "' takes a number, not NaN (.nan)";
    }
    if (value instanceof Number && INTEGRAL.contains(target)) {
      return "'" + key + "' takes a whole number, not the decimal " + value + " (an integer key is never rounded or truncated)";
    }
    if (given == null || given.isMissingNode() || given.isNull()) {
      return "'" + key + "' is required: it takes " + takes(target);
    }
    if (given.isBigInteger() || (given.isNumber() && target != null && INTEGRAL.contains(target))) {
      return "'" + key + "' takes a whole number within " + (target == int.class || target == Integer.class ? "±2^31" : "±2^63") + ", not " + given.asText();
    }
    return "'" + key + "' takes " + takes(target) + ", not " + describe(given);
  }

  /** What a key of {@code type} takes, in the words of the YAML file. */
  private static String takes(Class<?> type) {
    if (type == null) {
      return "another value";
    } else if (type == String.class) {
      return "text";
    } else if (INTEGRAL.contains(type)) {
      return "a whole number";
    } else if (type == double.class || type == Double.class) {
      return "a number";
    } else if (isBoolean(type)) {
      return "true or false";
    } else if (type.isEnum()) {
      return "one of " + enumValues(type);
    } else if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "a list";
    }
    return "a mapping";
  }

  private static boolean isBoolean(Class<?> type) {
    return type == boolean.class || type == Boolean.class;
  }

  private static List<String> enumValues(Class<?> type) {
    return Arrays.stream(type.getEnumConstants()).map(c -> c.toString().toLowerCase(Locale.ROOT)).toList();
  }

  private static String describe(JsonNode given) {
    if (given.isTextual()) {
      return "the text '" + given.asText() + "'";
    } else if (given.isArray()) {
      return "a list";
    } else if (given.isObject()) {
      return "a mapping";
    } else if (given.isBoolean()) {
      return "the boolean " + given.asText();
    }
    return "the number " + given.asText();
  }

  /** The node of the file at the failure's key path (missing when the key is absent). */
  private static JsonNode at(JsonNode tree, JsonMappingException e) {
    JsonNode node = tree;
    for (JsonMappingException.Reference reference : e.getPath()) {
      node = reference.getFieldName() != null ? node.path(reference.getFieldName()) : node.path(reference.getIndex());
    }
    return node;
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

  /** A number key takes no YAML {@code .nan}: every comparison with it is false, so a bound or threshold would silently never hold. */
  private static final class NumberNotNaN extends NumberDeserializers.DoubleDeserializer {
    NumberNotNaN(Class<Double> type, Double nullValue) {
      super(type, nullValue);
    }

    @Override
    public Double deserialize(JsonParser parser, DeserializationContext context) throws IOException {
      Double value = super.deserialize(parser, context);
      if (value != null && value.isNaN()) {
        throw InvalidFormatException.from(parser, "NaN where a number is expected", value, Double.class);
      }
      return value;
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

  /** Lower-case hex SHA-256 of the text's UTF-8 bytes. */
  public static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
