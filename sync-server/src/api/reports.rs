//! `GET /api/v1/reports/{report}`: the owner's reports (DESIGN §9) as JSON, or as CSV with
//! `format=csv`. Dates are `YYYY-MM-DD` business days in the installation's time zone; a
//! missing `as_of` or `to` is today, a missing `from` the first of `to`'s month. `business` is
//! a business code, absent (or `ALL`) for every business together.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::AppState;
use super::access::User;
use crate::error::ApiError;
use crate::reports::{Period, ReportError, Scope, csv, customers, ledger, sales, shifts, stock, suppliers, tills, vat};
use crate::{maintenance, review, setup};

pub use tillbook_core::protocol::OWNER_REPORTS as REPORTS;

impl From<ReportError> for ApiError {
    fn from(error: ReportError) -> ApiError {
        match error {
            ReportError::Invalid { field, message } => ApiError::bad_request("invalid_parameter", field, message),
            ReportError::Database(error) => error.into(),
            other => ApiError::internal(other),
        }
    }
}

/// The query's parameters, each parsed with the field named on failure.
struct Params {
    values: HashMap<String, String>,
    today: NaiveDate,
}

impl Params {
    fn text(&self, field: &str) -> Option<&str> {
        self.values.get(field).map(|value| value.trim()).filter(|value| !value.is_empty())
    }

    fn date(&self, field: &'static str, default: NaiveDate) -> Result<NaiveDate, ApiError> {
        match self.text(field) {
            None => Ok(default),
            Some(text) => text.parse().map_err(|_| {
                ApiError::bad_request("invalid_parameter", field, format!("'{text}' is not a YYYY-MM-DD date"))
            }),
        }
    }

    fn as_of(&self) -> Result<NaiveDate, ApiError> {
        self.date("as_of", self.today)
    }

    fn period(&self) -> Result<Period, ApiError> {
        let to = self.date("to", self.today)?;
        let from = self.date("from", to.with_day(1).unwrap_or(to))?;
        Ok(Period::new(from, to)?)
    }

    fn csv(&self) -> Result<bool, ApiError> {
        match self.text("format") {
            None | Some("json") => Ok(false),
            Some("csv") => Ok(true),
            Some(other) => {
                Err(ApiError::bad_request("invalid_parameter", "format", format!("'{other}' is not json or csv")))
            }
        }
    }
}

/// Reports that cover customers of every business together, which a manager of one business
/// may not read.
const GROUP_ONLY: [&str; 3] = ["aging", "statement", "supplier-statement"];

/// The business a report is asked for, as the user may see it: a manager names one of theirs
/// (or, managing one, gets it by default), and may not read the group-wide reports.
fn business_for(user: &User, report: &str, asked: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(own) = user.limited_to() else { return Ok(asked.map(str::to_string)) };
    if GROUP_ONLY.contains(&report) {
        return Err(ApiError::not_allowed(
            "report",
            format!("the {report} report covers every business; a manager reads their own"),
        ));
    }
    match asked.filter(|code| !code.eq_ignore_ascii_case("ALL")) {
        Some(code) => {
            user.may_act_on("business", code)?;
            Ok(Some(code.to_string()))
        }
        None if own.len() == 1 => Ok(own.first().cloned()),
        None => Err(ApiError::not_allowed("business", "name one of the businesses you manage")),
    }
}

/// The report as JSON, or its CSV as a download named after it.
fn answer<T: Serialize>(name: &str, report: &T, as_csv: bool, to_csv: impl Fn(&T) -> String) -> Response {
    if !as_csv {
        return Json(report).into_response();
    }
    let mut response = to_csv(report).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.csv\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

#[utoipa::path(get, path = "/api/v1/reports/{report}",
    params(("report" = String, Path, description = "trial-balance, profit-and-loss, balance-sheet, cash-position, sales, stock, tills, aging, statement, review, products, staff, revenue, over-short, businesses, laundry-services, cylinder-types, customers, suppliers, payables, supplier-statement, vat-return or etims"),
           ("business" = Option<String>, Query, description = "a business code; absent for all"),
           ("as_of" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query),
           ("customer_id" = Option<String>, Query, description = "the statement's customer"),
           ("supplier_id" = Option<String>, Query, description = "the supplier statement's supplier"),
           ("status" = Option<String>, Query, description = "the review queue's items: open (default), resolved or all"),
           ("format" = Option<String>, Query, description = "json (default) or csv")),
    responses((status = 200, description = "the report"),
              (status = 400, body = tillbook_core::protocol::ErrorBody),
              (status = 401, body = tillbook_core::protocol::ErrorBody),
              (status = 404, body = tillbook_core::protocol::ErrorBody)),
    security(("owner_token" = [])))]
pub async fn report(
    State(state): State<AppState>,
    Extension(user): Extension<User>,
    Path(name): Path<String>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(values) =
        query.map_err(|rejection| ApiError::bad_request("malformed_request", "query", rejection.body_text()))?;
    let params = Params { values, today: Utc::now().with_timezone(&state.zone).date_naive() };
    let as_csv = params.csv()?;
    let pool = &state.pool;
    let business = business_for(&user, &name, params.text("business"))?;
    let scope = || Scope::of(pool, business.as_deref());
    let response = match name.as_str() {
        "trial-balance" => {
            let report = ledger::trial_balance(pool, &scope().await?, params.as_of()?).await?;
            answer(&name, &report, as_csv, csv::trial_balance)
        }
        "profit-and-loss" => {
            let report = ledger::profit_and_loss(pool, &scope().await?, params.period()?).await?;
            answer(&name, &report, as_csv, csv::profit_and_loss)
        }
        "balance-sheet" => {
            let report = ledger::balance_sheet(pool, &scope().await?, params.as_of()?).await?;
            answer(&name, &report, as_csv, csv::balance_sheet)
        }
        "cash-position" => {
            let mut report = ledger::cash_position(pool, params.as_of()?).await?;
            report.retain(|row| user.sees(&row.business_code));
            answer(&name, &report, as_csv, |rows| csv::cash_position(rows))
        }
        "sales" => {
            let report = sales::sales_by_day(pool, &scope().await?, params.period()?).await?;
            answer(&name, &report, as_csv, |rows| csv::sales(rows))
        }
        "over-short" => {
            let report = shifts::over_short(pool, &scope().await?, params.period()?).await?;
            answer(&name, &report, as_csv, |report| csv::rows(&report.shifts))
        }
        "revenue" => {
            let report = sales::revenue_by_day(pool, &scope().await?, params.period()?).await?;
            answer(&name, &report, as_csv, |rows| csv::rows(rows))
        }
        "stock" => {
            let report = stock::stock(pool, &scope().await?).await?;
            answer(&name, &report, as_csv, csv::stock)
        }
        "tills" => {
            let mut report = tills::tills(pool, state.zone, params.today).await?;
            report.retain(|till| till.businesses.iter().any(|code| user.sees(code)));
            answer(&name, &report, as_csv, |rows| csv::tills(rows))
        }
        "aging" => {
            let report = customers::aging(pool, params.as_of()?).await?;
            answer(&name, &report, as_csv, csv::aging)
        }
        "statement" => {
            let text = params.text("customer_id").ok_or_else(|| {
                ApiError::bad_request("invalid_parameter", "customer_id", "a statement needs customer_id")
            })?;
            let customer = Uuid::parse_str(text).map_err(|_| {
                ApiError::bad_request("invalid_parameter", "customer_id", format!("'{text}' is not a customer id"))
            })?;
            let report = customers::statement(pool, customer, params.as_of()?).await?;
            answer(&name, &report, as_csv, csv::statement)
        }
        "vat-return" => {
            let report = vat::vat_return(pool, &scope().await?, params.period()?).await?;
            answer(&name, &report, as_csv, csv::vat_return)
        }
        "etims" => {
            let report = crate::etims::report(pool, business.as_deref()).await?;
            answer(&name, &report, as_csv, |report| csv::rows(&report.unsigned))
        }
        "payables" => {
            let report = suppliers::payables(pool, &scope().await?, params.as_of()?).await?;
            answer(&name, &report, as_csv, |report| csv::rows(&report.suppliers))
        }
        "supplier-statement" => {
            let text = params.text("supplier_id").ok_or_else(|| {
                ApiError::bad_request("invalid_parameter", "supplier_id", "a supplier statement needs supplier_id")
            })?;
            let supplier = Uuid::parse_str(text).map_err(|_| {
                ApiError::bad_request("invalid_parameter", "supplier_id", format!("'{text}' is not a supplier id"))
            })?;
            let report = suppliers::statement(pool, supplier, params.period()?).await?;
            answer(&name, &report, as_csv, |report| csv::rows(&report.lines))
        }
        "review" => {
            let mut report = review::items(pool, review::Listing::parse(params.text("status"))?).await?;
            report.retain(|item| {
                item.business_code.as_deref().is_some_and(|code| user.sees(code)) || user.limited_to().is_none()
            });
            answer(&name, &report, as_csv, |rows| csv::rows(rows))
        }
        "products" => {
            let business = business.as_deref().map(str::to_uppercase).filter(|code| code != "ALL");
            let report = maintenance::products(pool, business.as_deref()).await?;
            answer(&name, &report, as_csv, |rows| csv::rows(rows))
        }
        "staff" => {
            let mut report = maintenance::staff(pool).await?;
            if user.limited_to().is_some() {
                report.retain(|member| member.businesses.iter().any(|code| user.sees(code)));
            }
            answer(&name, &report, as_csv, |rows| csv::staff(rows))
        }
        "suppliers" => {
            let mut connection = pool.acquire().await?;
            answer(&name, &setup::suppliers(&mut connection).await?, as_csv, |rows| csv::rows(rows))
        }
        "businesses" | "laundry-services" | "cylinder-types" | "customers" => {
            let mut connection = pool.acquire().await?;
            let businesses = setup::businesses(&mut connection).await?;
            let seen = |id: tillbook_core::ids::BusinessId| {
                businesses.iter().any(|line| line.business.id == id && user.sees(&line.business.code))
            };
            match name.as_str() {
                "laundry-services" => {
                    let mut report = setup::laundry_services(&mut connection).await?;
                    report.retain(|service| seen(service.business_id));
                    answer(&name, &report, as_csv, |rows| csv::rows(rows))
                }
                "cylinder-types" => {
                    let mut report = setup::cylinder_types(&mut connection).await?;
                    report.retain(|cylinder| seen(cylinder.business_id));
                    answer(&name, &report, as_csv, |rows| csv::rows(rows))
                }
                "customers" => answer(&name, &setup::customers(&mut connection).await?, as_csv, |rows| csv::rows(rows)),
                _ => {
                    let mut report = businesses.clone();
                    report.retain(|line| user.sees(&line.business.code));
                    answer(&name, &report, as_csv, |rows| csv::businesses(rows))
                }
            }
        }
        _ => return Err(ApiError::not_found(format!("no report '{name}'; the reports are {}", REPORTS.join(", ")))),
    };
    Ok(response)
}
