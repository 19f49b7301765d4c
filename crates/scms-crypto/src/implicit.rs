//! Implicit certificates (SEC 4 / ECQV) on P-256.
//!
//! CA side ([`issue`] or [`Issuance`]): given the requester's point `R_U = k_U·G`, pick `k`,
//! `P_U = R_U + k·G`, then `r = e·k + d_CA mod n` where `e` hashes the certificate.
//! Requester side: `d_U = e·k_U + r` ([`reconstruct_private`]); anyone:
//! `Q_U = e·P_U + Q_CA` ([`reconstruct_public`]).
//!
//! `e` is SEC 4's `Hn`: the leftmost ⌊log2 n⌋ = 255 bits of SHA-256 of the hash input, as an
//! integer mod n ([`hash_to_scalar`]). In IEEE 1609.2 (§5.3.2) the hash input is
//! `SHA-256(COER ToBeSignedCertificate) ‖ SHA-256(COER issuer certificate)`
//! ([`cert_hash_1609`]); CAMP's vectors hash an illustrative `CertU = tbs ‖ P_U(compressed)`.

use crate::backend::CurveBackend;
use crate::hash::{sha256, sha256_concat};
use crate::point::Point;
use crate::scalar::{PrivateKey, Scalar};
use crate::Result;

/// SEC 4 `Hn`: leftmost 255 bits of SHA-256(`input`), reduced mod n.
pub fn hash_to_scalar(input: &[u8]) -> Scalar {
    let mut h = sha256(input);
    shift_right_one(&mut h);
    Scalar::reduce(&h).unwrap_or_else(|_| Scalar::zero())
}

/// The 1609.2 `e`: `Hn( SHA-256(tbs_certificate) ‖ SHA-256(issuer_certificate) )`.
///
/// `tbs_certificate` is the COER `ToBeSignedCertificate` of the implicit certificate (which
/// contains `P_U` as `verifyKeyIndicator.reconstructionValue`); `issuer_certificate` is the
/// complete COER issuer certificate (1609.2 roots are explicit, so there is always an issuer).
pub fn cert_hash_1609(tbs_certificate: &[u8], issuer_certificate: &[u8]) -> Scalar {
    let inner = sha256_concat(&[&sha256(tbs_certificate), &sha256(issuer_certificate)]);
    hash_to_scalar(&inner)
}

fn shift_right_one(b: &mut [u8; 32]) {
    let mut carry = 0u8;
    for byte in b.iter_mut() {
        let next = *byte & 1;
        *byte = (*byte >> 1) | (carry << 7);
        carry = next;
    }
}

/// CA state between choosing `k` and knowing the certificate hash.
///
/// The CA builds the certificate around [`Issuance::reconstruction_point`], hashes it to `e`,
/// then calls [`Issuance::finish`].
#[derive(Debug)]
pub struct Issuance {
    k: Scalar,
    pu: Point,
}

impl Issuance {
    /// Starts issuance for request point `R_U` with a random `k` from the OS CSPRNG.
    pub fn start(backend: &dyn CurveBackend, request: &Point) -> Result<Self> {
        Self::start_with_rng(backend, request, &mut crate::OsRng)
    }

    /// Starts issuance with `k` drawn from `rng`.
    pub fn start_with_rng<R: rand_core::TryCryptoRng + ?Sized>(
        backend: &dyn CurveBackend,
        request: &Point,
        rng: &mut R,
    ) -> Result<Self> {
        let k = Scalar::random_nonzero(rng)?;
        Self::start_with_k(backend, request, k)
    }

    /// Starts issuance with a caller-chosen `k` (known-answer tests only).
    pub fn start_with_k(backend: &dyn CurveBackend, request: &Point, k: Scalar) -> Result<Self> {
        let pu = backend.mul_base_add(&k, request)?;
        Ok(Self { k, pu })
    }

    /// The public-key reconstruction value `P_U` to put in the certificate.
    pub fn reconstruction_point(&self) -> &Point {
        &self.pu
    }

    /// Private-key reconstruction value `r = e·k + d_CA mod n`.
    pub fn finish(self, e: &Scalar, ca_key: &PrivateKey) -> Scalar {
        e.mul(&self.k).add(ca_key.as_scalar())
    }

    /// As [`Issuance::finish`], for a CA key held elsewhere (keystore, HSM):
    /// `add_ca_key(e·k)` must return `e·k + d_CA`.
    pub fn finish_with<E>(
        self,
        e: &Scalar,
        add_ca_key: impl FnOnce(&Scalar) -> core::result::Result<Scalar, E>,
    ) -> core::result::Result<Scalar, E> {
        add_ca_key(&e.mul(&self.k))
    }
}

/// One-shot issuance: `hash_input(P_U)` returns the bytes that `e` hashes (for 1609.2, use
/// [`cert_hash_1609`] inside the closure and return its scalar via [`issue_with_e`] instead).
/// Returns `(P_U, r)`.
pub fn issue(
    backend: &dyn CurveBackend,
    request: &Point,
    ca_key: &PrivateKey,
    hash_input: impl FnOnce(&Point) -> Vec<u8>,
) -> Result<(Point, Scalar)> {
    issue_with_e(backend, request, ca_key, |pu| {
        Ok(hash_to_scalar(&hash_input(pu)))
    })
}

/// One-shot issuance where the closure computes `e` itself from `P_U` (e.g. encodes the
/// `ToBeSignedCertificate` and calls [`cert_hash_1609`]). Returns `(P_U, r)`.
pub fn issue_with_e(
    backend: &dyn CurveBackend,
    request: &Point,
    ca_key: &PrivateKey,
    e_of: impl FnOnce(&Point) -> Result<Scalar>,
) -> Result<(Point, Scalar)> {
    let iss = Issuance::start(backend, request)?;
    let pu = *iss.reconstruction_point();
    let e = e_of(&pu)?;
    Ok((pu, iss.finish(&e, ca_key)))
}

/// Requester: `d_U = e·k_U + r mod n` (fails if the result is zero).
pub fn reconstruct_private(e: &Scalar, request_key: &PrivateKey, r: &Scalar) -> Result<PrivateKey> {
    PrivateKey::from_scalar(e.mul(request_key.as_scalar()).add(r))
}

/// Anyone: `Q_U = e·P_U + Q_CA`.
pub fn reconstruct_public(
    backend: &dyn CurveBackend,
    e: &Scalar,
    reconstruction_point: &Point,
    ca_public: &Point,
) -> Result<Point> {
    let ep = backend.mul(e, reconstruction_point)?;
    backend.add(&ep, ca_public)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{OpenSslBackend, RustCryptoBackend};

    #[test]
    fn issue_and_reconstruct_1609() {
        let os = OpenSslBackend::new().unwrap();
        let rc = RustCryptoBackend;
        let ca = PrivateKey::generate().unwrap();
        let ca_pub = ca.public_key(&rc).unwrap();
        let ku = PrivateKey::generate().unwrap();
        let ru = ku.public_key(&rc).unwrap();
        let issuer_cert = b"issuer certificate bytes";
        let mut tbs_seen = Vec::new();
        let (pu, r) = issue_with_e(&os, &ru, &ca, |pu| {
            let mut tbs = b"tbs-prefix".to_vec();
            tbs.extend_from_slice(&pu.to_compressed());
            tbs_seen = tbs.clone();
            Ok(cert_hash_1609(&tbs, issuer_cert))
        })
        .unwrap();
        let e = cert_hash_1609(&tbs_seen, issuer_cert);
        let du = reconstruct_private(&e, &ku, &r).unwrap();
        let qu_rc = reconstruct_public(&rc, &e, &pu, &ca_pub).unwrap();
        let qu_os = reconstruct_public(&os, &e, &pu, &ca_pub).unwrap();
        assert_eq!(qu_rc, qu_os);
        assert_eq!(du.public_key(&rc).unwrap(), qu_rc);
    }

    #[test]
    fn hn_drops_the_lowest_bit() {
        let mut h = sha256(b"x");
        shift_right_one(&mut h);
        let mut back = h;
        // shifting left again reproduces the digest except its lowest bit
        let mut carry = 0u8;
        for byte in back.iter_mut().rev() {
            let next = *byte >> 7;
            *byte = (*byte << 1) | carry;
            carry = next;
        }
        let d = sha256(b"x");
        assert_eq!(back[..31], d[..31]);
        assert_eq!(back[31], d[31] & 0xFE);
    }
}
