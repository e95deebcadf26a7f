import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const REPO = path.resolve(__dirname, "..");

/** What a child inherits from our environment: enough to run Node, nothing that configures the app. */
const INHERITED = ["PATH", "HOME", "TMPDIR", "LANG"];

/**
 * With BENCH_PROFILE_DIR set, the app under test writes a V8 CPU profile there when it stops (open it
 * in Chrome's DevTools, Performance tab): the way to find where a scenario's time goes.
 */
function cpuProfileArgs(script: string): string[] {
  const dir = process.env.BENCH_PROFILE_DIR;
  return path.basename(script).startsWith("app-server.") && dir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(dir)}`] : [];
}

/**
 * A bench process (app, baseline server, load generator, argon2 meter) started as its own Node
 * process with an IPC channel, so no two of them share an event loop. It speaks one message at a
 * time: the parent asks, the child answers.
 */
export class BenchChild {
  private constructor(private readonly proc: ChildProcess, readonly name: string) {}

  /**
   * Starts `bench/<script>` under tsx, or a compiled JavaScript file (an absolute path ending in
   * .js) under plain node, and waits (at most `readySeconds`) for its "ready" message.
   */
  static async start(script: string, env: NodeJS.ProcessEnv, readySeconds = 60): Promise<BenchChild> {
    // node itself, not the tsx wrapper: the pid is then the process that serves, whose memory we read.
    // tsx's CommonJS hook only: `--import tsx` also starts Node's module-loader thread, a second V8
    // heap that a production server does not have.
    const entry = script.endsWith(".js") ? [script] : ["--require", "tsx/cjs", path.join(__dirname, script)];
    const proc = spawn(process.execPath, [...cpuProfileArgs(script), ...entry], {
      cwd: REPO,
      env: { ...Object.fromEntries(INHERITED.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]])), ...env },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const child = new BenchChild(proc, path.basename(script));
    await child.next("ready", readySeconds);
    return child;
  }

  /** The operating-system process id of the child. */
  get pid(): number {
    return this.proc.pid!;
  }

  /** Sends `message` and resolves with the child's reply, failing after `timeoutSeconds`. */
  async ask<T>(message: object, timeoutSeconds: number): Promise<T> {
    const reply = this.next<T>("reply", timeoutSeconds);
    this.proc.send(message);
    return reply;
  }

  private next<T>(expected: string, timeoutSeconds: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${this.name}: no ${expected} within ${timeoutSeconds} s`)), timeoutSeconds * 1000);
      const onMessage = (m: { type: string; body?: T; error?: string }) => {
        if (m.type === "error") done(new Error(`${this.name}: ${m.error}`));
        else if (m.type === expected) done(undefined, m.body as T);
      };
      const onExit = (code: number | null, signal: string | null) => done(new Error(`${this.name} exited (${signal ?? code}) while we waited for ${expected}`));
      const done = (err?: Error, value?: T) => {
        clearTimeout(timer);
        this.proc.off("message", onMessage);
        this.proc.off("exit", onExit);
        if (err) reject(err);
        else resolve(value as T);
      };
      this.proc.on("message", onMessage);
      this.proc.on("exit", onExit);
    });
  }

  /** Asks the child to stop (SIGTERM) and waits for it; kills it after 15 s. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.proc.once("exit", () => resolve()));
    this.proc.kill("SIGTERM");
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/** In a child: answers each message from the parent with `handle`'s result, one at a time. */
export function serveParent(handle: (message: unknown) => Promise<unknown>): void {
  let queue = Promise.resolve();
  process.on("message", (message) => {
    queue = queue.then(async () => {
      try {
        process.send!({ type: "reply", body: await handle(message) });
      } catch (err) {
        process.send!({ type: "error", error: (err as Error).stack ?? String(err) });
      }
    });
  });
  // The parent went away (it crashed or finished): nothing is left to serve.
  process.on("disconnect", () => process.exit(0));
}

/** In a child: tells the parent it is ready. */
export function announceReady(): void {
  process.send!({ type: "ready" });
}
