package dev.nightcast.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's real Chromium, headless (installed by bin/setup-test-tools): loads a local page, lets its
 * scripts run, and hands back the resulting DOM, the page's console messages, or a screenshot.
 */
public final class Chromium {
  private static final Path BINARY = Path.of("/usr/bin/chromium");

  private Chromium() {}

  /** The DOM after the page's scripts ran, and what the page wrote to its console (errors included). */
  public record Page(String dom, List<String> console) {}

  /** {@code scratch}: an empty directory for the browser profile and its output (e.g. a JUnit temp dir). */
  public static Page dumpDom(Path html, Path scratch) {
    Run run = run(html, scratch.resolve("dump"), "--dump-dom");
    List<String> console = run.stderr().lines().filter(line -> line.contains(":CONSOLE")).toList();
    return new Page(run.stdout(), console);
  }

  public static void screenshot(Path html, Path png, int width, int height, Path scratch) {
    run(html, scratch.resolve("screenshot"), "--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height, "--hide-scrollbars");
    if (!Files.isRegularFile(png)) {
      fail("Chromium wrote no screenshot to " + png);
    }
  }

  private record Run(String stdout, String stderr) {}

  private static Run run(Path html, Path dir, String... action) {
    if (!Files.isExecutable(BINARY)) {
      fail(BINARY + " is not installed: run bin/setup-test-tools (installs Debian's chromium package), then the tests again");
    }
    try {
      Path profile = Files.createDirectories(dir.resolve("profile"));
      Path stdout = dir.resolve("stdout.txt");
      Path stderr = dir.resolve("stderr.txt");
      List<String> command = new ArrayList<>(List.of(
          BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          // this machine's network is closed: without these Chromium keeps trying Google's hosts
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0"));
      command.addAll(List.of(action));
      command.add(html.toAbsolutePath().toUri().toString());
      Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("Chromium did not finish within 90 s: " + command);
      }
      String err = Files.readString(stderr, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        fail("Chromium exited with " + process.exitValue() + ": " + command + "\n" + err);
      }
      return new Run(Files.readString(stdout, StandardCharsets.UTF_8), err);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
