/**
 * `tariffs simulate`: the same consumption priced under several plans, side by side, to
 * help choose a contract; `tariffs list`: the plans configured.
 *
 * Plans come from the `tariffs` section of the config file, or of the JSON file given to
 * --tariffs (a whole config file, or a file holding the section alone).
 */
import { Command } from 'commander';
import { ConfigError } from '../domain/errors.js';
import { configuredTariffs } from '../services/costs.js';
import {
  loadTariffsFile,
  simulateTariffs,
  type LoadedTariffs,
  type PriceConsumptionResult,
} from '../services/priceConsumption.js';
import { writeResult, type OutputFormat } from '../ui/output.js';
import {
  SIMULATION_CSV_KEYS,
  comparisonRows,
  renderPlanList,
  renderSimulation,
} from '../ui/tariffsView.js';
import { contextFrom, formatOption, outputFormat, withServices, type Context } from './context.js';
import { parseFrom, parseTo, resolveRange } from './dateRange.js';

export interface SimulateOptions {
  plan: string[];
  from?: string;
  to?: string;
  building?: string;
  tariffs?: string;
}

/** The plans to work with: --tariffs FILE, else the config file's tariffs section. */
export async function loadPlans(ctx: Context, file: string | undefined): Promise<LoadedTariffs> {
  const loaded = file ? await loadTariffsFile(file) : configuredTariffs(ctx.config);
  if (!loaded || Object.keys(loaded.tariffs.plans).length === 0)
    throw new ConfigError(
      file
        ? `${file} has no tariff plans (tariffs.plans is empty)`
        : `no tariff plans: ${ctx.config.configFile ?? 'the configuration'} has no tariffs.plans`,
      {
        hint: 'add a "tariffs" section to the config file (see "Costs and carbon" in the README), or give one with --tariffs FILE',
      },
    );
  return loaded;
}

/** Prices the building's consumption under each plan asked for. */
export async function runTariffsSimulate(
  ctx: Context,
  opts: SimulateOptions,
  now: Date = ctx.now(),
): Promise<PriceConsumptionResult> {
  // Date syntax is checked before anything opens: a typo answers at once.
  const zone = ctx.config.defaults.timeZone;
  if (opts.from) parseFrom(opts.from, zone);
  if (opts.to) parseTo(opts.to, zone);
  const loaded = await loadPlans(ctx, opts.tariffs);
  return withServices(ctx, 'tariffs simulate', (deps) =>
    simulateTariffs(deps, {
      building: opts.building,
      loaded,
      planNames: opts.plan,
      range: (buildingZone) => resolveRange(opts, buildingZone, now, 30),
    }),
  );
}

export function makeTariffsCommand(): Command {
  const cmd = new Command('tariffs').description(
    'price consumption under tariff plans (France: base, HP/HC, Tempo; Belgium: single, bi-horaire, capacity)',
  );
  cmd
    .command('simulate')
    .description('the same consumption priced under several plans, side by side')
    .option(
      '--plan <name>',
      'a plan of tariffs.plans, repeatable (default: the building contract)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--from <date>', 'first day, YYYY-MM-DD (default: 30 days back)')
    .option('--to <date>', 'last day, YYYY-MM-DD, included (default: now)')
    .option('--building <name|id>', 'building (default: the only one, or defaults.building)')
    .option('--tariffs <file>', 'JSON file with the tariffs section (default: the config file)')
    .addOption(formatOption(['table', 'json', 'csv']))
    .action(async (opts: SimulateOptions & { format: OutputFormat }, c: Command) => {
      const ctx = contextFrom(c);
      const format = outputFormat(ctx, opts.format);
      const res = await runTariffsSimulate(ctx, opts);
      writeResult({
        format,
        json: res,
        csv: {
          columns: SIMULATION_CSV_KEYS.map((k) => ({ key: k, header: k })),
          rows: comparisonRows(res),
        },
        table: () => renderSimulation(res, ctx.color),
        stdout: ctx.out.stdout,
      });
    });
  cmd
    .command('list')
    .description('the tariff plans configured, with their versions')
    .option('--tariffs <file>', 'JSON file with the tariffs section (default: the config file)')
    .action(async (opts: { tariffs?: string }, c: Command) => {
      const ctx = contextFrom(c);
      const { tariffs } = await loadPlans(ctx, opts.tariffs);
      writeResult({
        format: outputFormat(ctx, undefined),
        json: tariffs,
        table: () => renderPlanList(tariffs, ctx.color),
        stdout: ctx.out.stdout,
      });
    });
  return cmd;
}
