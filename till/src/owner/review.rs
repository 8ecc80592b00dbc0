//! The owner's decisions on the review queue, from the screen's form: amounts typed as text are
//! read here as `Money` (the screen never adds money up), each mistake named by its field before
//! anything is sent, and the form's debit and credit totals worked out for the screen to show.

use serde::{Deserialize, Serialize};
use tillbook_core::Money;
use tillbook_core::chart::AccountCode;
use tillbook_core::journal::WireLine;
use tillbook_core::protocol::{Correction, ResolveRequest};

use super::{OwnerError, Result};

/// The resolve form as the screen holds it: everything as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ResolveForm {
    pub item: String,
    /// `dismiss`, `correct`, or `resend` (a refused eTIMS invoice).
    pub action: String,
    pub note: String,
    #[serde(default)]
    pub business: String,
    /// `YYYY-MM-DD`, or empty for today.
    #[serde(default)]
    pub business_day: String,
    #[serde(default)]
    pub lines: Vec<FormLine>,
}

/// One row of the correcting entry; a row left wholly empty is ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FormLine {
    pub account: String,
    pub debit: String,
    pub credit: String,
}

impl FormLine {
    fn is_blank(&self) -> bool {
        [&self.account, &self.debit, &self.credit].iter().all(|text| text.trim().is_empty())
    }
}

/// The form's debits and credits, and what still separates them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EntryTotals {
    pub debits: Money,
    pub credits: Money,
    /// Debits less credits: zero when the entry balances.
    pub difference: Money,
    pub balanced: bool,
}

fn amount(text: &str, field: String) -> Result<Money> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Money::ZERO);
    }
    let money: Money = text.parse().map_err(|_| OwnerError::Invalid {
        field: field.clone(),
        message: format!("'{text}' is not an amount (like 1250.00)"),
    })?;
    if money.is_negative() {
        return Err(OwnerError::Invalid { field, message: "amounts are never negative: use the other side".into() });
    }
    Ok(money)
}

/// The totals of the rows typed so far; rows with an amount that is not money count as nothing
/// (the form names them when it is sent).
pub fn totals(lines: &[FormLine]) -> EntryTotals {
    // A total past the ledger's range shows as unbalanced; the server refuses it by name.
    let sum = |pick: fn(&FormLine) -> &String| -> Option<Money> {
        Money::sum(lines.iter().filter_map(|line| pick(line).trim().parse::<Money>().ok()).filter(|m| !m.is_negative()))
            .ok()
    };
    let (Some(debits), Some(credits)) = (sum(|line| &line.debit), sum(|line| &line.credit)) else {
        return EntryTotals { debits: Money::ZERO, credits: Money::ZERO, difference: Money::ZERO, balanced: false };
    };
    let difference = debits.checked_sub(credits).unwrap_or(Money::ZERO);
    EntryTotals { debits, credits, difference, balanced: debits == credits && debits.is_positive() }
}

impl ResolveForm {
    /// The request the server takes, or the first field that is wrong.
    pub fn request(&self) -> Result<ResolveRequest> {
        let invalid = |field: &str, message: &str| OwnerError::Invalid { field: field.into(), message: message.into() };
        if self.item.trim().is_empty() {
            return Err(invalid("item", "choose an item of the queue"));
        }
        if self.note.trim().is_empty() {
            return Err(invalid("note", "say why: the note is kept with the decision"));
        }
        let correction = match self.action.as_str() {
            "dismiss" | "resend" => None,
            "correct" => Some(self.correction()?),
            _ => return Err(invalid("action", "dismiss, correct or resend")),
        };
        Ok(ResolveRequest {
            item: self.item.trim().to_string(),
            action: self.action.clone(),
            note: self.note.trim().to_string(),
            correction,
        })
    }

    fn correction(&self) -> Result<Correction> {
        if self.business.trim().is_empty() {
            return Err(OwnerError::Invalid { field: "business".into(), message: "choose the business".into() });
        }
        let business_day = match self.business_day.trim() {
            "" => None,
            text => Some(text.parse().map_err(|_| OwnerError::Invalid {
                field: "business_day".into(),
                message: format!("'{text}' is not a date (YYYY-MM-DD)"),
            })?),
        };
        let mut lines = Vec::new();
        for (index, line) in self.lines.iter().enumerate().filter(|(_, line)| !line.is_blank()) {
            let account = line.account.trim().parse::<AccountCode>().map_err(|error| OwnerError::Invalid {
                field: format!("lines[{index}].account"),
                message: error.to_string(),
            })?;
            let debit = amount(&line.debit, format!("lines[{index}].debit"))?;
            let credit = amount(&line.credit, format!("lines[{index}].credit"))?;
            lines.push(WireLine { account, debit, credit });
        }
        if lines.len() < 2 {
            return Err(OwnerError::Invalid {
                field: "lines".into(),
                message: "an entry has at least two lines".into(),
            });
        }
        let totals = totals(&self.lines);
        if !totals.balanced {
            return Err(OwnerError::Invalid {
                field: "lines".into(),
                message: format!(
                    "debits {} and credits {} differ by {}",
                    totals.debits, totals.credits, totals.difference
                ),
            });
        }
        Ok(Correction { business: self.business.trim().to_string(), business_day, lines })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(account: &str, debit: &str, credit: &str) -> FormLine {
        FormLine { account: account.into(), debit: debit.into(), credit: credit.into() }
    }

    fn form(lines: Vec<FormLine>) -> ResolveForm {
        ResolveForm {
            item: "flag:7".into(),
            action: "correct".into(),
            note: "counted again".into(),
            business: "RETAIL".into(),
            business_day: String::new(),
            lines,
        }
    }

    fn field(form: &ResolveForm) -> String {
        match form.request() {
            Err(OwnerError::Invalid { field, .. }) => field,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn the_form_is_read_as_money_and_each_mistake_is_named() {
        let good = form(vec![line("1130", "100.50", ""), line("", "", ""), line("4300", "", "100.50")]);
        let request = good.request().unwrap();
        let correction = request.correction.unwrap();
        assert_eq!(correction.lines.len(), 2, "the blank row is dropped");
        assert_eq!(correction.lines[1].credit, "100.50".parse::<Money>().unwrap());

        assert_eq!(field(&form(vec![line("113", "1", ""), line("4300", "", "1")])), "lines[0].account");
        assert_eq!(field(&form(vec![line("1130", "1,000", ""), line("4300", "", "1")])), "lines[0].debit");
        assert_eq!(field(&form(vec![line("1130", "5", ""), line("4300", "", "-5")])), "lines[1].credit");
        assert_eq!(field(&form(vec![line("1130", "5", "")])), "lines");
        assert_eq!(field(&form(vec![line("1130", "5", ""), line("4300", "", "4.99")])), "lines");
        assert_eq!(field(&ResolveForm { note: " ".into(), ..good.clone() }), "note");
        assert_eq!(field(&ResolveForm { business_day: "1/11/2026".into(), ..good.clone() }), "business_day");
        assert_eq!(field(&ResolveForm { action: "ignore".into(), ..good.clone() }), "action");
        let dismissal = ResolveForm { action: "dismiss".into(), lines: vec![], ..good };
        assert_eq!(dismissal.request().unwrap().correction, None);
    }

    #[test]
    fn totals_show_what_separates_debits_from_credits() {
        let totals = totals(&[line("1130", "100.10", ""), line("4300", "", "86.29"), line("2200", "", "abc")]);
        assert_eq!(totals.debits, "100.10".parse::<Money>().unwrap());
        assert_eq!(totals.difference, "13.81".parse::<Money>().unwrap());
        assert!(!totals.balanced);
    }
}
