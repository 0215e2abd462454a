/**
 * What happens around a device's sync: the anomaly check after it (and the alerts it
 * queues), and an alert when a device's consent is gone. Shared by `sync` and the daemon.
 */
import type { Config } from '../config.js';
import type { Database } from '../db/types.js';
import type { SyncDevice } from '../db/syncState.js';
import { checkAnomalies } from '../notify/checkAnomalies.js';
import type { Logger } from '../ui/logger.js';

export function anomalyHook(db: Database, config: Config, log: Logger) {
  return async (device: SyncDevice): Promise<number> => {
    const r = await checkAnomalies(db, config, {
      buildingId: device.building_id,
      timeZone: device.building_timezone,
      deviceRef: device.prm,
      metricType: 'electricity_consumption',
      log,
    });
    if (r.stored > 0)
      log.info('new anomalies', { prm: device.prm, stored: r.stored, queued: r.queued });
    return r.detected;
  };
}

export function consentLostHook(log: Logger) {
  return async (device: SyncDevice, message: string): Promise<void> => {
    log.error('consent lost: the meter must be linked again', {
      prm: device.prm,
      building: device.building_name,
      reason: message,
    });
  };
}
