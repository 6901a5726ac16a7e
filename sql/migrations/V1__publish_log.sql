-- nightcast serving schema (Flyway creates the schema itself): the publish log and the load ledger.
-- The serving tables themselves are versioned tables (<table>_v<N>) created by each publish,
-- and the view <table> that applications query points at the current version.

CREATE TABLE ${serving_schema}.publish_log (
    serving_table   text        NOT NULL,
    version         integer     NOT NULL,
    ds              date        NOT NULL,
    model_version   integer,
    row_count       bigint,
    status          text        NOT NULL CHECK (status IN ('loading', 'published', 'failed', 'retired', 'rolled_back')),
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    load_seconds    double precision,
    index_seconds   double precision,
    switch_seconds  double precision,
    message         text,
    PRIMARY KEY (serving_table, version)
);

-- One row per Spark partition loaded into a version: a retried or speculative task finds its
-- partition here and loads nothing twice (the row commits in the same transaction as the COPY).
CREATE TABLE ${serving_schema}.publish_parts (
    serving_table   text    NOT NULL,
    version         integer NOT NULL,
    part            integer NOT NULL,
    row_count       bigint  NOT NULL,
    PRIMARY KEY (serving_table, version, part)
);
