//! The OSCU calls head office makes (KRA's specification; public copy in the repository
//! `paybillke/kra-etims-oscu-docs`): `selectInitOsdcInfo` once per device, `saveItem` before an
//! item's first invoice, `saveTrnsSalesOsdc` for each sale and credit note. Every call but the
//! first carries the device's `tin`, `bhfId` and `cmcKey` as headers. The key is never logged.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

/// How long one call may take before it counts as eTIMS unreachable.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// KRA's answer: `resultCd` `000` is success; anything else is KRA's refusal, with its words.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    pub result_cd: String,
    #[serde(default)]
    pub result_msg: String,
    #[serde(default)]
    pub data: Value,
}

impl Answer {
    pub fn succeeded(&self) -> bool {
        self.result_cd == "000"
    }
}

/// Why a call has no answer from KRA: it may or may not have reached it.
#[derive(Debug, thiserror::Error)]
#[error("eTIMS did not answer: {0}")]
pub struct Unreachable(pub String);

/// The device a call is made for.
pub struct Device<'a> {
    pub url: &'a str,
    pub tin: &'a str,
    pub branch_id: &'a str,
    pub key: &'a str,
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

impl Client {
    pub fn new() -> Client {
        let http = reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build().unwrap_or_default();
        Client { http }
    }

    /// `selectInitOsdcInfo`: the device's communication key and its control unit's ids.
    pub async fn initialise(&self, url: &str, tin: &str, branch_id: &str, serial: &str) -> Result<Answer, Unreachable> {
        let body = serde_json::json!({ "tin": tin, "bhfId": branch_id, "dvcSrlNo": serial });
        self.send(self.http.post(endpoint(url, "selectInitOsdcInfo")).json(&body)).await
    }

    /// `saveItem` or `saveTrnsSalesOsdc`: `body` as JSON text, sent as it is.
    pub async fn save(&self, device: &Device<'_>, call: &str, body: String) -> Result<Answer, Unreachable> {
        let request = self
            .http
            .post(endpoint(device.url, call))
            .header("tin", device.tin)
            .header("bhfId", device.branch_id)
            .header("cmcKey", device.key)
            .header("content-type", "application/json")
            .body(body);
        self.send(request).await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Answer, Unreachable> {
        let response = request.send().await.map_err(|error| Unreachable(without_url(&error)))?;
        let status = response.status();
        let text = response.text().await.map_err(|error| Unreachable(without_url(&error)))?;
        serde_json::from_str(&text).map_err(|_| Unreachable(format!("HTTP {status}, not an OSCU answer")))
    }
}

fn endpoint(url: &str, call: &str) -> String {
    format!("{}/{call}", url.trim_end_matches('/'))
}

/// The error without the request's URL (it carries nothing secret, but keeps logs short).
fn without_url(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "the connection failed"
    };
    kind.to_string()
}
