/** The program: global options, help texts, and the subcommands (one file each). */
import { Command, Option } from 'commander';
import { createRequire } from 'node:module';
import { ENV_HELP } from './config.js';
import { EXIT_CODE_HELP, UsageError } from './domain/errors.js';
import { COMMANDS } from './commands/index.js';

const require = createRequire(import.meta.url);
const pkg = require('../package.json') as { version: string };

function helpFooter(): string {
  const env = ENV_HELP.map(([k, v]) => `  ${k.padEnd(46)} ${v}`).join('\n');
  const codes = EXIT_CODE_HELP.map(([c, v]) => `  ${String(c).padStart(3)}  ${v}`).join('\n');
  return `
Configuration precedence: flags > environment > config file > defaults.
Config file: --config, else $KOPROGO_IOT_CONFIG, else ./koprogo-iot.config.json,
else $XDG_CONFIG_HOME/koprogo-iot/config.json (see koprogo-iot.config.example.json).

Environment:
${env}

Exit codes:
${codes}

Start with:  koprogo-iot demo`;
}

export function buildProgram(): Command {
  const program = new Command('koprogo-iot');
  program
    .description(
      "Link a building's electricity smart meter (Enedis Linky, ORES), sync its load curve into TimescaleDB, and query readings, statistics and anomalies.",
    )
    .version(pkg.version, '-V, --version', 'print the version')
    .option('-c, --config <file>', 'config file')
    .option('--database-url <url>', 'PostgreSQL server URL (default: the embedded database)')
    .option('--data-dir <dir>', 'embedded database directory')
    .option('--json', 'print one JSON document on stdout')
    .addOption(new Option('-q, --quiet', 'only warnings and errors on stderr').conflicts('verbose'))
    .option('-v, --verbose', 'debug logs on stderr')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) })
    .addHelpText('after', helpFooter());
  for (const make of COMMANDS) program.addCommand(make());
  const harden = (cmd: Command) => {
    cmd.exitOverride();
    cmd.showHelpAfterError('(run with --help for usage)');
    cmd.commands.forEach(harden);
  };
  program.commands.forEach(harden);
  return program;
}

export { UsageError };
