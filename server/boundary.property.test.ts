// Property-based tests (fast-check) of the server's own parsers at the boundary: addresses
// and ranges from settings and headers, session and recovery tokens, second-factor codes,
// settings from the environment, and whatever bytes arrive as a request body. For any
// input they answer or refuse with their own error; they never crash and never echo it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressBucket } from './auth/throttle.ts';
import { generateToken, splitToken } from './auth/session.ts';
import { generateRecoveryCode, normalizeRecoveryCode, totp, verifyTotp } from './auth/totp.ts';
import { canonicalIp, cidrContains, clientAddressBehindProxies, formatIp, parseCidr, parseIp } from './http/address.ts';
import { isLoopback, smtpSettingsFromEnv } from './mail/smtp.ts';
import { SettingsError, settingsFromEnv } from './settings-from-env.ts';
import { seedTenant } from './test/harness.ts';
import { createTestApp } from './test/memory-ports.ts';

const MARKER = 'zqMARKERzq';
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
const ipv6Bytes = fc.uint8Array({ minLength: 16, maxLength: 16 });
/** Text near the grammar: digits, hex, separators, and some noise. */
const addressish = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.%/[] ,-x'.split('')), maxLength: 45 });

/** One X-Forwarded-For entry, with the port forms seen in the wild. */
function hopAddress(entry: string): string | null {
  const text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) return bracketed[1].includes('%') ? null : canonicalIp(bracketed[1]);
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  return text.includes('%') ? null : canonicalIp(withPort ? withPort[1] : text);
}

describe('IP addresses and ranges', () => {
  it('reads any text as a canonical address or refuses it, and reading the canonical text gives it back', () => {
    fc.assert(
      fc.property(fc.oneof(addressish, fc.string({ maxLength: 45 })), (text) => {
        const canonical = canonicalIp(text);
        if (canonical !== null) expect(canonicalIp(canonical)).toBe(canonical);
        const cidr = parseCidr(text);
        if (typeof cidr === 'string') expect(['not_an_address', 'bad_prefix', 'host_bits_set']).toContain(cidr);
        else expect(cidr.bits >= 0 && cidr.bits <= 128 && cidr.network.length === 16).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('formats every IPv4 and IPv6 address so that it reads back to the same bytes', () => {
    fc.assert(
      fc.property(ipv4, ([a, b, c, d]) => {
        const text = `${a}.${b}.${c}.${d}`;
        expect(canonicalIp(text)).toBe(text);
        expect(canonicalIp(`::ffff:${text}`)).toBe(text);
      }),
    );
    fc.assert(
      fc.property(ipv6Bytes, (bytes) => {
        const text = formatIp({ bytes, v4: false });
        const back = parseIp(text);
        expect(back).not.toBeNull();
        expect(back!.bytes).toEqual(bytes);
        // RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups as ::.
        expect(text).toMatch(/^[0-9a-f:.]+$/);
        expect(text).not.toMatch(/(^|:)0[0-9a-f]/);
      }),
      { numRuns: 2000 },
    );
  });

  it('puts an address in a range exactly when its first bits are the network’s', () => {
    fc.assert(
      fc.property(ipv6Bytes, ipv6Bytes, fc.integer({ min: 0, max: 128 }), (network, other, bits) => {
        const masked = network.slice();
        for (let bit = bits; bit < 128; bit++) masked[bit >> 3] &= ~(0x80 >> (bit & 7));
        const prefix = parseCidr(`${formatIp({ bytes: masked, v4: false })}/${bits}`);
        // An IPv4-mapped network reads as IPv4 and takes IPv4 prefixes: skip those draws.
        if (typeof prefix === 'string') return;
        expect(cidrContains(prefix, { bytes: network, v4: false })).toBe(true);
        let sameBits = 0;
        while (sameBits < 128 && ((masked[sameBits >> 3] ^ other[sameBits >> 3]) & (0x80 >> (sameBits & 7))) === 0) sameBits++;
        expect(cidrContains(prefix, { bytes: other, v4: false })).toBe(sameBits >= prefix.bits);
      }),
      { numRuns: 2000 },
    );
  });

  it('takes the client from X-Forwarded-For only behind a trusted proxy, and never a client-written hop left of an untrusted one', () => {
    const proxy = parseCidr('10.0.0.0/8') as Exclude<ReturnType<typeof parseCidr>, string>;
    fc.assert(
      fc.property(ipv4, fc.array(fc.oneof(ipv4.map((a) => a.join('.')), addressish), { maxLength: 5 }), fc.boolean(), (peerParts, hops, trustedPeer) => {
        const peer = trustedPeer ? `10.${peerParts.slice(1).join('.')}` : `192.0.2.${peerParts[3]}`;
        const header = hops.join(',');
        const client = clientAddressBehindProxies(peer, header, [proxy]);
        if (!trustedPeer) {
          expect(client).toBe(peer);
          return;
        }
        // The oracle: from the right, the first hop that is not a proxy; any unreadable hop on the way makes it unknown.
        let expected: string | null = peer;
        for (const hop of header.trim() === '' ? [] : header.split(',').reverse()) {
          expected = hopAddress(hop);
          if (expected === null || !expected.startsWith('10.')) break;
        }
        expect(client).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('counts throttled failures per IPv6 /64 and per single IPv4 address', () => {
    fc.assert(
      fc.property(ipv6Bytes, fc.uint8Array({ minLength: 8, maxLength: 8 }), (bytes, otherInterface) => {
        if (bytes[10] === 0xff && bytes[11] === 0xff && bytes.slice(0, 10).every((b) => b === 0)) return;
        const sibling = bytes.slice();
        sibling.set(otherInterface, 8);
        expect(addressBucket(formatIp({ bytes, v4: false }))).toBe(addressBucket(formatIp({ bytes: sibling, v4: false })));
        expect(addressBucket(formatIp({ bytes, v4: false }))).toMatch(/\/64$/);
      }),
    );
    fc.assert(
      fc.property(ipv4, (parts) => {
        expect(addressBucket(parts.join('.'))).toBe(parts.join('.'));
      }),
    );
  });

  it('sends a password in clear only to loopback addresses', () => {
    fc.assert(
      fc.property(ipv4, ([a, b, c, d]) => {
        expect(isLoopback(`${a}.${b}.${c}.${d}`)).toBe(a === 127);
      }),
    );
  });
});

describe('tokens and codes', () => {
  it('splits any text into a token’s two halves or refuses it, and always splits a real token', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.stringMatching(/^[a-z2-7.]{60,70}$/)), (text) => {
        const parts = splitToken(text);
        if (parts) {
          expect(`${parts.id}.${parts.secret}`).toBe(text);
          expect(parts.id).toMatch(/^[a-z2-7]{32}$/);
        }
      }),
      { numRuns: 3000 },
    );
    for (let i = 0; i < 50; i++) {
      const { id, secret, token } = generateToken();
      expect(splitToken(token)).toEqual({ id, secret });
    }
  });

  it('normalizes a recovery code however it is typed, and refuses anything else', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Array.from({ length: 20 }, generateRecoveryCode)), fc.boolean(), fc.constantFrom('', ' ', '-'), (code, upper, separator) => {
        const typed = (upper ? code.toUpperCase() : code).replace(/-/g, separator);
        expect(normalizeRecoveryCode(typed)).toBe(code.replace(/-/g, ''));
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const normalized = normalizeRecoveryCode(text);
        if (normalized !== null) expect(normalized).toMatch(/^[a-z2-7]{20}$/);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts a TOTP code only in its window and only once, and refuses any other text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.integer({ min: 1_000_000_000_000, max: 4_000_000_000_000 }), fc.integer({ min: -3, max: 3 }), (key, now, shift) => {
        const step = Math.floor(now / 30_000);
        const code = totp(key, now + shift * 30_000);
        const accepted = verifyTotp(key, code, now);
        // Another step in the window may give the same six digits by chance (about 1 in 10^6 per step).
        if (Math.abs(shift) <= 1) expect(accepted).not.toBeNull();
        if (accepted !== null) {
          expect(Math.abs(accepted - step)).toBeLessThanOrEqual(1);
          expect(verifyTotp(key, code, now, accepted)).toBeNull();
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }).filter((s) => !/^\s*(\d\s*){6}$/.test(s)), (text) => {
        expect(verifyTotp(new Uint8Array(20), text, Date.now())).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });
});

describe('settings from the environment', () => {
  const names = [
    'SIGMA_SESSION_IDLE_HOURS',
    'SIGMA_SESSION_MAX_DAYS',
    'SIGMA_MAX_UPLOAD_MB',
    'SIGMA_PUBLIC_URL',
    'SIGMA_AUDIT_RETENTION_DAYS',
    'SIGMA_TENANT_ERASURE_DAYS',
    'SIGMA_ORPHAN_GRACE_HOURS',
  ];
  const value = fc.oneof(fc.string({ maxLength: 20 }), fc.double().map(String), fc.integer({ min: -5, max: 1000 }).map(String));

  it('reads any values as settings in range, or refuses them naming the variable', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), value), (env) => {
        try {
          const settings = settingsFromEnv(env);
          for (const n of [settings.maxUploadBytes, settings.session?.idleTimeoutMs, settings.session?.absoluteLifetimeMs, settings.orphanBlobGraceMs]) {
            if (n !== undefined) expect(Number.isFinite(n) && n >= 0).toBe(true);
          }
          for (const n of [settings.auditRetentionDays, settings.tenantErasureDays]) if (n !== undefined) expect(Number.isInteger(n) && n >= 0).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(SettingsError);
          expect((error as Error).message).toMatch(/^SIGMA_[A-Z_]+ must /);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reads any SMTP URL or refuses it without showing the password', () => {
    const fail = (message: string) => new SettingsError(message);
    fc.assert(
      fc.property(fc.oneof(fc.webUrl(), fc.string({ maxLength: 40 }).map((s) => `smtp://u:${MARKER}@${s}`), fc.string({ maxLength: 40 })), (url) => {
        try {
          const settings = smtpSettingsFromEnv({ SIGMA_SMTP_URL: url, SIGMA_SMTP_FROM: 'sigma@example.com' }, fail);
          if (settings) expect(settings.port).toBeGreaterThanOrEqual(0);
        } catch (error) {
          expect(error).toBeInstanceOf(SettingsError);
          expect((error as Error).message).not.toContain(MARKER);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('request bodies', () => {
  it('answers any body sent as JSON with 201, 400 or 413, never 500, never echoing it', async () => {
    const { app, deps } = await createTestApp();
    const acme = await seedTenant(app, deps, 'Acme');
    const marked = fc.string({ maxLength: 30 }).map((s) => `${s}${MARKER}`);
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.jsonValue().map((v) => new TextEncoder().encode(JSON.stringify(v))),
      fc.record({ name: fc.oneof(marked, fc.jsonValue()), folder: fc.oneof(marked, fc.jsonValue()) }, { requiredKeys: [] }).map((v) => new TextEncoder().encode(JSON.stringify(v))),
      marked.map((s) => new TextEncoder().encode(`{"name": ${s}`)),
    );
    await fc.assert(
      fc.asyncProperty(body, async (bytes) => {
        const response = await acme.owner.request('POST', '/api/v1/projects', { bytes, headers: { 'Content-Type': 'application/json' } });
        expect([201, 400, 413]).toContain(response.status);
        const text = await response.text();
        if (response.status !== 201) {
          expect(JSON.parse(text).error.message).toMatch(/^(Invalid field: [a-z]+|The request body is not valid JSON|The request body does not have the expected shape|The request body is too large)$/);
          expect(text).not.toContain(MARKER);
        }
      }),
      { numRuns: 400 },
    );
  });
});
