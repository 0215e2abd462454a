import { Command } from 'commander';
import { runDemo, type DemoRun } from '../demo/runDemo.js';
import { createColors } from '../ui/color.js';
import { formatInstant } from '../ui/format.js';
import { toJson } from '../ui/output.js';
import { createProgress } from '../ui/progress.js';
import { renderReport, reportJson } from '../ui/reportView.js';
import { renderStatsChart, renderStatsTable } from '../ui/statsView.js';
import { contextFrom, parseIntOption, type Context } from './context.js';

export interface DemoCommandOptions {
  dataDir?: string;
  days: number;
}

/** How many of the latest anomalies the demo prints. */
const SHOWN_ANOMALIES = 12;

function printResults(ctx: Context, run: DemoRun): void {
  const out = (s: string) => ctx.out.stdout.write(s + '\n');
  const paint = createColors(ctx.color);
  const width = Math.min(ctx.columns, 120);
  const monthly = run.monthly;
  out('');
  out(renderReport(run.report, { color: ctx.color, width }));
  out('');
  out(paint.bold(`Monthly statistics — ${run.building.name}, meter ${run.device.prm}`));
  out(renderStatsTable(monthly, { color: ctx.color, width }));
  out('');
  out(renderStatsChart(monthly, { color: ctx.color, width }));
  out('');
  if (run.p1) printP1(ctx, run.p1);
  const list = run.anomalies.anomalies;
  out(paint.bold(`Anomalies found (${list.length})`));
  for (const a of list.slice(-SHOWN_ANOMALIES)) out(`  ${a.severity.padEnd(8)} ${a.message}`);
  if (list.length > SHOWN_ANOMALIES)
    out(`  … and ${list.length - SHOWN_ANOMALIES} earlier ones: koprogo-iot anomalies list --all`);
}

/** The Belgian building: the P1 meter's days, totals and the month's capacity peak. */
function printP1(ctx: Context, p1: NonNullable<DemoRun['p1']>): void {
  const out = (s: string) => ctx.out.stdout.write(s + '\n');
  const paint = createColors(ctx.color);
  const width = Math.min(ctx.columns, 120);
  out(paint.bold(`Daily statistics — ${p1.building.name}, P1 meter ${p1.link.device.prm}`));
  out(renderStatsTable(p1.daily, { color: ctx.color, width }));
  const t = p1.totals;
  out(
    `  ${p1.quarterHours} quarter-hours: offtake ${t.offtakeKwh.toFixed(3)} kWh, ` +
      `injection ${t.injectionKwh.toFixed(3)} kWh, gas ${t.gasM3.toFixed(3)} m3`,
  );
  if (p1.peak)
    out(
      `  capacity peak of ${p1.peak.month} (meter 1-0:1.6.0): ${p1.peak.kw.toFixed(3)} kW` +
        (p1.peak.at ? ` in the quarter-hour ending ${formatInstant(p1.peak.at)}` : ''),
    );
  out('');
  out(renderReport(p1.report, { color: ctx.color, width }));
  out('');
}

export async function runDemoCommand(ctx: Context, o: DemoCommandOptions): Promise<DemoRun> {
  const say = (line: string) => {
    if (!ctx.flags.quiet) ctx.out.stderr.write(line + '\n');
  };
  const bar = createProgress({
    stream: ctx.out.stderr,
    total: 0,
    label: 'backfill',
    enabled: ctx.interactive,
    color: ctx.color,
  });
  let total = 0;
  say(
    'koprogo-iot demo: a simulated Enedis meter, linked, synced and analysed, and a Belgian P1 meter streamed over MQTT, on a throwaway embedded database.',
  );
  const run = await runDemo({
    dataDir: o.dataDir,
    days: o.days,
    log: ctx.log,
    say,
    now: ctx.now,
    progress: {
      addTotal: (n) => bar.setTotal((total += n)),
      tick: (n) => bar.tick(n),
      done: () => bar.done(),
    },
  });
  try {
    if (ctx.flags.json) {
      ctx.out.stdout.write(
        toJson({
          data_dir: run.dataDir,
          building: run.building,
          device: { prm: run.device.prm, provider: run.device.provider },
          sync: run.sync,
          report: reportJson(run.report),
          statistics: run.monthly,
          anomalies: run.anomalies.anomalies,
          p1: run.p1
            ? {
                building: run.p1.building,
                device: { prm: run.p1.link.device.prm, provider: 'p1' },
                telegrams: run.p1.telegrams,
                quarter_hours: run.p1.quarterHours,
                totals: run.p1.totals,
                peak: run.p1.peak,
                statistics: run.p1.daily,
              }
            : null,
          timings_ms: run.timings,
        }),
      );
    } else printResults(ctx, run);
  } finally {
    await run.close();
  }
  say('');
  // `npx koprogo-iot demo` puts nothing on the PATH: the lines say `npx koprogo-iot`, which
  // works where the demo was started (a clone, or any directory through npx).
  say(`The demo data stays in ${run.dataDir}. Explore it:`);
  say(`  export KOPROGO_IOT_DATA_DIR=${run.dataDir}`);
  say('  npx koprogo-iot stats --period week --chart');
  say('  npx koprogo-iot anomalies list --all');
  say('  npx koprogo-iot readings');
  say('The tokens of this demo were sealed with a demo key generated for it:');
  say(`  export IOT_ENCRYPTION_KEY=${run.demoKey}`);
  say('It is a demo key only: generate your own with `npx koprogo-iot keys generate`.');
  say('With a real meter: see "With a real meter" in the README (init, link, sync,');
  say('then the daemon under systemd).');
  return run;
}

export function makeDemoCommand(): Command {
  return new Command('demo')
    .description(
      'try everything on a simulated meter: link, backfill a year, report, anomalies (no server, no secret)',
    )
    .option('--data-dir <dir>', 'keep the demo database here (default: a new temporary directory)')
    .option('--days <n>', 'days of history to backfill', parseIntOption('--days', 7, 730), 365)
    .action(async (opts: DemoCommandOptions, c: Command) => {
      // The demo ignores the user's configuration: build the context without reading it.
      const ctx = contextFrom(c);
      await runDemoCommand(ctx, opts);
    });
}
