"""Slice gaps of a warehouse's models on labelled days, to choose monitoring.slices max_gap.

Scores the labelled rows of `features` for the given days with each given model version's artifact
(read-only: nothing is written to the warehouse) and prints, per day and model, the whole
population's realised AUC, TPR and FPR at the decision threshold and each slice value's gap to them,
then the slice_gap alerts the thresholds would raise. Works on a warehouse whose models never served
(no performance_daily rows yet), e.g. the demo state after its first training night.

  .venv/bin/python bench/slice_gaps.py WAREHOUSE/flight_delay 2001-01-16 2001-01-21 --versions 1 2
"""

import argparse
import datetime
import glob

import deltalake
import numpy as np
import pandas as pd


def metrics(frame, threshold):
    y = frame.label.to_numpy()
    p = frame.p.to_numpy()
    positives, negatives = (y == 1).sum(), (y == 0).sum()
    ranks = pd.Series(p).rank().to_numpy()  # average ranks: a tie counts half, as in the histogram AUC
    auc = (ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives) if positives and negatives else np.nan
    predicted = p >= threshold
    tpr = (predicted & (y == 1)).sum() / positives if positives else np.nan
    fpr = (predicted & (y == 0)).sum() / negatives if negatives else np.nan
    return {"rows": len(y), "roc_auc": auc, "recall": tpr, "false_positive_rate": fpr}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("namespace", help="<warehouse>/<pipeline>")
    parser.add_argument("first")
    parser.add_argument("last")
    parser.add_argument("--versions", type=int, nargs="+", required=True)
    parser.add_argument("--slices", nargs="+", default=["origin:5", "daypart:4"], help="column:top")
    parser.add_argument("--max-gap", nargs=3, type=float, default=[0.10, 0.15, 0.15], metavar=("AUC", "TPR", "FPR"))
    parser.add_argument("--min-rows", type=int, default=200)
    parser.add_argument("--threshold", type=float, default=0.5)
    args = parser.parse_args()

    from pyspark.ml import PipelineModel
    from pyspark.ml.functions import vector_to_array
    from pyspark.sql import SparkSession

    first, last = datetime.date.fromisoformat(args.first), datetime.date.fromisoformat(args.last)
    slices = [(s.split(":")[0], int(s.split(":")[1])) for s in args.slices]
    features = deltalake.DeltaTable(args.namespace + "/features").to_pandas(
        filters=[("role", "=", "labelled"), ("ds", ">=", first), ("ds", "<=", last)])
    features["dep_time"] = features["dep_time"].dt.tz_localize(None)
    spark = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").getOrCreate()
    frame = spark.createDataFrame(features)
    gaps = dict(zip(["roc_auc", "recall", "false_positive_rate"], args.max_gap))
    for version in args.versions:
        model = PipelineModel.load(glob.glob(f"{args.namespace}/_artifacts/models/v{version}/*")[0])
        columns = ["ds", "label"] + [c for c, _ in slices]
        scored = model.transform(frame).select(*columns, vector_to_array("probability")[1].alias("p")).toPandas()
        for ds, day in scored.groupby("ds"):
            whole = metrics(day, args.threshold)
            print(f"\nv{version} {ds}: whole {whole['rows']} rows, AUC {whole['roc_auc']:.4f}, TPR {whole['recall']:.4f},"
                  f" FPR {whole['false_positive_rate']:.4f}")
            alerts = []
            for column, top in slices:
                for value in day[column].value_counts().head(top).index:
                    m = metrics(day[day[column] == value], args.threshold)
                    line = f"  {column}={value}: {m['rows']} rows"
                    for metric, allowed in gaps.items():
                        gap = m[metric] - whole[metric]
                        line += f", {metric} {m[metric]:.4f} ({gap:+.4f})"
                        if m["rows"] >= args.min_rows and abs(gap) > allowed:
                            alerts.append(f"{column}={value} {metric} {gap:+.2f}")
                    print(line + ("" if m["rows"] >= args.min_rows else " (under min_rows)"))
            print(f"  slice_gap alerts: {len(alerts)}" + (": " + ", ".join(alerts) if alerts else ""))
    spark.stop()


if __name__ == "__main__":
    main()
