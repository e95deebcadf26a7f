import crypto from "node:crypto";

/**
 * Encryption and keyed hashing of second-factor secrets at rest, with keys derived from
 * SESSION_SECRET (each use its own key, so none can stand in for another, nor for the CSRF or
 * cookie keys).
 *
 * Why encrypt the TOTP secret rather than only keep it out of logs and exports: whoever reads it
 * can make codes for ever, and database dumps and backups travel further than the app's
 * environment. With the key outside the database, a dump alone gives nothing. The price: changing
 * SESSION_SECRET makes stored TOTP secrets unreadable (those accounts then sign in with a recovery
 * code and set up their app again), which the README says next to the variable.
 */
export interface SecretBox {
  /** AES-256-GCM of `plain`, as "v1.<iv>.<ciphertext+tag>" (base64url parts). */
  seal(plain: string): string;
  /** The plain text of a sealed value, or undefined when it was sealed under another key or altered. */
  open(sealed: string): string | undefined;
  /** HMAC-SHA-256 of a recovery code: the stored form, useless without the key. */
  hashRecoveryCode(code: string): Buffer;
}

/** The secret box for an app, from its session secret. */
export function createSecretBox(sessionSecret: string): SecretBox {
  const derive = (purpose: string) => crypto.createHmac("sha256", sessionSecret).update(purpose).digest();
  const encryptionKey = derive("gatehouse totp secret encryption");
  const recoveryKey = derive("gatehouse recovery code hash");
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
    hashRecoveryCode(code) {
      return crypto.createHmac("sha256", recoveryKey).update(code).digest();
    },
  };
}
