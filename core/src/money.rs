//! Money, quantities and VAT rates: exact decimals, never floats (DESIGN §3).
//!
//! `Money` always has exactly two decimal places and stays within what Postgres' `NUMERIC(14,2)`
//! can hold, so converting to integer cents for SQLite can never overflow. Rounding is half-up
//! (away from zero at the midpoint) to the cent, done at the line level; totals are sums of
//! rounded lines.

use std::fmt;
use std::ops::Neg;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a decimal string is not a valid amount, quantity or rate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("'{0}' is not a decimal number")]
    NotANumber(String),
    #[error("'{0}' has more than {1} decimal places")]
    TooPrecise(String, u32),
    #[error("'{0}' is out of range")]
    OutOfRange(String),
}

/// An amount of the installation's currency (KES), exactly 2 decimal places.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct Money(Decimal);

/// Not derived: `Decimal::default()` has scale 0, which would break the two-places invariant.
impl Default for Money {
    fn default() -> Money {
        Money::ZERO
    }
}

impl Money {
    pub const ZERO: Money = Money(Decimal::from_parts(0, 0, 0, false, 2));
    /// The largest magnitude `NUMERIC(14,2)` holds: 999,999,999,999.99.
    pub const MAX_CENTS: i64 = 99_999_999_999_999;

    /// From integer cents (the SQLite representation). Panics outside `±MAX_CENTS`: a stored
    /// amount that large means the store is corrupt, and carrying on would spread the damage.
    pub fn from_cents(cents: i64) -> Money {
        assert!(cents.abs() <= Self::MAX_CENTS, "amount of {cents} cents is out of range");
        Money(Decimal::new(cents, 2))
    }

    /// Integer cents: exact, because the scale is always 2 and the magnitude is bounded.
    pub fn cents(self) -> i64 {
        // Rescaling is a no-op for every Money built by this module; it makes the conversion
        // right even if a value ever arrived with another scale.
        let mut scaled = self.0;
        scaled.rescale(2);
        i64::try_from(scaled.mantissa()).expect("Money is bounded by MAX_CENTS")
    }

    /// Rounds any decimal half-up to the cent. Errors when the result is out of range.
    pub fn round(value: Decimal) -> Result<Money, AmountError> {
        let mut rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        rounded.rescale(2);
        Money::checked(rounded).ok_or_else(|| AmountError::OutOfRange(value.to_string()))
    }

    fn checked(value: Decimal) -> Option<Money> {
        let money = Money(value);
        (value.scale() == 2 && value.mantissa().abs() <= i128::from(Self::MAX_CENTS)).then_some(money)
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn is_positive(self) -> bool {
        self.0.is_sign_positive() && !self.0.is_zero()
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    pub fn abs(self) -> Money {
        Money(self.0.abs())
    }

    /// `self + other`, or `OutOfRange` past `NUMERIC(14,2)`. Money has no `+` operator: every
    /// sum of amounts that input reaches can overflow, and a panic there would crash a request
    /// at the server or an action at the counter, so each one says what it does on overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, AmountError> {
        self.0
            .checked_add(other.0)
            .and_then(Money::checked)
            .ok_or_else(|| AmountError::OutOfRange(format!("{self} + {other}")))
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, AmountError> {
        self.0
            .checked_sub(other.0)
            .and_then(Money::checked)
            .ok_or_else(|| AmountError::OutOfRange(format!("{self} − {other}")))
    }

    /// The sum of `amounts`, or `OutOfRange` as soon as a running total leaves the range.
    pub fn sum<I: IntoIterator<Item = Money>>(amounts: I) -> Result<Money, AmountError> {
        amounts.into_iter().try_fold(Money::ZERO, Money::checked_add)
    }

    /// Price × quantity, rounded half-up to the cent.
    pub fn times(self, quantity: Quantity) -> Result<Money, AmountError> {
        let product =
            self.0.checked_mul(quantity.0).ok_or_else(|| AmountError::OutOfRange(format!("{self} × {quantity}")))?;
        Money::round(product)
    }

    /// The VAT contained in a VAT-inclusive amount: `amount × rate / (1 + rate)`, rounded half-up
    /// (DESIGN §3: prices are VAT-inclusive and VAT is computed per line).
    pub fn vat_part(self, rate: VatRate) -> Money {
        if rate.0.is_zero() {
            return Money::ZERO;
        }
        let vat = self.0 * rate.0 / (Decimal::ONE + rate.0);
        // |vat| < |self| because 0 < rate ≤ 1, so this cannot leave the range.
        Money::round(vat).expect("VAT part is smaller than its amount")
    }

    /// The VAT charged on a net amount, `amount × rate`, rounded half-up: what a supplier's
    /// invoice adds to each line.
    pub fn vat_on(self, rate: VatRate) -> Result<Money, AmountError> {
        Money::round(self.0.checked_mul(rate.0).ok_or_else(|| AmountError::OutOfRange(format!("{self} × {rate}")))?)
    }

    /// A VAT-inclusive amount split into what is net of VAT and the VAT in it. Never out of
    /// range: the VAT is no larger than the amount and has its sign.
    pub fn split_vat(self, rate: VatRate) -> (Money, Money) {
        let vat = self.vat_part(rate);
        (Money(self.0 - vat.0), vat)
    }

    /// The amount shared out in proportion to `weights` (percentages, or amounts), each share
    /// rounded half-up and the cents rounding leaves over given to the largest share, so the
    /// shares always add up to the amount. `None` for no weights, a weight not above zero, or
    /// an amount past the range.
    pub fn split(self, weights: &[Decimal]) -> Option<Vec<Money>> {
        let sum: Decimal = weights.iter().try_fold(Decimal::ZERO, |sum, weight| sum.checked_add(*weight))?;
        if weights.is_empty() || weights.iter().any(|weight| *weight <= Decimal::ZERO) {
            return None;
        }
        let mut shares: Vec<Money> = weights
            .iter()
            .map(|weight| Money::round(self.0.checked_mul(*weight)?.checked_div(sum)?).ok())
            .collect::<Option<_>>()?;
        let shared = Money::sum(shares.iter().copied()).ok()?;
        let left = self.checked_sub(shared).ok()?;
        let largest = (0..shares.len()).max_by_key(|&index| (shares[index], std::cmp::Reverse(index)))?;
        shares[largest] = shares[largest].checked_add(left).ok()?;
        Some(shares)
    }

    /// `self × numerator / denominator`, rounded half-up: the share of a line that is returned.
    pub fn share(self, numerator: Quantity, denominator: Quantity) -> Result<Money, AmountError> {
        let out_of_range = || AmountError::OutOfRange(format!("{self} × {numerator} / {denominator}"));
        if denominator.0.is_zero() {
            return Err(out_of_range());
        }
        let share = self.0.checked_mul(numerator.0).and_then(|product| product.checked_div(denominator.0));
        Money::round(share.ok_or_else(out_of_range)?)
    }
}

impl Neg for Money {
    type Output = Money;
    /// Total: the range is symmetric about zero.
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({})", self.0)
    }
}

impl FromStr for Money {
    type Err = AmountError;
    /// Accepts `150`, `150.5`, `150.50`, `-3.10`; refuses a third decimal place rather than
    /// silently rounding what a person or another system typed.
    fn from_str(text: &str) -> Result<Money, AmountError> {
        let value = parse_decimal(text, 2)?;
        let mut value = value;
        value.rescale(2);
        Money::checked(value).ok_or_else(|| AmountError::OutOfRange(text.to_string()))
    }
}

fn parse_decimal(text: &str, max_scale: u32) -> Result<Decimal, AmountError> {
    let trimmed = text.trim();
    // Decimal::from_str also accepts '_' separators and other forms a ledger should not: only
    // digits, an optional sign, and digits on both sides of an optional point.
    let unsigned = trimmed.strip_prefix('-').unwrap_or(trimmed);
    let (whole, fraction) =
        unsigned.split_once('.').map_or((unsigned, None), |(whole, fraction)| (whole, Some(fraction)));
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    let well_formed = trimmed.len() <= 24 && digits(whole) && fraction.is_none_or(digits);
    if !well_formed {
        return Err(AmountError::NotANumber(text.to_string()));
    }
    let value = Decimal::from_str(trimmed).map_err(|_| AmountError::NotANumber(text.to_string()))?;
    if value.scale() > max_scale {
        return Err(AmountError::TooPrecise(text.to_string(), max_scale));
    }
    Ok(value)
}

/// A quantity sold, washed or counted: a decimal with up to 3 places (laundry by the kilo).
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct Quantity(Decimal);

impl Quantity {
    pub const SCALE_MAX: u32 = 3;
    /// A generous bound that keeps milli-units far inside i64 and amounts inside NUMERIC(14,2).
    pub const MILLI_MAX: i64 = 1_000_000_000_000;

    pub fn from_milli(milli: i64) -> Quantity {
        assert!(milli.abs() <= Self::MILLI_MAX, "quantity of {milli} milli-units is out of range");
        Quantity(Decimal::new(milli, 3).normalize())
    }

    /// A whole number of units known to be small (constants, tests). From input use
    /// [`Quantity::try_whole`].
    pub fn whole(units: i64) -> Quantity {
        Quantity::try_whole(units).expect("a small whole quantity")
    }

    /// A whole number of units, or `OutOfRange` past `MILLI_MAX`: for counts typed at the till.
    pub fn try_whole(units: i64) -> Result<Quantity, AmountError> {
        Quantity::bounded(units.checked_mul(1000), || format!("{units} units"))
    }

    /// Thousandths of a unit: the SQLite representation.
    pub fn milli(self) -> i64 {
        let mut scaled = self.0;
        scaled.rescale(3);
        i64::try_from(scaled.mantissa()).expect("Quantity is bounded by MILLI_MAX")
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }

    pub fn is_positive(self) -> bool {
        self.0 > Decimal::ZERO
    }

    pub fn is_whole(self) -> bool {
        self.0.fract().is_zero()
    }
}

impl Quantity {
    /// `self + other`, or `OutOfRange` past `MILLI_MAX`: like money, quantities that input
    /// reaches are added only with a stated answer to overflow.
    pub fn checked_add(self, other: Quantity) -> Result<Quantity, AmountError> {
        Quantity::bounded(self.milli().checked_add(other.milli()), || format!("{self} + {other}"))
    }

    pub fn checked_sub(self, other: Quantity) -> Result<Quantity, AmountError> {
        Quantity::bounded(self.milli().checked_sub(other.milli()), || format!("{self} − {other}"))
    }

    pub fn sum<I: IntoIterator<Item = Quantity>>(quantities: I) -> Result<Quantity, AmountError> {
        quantities.into_iter().try_fold(Quantity::default(), Quantity::checked_add)
    }

    fn bounded(milli: Option<i64>, what: impl FnOnce() -> String) -> Result<Quantity, AmountError> {
        match milli {
            Some(milli) if milli.abs() <= Quantity::MILLI_MAX => Ok(Quantity::from_milli(milli)),
            _ => Err(AmountError::OutOfRange(what())),
        }
    }
}

impl Neg for Quantity {
    type Output = Quantity;
    fn neg(self) -> Quantity {
        Quantity(-self.0)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

impl fmt::Debug for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Quantity({})", self.0.normalize())
    }
}

impl FromStr for Quantity {
    type Err = AmountError;
    fn from_str(text: &str) -> Result<Quantity, AmountError> {
        let value = parse_decimal(text, Self::SCALE_MAX)?;
        let mut milli = value;
        milli.rescale(3);
        let milli = i64::try_from(milli.mantissa())
            .ok()
            .filter(|m| m.abs() <= Self::MILLI_MAX)
            .ok_or_else(|| AmountError::OutOfRange(text.to_string()))?;
        Ok(Quantity::from_milli(milli))
    }
}

/// A VAT rate as a fraction: `0.16` is Kenya's standard rate, `0` exempt.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct VatRate(Decimal);

impl VatRate {
    pub const ZERO: VatRate = VatRate(Decimal::ZERO);
    /// Kenya's standard rate.
    pub const STANDARD: VatRate = VatRate(Decimal::from_parts(16, 0, 0, false, 2));

    /// From basis points (1600 = 16%): the SQLite representation.
    pub fn from_basis_points(basis_points: u32) -> Result<VatRate, AmountError> {
        if basis_points > 10_000 {
            return Err(AmountError::OutOfRange(format!("{basis_points} basis points")));
        }
        Ok(VatRate(Decimal::new(i64::from(basis_points), 4).normalize()))
    }

    pub fn basis_points(self) -> u32 {
        let mut scaled = self.0;
        scaled.rescale(4);
        u32::try_from(scaled.mantissa()).expect("VatRate lies in 0..=1")
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for VatRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

impl fmt::Debug for VatRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VatRate({})", self.0.normalize())
    }
}

impl FromStr for VatRate {
    type Err = AmountError;
    fn from_str(text: &str) -> Result<VatRate, AmountError> {
        let value = parse_decimal(text, 4)?;
        if value < Decimal::ZERO || value > Decimal::ONE {
            return Err(AmountError::OutOfRange(text.to_string()));
        }
        Ok(VatRate(value.normalize()))
    }
}

/// All three travel as decimal strings on the wire (DESIGN §3, §7).
macro_rules! decimal_string_serde {
    ($type:ty) => {
        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

decimal_string_serde!(Money);
decimal_string_serde!(Quantity);
decimal_string_serde!(VatRate);

#[cfg(test)]
mod tests {
    use super::*;

    fn money(text: &str) -> Money {
        text.parse().unwrap()
    }

    #[test]
    fn parses_and_prints_two_places() {
        assert_eq!(money("150").to_string(), "150.00");
        assert_eq!(money("150.5").to_string(), "150.50");
        assert_eq!(money("-3.1").cents(), -310);
        assert_eq!(Money::from_cents(15000), money("150.00"));
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        for bad in ["", "1.005", "abc", "1e3", "1_000", "--1", ".5", "5.", "1.2.3", "NaN", "-", "-.5", "+1", "1 000"] {
            assert!(bad.parse::<Money>().is_err(), "{bad:?} should not parse");
        }
        assert!(matches!("1000000000000.00".parse::<Money>(), Err(AmountError::OutOfRange(_))));
    }

    #[test]
    fn vat_part_of_inclusive_price_rounds_half_up() {
        // DESIGN §7 example: 150.00 at 16% inclusive is 129.31 net + 20.69 VAT.
        assert_eq!(money("150.00").vat_part(VatRate::STANDARD), money("20.69"));
        assert_eq!(money("0.01").vat_part(VatRate::STANDARD), money("0.00"));
        assert_eq!(money("100.00").vat_part(VatRate::ZERO), Money::ZERO);
        // 0.29 × 0.16 / 1.16 = 0.04 exactly.
        assert_eq!(money("0.29").vat_part(VatRate::STANDARD), money("0.04"));
    }

    #[test]
    fn times_rounds_half_up_at_the_cent() {
        let kilos: Quantity = "2.5".parse().unwrap();
        assert_eq!(money("0.05").times(kilos).unwrap(), money("0.13")); // 0.125 → 0.13
        assert_eq!(money("-0.05").times(kilos).unwrap(), money("-0.13"));
    }

    #[test]
    fn quantities_keep_three_places() {
        let q: Quantity = "1.250".parse().unwrap();
        assert_eq!(q.milli(), 1250);
        assert_eq!(q.to_string(), "1.25");
        assert!("1.2345".parse::<Quantity>().is_err());
    }

    #[test]
    fn vat_rates_round_trip_through_basis_points() {
        let rate: VatRate = "0.16".parse().unwrap();
        assert_eq!(rate, VatRate::STANDARD);
        assert_eq!(rate.basis_points(), 1600);
        assert_eq!(VatRate::from_basis_points(1600).unwrap(), rate);
        assert!("1.5".parse::<VatRate>().is_err());
    }

    #[test]
    fn the_default_is_zero_with_two_places() {
        assert_eq!(Money::default().to_string(), "0.00");
        assert_eq!(Money::default().cents(), 0);
        assert_eq!(Money::default().checked_add(money("5")).unwrap().cents(), 500);
    }

    #[test]
    fn sums_past_the_range_are_errors_not_panics() {
        let max = Money::from_cents(Money::MAX_CENTS);
        assert!(matches!(max.checked_add(money("0.01")), Err(AmountError::OutOfRange(_))));
        assert!(matches!((-max).checked_sub(money("0.01")), Err(AmountError::OutOfRange(_))));
        assert_eq!(max.checked_sub(max).unwrap(), Money::ZERO);
        assert!(Money::sum([max, max, -max]).is_err(), "the running total leaves the range");
        assert_eq!(Money::sum([money("1.50"), money("2.25")]).unwrap(), money("3.75"));
        assert_eq!(Money::sum([]).unwrap().to_string(), "0.00");
    }

    #[test]
    fn serde_uses_decimal_strings() {
        assert_eq!(serde_json::to_string(&money("20.69")).unwrap(), "\"20.69\"");
        assert!(serde_json::from_str::<Money>("20.69").is_err(), "a JSON number is refused");
        assert_eq!(serde_json::from_str::<Money>("\"7\"").unwrap(), money("7.00"));
    }
}
