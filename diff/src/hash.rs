//! A fast 64-bit hasher for the OVAL index and the fingerprints. SipHash
//! (std's default) guards hash maps against chosen keys, which costs a
//! pass of several rounds per value: here a document only slows its own
//! comparison, and fingerprints are compared, never shown. Every eight
//! bytes go through one 64×64→128-bit multiply whose halves are folded
//! together, which mixes well enough that two different contents sharing
//! a fingerprint is as unlikely as with SipHash (about 2⁻⁶⁴ per pair).
//! Deterministic: the two documents of a diff hash alike.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const K0: u64 = 0x243f_6a88_85a3_08d3;
const K1: u64 = 0x9e37_79b9_7f4a_7c15;
const K2: u64 = 0xa409_3822_299f_31d0;

fn fold(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// The hasher of [`FastMap`] and of fingerprints.
#[derive(Clone, Copy)]
pub struct Fingerprinter(u64);

impl Default for Fingerprinter {
    fn default() -> Self {
        Fingerprinter(K0)
    }
}

impl Fingerprinter {
    fn word(&mut self, w: u64) {
        self.0 = fold(self.0 ^ w ^ K2, K1);
    }
}

impl Hasher for Fingerprinter {
    fn finish(&self) -> u64 {
        fold(self.0, K0)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.word(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        let rest = chunks.remainder();
        // The tail, with the length (so that "a\0" and "a" differ).
        let mut tail = [0u8; 8];
        tail[..rest.len()].copy_from_slice(rest);
        self.word(u64::from_le_bytes(tail) ^ ((bytes.len() as u64) << 56));
    }

    fn write_u8(&mut self, i: u8) {
        self.word(u64::from(i) | 0x100);
    }

    fn write_u32(&mut self, i: u32) {
        self.word(u64::from(i) | 0x4_0000_0000);
    }

    fn write_u64(&mut self, i: u64) {
        self.word(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.word(i as u64);
    }
}

/// A hash map keyed through [`Fingerprinter`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fingerprinter>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::hash::Hash;

    fn fp<T: Hash + ?Sized>(v: &T) -> u64 {
        let mut h = Fingerprinter::default();
        v.hash(&mut h);
        h.finish()
    }

    #[test]
    fn equal_values_hash_alike_and_near_ones_apart() {
        assert_eq!(fp("oval:x:def:1"), fp("oval:x:def:1"));
        assert_ne!(fp("a"), fp("a\0"));
        assert_ne!(fp(&("ab", "c")), fp(&("a", "bc")));
        // Ids that differ in one byte anywhere, and small integers.
        let mut seen = HashSet::new();
        for i in 0..20_000u32 {
            assert!(seen.insert(fp(&format!("oval:ssg-rule_{i}_installed:tst:1"))));
            assert!(seen.insert(fp(&i)));
            assert!(seen.insert(fp(&(1u8, u64::from(i)))));
        }
    }
}
