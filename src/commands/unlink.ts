import { confirm } from '@inquirer/prompts';
import { Command } from 'commander';
import { UsageError } from '../domain/errors.js';
import {
  consentWithdrawalNote,
  findMeter,
  unlinkMeter,
  type ProviderDeps,
  type UnlinkResult,
} from '../services/meterLinks.js';
import { toJson } from '../ui/output.js';
import { contextFrom, withServices, type Context } from './context.js';

export interface UnlinkOptions {
  purgeReadings?: boolean;
  yes?: boolean;
}

export interface UnlinkDeps {
  /** Asks the user; default: an @inquirer/prompts confirmation on a terminal. */
  confirm?: (message: string) => Promise<boolean>;
  /** Whether a prompt can be answered here; default: stdin and stderr are terminals. */
  interactive?: boolean;
  providerDeps?: ProviderDeps;
}

export async function runUnlink(
  ctx: Context,
  ref: string,
  opts: UnlinkOptions,
  deps: UnlinkDeps = {},
): Promise<UnlinkResult | null> {
  const interactive = deps.interactive ?? (!!process.stdin.isTTY && !!ctx.out.stderr.isTTY);
  return withServices(ctx, 'unlink', async (services) => {
    // An unknown meter is said first (exit 9), before asking to confirm anything.
    const d = await findMeter(services, ref);
    if (!opts.yes && !interactive) {
      throw new UsageError('unlink deletes the meter and its tokens: pass --yes to confirm', {
        hint: 'no terminal to ask on; add --yes (and --purge-readings to delete its readings too)',
      });
    }
    if (!opts.yes) {
      const what = opts.purgeReadings
        ? 'its tokens and all its readings'
        : 'its tokens (readings are kept)';
      const ask =
        deps.confirm ??
        ((message: string) => confirm({ message, default: false }, { output: ctx.out.stderr }));
      const ok = await ask(
        `Unlink meter ${d.prm} of building "${d.building_name}" and delete ${what}?`,
      );
      if (!ok) return null;
    }
    return unlinkMeter(services, ctx.env, ref, {
      purgeReadings: !!opts.purgeReadings,
      ...(deps.providerDeps ? { providerDeps: deps.providerDeps } : {}),
    });
  });
}

/** What happened, in words; the revocation line says what is left for the user to do. */
export function describeUnlink(r: UnlinkResult): string {
  const d = r.device;
  const lines = [
    `Unlinked meter ${d.prm} from building "${d.building_name}"; its tokens are deleted.`,
  ];
  switch (r.revocation) {
    case 'revoked':
      lines.push('Access revoked at the provider.');
      break;
    case 'not_supported':
      lines.push(
        consentWithdrawalNote(d.provider) ??
          'The provider offers no revocation here: withdraw the access in the customer account at the provider.',
      );
      break;
    case 'no_tokens':
      lines.push('No provider token was held for this meter.');
      break;
    case 'failed':
      lines.push(
        `The access could not be revoked at the provider (${r.revocationError ?? 'unknown error'}): withdraw it in the customer account at the provider.`,
      );
      break;
  }
  lines.push(
    r.readingsKept
      ? 'Its readings are kept (pass --purge-readings to delete them).'
      : `Deleted ${r.readingsDeleted} readings.`,
  );
  return lines.join('\n') + '\n';
}

export function makeUnlinkCommand(): Command {
  return new Command('unlink')
    .description(
      'unlink a meter: revoke where the provider allows, delete its tokens, keep its readings',
    )
    .argument('<prm|id>', 'the meter: PRM or device id')
    .option('--purge-readings', 'also delete the meter readings and their anomalies')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .action(async (ref: string, opts: UnlinkOptions, c: Command) => {
      const ctx = contextFrom(c);
      const result = await runUnlink(ctx, ref, opts);
      if (!result) {
        ctx.out.stderr.write('Nothing was changed.\n');
        if (ctx.flags.json) ctx.out.stdout.write(toJson({ unlinked: false }));
        return;
      }
      if (result.revocation === 'failed') {
        ctx.log.warn('the access could not be revoked at the provider', {
          prm: result.device.prm,
          error: result.revocationError,
        });
      }
      if (ctx.flags.json) {
        ctx.out.stdout.write(
          toJson({
            unlinked: true,
            device: result.device,
            revocation: result.revocation,
            ...(result.revocationError ? { revocation_error: result.revocationError } : {}),
            readings_deleted: result.readingsDeleted,
            readings_kept: result.readingsKept,
          }),
        );
      } else ctx.out.stdout.write(describeUnlink(result));
    });
}
