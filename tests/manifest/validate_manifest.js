// Validates a Teams app manifest against the official JSON schema, offline.
//
// Usage: node tests/manifest/validate_manifest.js MANIFEST.json
// Prints a JSON array of schema errors ([] = valid). Exit 0 when validation ran,
// 2 when it could not (unreadable manifest, no local schema for its $schema URL).
//
// The schema is read from the npm package @microsoft/app-manifest's bundled
// json-schemas/ and passed explicitly, so AppManifestUtils.validateAgainstSchema
// never reaches its network fallback (fetchSchema); fetch is also disabled.
"use strict";

const fs = require("fs");
const Module = require("module");
const path = require("path");

globalThis.fetch = () => {
  throw new Error("network access is disabled in the manifest validator");
};

// @microsoft/app-manifest 1.1.2 requires fs-extra but declares only @types/fs-extra,
// so a plain `npm install` lacks it. When it is absent, answer that require with
// node's fs plus the two fs-extra helpers the package calls.
function provideFsExtraIfMissing() {
  const packageDir = path.dirname(require.resolve("@microsoft/app-manifest"));
  try {
    require.resolve("fs-extra", { paths: [packageDir] });
    return;
  } catch {
    // fall through: serve the shim
  }
  const key = path.join(__dirname, "<fs-extra shim>");
  const shim = new Module(key);
  shim.filename = key;
  shim.loaded = true;
  shim.exports = {
    ...fs,
    ...fs.promises,
    readFileSync: fs.readFileSync,
    pathExists: async (p) => fs.existsSync(p),
    writeJson: async (p, value, options = {}) =>
      fs.promises.writeFile(p, JSON.stringify(value, null, options.spaces)),
  };
  require.cache[key] = shim;
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return request === "fs-extra" ? key : resolve.call(this, request, ...rest);
  };
}

provideFsExtraIfMissing();
const { AppManifestUtils } = require("@microsoft/app-manifest");

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

async function main() {
  const file = process.argv[2];
  if (!file) fail("usage: validate_manifest.js MANIFEST.json");
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    fail(`cannot read ${file}: ${err.message}`);
  }
  const match = /\/json-schemas\/teams\/(v[0-9.]+|vDevPreview)\/MicrosoftTeams\.schema\.json$/.exec(
    String(manifest.$schema || ""),
  );
  if (!match) fail(`no bundled Teams schema for $schema ${JSON.stringify(manifest.$schema)}`);
  const packageDir = path.dirname(require.resolve("@microsoft/app-manifest"));
  const schemaFile = path.join(packageDir, "json-schemas", "teams", match[1], "MicrosoftTeams.schema.json");
  if (!fs.existsSync(schemaFile)) fail(`no bundled Teams schema ${match[1]} (${schemaFile})`);
  // The package's own loader rewrites \a and \v escapes that are not valid JSON.
  const raw = fs.readFileSync(schemaFile, "utf8").replace(/\\a/g, "\\u0007").replace(/\\v/g, "\\u000b");
  const errors = await AppManifestUtils.validateAgainstSchema(manifest, JSON.parse(raw));
  process.stdout.write(`${JSON.stringify(errors)}\n`);
}

main().catch((err) => fail(`validation failed to run: ${err.stack || err}`));
