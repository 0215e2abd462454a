/**
 * How a meter's sync ended, pure: the run status, what the device row should say, the error
 * class recorded, and the result handed back to the caller.
 */
import { UserError } from '../domain/errors.js';
import { isProviderCallError } from '../providers/errors.js';
import type { SyncRunEnd } from '../db/syncState.js';

/** This process no longer holds the meter's lease: stop quietly, the holder syncs it. */
export class LeaseLostError extends UserError {}

export type DeviceHealth = 'active' | 'consent_expired' | 'consent_revoked' | 'error';

export interface SyncOutcome {
  status: SyncRunEnd['status'];
  /** What the device row says now; undefined leaves it as it is (interrupted). */
  device?: { status: DeviceHealth; message: string | null };
  errorClass: string | null;
  errorMessage: string | null;
}

export function errorClass(e: unknown): string {
  if (isProviderCallError(e)) return e.kind;
  if (e instanceof UserError) return e.name;
  return 'internal';
}

export interface FailureContext {
  /** The sync was stopped (signal). */
  aborted: boolean;
  written: number;
  consentExpiresAt: Date | string | null;
  now: Date;
  /** The command that links the meter again, for the device's message. */
  relinkCommand: string;
}

/** The outcome of a sync whose windows all went through. */
export function successOutcome(anyData: boolean, windows: number): SyncOutcome {
  return {
    status: !anyData && windows > 0 ? 'no_data' : 'success',
    device: { status: 'active', message: null },
    errorClass: null,
    errorMessage: null,
  };
}

/**
 * The outcome of a sync that stopped on `e`. A stop, or another process taking the meter
 * over, is not the meter's fault; a refused consent asks for a new link; anything else is
 * a partial run when some readings were written.
 */
export function failureOutcome(e: unknown, c: FailureContext): SyncOutcome {
  const message = e instanceof Error ? e.message : String(e);
  if (c.aborted || e instanceof LeaseLostError) {
    return { status: 'interrupted', errorClass: 'interrupted', errorMessage: message };
  }
  if (isProviderCallError(e) && e.kind === 'consent_invalid') {
    const expired =
      c.consentExpiresAt !== null && new Date(c.consentExpiresAt).getTime() < c.now.getTime();
    return {
      status: 'failed',
      device: {
        status: expired ? 'consent_expired' : 'consent_revoked',
        message: `${message}: link the meter again (${c.relinkCommand})`,
      },
      errorClass: errorClass(e),
      errorMessage: message,
    };
  }
  if (isProviderCallError(e) && e.kind === 'api_not_subscribed') {
    // The application's subscription at the provider, not this meter: no relink asked for.
    return {
      status: c.written > 0 ? 'partial' : 'failed',
      device: { status: 'error', message: e.hint ? `${message}. ${e.hint}` : message },
      errorClass: errorClass(e),
      errorMessage: message,
    };
  }
  return {
    status: c.written > 0 ? 'partial' : 'failed',
    device: { status: 'error', message },
    errorClass: errorClass(e),
    errorMessage: message,
  };
}

/** The consent is gone: the alert is raised for these. */
export function consentLost(o: SyncOutcome): boolean {
  return o.device?.status === 'consent_expired' || o.device?.status === 'consent_revoked';
}

/** When the meter last synced: now for a run that reached the provider's data, else as stored. */
export function lastSyncAt(o: SyncOutcome, now: Date, stored: Date | string | null): string | null {
  if (o.status === 'success' || o.status === 'partial' || o.status === 'no_data')
    return now.toISOString();
  return stored ? new Date(stored).toISOString() : null;
}
