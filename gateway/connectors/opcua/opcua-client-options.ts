/**
 * Security settings of an OPC UA connection: security mode and policy, the PKI folder that holds
 * the client's own certificate and the explicitly trusted server certificates, and the user
 * identity (anonymous, user/password, X.509 certificate).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MessageSecurityMode, OPCUACertificateManager, SecurityPolicy, UserTokenType, type UserIdentityInfo } from 'node-opcua';
import type { Logger } from 'pino';
import type { OpcuaConnectorConfig } from './opcua-schema.ts';

/** A user name and password over securityMode None travel readable: say so at every start. */
export function warnPlainPassword(config: OpcuaConnectorConfig, log: Logger): void {
  if (config.identity.type !== 'user' || config.securityMode !== 'None') return;
  log.warn(
    { endpoint: config.endpoint, username: config.identity.username },
    'OPC UA user name and password are sent with securityMode None: set securityMode Sign or SignAndEncrypt (and a securityPolicy) so they are not readable on the network',
  );
}

const MODES: Record<OpcuaConnectorConfig['securityMode'], MessageSecurityMode> = {
  None: MessageSecurityMode.None,
  Sign: MessageSecurityMode.Sign,
  SignAndEncrypt: MessageSecurityMode.SignAndEncrypt,
};

const POLICIES: Record<OpcuaConnectorConfig['securityPolicy'], SecurityPolicy> = {
  None: SecurityPolicy.None,
  Basic256Sha256: SecurityPolicy.Basic256Sha256,
  Aes128_Sha256_RsaOaep: SecurityPolicy.Aes128_Sha256_RsaOaep,
  Aes256_Sha256_RsaPss: SecurityPolicy.Aes256_Sha256_RsaPss,
};

export function securityModeOf(config: OpcuaConnectorConfig): MessageSecurityMode {
  return MODES[config.securityMode];
}

export function securityPolicyOf(config: OpcuaConnectorConfig): SecurityPolicy {
  return POLICIES[config.securityPolicy];
}

/** `<pkiDir>` from the config, else `<dataDir>/pki`. */
export function pkiFolder(config: OpcuaConnectorConfig, dataDir: string | undefined): string {
  return resolve(config.pkiDir ?? join(dataDir ?? './data', 'pki'));
}

/**
 * The client certificate manager over the PKI folder. Server certificates are trusted by placing
 * them (DER or PEM) in `<pki>/trusted/certs`; rejected ones land in `<pki>/rejected` for an
 * engineer to move. Auto-accept only when `trustUnknownServerCertificates` is set.
 */
export function createCertificateManager(config: OpcuaConnectorConfig, dataDir: string | undefined): OPCUACertificateManager {
  return new OPCUACertificateManager({
    rootFolder: pkiFolder(config, dataDir),
    automaticallyAcceptUnknownCertificate: config.trustUnknownServerCertificates,
    disableFileWatchers: true,
  });
}

export function userIdentityOf(config: OpcuaConnectorConfig): UserIdentityInfo {
  const id = config.identity;
  switch (id.type) {
    case 'anonymous':
      return { type: UserTokenType.Anonymous };
    case 'user':
      return { type: UserTokenType.UserName, userName: id.username, password: id.password };
    case 'certificate':
      return {
        type: UserTokenType.Certificate,
        certificateData: readCertificateDer(id.certificateFile),
        privateKey: readFileSync(id.privateKeyFile, 'utf8'),
      };
  }
}

/** Throws a clear error when the identity's files cannot be read (checked at construction). */
export function checkIdentityFiles(config: OpcuaConnectorConfig): void {
  if (config.identity.type !== 'certificate') return;
  for (const file of [config.identity.certificateFile, config.identity.privateKeyFile]) {
    try {
      readFileSync(file);
    } catch (err) {
      throw new Error(`connector ${config.id}: identity file ${file} cannot be read: ${(err as Error).message}`);
    }
  }
}

/** A certificate file as DER bytes (accepts PEM or DER). */
export function readCertificateDer(file: string): Buffer {
  const bytes = readFileSync(file);
  const text = bytes.toString('latin1');
  const match = /-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/.exec(text);
  return match?.[1] ? Buffer.from(match[1].replace(/\s+/g, ''), 'base64') : bytes;
}
