import path from "node:path";
import { Router } from "express";

/**
 * The one third-party script the pages load: @simplewebauthn/browser's own bundle (UMD, a global
 * `SimpleWebAuthnBrowser`), served from the installed package at a path of ours. Same origin, so the
 * CSP's script-src 'self' covers it; nothing is copied at build time, so `npm start` in development
 * and production serve the version package-lock.json pinned. The package's exports map hides its
 * files, so the path is found from its entry point.
 */
export function vendorScripts(maxAge: string | number): Router {
  const entry = require.resolve("@simplewebauthn/browser");
  const bundle = path.resolve(path.dirname(entry), "../dist/bundle/index.umd.min.js");
  const r = Router();
  r.get("/public/vendor/simplewebauthn-browser.js", (_req, res) => {
    res.sendFile(bundle, { maxAge, headers: { "content-type": "text/javascript; charset=utf-8" } });
  });
  return r;
}
