// An independent check of our ES256 code tokens: Node's own crypto
// verifies the JWS signature (raw r||s, RFC 7518) over the signing input
// with the key from our published JWKS.  Prints header and payload as
// JSON and exits 0 when valid, exits 1 otherwise.
// Usage: node jws.mjs TOKEN JWKS_FILE
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [token, jwksFile] = process.argv.slice(2);
const parts = token.split('.');
if (parts.length !== 3) { console.log('malformed'); process.exit(1); }
const dec = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
const header = dec(parts[0]);
const payload = dec(parts[1]);
const jwks = JSON.parse(readFileSync(jwksFile, 'utf8'));
const jwk = jwks.keys.find((k) => k.kid === header.kid);
if (!jwk || header.alg !== 'ES256') { console.log('no key or not ES256'); process.exit(1); }
const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
const ok = verify('sha256', Buffer.from(parts[0] + '.' + parts[1]), { key, dsaEncoding: 'ieee-p1363' },
  Buffer.from(parts[2], 'base64url'));
console.log(JSON.stringify({ header, payload }));
process.exit(ok ? 0 : 1);
