/** The layer map in eslint.config.js, applied to a few imports as a file of each folder writes them. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const eslint = new ESLint({ cwd: ROOT });

/** The layer-map messages ESLint gives for `code` written at `file`. */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => m.message);
}

describe('layer map', () => {
  it('a command reaches the database only through services', async () => {
    const code = "import { listDevices } from '../db/devices.js';\nexport const f = listDevices;\n";
    expect(await layerErrors('src/commands/example.ts', code)).toEqual([
      expect.stringContaining('src/commands may not import src/db'),
    ]);
    const ok =
      "import { listMeters } from '../services/meters.js';\nexport const f = listMeters;\n";
    expect(await layerErrors('src/commands/example.ts', ok)).toEqual([]);
  });

  it('a command imports no other command, only the shared helpers', async () => {
    const code =
      "import { runStats } from './stats.js';\nimport { contextFrom } from './context.js';\nexport const f = [runStats, contextFrom];\n";
    expect(await layerErrors('src/commands/example.ts', code)).toEqual([
      expect.stringContaining('may not import another command'),
    ]);
  });

  it('lower layers take the logger interface, never its code', async () => {
    const typeOnly = "import type { Logger } from '../ui/logger.js';\nexport type L = Logger;\n";
    expect(await layerErrors('src/sync/example.ts', typeOnly)).toEqual([]);
    const code =
      "import { createLogger } from '../ui/logger.js';\nexport const f = createLogger;\n";
    expect(await layerErrors('src/sync/example.ts', code)).toEqual([
      expect.stringContaining('src/sync may not import src/ui'),
    ]);
  });

  it('nested provider folders keep the provider rule; the pure core does no I/O', async () => {
    const code =
      "import { upsertReadings } from '../../db/readings.js';\nexport const f = upsertReadings;\n";
    expect(await layerErrors('src/providers/p1/example.ts', code)).toEqual([
      expect.stringContaining('src/providers may not import src/db'),
    ]);
    const io = "import fs from 'node:fs';\nexport const f = fs;\n";
    expect(await layerErrors('src/analytics/example.ts', io)).toEqual([
      expect.stringContaining('the pure core does no I/O'),
    ]);
    const tariffs =
      "import { computeStats } from '../services/stats.js';\nexport const f = computeStats;\n";
    expect(await layerErrors('src/tariffs/example.ts', tariffs)).toEqual([
      expect.stringContaining('src/tariffs may not import src/services'),
    ]);
  });
});
