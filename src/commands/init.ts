/**
 * `init`: writes a starter config file, says how to make IOT_ENCRYPTION_KEY, and migrates.
 * Interactive on a TTY (prompts), scriptable with flags and --yes; never blocks without a TTY.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { input, select, confirm } from '@inquirer/prompts';
import { DEFAULT_TIME_ZONE, isValidTimeZone, loadConfig } from '../config.js';
import { PROVIDER_LABELS, providerForTimeZone } from '../config/providers.js';
import { starterConfig } from '../config/starter.js';
import { PROVIDERS, type ProviderName } from '../services/meterLinks.js';
import { ConflictError, InterruptedError, UsageError } from '../domain/errors.js';
import { initProject } from '../services/initProject.js';
import { contextFrom, type Context } from './context.js';

export interface InitOptions {
  file?: string;
  building?: string;
  timezone?: string;
  provider?: ProviderName;
  force?: boolean;
  yes?: boolean;
}

export interface InitResult {
  file: string;
  /** False when the user declined to overwrite an existing file: nothing was changed. */
  written: boolean;
  building: string | null;
  provider: ProviderName;
  key_hint: string;
}

/** Ctrl-C in a prompt is the user stopping, not a bug: exit 130 like any interruption. */
async function prompt<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (e) {
    if (e instanceof Error && e.name === 'ExitPromptError')
      throw new InterruptedError('init interrupted; nothing was written');
    throw e;
  }
}

interface Answers {
  building: string | undefined;
  timezone: string;
  provider: ProviderName;
}

async function askMissing(o: InitOptions, ask: boolean): Promise<Answers> {
  let building = o.building;
  let timezone = o.timezone ?? DEFAULT_TIME_ZONE;
  if (ask && !o.building)
    building =
      (await prompt(() => input({ message: 'Building name (empty to skip):' }))).trim() ||
      undefined;
  if (ask && !o.timezone)
    timezone = await prompt(() =>
      input({
        message: 'Time zone of the building:',
        default: DEFAULT_TIME_ZONE,
        validate: (z) => isValidTimeZone(z) || 'not an IANA time zone (e.g. Europe/Paris)',
      }),
    );
  if (!isValidTimeZone(timezone))
    throw new UsageError(`--timezone "${timezone}" is not an IANA time zone`);
  const proposed = providerForTimeZone(timezone, DEFAULT_TIME_ZONE);
  let provider = o.provider ?? proposed;
  if (ask && !o.provider)
    provider = await prompt(() =>
      select({
        message: 'Meter provider:',
        default: proposed,
        choices: PROVIDERS.map((value) => ({ value, name: PROVIDER_LABELS[value] })),
      }),
    );
  return { building, timezone, provider };
}

export async function runInit(ctx: Context, o: InitOptions): Promise<InitResult> {
  const tty = !!process.stdin.isTTY && !!ctx.out.stderr.isTTY;
  const ask = tty && !o.yes;
  const file = path.resolve(o.file ?? ctx.flags.config ?? 'koprogo-iot.config.json');
  const key_hint = 'export IOT_ENCRYPTION_KEY=$(koprogo-iot keys generate)';
  if (fs.existsSync(file) && !o.force) {
    if (!ask)
      throw new ConflictError(`${file} already exists`, { hint: 'pass --force to overwrite it' });
    const overwrite = await prompt(() =>
      confirm({ message: `${path.basename(file)} exists. Overwrite?`, default: false }),
    );
    if (!overwrite) {
      const provider = o.provider ?? providerForTimeZone(o.timezone ?? '', DEFAULT_TIME_ZONE);
      return { file, written: false, building: null, provider, key_hint };
    }
  }
  const a = await askMissing(o, ask);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const starter = starterConfig({ building: a.building, timezone: a.timezone });
  fs.writeFileSync(file, JSON.stringify(starter, null, 2) + '\n');
  // Migrate now, with the file just written.
  const config = loadConfig({ flags: { ...ctx.flags, config: file }, env: ctx.env });
  await initProject(config, a.building ? { name: a.building, timeZone: a.timezone } : null);
  return { file, written: true, building: a.building ?? null, provider: a.provider, key_hint };
}

/** What to do next, in lines that fit an 80-column terminal. */
export function initSummary(r: InitResult): string {
  return [
    `wrote ${r.file}`,
    ...(r.building ? [`added building "${r.building}"`] : []),
    'database ready.',
    '',
    'Provider tokens are sealed with IOT_ENCRYPTION_KEY (64 hex characters).',
    'Generate one, and keep it secret and safe (e.g. in the daemon environment file):',
    `  ${r.key_hint}`,
    '',
    `Next: koprogo-iot link --provider ${r.provider}`,
    '  (or try everything first: koprogo-iot demo)',
    '',
  ].join('\n');
}

export function makeInitCommand(): Command {
  return new Command('init')
    .description('write a starter config file and create the database')
    .option('--file <path>', 'where to write the config (default: ./koprogo-iot.config.json)')
    .option('--building <name>', 'add this building')
    .option('--timezone <zone>', `time zone of the building (default ${DEFAULT_TIME_ZONE})`)
    .addOption(
      new Option('--provider <name>', "meter provider (default: the time zone's)").choices(
        PROVIDERS,
      ),
    )
    .option('--force', 'overwrite an existing config file')
    .option('-y, --yes', 'no questions: take flags and defaults')
    .action(async (opts: InitOptions, c: Command) => {
      const ctx = contextFrom(c);
      const r = await runInit(ctx, opts);
      if (!r.written) {
        ctx.out.stderr.write(`kept ${r.file}; nothing was changed\n`);
        if (ctx.flags.json) ctx.out.stdout.write(JSON.stringify(r, null, 2) + '\n');
        return;
      }
      if (ctx.flags.json) return void ctx.out.stdout.write(JSON.stringify(r, null, 2) + '\n');
      ctx.out.stdout.write(initSummary(r));
    });
}
