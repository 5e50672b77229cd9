//! JSON integers as JSON Schema defines them: `143.0` is the integer 143
//! (a number with no fractional part), which serde's integer types refuse.
//! Request fields documented as integers accept both spellings through
//! these, so a client's JSON library choosing `143.0` is not a 400.

use serde::de::{Deserializer, Error};
use serde::Deserialize;

/// A JSON number that is a whole number within `T`'s range.
fn whole<'de, D: Deserializer<'de>, T: TryFrom<i128>>(number: serde_json::Number) -> Result<T, D::Error> {
    let value: Option<i128> = if let Some(v) = number.as_i64() {
        Some(v.into())
    } else if let Some(v) = number.as_u64() {
        Some(v.into())
    } else {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 1e30)
            .map(|f| f as i128)
    };
    value
        .and_then(|v| T::try_from(v).ok())
        .ok_or_else(|| D::Error::custom(format!("{number} is not a whole number in range")))
}

pub fn required<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i128>,
{
    whole::<D, T>(serde_json::Number::deserialize(deserializer)?)
}

pub fn optional<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i128>,
{
    match Option::<serde_json::Number>::deserialize(deserializer)? {
        None => Ok(None),
        Some(number) => whole::<D, T>(number).map(Some),
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Sample {
        #[serde(deserialize_with = "super::required")]
        count: i32,
        #[serde(default, deserialize_with = "super::optional")]
        limit: Option<u64>,
    }

    fn parse(json: &str) -> Result<Sample, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn whole_numbers_are_accepted_in_either_spelling() {
        assert_eq!(
            parse(r#"{"count": 143.0, "limit": 5}"#).unwrap(),
            Sample {
                count: 143,
                limit: Some(5)
            }
        );
        assert_eq!(
            parse(r#"{"count": -2, "limit": null}"#).unwrap(),
            Sample { count: -2, limit: None }
        );
        assert_eq!(parse(r#"{"count": 1}"#).unwrap().limit, None);
    }

    #[test]
    fn fractions_out_of_range_values_and_strings_are_refused() {
        assert!(parse(r#"{"count": 1.5}"#).is_err());
        assert!(parse(r#"{"count": 3000000000}"#).is_err());
        assert!(parse(r#"{"count": 1, "limit": -1}"#).is_err());
        assert!(parse(r#"{"count": "7"}"#).is_err());
    }
}
