/**
 * The onboarding plan in the database (onboarding_tasks), shared by every process: tasks are
 * claimed under a lease with SKIP LOCKED, earliest stage first and, within it, the meter that
 * waited longest, so meters take turns whatever process makes the calls.
 */
import type { Queryable } from './types.js';

export type OnboardingStage = 'yesterday' | 'daily' | 'curve';

/** One stage of a meter's plan, as stored. */
export interface StagePlan {
  stage: OnboardingStage;
  untilDay: string;
  nextTo: string;
  callsLeft: number;
}

export interface OnboardingTask {
  device_id: string;
  stage: OnboardingStage;
  until_day: string;
  next_to: string;
  calls: number;
  calls_left: number;
  prm: string;
  building_id: string;
  consent_production: boolean | null;
}

/**
 * Enedis meters, active and synced, never synced yet (no checkpoint: a meter already synced
 * needs no onboarding), that have no plan yet.
 */
export async function metersWithoutPlan(
  q: Queryable,
): Promise<{ id: string; consent_production: boolean | null }[]> {
  const r = await q.query<{ id: string; consent_production: boolean | null }>(
    `SELECT d.id, d.consent_production FROM linky_devices d
      WHERE d.provider = 'enedis' AND d.sync_enabled AND d.status = 'active'
        AND d.checkpoint_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM onboarding_tasks t WHERE t.device_id = d.id)`,
  );
  return r.rows;
}

/** Stores a meter's stages; a meter already planned (by another process) is left as it is. */
export async function insertPlan(
  q: Queryable,
  deviceId: string,
  stages: StagePlan[],
): Promise<void> {
  for (const s of stages) {
    await q.query(
      `INSERT INTO onboarding_tasks (device_id, stage, until_day, next_to, calls_left, done_at)
       VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 = 0 THEN now() END)
       ON CONFLICT (device_id, stage) DO NOTHING`,
      [deviceId, s.stage, s.untilDay, s.nextTo, s.callsLeft],
    );
  }
}

const RANK = `CASE stage WHEN 'yesterday' THEN 0 WHEN 'daily' THEN 1 ELSE 2 END`;

const TASK_COLUMNS = `t.device_id, t.stage, to_char(t.until_day, 'YYYY-MM-DD') AS until_day,
  to_char(t.next_to, 'YYYY-MM-DD') AS next_to, t.calls, t.calls_left`;

/**
 * Claims the next task: the earliest open stage of the application, and within it the task
 * whose last call is oldest. Null when every open task is leased or none is left.
 */
export async function claimTask(
  q: Queryable,
  owner: string,
  leaseSeconds: number,
): Promise<OnboardingTask | null> {
  const r = await q.query<OnboardingTask>(
    `WITH next AS (
       SELECT device_id, stage FROM onboarding_tasks
        WHERE done_at IS NULL AND (lease_expires_at IS NULL OR lease_expires_at < now())
          -- Only the application's earliest stage still in progress (a task put off after
          -- an error does not hold the others back).
          AND ${RANK} <= (SELECT min(${RANK}) FROM onboarding_tasks
                           WHERE done_at IS NULL
                             AND (lease_owner IS NOT NULL OR lease_expires_at IS NULL
                                  OR lease_expires_at < now()))
        ORDER BY last_call_at NULLS FIRST, device_id
        LIMIT 1 FOR UPDATE SKIP LOCKED)
     UPDATE onboarding_tasks t
        SET lease_owner = $1, lease_expires_at = now() + $2 * interval '1 second'
       FROM next, linky_devices d
      WHERE t.device_id = next.device_id AND t.stage = next.stage AND d.id = t.device_id
      RETURNING ${TASK_COLUMNS}, d.prm, d.building_id, d.consent_production`,
    [owner, leaseSeconds],
  );
  return r.rows[0] ?? null;
}

/** One step made: the stage walks back to `nextTo`, done when it reaches its first day. */
export async function advanceTask(
  q: Queryable,
  task: Pick<OnboardingTask, 'device_id' | 'stage'>,
  step: { nextTo: string; calls: number; callsLeft: number; done: boolean; error?: string },
): Promise<void> {
  await q.query(
    `UPDATE onboarding_tasks
        SET next_to = $3, calls = calls + $4, calls_left = $5, last_call_at = now(),
            last_error = $6, lease_owner = NULL, lease_expires_at = NULL,
            done_at = CASE WHEN $7 THEN now() END
      WHERE device_id = $1 AND stage = $2`,
    [
      task.device_id,
      task.stage,
      step.nextTo,
      step.calls,
      step.callsLeft,
      step.error ?? null,
      step.done,
    ],
  );
}

/** Leaves a task for later (a quota wait, an error): nobody claims it before `retryInSeconds`. */
export async function postponeTask(
  q: Queryable,
  task: Pick<OnboardingTask, 'device_id' | 'stage'>,
  retryInSeconds: number,
  error: string,
  calls: number,
): Promise<void> {
  await q.query(
    `UPDATE onboarding_tasks
        SET lease_owner = NULL, lease_expires_at = now() + $3 * interval '1 second',
            last_error = $4, calls = calls + $5, last_call_at = now()
      WHERE device_id = $1 AND stage = $2`,
    [task.device_id, task.stage, retryInSeconds, error, calls],
  );
}

export interface TaskState {
  device_id: string;
  prm: string;
  stage: OnboardingStage;
  calls: number;
  calls_left: number;
  done: boolean;
  last_error: string | null;
}

/** Every meter's stages, for status and the ETA. */
export async function onboardingState(q: Queryable): Promise<TaskState[]> {
  const r = await q.query<TaskState>(
    `SELECT t.device_id, d.prm, t.stage, t.calls, t.calls_left, t.done_at IS NOT NULL AS done,
            t.last_error
       FROM onboarding_tasks t JOIN linky_devices d ON d.id = t.device_id
      ORDER BY d.prm, CASE t.stage WHEN 'yesterday' THEN 0 WHEN 'daily' THEN 1 ELSE 2 END`,
  );
  return r.rows;
}

/** Meters whose onboarding is not finished: the regular sync leaves them to the planner. */
export async function metersOnboarding(q: Queryable): Promise<string[]> {
  const r = await q.query<{ device_id: string }>(
    `SELECT DISTINCT device_id FROM onboarding_tasks WHERE done_at IS NULL`,
  );
  return r.rows.map((x) => x.device_id);
}
