import { describe, expect, it } from 'vitest';
import { hashPassword, isPasswordHash, verifyPassword } from '../../../gateway/auth/password-hash.ts';
import { TEST_SCRYPT_N, testPasswordHash } from '../../support/test-password.ts';

describe('password hashes (scrypt)', () => {
  it('a new hash carries the default cost and a random salt; it verifies its password and no other', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(isPasswordHash(a)).toBe(true);
    expect(a).not.toBe(b); // salted
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horse ', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it("verifies at the cost stored in the hash: the tests' cheaper hashes take the same path", async () => {
    const cheap = await testPasswordHash('pw');
    expect(cheap).toMatch(new RegExp(`^scrypt\\$${TEST_SCRYPT_N}\\$8\\$1\\$`));
    expect(await verifyPassword('pw', cheap)).toBe(true);
    expect(await verifyPassword('pW', cheap)).toBe(false);
    // the same salt and password at another cost is another key: the cost is part of the hash
    const [, , r, p, salt, key] = cheap.split('$');
    expect(await verifyPassword('pw', ['scrypt', '2048', r, p, salt, key].join('$'))).toBe(false);
  });

  it('a malformed stored hash verifies nothing', async () => {
    for (const stored of ['', 'plain-text', 'bcrypt$10$abc', 'scrypt$16384$8$1$onlysalt']) expect(await verifyPassword('x', stored)).toBe(false);
  });
});
