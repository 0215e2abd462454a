-- Calls made to each provider per clock hour, counted by every process that syncs against
-- this database: several daemons share one application quota (Enedis: 1,000 calls/h).
CREATE TABLE provider_calls (
  provider TEXT NOT NULL,
  hour TIMESTAMPTZ NOT NULL,
  calls INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (provider, hour)
);
