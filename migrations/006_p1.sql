-- P1 meters (the digital meter's P1 port, read by a dongle or a cable on the premises).
-- One row per linked P1 device: how to reach its telegrams, the broker credentials sealed
-- with the same vault as provider tokens, the quarter-hour accumulator's resume state
-- (saved in the transaction of each batch of readings, so a restart neither loses nor
-- repeats a quarter-hour), and counters that `status` shows.
CREATE TABLE p1_meters (
  device_id UUID PRIMARY KEY REFERENCES linky_devices (id) ON DELETE CASCADE,
  transport TEXT NOT NULL CHECK (transport IN ('mqtt', 'tcp', 'serial')),
  url TEXT,
  topic TEXT,
  host TEXT,
  port INTEGER CHECK (port BETWEEN 1 AND 65535),
  path TEXT,
  baud_rate INTEGER,
  username_encrypted TEXT,
  password_encrypted TEXT,
  credentials_key_id TEXT,
  -- The telegram's identification line (`FLU5\253769484_A`), as seen when linked.
  meter_header TEXT,
  resume_state JSONB,
  telegrams_accepted BIGINT NOT NULL DEFAULT 0,
  -- Telegrams rejected (never stored), by reason: {"crc_mismatch": 3, "no_end": 1}.
  telegrams_rejected JSONB NOT NULL DEFAULT '{}'::jsonb,
  -- The last good telegram: its own timestamp, and when it reached us.
  last_telegram_at TIMESTAMPTZ,
  last_arrival_at TIMESTAMPTZ,
  -- Set while the meter is silent (the dongle went quiet), cleared when it speaks again.
  quiet_since TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (
    (transport = 'mqtt' AND url IS NOT NULL AND topic IS NOT NULL)
    OR (transport = 'tcp' AND host IS NOT NULL AND port IS NOT NULL)
    OR (transport = 'serial' AND path IS NOT NULL)
  )
);

-- What interrupted a P1 meter's readings: a silence longer than the accumulator bridges
-- ('gap', with the energy the registers moved meanwhile), a dongle that went quiet
-- ('quiet'), a register that went backwards ('register_reset') and a dongle clock that is
-- plainly wrong ('clock_suspect').
CREATE TABLE p1_events (
  device_id UUID NOT NULL REFERENCES linky_devices (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('gap', 'quiet', 'register_reset', 'clock_suspect')),
  from_at TIMESTAMPTZ NOT NULL,
  to_at TIMESTAMPTZ,
  detail JSONB NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (device_id, kind, from_at)
);

-- The monthly peak of quarter-hour average demand (Belgium's capacity tariff) per meter:
-- as the meter states it (P1 1-0:1.6.0), computed from quarter-hour readings, or estimated.
CREATE TABLE meter_peaks (
  building_id UUID,
  device_ref TEXT,
  month DATE,
  peak_at TIMESTAMPTZ,
  kw DOUBLE PRECISION,
  source TEXT CHECK (source IN ('p1', 'quarter-hour', 'estimated')),
  PRIMARY KEY (building_id, device_ref, month)
);
