import type { z } from "zod";
import type { UserRow } from "../../../db/users";
import type { UserResource } from "../schemas";

/** The API view of a user: chosen fields only (never the password hash or internal columns). */
export function presentUser(user: UserRow): z.infer<typeof UserResource> {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    email_confirmed: user.email_confirmed_at !== null,
    display_name: user.display_name,
    bio: user.bio ?? "",
    links: user.links ?? [],
    profile_public: user.profile_public ?? false,
    created_at: user.created_at.toISOString(),
    updated_at: user.updated_at.toISOString(),
  };
}
