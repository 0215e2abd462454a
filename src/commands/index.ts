import type { Command } from 'commander';
import { makeBuildingsCommand } from './buildings.js';
import { makeDbCommand } from './db.js';
import { makeImportCommand } from './import.js';
import { makeInitCommand } from './init.js';
import { makeReadingsCommand } from './readings.js';
import { makeSimulatorCommand } from './simulator.js';

/** Every subcommand, in the order --help lists them. */
export const COMMANDS: ReadonlyArray<() => Command> = [
  makeInitCommand,
  makeBuildingsCommand,
  makeImportCommand,
  makeReadingsCommand,
  makeDbCommand,
  makeSimulatorCommand,
];
