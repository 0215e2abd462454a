-- The daily aggregate gains covered_seconds (the sum of the readings' interval lengths), so a
-- day's coverage stays exact when the meter's step changes within that day: readings ×
-- min(interval_seconds) undercounts such a day.
--
-- The aggregate is dropped and recreated. On TimescaleDB its refresh policy goes with it;
-- applyStoragePolicies adds the policy back when it finds it missing, on the next open.
-- Where 001 ran before TimescaleDB was installed, iot_readings is a plain table and the
-- aggregate a plain view: it stays a plain view.

DO $$
DECLARE
  is_continuous BOOLEAN := FALSE;
  is_hypertable BOOLEAN := FALSE;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    -- Dynamic SQL: timescaledb_information does not exist without the extension.
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM timescaledb_information.continuous_aggregates
                             WHERE view_name = ''iot_readings_daily'')'
      INTO is_continuous;
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM timescaledb_information.hypertables
                             WHERE hypertable_name = ''iot_readings'')'
      INTO is_hypertable;
  END IF;

  -- Only DROP MATERIALIZED VIEW removes a continuous aggregate (with its materialization).
  IF is_continuous THEN
    EXECUTE 'DROP MATERIALIZED VIEW iot_readings_daily';
  ELSE
    EXECUTE 'DROP VIEW IF EXISTS iot_readings_daily';
  END IF;

  IF is_hypertable THEN
    -- Daily aggregate in the default building time zone; real-time so fresh rows count at once.
    EXECUTE 'CREATE MATERIALIZED VIEW iot_readings_daily
      WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
      SELECT building_id, device_ref, metric_type,
             time_bucket(INTERVAL ''1 day'', "timestamp", ''Europe/Brussels'') AS day,
             sum(value) AS total, min(value) AS min_value, max(value) AS max_value,
             count(*) AS readings, min(interval_seconds) AS interval_seconds,
             sum(interval_seconds) AS covered_seconds
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
             count(*) AS readings, min(interval_seconds) AS interval_seconds,
             sum(interval_seconds) AS covered_seconds
      FROM iot_readings
      GROUP BY 1, 2, 3, 4';
  END IF;
END
$$;
