// The PostgreSQL schema of otf's tables, as numbered migrations applied once each, in order, under
// an advisory lock (so workers starting together migrate once). Tables live in their own schema.
import type { Pool } from "pg";

/** The SQLSTATE write_steps raises: a run of a batch was stepped by another worker meanwhile. */
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
    -- A batch's steps, in one call sent with its commit (statements in a function keep their plans):
    -- each run's version moves from its index to index + 1 (compare-and-set), then the checkpoints and
    -- the deferred tasks of the runs it moved are written. Unless every run moved, it fails, and so
    -- does the commit after it: nothing of the batch is kept.
    create function ${s}.write_steps(step_rows json, checkpoint_rows json, task_rows json) returns void language plpgsql as $$
    declare
      moved_count integer;
      lost_step text;
    begin
      with w as (select * from json_to_recordset(step_rows) as w(id text, index integer, added integer, finish text)),
      moved as (
        update ${s}.runs r set checkpoints = r.checkpoints + w.added, plan = null, finish = w.finish, finished_at = case when w.finish is null then null else now() end
        from w where r.id = w.id and r.checkpoints = w.index and r.finish is null returning r.id
      ),
      written as (
        insert into ${s}.checkpoints (run, index, at, body)
        select c.run, c.index, to_timestamp(c.at / 1000.0), c.body from json_to_recordset(checkpoint_rows) as c(run text, index integer, at float8, body text)
        where c.run in (select id from moved)
      ),
      deferred as (
        insert into ${s}.tasks (run, future, checkpoint, command, claimed_until)
        select t.run, t.future, t.checkpoint, t.command, now() + t.claim * interval '1 second' from json_to_recordset(task_rows) as t(run text, future text, checkpoint integer, command text, claim float8)
        where t.run in (select id from moved)
        on conflict do nothing
      )
      select count(*), (select json_build_array(w.id, w.index)::text from w where w.id not in (select id from moved) limit 1) into moved_count, lost_step from moved;
      if moved_count <> json_array_length(step_rows) then
        raise exception 'a step of the batch is not its run''s next step any more' using errcode = '${STEP_CONFLICT}', detail = lost_step;
      end if;
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
