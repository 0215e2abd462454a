/**
 * The pure steps of a meter's sync: planning, activation clipping, mapping and gaps, outcome.
 */
import { describe, expect, it } from 'vitest';
import { localDayStart } from '../../../src/domain/localDays.js';
import { ProviderCallError } from '../../../src/providers/errors.js';
import { clipToActivation } from '../../../src/sync/activationSearch.js';
import {
  lastPlannedDay,
  planDeviceWindows,
  resultRange,
  runBounds,
  seriesToFetch,
  syncHorizon,
} from '../../../src/sync/syncPlan.js';
import {
  failureOutcome,
  lastSyncAt,
  LeaseLostError,
  successOutcome,
  consentLost,
} from '../../../src/sync/syncOutcome.js';
import { toReadings, windowCoverage } from '../../../src/sync/windowReadings.js';
import type { Window } from '../../../src/sync/windows.js';

const ZONE = 'Europe/Brussels';
const NOW = new Date('2026-11-24T12:00:00Z');

describe('planning', () => {
  it('takes today and the history horizon in the provider zone', () => {
    // 23:30 UTC on 24 November is already the 25th in Brussels.
    const h = syncHorizon(new Date('2026-11-24T23:30:00Z'), { timeZone: ZONE, historyDays: 10 });
    expect(h).toEqual({ zone: ZONE, today: '2026-11-25', earliest: '2026-11-16' });
  });

  it('plans from the checkpoint minus the overlap, in windows of the per-call limit', () => {
    const horizon = syncHorizon(NOW, { timeZone: ZONE, historyDays: 730 });
    const windows = planDeviceWindows({
      horizon,
      settings: { historyDays: 730, maxDaysPerCall: 7 },
      overlapDays: 2,
      device: { checkpoint_at: localDayStart('2026-11-14', ZONE), data_start_at: null },
      gapDays: [],
      maxGapWindows: 20,
    });
    expect(windows).toEqual([
      { fromDay: '2026-11-12', toDay: '2026-11-19', kind: 'range' },
      { fromDay: '2026-11-19', toDay: '2026-11-24', kind: 'range' },
    ]);
    expect(lastPlannedDay(windows, horizon.today)).toBe('2026-11-24');
    expect(runBounds(windows, ZONE)).toEqual({
      start: new Date('2026-11-11T23:00:00Z'),
      end: new Date('2026-11-23T23:00:00Z'),
    });
    expect(resultRange(windows, ZONE)).toEqual({
      start: '2026-11-11T23:00:00.000Z',
      end: '2026-11-23T23:00:00.000Z',
    });
  });

  it('records no bounds for a sync with nothing to ask', () => {
    expect(runBounds([], ZONE)).toEqual({ start: null, end: null });
    expect(resultRange([], ZONE)).toBeNull();
  });

  it('asks production only when configured', () => {
    expect(seriesToFetch(false).map((s) => s.kind)).toEqual(['consumption']);
    expect(seriesToFetch(true).map((s) => s.metric)).toEqual([
      'electricity_consumption',
      'electricity_production',
    ]);
  });
});

describe('activation', () => {
  const w: Window = { fromDay: '2026-11-01', toDay: '2026-11-08', kind: 'range' };
  it('skips a window wholly before the activation day and starts one that holds it there', () => {
    expect(clipToActivation(w, null)).toBe(w);
    expect(clipToActivation(w, '2026-11-08')).toBeNull();
    expect(clipToActivation(w, '2026-11-04')).toEqual({ ...w, fromDay: '2026-11-04' });
    expect(clipToActivation(w, '2026-10-01')).toBe(w);
  });
});

describe('mapping and gaps', () => {
  const meter = { building_id: 'b-1', prm: '12345678901234' };
  const day = '2026-11-02';
  const halfHours = (from: Date, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      start: new Date(from.getTime() + i * 1800_000),
      intervalSeconds: 1800,
      kwh: 0.25,
    }));

  it('maps intervals to kWh readings of the meter, tagged with the provider source', () => {
    const [r] = toReadings(meter, 'electricity_production', 'linky_ores', halfHours(NOW, 1));
    expect(r).toEqual({
      buildingId: 'b-1',
      deviceRef: '12345678901234',
      deviceType: 'electricity_meter',
      metricType: 'electricity_production',
      timestamp: NOW,
      intervalSeconds: 1800,
      value: 0.25,
      unit: 'kWh',
      source: 'linky_ores',
    });
  });

  it('counts gaps from the first day with data, and lowers the data start to it', () => {
    const w: Window = { fromDay: '2026-11-01', toDay: '2026-11-04', kind: 'range' };
    // Nothing on the 1st, the whole 2nd, half of the 3rd.
    const readings = [
      ...toReadings(meter, 'electricity_consumption', 's', halfHours(localDayStart(day, ZONE), 48)),
      ...toReadings(
        meter,
        'electricity_consumption',
        's',
        halfHours(localDayStart('2026-11-03', ZONE), 24),
      ),
    ];
    const cov = windowCoverage(readings, w, ZONE, null);
    expect(cov.checkedDays).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    expect(cov.dataStart).toEqual(localDayStart(day, ZONE));
    expect(cov.gaps).toEqual([{ day: '2026-11-03', expected: 86_400, found: 43_200 }]);
  });

  it('ignores production readings for coverage', () => {
    const w: Window = { fromDay: day, toDay: '2026-11-03', kind: 'gap' };
    const prod = toReadings(
      meter,
      'electricity_production',
      's',
      halfHours(localDayStart(day, ZONE), 48),
    );
    const cov = windowCoverage(prod, w, ZONE, localDayStart('2026-10-01', ZONE));
    expect(cov.gaps).toEqual([{ day, expected: 86_400, found: 0 }]);
  });
});

describe('outcome', () => {
  const ctx = {
    aborted: false,
    written: 0,
    consentExpiresAt: null,
    now: NOW,
    relinkCommand: 'koprogo-iot link --provider ores --prm 1',
  };

  it('says no_data when windows were asked and none had data', () => {
    expect(successOutcome(false, 3).status).toBe('no_data');
    expect(successOutcome(false, 0).status).toBe('success');
    expect(successOutcome(true, 3).device).toEqual({ status: 'active', message: null });
  });

  it('treats a stop or a lost lease as interrupted, leaving the device row alone', () => {
    const o = failureOutcome(new LeaseLostError('lease lost'), ctx);
    expect(o).toEqual({
      status: 'interrupted',
      errorClass: 'interrupted',
      errorMessage: 'lease lost',
    });
    expect(failureOutcome(new Error('x'), { ...ctx, aborted: true }).status).toBe('interrupted');
  });

  it('asks for a new link when the consent is refused, expired or revoked by its end date', () => {
    const refused = new ProviderCallError('consent_invalid', 'ORES refused the grant');
    const revoked = failureOutcome(refused, ctx);
    expect(revoked.device?.status).toBe('consent_revoked');
    expect(revoked.device?.message).toBe(
      'ORES refused the grant: link the meter again (koprogo-iot link --provider ores --prm 1)',
    );
    expect(consentLost(revoked)).toBe(true);
    const expired = failureOutcome(refused, { ...ctx, consentExpiresAt: '2026-11-01T00:00:00Z' });
    expect(expired.device?.status).toBe('consent_expired');
  });

  it('calls a failure after some readings partial, and classifies the error', () => {
    const e = new ProviderCallError('transient', 'HTTP 503');
    expect(failureOutcome(e, { ...ctx, written: 10 })).toMatchObject({
      status: 'partial',
      errorClass: 'transient',
      device: { status: 'error', message: 'HTTP 503' },
    });
    expect(failureOutcome(new Error('bug'), ctx)).toMatchObject({
      status: 'failed',
      errorClass: 'internal',
    });
  });

  it('moves the last sync time only for runs that reached the data', () => {
    const stored = new Date('2026-11-20T00:00:00Z');
    expect(lastSyncAt(successOutcome(true, 1), NOW, stored)).toBe(NOW.toISOString());
    const failed = failureOutcome(new Error('bug'), ctx);
    expect(lastSyncAt(failed, NOW, stored)).toBe(stored.toISOString());
    expect(lastSyncAt(failed, NOW, null)).toBeNull();
  });
});
