-- Anomalies are events that grow while they last: their end, peak and severity are updated
-- in place (same identity), `ongoing` says the problem still lasted at the end of the data,
-- and a level shift records its size in W.
ALTER TABLE anomalies ADD COLUMN peak_watts DOUBLE PRECISION;
ALTER TABLE anomalies ADD COLUMN size_w DOUBLE PRECISION;
ALTER TABLE anomalies ADD COLUMN ongoing BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE anomalies ADD COLUMN updated_at TIMESTAMPTZ;

-- Acknowledging an anomaly cancels its alerts not yet sent.
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
  CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled'));
