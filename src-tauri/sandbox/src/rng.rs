//! The sandbox's only source of randomness: SplitMix64, seeded, so that one seed
//! gives one run. Written out (a dozen lines) rather than pulled in as a dependency.

/// A seeded SplitMix64 generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededRng {
    state: u64,
}

impl SeededRng {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// An independent stream for another concern (faults, ids), so that drawing from
    /// one does not shift the other: a run with faults keeps the same recipients.
    pub fn fork(seed: u64, stream: u64) -> Self {
        let mut mixer = Self::new(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        Self::new(mixer.next_u64())
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A float in `[0, 1)` from the top 53 bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p` (clamped to `[0, 1]`).
    pub fn chance(&mut self, p: f64) -> bool {
        self.next_f64() < p.clamp(0.0, 1.0)
    }

    /// An integer in `[min, max]` (both inclusive; `max < min` gives `min`).
    pub fn between(&mut self, min: u64, max: u64) -> u64 {
        if max <= min {
            return min;
        }
        let span = max - min + 1;
        min + self.next_u64() % span
    }

    /// An index below `len` (zero when `len` is zero).
    pub fn index(&mut self, len: usize) -> usize {
        if len == 0 {
            0
        } else {
            (self.next_u64() % len as u64) as usize
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_seed_gives_one_sequence() {
        let a: Vec<u64> = {
            let mut rng = SeededRng::new(7);
            (0..5).map(|_| rng.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut rng = SeededRng::new(7);
            (0..5).map(|_| rng.next_u64()).collect()
        };
        let c: Vec<u64> = {
            let mut rng = SeededRng::new(8);
            (0..5).map(|_| rng.next_u64()).collect()
        };
        assert_eq!(a, b, "the same seed must replay the same run");
        assert_ne!(a, c, "another seed must give another run");
    }

    #[test]
    fn draws_stay_in_their_ranges() {
        let mut rng = SeededRng::new(1);
        for _ in 0..10_000 {
            let f = rng.next_f64();
            assert!((0.0..1.0).contains(&f), "next_f64 is in [0, 1): got {f}");
            let n = rng.between(5, 9);
            assert!((5..=9).contains(&n), "between is inclusive: got {n}");
        }
        assert!(!rng.chance(0.0), "probability 0 never happens");
        assert!(rng.chance(1.0), "probability 1 always happens");
        assert_eq!(rng.between(4, 2), 4, "an empty range gives its minimum");
    }

    #[test]
    fn forks_are_independent_streams() {
        let mut a = SeededRng::fork(1, 1);
        let mut b = SeededRng::fork(1, 2);
        assert_ne!(a.next_u64(), b.next_u64(), "two streams of one seed differ");
    }
}
