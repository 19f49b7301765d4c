//! ECDH on P-256 (NIST SP 800-56A §5.7.1.2): the shared secret is the x-coordinate of `d·Q`.

use crate::backend::CurveBackend;
use crate::point::Point;
use crate::scalar::PrivateKey;
use crate::secret::Secret;
use crate::Result;

/// Shared secret `Z = x(d·Q)`.
pub fn shared_secret(
    backend: &dyn CurveBackend,
    private: &PrivateKey,
    peer: &Point,
) -> Result<Secret<32>> {
    let p = backend.mul(private.as_scalar(), peer)?;
    Ok(Secret::new(*p.x()))
}
