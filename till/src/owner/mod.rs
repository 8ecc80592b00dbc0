//! The owner's desk (DESIGN §9): the same app on the owner's laptop, signed in at head office
//! with email and password rather than enrolled as a till. Reports come from the server; the
//! last copy of each is kept in `owner.sqlite` beside it, so the laptop still shows the figures
//! without a connection (marked as a copy, with when it was fetched). The session token lives
//! only in the OS keyring, like a till's device token.

pub mod chart;
use crate::store::owner_copies as copies;
pub mod maintenance;
pub mod office;
pub mod review;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tillbook_core::protocol::{
    OwnerBusiness, OwnerLoginRequest, OwnerLoginResponse, PasswordChange, ResolveResponse, SessionLine,
    TillEnrolRequest, TillEnrolment, TillRevokeRequest, UserLine, UserRole,
};

use crate::sync::client::{Client, Server, SyncError, answer, answer_body};
use crate::sync::token::{self, TokenError};

pub use chart::ChartBar;

pub use tillbook_core::protocol::OWNER_REPORTS as REPORTS;

/// The parameters a report takes (each report uses some of them; the server ignores the rest).
const PARAMETERS: [&str; 7] = ["business", "as_of", "from", "to", "customer_id", "supplier_id", "status"];
const DATE_PARAMETERS: [&str; 3] = ["as_of", "from", "to"];

#[derive(Debug, thiserror::Error)]
pub enum OwnerError {
    #[error("this computer is not signed in as the owner")]
    NotSignedIn,
    #[error("the email or the password is wrong")]
    WrongPassword,
    #[error("the sign-in has ended ({0}): sign in again")]
    SessionEnded(String),
    #[error("the server cannot be reached and there is no saved copy of this report yet ({0})")]
    NoCopy(String),
    #[error("the server cannot be reached: {0}")]
    Unreachable(String),
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("the server refused ({code}): {message}")]
    Refused { code: String, message: String },
    #[error("the owner's saved reports cannot be read: {0}")]
    Store(#[from] rusqlite::Error),
    #[error(transparent)]
    Keyring(#[from] TokenError),
    #[error("the CSV could not be saved: {0}")]
    Export(#[from] std::io::Error),
}

impl OwnerError {
    /// A stable code for the UI's own wording: a refusal from head office keeps the server's.
    pub fn code(&self) -> &str {
        match self {
            OwnerError::NotSignedIn => "not_signed_in",
            OwnerError::WrongPassword => "invalid_credentials",
            OwnerError::SessionEnded(_) => "session_ended",
            OwnerError::NoCopy(_) => "offline_no_copy",
            OwnerError::Unreachable(_) => "offline",
            OwnerError::Invalid { .. } => "invalid_parameter",
            OwnerError::Refused { code, .. } => code,
            OwnerError::Store(_) => "store",
            OwnerError::Keyring(_) => "keyring",
            OwnerError::Export(_) => "export",
        }
    }

    fn invalid(field: &str, message: impl Into<String>) -> OwnerError {
        OwnerError::Invalid { field: field.to_string(), message: message.into() }
    }
}

impl From<SyncError> for OwnerError {
    fn from(error: SyncError) -> OwnerError {
        match error {
            SyncError::Unreachable(reason) => OwnerError::Unreachable(reason),
            SyncError::Revoked { code, .. } if code == "invalid_credentials" => OwnerError::WrongPassword,
            SyncError::Revoked { message, .. } => OwnerError::SessionEnded(message),
            SyncError::Refused { code, message, field, .. } if code == "invalid_parameter" => {
                OwnerError::Invalid { field: field.unwrap_or_else(|| "report".into()), message }
            }
            // The server names a correction's fields under `correction.`; the form has them flat.
            SyncError::Refused { code, message, field: Some(field), .. }
                if ["invalid_resolution", "invalid_statement", "invalid_change"].contains(&code.as_str()) =>
            {
                let field = field.strip_prefix("correction.").unwrap_or(&field).to_string();
                OwnerError::Invalid { field, message }
            }
            SyncError::Refused { code, message, .. } => OwnerError::Refused { code, message },
            SyncError::SequenceGap { .. } => {
                OwnerError::Refused { code: "sequence_gap".into(), message: error.to_string() }
            }
            SyncError::Address { code, message } => OwnerError::Refused { code: code.into(), message },
        }
    }
}

pub type Result<T> = std::result::Result<T, OwnerError>;

/// Who is signed in, at which server, and the businesses the reports cover.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OwnerAccount {
    pub server_url: String,
    pub email: String,
    pub name: String,
    pub businesses: Vec<OwnerBusiness>,
    pub signed_in_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// What this user may do at head office; the screens show only that (the server enforces
    /// it on every request).
    pub role: UserRole,
    /// Head office's own certificate authority (PEM), when it uses a private one.
    #[serde(skip)]
    pub server_ca: Option<String>,
}

impl OwnerAccount {
    fn server(&self) -> Server {
        Server::new(&self.server_url, self.server_ca.as_deref())
    }
}

/// One report as the owner sees it: fresh from the server (`live`), or the last copy fetched.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportCopy {
    pub report: String,
    pub params: BTreeMap<String, String>,
    pub fetched_at: DateTime<Utc>,
    pub live: bool,
    /// Why the server was not asked or did not answer, when this is a saved copy.
    pub offline_reason: Option<String>,
    /// The server's JSON, as it sent it: amounts are decimal strings.
    #[cfg_attr(feature = "ts", ts(type = "any"))]
    pub body: serde_json::Value,
    /// The sales report's days as bars, sized here (in Rust, from the decimal amounts).
    pub chart: Option<Vec<ChartBar>>,
}

/// The owner's side of the app on this computer.
#[derive(Clone)]
pub struct OwnerDesk {
    path: PathBuf,
    account: OwnerAccount,
    client: Client,
}

/// The file beside the app's other data that holds the account and the report copies.
pub fn store_path(folder: &Path) -> PathBuf {
    folder.join("owner.sqlite")
}

fn keyring_key(email: &str) -> String {
    format!("owner:{email}")
}

impl OwnerDesk {
    /// The owner's desk if this computer was signed in before.
    pub fn open(folder: &Path) -> Result<Option<OwnerDesk>> {
        let path = store_path(folder);
        if !path.exists() {
            return Ok(None);
        }
        let Some(account) = copies::account(&copies::open(&path)?)? else { return Ok(None) };
        let client = Client::new(&account.server())?;
        Ok(Some(OwnerDesk { client, path, account }))
    }

    /// Signs in at `server` (https://, or http:// to this machine; its own CA if private); the
    /// token goes to the keyring, the account to `owner.sqlite`.
    pub async fn sign_in(folder: &Path, server: &Server, email: &str, password: &str) -> Result<OwnerDesk> {
        let client = Client::new(server)?;
        let email = email.trim().to_lowercase();
        if email.is_empty() {
            return Err(OwnerError::invalid("email", "type the owner's email"));
        }
        if password.is_empty() {
            return Err(OwnerError::invalid("password", "type the password"));
        }
        let request = OwnerLoginRequest { email: email.clone(), password: password.to_string() };
        let response = client.http.post(format!("{}/api/v1/owner/login", client.base)).json(&request).send().await;
        let login: OwnerLoginResponse = answer(response).await?;
        token::save_secret(&keyring_key(&email), &login.token)?;
        let account = OwnerAccount {
            server_url: server.url.clone(),
            email,
            name: login.name,
            businesses: login.businesses,
            signed_in_at: Utc::now(),
            expires_at: login.expires_at,
            role: login.role,
            server_ca: server.ca_pem.clone(),
        };
        let path = store_path(folder);
        copies::save_account(&copies::open(&path)?, &account)?;
        tracing::info!("the owner signed in on this computer");
        Ok(OwnerDesk { path, account, client })
    }

    pub fn account(&self) -> &OwnerAccount {
        &self.account
    }

    /// Signs out: the session ends at head office, the token leaves the keyring and the saved
    /// figures leave the disk, since a laptop that is signed out should not show the books to
    /// whoever opens it next. Without a connection the session cannot be ended there: this
    /// computer forgets it anyway, and the answer says so (sign out everywhere from another
    /// computer, or it ends when it expires).
    pub async fn sign_out(self) -> Result<SignedOut> {
        let ended_at_head_office = match self.post_json("/api/v1/owner/logout", &serde_json::json!({})).await {
            Ok(_) => true,
            Err(OwnerError::Unreachable(reason)) => {
                tracing::warn!(%reason, "signed out on this computer only: head office could not be reached");
                false
            }
            // Already ended there (expired, signed out everywhere): nothing left to end.
            Err(OwnerError::SessionEnded(_)) => true,
            Err(other) => return Err(other),
        };
        self.forget()?;
        Ok(SignedOut { ended_at_head_office })
    }

    /// Forgets the sign-in on this computer: the token and the saved figures.
    fn forget(self) -> Result<()> {
        token::delete_secret(&keyring_key(&self.account.email))?;
        std::fs::remove_file(&self.path)?;
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(self.path.with_extension(format!("sqlite{suffix}")));
        }
        Ok(())
    }

    fn token(&self) -> Result<String> {
        token::load_secret(&keyring_key(&self.account.email))?
            .ok_or_else(|| OwnerError::SessionEnded("no session token in the keyring".into()))
    }

    /// The report fresh from the server, saved as the latest copy; without a connection, the
    /// last copy of the same report with the same parameters.
    pub async fn report(&self, report: &str, params: &BTreeMap<String, String>) -> Result<ReportCopy> {
        let params = checked(report, params)?;
        let fetched = self.fetch(report, &params, false).await;
        let copy = match fetched {
            Ok(body) => {
                let body: serde_json::Value = serde_json::from_slice(&body).map_err(|error| OwnerError::Refused {
                    code: "unreadable_answer".into(),
                    message: error.to_string(),
                })?;
                let fetched_at = Utc::now();
                copies::save_copy(&copies::open(&self.path)?, report, &params, fetched_at, &body)?;
                ReportCopy {
                    report: report.into(),
                    params,
                    fetched_at,
                    live: true,
                    offline_reason: None,
                    body,
                    chart: None,
                }
            }
            Err(OwnerError::Unreachable(reason)) => {
                let saved = copies::copy(&copies::open(&self.path)?, report, &params)?;
                let (fetched_at, body) = saved.ok_or(OwnerError::NoCopy(reason.clone()))?;
                ReportCopy {
                    report: report.into(),
                    params,
                    fetched_at,
                    live: false,
                    offline_reason: Some(reason),
                    body,
                    chart: None,
                }
            }
            Err(error) => return Err(error),
        };
        // The sales and the revenue reports both draw a bar per day from their rows' `net`.
        let charted = report == "sales" || report == "revenue";
        Ok(ReportCopy { chart: charted.then(|| chart::bars(&copy.body)), ..copy })
    }

    /// Saves the report's CSV (from the server: it needs a connection) into `folder`, named
    /// after the report, its business and dates; returns the file's path.
    pub async fn export_csv(&self, report: &str, params: &BTreeMap<String, String>, folder: &Path) -> Result<PathBuf> {
        let params = checked(report, params)?;
        let body = self.fetch(report, &params, true).await?;
        std::fs::create_dir_all(folder)?;
        let mut name = report.to_string();
        for value in params.values() {
            name.push('-');
            name.extend(value.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-'));
        }
        let path = folder.join(format!("{name}.csv"));
        // Written beside and renamed, so a half-written file never has the final name.
        let partial = path.with_extension("csv.partial");
        std::fs::write(&partial, body)?;
        std::fs::rename(&partial, &path)?;
        Ok(path)
    }

    /// Sends the owner's decision on an item of the review queue (it needs a connection: a
    /// decision is made at head office, once).
    pub async fn resolve(&self, form: &review::ResolveForm) -> Result<ResolveResponse> {
        let request = form.request()?;
        let token = self.token()?;
        let response = self
            .client
            .http
            .post(format!("{}/api/v1/review/resolve", self.client.base))
            .bearer_auth(token)
            .json(&request)
            .send()
            .await;
        Ok(answer(response).await?)
    }

    /// Sends an M-Pesa statement (the CSV as the business downloaded it) to be matched against
    /// the tills' codes; answers the server's summary (what matched, the review items raised).
    pub async fn import_mpesa(&self, business: &str, file_name: &str, text: &str) -> Result<serde_json::Value> {
        if business.trim().is_empty() {
            return Err(OwnerError::invalid("business", "choose whose M-Pesa statement it is"));
        }
        self.post_csv("/api/v1/mpesa/statements", &[("business", business.trim()), ("file_name", file_name)], text)
            .await
    }

    /// A statement file (CSV) sent as it is, with what head office needs to know of it.
    async fn post_csv(&self, path: &str, query: &[(&str, &str)], text: &str) -> Result<serde_json::Value> {
        if text.trim().is_empty() {
            return Err(OwnerError::invalid("file", "the file is empty"));
        }
        let token = self.token()?;
        let response = self
            .client
            .http
            .post(format!("{}{path}", self.client.base))
            .query(query)
            .header(reqwest::header::CONTENT_TYPE, "text/csv")
            .bearer_auth(token)
            .body(text.to_string())
            .send()
            .await;
        Ok(answer(response).await?)
    }

    /// Sends the group's bank statement to head office, which matches it against account 1170.
    pub async fn import_bank(&self, file_name: &str, text: &str) -> Result<serde_json::Value> {
        self.post_csv("/api/v1/bank/statements", &[("file_name", file_name)], text).await
    }

    /// Saves a product (new, or a change such as its price); answers it as the server saved it.
    pub async fn save_product(&self, form: &maintenance::ProductForm) -> Result<serde_json::Value> {
        let change = form.change()?;
        self.post_json("/api/v1/admin/products", &change).await
    }

    /// Saves a business (new, with its accounts made at head office, or a changed profile).
    pub async fn save_business(&self, form: &maintenance::BusinessForm) -> Result<serde_json::Value> {
        self.post_json("/api/v1/admin/businesses", &form.change()?).await
    }

    /// Saves a laundry service and its price.
    pub async fn save_service(&self, form: &maintenance::ServiceForm) -> Result<serde_json::Value> {
        self.post_json("/api/v1/admin/laundry-services", &form.change()?).await
    }

    /// Saves a cylinder type: its gas price and deposit.
    pub async fn save_cylinder(&self, form: &maintenance::CylinderForm) -> Result<serde_json::Value> {
        self.post_json("/api/v1/admin/cylinder-types", &form.change()?).await
    }

    pub async fn save_supplier(&self, form: &maintenance::SupplierForm) -> Result<serde_json::Value> {
        self.post_json("/api/v1/admin/suppliers", &form.change()?).await
    }

    /// An expense paid at head office, one per business of its shares; each document's ack.
    pub async fn record_expense(&self, form: &office::ExpenseForm) -> Result<serde_json::Value> {
        self.post_json("/api/v1/office/documents", &form.documents()?).await
    }

    /// A customer's credit applied to their oldest invoices of a business, or paid back.
    pub async fn record_credit(&self, form: &office::CreditForm) -> Result<serde_json::Value> {
        let mut params = BTreeMap::new();
        params.insert("customer_id".to_string(), form.customer_id.trim().to_string());
        let statement = self.report("statement", &params).await?;
        if !statement.live {
            return Err(OwnerError::Refused {
                code: "offline".into(),
                message: "head office cannot be reached: the customer's invoices are not known".into(),
            });
        }
        let open = office::OpenInvoice::of_statement(&statement.body);
        self.post_json("/api/v1/office/documents", &form.documents(&open)?).await
    }

    /// A supplier paid at head office; head office applies it to their oldest invoices.
    pub async fn record_supplier_payment(&self, form: &office::SupplierPaymentForm) -> Result<serde_json::Value> {
        self.post_json("/api/v1/office/documents", &form.documents()?).await
    }

    /// Goods from a supplier's invoice, entered at head office.
    pub async fn record_goods(&self, form: &office::GoodsForm) -> Result<serde_json::Value> {
        self.post_json("/api/v1/office/documents", &form.documents()?).await
    }

    /// Money moved to the bank at head office.
    pub async fn record_transfer(&self, form: &office::TransferForm) -> Result<serde_json::Value> {
        self.post_json("/api/v1/office/documents", &form.documents()?).await
    }

    /// Saves a customer: phone and credit limit.
    pub async fn save_customer(&self, form: &maintenance::CustomerForm) -> Result<serde_json::Value> {
        self.post_json("/api/v1/admin/customers", &form.change()?).await
    }

    /// Saves a member of staff (new, a new PIN, or deactivated).
    pub async fn save_staff(&self, form: &maintenance::StaffForm) -> Result<serde_json::Value> {
        let change = form.change()?;
        self.post_json("/api/v1/admin/staff", &change).await
    }

    /// A one-time code for a new till of `business`, to type into it.
    pub async fn enrol_till(&self, business: &str, name: &str) -> Result<TillEnrolment> {
        if name.trim().is_empty() {
            return Err(OwnerError::invalid("name", "name the till (where it stands)"));
        }
        let request = TillEnrolRequest { business: business.trim().to_string(), name: name.trim().to_string() };
        let answer = self.post_json("/api/v1/admin/tills", &request).await?;
        serde_json::from_value(answer)
            .map_err(|error| OwnerError::Refused { code: "unreadable_answer".into(), message: error.to_string() })
    }

    /// Sets a VAT-registered business's eTIMS device up and has head office initialise it
    /// with KRA (the communication key stays at head office).
    pub async fn set_up_etims(
        &self,
        request: &tillbook_core::protocol::EtimsSetUpRequest,
    ) -> Result<serde_json::Value> {
        self.post_json("/api/v1/admin/etims", request).await
    }

    /// Revokes a till: its token is refused from now on.
    pub async fn revoke_till(&self, till_code: &str) -> Result<()> {
        self.post_json("/api/v1/admin/tills/revoke", &TillRevokeRequest { till_code: till_code.to_string() }).await?;
        Ok(())
    }

    /// A re-enrolment code for the till `till_code` (its token was lost or revoked): typed into
    /// that till, it gets a new token and keeps everything it recorded.
    pub async fn reenrol_till(&self, till_code: &str) -> Result<TillEnrolment> {
        let answer = self
            .post_json("/api/v1/admin/tills/reenrol", &TillRevokeRequest { till_code: till_code.to_string() })
            .await?;
        serde_json::from_value(answer)
            .map_err(|error| OwnerError::Refused { code: "unreadable_answer".into(), message: error.to_string() })
    }

    /// The signed-in user's sessions (never their tokens).
    pub async fn sessions(&self) -> Result<Vec<SessionLine>> {
        let answer = self.get_json("/api/v1/owner/sessions").await?;
        unreadable(serde_json::from_value(answer))
    }

    /// Ends every session of this user, on every computer; this one forgets its sign-in too.
    pub async fn sign_out_everywhere(self) -> Result<u64> {
        let answer = self.post_json("/api/v1/owner/logout-everywhere", &serde_json::json!({})).await?;
        self.forget()?;
        Ok(answer["ended"].as_u64().unwrap_or_default())
    }

    /// Changes the user's own password; their sessions on other computers end.
    pub async fn change_password(&self, current: &str, new: &str) -> Result<()> {
        if new != new.trim() || new.is_empty() {
            return Err(OwnerError::invalid("new", "the new password neither starts nor ends with a space"));
        }
        let change = PasswordChange { current: current.to_string(), new: new.to_string() };
        self.post_json("/api/v1/owner/password", &change).await?;
        Ok(())
    }

    /// Head office's users (only an owner may ask).
    pub async fn users(&self) -> Result<Vec<UserLine>> {
        let answer = self.get_json("/api/v1/admin/users").await?;
        unreadable(serde_json::from_value(answer))
    }

    /// Creates or changes a user of head office (only an owner may).
    pub async fn save_user(&self, form: &maintenance::UserForm) -> Result<UserLine> {
        let change = form.change()?;
        let answer = self.post_json("/api/v1/admin/users/save", &change).await?;
        unreadable(serde_json::from_value(answer))
    }

    async fn get_json(&self, path: &str) -> Result<serde_json::Value> {
        let token = self.token()?;
        let response = self.client.http.get(format!("{}{path}", self.client.base)).bearer_auth(token).send().await;
        Ok(answer(response).await?)
    }

    async fn post_json<T: Serialize>(&self, path: &str, body: &T) -> Result<serde_json::Value> {
        let token = self.token()?;
        let response =
            self.client.http.post(format!("{}{path}", self.client.base)).bearer_auth(token).json(body).send().await;
        Ok(answer(response).await?)
    }

    async fn fetch(&self, report: &str, params: &BTreeMap<String, String>, csv: bool) -> Result<Vec<u8>> {
        let token = self.token()?;
        let mut query: Vec<(&str, &str)> = params.iter().map(|(key, value)| (key.as_str(), value.as_str())).collect();
        if csv {
            query.push(("format", "csv"));
        }
        let response = self
            .client
            .http
            .get(format!("{}/api/v1/reports/{report}", self.client.base))
            .query(&query)
            .bearer_auth(token)
            .send()
            .await;
        Ok(answer_body(response).await?.1)
    }
}

/// What signing out did: whether head office ended the session too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SignedOut {
    pub ended_at_head_office: bool,
}

fn unreadable<T>(parsed: serde_json::Result<T>) -> Result<T> {
    parsed.map_err(|error| OwnerError::Refused { code: "unreadable_answer".into(), message: error.to_string() })
}

/// The report's name and parameters checked here, so a typo is named even without a
/// connection; empty values are dropped (the server's defaults apply).
fn checked(report: &str, params: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>> {
    if !REPORTS.contains(&report) {
        return Err(OwnerError::invalid("report", format!("no report '{report}'")));
    }
    let mut kept = BTreeMap::new();
    for (key, value) in params {
        if !PARAMETERS.contains(&key.as_str()) {
            return Err(OwnerError::invalid(key, "not a parameter of the reports"));
        }
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        if DATE_PARAMETERS.contains(&key.as_str()) && value.parse::<NaiveDate>().is_err() {
            return Err(OwnerError::invalid(key, format!("'{value}' is not a date (YYYY-MM-DD)")));
        }
        kept.insert(key.clone(), value.to_string());
    }
    if let (Some(from), Some(to)) = (kept.get("from"), kept.get("to"))
        && from > to
    {
        return Err(OwnerError::invalid("from", "the period starts after it ends"));
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect()
    }

    #[test]
    fn bad_parameters_are_named_before_anything_is_sent() {
        let field = |report: &str, pairs: &[(&str, &str)]| match checked(report, &params(pairs)) {
            Err(OwnerError::Invalid { field, .. }) => field,
            other => panic!("{report} {pairs:?} was not refused: {other:?}"),
        };
        assert_eq!(field("ledger", &[]), "report");
        assert_eq!(field("sales", &[("colour", "red")]), "colour");
        assert_eq!(field("sales", &[("from", "2026-13-01")]), "from");
        assert_eq!(field("sales", &[("from", "2026-11-20"), ("to", "2026-11-01")]), "from");
        let kept = checked("sales", &params(&[("business", " WATER "), ("to", "")])).unwrap();
        assert_eq!(kept, params(&[("business", "WATER")]));
    }
}
