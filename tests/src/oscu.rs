//! A KRA eTIMS OSCU simulator for tests (issue "KRA eTIMS from an offline till"): a real HTTP
//! server on loopback speaking the calls head office makes, that can go down, answer slowly,
//! refuse with KRA's codes, and commit a sale but drop the connection before answering.
//!
//! From KRA's OSCU specification (public copy: the repository `paybillke/kra-etims-oscu-docs`):
//! the paths `selectInitOsdcInfo`, `saveItem` and `saveTrnsSalesOsdc`; their request and answer
//! fields (`tin`, `bhfId`, `dvcSrlNo`, `cmcKey`, `invcNo`, `itemList`, `resultCd`, `resultMsg`,
//! `resultDt`, `curRcptNo`, `totRcptNo`, `intrlData`, `rcptSign`, `sdcDateTime`); and the result
//! codes used here (`docs/code-definition/api-response-code.md`): 000 succeeded, 900 no header
//! information, 901 not a valid device, 902 device installed, 910 request parameter error, 994
//! overlapped data. The specification does not say what a repeated invoice number gets: this
//! simulator answers the same invoice number sent again with the same content with the answer
//! it gave the first time, and with 994 when the content differs (docs/etims.md says so, and
//! what head office does in either case). Amounts are read as decimals from the JSON text.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use rust_decimal::Decimal;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use tokio::sync::oneshot;

/// What the simulator does with the next sales it receives.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// Wait this long before taking anything in (KRA is slow).
    pub delay: Duration,
    /// Wait this long after committing a sale before answering (the answer is slow to come).
    pub answer_delay: Duration,
    /// Invoice numbers refused with this result code (and KRA's message for it).
    pub reject: BTreeMap<u64, &'static str>,
    /// Invoice numbers stored, then the connection dropped without an answer (once each).
    pub drop_after_commit: Vec<u64>,
}

/// A sale KRA holds.
#[derive(Debug, Clone)]
pub struct Stored {
    pub tin: String,
    pub invoice: u64,
    pub receipt_type: String,
    pub original_invoice: u64,
    pub total: Decimal,
    pub tax: Decimal,
    pub payload: Value,
    pub answer: Value,
    /// Times this invoice number reached the simulator, the first included.
    pub received: usize,
}

#[derive(Default)]
struct World {
    behaviour: Behaviour,
    /// `(tin, branch)` → communication key.
    devices: BTreeMap<(String, String), String>,
    items: BTreeMap<(String, String), Value>,
    /// In the order they were committed.
    sales: Vec<Stored>,
}

/// A running simulator; `stop` takes it down (connections refused), `start` brings it back on the
/// same address with what it held.
pub struct Oscu {
    pub address: SocketAddr,
    world: Arc<Mutex<World>>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Oscu {
    pub async fn new() -> Oscu {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let address = listener.local_addr().expect("its address");
        drop(listener);
        let mut oscu = Oscu { address, world: Arc::default(), shutdown: None };
        oscu.start().await;
        oscu
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    pub async fn start(&mut self) {
        assert!(self.shutdown.is_none(), "the simulator is up already");
        let listener = tokio::net::TcpListener::bind(self.address).await.expect("the simulator's address");
        let app = axum::Router::new()
            .route("/selectInitOsdcInfo", post(initialise))
            .route("/saveItem", post(save_item))
            .route("/saveTrnsSalesOsdc", post(save_sale))
            .with_state(self.world.clone());
        let (sender, receiver) = oneshot::channel();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = receiver.await;
                })
                .await;
        });
        self.shutdown = Some(sender);
    }

    /// Down: the port refuses connections until `start`.
    pub async fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        // The listener is closed once the serve task sees the signal.
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(self.address).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the simulator did not go down");
    }

    pub fn behave(&self, behaviour: Behaviour) {
        self.world.lock().expect("the simulator's state").behaviour = behaviour;
    }

    /// The sales KRA holds, in the order it committed them.
    pub fn sales(&self) -> Vec<Stored> {
        self.world.lock().expect("the simulator's state").sales.clone()
    }

    /// Makes `business` VAT-registered with KRA PIN `tin`, sets its OSCU device up against this
    /// simulator and initialises it, the key going into `keys`: what `tillbook-server
    /// etims-set-up` does, for the tests and the benchmark.
    pub async fn set_up(
        &self,
        owner: &sqlx::PgPool,
        business: &str,
        tin: &str,
        keys: &tillbook_server::etims::KeyStore,
    ) {
        use tillbook_server::etims;
        sqlx::query("UPDATE business SET vat_registered = TRUE, kra_pin = $2 WHERE code = $1")
            .bind(business)
            .bind(tin)
            .execute(owner)
            .await
            .expect("the business's VAT registration");
        let setup = etims::Setup {
            business_code: business.into(),
            branch_id: "00".into(),
            device_serial: format!("TB-{business}-1"),
            oscu_url: self.url(),
        };
        let id = etims::set_up(owner, &setup).await.expect("the eTIMS set-up");
        etims::initialise(owner, keys, &etims::oscu::Client::new(), id).await.expect("the device initialised");
    }

    /// What KRA was last told of item `code` of `tin` (`saveItem`'s body), if anything.
    pub fn item(&self, tin: &str, code: &str) -> Option<Value> {
        let world = self.world.lock().expect("the simulator's state");
        world.items.get(&(tin.to_string(), code.to_string())).cloned()
    }

    /// Item codes registered for `tin`.
    pub fn items(&self, tin: &str) -> Vec<String> {
        let world = self.world.lock().expect("the simulator's state");
        world.items.keys().filter(|(owner, _)| owner == tin).map(|(_, code)| code.clone()).collect()
    }
}

impl Drop for Oscu {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

fn stamp() -> String {
    chrono::Utc::now().format("%Y%m%d%H%M%S").to_string()
}

fn answer(code: &str, message: &str, data: Value) -> Json<Value> {
    Json(json!({ "resultCd": code, "resultMsg": message, "resultDt": stamp(), "data": data }))
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|value| value.to_str().ok()).map(str::to_string)
}

async fn pause(world: &Arc<Mutex<World>>) {
    let delay = world.lock().expect("the simulator's state").behaviour.delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
}

/// Whether the headers name an initialised device with its key: `None` if so, else KRA's answer.
fn unauthorised(world: &World, headers: &HeaderMap) -> Option<Json<Value>> {
    let (Some(tin), Some(branch), Some(key)) =
        (header(headers, "tin"), header(headers, "bhfId"), header(headers, "cmcKey"))
    else {
        return Some(answer("900", "There is no Header information", Value::Null));
    };
    match world.devices.get(&(tin, branch)) {
        Some(known) if *known == key => None,
        _ => Some(answer("901", "It is not valid device", Value::Null)),
    }
}

async fn initialise(State(world): State<Arc<Mutex<World>>>, Json(body): Json<Value>) -> Json<Value> {
    pause(&world).await;
    let (Some(tin), Some(branch), Some(serial)) =
        (body["tin"].as_str(), body["bhfId"].as_str(), body["dvcSrlNo"].as_str())
    else {
        return answer("910", "Request parameter error", Value::Null);
    };
    let mut world = world.lock().expect("the simulator's state");
    let device = (tin.to_string(), branch.to_string());
    if world.devices.contains_key(&device) {
        return answer("902", "This device is installed", Value::Null);
    }
    let key = uuid::Uuid::now_v7().simple().to_string();
    world.devices.insert(device, key.clone());
    let info = json!({
        "tin": tin, "bhfId": branch, "dvcSrlNo": serial, "sdcId": format!("KRACU0{}", &tin[1..10]),
        "mrcNo": format!("WIS0{}", &tin[1..8]), "cmcKey": key,
    });
    answer("000", "It is succeeded", json!({ "info": info }))
}

async fn save_item(State(world): State<Arc<Mutex<World>>>, headers: HeaderMap, Json(body): Json<Value>) -> Json<Value> {
    pause(&world).await;
    let mut world = world.lock().expect("the simulator's state");
    if let Some(refusal) = unauthorised(&world, &headers) {
        return refusal;
    }
    let Some(code) = body["itemCd"].as_str() else {
        return answer("910", "Request parameter error", Value::Null);
    };
    let tin = header(&headers, "tin").unwrap_or_default();
    world.items.insert((tin, code.to_string()), body);
    answer("000", "It is succeeded", Value::Null)
}

/// A JSON number as a decimal, from its text.
fn decimal(value: &RawValue) -> Option<Decimal> {
    Decimal::from_str(value.get()).ok()
}

/// The amounts of a sale that must agree: each item's total and tax, and the header's.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Amounts {
    invc_no: u64,
    org_invc_no: u64,
    rcpt_ty_cd: String,
    tot_amt: Box<RawValue>,
    tot_tax_amt: Box<RawValue>,
    item_list: Vec<ItemAmounts>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemAmounts {
    item_cd: String,
    tot_amt: Box<RawValue>,
    tax_amt: Box<RawValue>,
}

async fn save_sale(State(state): State<Arc<Mutex<World>>>, headers: HeaderMap, body: String) -> Json<Value> {
    pause(&state).await;
    // Worked out under the lock; the waiting and the dropping happen after it is released.
    let (answered, wait, dropped) = {
        let mut world = state.lock().expect("the simulator's state");
        if let Some(refusal) = unauthorised(&world, &headers) {
            return refusal;
        }
        let tin = header(&headers, "tin").unwrap_or_default();
        let (Ok(amounts), Ok(payload)) = (serde_json::from_str::<Amounts>(&body), serde_json::from_str::<Value>(&body))
        else {
            return answer("910", "Request parameter error", Value::Null);
        };
        if let Some(code) = world.behaviour.reject.get(&amounts.invc_no) {
            return answer(code, "Request parameter error", Value::Null);
        }
        if let Some(stored) = world.sales.iter_mut().find(|s| s.tin == tin && s.invoice == amounts.invc_no) {
            stored.received += 1;
            if stored.payload == payload {
                return Json(stored.answer.clone());
            }
            return answer("994", "There is an overlapped Data", Value::Null);
        }
        let total: Option<Decimal> = amounts.item_list.iter().map(|item| decimal(&item.tot_amt)).sum();
        let tax: Option<Decimal> = amounts.item_list.iter().map(|item| decimal(&item.tax_amt)).sum();
        let registered =
            amounts.item_list.iter().all(|item| world.items.contains_key(&(tin.clone(), item.item_cd.clone())));
        if !registered || total.is_none() || total != decimal(&amounts.tot_amt) || tax != decimal(&amounts.tot_tax_amt)
        {
            return answer("910", "Request parameter error", Value::Null);
        }
        let number = world.sales.iter().filter(|s| s.tin == tin).count() + 1;
        let signature: String =
            uuid::Uuid::now_v7().simple().to_string().to_uppercase().chars().rev().take(16).collect();
        let internal: String =
            uuid::Uuid::now_v7().simple().to_string().to_uppercase().chars().rev().take(26).collect();
        let answered = answer(
            "000",
            "It is succeeded",
            json!({ "curRcptNo": number, "totRcptNo": number, "intrlData": internal, "rcptSign": signature,
                    "sdcDateTime": stamp() }),
        );
        world.sales.push(Stored {
            tin,
            invoice: amounts.invc_no,
            receipt_type: amounts.rcpt_ty_cd,
            original_invoice: amounts.org_invc_no,
            total: total.unwrap_or_default(),
            tax: tax.unwrap_or_default(),
            payload,
            answer: answered.0.clone(),
            received: 1,
        });
        let drop_now = world.behaviour.drop_after_commit.iter().position(|n| *n == amounts.invc_no);
        if let Some(index) = drop_now {
            world.behaviour.drop_after_commit.remove(index);
        }
        (answered, world.behaviour.answer_delay, drop_now.is_some())
    };
    // Committed, and the connection goes before the answer: the handler's task ends without one,
    // which closes the connection under the client.
    assert!(!dropped, "the simulator drops this connection after committing the sale");
    tokio::time::sleep(wait).await;
    answered
}
