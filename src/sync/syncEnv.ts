/**
 * Everything a sync needs, built once per process: the database, one provider adapter and
 * one rate limiter per provider (shared by all devices, as the quotas are per application),
 * the lease owner id, logging, cancellation and the after-sync hook (anomaly check).
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { Database } from '../db/types.js';
import type { SyncDevice } from '../db/syncState.js';
import type { ProviderName } from '../providers/names.js';
import { pulledProviderName } from '../providers/registry.js';
import { createProvider, rateLimiterFor, resolveProviderUrls } from '../providers/index.js';
import type { RateLimiter } from '../providers/rateLimiter.js';
import type { DeviceTokens, Provider } from '../providers/types.js';
import type { Logger } from '../ui/logger.js';

export interface SyncProgress {
  addTotal(n: number): void;
  tick(n: number): void;
}

export interface SyncEnv {
  db: Database;
  config: Config;
  env: Record<string, string | undefined>;
  /** Lease owner: daemon id, or "sync:<host>:<pid>:<random>" for a one-off sync. */
  owner: string;
  log: Logger;
  signal?: AbortSignal;
  provider(name: ProviderName): Provider;
  limiter(name: ProviderName): RateLimiter;
  progress?: SyncProgress;
  /** After a device's sync with data: the anomaly check; returns anomalies detected. */
  afterDevice?: (device: SyncDevice) => Promise<number>;
  /** A device's consent is gone: raise the alert. */
  onConsentLost?: (device: SyncDevice, message: string) => Promise<void>;
  minBackoffMs: number;
  maxRateLimitWaitMs: number;
  maxGapWindows: number;
  /** The clock every time of a sync comes from (run bounds, durations, last sync). */
  clock: () => Date;
  /** Runs after refreshed tokens are stored, before they are used (tests inject a fault). */
  afterTokenStore?: (tokens: DeviceTokens) => Promise<void>;
}

export function newOwnerId(kind: string): string {
  return `${kind}:${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export interface SyncEnvOptions {
  db: Database;
  config: Config;
  log: Logger;
  owner?: string;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  progress?: SyncProgress;
  afterDevice?: SyncEnv['afterDevice'];
  onConsentLost?: SyncEnv['onConsentLost'];
  minBackoffMs?: number;
  maxRateLimitWaitMs?: number;
  maxGapWindows?: number;
  fetch?: typeof fetch;
  clock?: () => Date;
  afterTokenStore?: SyncEnv['afterTokenStore'];
}

export function createSyncEnv(o: SyncEnvOptions): SyncEnv {
  const providers = new Map<ProviderName, Provider>();
  const limiters = new Map<ProviderName, RateLimiter>();
  return {
    db: o.db,
    config: o.config,
    env: o.env ?? process.env,
    owner: o.owner ?? newOwnerId('sync'),
    log: o.log,
    signal: o.signal,
    progress: o.progress,
    afterDevice: o.afterDevice,
    onConsentLost: o.onConsentLost,
    minBackoffMs: o.minBackoffMs ?? 1000,
    maxRateLimitWaitMs: o.maxRateLimitWaitMs ?? 5 * 60_000,
    maxGapWindows: o.maxGapWindows ?? 20,
    clock: o.clock ?? (() => new Date()),
    afterTokenStore: o.afterTokenStore,
    provider(name) {
      let p = providers.get(name);
      if (!p) {
        p = createProvider(
          resolveProviderUrls(o.config.providers[pulledProviderName(name)]),
          o.fetch ? { fetch: o.fetch } : {},
        );
        providers.set(name, p);
      }
      return p;
    },
    limiter(name) {
      let l = limiters.get(name);
      if (!l) {
        l = rateLimiterFor(o.config.providers[pulledProviderName(name)]);
        limiters.set(name, l);
      }
      return l;
    },
  };
}
