//! Seeded randomness: a ChaCha8 stream per unit of work, and stateless hashes of
//! `(seed, code)` for region effects and identifiers. Nothing here reads the clock or any
//! thread-local state, so the output depends only on the inputs.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The SplitMix64 finaliser: a bijection on `u64` (each step is invertible), so distinct
/// inputs give distinct outputs.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A hash of the seed, a domain tag (what the number is for) and some bytes (a region code).
pub fn hash(seed: u64, tag: u64, bytes: &[u8]) -> u64 {
    let mut h = mix64(seed ^ 0x05e1_a7a5_0000_0000 ^ mix64(tag));
    for chunk in bytes.chunks(8) {
        let mut w = [0u8; 8];
        w[..chunk.len()].copy_from_slice(chunk);
        h = mix64(h ^ u64::from_le_bytes(w)).wrapping_add(0x9e37_79b9_7f4a_7c15);
    }
    mix64(h ^ bytes.len() as u64)
}

/// A uniform number in [0, 1) from a hash.
#[inline]
pub fn unit_of(h: u64) -> f64 {
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A standard normal number from a hash (Box–Muller on two derived uniforms).
pub fn normal_of(h: u64) -> f64 {
    let u1 = 1.0 - unit_of(mix64(h ^ 0x1111)); // (0, 1]
    let u2 = unit_of(mix64(h ^ 0x2222));
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// The random stream of one unit of work.
pub struct Rng {
    inner: ChaCha8Rng,
    spare: Option<f64>,
}

impl Rng {
    pub fn new(seed: u64, tag: u64, bytes: &[u8]) -> Rng {
        let mut key = [0u8; 32];
        let mut h = hash(seed, tag, bytes);
        for part in key.chunks_mut(8) {
            h = mix64(h.wrapping_add(0x9e37_79b9_7f4a_7c15));
            part.copy_from_slice(&h.to_le_bytes());
        }
        Rng {
            inner: ChaCha8Rng::from_seed(key),
            spare: None,
        }
    }

    #[inline]
    pub fn u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// Uniform in [0, 1).
    #[inline]
    pub fn f64(&mut self) -> f64 {
        unit_of(self.u64())
    }

    /// `true` with probability `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Uniform integer in `0..n` (`n > 0`), Lemire's multiply-shift (bias < 2^-32 for the
    /// small ranges used here).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.u64() >> 32) * n) >> 32
    }

    /// Uniform integer in `lo..=hi`.
    #[inline]
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// Standard normal (Marsaglia's polar method, the second value kept for the next call).
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        loop {
            let x = 2.0 * self.f64() - 1.0;
            let y = 2.0 * self.f64() - 1.0;
            let s = x * x + y * y;
            if s > 0.0 && s < 1.0 {
                let f = (-2.0 * s.ln() / s).sqrt();
                self.spare = Some(y * f);
                return x * f;
            }
        }
    }

    /// Index drawn with the given (non-negative, not all zero) weights.
    pub fn pick(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut u = self.f64() * total;
        for (i, w) in weights.iter().enumerate() {
            if u < *w {
                return i;
            }
            u -= w;
        }
        weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
    }

    /// A uniformly chosen element.
    pub fn choose<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Logistic function.
#[inline]
pub fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = {
            let mut r = Rng::new(1, 2, b"32.01.01");
            (0..4).map(|_| r.u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::new(1, 2, b"32.01.01");
            (0..4).map(|_| r.u64()).collect()
        };
        let c: Vec<u64> = {
            let mut r = Rng::new(1, 2, b"32.01.02");
            (0..4).map(|_| r.u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn normal_moments() {
        let mut r = Rng::new(7, 0, b"");
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01, "{mean}");
        assert!((var - 1.0).abs() < 0.02, "{var}");
        let hs: Vec<f64> = (0..n as u64).map(|i| normal_of(mix64(i))).collect();
        let m2 = hs.iter().sum::<f64>() / n as f64;
        assert!(m2.abs() < 0.01, "{m2}");
    }
}
