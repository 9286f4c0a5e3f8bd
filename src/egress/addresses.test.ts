import { describe, expect, it } from 'vitest';
import { addressGuard, classifyAddress, egressPolicy } from './addresses.js';

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', ['public']],
    ['10.1.2.3', ['private']],
    ['172.16.0.1', ['private']],
    ['172.32.0.1', ['public']],
    ['192.168.1.1', ['private']],
    ['127.0.0.1', ['loopback']],
    ['127.255.255.254', ['loopback']],
    ['169.254.169.254', ['link-local']],
    ['100.64.0.1', ['cgnat']],
    ['100.127.255.255', ['cgnat']],
    ['100.128.0.1', ['public']],
    ['0.0.0.0', ['unspecified']],
    ['0.1.2.3', ['unspecified']],
    ['224.0.0.1', ['multicast']],
    ['255.255.255.255', ['broadcast']],
    ['240.0.0.1', ['reserved']],
    ['192.0.0.8', ['reserved']],
    ['198.18.0.1', ['reserved']],
    ['192.0.2.1', ['documentation']],
    ['203.0.113.9', ['documentation']],
    ['2606:4700:4700::1111', ['public']],
    ['::', ['unspecified']],
    ['::1', ['loopback']],
    ['fd12:3456::1', ['private']],
    ['fe80::1', ['link-local']],
    ['fe80::1%eth0', ['link-local']],
    ['ff02::1', ['multicast']],
    ['2001:db8::1', ['documentation']],
    ['::ffff:8.8.8.8', ['ipv4-mapped']],
    ['::ffff:127.0.0.1', ['ipv4-mapped', 'loopback']],
    ['::ffff:7f00:1', ['ipv4-mapped', 'loopback']],
    ['::ffff:10.0.0.1', ['ipv4-mapped', 'private']],
    ['::127.0.0.1', ['reserved']],
    ['64:ff9b::8.8.8.8', ['nat64']],
    ['64:ff9b::a9fe:a9fe', ['nat64', 'link-local']],
    ['2002:7f00:1::1', ['6to4', 'loopback']],
    ['2002:808:808::1', ['6to4']],
    ['2001:0:4136:e378::1', ['teredo']],
    ['4000::1', ['reserved']],
  ])('%s is %j', (address, classes) => {
    expect(classifyAddress(address)).toEqual(classes);
  });

  it('rejects what is not an IP address', () => {
    expect(() => classifyAddress('example.org')).toThrow(TypeError);
  });
});

describe('addressGuard', () => {
  it('allows public addresses and nothing else by default', () => {
    const check = addressGuard(egressPolicy([]));
    expect(check('8.8.8.8').allowed).toBe(true);
    for (const address of ['127.0.0.1', '10.0.0.1', '100.64.0.1', '::1', '0.0.0.0', '::ffff:8.8.8.8']) {
      expect(check(address).allowed).toBe(false);
    }
  });

  it('allows the classes it names', () => {
    const check = addressGuard(egressPolicy(['loopback']));
    expect(check('127.0.0.1').allowed).toBe(true);
    expect(check('::1').allowed).toBe(true);
    expect(check('10.0.0.1').allowed).toBe(false);
  });

  it('needs every class of an embedding form to be allowed', () => {
    expect(addressGuard(egressPolicy(['loopback']))('::ffff:127.0.0.1').allowed).toBe(false);
    expect(addressGuard(egressPolicy(['ipv4-mapped']))('::ffff:127.0.0.1').allowed).toBe(false);
    expect(addressGuard(egressPolicy(['ipv4-mapped', 'loopback']))('::ffff:127.0.0.1').allowed).toBe(true);
    expect(addressGuard(egressPolicy(['nat64']))('64:ff9b::7f00:1').allowed).toBe(false);
    expect(addressGuard(egressPolicy(['nat64']))('64:ff9b::8.8.8.8').allowed).toBe(true);
  });

  it('allows an explicit network whatever its class, and only that network', () => {
    const check = addressGuard(egressPolicy([], ['10.20.0.0/16', 'fd00:1::/32']));
    expect(check('10.20.3.4').allowed).toBe(true);
    expect(check('10.21.0.1').allowed).toBe(false);
    expect(check('::ffff:10.20.3.4').allowed).toBe(false);
    expect(check('fd00:1:2::3').allowed).toBe(true);
  });

  it('fails at start on a bad class or CIDR', () => {
    expect(() => egressPolicy(['lopback'])).toThrow(/unknown address class/);
    expect(() => egressPolicy([], ['10.0.0.0/33'])).toThrow(/not a CIDR/);
    expect(() => egressPolicy([], ['10.0.0.0/'])).toThrow(/not a CIDR/);
    expect(() => egressPolicy([], ['intranet'])).toThrow(/not a CIDR/);
  });
});
