import { generateKeyPairSync } from 'node:crypto';
import { base64urlIntegerBits, parseJwkSet } from '@authpair/contracts';

function rsaJwk(bits: number) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    public: publicKey.export({ format: 'jwk' }),
    private: privateKey.export({ format: 'jwk' }),
  };
}

const rsa2048 = rsaJwk(2048);

describe('JWKS parsing', () => {
  it('keeps RS256 signing keys and drops unusable ones', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      format: 'jwk',
    });
    const parsed = parseJwkSet({
      keys: [
        { ...rsa2048.public, kid: 'good', alg: 'RS256', use: 'sig' },
        { ...ec, kid: 'ec', alg: 'ES256', use: 'sig' },
        { ...rsa2048.public, kid: 'enc', alg: 'RSA-OAEP', use: 'enc' },
        { ...rsaJwk(1024).public, kid: 'small', alg: 'RS256', use: 'sig' },
      ],
    });
    expect(parsed.keys.map((key) => key.kid)).toEqual(['good']);
    expect(parsed.ignored).toBe(3);
  });

  it('fails the whole set when a key carries private members', () => {
    expect(() =>
      parseJwkSet({ keys: [{ ...rsa2048.private, kid: 'oops', alg: 'RS256', use: 'sig' }] }),
    ).toThrow(/private/);
  });

  it.each([[{}], [[]], ['<html>'], [{ keys: 'none' }]])('refuses %j as a key set', (document) => {
    expect(() => parseJwkSet(document)).toThrow();
  });

  it('measures the modulus in bits', () => {
    expect(base64urlIntegerBits(rsa2048.public.n as string)).toBe(2048);
    expect(base64urlIntegerBits('AQAB')).toBe(17);
  });
});
