/**
 * Runs one memory measurement in a process of its own and prints its report as one JSON
 * line on stdout (progress on stderr). Started by sync.ts: `node --expose-gc syncMemory.main.js embedded`.
 */
import { measureBackfillMemory, type MemoryVariant } from './syncMemory.js';

const variant = process.argv[2];
if (variant !== 'embedded' && variant !== 'embedded-memory') {
  process.stderr.write('usage: syncMemory.main.js embedded|embedded-memory\n');
  process.exitCode = 2;
} else {
  const report = await measureBackfillMemory(variant as MemoryVariant);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
