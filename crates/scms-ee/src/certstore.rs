//! The device's certificate store:
//!
//! ```text
//! D/certs/pseudonym/<i>/<j>.oer  <j>.key     pseudonym certificates by i-period and j
//! D/certs/pseudonym/<i>/complete             the batch of i is stored completely
//! D/certs/identification/<i>.oer <i>.key     identification certificates by local i
//! D/certs/application/<HASH16>.oer .key      application certificates by request hash
//! ```
//!
//! (`i` in decimal.) Private keys are not written in clear: each `.key` file is
//! `nonce (12) ‖ AES-128-CCM(K, label ‖ d)` where `K` is the 16-byte secret `certstore`
//! of the device keystore (itself passphrase-protected when the keystore is) and
//! `label` names the file (`pseudonym/<i>/<j>`, ...), so a key file moved elsewhere does
//! not decrypt. The key is written before the certificate; a certificate without a
//! readable key is ignored.
//!
//! The device never signs with a revoked certificate: with a [`Guard`] installed
//! ([`CertStore::set_guard`]; [`crate::client::Client`] installs one), the `current*`
//! functions, which every signing path uses to pick its certificate, first refuse
//! everything once the enrollment certificate or anything in its chain (ECA, ICA, root) is
//! revoked or the root removed, then skip certificates that are revoked themselves (linkage
//! value or HashedId10) or through their chain (their PCA, ...); a revoked pseudonym stops
//! pseudonym use altogether (the device is revoked, SCMS-1224).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use scms_asn1::ieee1609dot2::{Certificate, Psid, Time32};
use scms_asn1::Coer;
use scms_core::revocation::RevocationList;
use scms_core::signer::KeyPair;
use scms_core::time::{i_period, is_valid_at};
use scms_core::trust::TrustStore;
use scms_crypto::{ccm, AesKey, PrivateKey, Secret};
use scms_store::Keystore;

use crate::device::DeviceDir;
use crate::messages::{MessageError, Verifier};
use crate::provision::{io_err, read_file, write_file, Device, ProvisionError};

/// Keystore name of the certificate store's key-file encryption key.
pub const CERTSTORE_KEY: &str = "certstore";
/// How long one pseudonym certificate is used before the next is chosen (seconds).
pub const ROTATION_SECONDS: u32 = 300;

/// Which store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    Pseudonym,
    Identification,
    Application,
}

impl Area {
    fn dir(self) -> &'static str {
        match self {
            Area::Pseudonym => "pseudonym",
            Area::Identification => "identification",
            Area::Application => "application",
        }
    }
}

/// The certificate store of a device directory.
pub struct CertStore {
    root: PathBuf,
    key: AesKey,
    guard: Option<Mutex<Guard>>,
}

/// The revocation checks a certificate passes before the device signs with it: its own
/// certificates are checked as a receiver would check them (a [`Verifier`] over the
/// device's trust store, LCCF certificates and CRL), and its enrollment certificate's chain
/// must stand. Verdicts are cached per certificate.
pub struct Guard {
    verifier: Verifier,
    enrollment: Certificate,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard").finish_non_exhaustive()
    }
}

impl Guard {
    /// A guard for `device` (its trust store and intermediates), with the revocations of
    /// its verified CRL when there is one.
    pub fn new(device: &Device, revocations: Option<RevocationList>) -> Guard {
        let mut verifier = Verifier::new(device.trust.clone(), device.intermediates.clone());
        if let Some(list) = revocations {
            verifier.set_revocations(list);
        }
        Guard {
            verifier,
            enrollment: device.enrollment_cert.clone(),
        }
    }

    /// Uses `list` (a newly verified CRL) from now on.
    pub fn set_revocations(&mut self, list: RevocationList) {
        self.verifier.set_revocations(list);
    }

    /// Uses the device's new trust store and intermediates (after ballots or a new LCCF).
    pub fn set_trust(&mut self, trust: TrustStore, intermediates: Vec<Certificate>) {
        self.verifier.set_trust(trust, intermediates);
    }

    /// Refuses when the enrollment certificate or anything in its chain is revoked, or its
    /// root is no longer trusted (SCMS-1189, SCMS-1285/1286). A status that cannot be
    /// determined (e.g. an issuer missing from the LCCF) does not stop the device.
    pub fn check_device(&mut self, now: Time32) -> Result<(), ProvisionError> {
        use scms_core::chain::ChainError;
        let why = match self.verifier.check_certificate(&self.enrollment, now) {
            Ok(()) => return Ok(()),
            Err(MessageError::Revoked(_)) => "the enrollment certificate is revoked".to_owned(),
            Err(MessageError::IssuerRevoked(id)) => {
                format!("certificate {id} of the enrollment chain is revoked")
            }
            Err(MessageError::Chain(ChainError::Revoked { at })) => {
                format!("certificate {at} of the enrollment chain (0 = enrollment) is revoked")
            }
            Err(MessageError::Chain(ChainError::UntrustedRoot)) => {
                "the enrollment chain's root is no longer trusted".to_owned()
            }
            Err(MessageError::Chain(ChainError::IssuerNotFound { issuer, .. }))
                if self.verifier.trust().is_removed_root(&issuer) =>
            {
                "the enrollment chain's root was removed by ballot".to_owned()
            }
            Err(e) => {
                tracing::debug!(error = %e, "enrollment chain status undetermined");
                return Ok(());
            }
        };
        Err(ProvisionError::Revoked(why))
    }

    /// Whether the device may sign with `cert` at `now` (the receivers' checks).
    pub fn check(&mut self, cert: &Certificate, now: Time32) -> Result<(), MessageError> {
        self.verifier.check_certificate(cert, now)
    }
}

impl std::fmt::Debug for CertStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertStore")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

/// A certificate with its private key.
#[derive(Debug)]
pub struct Stored {
    /// The certificate.
    pub cert: Certificate,
    /// Its key pair.
    pub key: KeyPair,
}

fn bad(path: &Path, reason: &str) -> ProvisionError {
    ProvisionError::Device(crate::device::DeviceError::Config {
        path: path.to_path_buf(),
        reason: reason.to_owned(),
    })
}

impl CertStore {
    /// Opens the store of `dir`, creating the `certstore` key in `keys` on first use.
    pub fn open(dir: &DeviceDir, keys: &Keystore) -> Result<CertStore, ProvisionError> {
        if !keys.exists(CERTSTORE_KEY)? {
            keys.store_secret(
                CERTSTORE_KEY,
                AesKey::random()
                    .map_err(scms_core::CoreError::from)?
                    .expose(),
            )?;
        }
        Ok(CertStore {
            root: dir.path().join("certs"),
            key: keys.load_secret_array::<16>(CERTSTORE_KEY)?,
            guard: None,
        })
    }

    /// Installs the revocation checks of the `current*` functions.
    pub fn set_guard(&mut self, guard: Guard) {
        self.guard = Some(Mutex::new(guard));
    }

    /// Runs `f` on the installed guard (e.g. to give it a new CRL); `None` without one.
    pub fn with_guard<R>(&self, f: impl FnOnce(&mut Guard) -> R) -> Option<R> {
        self.lock_guard().map(|mut g| f(&mut g))
    }

    fn lock_guard(&self) -> Option<MutexGuard<'_, Guard>> {
        self.guard
            .as_ref()
            .map(|m| m.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// The guard's verdict on `cert` at `now` (`Ok` without a guard).
    fn usable(
        guard: &mut Option<MutexGuard<'_, Guard>>,
        cert: &Certificate,
        now: Time32,
    ) -> Result<(), MessageError> {
        match guard {
            Some(g) => g.check(cert, now),
            None => Ok(()),
        }
    }

    /// The device-wide check of the guard (`Ok` without a guard).
    fn device_ok(
        guard: &mut Option<MutexGuard<'_, Guard>>,
        now: Time32,
    ) -> Result<(), ProvisionError> {
        match guard {
            Some(g) => g.check_device(now),
            None => Ok(()),
        }
    }

    fn base(&self, area: Area) -> PathBuf {
        self.root.join(area.dir())
    }

    fn put(&self, area: Area, rel: &str, s: &Stored) -> Result<(), ProvisionError> {
        let base = self.base(area);
        let label = format!("{}/{rel}", area.dir());
        let nonce = *Secret::<12>::random()
            .map_err(scms_core::CoreError::from)?
            .expose();
        let mut pt = label.into_bytes();
        pt.extend_from_slice(s.key.private().to_bytes().expose());
        let ct = ccm::encrypt(&self.key, &nonce, &pt).map_err(scms_core::CoreError::from)?;
        let mut file = nonce.to_vec();
        file.extend_from_slice(&ct);
        write_file(&base.join(format!("{rel}.key")), &file)?;
        write_file(&base.join(format!("{rel}.oer")), &s.cert.to_coer())
    }

    fn get(&self, area: Area, rel: &str) -> Result<Option<Stored>, ProvisionError> {
        let base = self.base(area);
        let cert_path = base.join(format!("{rel}.oer"));
        if !cert_path.exists() {
            return Ok(None);
        }
        let cert = Certificate::from_coer(&read_file(&cert_path, 64 * 1024)?)
            .map_err(|_| bad(&cert_path, "not a certificate"))?;
        let key_path = base.join(format!("{rel}.key"));
        let file = read_file(&key_path, 1024)?;
        if file.len() < 12 {
            return Err(bad(&key_path, "truncated"));
        }
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&file[..12]);
        let pt = ccm::decrypt(&self.key, &nonce, &file[12..])
            .map_err(|_| bad(&key_path, "does not decrypt with the certstore key"))?;
        let label = format!("{}/{rel}", area.dir());
        let d = pt
            .strip_prefix(label.as_bytes())
            .filter(|d| d.len() == 32)
            .ok_or_else(|| bad(&key_path, "belongs to another file"))?;
        let key = PrivateKey::from_slice(d).map_err(|_| bad(&key_path, "not a private key"))?;
        let key = KeyPair::from_private(key)?;
        Ok(Some(Stored { cert, key }))
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.flatten()
                    .filter_map(|e| e.file_name().to_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    // ------------------------------------------------------------------ pseudonyms

    /// Stores pseudonym certificate `(i, j)`.
    pub fn put_pseudonym(&self, i: u32, j: u32, s: &Stored) -> Result<(), ProvisionError> {
        self.put(Area::Pseudonym, &format!("{i}/{j}"), s)
    }

    /// Marks the batch of `i` as completely stored.
    pub fn complete_batch(&self, i: u32) -> Result<(), ProvisionError> {
        write_file(
            &self.base(Area::Pseudonym).join(format!("{i}/complete")),
            b"",
        )
    }

    /// Whether the batch of `i` is completely stored.
    pub fn has_batch(&self, i: u32) -> bool {
        self.base(Area::Pseudonym)
            .join(format!("{i}/complete"))
            .exists()
    }

    /// The i-periods with a complete batch.
    pub fn batches(&self) -> Vec<u32> {
        let mut v: Vec<u32> = Self::names(&self.base(Area::Pseudonym))
            .iter()
            .filter_map(|n| n.parse().ok())
            .filter(|i| self.has_batch(*i))
            .collect();
        v.sort_unstable();
        v
    }

    /// The j values stored for `i`.
    pub fn pseudonym_js(&self, i: u32) -> Vec<u32> {
        let mut v: Vec<u32> = Self::names(&self.base(Area::Pseudonym).join(i.to_string()))
            .iter()
            .filter_map(|n| n.strip_suffix(".oer")?.parse().ok())
            .collect();
        v.sort_unstable();
        v
    }

    /// Pseudonym certificate `(i, j)`.
    pub fn pseudonym(&self, i: u32, j: u32) -> Result<Option<Stored>, ProvisionError> {
        self.get(Area::Pseudonym, &format!("{i}/{j}"))
    }

    /// The pseudonym certificate to use at `now`: among those of the current i-period
    /// (else the previous one, during the overlap hour) valid at `now` and accepted by the
    /// guard, the one chosen by rotation every [`ROTATION_SECONDS`]. With a guard:
    /// [`ProvisionError::Revoked`] when the device must stop transmitting, when one of
    /// its pseudonyms is revoked, or when every candidate is refused (e.g. its PCA is
    /// revoked).
    pub fn current(&self, now: Time32) -> Result<Option<Stored>, ProvisionError> {
        let Some(i) = i_period(now) else {
            return Ok(None);
        };
        let mut guard = self.lock_guard();
        Self::device_ok(&mut guard, now)?;
        let mut refused: Option<MessageError> = None;
        for i in [i, i.wrapping_sub(1)] {
            let mut valid = Vec::new();
            for j in self.pseudonym_js(i) {
                let Some(s) = self.pseudonym(i, j)? else {
                    continue;
                };
                if !is_valid_at(&s.cert.to_be_signed.validity_period, now) {
                    continue;
                }
                match Self::usable(&mut guard, &s.cert, now) {
                    Ok(()) => valid.push(s),
                    Err(e @ MessageError::Revoked(_)) => {
                        return Err(ProvisionError::Revoked(format!(
                            "pseudonym certificate ({i}, {j}): {e}; the device is revoked"
                        )))
                    }
                    Err(e) => refused = Some(e),
                }
            }
            if !valid.is_empty() {
                let k = (now / ROTATION_SECONDS) as usize % valid.len();
                return Ok(Some(valid.swap_remove(k)));
            }
        }
        match refused {
            Some(e) => Err(ProvisionError::Revoked(format!(
                "no usable pseudonym certificate at {now}: {e}"
            ))),
            None => Ok(None),
        }
    }

    // ------------------------------------------------------------------ identification

    /// Stores the identification certificate of local period `i`.
    pub fn put_identification(&self, i: u32, s: &Stored) -> Result<(), ProvisionError> {
        self.put(Area::Identification, &i.to_string(), s)
    }

    /// The identification certificate of local period `i`.
    pub fn identification(&self, i: u32) -> Result<Option<Stored>, ProvisionError> {
        self.get(Area::Identification, &i.to_string())
    }

    /// The local periods stored.
    pub fn identification_periods(&self) -> Vec<u32> {
        let mut v: Vec<u32> = Self::names(&self.base(Area::Identification))
            .iter()
            .filter_map(|n| n.strip_suffix(".oer")?.parse().ok())
            .collect();
        v.sort_unstable();
        v
    }

    /// An identification certificate valid at `now` and accepted by the guard (the
    /// latest-starting one); [`ProvisionError::Revoked`] when the device must stop
    /// transmitting or every candidate is refused.
    pub fn current_identification(&self, now: Time32) -> Result<Option<Stored>, ProvisionError> {
        let mut guard = self.lock_guard();
        Self::device_ok(&mut guard, now)?;
        let mut refused = None;
        for i in self.identification_periods().into_iter().rev() {
            if let Some(s) = self.identification(i)? {
                if is_valid_at(&s.cert.to_be_signed.validity_period, now) {
                    match Self::usable(&mut guard, &s.cert, now) {
                        Ok(()) => return Ok(Some(s)),
                        Err(e) => refused = Some(e),
                    }
                }
            }
        }
        Self::none_or_refused(refused, now)
    }

    fn none_or_refused(
        refused: Option<MessageError>,
        now: Time32,
    ) -> Result<Option<Stored>, ProvisionError> {
        match refused {
            Some(e) => Err(ProvisionError::Revoked(format!(
                "no usable certificate at {now}: {e}"
            ))),
            None => Ok(None),
        }
    }

    // ------------------------------------------------------------------ application

    /// Stores the application certificate of request `hash16`.
    pub fn put_application(&self, hash16: &str, s: &Stored) -> Result<(), ProvisionError> {
        if hash16.len() != 16 || !hash16.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ProvisionError::NotAllowed(
                "request hash is not 16 hex digits",
            ));
        }
        self.put(Area::Application, &hash16.to_ascii_uppercase(), s)
    }

    /// An application certificate valid at `now` whose appPermissions include `psid`
    /// and that the guard accepts (the latest-starting one); [`ProvisionError::Revoked`]
    /// when the device must stop transmitting or every candidate is refused.
    pub fn current_application(
        &self,
        now: Time32,
        psid: u64,
    ) -> Result<Option<Stored>, ProvisionError> {
        let mut guard = self.lock_guard();
        Self::device_ok(&mut guard, now)?;
        let mut refused = None;
        let mut best: Option<Stored> = None;
        for n in Self::names(&self.base(Area::Application)) {
            let Some(h) = n.strip_suffix(".oer") else {
                continue;
            };
            let Some(s) = self.get(Area::Application, h)? else {
                continue;
            };
            let tbs = &s.cert.to_be_signed;
            let has = tbs
                .app_permissions
                .as_ref()
                .is_some_and(|p| p.iter().any(|p| p.psid == Psid::new(psid)));
            if has
                && is_valid_at(&tbs.validity_period, now)
                && best.as_ref().is_none_or(|b| {
                    b.cert.to_be_signed.validity_period.start < tbs.validity_period.start
                })
            {
                match Self::usable(&mut guard, &s.cert, now) {
                    Ok(()) => best = Some(s),
                    Err(e) => refused = Some(e),
                }
            }
        }
        match best {
            Some(b) => Ok(Some(b)),
            None => Self::none_or_refused(refused, now),
        }
    }

    /// The directory of the store.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Removes a partially stored batch (no `complete` marker).
    pub fn discard_partial(&self, i: u32) -> Result<(), ProvisionError> {
        let d = self.base(Area::Pseudonym).join(i.to_string());
        if d.exists() && !self.has_batch(i) {
            std::fs::remove_dir_all(&d).map_err(io_err(&d))?;
        }
        Ok(())
    }
}
