//! A push request as it arrives, checked before anything touches the database. The envelope is
//! typed and must be sound, or the whole batch is refused with a 400 naming the field; the
//! content (`document`, `journal`) stays raw JSON, so that content this server cannot accept is
//! quarantined rather than refused: a till must never block behind one bad event (DESIGN §7).
//!
//! The envelope is what the server needs to place an event at all: its id, its place in the
//! till's sequence, its type, business and time as typed values. Everything else — text that
//! Postgres cannot hold, a document that does not parse, a time no till could have meant — is
//! content, judged for that event alone.

use serde_json::value::RawValue;
use std::collections::HashSet;
use tillbook_core::ids::DeviceId;
use tillbook_core::protocol::{BATCH_EVENTS_MAX, PROTOCOL_VERSION, PushRequest, RawEvent, Reason};

use crate::body::{parse_json, parse_json_as};
use crate::error::ApiError;

/// One event: what it says, and exactly what was sent, byte for byte (kept in the inbox, and
/// compared when the same `event_id` comes again).
#[derive(Debug, Clone)]
pub struct Incoming {
    pub event: RawEvent,
    pub raw: Box<RawValue>,
    /// Text in the event that Postgres cannot store as sent (a NUL, an unpaired surrogate):
    /// the event is quarantined `invalid_text` with this reason, whatever else it says.
    pub text_fault: Option<Reason>,
}

impl Incoming {
    /// What the inbox keeps: the event as sent, or — when Postgres' `json` cannot hold it (an
    /// unpaired UTF-16 surrogate escape) — the sent text as one JSON string, so nothing is lost.
    pub fn stored(&self) -> std::borrow::Cow<'_, str> {
        let text = self.raw.get();
        // Without a text fault the event has no escape `json` could refuse, or it parsed.
        if self.text_fault.is_none() || serde_json::from_str::<serde_json::Value>(text).is_ok() {
            text.into()
        } else {
            serde_json::Value::String(text.to_string()).to_string().into()
        }
    }

    /// The stored form as a JSON value, to compare with what the inbox holds: the same event
    /// sent again may differ in spacing or key order.
    pub fn value(&self) -> serde_json::Value {
        let stored = self.stored();
        serde_json::from_str(&stored).unwrap_or_else(|_| serde_json::Value::String(stored.into_owned()))
    }
}

/// Whether the JSON text holds an escape for text Postgres may not take: `\u0000` (a NUL, which
/// no text column holds) or `\uD800`–`\uDFFF` (a surrogate, the only JSON Postgres' `json` type
/// may refuse that serde's raw values let through). Checked first because escapes are rare in a
/// till's events and a full parse of every event is not: one walk from backslash to backslash,
/// each found by `memchr`, reading each escape as JSON does (`\\u0000` is a backslash, then text).
fn has_suspicious_escape(text: &str) -> bool {
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        let escape = &rest.as_bytes()[at + 1..];
        if let [b'u', hex @ ..] = escape
            && (hex.starts_with(b"0000") || matches!(hex.first(), Some(b'd' | b'D')))
        {
            return true;
        }
        // An escape is a backslash and one ASCII character (or `u` and four hex digits, read as
        // text by the next search); in valid JSON, as the raw value is, the next one starts there.
        match rest.get(at + 2..) {
            Some(after) => rest = after,
            None => return false,
        }
    }
    false
}

/// Parses and checks a push body from the device `device`: the whole batch, or a 4xx.
pub fn parse_push(body: &[u8], device: DeviceId) -> Result<Vec<Incoming>, ApiError> {
    let push: PushRequest<Box<RawValue>> = parse_json(body, "")?;
    if push.protocol != PROTOCOL_VERSION {
        return Err(ApiError::bad_request(
            "unsupported_protocol",
            "protocol",
            format!("this server speaks protocol {PROTOCOL_VERSION}, not {}", push.protocol),
        ));
    }
    if push.device_id != device {
        return Err(ApiError::forbidden(
            "device_mismatch",
            "device_id",
            "device_id is not the device this token belongs to",
        ));
    }
    if push.events.len() > BATCH_EVENTS_MAX {
        return Err(ApiError::too_large(
            "events",
            format!("{} events in one batch; at most {BATCH_EVENTS_MAX}", push.events.len()),
        ));
    }
    let mut seen = HashSet::with_capacity(push.events.len());
    let mut events = Vec::with_capacity(push.events.len());
    for (index, raw) in push.events.into_iter().enumerate() {
        let field = |name: &str| format!("events[{index}]{}{name}", if name.is_empty() { "" } else { "." });
        let text_fault = text_fault(raw.get());
        let event: RawEvent = parse_json_as("malformed_event", raw.get().as_bytes(), &field(""))?;
        if event.device_seq == 0 || event.device_seq > i64::MAX as u64 {
            return Err(ApiError::bad_request("invalid_device_seq", field("device_seq"), "device_seq runs from 1"));
        }
        if let Some(first) = events.first().map(|first: &Incoming| first.event.device_seq)
            && event.device_seq != first + index as u64
        {
            return Err(ApiError::bad_request(
                "not_in_sequence",
                field("device_seq"),
                format!("device_seq {} breaks the batch's run from {first}", event.device_seq),
            ));
        }
        // The type is kept in the inbox as text: it must be storable, and short.
        if event.event_type.contains('\0') || event.event_type.chars().count() > TYPE_CHARS_MAX {
            return Err(ApiError::bad_request(
                "invalid_type",
                field("type"),
                format!("type is a name of at most {TYPE_CHARS_MAX} characters, without NUL"),
            ));
        }
        if !seen.insert(event.event_id) {
            return Err(ApiError::bad_request(
                "duplicate_event_id",
                field("event_id"),
                "the same event_id twice in one batch",
            ));
        }
        events.push(Incoming { event, raw, text_fault });
    }
    Ok(events)
}

/// No event type is anywhere near this long.
const TYPE_CHARS_MAX: usize = 64;

/// Text Postgres cannot hold, named by where it is. JSON can carry a NUL only as the escape
/// `\u0000`, and an unpaired surrogate only as `\uD8..`; only then is the event parsed and walked
/// (`\\u0000`, an escaped backslash, walks and finds nothing).
fn text_fault(text: &str) -> Option<Reason> {
    if !has_suspicious_escape(text) {
        return None;
    }
    let fault = |message: String| Some(Reason { code: "invalid_text".into(), message });
    match serde_json::from_str::<serde_json::Value>(text) {
        Err(error) => fault(format!("the event holds text that is not valid Unicode: {error}")),
        Ok(value) => nul_character(&value, String::new())
            // The path itself may hold the NUL (a key); the reason is stored as text.
            .and_then(|path| fault(format!("{}: text may not contain NUL characters", path.replace('\0', "\u{fffd}")))),
    }
}

/// Postgres cannot store a NUL inside text, nor read a JSON document holding one; find one before
/// it turns into a 500.
fn nul_character(value: &serde_json::Value, path: String) -> Option<String> {
    let join = |key: &str| if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
    match value {
        serde_json::Value::String(text) => text.contains('\0').then_some(path),
        serde_json::Value::Array(items) => {
            items.iter().enumerate().find_map(|(index, item)| nul_character(item, format!("{path}[{index}]")))
        }
        serde_json::Value::Object(map) => map
            .iter()
            .find_map(|(key, item)| if key.contains('\0') { Some(join(key)) } else { nul_character(item, join(key)) }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tillbook_core::ids::{BusinessId, EventId};

    fn event(seq: u64) -> serde_json::Value {
        json!({ "event_id": EventId::new(), "device_seq": seq, "type": "sale.recorded",
                "business_id": BusinessId::new(), "occurred_at": "2026-11-21T14:03:22+03:00",
                "recorded_by": null, "document": {}, "journal": null })
    }

    fn push(device: DeviceId, events: Vec<serde_json::Value>) -> Vec<u8> {
        serde_json::to_vec(&json!({ "protocol": 1, "device_id": device, "events": events })).unwrap()
    }

    fn refusal(body: &[u8], device: DeviceId) -> (u16, String, Option<String>) {
        let error = parse_push(body, device).unwrap_err();
        (error.status.as_u16(), error.body.code, error.body.field)
    }

    #[test]
    fn a_sound_batch_parses_with_its_raw_events() {
        let device = DeviceId::new();
        let events = parse_push(&push(device, vec![event(7), event(8)]), device).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[1].event.device_seq, 8);
        assert_eq!(events[1].value()["device_seq"], 8);
    }

    #[test]
    fn each_event_is_kept_as_the_till_wrote_it() {
        let device = DeviceId::new();
        let written = format!(
            r#"{{ "type": "sale.recorded", "device_seq": 1, "event_id": "{}", "business_id": "{}",
                 "occurred_at": "2026-11-21T14:03:22+03:00", "document": {{ "note": "a backslash: \\u0000" }} }}"#,
            EventId::new(),
            BusinessId::new()
        );
        let body = format!(r#"{{"protocol": 1, "device_id": "{device}", "events": [{written}]}}"#);
        let events = parse_push(body.as_bytes(), device).unwrap();
        assert_eq!(events[0].raw.get(), written, "spacing and key order as sent");
        assert_eq!(events[0].event.document.get(), r#"{ "note": "a backslash: \\u0000" }"#);
        assert_eq!(events[0].text_fault, None, "an escaped backslash is not a NUL");
    }

    #[test]
    fn only_a_nul_or_surrogate_escape_is_suspicious() {
        let cases = [
            (r#"{"note": "plain"}"#, false),
            (r#"{"note": "a \"quoted\" word, a tab\t and \\ a backslash"}"#, false),
            (r#"{"note": "\u00e9 is é"}"#, false),
            (r#"{"note": "an escaped backslash: \\u0000"}"#, false),
            (r#"{"note": "two: \\\\u0000"}"#, false),
            (r#"{"note": "\\\u0000"}"#, true),
            (r#"{"note": "a\u0000b"}"#, true),
            (r#"{"note": "\ud800"}"#, true),
            (r#"{"note": "\uDE00"}"#, true),
            (r#"{"note": "ends with an escape\\"}"#, false),
        ];
        for (text, suspicious) in cases {
            assert_eq!(has_suspicious_escape(text), suspicious, "{text}");
            assert!(serde_json::from_str::<serde_json::Value>(text).is_ok() || suspicious, "{text} is JSON");
        }
    }

    #[test]
    fn text_postgres_cannot_hold_is_a_fault_of_that_event_alone() {
        let device = DeviceId::new();
        let mut nul = event(2);
        nul["document"] = json!({ "lines": [{ "note": "a\u{0}b" }] });
        let lone_surrogate =
            serde_json::to_string(&event(3)).unwrap().replace(r#""document":{}"#, r#""document":{"note":"\ud800"}"#);
        let body = format!(
            r#"{{"protocol":1,"device_id":"{device}","events":[{},{},{lone_surrogate},{}]}}"#,
            event(1),
            nul,
            event(4)
        );
        let events = parse_push(body.as_bytes(), device).unwrap();
        assert_eq!(events.len(), 4, "the batch is taken");
        assert_eq!(events[0].text_fault, None);
        let nul_fault = events[1].text_fault.as_ref().expect("the NUL is found");
        assert_eq!(nul_fault.code, "invalid_text");
        assert!(nul_fault.message.starts_with("document.lines[0].note"), "{}", nul_fault.message);
        assert_eq!(events[2].text_fault.as_ref().map(|fault| fault.code.as_str()), Some("invalid_text"));
        // What Postgres' json cannot hold is kept as one JSON string of the text as sent.
        assert_eq!(events[2].value(), serde_json::Value::String(events[2].raw.get().to_string()));
        assert_eq!(events[1].stored(), events[1].raw.get(), "json holds a NUL escape; only text columns cannot");
        assert_eq!(events[3].text_fault, None);
    }

    #[test]
    fn each_envelope_mistake_names_its_field() {
        let device = DeviceId::new();
        let mut missing = event(1);
        missing.as_object_mut().unwrap().remove("business_id");
        let mut mistyped = event(2);
        mistyped["device_seq"] = json!("two");
        let mut nul_type = event(1);
        nul_type["type"] = json!("sale\u{0}recorded");
        let cases: Vec<(Vec<u8>, u16, &str, &str)> = vec![
            (b"{not json".to_vec(), 400, "malformed_request", "body"),
            (push(device, vec![missing]), 400, "malformed_event", "events[0]"),
            (push(device, vec![event(1), mistyped]), 400, "malformed_event", "events[1].device_seq"),
            (push(device, vec![event(1), event(3)]), 400, "not_in_sequence", "events[1].device_seq"),
            (push(device, vec![event(0)]), 400, "invalid_device_seq", "events[0].device_seq"),
            (push(device, vec![nul_type]), 400, "invalid_type", "events[0].type"),
            (push(DeviceId::new(), vec![event(1)]), 403, "device_mismatch", "device_id"),
            (push(device, (1..=501).map(event).collect()), 413, "too_large", "events"),
        ];
        for (body, status, code, field) in cases {
            assert_eq!(refusal(&body, device), (status, code.to_string(), Some(field.to_string())), "{code}");
        }
        let wrong_protocol = serde_json::to_vec(&json!({ "protocol": 2, "device_id": device, "events": [] })).unwrap();
        assert_eq!(refusal(&wrong_protocol, device).2.as_deref(), Some("protocol"));
    }
}
