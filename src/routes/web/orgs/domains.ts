import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { findOrganizationDomain, listOrganizationDomains } from "../../../db/organization-domains";
import { JOIN_POLICIES, type JoinPolicy } from "../../../db/organizations";
import { flash } from "../../../http/flash";
import { idParam } from "../../../http/params";
import { formValues, type Valid } from "../../../http/validate";
import { notFound } from "../../../lib/errors";
import { addDomain, challengeName, challengeValue, removeDomain, setJoinPolicy, verifyDomainByDns } from "../../../services/organization-domains";
import { actThenRedirect, orgPath } from "./helpers";

/** POST /orgs/:org/settings/sso/domains: the domain to claim (checked and made canonical by the service). */
export const DomainForm = z.object({ domain: z.string().trim().min(1, "Enter a domain, like example.com.").max(253, "That is not a valid domain name.") });

/** POST /orgs/:org/settings/sso/join-policy: who at the verified domains may join. */
export const JoinPolicyForm = z.object({ join_policy: z.enum(JOIN_POLICIES as [JoinPolicy, ...JoinPolicy[]], "Choose who may join.") });

/** The domains page of req.org, where refused choices are flashed. */
export const domainsPage = (req: Request) => orgPath(req.org!.slug, "/settings/sso");

/**
 * GET /orgs/:org/settings/sso — the organization's domains with the TXT record each unverified one
 * needs, and the join policy (owners in person); the add form again on a 422.
 */
export async function showDomainSettings(req: Request, res: Response) {
  const org = req.org!;
  const domains = (await listOrganizationDomains(org.id)).map((d) => ({ ...d, recordName: challengeName(d.domain), recordValue: challengeValue(d.verification_token) }));
  res.render("orgs/domains", {
    title: `Single sign-on and domains · ${org.name}`,
    tab: "settings",
    domains,
    hasVerified: domains.some((d) => d.verified_at),
    values: formValues(res, { domain: "" }),
  });
}

/** POST /orgs/:org/settings/sso/domains — adds a claim and shows its TXT record. */
export async function submitAddDomain(req: Valid<typeof DomainForm>, res: Response) {
  const claim = await addDomain(req.org!, req.actor!, req.body.domain);
  flash(req, "success", `Added ${claim.domain}. Publish its TXT record, then press “Verify”.`);
  res.redirect(domainsPage(req));
}

/** POST /orgs/:org/settings/sso/domains/:id/verify — looks the TXT record up; a miss says what DNS answered. */
export function submitVerifyDomain(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const id = idParam(req.params.id, "Domain");
    await actThenRedirect(req, res, domainsPage(req), async () => {
      const claim = await verifyDomainByDns(ctx.config.dns, req.org!, req.actor!, id);
      return `${claim.domain} is verified.`;
    });
  };
}

/** GET /orgs/:org/settings/sso/domains/:id/remove — asks before removing a domain. */
export async function showRemoveDomain(req: Request, res: Response) {
  const org = req.org!;
  const claim = await findOrganizationDomain(org.id, idParam(req.params.id, "Domain"));
  if (!claim) throw notFound("Domain");
  res.render("orgs/confirm", {
    title: `Remove ${claim.domain}?`,
    tab: "settings",
    message: claim.verified_at
      ? `People with an address at ${claim.domain} will no longer find ${org.name} or be able to join it by their address. Members stay members.`
      : `The pending verification of ${claim.domain} is discarded; adding it again gives a new TXT record value.`,
    action: orgPath(org.slug, `/settings/sso/domains/${claim.id}/remove`),
    button: `Remove ${claim.domain}`,
    back: domainsPage(req),
  });
}

/** POST /orgs/:org/settings/sso/domains/:id/remove — removes the domain (another organization's id is a 404). */
export async function submitRemoveDomain(req: Request, res: Response) {
  const claim = await removeDomain(req.org!, req.actor!, idParam(req.params.id, "Domain"));
  flash(req, "success", `Removed ${claim.domain}.`);
  res.redirect(domainsPage(req));
}

const POLICY_SAVED: Record<JoinPolicy, string> = {
  off: "Nobody can join by their email address now; people join by invitation only.",
  request: "People with a confirmed address at a verified domain can now ask to join; owners and admins approve.",
  direct: "People with a confirmed address at a verified domain can now join directly as members.",
};

/** POST /orgs/:org/settings/sso/join-policy — sets who at the verified domains may join. */
export async function submitJoinPolicy(req: Valid<typeof JoinPolicyForm>, res: Response) {
  await setJoinPolicy(req.org!, req.actor!, req.body.join_policy);
  flash(req, "success", POLICY_SAVED[req.body.join_policy]);
  res.redirect(domainsPage(req));
}
