/**
 * The starter file `init` writes: the keys a building manager is likely to change, with the
 * schema's defaults, and client ids as `${VAR}` so no credential is written to disk.
 */
import { PULLED_PROVIDERS as PROVIDERS } from '../providers/names.js';
import { providerEnvVar } from './providers.js';
import { configFileSchema, DEFAULT_ALERT_RULES } from './schema.js';

export function starterConfig(o: { building?: string; timezone: string }): Record<string, unknown> {
  const d = configFileSchema.parse({});
  const providers = Object.fromEntries(
    PROVIDERS.map((name) => {
      const p = d.providers[name];
      return [
        name,
        {
          ...('apiVersion' in p && p.apiVersion && { apiVersion: p.apiVersion }),
          clientId: `\${${providerEnvVar(name, 'CLIENT_ID')}}`,
        },
      ];
    }),
  );
  return {
    defaults: { building: o.building ?? null, timeZone: o.timezone },
    storage: d.storage,
    providers,
    sync: {
      overlapDays: d.sync.overlapDays,
      schedule: { time: d.sync.schedule.time, timeZone: o.timezone },
    },
    anomalies: d.anomalies,
    alerts: { language: d.alerts.language, rules: DEFAULT_ALERT_RULES },
  };
}
