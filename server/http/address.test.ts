import { describe, expect, it } from 'vitest';
import { addressAllowed, canonicalIp, clientAddressBehindProxies, parseCidr, parseCidrList } from './address.ts';

describe('addresses', () => {
  it('reads IPv4 and IPv6 in their written forms into one canonical text (RFC 5952)', () => {
    const cases: [string, string | null][] = [
      ['192.0.2.1', '192.0.2.1'],
      [' 0.0.0.0 ', '0.0.0.0'],
      ['255.255.255.255', '255.255.255.255'],
      ['256.1.1.1', null],
      ['1.2.3', null],
      ['1.2.3.4.5', null],
      ['01.2.3.4', null], // octal to inet_aton: refused, not guessed
      ['1.2.3.-4', null],
      ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
      ['2001:db8::1', '2001:db8::1'],
      ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group stays
      ['::', '::'],
      ['::1', '::1'],
      ['1::', '1::'],
      ['::ffff:192.0.2.1', '192.0.2.1'], // how Node reports an IPv4 peer on a dual-stack socket
      ['::FFFF:c000:201', '192.0.2.1'],
      ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
      ['fe80::1%eth0', 'fe80::1'],
      ['1:2:3:4:5:6:7:8:9', null],
      ['1:2:3:4:5:6:7', null],
      ['1::2::3', null],
      [':1:2:3:4:5:6:7', null],
      ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
      ['1:2:3:4:5:6:7:8::', null],
      ['12345::', null],
      ['g::1', null],
      ['::1.2.3', null],
      ['1.2.3.4:80', null],
      ['', null],
      ['unknown', null],
    ];
    for (const [text, expected] of cases) expect([text, canonicalIp(text)]).toEqual([text, expected]);
  });

  it('reads CIDR ranges and refuses ranges with host bits, bad prefixes and zone ids', () => {
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ bits: 104 });
    expect(parseCidr('192.0.2.7')).toMatchObject({ bits: 128 });
    expect(parseCidr('2001:db8::/32')).toMatchObject({ bits: 32 });
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ bits: 96 });
    expect(parseCidr('::/0')).toMatchObject({ bits: 0 });
    expect(parseCidr('10.0.0.1/8')).toBe('host_bits_set');
    expect(parseCidr('2001:db8::1/32')).toBe('host_bits_set');
    expect(parseCidr('10.0.0.0/33')).toBe('bad_prefix');
    expect(parseCidr('2001:db8::/129')).toBe('bad_prefix');
    expect(parseCidr('10.0.0.0/08')).toBe('bad_prefix');
    expect(parseCidr('10.0.0.0/')).toBe('bad_prefix');
    expect(parseCidr('10.0.0.0/8/8')).toBe('bad_prefix');
    expect(parseCidr('10.0.0.0/-1')).toBe('bad_prefix');
    expect(parseCidr('fe80::%eth0/64')).toBe('not_an_address');
    expect(parseCidr('example.com/24')).toBe('not_an_address');
  });

  it('matches addresses against ranges, IPv4-mapped peers included, families kept apart', () => {
    const list = parseCidrList(['10.0.0.0/8', '192.0.2.128/25', '2001:db8:1::/48', '198.51.100.7']);
    const allowed = ['10.0.0.0', '10.255.255.255', '::ffff:10.1.2.3', '192.0.2.128', '192.0.2.255', '2001:db8:1::', '2001:db8:1:ffff::1', '198.51.100.7'];
    const refused = ['11.0.0.0', '9.255.255.255', '192.0.2.127', '2001:db8:2::1', '198.51.100.8', '::a00:1', null, 'garbage'];
    for (const a of allowed) expect([a, addressAllowed(list, a)]).toEqual([a, true]);
    for (const a of refused) expect([a, addressAllowed(list, a)]).toEqual([a, false]);
    expect(addressAllowed(parseCidrList(['0.0.0.0/0']), '2001:db8::1')).toBe(false);
    expect(addressAllowed(parseCidrList(['::/0']), '203.0.113.9')).toBe(true);
    expect(addressAllowed([], '10.0.0.1')).toBe(false);
  });
});

describe('the client behind trusted proxies', () => {
  const trusted = parseCidrList(['10.0.0.0/8', 'fd00::/8']);

  it('takes the socket peer when it is not a trusted proxy, whatever X-Forwarded-For says', () => {
    expect(clientAddressBehindProxies('203.0.113.5', '10.0.0.9, 198.51.100.1', trusted)).toBe('203.0.113.5');
    expect(clientAddressBehindProxies('::ffff:203.0.113.5', '198.51.100.1', trusted)).toBe('203.0.113.5');
    expect(clientAddressBehindProxies('203.0.113.5', '198.51.100.1', [])).toBe('203.0.113.5');
  });

  it('reads X-Forwarded-For from the right, skipping trusted proxies; what the client wrote on the left is ignored', () => {
    expect(clientAddressBehindProxies('10.0.0.1', '198.51.100.1', trusted)).toBe('198.51.100.1');
    expect(clientAddressBehindProxies('10.0.0.1', '1.1.1.1, 198.51.100.1, 10.0.0.2', trusted)).toBe('198.51.100.1');
    expect(clientAddressBehindProxies('::ffff:10.0.0.1', ' 2001:DB8::7 ,fd00::1', trusted)).toBe('2001:db8::7');
    expect(clientAddressBehindProxies('10.0.0.1', '198.51.100.1:4711', trusted)).toBe('198.51.100.1');
    expect(clientAddressBehindProxies('10.0.0.1', '[2001:db8::7]:443', trusted)).toBe('2001:db8::7');
    expect(clientAddressBehindProxies('10.0.0.1', '[2001:db8::7]', trusted)).toBe('2001:db8::7');
  });

  it('keeps the peer when no header came, and the leftmost hop when every hop is ours', () => {
    expect(clientAddressBehindProxies('10.0.0.1', undefined, trusted)).toBe('10.0.0.1');
    expect(clientAddressBehindProxies('10.0.0.1', '  ', trusted)).toBe('10.0.0.1');
    expect(clientAddressBehindProxies('10.0.0.1', '10.0.0.3, 10.0.0.2', trusted)).toBe('10.0.0.3');
  });

  it('makes the address unknown when the hop that decides is unreadable', () => {
    for (const header of ['unknown', '198.51.100.1, garbage', '198.51.100.1,,', '2001:db8::7::443', '_hidden', '198.51.100.1 10.0.0.2']) {
      expect([header, clientAddressBehindProxies('10.0.0.1', header, trusted)]).toEqual([header, null]);
    }
    // Garbage left of the client is the client's own doing and does not matter.
    expect(clientAddressBehindProxies('10.0.0.1', 'garbage, 198.51.100.1', trusted)).toBe('198.51.100.1');
    expect(clientAddressBehindProxies(null, '198.51.100.1', trusted)).toBeNull();
  });
});
