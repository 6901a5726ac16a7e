package dev.nightcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.testing.TestPipelines;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The command line in this JVM, its output captured; for commands that start no Spark (or share the tests' session). */
final class InProcessCli {
  private InProcessCli() {}

  record Captured(int code, String out, String err) {}

  static Captured run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
      int code = Nightcast.execute(args);
      return new Captured(code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  /** conf/env/local.yaml with its landing and var dir pointed at absolute paths (relative ones resolve against NIGHTCAST_HOME). */
  static Path localProfile(Path dir, Path landing) throws IOException {
    String local = Files.readString(TestPipelines.root().resolve("conf/env/local.yaml"));
    assertThat(local).contains("${NIGHTCAST_LANDING:-data-samples/flights}").contains("${NIGHTCAST_VAR_DIR:-var}");
    return Files.writeString(dir.resolve("local.yaml"),
        local.replace("${NIGHTCAST_LANDING:-data-samples/flights}", landing.toString()).replace("${NIGHTCAST_VAR_DIR:-var}", dir.resolve("var").toString()));
  }

  /** Copies one drop of the bundled sample into {@code landing}. */
  static void copy(String drop, Path landing) throws IOException {
    Path target = landing.resolve(drop);
    Files.createDirectories(target.getParent());
    Files.copy(TestPipelines.sampleLanding().resolve(drop), target);
  }
}
