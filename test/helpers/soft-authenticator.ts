import crypto from "node:crypto";
import { isoCBOR } from "@simplewebauthn/server/helpers";

/**
 * A WebAuthn authenticator in the test process (ES256, "none" attestation), for attacks a browser
 * would never let a page make: responses signed for another origin or RP ID, counters going
 * backwards, another credential's id, no user verification. It builds exactly the bytes a real
 * authenticator and browser send (WebAuthn §6.1, §6.5.1, §5.8.1), so the server's checks are tested,
 * not bypassed. The browser test uses Chromium's own virtual authenticator instead.
 */
export class SoftAuthenticator {
  readonly credentialId = crypto.randomBytes(16);
  private readonly keys = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  counter = 0;
  userHandle: string | undefined;

  constructor(private readonly origin: string, private readonly rpId = new URL(origin).hostname) {}

  /** The credential id as responses carry it (base64url). */
  get id(): string {
    return this.credentialId.toString("base64url");
  }

  /** A registration response (navigator.credentials.create) for `options` as the server sent them. */
  register(options: { challenge: string; user: { id: string } }, tamper: { origin?: string; rpId?: string } = {}): string {
    this.userHandle = options.user.id;
    const jwk = this.keys.publicKey.export({ format: "jwk" });
    const cose = new Map<number, number | Uint8Array>([
      [1, 2], [3, -7], [-1, 1],
      [-2, new Uint8Array(Buffer.from(jwk.x!, "base64url"))],
      [-3, new Uint8Array(Buffer.from(jwk.y!, "base64url"))],
    ]);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([
      this.authDataHead(tamper.rpId, 0x01 | 0x04 | 0x40), Buffer.alloc(16), idLength, this.credentialId, Buffer.from(isoCBOR.encode(cose)),
    ]);
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([["fmt", "none"], ["attStmt", new Map()], ["authData", new Uint8Array(authData)]]) as never);
    const clientData = this.clientData("webauthn.create", options.challenge, tamper.origin);
    return JSON.stringify({
      id: this.id, rawId: this.id, type: "public-key", authenticatorAttachment: "platform", clientExtensionResults: {},
      response: { clientDataJSON: clientData.toString("base64url"), attestationObject: Buffer.from(attestationObject).toString("base64url"), transports: ["internal"] },
    });
  }

  /**
   * A sign-in response (navigator.credentials.get) over `challenge`. The counter goes up by one
   * unless `counter` says otherwise; `userVerified: false` is a key used without PIN or biometrics.
   */
  assert(challenge: string, tamper: { origin?: string; rpId?: string; counter?: number; userVerified?: boolean; credentialId?: string; userHandle?: string } = {}): string {
    this.counter = tamper.counter ?? this.counter + 1;
    const authData = this.authDataHead(tamper.rpId, 0x01 | (tamper.userVerified === false ? 0 : 0x04));
    const clientData = this.clientData("webauthn.get", challenge, tamper.origin);
    const signature = crypto.sign("sha256", Buffer.concat([authData, crypto.createHash("sha256").update(clientData).digest()]), this.keys.privateKey);
    const id = tamper.credentialId ?? this.id;
    return JSON.stringify({
      id, rawId: id, type: "public-key", authenticatorAttachment: "platform", clientExtensionResults: {},
      response: {
        clientDataJSON: clientData.toString("base64url"),
        authenticatorData: authData.toString("base64url"),
        signature: signature.toString("base64url"),
        userHandle: tamper.userHandle ?? this.userHandle,
      },
    });
  }

  private authDataHead(rpId: string | undefined, flags: number): Buffer {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    return Buffer.concat([crypto.createHash("sha256").update(rpId ?? this.rpId).digest(), Buffer.from([flags]), counter]);
  }

  private clientData(type: string, challenge: string, origin: string | undefined): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: origin ?? this.origin, crossOrigin: false }));
  }
}
