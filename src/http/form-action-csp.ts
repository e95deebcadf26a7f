import type { Response } from "express";

/**
 * Widens this one response's CSP form-action from 'self' to 'self' plus one extra origin, leaving
 * every other directive as the app-wide policy set it. Browsers apply form-action to the redirects
 * that follow a form submission too, so the CLI consent page needs its loopback origin listed for
 * the redirect back to the waiting CLI to be allowed; every other page keeps form-action 'self'.
 */
export function allowFormActionTo(res: Response, origin: string): void {
  const current = res.getHeader("Content-Security-Policy");
  if (typeof current !== "string") return;
  const directives = current.split(";").map((d) => d.trim()).filter(Boolean);
  const others = directives.filter((d) => !/^form-action\b/i.test(d));
  res.setHeader("Content-Security-Policy", [...others, `form-action 'self' ${origin}`].join(";"));
}
