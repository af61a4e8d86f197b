//! Ids: `ObjectId` (24 hex digits, shaped like MongoDB's: seconds, per-mock bytes, counter)
//! and the generator that makes them from the mock's clock. Fidelity logic: the vendor's id
//! shape and its sort order.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::fidelity::clock::Millis;

/// A MongoDB-ObjectId-shaped identifier: 4 bytes of seconds, 5 bytes per mock, 3 bytes of counter.
///
/// Byte order equals the order of its 24-digit lower-case hex form, so ids sort in creation order.
///
/// ```
/// use recotap_mock::ObjectId;
/// let id: ObjectId = "663a1f0c2b5e4d0001000001".parse().unwrap();
/// assert_eq!(id.to_string(), "663a1f0c2b5e4d0001000001");
/// assert!("not-an-id".parse::<ObjectId>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ObjectId([u8; 12]);

impl ObjectId {
    /// The id as one big-endian number, which orders as the bytes (and the hex) do.
    fn as_number(&self) -> u128 {
        let mut wide = [0u8; 16];
        wide[4..].copy_from_slice(&self.0);
        u128::from_be_bytes(wide)
    }
}

/// In byte order, which is the order of the hex text and of creation: a number comparison,
/// where the derived order called `memcmp` for each of the store's B-tree steps.
impl Ord for ObjectId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_number().cmp(&other.as_number())
    }
}

impl PartialOrd for ObjectId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl ObjectId {
    /// Whether `text` is 24 hex digits (either case), the API's `isMongoId` rule.
    pub fn is_valid(text: &str) -> bool {
        text.len() == 24 && text.bytes().all(|b| b.is_ascii_hexdigit())
    }
}

/// The error of parsing an [`ObjectId`] from text that is not 24 hex digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidObjectId {
    text: String,
}

impl InvalidObjectId {
    /// The text that was not an id.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for InvalidObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' is not an id of 24 hex digits", self.text)
    }
}

impl std::error::Error for InvalidObjectId {}

impl FromStr for ObjectId {
    type Err = InvalidObjectId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if !ObjectId::is_valid(text) {
            return Err(InvalidObjectId {
                text: text.to_string(),
            });
        }
        let mut bytes = [0u8; 12];
        for (i, pair) in text.as_bytes().chunks(2).enumerate() {
            bytes[i] = (hex_value(pair[0]) << 4) | hex_value(pair[1]);
        }
        Ok(ObjectId(bytes))
    }
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit - b'A' + 10,
    }
}

impl ObjectId {
    /// The 24 lower-case hex digits, without allocating (ids are printed on every response).
    pub fn hex(&self) -> [u8; 24] {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 24];
        for (i, byte) in self.0.iter().enumerate() {
            out[2 * i] = DIGITS[usize::from(byte >> 4)];
            out[2 * i + 1] = DIGITS[usize::from(byte & 0xf)];
        }
        out
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = self.hex();
        f.write_str(std::str::from_utf8(&hex).expect("hex digits are ASCII"))
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({self})")
    }
}

impl Serialize for ObjectId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let hex = self.hex();
        serializer.serialize_str(std::str::from_utf8(&hex).expect("hex digits are ASCII"))
    }
}

impl<'de> Deserialize<'de> for ObjectId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Makes ObjectIds: the clock's seconds, five bytes fixed per generator, a rising counter.
#[derive(Clone, Debug)]
pub struct IdGenerator {
    instance: [u8; 5],
    counter: u32,
}

impl IdGenerator {
    /// A generator whose ids are reproducible: the same seed and clock give the same ids.
    pub fn seeded(seed: u64) -> Self {
        let mixed = splitmix64(seed);
        let bytes = mixed.to_be_bytes();
        IdGenerator {
            instance: [bytes[0], bytes[1], bytes[2], bytes[3], bytes[4]],
            counter: 0,
        }
    }

    /// A generator with a random instance part, as every real ObjectId source has.
    pub fn random() -> Self {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::UNIX_EPOCH
                .elapsed()
                .unwrap_or_default()
                .as_nanos(),
        );
        let mut generator = IdGenerator::seeded(hasher.finish());
        // Start the counter low enough that it does not wrap within a second of heavy use.
        generator.counter = (hasher.finish() >> 40) as u32 & 0x3f_ffff;
        generator
    }

    /// The next id that `taken` does not claim. A generator restarted by `reset`, or a restored
    /// snapshot, can otherwise hand out an id that is already stored.
    pub fn next_free(&mut self, now: Millis, taken: impl Fn(&ObjectId) -> bool) -> ObjectId {
        loop {
            let id = self.next_id(now);
            if !taken(&id) {
                return id;
            }
        }
    }

    /// The next id, stamped with `now`.
    pub fn next_id(&mut self, now: Millis) -> ObjectId {
        let seconds = (now.div_euclid(1000)).clamp(0, i64::from(u32::MAX)) as u32;
        let counter = self.counter & 0xff_ffff;
        self.counter = self.counter.wrapping_add(1);
        let mut bytes = [0u8; 12];
        bytes[..4].copy_from_slice(&seconds.to_be_bytes());
        bytes[4..9].copy_from_slice(&self.instance);
        bytes[9..].copy_from_slice(&counter.to_be_bytes()[1..]);
        ObjectId(bytes)
    }
}

/// A small, good bit mixer (used for id instances and seeded fault probabilities).
pub(crate) fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_order_as_their_hex_text() {
        let texts = [
            "000000000000000000000000",
            "000000000000000000000001",
            "0000000000000000000000ff",
            "00000000ffffffffffffffff",
            "000000010000000000000000",
            "7fffffff0000000000000000",
            "80000000ffffffffffffffff",
            "ff0000000000000000000000",
            "ffffffffffffffffffffffff",
        ];
        for a in texts {
            for b in texts {
                let (x, y): (ObjectId, ObjectId) = (a.parse().unwrap(), b.parse().unwrap());
                assert_eq!(x.cmp(&y), a.cmp(b), "{a} against {b}");
                assert_eq!(x.partial_cmp(&y), Some(a.cmp(b)));
            }
        }
    }

    #[test]
    fn ids_sort_in_creation_order_and_are_reproducible_with_a_seed() {
        let mut a = IdGenerator::seeded(7);
        let mut b = IdGenerator::seeded(7);
        let first = a.next_id(1_777_543_200_000);
        let second = a.next_id(1_777_543_200_000);
        assert!(first < second);
        assert!(first.to_string() < second.to_string());
        assert_eq!(b.next_id(1_777_543_200_000), first);
        assert!(first.to_string().starts_with("69f32820"), "{first}");
        assert_eq!(first.to_string().len(), 24);
    }

    #[test]
    fn object_id_parses_either_case_and_prints_lower_case() {
        let id: ObjectId = "ABCDEF0123456789ABCDEF01".parse().unwrap();
        assert_eq!(id.to_string(), "abcdef0123456789abcdef01");
        assert!("abcdef0123456789abcdef0".parse::<ObjectId>().is_err());
        assert!("abcdef0123456789abcdef0g".parse::<ObjectId>().is_err());
    }
}
