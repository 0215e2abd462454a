/**
 * `init`: writes a starter config file, says how to make IOT_ENCRYPTION_KEY, and migrates.
 * Interactive on a TTY (prompts), scriptable with flags and --yes; never blocks without a TTY.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { input, select, confirm } from '@inquirer/prompts';
import { isValidTimeZone } from '../configValidate.js';
import { DEFAULT_TIME_ZONE, loadConfig } from '../config.js';
import { openDatabase } from '../db/open.js';
import { addBuilding } from '../db/buildings.js';
import { ConflictError, UsageError } from '../domain/errors.js';
import { contextFrom, type Context } from './context.js';

export interface InitOptions {
  file?: string;
  building?: string;
  timezone?: string;
  provider?: 'enedis' | 'ores';
  force?: boolean;
  yes?: boolean;
}

export function starterConfig(o: {
  building?: string;
  timezone: string;
  provider?: string;
}): Record<string, unknown> {
  return {
    defaults: { building: o.building ?? null, timeZone: o.timezone },
    storage: { compressAfterDays: 7, retentionDays: 730 },
    providers: {
      enedis: { apiVersion: '2026', clientId: '${KOPROGO_IOT_ENEDIS_CLIENT_ID}' },
      ores: { clientId: '${KOPROGO_IOT_ORES_CLIENT_ID}' },
    },
    sync: { overlapDays: 3, schedule: { time: '02:00', timeZone: o.timezone } },
    anomalies: { method: 'profile', thresholdPercent: 120, days: 30 },
    alerts: {
      language: 'fr',
      rules: [
        {
          metric_type: 'electricity_consumption',
          condition: 'above_baseline',
          threshold_type: 'percent',
          threshold_percent: 150,
          severity: 'major',
          channels: ['log'],
        },
      ],
    },
  };
}

export async function runInit(
  ctx: Context,
  o: InitOptions,
): Promise<{ file: string; building: string | null; key_hint: string }> {
  const tty = !!process.stdin.isTTY && !!ctx.out.stderr.isTTY;
  const ask = tty && !o.yes;
  const file = path.resolve(o.file ?? ctx.flags.config ?? 'koprogo-iot.config.json');
  if (fs.existsSync(file) && !o.force) {
    if (!ask || !(await confirm({ message: `${file} exists. Overwrite?`, default: false })))
      throw new ConflictError(`${file} already exists`, { hint: 'pass --force to overwrite it' });
  }
  let building = o.building;
  let timezone = o.timezone ?? DEFAULT_TIME_ZONE;
  if (ask && !o.building)
    building = (await input({ message: 'Building name (empty to skip):' })).trim() || undefined;
  if (ask && !o.timezone)
    timezone = await input({
      message: 'Time zone of the building:',
      default: DEFAULT_TIME_ZONE,
      validate: (z) => isValidTimeZone(z) || 'not an IANA time zone',
    });
  if (ask && !o.provider)
    o.provider = await select({
      message: 'Meter provider:',
      choices: [
        { value: 'ores' as const, name: 'ORES (Belgium)' },
        { value: 'enedis' as const, name: 'Enedis Linky (France)' },
      ],
    });
  if (!isValidTimeZone(timezone))
    throw new UsageError(`--timezone "${timezone}" is not an IANA time zone`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    JSON.stringify(starterConfig({ building, timezone, provider: o.provider }), null, 2) + '\n',
  );
  // Migrate now, with the file just written.
  const config = loadConfig({ flags: { ...ctx.flags, config: file }, env: ctx.env });
  const db = await openDatabase(config, { command: 'init' });
  try {
    if (building) {
      try {
        await addBuilding(db, building, timezone);
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
      }
    }
  } finally {
    await db.close();
  }
  return {
    file,
    building: building ?? null,
    key_hint:
      'export IOT_ENCRYPTION_KEY=$(koprogo-iot keys generate)   # keep it secret and safe, e.g. in the daemon environment file',
  };
}

export function makeInitCommand(): Command {
  return new Command('init')
    .description('write a starter config file and create the database')
    .option('--file <path>', 'where to write the config (default: ./koprogo-iot.config.json)')
    .option('--building <name>', 'add this building')
    .option('--timezone <zone>', `time zone of the building (default ${DEFAULT_TIME_ZONE})`)
    .option('--provider <name>', 'enedis | ores')
    .option('--force', 'overwrite an existing config file')
    .option('-y, --yes', 'no questions: take flags and defaults')
    .action(async (opts: InitOptions, c: Command) => {
      const ctx = contextFrom(c);
      if (opts.provider && opts.provider !== 'enedis' && opts.provider !== 'ores')
        throw new UsageError('--provider must be enedis or ores');
      const r = await runInit(ctx, opts);
      if (ctx.flags.json) return void ctx.out.stdout.write(JSON.stringify(r, null, 2) + '\n');
      ctx.out.stdout.write(
        `wrote ${r.file}\n${r.building ? `added building "${r.building}"\n` : ''}database ready.\n\n` +
          `Provider tokens are sealed with IOT_ENCRYPTION_KEY (64 hex characters). Generate one:\n  ${r.key_hint}\n\n` +
          `Next: koprogo-iot link --provider ores   (or try everything first: koprogo-iot demo)\n`,
      );
    });
}
