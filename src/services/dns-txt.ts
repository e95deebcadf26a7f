import { Resolver } from "node:dns/promises";

/** What a TXT lookup found: the records (each one's strings joined), none at all, or why it failed. */
export type TxtAnswer =
  | { kind: "records"; records: string[] }
  | { kind: "none"; reason: "no such name" | "no TXT records" }
  | { kind: "failed"; reason: string };

/** Where TXT lookups go: the configured servers (empty: the system's resolver) and the time one may take. */
export interface DnsOptions {
  servers: string[];
  timeoutMs: number;
}

/**
 * Looks up the TXT records of `name`. A fresh resolver per lookup: it is cheap, holds no state
 * between verifications, and its servers are exactly the configured ones. One try per server within
 * the timeout, so a verify button never hangs for the resolver's default retries.
 */
export async function lookupTxt(name: string, opts: DnsOptions): Promise<TxtAnswer> {
  const resolver = new Resolver({ timeout: opts.timeoutMs, tries: 1 });
  if (opts.servers.length > 0) resolver.setServers(opts.servers);
  try {
    const records = await resolver.resolveTxt(name);
    return records.length === 0 ? { kind: "none", reason: "no TXT records" } : { kind: "records", records: records.map((chunks) => chunks.join("")) };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ENOTFOUND") return { kind: "none", reason: "no such name" };
    if (code === "ENODATA") return { kind: "none", reason: "no TXT records" };
    if (code === "ETIMEOUT") return { kind: "failed", reason: "the DNS server did not answer in time" };
    if (code === "ECONNREFUSED") return { kind: "failed", reason: "the DNS server refused the connection" };
    if (code === "ESERVFAIL") return { kind: "failed", reason: "the DNS server failed to answer (SERVFAIL)" };
    if (code === "EREFUSED") return { kind: "failed", reason: "the DNS server refused the query" };
    return { kind: "failed", reason: `the lookup failed (${code ?? "unknown error"})` };
  }
}
