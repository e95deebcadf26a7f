import dgram from "node:dgram";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach } from "node:test";
import * as packet from "dns-packet";

const NXDOMAIN = 3;
const SERVFAIL = 2;

/**
 * A DNS server in the test process, over UDP on 127.0.0.1 (the OS picks a free port), answering the
 * TXT records a test sets: the names given records answer them, a name set to "servfail" answers
 * SERVFAIL, a name set to "silent" gets no answer at all (the lookup times out), and every other
 * name is NXDOMAIN. Queries are counted by name, so a test can tell that a lookup was made.
 */
export class TestDnsServer {
  private socket = dgram.createSocket("udp4");
  private answers = new Map<string, string[] | "servfail" | "silent">();
  /** How many queries each (lowercased) name got. */
  readonly queries = new Map<string, number>();
  /** "127.0.0.1:<port>", for DNS_SERVERS. */
  address = "";

  async start(): Promise<void> {
    this.socket.on("message", (msg, rinfo) => this.answer(msg, rinfo));
    await new Promise<void>((resolve) => this.socket.bind(0, "127.0.0.1", () => resolve()));
    this.address = `127.0.0.1:${(this.socket.address() as AddressInfo).port}`;
  }

  /** Serves these TXT values at `name` (each value one record), or a failure. */
  set(name: string, answer: string[] | "servfail" | "silent"): void {
    this.answers.set(name.toLowerCase(), answer);
  }

  /** Forgets every record and count. */
  clear(): void {
    this.answers.clear();
    this.queries.clear();
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private answer(msg: Buffer, rinfo: dgram.RemoteInfo) {
    let query: packet.DecodedPacket;
    try {
      query = packet.decode(msg);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase();
    this.queries.set(name, (this.queries.get(name) ?? 0) + 1);
    const found = this.answers.get(name);
    if (found === "silent") return;
    const rcode = found === undefined ? NXDOMAIN : found === "servfail" ? SERVFAIL : 0;
    const answers: packet.Answer[] = Array.isArray(found) && question.type === "TXT"
      ? found.map((value) => ({ type: "TXT", name: question.name, class: "IN", ttl: 60, data: value }))
      : [];
    const reply = packet.encode({
      id: query.id,
      type: "response",
      flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | rcode,
      questions: query.questions,
      answers,
    });
    this.socket.send(reply, rinfo.port, rinfo.address);
  }
}

/**
 * Registers hooks that run a TestDnsServer for the calling test file (emptied before each test) and
 * returns it with an env object whose DNS_SERVERS points at it. Call it before useTestApp(env), so
 * the server's address is filled in by the time the app reads its environment.
 */
export function useTestDns(): { dns: TestDnsServer; env: Record<string, string> } {
  const dns = new TestDnsServer();
  const env: Record<string, string> = { DNS_TIMEOUT_SECONDS: "1" };
  before(async () => {
    await dns.start();
    env.DNS_SERVERS = dns.address;
  });
  beforeEach(() => dns.clear());
  after(() => dns.stop());
  return { dns, env };
}
