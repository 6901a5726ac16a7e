package dev.nightcast.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * A real Prometheus Pushgateway (Debian's prometheus-pushgateway, installed by
 * bin/setup-test-tools) on a free loopback port, metrics in memory only.
 */
public final class TestPushgateway implements AutoCloseable {
  private static final Path BINARY = Path.of("/usr/bin/prometheus-pushgateway");

  private final Process process;
  private final String url;
  private final HttpClient client = HttpClient.newHttpClient();

  private TestPushgateway(Process process, String url) {
    this.process = process;
    this.url = url;
  }

  public static TestPushgateway start(Path log) throws IOException, InterruptedException {
    if (!Files.isExecutable(BINARY)) {
      fail(BINARY + " is not installed: run bin/setup-test-tools (installs Debian's prometheus-pushgateway package), then the tests again");
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Process process =
        new ProcessBuilder(BINARY.toString(), "--web.listen-address=127.0.0.1:" + port, "--persistence.file=")
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    TestPushgateway gateway = new TestPushgateway(process, "http://127.0.0.1:" + port);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        fail("prometheus-pushgateway exited with " + process.exitValue() + ": " + Files.readString(log));
      }
      try {
        if (gateway.get("/-/ready").statusCode() == 200) {
          return gateway;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    gateway.close();
    fail("prometheus-pushgateway did not get ready within 20 s: " + Files.readString(log));
    return gateway;
  }

  public String url() {
    return url;
  }

  /** Everything the gateway exposes for Prometheus to scrape. */
  public String scrape() throws IOException, InterruptedException {
    return get("/metrics").body();
  }

  /** Every sample the gateway exposes, by series ({@code name{labels}} as it prints them) to value. */
  public Map<String, Double> samples() throws IOException, InterruptedException {
    Map<String, Double> samples = new TreeMap<>();
    for (String line : scrape().split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        int space = line.lastIndexOf(' ');
        samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      }
    }
    return samples;
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    process.destroy();
  }
}
