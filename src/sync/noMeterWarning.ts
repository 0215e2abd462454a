/**
 * A daemon started on a database without any linked meter syncs nothing, forever and in
 * silence: most often it was pointed at another data directory or config file than the one
 * `link` used. Said once at start, loudly, with where it looked.
 */
import type { Config } from '../config.js';
import { listDevices } from '../db/devices.js';
import type { Queryable } from '../db/types.js';
import type { Logger } from '../ui/logger.js';

export async function warnWhenNoMeter(
  db: Queryable & { location: string },
  config: Config,
  log: Logger,
): Promise<boolean> {
  if ((await listDevices(db)).length > 0) return false;
  log.warn('no meter is linked in this database: the daemon has nothing to sync', {
    database: db.location,
    config: config.configFile ?? '(none)',
    hint: 'link one with `koprogo-iot link`, or give the daemon the --config and KOPROGO_IOT_DATA_DIR that `link` used (`koprogo-iot daemon --print-systemd-unit` prints them)',
  });
  return true;
}
