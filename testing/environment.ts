// The environment both runs of a check see: a seeded Math.random and a fixed clock (Date.now()
// and `new Date()`), so only resuming can make a straight run and a resumed one differ. The
// random state is one number, handed from thread to thread when a resume runs in a worker.

export interface EnvironmentState {
  /** The generator's state (a 32-bit integer); it advances with every Math.random() call. */
  readonly random: number;
  /** What Date.now() and `new Date()` return, in ms since the epoch. */
  readonly now: number;
}

export interface InstalledEnvironment {
  /** The state now, to continue from in another thread. */
  state(): EnvironmentState;
  /** Takes up the state another thread ended with. */
  continueFrom(state: EnvironmentState): void;
  restore(): void;
}

/** Replaces Math.random and Date in this thread until `restore()`. */
export function installEnvironment(start: EnvironmentState): InstalledEnvironment {
  const realRandom = Math.random;
  const RealDate = Date;
  let random = start.random | 0;
  const now = start.now;
  // mulberry32: small, fast, and its whole state is one integer.
  Math.random = () => {
    random = (random + 0x6d2b79f5) | 0;
    let t = random;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  // A real Date comes out (same prototype), so dates pack and compare like any other.
  const FixedDate = function (this: unknown, ...args: unknown[]) {
    if (new.target === undefined) return new RealDate(now).toString();
    return Reflect.construct(RealDate, args.length ? args : [now]);
  } as unknown as DateConstructor;
  Object.defineProperties(FixedDate, {
    prototype: { value: RealDate.prototype },
    now: { value: () => now },
    parse: { value: RealDate.parse },
    UTC: { value: RealDate.UTC },
  });
  globalThis.Date = FixedDate;
  return {
    state: () => ({ random, now }),
    continueFrom(state) {
      random = state.random | 0;
    },
    restore() {
      Math.random = realRandom;
      globalThis.Date = RealDate;
    },
  };
}

/** Runs `fn` in the environment, restoring the real one after, even when it throws. */
export async function inEnvironment<T>(start: EnvironmentState, fn: (environment: InstalledEnvironment) => Promise<T>): Promise<T> {
  const environment = installEnvironment(start);
  try {
    return await fn(environment);
  } finally {
    environment.restore();
  }
}
