/**
 * The `tariffs` section of the configuration: named tariff plans, each a list of versions
 * valid from a local date (a price change is a new version, and past periods keep the price
 * they had), which plan each building is on from which date, and carbon factors.
 * Prices are decimals (strings or JSON numbers, at most 6 places) taken exactly.
 */
import { z } from 'zod';
import { isExactDecimal } from './exact.js';

export const PLAN_KINDS = ['base', 'hp-hc', 'tempo', 'be-single', 'be-bi-horaire'] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];

export const TEMPO_COLOURS = ['blue', 'white', 'red'] as const;
export type TempoColour = (typeof TEMPO_COLOURS)[number];

/** The kWh bands each kind of plan prices; every one needs an energy price. */
export const PLAN_BANDS: Record<PlanKind, readonly string[]> = {
  base: ['base'],
  'hp-hc': ['hp', 'hc'],
  tempo: TEMPO_COLOURS.flatMap((c) => [`${c}-hp`, `${c}-hc`]),
  'be-single': ['single'],
  'be-bi-horaire': ['day', 'night'],
};
/** Band of the readings of an exclusive-night meter (Belgium). */
export const EXCLUSIVE_NIGHT_BAND = 'exclusive-night';

const price = z.union([z.string(), z.number()]).refine((v) => isExactDecimal(v), {
  message: 'must be a decimal number with at most 6 decimal places, e.g. "0.2516"',
});
const nonNegativePrice = price.refine((v) => !String(v).trim().startsWith('-'), {
  message: 'must not be negative',
});

const localDay = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be a date YYYY-MM-DD');

/** A local time on a half-hour boundary: load curves come in half-hours or quarter-hours. */
const halfHour = z
  .string()
  .regex(/^([01]\d|2[0-3]):(00|30)$/, 'must be HH:00 or HH:30 (24 h, half-hour boundaries)');

export const timeWindowSchema = z
  .strictObject({ from: halfHour, to: halfHour })
  .refine((w) => w.from !== w.to, { message: 'a window must not start where it ends' });

const perKwhTax = z.strictObject({ label: z.string().min(1), perKwh: nonNegativePrice });
const fixedFee = z.strictObject({ label: z.string().min(1), perMonth: nonNegativePrice });

export const planVersionSchema = z.strictObject({
  validFrom: localDay,
  /** Off-peak (HC) windows, local time; a window may cross midnight (22:00–06:00). */
  offPeak: z.array(timeWindowSchema).min(1).optional(),
  /** Belgian night hours (bi-horaire), local time; the weekend is night all day. */
  night: z
    .strictObject({
      from: halfHour.default('22:00'),
      to: halfHour.default('07:00'),
      weekendIsNight: z.boolean().default(true),
    })
    .optional(),
  /** Energy price per band, € per kWh. */
  energy: z.record(z.string(), price),
  /** Network (distribution + transport) cost per kWh: one price, or one per band. */
  network: z.union([price, z.record(z.string(), price)]).optional(),
  /** Taxes and levies per kWh (accise/TICFE, federal contribution…), one line each. */
  taxes: z.array(perKwhTax).default([]),
  /** Subscription by subscribed power: the price list per kVA and the building's kVA. */
  subscription: z
    .strictObject({
      kva: z.number().int().min(1).max(250),
      perMonthByKva: z.record(z.string().regex(/^\d+$/, 'keys are kVA'), nonNegativePrice),
    })
    .refine((s) => String(s.kva) in s.perMonthByKva, {
      message: 'perMonthByKva has no price for the subscribed kva',
    })
    .optional(),
  /** Other fixed fees per month (metering, data management…). */
  fixed: z.array(fixedFee).default([]),
  /** Belgian capacity tariff on the month's highest quarter-hour average demand. */
  capacity: z
    .strictObject({
      perKwYear: nonNegativePrice,
      minimumKw: price.default('2.5'),
      /**
       * monthly-peak: each month billed on its own peak; rolling-12-month-average: billed
       * on the average of the last 12 monthly peaks (Flanders' capacity tariff).
       */
      mode: z.enum(['monthly-peak', 'rolling-12-month-average']).default('monthly-peak'),
    })
    .optional(),
  /** Injection (prosumer) credited at its own price, € per kWh injected. */
  injection: z.strictObject({ perKwh: nonNegativePrice }).optional(),
  /** Meters on an exclusive-night contract: their kWh go to their own band and price. */
  exclusiveNight: z
    .strictObject({
      deviceRefs: z.array(z.string().min(1)).min(1),
      energy: price,
      network: price.optional(),
    })
    .optional(),
  /** VAT in percent (20, 21, 6, 5.5). Injection credits carry no VAT. */
  vatPercent: price,
});

export const tariffPlanSchema = z
  .strictObject({
    label: z.string().optional(),
    country: z.enum(['FR', 'BE']),
    kind: z.enum(PLAN_KINDS),
    /** Tempo day colours: a CSV or JSON calendar file (see tempoCalendar.ts). */
    tempoCalendar: z.string().min(1).optional(),
    versions: z.array(planVersionSchema).min(1),
  })
  .superRefine(checkPlan);

function checkPlan(plan: z.infer<typeof tariffPlanSchema>, ctx: z.RefinementCtx): void {
  const bands = PLAN_BANDS[plan.kind];
  const seen = new Set<string>();
  plan.versions.forEach((v, i) => {
    const at = (...p: (string | number)[]) => ['versions', i, ...p];
    if (seen.has(v.validFrom))
      ctx.addIssue({ code: 'custom', path: at('validFrom'), message: 'two versions share it' });
    seen.add(v.validFrom);
    for (const b of bands)
      if (!(b in v.energy))
        ctx.addIssue({ code: 'custom', path: at('energy'), message: `needs a price for "${b}"` });
    for (const b of Object.keys(v.energy))
      if (!bands.includes(b))
        ctx.addIssue({
          code: 'custom',
          path: at('energy', b),
          message: `is not a band of a ${plan.kind} plan (bands: ${bands.join(', ')})`,
        });
    if (v.network && typeof v.network === 'object')
      for (const b of bands)
        if (!(b in v.network))
          ctx.addIssue({ code: 'custom', path: at('network'), message: `needs "${b}"` });
    if (plan.kind === 'hp-hc' && !v.offPeak)
      ctx.addIssue({ code: 'custom', path: at('offPeak'), message: 'an hp-hc plan needs it' });
    if (plan.country === 'FR' && (v.capacity || v.exclusiveNight))
      ctx.addIssue({
        code: 'custom',
        path: at(v.capacity ? 'capacity' : 'exclusiveNight'),
        message: 'is a Belgian tariff: set country "BE"',
      });
  });
  if (plan.kind === 'tempo' && !plan.tempoCalendar)
    ctx.addIssue({ code: 'custom', path: ['tempoCalendar'], message: 'a tempo plan needs it' });
  if (plan.kind.startsWith('be-') !== (plan.country === 'BE'))
    ctx.addIssue({
      code: 'custom',
      path: ['kind'],
      message: `a ${plan.kind} plan does not fit country ${plan.country}`,
    });
}

/** Carbon intensity in g CO2e per kWh: one yearly figure, one per month, or one per hour. */
export const carbonFactorSchema = z.union([
  z.strictObject({ gramsPerKwh: nonNegativePrice, source: z.string().optional() }),
  z.strictObject({ monthly: z.array(nonNegativePrice).length(12), source: z.string().optional() }),
  z.strictObject({ hourly: z.array(nonNegativePrice).length(24), source: z.string().optional() }),
]);

export const buildingContractSchema = z.array(
  z.strictObject({ validFrom: localDay, plan: z.string().min(1) }),
);

export const tariffPlansSchema = z
  .strictObject({
    plans: z.record(z.string().min(1), tariffPlanSchema).default({}),
    /** Building (name or id) → the plans it was on, each from a local date. */
    buildings: z.record(z.string().min(1), buildingContractSchema).default({}),
    carbon: z.partialRecord(z.enum(['FR', 'BE']), carbonFactorSchema).default({}),
  })
  .superRefine((t, ctx) => {
    for (const [b, contract] of Object.entries(t.buildings))
      contract.forEach((c, i) => {
        if (!(c.plan in t.plans))
          ctx.addIssue({
            code: 'custom',
            path: ['buildings', b, i, 'plan'],
            message: `names "${c.plan}", which is not in tariffs.plans`,
          });
      });
  });

export type Price = string | number;
export type TimeWindow = z.infer<typeof timeWindowSchema>;
export type PlanVersion = z.infer<typeof planVersionSchema>;
export type TariffPlan = z.infer<typeof tariffPlanSchema>;
export type CarbonFactor = z.infer<typeof carbonFactorSchema>;
export type BuildingContract = z.infer<typeof buildingContractSchema>;
export type TariffPlans = z.infer<typeof tariffPlansSchema>;
/** The section as written in the file (defaults not yet applied). */
export type TariffPlansInput = z.input<typeof tariffPlansSchema>;
