//! Safety numbers over explicit device key sets, for JavaScript that has the
//! device lists from the server rather than from a conversation.

use alcove_crypto::{DeviceId, DeviceKey, PersonKeys, UserId};
use wasm_bindgen::prelude::*;

use crate::error::{Error, Result};
use crate::value::{In, Js};
use crate::views;

/// Reads `{ userId, devices: [{ deviceId, signatureKey }] }`.
pub fn person_from<V: In>(v: &V, devices: Vec<V>) -> Result<PersonKeys> {
    let user = v
        .field("userId")
        .and_then(|f| f.as_string())
        .ok_or(Error::invalid("userId"))?;
    let devices = devices
        .iter()
        .map(|d| {
            let device = d
                .field("deviceId")
                .and_then(|f| f.as_string())
                .ok_or(Error::invalid("deviceId"))?;
            let signature_key = d
                .field("signatureKey")
                .and_then(|f| f.as_bytes())
                .ok_or(Error::invalid("signatureKey"))?;
            Ok(DeviceKey {
                device: DeviceId::new(device)?,
                signature_key,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(PersonKeys {
        user: UserId::new(user)?,
        devices,
    })
}

fn person(v: JsValue) -> Result<PersonKeys> {
    let v = Js(v);
    let devices = v
        .field("devices")
        .filter(|d| js_sys::Array::is_array(&d.0))
        .ok_or(Error::invalid("devices"))?;
    let items: Vec<Js> = js_sys::Array::from(&devices.0).iter().map(Js).collect();
    person_from(&v, items)
}

/// The safety number of two people given as `{ userId, devices: [{
/// deviceId, signatureKey }] }`: `{ digits, display, qr }`, the same in
/// either argument order.
#[wasm_bindgen(js_name = safetyNumber, unchecked_return_type = "SafetyNumber")]
pub fn safety_number(
    #[wasm_bindgen(unchecked_param_type = "PersonKeys")] a: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PersonKeys")] b: JsValue,
) -> Result<JsValue> {
    let sn = alcove_crypto::safety_number(&person(a)?, &person(b)?)?;
    Ok(views::safety_number::<Js>(&sn).0)
}

/// The QR code of a safety number's `qr` payload as a square module matrix: `{ size, modules }`
/// with `modules[y * size + x]` 1 for dark. JavaScript draws it (for example as SVG rects).
pub fn qr_matrix(payload: &[u8]) -> Result<(usize, Vec<u8>)> {
    let code = qrcode::QrCode::with_error_correction_level(payload, qrcode::EcLevel::M)
        .map_err(|_| Error::invalid("QR payload"))?;
    let size = code.width();
    let modules = code
        .to_colors()
        .iter()
        .map(|c| u8::from(*c == qrcode::Color::Dark))
        .collect();
    Ok((size, modules))
}

/// `qrMatrix(payload)`: `{ size, modules }` (see [`qr_matrix`]).
#[wasm_bindgen(js_name = qrMatrix, unchecked_return_type = "QrMatrix")]
pub fn qr_matrix_js(payload: &[u8]) -> Result<JsValue> {
    let (size, modules) = qr_matrix(payload)?;
    let out = js_sys::Object::new();
    let set = |k: &str, v: JsValue| js_sys::Reflect::set(&out, &JsValue::from_str(k), &v);
    set("size", JsValue::from_f64(size as f64)).map_err(|_| Error::invalid("QR"))?;
    set(
        "modules",
        js_sys::Uint8Array::from(modules.as_slice()).into(),
    )
    .map_err(|_| Error::invalid("QR"))?;
    Ok(out.into())
}
