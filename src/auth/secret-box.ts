import crypto from "node:crypto";

/**
 * Encryption of TOTP secrets at rest, with a key derived from SESSION_SECRET (its own key, so it
 * cannot stand in for the CSRF or cookie keys, nor they for it).
 *
 * Why encrypt the TOTP secret rather than only keep it out of logs and exports: whoever reads it
 * can make codes for ever, and database dumps and backups travel further than the app's
 * environment. With the key outside the database, a dump alone gives nothing. The price: changing
 * SESSION_SECRET makes stored TOTP secrets unreadable (those accounts then sign in with a recovery
 * code and set up their app again), which the README says next to the variable. Recovery codes are
 * therefore hashed without this key (src/auth/totp.ts): they are the way back in after a rotation.
 */
export interface SecretBox {
  /** AES-256-GCM of `plain`, as "v1.<iv>.<ciphertext+tag>" (base64url parts). */
  seal(plain: string): string;
  /** The plain text of a sealed value, or undefined when it was sealed under another key or altered. */
  open(sealed: string): string | undefined;
}

/** The secret box for an app, from its session secret. */
export function createSecretBox(sessionSecret: string): SecretBox {
  const derive = (purpose: string) => crypto.createHmac("sha256", sessionSecret).update(purpose).digest();
  const encryptionKey = derive("gatehouse totp secret encryption");
  return {
    seal(plain) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv("aes-256-gcm", encryptionKey, iv);
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return `v1.${iv.toString("base64url")}.${body.toString("base64url")}`;
    },
    open(sealed) {
      const [version, ivText, bodyText] = sealed.split(".");
      if (version !== "v1" || !ivText || !bodyText) return undefined;
      const body = Buffer.from(bodyText, "base64url");
      try {
        const decipher = crypto.createDecipheriv("aes-256-gcm", encryptionKey, Buffer.from(ivText, "base64url"));
        decipher.setAuthTag(body.subarray(body.length - 16));
        return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString("utf8");
      } catch {
        return undefined;
      }
    },
  };
}
