//! How a customer pays: cash, M-Pesa (with the code from the customer's SMS) or credit to a
//! customer's account — and how the counter turns "what was handed over" into tenders and change.

use serde::{Deserialize, Serialize};

use crate::catalog::Lookup;
use crate::chart::{AccountCode, Business};
use crate::error::DocumentError;
use crate::ids::CustomerId;
use crate::journal::{EntryBuilder, Side};
use crate::money::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TenderMethod {
    Cash,
    Mpesa,
    Credit,
}

impl TenderMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            TenderMethod::Cash => "cash",
            TenderMethod::Mpesa => "mpesa",
            TenderMethod::Credit => "credit",
        }
    }

    pub fn parse(text: &str) -> Option<TenderMethod> {
        match text {
            "cash" => Some(TenderMethod::Cash),
            "mpesa" => Some(TenderMethod::Mpesa),
            "credit" => Some(TenderMethod::Credit),
            _ => None,
        }
    }

    /// The account a tender of this method lands in for `business`.
    pub fn account(self, business: &Business) -> AccountCode {
        match self {
            TenderMethod::Cash => business.accounts.cash,
            TenderMethod::Mpesa => business.accounts.mpesa,
            TenderMethod::Credit => business.accounts.receivable,
        }
    }
}

/// One tender as recorded (DESIGN §7): the amount applied to the document, never the cash handed
/// over (the change is not the business's money).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Tender {
    pub method: TenderMethod,
    pub amount: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mpesa_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<CustomerId>,
}

impl Tender {
    pub fn cash(amount: Money) -> Tender {
        Tender { method: TenderMethod::Cash, amount, mpesa_code: None, customer_id: None }
    }

    pub fn mpesa(amount: Money, code: &str) -> Tender {
        Tender { method: TenderMethod::Mpesa, amount, mpesa_code: Some(code.to_string()), customer_id: None }
    }

    pub fn credit(amount: Money, customer_id: CustomerId) -> Tender {
        Tender { method: TenderMethod::Credit, amount, mpesa_code: None, customer_id: Some(customer_id) }
    }
}

/// An M-Pesa transaction code: 10 upper-case letters and digits, the first a letter.
pub fn validate_mpesa_code(code: &str) -> Result<(), DocumentError> {
    let bytes = code.as_bytes();
    let well_formed = bytes.len() == 10
        && bytes[0].is_ascii_uppercase()
        && bytes.iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if well_formed { Ok(()) } else { Err(DocumentError::MalformedMpesaCode(code.to_string())) }
}

/// What a cashier typed, tidied: codes are read off a phone and typed in any case.
pub fn normalise_mpesa_code(typed: &str) -> String {
    typed.trim().to_ascii_uppercase()
}

pub const TENDERS_MAX: usize = 10;

/// Checks tenders against the document total (DESIGN §7: every tender positive, sum = total).
pub(crate) fn validate_tenders(
    tenders: &[Tender],
    total: Money,
    credit_allowed: Option<&'static str>,
    lookup: &dyn Lookup,
) -> Result<(), DocumentError> {
    if tenders.is_empty() {
        return Err(DocumentError::TendersDoNotMatchTotal { total, tendered: Money::ZERO });
    }
    if tenders.len() > TENDERS_MAX {
        return Err(DocumentError::TooManyLines { max: TENDERS_MAX });
    }
    for (index, tender) in tenders.iter().enumerate() {
        if !tender.amount.is_positive() {
            return Err(DocumentError::TenderNotPositive { index });
        }
        match tender.method {
            TenderMethod::Cash => {}
            TenderMethod::Mpesa => {
                let code = tender.mpesa_code.as_deref().ok_or(DocumentError::MissingMpesaCode)?;
                validate_mpesa_code(code)?;
            }
            TenderMethod::Credit => {
                if let Some(what) = credit_allowed {
                    return Err(DocumentError::CreditNotAllowed(what));
                }
                let customer = tender.customer_id.ok_or(DocumentError::CreditWithoutCustomer)?;
                lookup.customer(customer).ok_or(DocumentError::UnknownCustomer(customer))?;
            }
        }
    }
    let tendered = Money::sum(tenders.iter().map(|t| t.amount))?;
    if tendered != total {
        return Err(DocumentError::TendersDoNotMatchTotal { total, tendered });
    }
    Ok(())
}

/// Money in (a sale: `Side::Debit`) or out (a refund: `Side::Credit`) on each tender's account.
pub(crate) fn post_tenders(builder: &mut EntryBuilder, business: &Business, tenders: &[Tender], side: Side) {
    for tender in tenders {
        builder.signed(tender.method.account(business), side, tender.amount);
    }
}

/// What the cashier entered for one method: for cash, the notes handed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields = nullable))]
pub struct TenderInput {
    pub method: TenderMethod,
    pub amount: Money,
    #[serde(default)]
    pub mpesa_code: Option<String>,
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
}

/// The tenders to record and the change to hand back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub tenders: Vec<Tender>,
    pub change: Money,
}

/// Turns what was handed over into tenders for `total`. M-Pesa and credit are applied as given
/// and may not exceed what is due; cash covers the rest and anything over it is change.
pub fn settle(total: Money, inputs: &[TenderInput]) -> Result<Settlement, DocumentError> {
    if inputs.len() > TENDERS_MAX {
        return Err(DocumentError::TooManyLines { max: TENDERS_MAX });
    }
    let mut tenders = Vec::new();
    let mut non_cash = Money::ZERO;
    let mut cash_given = Money::ZERO;
    for (index, input) in inputs.iter().enumerate() {
        if !input.amount.is_positive() {
            return Err(DocumentError::TenderNotPositive { index });
        }
        match input.method {
            TenderMethod::Cash => cash_given = cash_given.checked_add(input.amount)?,
            TenderMethod::Mpesa => {
                let code = normalise_mpesa_code(input.mpesa_code.as_deref().ok_or(DocumentError::MissingMpesaCode)?);
                validate_mpesa_code(&code)?;
                non_cash = non_cash.checked_add(input.amount)?;
                tenders.push(Tender::mpesa(input.amount, &code));
            }
            TenderMethod::Credit => {
                let customer = input.customer_id.ok_or(DocumentError::CreditWithoutCustomer)?;
                non_cash = non_cash.checked_add(input.amount)?;
                tenders.push(Tender::credit(input.amount, customer));
            }
        }
    }
    if non_cash > total {
        let method = if tenders.iter().any(|t| t.method == TenderMethod::Mpesa) { "M-Pesa" } else { "credit" };
        return Err(DocumentError::OverTendered { method, over: non_cash.checked_sub(total)? });
    }
    let due_in_cash = total.checked_sub(non_cash)?;
    if cash_given < due_in_cash {
        return Err(DocumentError::UnderTendered { due: total, tendered: non_cash.checked_add(cash_given)? });
    }
    if due_in_cash.is_positive() {
        tenders.insert(0, Tender::cash(due_in_cash));
    }
    Ok(Settlement { tenders, change: cash_given.checked_sub(due_in_cash)? })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(text: &str) -> Money {
        text.parse().unwrap()
    }

    fn input(method: TenderMethod, amount: &str, code: Option<&str>) -> TenderInput {
        TenderInput { method, amount: money(amount), mpesa_code: code.map(str::to_string), customer_id: None }
    }

    #[test]
    fn mpesa_codes_are_ten_letters_and_digits_starting_with_a_letter() {
        assert!(validate_mpesa_code("QK41ABC2XY").is_ok());
        for bad in ["QK41ABC2X", "QK41ABC2XYZ", "qk41abc2xy", "1K41ABC2XY", "QK41-BC2XY", ""] {
            assert!(validate_mpesa_code(bad).is_err(), "{bad:?}");
        }
        assert_eq!(normalise_mpesa_code(" qk41abc2xy "), "QK41ABC2XY");
    }

    #[test]
    fn cash_over_the_total_is_change() {
        let settled = settle(money("150.00"), &[input(TenderMethod::Cash, "200", None)]).unwrap();
        assert_eq!(settled.tenders, vec![Tender::cash(money("150.00"))]);
        assert_eq!(settled.change, money("50.00"));
    }

    #[test]
    fn split_tender_applies_mpesa_first_and_cash_for_the_rest() {
        let settled = settle(
            money("150.00"),
            &[input(TenderMethod::Cash, "100", None), input(TenderMethod::Mpesa, "60", Some("qk41abc2xy"))],
        )
        .unwrap();
        assert_eq!(settled.tenders, vec![Tender::cash(money("90.00")), Tender::mpesa(money("60.00"), "QK41ABC2XY")]);
        assert_eq!(settled.change, money("10.00"));
    }

    #[test]
    fn under_tendered_and_over_paid_mpesa_are_refused() {
        assert_eq!(
            settle(money("150.00"), &[input(TenderMethod::Cash, "100", None)]),
            Err(DocumentError::UnderTendered { due: money("150.00"), tendered: money("100.00") })
        );
        assert!(matches!(
            settle(money("150.00"), &[input(TenderMethod::Mpesa, "200", Some("QK41ABC2XY"))]),
            Err(DocumentError::OverTendered { .. })
        ));
        assert!(matches!(
            settle(money("150.00"), &[input(TenderMethod::Mpesa, "150", Some("QK41"))]),
            Err(DocumentError::MalformedMpesaCode(_))
        ));
    }
}
