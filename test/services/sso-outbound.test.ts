import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { assertPublicUrl, isInternalAddress, outboundFetch } from "../../src/services/sso/outbound";

describe("calls to owner-supplied SSO URLs", () => {
  it("tells internal addresses from public ones", () => {
    const table: [string, boolean][] = [
      ["127.0.0.1", true], ["10.1.2.3", true], ["172.16.0.1", true], ["172.32.0.1", false], ["192.168.1.1", true],
      ["169.254.169.254", true], ["100.64.0.1", true], ["0.0.0.0", true], ["::1", true], ["::", true], ["fd00::1", true],
      ["fe80::1", true], ["::ffff:127.0.0.1", true], ["::ffff:8.8.8.8", false], ["8.8.8.8", false], ["2001:4860:4860::8888", false],
    ];
    for (const [ip, internal] of table) assert.equal(isInternalAddress(ip), internal, ip);
  });

  it("refuses URLs whose host is or resolves to an internal address", async () => {
    for (const url of ["http://127.0.0.1:9/x", "https://localhost/x", "https://[::1]/x", "https://169.254.169.254/latest/meta-data/", "https://10.0.0.5/"]) {
      await assert.rejects(assertPublicUrl(new URL(url)), /private or local network/, url);
    }
    await assertPublicUrl(new URL("https://8.8.8.8/"));
  });

  describe("the fetch given to node-saml's metadata read and openid-client", () => {
    let server: http.Server;
    let url: string;
    let requests = 0;
    before(async () => {
      server = http.createServer((_req, res) => {
        requests++;
        res.end("hello");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metadata`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("never sends the request to a private address unless the operator allows it", async () => {
      await assert.rejects(outboundFetch(false)(url), /private or local network/);
      assert.equal(requests, 0);
      // A name is checked where the connection is made, on the address connected to, with no
      // lookup before it that a changing DNS answer (rebinding) could get past.
      await assert.rejects(outboundFetch(false)(url.replace("127.0.0.1", "localhost")), /localhost is on a private or local network/);
      assert.equal(requests, 0);
      const allowed = await outboundFetch(true)(url);
      assert.equal(await allowed.text(), "hello");
      assert.equal(requests, 1);
    });
  });
});
