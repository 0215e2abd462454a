/** Which TimescaleDB features are in force on the readings, and the policy jobs behind them. */
import type { Queryable } from './types.js';

export interface TimescaleJob {
  job: string;
  schedule: string | null;
  config: unknown;
}

const POLICY_FEATURE: Record<string, string> = {
  policy_compression: 'compression policy',
  policy_retention: 'retention policy',
  policy_refresh_continuous_aggregate: 'aggregate refresh policy',
};

/** Call only where the extension is installed (its information views exist). */
export async function timescaleFeatures(
  q: Queryable,
): Promise<{ features: string[]; jobs: TimescaleJob[] }> {
  const features: string[] = [];
  const hypertable = await q.query(
    `SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = 'iot_readings'`,
  );
  if (hypertable.rows.length) features.push('hypertable');
  const aggregate = await q.query(
    `SELECT 1 FROM timescaledb_information.continuous_aggregates WHERE view_name = 'iot_readings_daily'`,
  );
  if (aggregate.rows.length) features.push('continuous aggregate');
  const jobs = await q.query<{
    proc_name: string;
    schedule_interval: string | null;
    config: unknown;
  }>(
    `SELECT proc_name, schedule_interval::text AS schedule_interval, config FROM timescaledb_information.jobs
      WHERE proc_name LIKE 'policy_%' ORDER BY job_id`,
  );
  for (const j of jobs.rows) {
    const feature = POLICY_FEATURE[j.proc_name];
    if (feature) features.push(feature);
  }
  return {
    features,
    jobs: jobs.rows.map((j) => ({
      job: j.proc_name,
      schedule: j.schedule_interval,
      config: j.config,
    })),
  };
}

/** The server's PostgreSQL version. */
export async function serverVersion(q: Queryable): Promise<string> {
  const r = await q.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  return r.rows[0]?.v ?? 'unknown';
}
