//! IEEE 1609.2 EncryptedData: AES-128-CCM content, the data key wrapped per recipient with
//! ECIES (certRecipInfo, signedDataRecipInfo, rekRecipInfo, each with its own P1) or with a
//! symmetric key (symmRecipInfo), or the content encrypted directly under a pre-shared key
//! (pskRecipInfo).

use scms_asn1::ieee1609dot2::{
    AesCcmCiphertext, Certificate, EciesP256EncryptedKey, EncryptedData,
    EncryptedDataEncryptionKey, HashedId8, Ieee1609Dot2Data, Opaque, PKRecipientInfo,
    RecipientInfo, SymmRecipientInfo, SymmetricCiphertext, SymmetricEncryptionKey,
};
use scms_asn1::Coer;
use scms_crypto::hash::sha256;
use scms_crypto::{ccm, ecies, AesKey, CurveBackend, Point, PrivateKey, Secret};

use crate::convert::{compressed, point, public_encryption_key};
use crate::hash::{canonical_certificate, hashed_id};
use crate::CoreError;

/// One recipient of an EncryptedData.
#[derive(Clone, Copy)]
pub enum Recipient<'a> {
    /// `certRecipInfo`: the encryption key of a certificate; P1 = SHA-256(certificate).
    Certificate {
        /// The recipient's certificate (its `encryptionKey`).
        cert: &'a Certificate,
        /// That encryption key.
        key: &'a Point,
    },
    /// `signedDataRecipInfo`: the encryption key carried in a signed SPDU;
    /// P1 = SHA-256(that Ieee1609Dot2Data).
    SignedData {
        /// The SPDU that carried the key.
        data: &'a Ieee1609Dot2Data,
        /// The key.
        key: &'a Point,
    },
    /// `rekRecipInfo`: a response encryption key; P1 = SHA-256("").
    Key(&'a Point),
    /// `symmRecipInfo`: a symmetric key known to the recipient.
    Symmetric(&'a AesKey),
}

/// The key to decrypt with, matching one of the recipient kinds.
#[derive(Clone, Copy)]
pub enum Decryptor<'a> {
    /// Private key of a certificate's encryption key.
    Certificate {
        /// The certificate.
        cert: &'a Certificate,
        /// Its private decryption key.
        key: &'a PrivateKey,
    },
    /// Private key of a key carried in a signed SPDU.
    SignedData {
        /// The SPDU that carried the public key.
        data: &'a Ieee1609Dot2Data,
        /// The private key.
        key: &'a PrivateKey,
    },
    /// A response encryption private key (with its public key, to find the recipient).
    Key {
        /// The public key.
        public: &'a Point,
        /// The private key.
        key: &'a PrivateKey,
    },
    /// A symmetric key (symmRecipInfo or pskRecipInfo).
    Symmetric(&'a AesKey),
}

/// `HashedId8` of a symmetric key: of the COER `SymmetricEncryptionKey`.
pub fn symmetric_key_id(key: &AesKey) -> HashedId8 {
    hashed_id(&SymmetricEncryptionKey::Aes128Ccm(*key.expose()).to_coer())
}

/// `HashedId8` of a response encryption key: of the COER `PublicEncryptionKey`.
pub fn public_key_id(key: &Point) -> HashedId8 {
    hashed_id(&public_encryption_key(key).to_coer())
}

fn ccm_seal(key: &AesKey, plaintext: &[u8]) -> Result<SymmetricCiphertext, CoreError> {
    let nonce = *Secret::<12>::random()?.expose();
    let ct = ccm::encrypt(key, &nonce, plaintext)?;
    Ok(SymmetricCiphertext::Aes128ccm(AesCcmCiphertext {
        nonce,
        ccm_ciphertext: Opaque::new(ct).map_err(|_| CoreError::Invalid("ciphertext size"))?,
    }))
}

fn ccm_open(key: &AesKey, ct: &SymmetricCiphertext) -> Result<Vec<u8>, CoreError> {
    match ct {
        SymmetricCiphertext::Aes128ccm(c) => {
            Ok(ccm::decrypt(key, &c.nonce, c.ccm_ciphertext.as_bytes())?)
        }
        _ => Err(CoreError::Unsupported(
            "symmetric cipher other than aes128ccm",
        )),
    }
}

fn wrap(
    backend: &dyn CurveBackend,
    recipient: &Point,
    data_key: &AesKey,
    p1: &[u8],
) -> Result<EncryptedDataEncryptionKey, CoreError> {
    let ct = ecies::encrypt(backend, recipient, data_key, p1)?;
    Ok(EncryptedDataEncryptionKey::EciesNistP256(
        EciesP256EncryptedKey {
            v: compressed(&ct.v),
            c: ct.c,
            t: ct.t,
        },
    ))
}

fn unwrap(
    backend: &dyn CurveBackend,
    key: &PrivateKey,
    enc: &EncryptedDataEncryptionKey,
    p1: &[u8],
) -> Result<AesKey, CoreError> {
    match enc {
        EncryptedDataEncryptionKey::EciesNistP256(e) => {
            let ct = ecies::EciesCiphertext {
                v: point(&e.v)?,
                c: e.c,
                t: e.t,
            };
            Ok(ecies::decrypt(backend, key, &ct, p1)?)
        }
        _ => Err(CoreError::Unsupported(
            "key encryption other than eciesNistP256",
        )),
    }
}

/// Encrypts `plaintext` under a fresh AES-128 key wrapped for every recipient.
pub fn encrypt(
    backend: &dyn CurveBackend,
    plaintext: &[u8],
    recipients: &[Recipient<'_>],
) -> Result<EncryptedData, CoreError> {
    if recipients.is_empty() {
        return Err(CoreError::Invalid("no recipient"));
    }
    let data_key = AesKey::random()?;
    let mut infos = Vec::with_capacity(recipients.len());
    for r in recipients {
        infos.push(match r {
            Recipient::Certificate { cert, key } => {
                let c = canonical_certificate(cert);
                RecipientInfo::CertRecipInfo(PKRecipientInfo {
                    recipient_id: hashed_id(&c),
                    enc_key: wrap(backend, key, &data_key, &sha256(&c))?,
                })
            }
            Recipient::SignedData { data, key } => {
                let d = data.to_coer();
                RecipientInfo::SignedDataRecipInfo(PKRecipientInfo {
                    recipient_id: hashed_id(&d),
                    enc_key: wrap(backend, key, &data_key, &sha256(&d))?,
                })
            }
            Recipient::Key(key) => RecipientInfo::RekRecipInfo(PKRecipientInfo {
                recipient_id: public_key_id(key),
                enc_key: wrap(backend, key, &data_key, &sha256(b""))?,
            }),
            Recipient::Symmetric(k) => RecipientInfo::SymmRecipInfo(SymmRecipientInfo {
                recipient_id: symmetric_key_id(k),
                enc_key: ccm_seal(k, data_key.expose())?,
            }),
        });
    }
    Ok(EncryptedData {
        recipients: infos,
        ciphertext: ccm_seal(&data_key, plaintext)?,
    })
}

/// Encrypts `plaintext` directly under a pre-shared key (`pskRecipInfo`).
pub fn encrypt_psk(key: &AesKey, plaintext: &[u8]) -> Result<EncryptedData, CoreError> {
    Ok(EncryptedData {
        recipients: vec![RecipientInfo::PskRecipInfo(symmetric_key_id(key))],
        ciphertext: ccm_seal(key, plaintext)?,
    })
}

/// Decrypts an EncryptedData with the first recipient info addressed to `with`.
pub fn decrypt(
    backend: &dyn CurveBackend,
    ed: &EncryptedData,
    with: Decryptor<'_>,
) -> Result<Vec<u8>, CoreError> {
    let data_key = match with {
        Decryptor::Certificate { cert, key } => {
            let c = canonical_certificate(cert);
            let id: HashedId8 = hashed_id(&c);
            let info = ed.recipients.iter().find_map(|r| match r {
                RecipientInfo::CertRecipInfo(p) if p.recipient_id == id => Some(p),
                _ => None,
            });
            let info = info.ok_or(CoreError::NoRecipient)?;
            unwrap(backend, key, &info.enc_key, &sha256(&c))?
        }
        Decryptor::SignedData { data, key } => {
            let d = data.to_coer();
            let id: HashedId8 = hashed_id(&d);
            let info = ed.recipients.iter().find_map(|r| match r {
                RecipientInfo::SignedDataRecipInfo(p) if p.recipient_id == id => Some(p),
                _ => None,
            });
            let info = info.ok_or(CoreError::NoRecipient)?;
            unwrap(backend, key, &info.enc_key, &sha256(&d))?
        }
        Decryptor::Key { public, key } => {
            let id = public_key_id(public);
            let info = ed.recipients.iter().find_map(|r| match r {
                RecipientInfo::RekRecipInfo(p) if p.recipient_id == id => Some(p),
                _ => None,
            });
            let info = info.ok_or(CoreError::NoRecipient)?;
            unwrap(backend, key, &info.enc_key, &sha256(b""))?
        }
        Decryptor::Symmetric(k) => {
            let id = symmetric_key_id(k);
            let mut found = None;
            for r in &ed.recipients {
                match r {
                    RecipientInfo::PskRecipInfo(h) if *h == id => {
                        return ccm_open(k, &ed.ciphertext);
                    }
                    RecipientInfo::SymmRecipInfo(s) if s.recipient_id == id => {
                        found = Some(s);
                        break;
                    }
                    _ => {}
                }
            }
            let s = found.ok_or(CoreError::NoRecipient)?;
            let raw = ccm_open(k, &s.enc_key)?;
            AesKey::from_slice(&raw).map_err(|_| CoreError::Invalid("wrapped key length"))?
        }
    };
    ccm_open(&data_key, &ed.ciphertext)
}
