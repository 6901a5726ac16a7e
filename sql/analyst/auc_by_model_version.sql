-- ROC AUC per night and model version, whole population: realised (labels arrived) next to the
-- label-free estimate made the night before, with log loss and F1.
-- Run: bin/nightcast sql "$(cat sql/analyst/auc_by_model_version.sql)"
SELECT ds,
       model_version,
       max(CASE WHEN kind = 'realised' THEN rows END) AS labelled_rows,
       round(max(CASE WHEN kind = 'realised' THEN roc_auc END), 4) AS realised_auc,
       round(max(CASE WHEN kind = 'estimated' THEN roc_auc END), 4) AS estimated_auc,
       round(max(CASE WHEN kind = 'realised' THEN f1 END), 4) AS realised_f1,
       round(max(CASE WHEN kind = 'estimated' THEN f1 END), 4) AS estimated_f1,
       round(max(CASE WHEN kind = 'realised' THEN log_loss END), 4) AS log_loss
FROM performance_daily
WHERE slice_key IS NULL
GROUP BY ds, model_version
ORDER BY ds, model_version
