-- Quotas shared by every process that calls a provider with one application's credentials.

-- The per-second quota: the calls of the last seconds per limiter key, whatever process
-- made them. A call takes its place under the key's row lock (provider_slots) when fewer
-- than the quota are within the window; it holds `at` in the future while in flight and sets
-- it to its answer's time when answered, so however late a call reaches the provider, no
-- provider second sees one call too many. A process that dies mid-call frees its place when
-- the placeholder time passes.
CREATE TABLE provider_slots (
  limiter_key TEXT PRIMARY KEY
);
CREATE TABLE provider_call_times (
  id BIGSERIAL PRIMARY KEY,
  limiter_key TEXT NOT NULL,
  at TIMESTAMPTZ NOT NULL
);
CREATE INDEX provider_call_times_key_idx ON provider_call_times (limiter_key, at);

-- A wait a provider asked for (an hourly quota answer: "Quota Q4 reached", "SLA dépassé"),
-- kept so every process, and this one after a restart, waits until then.
CREATE TABLE provider_pauses (
  provider TEXT PRIMARY KEY,
  not_before TIMESTAMPTZ NOT NULL,
  api TEXT,
  reason TEXT,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- What the consent told at link time: its first day (nothing may be asked before it) and
-- the series it gives (consumption drawn from the grid, production fed into it).
ALTER TABLE linky_devices ADD COLUMN consent_starts_at TIMESTAMPTZ;
ALTER TABLE linky_devices ADD COLUMN consent_production BOOLEAN;

-- The onboarding plan: per meter and stage, what is done and what is left, so every
-- process works on the same plan and a restart resumes it.
--   stage 'yesterday': the last complete day of the load curve;
--   stage 'daily':     daily totals (consumption, production, max power) for the history;
--   stage 'curve':     the load curve, newest first, back to the history's start.
-- `next_to` is the exclusive end of the next window to fetch (walking backwards), `until`
-- the stage's first day; a stage is done when next_to <= until.
CREATE TABLE onboarding_tasks (
  device_id UUID NOT NULL REFERENCES linky_devices (id) ON DELETE CASCADE,
  stage TEXT NOT NULL CHECK (stage IN ('yesterday', 'daily', 'curve')),
  until_day DATE NOT NULL,
  next_to DATE NOT NULL,
  calls INTEGER NOT NULL DEFAULT 0,
  calls_left INTEGER NOT NULL,
  lease_owner TEXT,
  lease_expires_at TIMESTAMPTZ,
  last_error TEXT,
  last_call_at TIMESTAMPTZ,
  done_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, stage)
);
CREATE INDEX onboarding_tasks_open_idx ON onboarding_tasks (stage, last_call_at) WHERE done_at IS NULL;
