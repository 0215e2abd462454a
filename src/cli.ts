/**
 * The process boundary: runs the program and turns errors into one line on stderr and an
 * exit code. Command code never calls process.exit().
 */
import { CommanderError } from 'commander';
import { EXIT, InterruptedError, UserError } from './domain/errors.js';
import { buildProgram } from './program.js';
import { redactText } from './ui/redact.js';

export function reportError(e: unknown, stderr: NodeJS.WritableStream, debug: boolean): number {
  if (e instanceof CommanderError) {
    if (
      e.code === 'commander.helpDisplayed' ||
      e.code === 'commander.version' ||
      e.code === 'commander.help'
    )
      return EXIT.OK;
    // commander already printed its message.
    return EXIT.USAGE;
  }
  // Ctrl-C in a prompt: the user stopped, it is not a bug.
  if (e instanceof Error && e.name === 'ExitPromptError')
    return reportError(new InterruptedError('interrupted'), stderr, debug);
  if (e instanceof UserError) {
    stderr.write(`error: ${redactText(e.message)}\n`);
    if (e.hint) stderr.write(`hint: ${redactText(e.hint)}\n`);
    if (debug && e.stack) stderr.write(redactText(e.stack) + '\n');
    return e.exitCode;
  }
  const err = e as Error;
  stderr.write(`error: unexpected: ${redactText(err?.message ?? String(e))}\n`);
  if (debug && err?.stack) stderr.write(redactText(err.stack) + '\n');
  else stderr.write('hint: run again with DEBUG=1 for the stack, and report it\n');
  return EXIT.INTERNAL;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    process.exitCode = reportError(e, process.stderr, process.env.DEBUG === '1');
  }
}
