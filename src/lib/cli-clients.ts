/** The names people read for the command-line clients Gatehouse knows, by OAuth client id. */
const CLIENT_NAMES: Record<string, string> = { "terraform-cli": "Terraform CLI" };

/**
 * "Terraform CLI" for "terraform-cli": the one name a CLI client goes by on the consent page, in
 * session and token lists and in the security log. An unknown id is shown as it is; none is "CLI".
 */
export function cliClientName(clientId: string | null | undefined): string {
  if (!clientId) return "CLI";
  return CLIENT_NAMES[clientId] ?? clientId;
}
