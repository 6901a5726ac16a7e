-- Access to the serving schema through two group roles (NOLOGIN), named after the schema so that
-- several serving schemas can share one server:
--   ${serving_schema}_writer  the pipeline: creates versioned tables and the view, writes the logs
--   ${serving_schema}_reader  applications: SELECT on the serving view only
-- Log-in users get one of them (GRANT ${serving_schema}_reader TO app_user); their passwords are
-- set by the DBA and reach nightcast only through the environment. Roles are cluster-wide, hence
-- the IF NOT EXISTS guard. The reader's SELECT on the view is (re)granted by every publish, in
-- the same transaction that switches the view, so each new version is readable at once while the
-- versioned tables, the logs and every other schema stay closed to readers.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${serving_schema}_writer') THEN
        CREATE ROLE ${serving_schema}_writer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${serving_schema}_reader') THEN
        CREATE ROLE ${serving_schema}_reader NOLOGIN;
    END IF;
END
$$;

REVOKE ALL ON SCHEMA ${serving_schema} FROM PUBLIC;

GRANT USAGE, CREATE ON SCHEMA ${serving_schema} TO ${serving_schema}_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON ${serving_schema}.publish_log, ${serving_schema}.publish_parts
    TO ${serving_schema}_writer;

GRANT USAGE ON SCHEMA ${serving_schema} TO ${serving_schema}_reader;

-- `nightcast publish rollback` marks the version it leaves as rolled_back and records when.
ALTER TABLE ${serving_schema}.publish_log ADD COLUMN rolled_back_at timestamptz;
