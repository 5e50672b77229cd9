//! Small deterministic helpers: dates, money, a seeded generator.

use super::*;

pub(super) fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|_| panic!("bad demo date {text}"))
}

pub(super) fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(AS_OF.0, AS_OF.1, AS_OF.2).expect("valid as-of date")
}

pub(super) fn plus_days(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(Days::new(days)).expect("demo dates stay in range")
}

pub(super) fn money(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap_or_else(|_| panic!("bad demo amount {text}"))
}

/// Rounds to at most six decimal places, never to zero, without trailing zeros.
pub(super) fn round_price(amount: Decimal) -> Decimal {
    let rounded = amount.round_dp(6).normalize();
    if rounded <= Decimal::ZERO {
        Decimal::new(1, 6)
    } else {
        rounded
    }
}

/// FNV-1a, to turn a slug into a seed.
pub(super) fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// splitmix64: a tiny fixed-seed generator, so the demo catalog is reproducible.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn keyed(parts: &[&str]) -> Self {
        Rng(parts
            .iter()
            .fold(0x5eed, |seed, part| seed.rotate_left(17) ^ fnv1a(part)))
    }

    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    pub(super) fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }

    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub(super) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }

    pub(super) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}
