-- Provider names are checked by the code against its provider registry, so a new provider
-- needs no schema change. Meter ids may be longer than a PRM or EAN: a P1 meter's equipment
-- id (0-0:96.1.1) is hex-encoded ASCII, often 34 characters or more.
ALTER TABLE linky_devices DROP CONSTRAINT IF EXISTS linky_devices_provider_check;
ALTER TABLE linky_devices ALTER COLUMN prm TYPE TEXT;

-- A token refresh in progress: who started it and when. The refresh call to the provider is
-- made outside any transaction; this marker keeps a second process from refreshing the same
-- meter meanwhile (a rotating refresh token would then be spent twice). A marker older than
-- the refresh timeout belongs to a process that died and may be taken over.
ALTER TABLE linky_devices ADD COLUMN token_refresh_owner TEXT;
ALTER TABLE linky_devices ADD COLUMN token_refresh_started_at TIMESTAMPTZ;
