-- koprogo-iot initial schema. Table names follow the KoproGo backend so these tables can live
-- beside it. TimescaleDB parts run only where the extension is installed; on plain PostgreSQL
-- the same tables work without them.

CREATE TABLE buildings (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name TEXT NOT NULL,
  timezone TEXT NOT NULL DEFAULT 'Europe/Brussels',
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX buildings_name_key ON buildings (lower(name));

CREATE TABLE linky_devices (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  building_id UUID NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
  prm VARCHAR(18) NOT NULL,
  provider TEXT NOT NULL CHECK (provider IN ('enedis', 'ores')),
  device_type TEXT NOT NULL DEFAULT 'electricity_meter',
  -- Sealed tokens (AES-256-GCM, "v1.<key id>.<iv>.<tag>.<ciphertext>"); Enedis has none per meter.
  api_key_encrypted TEXT,
  refresh_token_encrypted TEXT,
  token_key_id TEXT,
  token_expires_at TIMESTAMPTZ,
  -- Enedis consent: authorisation id and end date (a 403 after it means re-link).
  authorization_id TEXT,
  consent_expires_at TIMESTAMPTZ,
  sync_enabled BOOLEAN NOT NULL DEFAULT TRUE,
  sync_frequency_hours INTEGER NOT NULL DEFAULT 24 CHECK (sync_frequency_hours > 0),
  status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'consent_expired', 'consent_revoked', 'error', 'unlinked')),
  status_message TEXT,
  -- Everything before this instant is complete (no gap) and needs no fetch but the overlap.
  checkpoint_at TIMESTAMPTZ,
  -- First instant of data the provider holds for this meter (activation), when learnt.
  data_start_at TIMESTAMPTZ,
  last_sync_at TIMESTAMPTZ,
  last_sync_status TEXT,
  -- A 429's nextAccessTime, persisted so a restart respects it.
  not_before TIMESTAMPTZ,
  -- Lease: which daemon syncs this device now, until when.
  lease_owner TEXT,
  lease_expires_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- The seed's rule: one meter per PRM (a second link is a conflict, HTTP 409 in the seed).
CREATE UNIQUE INDEX linky_devices_prm_key ON linky_devices (prm);
CREATE INDEX linky_devices_building_idx ON linky_devices (building_id);

-- Readings: one row per (building, series, metric, interval start). device_ref is the meter's
-- PRM for provider data (so a saved response imported later lands on the same rows as a sync)
-- or a name given at import. The key contains the time column, as a hypertable requires; its
-- order (building, metric, time, series) serves the range queries of stats and readings, so no
-- second index slows every insert down. No foreign key to buildings either: checking it costs
-- as much as the insert itself on bulk loads; readings of a building are deleted explicitly.
CREATE TABLE iot_readings (
  building_id UUID NOT NULL,
  device_ref TEXT NOT NULL,
  metric_type TEXT NOT NULL,
  "timestamp" TIMESTAMPTZ NOT NULL,
  device_type TEXT NOT NULL,
  interval_seconds INTEGER NOT NULL CHECK (interval_seconds >= 0),
  value DOUBLE PRECISION NOT NULL,
  unit TEXT NOT NULL,
  source TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (building_id, metric_type, "timestamp", device_ref)
);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    PERFORM create_hypertable('iot_readings', 'timestamp', chunk_time_interval => INTERVAL '7 days');
    EXECUTE 'ALTER TABLE iot_readings SET (timescaledb.compress,
      timescaledb.compress_segmentby = ''building_id, device_ref, metric_type'',
      timescaledb.compress_orderby = ''"timestamp"'')';
    -- Daily aggregate in the default building time zone; real-time so fresh rows count at once.
    EXECUTE 'CREATE MATERIALIZED VIEW iot_readings_daily
      WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
      SELECT building_id, device_ref, metric_type,
             time_bucket(INTERVAL ''1 day'', "timestamp", ''Europe/Brussels'') AS day,
             sum(value) AS total, min(value) AS min_value, max(value) AS max_value,
             count(*) AS readings, min(interval_seconds) AS interval_seconds
      FROM iot_readings
      GROUP BY building_id, device_ref, metric_type,
               time_bucket(INTERVAL ''1 day'', "timestamp", ''Europe/Brussels'')
      WITH NO DATA';
  ELSE
    -- Plain PostgreSQL: the same shape, computed on read.
    EXECUTE 'CREATE VIEW iot_readings_daily AS
      SELECT building_id, device_ref, metric_type,
             (date_trunc(''day'', "timestamp" AT TIME ZONE ''Europe/Brussels'') AT TIME ZONE ''Europe/Brussels'') AS day,
             sum(value) AS total, min(value) AS min_value, max(value) AS max_value,
             count(*) AS readings, min(interval_seconds) AS interval_seconds
      FROM iot_readings
      GROUP BY 1, 2, 3, 4';
  END IF;
END
$$;

CREATE TABLE sync_runs (
  id BIGSERIAL PRIMARY KEY,
  device_id UUID REFERENCES linky_devices (id) ON DELETE SET NULL,
  prm TEXT,
  daemon_id TEXT,
  started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at TIMESTAMPTZ,
  window_start TIMESTAMPTZ,
  window_end TIMESTAMPTZ,
  calls INTEGER NOT NULL DEFAULT 0,
  readings_written INTEGER NOT NULL DEFAULT 0,
  gaps INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'running'
    CHECK (status IN ('running', 'success', 'partial', 'failed', 'no_data', 'interrupted')),
  error_class TEXT,
  error_message TEXT,
  duration_ms INTEGER
);
CREATE INDEX sync_runs_device_idx ON sync_runs (device_id, started_at DESC);

-- Local days found incomplete at sync time, asked again until filled or out of history.
CREATE TABLE sync_gaps (
  device_id UUID NOT NULL REFERENCES linky_devices (id) ON DELETE CASCADE,
  day DATE NOT NULL,
  expected INTEGER NOT NULL,
  found INTEGER NOT NULL,
  first_seen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_tried_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, day)
);

CREATE TABLE anomalies (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  building_id UUID NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
  device_ref TEXT NOT NULL,
  metric_type TEXT NOT NULL,
  kind TEXT NOT NULL,
  method TEXT NOT NULL,
  start_at TIMESTAMPTZ NOT NULL,
  end_at TIMESTAMPTZ NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  baseline DOUBLE PRECISION NOT NULL,
  variance_percent DOUBLE PRECISION NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('minor', 'major', 'critical')),
  message TEXT NOT NULL,
  detected_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  acknowledged_at TIMESTAMPTZ,
  acknowledged_by TEXT,
  UNIQUE (building_id, device_ref, metric_type, kind, method, start_at)
);

-- Outbox: written in the anomaly's transaction, delivered at most once per anomaly and channel.
CREATE TABLE notifications (
  id BIGSERIAL PRIMARY KEY,
  anomaly_id UUID REFERENCES anomalies (id) ON DELETE CASCADE,
  channel TEXT NOT NULL,
  payload JSONB NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_error TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  sent_at TIMESTAMPTZ,
  UNIQUE (anomaly_id, channel)
);
CREATE INDEX notifications_pending_idx ON notifications (next_attempt_at) WHERE status IN ('pending', 'sending');

-- Daemons sharing a database announce themselves here (heartbeat, cycles).
CREATE TABLE daemons (
  id TEXT PRIMARY KEY,
  hostname TEXT NOT NULL,
  pid INTEGER NOT NULL,
  started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_cycle_started_at TIMESTAMPTZ,
  last_cycle_finished_at TIMESTAMPTZ,
  last_cycle_status TEXT,
  next_cycle_at TIMESTAMPTZ,
  stopped_at TIMESTAMPTZ
);
