import os from "node:os";

/**
 * Sizes libuv's thread pool. It must be the first module the entry point loads: libuv reads
 * UV_THREADPOOL_SIZE once, when the pool first starts (the first async fs call, dns.lookup, zlib job
 * or async crypto), and ignores it afterwards. The build runs as plain `node dist/server.js`, where
 * nothing comes before this module. In development `npm start` runs tsx as `node --require tsx/cjs`
 * with its transform cache off: the tsx command's module loader, and tsx writing a freshly compiled
 * file to its cache, both start the pool at the default size before the app's first line runs.
 *
 * argon2 hashes on this pool, one thread per hash. src/auth/passwords.ts lets at most one hash per
 * core run at once (more would only share the cores and make every sign-in slower), and the pool
 * gets libuv's default 4 threads on top of those, so file, DNS and crypto work never waits behind
 * queued sign-ins. An operator's own UV_THREADPOOL_SIZE is kept; this is libuv's variable, read by
 * libuv, which is why it is set here and not in src/config.ts.
 */

/** How many argon2 hashes or verifications may run at once: one per core. */
export const ARGON2_CONCURRENCY = os.availableParallelism();

/** Threads left for everything else on libuv's pool: libuv's own default. */
const OTHER_POOL_THREADS = 4;

// An empty value counts as unset, as everywhere in the configuration (libuv would read it as 1 thread).
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(ARGON2_CONCURRENCY + OTHER_POOL_THREADS);
