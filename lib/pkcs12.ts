/**
 * PKCS#12 (.p12) bundles for viewers' browsers: the key in a PKCS8ShroudedKeyBag, the chain in
 * an encrypted SafeContents, PBES2 (AES-256-CBC, PBKDF2-HMAC-SHA256) and a SHA-256 MAC. That is
 * OpenSSL 3's default form, which Chrome, Firefox and recent macOS Keychain import; the legacy
 * RC2/3DES form is what they are dropping.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { PemConverter } from "@peculiar/x509";

/** What a .p12 carries: the leaf's key and its chain (leaf first); `cn` names the bundle. */
export interface Pkcs12Identity {
  cn: string;
  /** PKCS#8 PEM */
  keyPem: string;
  chainPem: string;
}

/** Iterations for both PBKDF2 and the MAC; OpenSSL 3's default. */
export const PKCS12_ITERATIONS = 2048;

const OID_FRIENDLY_NAME = "1.2.840.113549.1.9.20";
const OID_LOCAL_KEY_ID = "1.2.840.113549.1.9.21";
const OID_CERT_BAG_X509 = "1.2.840.113549.1.9.22.1";

function certsOf(pem: string): pkijs.Certificate[] {
  return PemConverter.decode(pem).map((der) => pkijs.Certificate.fromBER(der));
}

/**
 * pkijs splits encrypted content into a constructed, indefinite-length OCTET STRING (BER).
 * Strict DER readers (rustls-based Deno, macOS) refuse that, so rebuild it as one primitive.
 */
function primitive(os: asn1js.OctetString): asn1js.OctetString {
  return new asn1js.OctetString({ valueHex: os.getValue() });
}

function sameDer(a: pkijs.Certificate, b: pkijs.Certificate): boolean {
  const x = new Uint8Array(a.toSchema().toBER(false));
  const y = new Uint8Array(b.toSchema().toBER(false));
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * Packs `cert`'s key and chain (leaf, signer and `rootPem` when given) into a .p12 protected
 * by `password`. The leaf and key share a localKeyId and friendlyName so importers pair them.
 */
export async function toPkcs12(
  cert: Pkcs12Identity,
  password: string,
  opts: { friendlyName?: string; rootPem?: string } = {},
): Promise<Uint8Array> {
  const pw = new TextEncoder().encode(password).buffer as ArrayBuffer;
  const chain = certsOf(cert.chainPem);
  for (const extra of opts.rootPem ? certsOf(opts.rootPem) : []) {
    if (!chain.some((c) => sameDer(c, extra))) chain.push(extra);
  }
  const leafDer = chain[0].toSchema().toBER(false);
  const localKeyId = await crypto.subtle.digest("SHA-1", leafDer);
  const friendlyName = opts.friendlyName ?? cert.cn;
  const leafAttributes = () => [
    new pkijs.Attribute({
      type: OID_FRIENDLY_NAME,
      values: [new asn1js.BmpString({ value: friendlyName })],
    }),
    new pkijs.Attribute({
      type: OID_LOCAL_KEY_ID,
      values: [new asn1js.OctetString({ valueHex: localKeyId })],
    }),
  ];

  const keyInfo = pkijs.PrivateKeyInfo.fromBER(PemConverter.decode(cert.keyPem)[0]);
  const keyBag = new pkijs.PKCS8ShroudedKeyBag({ parsedValue: keyInfo });
  const encryption = {
    password: pw,
    // pkijs draws a fresh random IV (and salt) per encryption; this `iv` only satisfies the type.
    contentEncryptionAlgorithm: { name: "AES-CBC", length: 256, iv: new Uint8Array(16) },
    hmacHashAlgorithm: "SHA-256",
    iterationCount: PKCS12_ITERATIONS,
  };
  await keyBag.makeInternalValues(encryption);
  keyBag.encryptedData = primitive(keyBag.encryptedData);

  const certBags = chain.map((c, i) =>
    new pkijs.SafeBag({
      bagId: "1.2.840.113549.1.12.10.1.3",
      bagValue: new pkijs.CertBag({ certId: OID_CERT_BAG_X509, parsedValue: c }),
      bagAttributes: i === 0 ? leafAttributes() : undefined,
    })
  );
  const keySafe = new pkijs.SafeContents({
    safeBags: [
      new pkijs.SafeBag({
        bagId: "1.2.840.113549.1.12.10.1.2",
        bagValue: keyBag,
        bagAttributes: leafAttributes(),
      }),
    ],
  });

  // The key bag is already encrypted; the certificates go in an encrypted SafeContents.
  const certsEncrypted = new pkijs.EncryptedData();
  await certsEncrypted.encrypt({
    ...encryption,
    contentToEncrypt: new pkijs.SafeContents({ safeBags: certBags }).toSchema().toBER(false),
  });
  const eci = certsEncrypted.encryptedContentInfo;
  certsEncrypted.encryptedContentInfo = new pkijs.EncryptedContentInfo({
    contentType: eci.contentType,
    contentEncryptionAlgorithm: eci.contentEncryptionAlgorithm,
    encryptedContent: primitive(eci.encryptedContent!),
    disableSplit: true,
  });
  const authenticatedSafe = new pkijs.AuthenticatedSafe({
    safeContents: [
      new pkijs.ContentInfo({
        contentType: pkijs.ContentInfo.DATA,
        content: new asn1js.OctetString({ valueHex: keySafe.toSchema().toBER(false) }),
      }),
      new pkijs.ContentInfo({
        contentType: pkijs.ContentInfo.ENCRYPTED_DATA,
        content: certsEncrypted.toSchema(),
      }),
    ],
  });

  const pfx = new pkijs.PFX({ parsedValue: { integrityMode: 0, authenticatedSafe } });
  await pfx.makeInternalValues({
    password: pw,
    iterations: PKCS12_ITERATIONS,
    pbkdf2HashAlgorithm: { name: "SHA-256" },
    hmacHashAlgorithm: "SHA-256",
  });
  return new Uint8Array(pfx.toSchema().toBER(false));
}
