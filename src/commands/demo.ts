import { Command } from 'commander';
import { runDemo, type DemoRun } from '../demo/runDemo.js';
import { createColors } from '../ui/color.js';
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
  const list = run.anomalies.anomalies;
  out(paint.bold(`Anomalies found (${list.length})`));
  for (const a of list.slice(-SHOWN_ANOMALIES)) out(`  ${a.severity.padEnd(8)} ${a.message}`);
  if (list.length > SHOWN_ANOMALIES)
    out(`  … and ${list.length - SHOWN_ANOMALIES} earlier ones: koprogo-iot anomalies list --all`);
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
    'koprogo-iot demo: a simulated Enedis meter, linked, synced and analysed on a throwaway embedded database.',
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
