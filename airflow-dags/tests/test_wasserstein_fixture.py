"""The Wasserstein fixture the Java suite checks nightcast against, checked here against SciPy.

jobs/src/test/resources/wasserstein/ holds three pairs of samples (a 0/1 column, an integer
column with 24 values, a continuous column) and SciPy's `wasserstein_distance` of each pair;
`WassersteinScipyTest` (Java, spark lane) bins the samples as a night does and compares. This test
re-derives the samples from their seed and the distances with SciPy, so neither file can drift
from what SciPy says. Regenerate both with `python tests/test_wasserstein_fixture.py`.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from scipy.stats import wasserstein_distance

FIXTURE = Path(__file__).resolve().parents[2] / "jobs" / "src" / "test" / "resources" / "wasserstein"
SAMPLES = FIXTURE / "samples.csv"
EXPECTED = FIXTURE / "expected.csv"
ROWS = 2000
COLUMNS = ("binary", "hour", "continuous")


def generate() -> dict[str, list[float]]:
    """Reference and current sample of each column: a late-flight share of 20% vs 31%, a daily
    curve of departure hours shifted by two hours, and a normal vs a shifted, wider normal."""
    rng = random.Random(29)
    hours = list(range(24))
    reference_weights = [0.2 if h < 5 else 1 + (h % 12) / 6 for h in hours]
    current_weights = reference_weights[-2:] + reference_weights[:-2]
    samples = {
        "binary_reference": [float(rng.random() < 0.20) for _ in range(ROWS)],
        "binary_current": [float(rng.random() < 0.31) for _ in range(ROWS)],
        "hour_reference": [float(h) for h in rng.choices(hours, reference_weights, k=ROWS)],
        "hour_current": [float(h) for h in rng.choices(hours, current_weights, k=ROWS)],
        "continuous_reference": [round(rng.gauss(50, 10), 6) for _ in range(ROWS)],
        "continuous_current": [round(rng.gauss(53, 12), 6) for _ in range(ROWS)],
    }
    return samples


def scipy_distances(samples: dict[str, list[float]]) -> dict[str, float]:
    return {c: float(wasserstein_distance(samples[f"{c}_reference"], samples[f"{c}_current"])) for c in COLUMNS}


def read_samples() -> dict[str, list[float]]:
    with SAMPLES.open(newline="") as f:
        rows = list(csv.DictReader(f))
    return {name: [float(row[name]) for row in rows] for name in rows[0]}


def read_expected() -> dict[str, float]:
    with EXPECTED.open(newline="") as f:
        return {row["column_name"]: float(row["scipy_wasserstein"]) for row in csv.DictReader(f)}


def test_the_samples_are_the_seeded_ones_and_cover_the_three_kinds_of_column():
    samples = read_samples()
    assert samples == generate()
    distinct = {name: len(set(values)) for name, values in samples.items()}
    assert distinct["binary_reference"] == distinct["binary_current"] == 2
    assert distinct["hour_reference"] == distinct["hour_current"] == 24
    assert min(distinct["continuous_reference"], distinct["continuous_current"]) > 1900  # far more than the 100 bins


def test_the_expected_distances_are_scipys():
    expected = read_expected()
    assert set(expected) == set(COLUMNS)
    for column, distance in scipy_distances(read_samples()).items():
        assert expected[column] == pytest.approx(distance, rel=1e-12, abs=0)


if __name__ == "__main__":
    samples = generate()
    FIXTURE.mkdir(parents=True, exist_ok=True)
    with SAMPLES.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(samples)
        writer.writerows(zip(*samples.values()))
    with EXPECTED.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["column_name", "scipy_wasserstein"])
        writer.writerows((c, repr(d)) for c, d in scipy_distances(samples).items())
    print(f"wrote {SAMPLES} and {EXPECTED}")
