package dev.nightcast.ops;

import dev.nightcast.NightcastException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Pushes a night's metrics to a Prometheus Pushgateway under the grouping key
 * {@code job="nightcast", pipeline=<name>}. PUT replaces the group's metrics, so the gateway always
 * holds the last night as a whole (a stage that did not run does not linger from an earlier night).
 */
public final class Pushgateway {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final String url;

  public Pushgateway(String url) {
    this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  public URI groupUri(String pipeline) {
    return URI.create(url + "/metrics/job/nightcast/pipeline/" + URLEncoder.encode(pipeline, StandardCharsets.UTF_8).replace("+", "%20"));
  }

  /** Replaces the pipeline's group with {@code text} (Prometheus text format). */
  public void push(String pipeline, String text) {
    URI target = groupUri(pipeline);
    HttpRequest request =
        HttpRequest.newBuilder(target)
            .timeout(TIMEOUT)
            .header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            .PUT(HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8))
            .build();
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw NightcastException.badConfig(
            "Cannot push run metrics to " + target + ": the Pushgateway answered HTTP " + response.statusCode() + " (" + response.body().strip()
                + "); check pushgateway_url in the environment profile");
      }
    } catch (IOException e) {
      throw NightcastException.badConfig(
          "Cannot push run metrics to " + target + ": " + e + " (is the Pushgateway up? check pushgateway_url in the environment profile)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw NightcastException.badConfig("Cannot push run metrics to " + target + ": interrupted");
    }
  }
}
