//! The road model: vehicles drive counter-clockwise around a ring road at constant speeds;
//! positions become latitude/longitude around a fixed centre, and a vehicle hears the
//! vehicles (and RSEs) within radio range.

use scms_ma::bsm::Bsm;

use crate::rng::Rng;

/// Centre of the ring road (Ann Arbor, MI), degrees.
pub const CENTER_LAT: f64 = 42.2808;
/// Centre of the ring road, degrees.
pub const CENTER_LON: f64 = -83.7430;
/// Metres per degree of latitude.
const M_PER_DEG: f64 = 111_320.0;

/// The ring road.
#[derive(Debug, Clone, PartialEq)]
pub struct Road {
    /// Length of the ring, metres.
    pub circumference_m: f64,
    /// DSRC range, metres.
    pub radio_range_m: f64,
}

/// A vehicle on the road.
#[derive(Debug, Clone, PartialEq)]
pub struct Car {
    /// Distance travelled along the ring from its reference point, metres.
    pub s_m: f64,
    /// Speed, m/s.
    pub speed_mps: f64,
    /// The BSM `TemporaryID`.
    pub temp_id: [u8; 4],
    /// The BSM `msgCnt`.
    pub msg_cnt: u8,
}

impl Road {
    /// A ring about 100 m of road per vehicle (at least 1 km), 300 m radio range.
    pub fn new(vehicles: u32) -> Road {
        Road {
            circumference_m: (f64::from(vehicles) * 100.0).max(1000.0),
            radio_range_m: 300.0,
        }
    }

    fn radius(&self) -> f64 {
        self.circumference_m / std::f64::consts::TAU
    }

    /// Vehicles spread around the ring with random gaps and speeds of 20–33 m/s.
    pub fn place(&self, n: u32, rng: &mut Rng) -> Vec<Car> {
        let gap = self.circumference_m / f64::from(n.max(1));
        (0..n)
            .map(|k| {
                let id = rng.next_u64().to_be_bytes();
                Car {
                    s_m: f64::from(k) * gap + rng.range(0.0, gap * 0.5),
                    speed_mps: rng.range(20.0, 33.0),
                    temp_id: [id[0], id[1], id[2], id[3]],
                    msg_cnt: 0,
                }
            })
            .collect()
    }

    /// RSEs evenly spaced around the ring (arc positions, metres).
    pub fn rse_positions(&self, m: u32) -> Vec<f64> {
        let gap = self.circumference_m / f64::from(m.max(1));
        (0..m).map(|k| f64::from(k) * gap + gap / 4.0).collect()
    }

    /// Moves `car` for `dt` seconds.
    pub fn advance(&self, car: &mut Car, dt: f64) {
        car.s_m = (car.s_m + car.speed_mps * dt).rem_euclid(self.circumference_m);
    }

    /// East/north offsets from the centre of arc position `s`, metres.
    pub fn xy(&self, s: f64) -> (f64, f64) {
        let th = s / self.radius();
        (self.radius() * th.cos(), self.radius() * th.sin())
    }

    /// Straight-line distance between two arc positions, metres.
    pub fn distance(&self, a: f64, b: f64) -> f64 {
        let (ax, ay) = self.xy(a);
        let (bx, by) = self.xy(b);
        (ax - bx).hypot(ay - by)
    }

    /// Whether arc positions `a` and `b` are within radio range.
    pub fn in_range(&self, a: f64, b: f64) -> bool {
        self.distance(a, b) <= self.radio_range_m
    }

    /// Latitude and longitude of arc position `s`, in 0.1 µdegree.
    pub fn lat_lon(&self, s: f64) -> (i32, i32) {
        let (x, y) = self.xy(s);
        let lat = CENTER_LAT + y / M_PER_DEG;
        let lon = CENTER_LON + x / (M_PER_DEG * CENTER_LAT.to_radians().cos());
        ((lat * 1e7).round() as i32, (lon * 1e7).round() as i32)
    }

    /// The BSM core data of `car` at `ms_in_minute`, reporting its position shifted by
    /// `jump_m` metres along the ring (0 for an honest vehicle).
    pub fn bsm(&self, car: &mut Car, ms_in_minute: u16, jump_m: f64) -> Bsm {
        let s = (car.s_m + jump_m).rem_euclid(self.circumference_m);
        let (lat, long) = self.lat_lon(s);
        let th = s / self.radius();
        // Travel direction (counter-clockwise tangent), as a heading clockwise from north.
        let heading_deg = (-th.sin()).atan2(th.cos()).to_degrees().rem_euclid(360.0);
        car.msg_cnt = (car.msg_cnt + 1) & 0x7f;
        Bsm {
            msg_cnt: car.msg_cnt,
            id: car.temp_id,
            sec_mark: ms_in_minute,
            lat,
            long,
            elev: 2_650,
            speed: (car.speed_mps / 0.02).round() as u16,
            heading: ((heading_deg / 0.0125).round() as u16).min(28_799),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn honest_motion_is_plausible_and_jumps_are_not() {
        let road = Road::new(20);
        let mut rng = Rng::new(7);
        let mut cars = road.place(20, &mut rng);
        let c = &mut cars[0];
        let a = road.bsm(c, 0, 0.0);
        road.advance(c, 0.1);
        let b = road.bsm(c, 100, 0.0);
        let d = scms_ma::bsm::distance_m(&a, &b);
        assert!(d < c.speed_mps * 0.1 + 1.0, "{d}");
        let j = road.bsm(c, 200, 800.0);
        assert!(scms_ma::bsm::distance_m(&b, &j) > 300.0);
        assert!(road.in_range(10.0, 200.0));
        assert!(!road.in_range(0.0, road.circumference_m / 2.0));
    }
}
