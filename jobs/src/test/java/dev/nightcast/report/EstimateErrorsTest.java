package dev.nightcast.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Expected values from numpy: mean(e - a), mean(|e - a|), corrcoef(e, a)[0, 1]. */
@Tag("unit")
class EstimateErrorsTest {
  private static final LocalDate D = LocalDate.parse("2001-01-15");

  private static ReportData.PerformancePoint point(int day, int version, String kind, Double auc, Double f1) {
    return new ReportData.PerformancePoint(D.plusDays(day), version, kind, 1000, auc, null, null, null, f1);
  }

  @Test
  void biasErrorAndCorrelationOverTheDaysWithBothKinds() {
    double[] estimated = {0.70, 0.72, 0.71, 0.75};
    double[] realised = {0.66, 0.70, 0.69, 0.68};
    List<ReportData.PerformancePoint> points = new ArrayList<>();
    for (int day = 0; day < 4; day++) {
      // across a promotion: days 0-1 served by v1, days 2-3 by v2
      int version = day < 2 ? 1 : 2;
      points.add(point(day, version, "estimated", estimated[day], null));
      points.add(point(day, version, "realised", realised[day], null));
    }
    // left out: an estimate whose labels have not arrived, and one of another version than the realised row
    points.add(point(4, 2, "estimated", 0.99, null));
    points.add(point(5, 2, "realised", 0.10, null));
    points.add(point(5, 3, "estimated", 0.95, null));

    List<EstimateErrors.EstimateError> errors = EstimateErrors.of(points);

    assertThat(errors).hasSize(1);
    EstimateErrors.EstimateError auc = errors.get(0);
    assertThat(auc.metric()).isEqualTo("roc_auc");
    assertThat(auc.days()).isEqualTo(4);
    assertThat(auc.bias()).isCloseTo(0.03749999999999998, within(1e-12));
    assertThat(auc.meanAbsoluteError()).isCloseTo(0.03749999999999998, within(1e-12));
    assertThat(auc.correlation()).isCloseTo(0.27105237087157724, within(1e-12));
    assertThat(auc.tracks()).isFalse();
  }

  @Test
  void oneDayOrNoSpreadHasNoCorrelationAndDoesNotTrack() {
    List<EstimateErrors.EstimateError> one = EstimateErrors.of(List.of(point(0, 1, "estimated", null, 0.3), point(0, 1, "realised", null, 0.5)));
    assertThat(one).singleElement().satisfies(f1 -> {
      assertThat(f1.metric()).isEqualTo("f1");
      assertThat(f1.bias()).isCloseTo(-0.2, within(1e-12));
      assertThat(f1.meanAbsoluteError()).isCloseTo(0.2, within(1e-12));
      assertThat(f1.correlation()).isNaN();
      assertThat(f1.tracks()).isFalse();
    });
    List<EstimateErrors.EstimateError> flat =
        EstimateErrors.of(List.of(point(0, 1, "estimated", 0.7, null), point(0, 1, "realised", 0.6, null), point(1, 1, "estimated", 0.7, null),
            point(1, 1, "realised", 0.65, null)));
    assertThat(flat.get(0).correlation()).isNaN();
  }
}
