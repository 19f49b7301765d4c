//! IEEE 1609.2 time: `Time32` is TAI seconds since 2004-01-01 00:00:00 UTC and `Time64` TAI
//! microseconds since the same epoch; certificate validity periods; the global i-period.
//!
//! **Leap seconds.** 1609.2 counts TAI seconds, so a `Time32` is the UTC seconds since the
//! epoch plus the leap seconds inserted since 2004: +1 from 2006-01-01, +2 from 2009-01-01,
//! +3 from 2012-07-01, +4 from 2015-07-01 and **+5 from 2017-01-01 on** (none announced
//! since). This matches the seed's figures, e.g. `410,313,605` = 2017-01-01 00:00 UTC. A
//! future leap second needs a new entry in [`LEAP_SECONDS`].

use std::sync::atomic::{AtomicU64, Ordering};

use scms_asn1::ieee1609dot2::{Duration, Time32, Time64, ValidityPeriod};

/// Unix time of the 1609.2 epoch, 2004-01-01 00:00:00 UTC.
pub const EPOCH_UNIX: u64 = 1_072_915_200;

/// Unix times (UTC seconds) from which one more leap second counts since 2004.
pub const LEAP_SECONDS: [u64; 5] = [
    1_136_073_600, // 2006-01-01
    1_230_768_000, // 2009-01-01
    1_341_100_800, // 2012-07-01
    1_435_708_800, // 2015-07-01
    1_483_228_800, // 2017-01-01
];

/// Seconds in a 1609.2 `years` unit (365.2425 days).
pub const SECONDS_PER_YEAR: u64 = 31_556_952;

/// Start of global i-period 0 (`Time32`), from the seed's i-period formula.
pub const I_PERIOD_ORIGIN: Time32 = 347_619_603;

/// Length of an i-period: one week in seconds (`i_period` = 10,080 minutes).
pub const I_PERIOD_SECONDS: u32 = 604_800;

/// Leap seconds since 2004 in effect at Unix time `unix`.
fn leaps_at_unix(unix: u64) -> u64 {
    LEAP_SECONDS.iter().filter(|l| unix >= **l).count() as u64
}

/// UTC Unix seconds → `Time32` (saturating outside the representable range).
pub fn time32_from_unix(unix: u64) -> Time32 {
    let tai = unix.saturating_sub(EPOCH_UNIX) + leaps_at_unix(unix);
    u32::try_from(tai).unwrap_or(u32::MAX)
}

/// `Time32` → UTC Unix seconds (a time inside an inserted leap second maps to the second
/// after it).
pub fn unix_from_time32(t: Time32) -> u64 {
    let naive = EPOCH_UNIX + u64::from(t);
    // Subtract the leap seconds in effect at the UTC instant itself.
    let mut unix = naive.saturating_sub(leaps_at_unix(naive));
    if leaps_at_unix(unix) != leaps_at_unix(naive) {
        unix = naive.saturating_sub(leaps_at_unix(unix));
    }
    unix
}

/// `Time32` → `Time64` (start of that second).
pub fn time64_from_time32(t: Time32) -> Time64 {
    u64::from(t) * 1_000_000
}

/// `Time64` → `Time32` (whole seconds, saturating).
pub fn time32_from_time64(t: Time64) -> Time32 {
    u32::try_from(t / 1_000_000).unwrap_or(u32::MAX)
}

/// A 1609.2 `Duration` in seconds (sub-second units rounded down).
pub fn duration_seconds(d: &Duration) -> u64 {
    match *d {
        Duration::Microseconds(v) => u64::from(v) / 1_000_000,
        Duration::Milliseconds(v) => u64::from(v) / 1_000,
        Duration::Seconds(v) => u64::from(v),
        Duration::Minutes(v) => u64::from(v) * 60,
        Duration::Hours(v) => u64::from(v) * 3_600,
        Duration::SixtyHours(v) => u64::from(v) * 216_000,
        Duration::Years(v) => u64::from(v) * SECONDS_PER_YEAR,
    }
}

/// End of a validity period, as seconds on the `Time32` scale (may exceed `u32::MAX`).
pub fn validity_end(v: &ValidityPeriod) -> u64 {
    u64::from(v.start) + duration_seconds(&v.duration)
}

/// Whether `at` lies in the validity period: `start <= at < end`.
pub fn is_valid_at(v: &ValidityPeriod, at: Time32) -> bool {
    at >= v.start && u64::from(at) < validity_end(v)
}

/// Whether `inner` lies within `outer` (start not earlier, end not later).
pub fn validity_within(inner: &ValidityPeriod, outer: &ValidityPeriod) -> bool {
    inner.start >= outer.start && validity_end(inner) <= validity_end(outer)
}

/// Global i-period of `t`: `floor((t − 347,619,603) / 604,800)`; `None` before the origin.
pub fn i_period(t: Time32) -> Option<u32> {
    t.checked_sub(I_PERIOD_ORIGIN).map(|d| d / I_PERIOD_SECONDS)
}

/// Start (`Time32`) of global i-period `i`; `None` past the `Time32` range.
pub fn i_period_start(i: u32) -> Option<Time32> {
    i.checked_mul(I_PERIOD_SECONDS)
        .and_then(|d| d.checked_add(I_PERIOD_ORIGIN))
}

/// A source of the current 1609.2 time.
pub trait Clock: Send + Sync {
    /// Now, as `Time32`.
    fn now(&self) -> Time32;
    /// Now, as `Time64` (defaults to whole seconds).
    fn now64(&self) -> Time64 {
        time64_from_time32(self.now())
    }
}

/// The system clock (UTC converted to TAI with [`LEAP_SECONDS`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Time32 {
        time32_from_time64(self.now64())
    }

    fn now64(&self) -> Time64 {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let secs = time32_from_unix(since.as_secs());
        time64_from_time32(secs) + u64::from(since.subsec_micros())
    }
}

/// A settable clock for tests and simulations (microsecond resolution).
#[derive(Debug, Default)]
pub struct ManualClock {
    micros: AtomicU64,
}

impl ManualClock {
    /// A clock stopped at `t`.
    pub fn new(t: Time32) -> Self {
        ManualClock {
            micros: AtomicU64::new(time64_from_time32(t)),
        }
    }

    /// Sets the time.
    pub fn set(&self, t: Time32) {
        self.micros.store(time64_from_time32(t), Ordering::SeqCst);
    }

    /// Moves the clock forward by `seconds`.
    pub fn advance(&self, seconds: u64) {
        self.micros
            .fetch_add(seconds.saturating_mul(1_000_000), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Time32 {
        time32_from_time64(self.now64())
    }

    fn now64(&self) -> Time64 {
        self.micros.load(Ordering::SeqCst)
    }
}

/// A clock fixed at one instant.
pub type FixedClock = ManualClock;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_reference_times() {
        // 2017-01-01 00:00 UTC and 2017-08-01 00:00 UTC (SCMS-1603, SCMS-1605).
        assert_eq!(time32_from_unix(1_483_228_800), 410_313_605);
        assert_eq!(time32_from_unix(1_501_545_600), 428_630_405);
        assert_eq!(unix_from_time32(410_313_605), 1_483_228_800);
        assert_eq!(time32_from_unix(EPOCH_UNIX), 0);
        // 1,169 sixtyHours from 2017-01-01 ends 2025-01-01 12:00 UTC.
        let v = ValidityPeriod {
            start: 410_313_605,
            duration: Duration::SixtyHours(1_169),
        };
        assert_eq!(
            unix_from_time32(u32::try_from(validity_end(&v)).unwrap_or(0)),
            1_735_732_800
        );
    }

    #[test]
    fn i_periods() {
        assert_eq!(i_period(I_PERIOD_ORIGIN - 1), None);
        assert_eq!(i_period(I_PERIOD_ORIGIN), Some(0));
        assert_eq!(i_period(I_PERIOD_ORIGIN + 604_799), Some(0));
        assert_eq!(i_period(I_PERIOD_ORIGIN + 604_800), Some(1));
        assert_eq!(i_period_start(3), Some(I_PERIOD_ORIGIN + 3 * 604_800));
    }

    #[test]
    fn manual_clock() {
        let c = ManualClock::new(100);
        c.advance(5);
        assert_eq!(c.now(), 105);
        assert_eq!(c.now64(), 105_000_000);
        c.set(7);
        assert_eq!(c.now(), 7);
    }
}
