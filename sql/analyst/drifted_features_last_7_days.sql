-- Columns (features, probability, label) that drifted against the serving model's training
-- reference in the 7 nights up to the latest monitored night, whole population.
-- Run: bin/nightcast sql "$(cat sql/analyst/drifted_features_last_7_days.sql)"
SELECT column_name,
       count(DISTINCT ds) AS nights_drifted,
       CASE max(CASE severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END)
         WHEN 3 THEN 'high' WHEN 2 THEN 'medium' WHEN 1 THEN 'low' ELSE 'none' END AS worst_severity,
       concat_ws(', ', sort_array(collect_set(metric))) AS drifted_metrics,
       max(ds) AS last_drifted
FROM drift_daily
WHERE comparison = 'BASELINE'
  AND slice_key IS NULL
  AND drifted
  AND column_name <> '*'
  AND ds > date_sub((SELECT max(ds) FROM drift_daily), 7)
GROUP BY column_name
ORDER BY nights_drifted DESC, column_name
