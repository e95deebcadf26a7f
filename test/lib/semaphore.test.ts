import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Semaphore } from "../../src/lib/semaphore";

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A task for run() that finishes only when `finish` is called, and records that it started. */
function gatedTask(started: string[], name: string) {
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  return { finish, task: async () => (started.push(name), await gate, name) };
}

describe("Semaphore", () => {
  it("lets `limit` tasks run at once and starts the waiting ones in arrival order", async () => {
    const slots = new Semaphore(2);
    const started: string[] = [];
    const tasks = ["a", "b", "c", "d"].map((name) => gatedTask(started, name));
    const results = tasks.map((t) => slots.run(t.task));
    await settle();
    assert.deepEqual(started, ["a", "b"]);
    assert.equal(slots.running, 2);
    assert.equal(slots.queued, 2);

    tasks[1]!.finish();
    await settle();
    assert.deepEqual(started, ["a", "b", "c"], "the first waiter takes the freed slot");
    assert.equal(slots.running, 2);
    assert.equal(slots.queued, 1);

    // A newcomer queues behind "d" even though it arrives while a slot is being handed over.
    tasks[0]!.finish();
    const late = gatedTask(started, "e");
    const lateResult = slots.run(late.task);
    await settle();
    assert.deepEqual(started, ["a", "b", "c", "d"]);
    assert.equal(slots.queued, 1);

    tasks[2]!.finish();
    tasks[3]!.finish();
    late.finish();
    assert.deepEqual(await Promise.all([...results, lateResult]), ["a", "b", "c", "d", "e"]);
    assert.equal(slots.running, 0);
    assert.equal(slots.queued, 0);
  });

  it("frees the slot when a task fails, and passes the failure on", async () => {
    const slots = new Semaphore(1);
    await assert.rejects(slots.run(async () => Promise.reject(new Error("boom"))), /boom/);
    assert.equal(slots.running, 0);
    assert.equal(await slots.run(async () => "next"), "next");
  });

  it("refuses a limit that is not a positive integer", () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) assert.throws(() => new Semaphore(limit), RangeError);
  });
});
