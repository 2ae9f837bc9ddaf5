// Runs EBSI's own verifier libraries over our credentials and passports, as an ecosystem verifier
// would: @cef-ebsi/verifiable-credential (verifyCredentialJwt) and @cef-ebsi/verifiable-presentation
// (verifyPresentationJwt), their EBSI environment pointed at a running `registry serve`.
//
// stdin: {"base": "http://127.0.0.1:PORT", "cases": [{"name", "kind": "vc" | "vp", "jwt",
//          "audience"?}]}
// stdout: one JSON array, a result per case in order: {"name", "verified", "error", "requests",
//          "statuses"}: `requests` is how many HTTP requests the library made for that case (its
//          own 5-minute cache of registry reads is shared by the cases of one run), `statuses` the
//          HTTP status codes it got back.
// The cases run one after the other, so each case's request count is its own.

import axios from "axios";
import { verifyCredentialJwt } from "@cef-ebsi/verifiable-credential";
import { verifyPresentationJwt } from "@cef-ebsi/verifiable-presentation";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const base = new URL(input.base);
const options = {
  ebsiAuthority: base.host,
  ebsiEnvConfig: {
    didRegistry: `${input.base}/did-registry/v5/identifiers`,
    trustedIssuersRegistry: `${input.base}/trusted-issuers-registry/v5/issuers`,
    trustedPoliciesRegistry: `${input.base}/trusted-policies-registry/v3/users`,
  },
  trustedHostnames: [base.hostname],
  timeout: 15000,
};

let requests = 0;
let statuses = [];
axios.interceptors.request.use((config) => {
  requests += 1;
  return config;
});
axios.interceptors.response.use(
  (response) => {
    statuses.push(response.status);
    return response;
  },
  (error) => {
    statuses.push(error.response ? error.response.status : "no answer");
    return Promise.reject(error);
  },
);

const results = [];
for (const c of input.cases) {
  requests = 0;
  statuses = [];
  const result = { name: c.name, verified: false, error: null };
  try {
    if (c.kind === "vp") {
      // A verifier checks a presentation as of now: validAt makes the library hold `exp` to it.
      await verifyPresentationJwt(c.jwt, c.audience, { ...options, validAt: Math.floor(Date.now() / 1000) });
    } else {
      await verifyCredentialJwt(c.jwt, options);
    }
    result.verified = true;
  } catch (e) {
    result.error = e instanceof Error ? e.message : String(e);
  }
  result.requests = requests;
  result.statuses = statuses;
  results.push(result);
}
process.stdout.write(JSON.stringify(results));
