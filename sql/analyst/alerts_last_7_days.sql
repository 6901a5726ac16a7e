-- Alerts of the 7 nights up to the latest, worst first; kind 'retrain' is the retrain signal
-- (training is due the night after its ds).
-- Run: bin/nightcast sql "$(cat sql/analyst/alerts_last_7_days.sql)"
SELECT ds, kind, severity, metric, column_name, round(value, 4) AS value, threshold, message
FROM alerts
WHERE ds > date_sub((SELECT max(ds) FROM alerts), 7)
ORDER BY ds DESC, CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, kind, column_name
