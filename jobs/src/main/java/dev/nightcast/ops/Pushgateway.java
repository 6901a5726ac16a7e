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
 *
 * <p>A successful night also replaces the group {@code job="nightcast_last_success", pipeline=<name>}
 * with its last-success time. A group of its own, because the night's PUT would wipe a last-success
 * gauge in the night's group; and not a POST into that group (which replaces only the metrics
 * named in it), because then a failed night would leave the previous night's drift or performance
 * behind as if they were tonight's.
 */
public final class Pushgateway {
  public static final String NIGHT_JOB = "nightcast";
  public static final String LAST_SUCCESS_JOB = "nightcast_last_success";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final String url;

  public Pushgateway(String url) {
    this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private URI groupUri(String job, String pipeline) {
    return URI.create(url + "/metrics/job/" + job + "/pipeline/" + URLEncoder.encode(pipeline, StandardCharsets.UTF_8).replace("+", "%20"));
  }

  /** The night's group, then (a successful night only) the last-success group. */
  public void pushNight(String pipeline, RunMetrics.Night night) {
    push(NIGHT_JOB, pipeline, RunMetrics.text(night));
    RunMetrics.lastSuccessText(night).ifPresent(text -> push(LAST_SUCCESS_JOB, pipeline, text));
  }

  /** Replaces the group of {@code job} and {@code pipeline} with {@code text} (Prometheus text format). */
  private void push(String job, String pipeline, String text) {
    URI target = groupUri(job, pipeline);
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
