//! The generator's random numbers: a small seeded generator of its own, so that a seed gives
//! the same district on every platform and with every version of every dependency.

/// xoshiro256** seeded through SplitMix64 (Blackman and Vigna). Not cryptographic; fast, and
/// its streams are fixed by this code alone.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: [u64; 4],
}

impl Rng {
    /// A generator for `seed`; `stream` separates independent uses of one seed (the
    /// population, the census, each extract), so that changing one does not shift the others.
    pub(crate) fn new(seed: u64, stream: u64) -> Rng {
        let mut mix = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut next = || {
            mix = mix.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = mix;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng { state: [next(), next(), next(), next()] }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = &mut self.state;
        let result = s1.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = *s1 << 17;
        *s2 ^= *s0;
        *s3 ^= *s1;
        *s1 ^= *s2;
        *s0 ^= *s3;
        *s2 ^= t;
        *s3 = s3.rotate_left(45);
        result
    }

    /// A uniform value in `0..n`; `n` must be positive.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "an empty range has no values");
        // Lemire's multiply-shift: unbiased enough for n far below 2^64.
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A uniform value in `low..=high`.
    pub(crate) fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }

    /// A uniform float in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p` (in `[0, 1]`).
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// An index drawn with probability proportional to `weights[i]`; the weights must not all
    /// be zero.
    pub(crate) fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut target = self.unit() * total;
        for (idx, weight) in weights.iter().enumerate() {
            if target < *weight {
                return idx;
            }
            target -= weight;
        }
        weights.iter().rposition(|&w| w > 0.0).expect("some weight is positive")
    }
}

#[cfg(test)]
mod tests {
    use crate::rng::Rng;

    #[test]
    fn a_seed_gives_one_stream() {
        let draws = |seed, stream| {
            let mut rng = Rng::new(seed, stream);
            (0..4).map(|_| rng.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(draws(7, 1), draws(7, 1));
        assert_ne!(draws(7, 1), draws(7, 2));
        assert_ne!(draws(7, 1), draws(8, 1));
    }

    #[test]
    fn draws_follow_their_distributions() {
        let mut rng = Rng::new(42, 0);
        let n = 100_000;
        let mut counts = [0u32; 3];
        for _ in 0..n {
            counts[rng.weighted(&[0.5, 0.3, 0.2])] += 1;
        }
        let shares = counts.map(|c| f64::from(c) / f64::from(n));
        for (share, expected) in shares.iter().zip([0.5, 0.3, 0.2]) {
            assert!((share - expected).abs() < 0.01, "{shares:?}");
        }
        let hits = (0..n).filter(|_| rng.chance(0.03)).count();
        assert!((2_700..3_300).contains(&hits), "{hits}");
        assert!((0..n).all(|_| rng.between(3, 5) >= 3));
    }
}
