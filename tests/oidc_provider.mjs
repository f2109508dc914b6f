// A real OpenID provider for the age-verification tests: oidc-provider (the certified Node
// implementation), configured here and started by tests/oidc_peer.py on a loopback port.
//
//   node tests/oidc_provider.mjs <port> <redirect_uri> [id_token_ttl_seconds]
//
// Two clients share the shop's redirect URI: `shop` (the one the shop is configured with)
// and `other-shop` (a second registration, for tokens meant for another audience). The
// accounts' claims say 18+, under 18 and 21+; each also has personal claims (name, birth
// date, e-mail, bank) that the shop must never store. Signing in takes no password: the
// interaction page is a form with one field, the account, so a test can post it over HTTP
// and a browser can click it.
import Provider from "oidc-provider";

const [port, redirectUri, idTokenTtl = "600"] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  "customer-adult-4821": { name: "Anouk Verbeek", birthdate: "1990-04-12", email: "anouk@bank.example",
           bank: "Voorbeeldbank", age_over_18: true, age_over_21: true },
  "customer-teen-7730": { name: "Tim Jansen", birthdate: "2010-09-01", email: "tim@bank.example",
          bank: "Voorbeeldbank", age_over_18: false, age_over_21: false },
  "customer-nineteen-2264": { name: "Noor Bakker", birthdate: "2007-01-15", email: "noor@bank.example",
              bank: "Voorbeeldbank", age_over_18: true, age_over_21: false },
};

const client = (id) => ({
  client_id: id,
  client_secret: `${id}-secret-0123456789abcdef`,
  redirect_uris: [redirectUri],
  grant_types: ["authorization_code"],
  response_types: ["code"],
  token_endpoint_auth_method: "client_secret_basic",
});

const provider = new Provider(issuer, {
  clients: [client("shop"), client("other-shop")],
  pkce: { required: () => true },
  claims: {
    openid: ["sub"],
    age: ["age_over_18", "age_over_21"],
    profile: ["name", "birthdate", "bank"],
    email: ["email"],
  },
  // The age claims ride in the ID token itself (as an iDIN broker's do), not only /userinfo.
  conformIdTokenClaims: false,
  ttl: { IdToken: Number(idTokenTtl), AccessToken: 600, AuthorizationCode: 60, Session: 600,
         Interaction: 600, Grant: 600 },
  features: { devInteractions: { enabled: false } },
  cookies: { keys: ["oidc-test-provider-cookie-key-0123456789"] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    if (!ACCOUNTS[id]) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...ACCOUNTS[id] }) };
  },
});

function page(uid) {
  const buttons = Object.keys(ACCOUNTS)
    .map((id) => `<button type="submit" name="account" value="${id}">${ACCOUNTS[id].name}</button>`)
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test bank</title></head>
<body><main><h1>Test bank: confirm your age</h1><p>Sign in as:</p>
<form method="post" action="/interaction/${uid}/login">${buttons}
<button type="submit" name="account" value="cancel">Cancel</button></form></main></body></html>`;
}

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (!match[2]) {
    ctx.type = "html";
    ctx.body = page(details.uid);
    return undefined;
  }
  let raw = "";
  for await (const chunk of ctx.req) raw += chunk;
  const account = new URLSearchParams(raw).get("account");
  let result;
  if (!ACCOUNTS[account]) {
    result = { error: "access_denied", error_description: "The customer cancelled." };
  } else {
    const grant = new provider.Grant({ accountId: account, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    result = { login: { accountId: account }, consent: { grantId: await grant.save() } };
  }
  return provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
});

provider.listen(Number(port), "127.0.0.1", () => console.log(`listening ${issuer}`));
