-- Share of each source's ingested rows sent to quarantine, per night. Rows in come from the
-- profile (data_quality metric 'rows'); quarantined rows from quarantine_<source>.
-- Run: bin/nightcast sql "$(cat sql/analyst/quarantine_rate_by_source.sql)"
WITH quarantined AS (
  SELECT 'schedule' AS source, ds, count(*) AS rows_quarantined FROM quarantine_schedule GROUP BY ds
  UNION ALL
  SELECT 'actuals' AS source, ds, count(*) AS rows_quarantined FROM quarantine_actuals GROUP BY ds
),
ingested AS (
  SELECT source, ds, CAST(value AS BIGINT) AS rows_in FROM data_quality WHERE metric = 'rows'
)
SELECT i.ds,
       i.source,
       i.rows_in,
       coalesce(q.rows_quarantined, 0) AS rows_quarantined,
       round(coalesce(q.rows_quarantined, 0) / i.rows_in, 6) AS quarantine_rate
FROM ingested i
LEFT JOIN quarantined q ON q.source = i.source AND q.ds = i.ds
ORDER BY i.ds, i.source
