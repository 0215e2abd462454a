import type { Command } from 'commander';
import { makeAnomaliesCommand } from './anomalies.js';
import { makeBuildingsCommand } from './buildings.js';
import { makeDaemonCommand } from './daemon.js';
import { makeDbCommand } from './db.js';
import { makeDemoCommand } from './demo.js';
import { makeDevicesCommand } from './devices.js';
import { makeImportCommand } from './import.js';
import { makeInitCommand } from './init.js';
import { makeKeysCommand } from './keys.js';
import { makeLinkCommand } from './link.js';
import { makeReadingsCommand } from './readings.js';
import { makeReportCommand } from './report.js';
import { makeSimulatorCommand } from './simulator.js';
import { makeStatsCommand } from './stats.js';
import { makeStatusCommand } from './status.js';
import { makeSyncCommand } from './sync.js';
import { makeTariffsCommand } from './tariffs.js';
import { makeUnlinkCommand } from './unlink.js';

/** Every subcommand, in the order --help lists them. */
export const COMMANDS: ReadonlyArray<() => Command> = [
  makeDemoCommand,
  makeInitCommand,
  makeBuildingsCommand,
  makeLinkCommand,
  makeDevicesCommand,
  makeUnlinkCommand,
  makeSyncCommand,
  makeDaemonCommand,
  makeStatusCommand,
  makeImportCommand,
  makeReadingsCommand,
  makeStatsCommand,
  makeAnomaliesCommand,
  makeReportCommand,
  makeTariffsCommand,
  makeDbCommand,
  makeKeysCommand,
  makeSimulatorCommand,
];
