import type { ChildProcess } from "node:child_process";

/** Resolves once the child has written `text` to stdout; rejects if it exits first. Collects stdout and stderr in `output`. */
export function waitForOutput(child: ChildProcess, text: string, output: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.join("").includes(text)) resolve();
    });
    child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.once("exit", (code) => reject(new Error(`the server exited (${code}) before "${text}":\n${output.join("")}`)));
  });
}

/** Stops a server process with SIGTERM (as a process manager does) and waits until it has exited. */
export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}
