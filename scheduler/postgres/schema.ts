// The PostgreSQL schema of otf's tables, as numbered migrations applied once each, in order, under
// an advisory lock (so workers starting together migrate once). Tables live in their own schema.
import type { Pool } from "pg";

/** The SQLSTATE steps_moved raises: a run of a batch was stepped by another worker meanwhile. */
export const STEP_CONFLICT = "OTF01";

/** Each entry is one migration; its version is its position + 1. Never edit one that shipped: add another. */
const migrations: ReadonlyArray<(schema: string) => string> = [
  (s) => `
    create table ${s}.runs (
      id text primary key,
      workflow text not null,
      created_at timestamptz not null,
      -- the RunRecord, in pack's text form
      record text not null,
      -- how many checkpoints the run has: the version a step compares and sets
      checkpoints integer not null default 0,
      -- the FinishRecord (pack text) once the run has ended
      finish text,
      finished_at timestamptz,
      -- why the run cannot go on (an unreadable checkpoint, a workflow that cannot be loaded)
      problem text
    );
    create table ${s}.checkpoints (
      run text not null references ${s}.runs (id) on delete cascade,
      index integer not null,
      at timestamptz not null,
      -- the CheckpointRecord, in pack's text form: readable as it is, the same text as a checkpoint file
      body text not null,
      primary key (run, index)
    );
    create table ${s}.tasks (
      run text not null references ${s}.runs (id) on delete cascade,
      future text not null,
      -- the checkpoint whose step deferred the task
      checkpoint integer not null,
      -- the TaskCommand (pack text); null for a result copied into a forked run
      command text,
      -- the TaskResult (pack text), written once
      result text,
      finished_at timestamptz,
      primary key (run, future)
    );
    create index runs_unfinished on ${s}.runs (created_at) where finish is null;`,
  (s) => `
    -- the code of the run's problem: a StoreError's (corrupt, not-found) or a ResumeError's (workflow-not-loaded…)
    alter table ${s}.runs add column problem_code text;
    -- the ResumePlan (pack text) accepted by otf resume --yes for the run's next step on changed code
    alter table ${s}.runs add column plan text;`,
  (s) => `
    -- a task the step's own worker runs: no job is queued for it while the claim holds; once it lapses
    -- (the worker died) a sweep queues one, for any worker
    alter table ${s}.tasks add column claimed_until timestamptz;
    create index tasks_claimed on ${s}.tasks (claimed_until) where claimed_until is not null;
    -- a batch of steps sent with its commit fails here, before the commit, if one run had moved on
    create function ${s}.steps_moved(moved bigint, expected bigint, lost text) returns bigint language plpgsql as $$
    begin
      if moved <> expected then
        raise exception 'a step of the batch is not its run''s next step any more' using errcode = '${STEP_CONFLICT}', detail = lost;
      end if;
      return moved;
    end $$;`,
];


export const SCHEMA_VERSION = migrations.length;

/** A schema name as a quoted SQL identifier. */
export function identifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`"${name}" is not a schema name otf accepts (lower-case letters, digits, _)`);
  return `"${name}"`;
}

/** Brings the schema to the latest version; safe to call from many processes at once. */
export async function migrate(pool: Pool, schema: string): Promise<void> {
  const s = identifier(schema);
  const client = await pool.connect();
  try {
    await client.query("begin");
    await client.query("select pg_advisory_xact_lock(hashtext($1))", [`otf migrate ${schema}`]);
    await client.query(`create schema if not exists ${s}`);
    await client.query(`create table if not exists ${s}.migrations (version integer primary key, applied_at timestamptz not null default now())`);
    const { rows } = await client.query<{ version: number | null }>(`select max(version) as version from ${s}.migrations`);
    const current = rows[0]?.version ?? 0;
    if (current > migrations.length) throw new Error(`schema ${schema} is at version ${current}, newer than this otf knows (${migrations.length}): upgrade otf`);
    for (let version = current + 1; version <= migrations.length; version++) {
      await client.query(migrations[version - 1]!(s));
      await client.query(`insert into ${s}.migrations (version) values ($1)`, [version]);
    }
    await client.query("commit");
  } catch (error) {
    await client.query("rollback").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
