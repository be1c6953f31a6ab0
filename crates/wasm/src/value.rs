//! Two small traits that let the facade read and build plain JavaScript
//! values without tying its logic to `JsValue`: [`In`] reads an object's
//! fields, [`Out`] builds objects, arrays and scalars. [`Js`] implements both
//! over real JavaScript values; the host tests implement them over
//! `serde_json::Value`, so every conversion is tested without a JS engine.

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

/// Reads fields of a JavaScript-like object.
pub trait In: Sized {
    /// The field `key`; `None` when missing, `undefined` or `null`.
    fn field(&self, key: &str) -> Option<Self>;
    /// The value as a string, if it is one.
    fn as_string(&self) -> Option<String>;
    /// The value as a number, if it is one.
    fn as_number(&self) -> Option<f64>;
    /// The value as a boolean, if it is one.
    fn as_boolean(&self) -> Option<bool>;
    /// The value as bytes, if it is a `Uint8Array`.
    fn as_bytes(&self) -> Option<Vec<u8>>;
}

/// Builds JavaScript-like values.
pub trait Out: Sized {
    /// An empty object.
    fn object() -> Self;
    /// Sets `key` on an object built by [`Out::object`].
    fn set(&mut self, key: &str, value: Self);
    /// An array.
    fn array(items: Vec<Self>) -> Self;
    /// A string.
    fn string(s: &str) -> Self;
    /// A number.
    fn number(n: f64) -> Self;
    /// A boolean.
    fn boolean(b: bool) -> Self;
    /// A byte array (`Uint8Array` in JavaScript).
    fn bytes(b: &[u8]) -> Self;
    /// `null`.
    fn null() -> Self;

    /// [`Out::set`] in builder style.
    fn with(mut self, key: &str, value: Self) -> Self {
        self.set(key, value);
        self
    }
}

/// The largest integer a JavaScript number holds exactly (2^53 − 1).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A JavaScript number that must be a non-negative safe integer.
pub fn to_u64(n: f64) -> Option<u64> {
    if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= MAX_SAFE_INTEGER as f64 {
        Some(n as u64)
    } else {
        None
    }
}

/// A `u64` as a JavaScript number (epochs, sizes and sequence numbers stay
/// far below 2^53; larger values are clamped rather than silently rounded).
pub fn from_u64(n: u64) -> f64 {
    n.min(MAX_SAFE_INTEGER) as f64
}

/// A real JavaScript value.
pub struct Js(pub JsValue);

impl In for Js {
    fn field(&self, key: &str) -> Option<Self> {
        if !self.0.is_object() {
            return None;
        }
        let v = Reflect::get(&self.0, &JsValue::from_str(key)).ok()?;
        (!v.is_undefined() && !v.is_null()).then_some(Js(v))
    }
    fn as_string(&self) -> Option<String> {
        self.0.as_string()
    }
    fn as_number(&self) -> Option<f64> {
        self.0.as_f64()
    }
    fn as_boolean(&self) -> Option<bool> {
        self.0.as_bool()
    }
    fn as_bytes(&self) -> Option<Vec<u8>> {
        self.0.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec)
    }
}

impl Out for Js {
    fn object() -> Self {
        Js(Object::new().into())
    }
    fn set(&mut self, key: &str, value: Self) {
        // Defining a data property on a plain, extensible object cannot fail.
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value.0);
    }
    fn array(items: Vec<Self>) -> Self {
        Js(items.into_iter().map(|i| i.0).collect::<Array>().into())
    }
    fn string(s: &str) -> Self {
        Js(JsValue::from_str(s))
    }
    fn number(n: f64) -> Self {
        Js(JsValue::from_f64(n))
    }
    fn boolean(b: bool) -> Self {
        Js(JsValue::from_bool(b))
    }
    fn bytes(b: &[u8]) -> Self {
        Js(Uint8Array::from(b).into())
    }
    fn null() -> Self {
        Js(JsValue::NULL)
    }
}

#[cfg(test)]
pub(crate) mod json {
    //! `In` and `Out` over `serde_json::Value` for host tests; bytes are
    //! arrays of numbers.

    use super::{In, Out};
    use serde_json::{Map, Value};

    /// A JSON value standing in for a JavaScript value.
    #[derive(Clone, Debug, PartialEq)]
    pub struct J(pub Value);

    impl In for J {
        fn field(&self, key: &str) -> Option<Self> {
            match self.0.get(key) {
                None | Some(Value::Null) => None,
                Some(v) => Some(J(v.clone())),
            }
        }
        fn as_string(&self) -> Option<String> {
            self.0.as_str().map(str::to_string)
        }
        fn as_number(&self) -> Option<f64> {
            self.0.as_f64()
        }
        fn as_boolean(&self) -> Option<bool> {
            self.0.as_bool()
        }
        fn as_bytes(&self) -> Option<Vec<u8>> {
            self.0
                .as_array()?
                .iter()
                .map(|v| v.as_u64().and_then(|n| u8::try_from(n).ok()))
                .collect()
        }
    }

    impl Out for J {
        fn object() -> Self {
            J(Value::Object(Map::new()))
        }
        fn set(&mut self, key: &str, value: Self) {
            if let Value::Object(m) = &mut self.0 {
                m.insert(key.to_string(), value.0);
            }
        }
        fn array(items: Vec<Self>) -> Self {
            J(Value::Array(items.into_iter().map(|i| i.0).collect()))
        }
        fn string(s: &str) -> Self {
            J(Value::from(s))
        }
        fn number(n: f64) -> Self {
            J(Value::from(n))
        }
        fn boolean(b: bool) -> Self {
            J(Value::from(b))
        }
        fn bytes(b: &[u8]) -> Self {
            J(Value::Array(b.iter().map(|&x| Value::from(x)).collect()))
        }
        fn null() -> Self {
            J(Value::Null)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_integers() {
        assert_eq!(to_u64(0.0), Some(0));
        assert_eq!(to_u64(42.0), Some(42));
        assert_eq!(to_u64(MAX_SAFE_INTEGER as f64), Some(MAX_SAFE_INTEGER));
        assert_eq!(to_u64(-1.0), None);
        assert_eq!(to_u64(1.5), None);
        assert_eq!(to_u64(f64::NAN), None);
        assert_eq!(to_u64(f64::INFINITY), None);
        assert_eq!(to_u64(2f64.powi(53)), None);
        assert_eq!(from_u64(7), 7.0);
        assert_eq!(from_u64(u64::MAX), MAX_SAFE_INTEGER as f64);
    }
}
