/**
 * Password hashes for test accounts: scrypt at N = 1024 instead of the product's 16384. A login
 * verifies at the cost stored in the hash, so it takes the product's code path at a sixteenth of the
 * CPU (about 2.5 ms instead of 40): the suite logs in hundreds of times. Tests of the hashing itself
 * (test/gateway/auth/password-hash.test.ts) and of `gateway hash-password` use the product's cost.
 */
import { hashPassword } from '../../gateway/auth/password-hash.ts';

export const TEST_SCRYPT_N = 1024;

export function testPasswordHash(password: string): Promise<string> {
  return hashPassword(password, TEST_SCRYPT_N);
}
