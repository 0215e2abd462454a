import { Command } from 'commander';
import {
  NEW_KEY_ENV,
  generateKey,
  newSealingKey,
  rotateKeys,
  type RotationResult,
} from '../services/meterLinks.js';
import { toJson } from '../ui/output.js';
import { contextFrom, withServices, type Context } from './context.js';

export interface KeysRotateOptions {
  /** Name of the environment variable holding the new key (default IOT_ENCRYPTION_KEY_NEW). */
  newKeyEnv?: string;
}

export async function runKeysRotate(
  ctx: Context,
  opts: KeysRotateOptions,
): Promise<RotationResult> {
  // Checked before the database opens.
  const newKey = newSealingKey(ctx.config, ctx.env, opts.newKeyEnv ?? NEW_KEY_ENV);
  return withServices(ctx, 'keys rotate', (services) => rotateKeys(services, ctx.env, newKey));
}

/** 32 random bytes as 64 hex characters, the form IOT_ENCRYPTION_KEY takes. */
export function runKeysGenerate(): string {
  return generateKey();
}

export function makeKeysCommand(): Command {
  const cmd = new Command('keys').description(
    'manage IOT_ENCRYPTION_KEY, which seals provider tokens',
  );
  cmd
    .command('rotate')
    .description('re-seal every stored token under a new key, in one transaction')
    .option(
      '--new-key-env <name>',
      `environment variable holding the new key (default ${NEW_KEY_ENV})`,
    )
    .addHelpText(
      'after',
      `
Tokens are opened with IOT_ENCRYPTION_KEY (or a key of IOT_ENCRYPTION_KEY_PREVIOUS, a
comma list) and sealed again with the new key. Afterwards set IOT_ENCRYPTION_KEY to the
new key; the old one no longer opens anything.`,
    )
    .action(async (opts: KeysRotateOptions, c: Command) => {
      const ctx = contextFrom(c);
      const r = await runKeysRotate(ctx, opts);
      const name = opts.newKeyEnv ?? NEW_KEY_ENV;
      if (ctx.flags.json) {
        ctx.out.stdout.write(toJson({ devices: r.devices, resealed: r.resealed, key_id: r.keyId }));
      } else {
        ctx.out.stdout.write(
          `Re-sealed the tokens of ${r.resealed} of ${r.devices} devices under key ${r.keyId}.\n`,
        );
      }
      ctx.out.stderr.write(
        `Now set IOT_ENCRYPTION_KEY to the value of ${name} (everywhere the tool or its daemon runs) and remove ${name}; the old key no longer opens the tokens.\n`,
      );
    });
  cmd
    .command('generate')
    .description('print a fresh random key (64 hex characters) for IOT_ENCRYPTION_KEY')
    .action((_opts: unknown, c: Command) => {
      const ctx = contextFrom(c);
      const key = runKeysGenerate();
      if (ctx.flags.json) ctx.out.stdout.write(toJson({ key }));
      else ctx.out.stdout.write(key + '\n');
      ctx.out.stderr.write(
        'Keep this key safe: tokens sealed with it cannot be read without it. Set it as IOT_ENCRYPTION_KEY (or IOT_ENCRYPTION_KEY_NEW for `keys rotate`).\n',
      );
    });
  return cmd;
}
