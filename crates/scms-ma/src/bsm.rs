//! The part of a Basic Safety Message the MA's plausibility checks read: SAE J2735 (2016)
//! `MessageFrame { messageId 20, value BasicSafetyMessage }` in UPER, of which only
//! `coreData` (`BSMcoreData`) is decoded; `partII` and regional extensions are ignored.
//!
//! [`Bsm::encode`] writes a complete `BSMcoreData` (fields the MA does not use are
//! "unavailable" or zero) without `partII`, e.g. for tests and simulators.

/// `DSRCmsgID` of the BSM.
pub const BSM_MESSAGE_ID: u16 = 20;
/// `Speed` "unavailable" (units of 0.02 m/s).
pub const SPEED_UNAVAILABLE: u16 = 8191;

/// The BSM core data the MA uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bsm {
    /// `msgCnt` (0..127).
    pub msg_cnt: u8,
    /// `id` (TemporaryID).
    pub id: [u8; 4],
    /// `secMark`: milliseconds within the minute.
    pub sec_mark: u16,
    /// Latitude in 0.1 µdegree.
    pub lat: i32,
    /// Longitude in 0.1 µdegree.
    pub long: i32,
    /// Elevation in 0.1 m.
    pub elev: i32,
    /// Speed in 0.02 m/s ([`SPEED_UNAVAILABLE`] when unknown).
    pub speed: u16,
    /// Heading in 0.0125 degree.
    pub heading: u16,
}

impl Bsm {
    /// Speed in m/s (`None` when unavailable).
    pub fn speed_mps(&self) -> Option<f64> {
        (self.speed < SPEED_UNAVAILABLE).then(|| f64::from(self.speed) * 0.02)
    }

    /// The UPER `MessageFrame` of this BSM.
    pub fn encode(&self) -> Vec<u8> {
        let mut core = Bits::default();
        core.put(0, 1); // BasicSafetyMessage: no extension
        core.put(0, 2); // partII, regional absent
        core.put(u64::from(self.msg_cnt & 0x7f), 7);
        core.put(u64::from(u32::from_be_bytes(self.id)), 32);
        core.put(u64::from(self.sec_mark), 16);
        core.put(offset(self.lat, 900_000_000), 31);
        core.put(offset(self.long, 1_799_999_999), 32);
        core.put(offset(self.elev, 4096), 16);
        core.put(255, 8); // semiMajor unavailable
        core.put(255, 8); // semiMinor unavailable
        core.put(65535, 16); // orientation unavailable
        core.put(0, 1); // transmission: no extension
        core.put(7, 3); // unavailable
        core.put(u64::from(self.speed.min(SPEED_UNAVAILABLE)), 13);
        core.put(u64::from(self.heading.min(28800)), 15);
        core.put(253, 8); // steering angle unavailable (127, offset -126)
        core.put(4001, 12); // long accel unavailable (2001, offset -2000)
        core.put(4001, 12); // lat accel unavailable
        core.put(127, 8); // vert accel 0 (offset -127)
        core.put(32767, 16); // yaw rate 0 (offset -32767)
        core.put(0, 5); // wheelBrakes
        core.put(0, 2 * 5); // traction, abs, scs, brakeBoost, auxBrakes: unavailable
        core.put(0, 10); // width
        core.put(0, 12); // length
        let value = core.into_bytes();
        let mut frame = Bits::default();
        frame.put(0, 1); // MessageFrame: no extension
        frame.put(u64::from(BSM_MESSAGE_ID), 15);
        frame.put(value.len() as u64, 8);
        for b in value {
            frame.put(u64::from(b), 8);
        }
        frame.into_bytes()
    }

    /// Decodes a UPER `MessageFrame` holding a BSM (`None` if it is not one).
    pub fn decode(bytes: &[u8]) -> Option<Bsm> {
        let mut r = Reader { bytes, pos: 0 };
        if r.get(1)? != 0 || r.get(15)? != u64::from(BSM_MESSAGE_ID) {
            return None;
        }
        let len = r.get(8)?;
        if len >= 128 || r.remaining() < len as usize * 8 {
            return None;
        }
        r.get(3)?; // extension bit, partII and regional presence
        let msg_cnt = r.get(7)? as u8;
        let id = (r.get(32)? as u32).to_be_bytes();
        let sec_mark = r.get(16)? as u16;
        let lat = (r.get(31)? as i64 - 900_000_000) as i32;
        let long = (r.get(32)? as i64 - 1_799_999_999) as i32;
        let elev = (r.get(16)? as i64 - 4096) as i32;
        r.get(32)?; // accuracy
        r.get(4)?; // transmission
        let speed = r.get(13)? as u16;
        let heading = r.get(15)? as u16;
        Some(Bsm {
            msg_cnt,
            id,
            sec_mark,
            lat,
            long,
            elev,
            speed,
            heading,
        })
    }
}

fn offset(v: i32, off: i64) -> u64 {
    u64::try_from(i64::from(v) + off).unwrap_or(0)
}

/// Great-circle distance in metres (equirectangular approximation; fine at BSM ranges).
pub fn distance_m(a: &Bsm, b: &Bsm) -> f64 {
    const R: f64 = 6_371_000.0;
    let to_rad = |x: i32| f64::from(x) * 1e-7 * std::f64::consts::PI / 180.0;
    let (la1, lo1, la2, lo2) = (to_rad(a.lat), to_rad(a.long), to_rad(b.lat), to_rad(b.long));
    let x = (lo2 - lo1) * ((la1 + la2) / 2.0).cos();
    let y = la2 - la1;
    (x * x + y * y).sqrt() * R
}

#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    n: usize,
}

impl Bits {
    fn put(&mut self, v: u64, bits: usize) {
        for k in (0..bits).rev() {
            if self.n.is_multiple_of(8) {
                self.out.push(0);
            }
            if (v >> k) & 1 == 1 {
                if let Some(last) = self.out.last_mut() {
                    *last |= 0x80 >> (self.n % 8);
                }
            }
            self.n += 1;
        }
    }

    fn into_bytes(self) -> Vec<u8> {
        self.out
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn remaining(&self) -> usize {
        self.bytes.len() * 8 - self.pos
    }

    fn get(&mut self, bits: usize) -> Option<u64> {
        if bits > 64 || self.remaining() < bits {
            return None;
        }
        let mut v = 0u64;
        for _ in 0..bits {
            let byte = self.bytes.get(self.pos / 8)?;
            v = (v << 1) | u64::from((byte >> (7 - self.pos % 8)) & 1);
            self.pos += 1;
        }
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trip() {
        let b = Bsm {
            msg_cnt: 5,
            id: [1, 2, 3, 4],
            sec_mark: 59_999,
            lat: 423_000_000,
            long: -833_000_000,
            elev: 2000,
            speed: 1500,
            heading: 100,
        };
        let enc = b.encode();
        assert_eq!(Bsm::decode(&enc), Some(b));
        assert_eq!(b.speed_mps(), Some(30.0));
        assert!(Bsm::decode(&enc[..10]).is_none());
        let c = Bsm {
            lat: b.lat + 10_000,
            ..b
        }; // 0.001° ≈ 111 m
        assert!((distance_m(&b, &c) - 111.2).abs() < 1.0);
    }
}
