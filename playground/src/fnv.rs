//! A hash map keyed by short strings (task names and paths) that hashes them with FNV-1a.
//!
//! The parser and the recorder look up a name at every line and at every event; the standard
//! hasher's protection against chosen keys (SipHash) costs more than the lookup itself, and the
//! keys here are the user's own scenario.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a, 64-bit.
#[derive(Debug)]
pub(crate) struct Fnv(u64);

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0100_0000_01b3;

impl Default for Fnv {
    fn default() -> Self {
        Fnv(OFFSET)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(PRIME);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` hashed with [`Fnv`].
pub(crate) type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn known_values_and_lookups() {
        // The published FNV-1a test vectors ("" and "a").
        assert_eq!(Fnv::default().finish(), 0xcbf2_9ce4_8422_2325);
        let mut h = Fnv::default();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
        let build = BuildHasherDefault::<Fnv>::default();
        assert_ne!(build.hash_one("t1"), build.hash_one("t2"));
        let mut names: FnvMap<String, usize> = FnvMap::default();
        for i in 0..1000 {
            names.insert(format!("t{i}"), i);
        }
        assert_eq!(names.get("t999"), Some(&999));
        assert_eq!(names.get("t1000"), None);
    }
}
