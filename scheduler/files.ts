// Durable file writes and typed reads for the directory store. A write goes to a temporary file,
// is fsync'd, renamed over its name and the directory fsync'd, so a reader sees the whole file or none.
import { closeSync, fdatasyncSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { loads, PackError } from "../pack/index.ts";
import { StoreError } from "./errors.ts";

let writes = 0;

/**
 * Synchronous on purpose: the caller waits for durability anyway, and a few system calls cost less
 * than as many trips through the thread pool. Where the process has other work meanwhile (results
 * written while tasks go on), `offThread` does the same through the thread pool, so that the event
 * loop is not stopped for an fsync.
 */
export async function writeAtomic(path: string, text: string, durable: boolean, { offThread = false } = {}): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${writes++}.tmp`);
  if (offThread) return writeAtomicOffThread(path, temporary, text, durable);
  const file = openSync(temporary, "w");
  try {
    writeSync(file, text);
    if (durable) fdatasyncSync(file);
  } catch (error) {
    closeSync(file);
    unlinkSync(temporary);
    throw error;
  }
  closeSync(file);
  renameSync(temporary, path);
  if (durable) syncDirectory(dirname(path));
}

async function writeAtomicOffThread(path: string, temporary: string, text: string, durable: boolean): Promise<void> {
  const file = await open(temporary, "w");
  try {
    await file.writeFile(text);
    if (durable) await file.datasync();
  } catch (error) {
    await file.close();
    await unlink(temporary);
    throw error;
  }
  await file.close();
  await rename(temporary, path);
  if (durable) {
    const directory = await open(dirname(path), "r");
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  }
}

/** Makes a rename or a new file in `directory` durable. */
export function syncDirectory(directory: string): void {
  const handle = openSync(directory, "r");
  try {
    fsyncSync(handle);
  } finally {
    closeSync(handle);
  }
}

export async function exists(path: string): Promise<boolean> {
  return statSync(path, { throwIfNoEntry: false }) !== undefined;
}

/**
 * Reads a pack text file and checks it is the record expected (`check` returns what is wrong, or
 * undefined). Any failure is a StoreError naming the file.
 */
export async function readRecord<T>(path: string, what: string, check: (value: unknown) => string | undefined): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new StoreError("not-found", path, `no ${what} here`);
    throw error;
  }
  return parseRecord<T>(path, text, what, check);
}

export function parseRecord<T>(path: string, text: string, what: string, check: (value: unknown) => string | undefined): T {
  if (text.length === 0) throw new StoreError("truncated", path, `the ${what} file is empty`);
  let value: unknown;
  try {
    value = loads(text);
  } catch (error) {
    if (error instanceof PackError) {
      const code = error.code === "truncated" ? "truncated" : "corrupt";
      const at = error.line === undefined ? {} : { line: error.line, column: error.column ?? 1 };
      throw new StoreError(code, path, `${code === "truncated" ? "the file ends in the middle of a" : "this is not a readable"} ${what}: ${error.message}`, { cause: error, ...at });
    }
    throw new StoreError("corrupt", path, `cannot read the ${what}: ${(error as Error).message}`, { cause: error });
  }
  const problem = check(value);
  if (problem) throw new StoreError("corrupt", path, `this is not a ${what}: ${problem}`);
  return value as T;
}

/**
 * The number of files `name(0) … name(n-1)` that exist, found with about 2·log2(n) probes, so the
 * cost of finding the newest checkpoint does not grow with a run's history.
 */
export async function countSequence(name: (index: number) => string): Promise<number> {
  if (!(await exists(name(0)))) return 0;
  let present = 0;
  let step = 1;
  while (await exists(name(present + step))) {
    present += step;
    step *= 2;
  }
  // name(present) exists, name(present + step) does not: bisect between them.
  let missing = present + step;
  while (missing - present > 1) {
    const middle = (present + missing) >>> 1;
    if (await exists(name(middle))) present = middle;
    else missing = middle;
  }
  return present + 1;
}
