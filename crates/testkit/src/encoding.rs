//! Byte-level encodings of WebAuthn: base64url, `clientDataJSON`,
//! authenticator data, the COSE public key and the attestation object.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use ciborium::Value as Cbor;
use p256::ecdsa::VerifyingKey;
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind};
use crate::options::COSE_ALG_ES256;

/// Decodes base64url with or without padding, the two forms relying parties send.
const B64URL_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Flag bits of authenticator data (WebAuthn §6.1).
pub(crate) mod flags {
    /// User present.
    pub(crate) const UP: u8 = 0x01;
    /// User verified.
    pub(crate) const UV: u8 = 0x04;
    /// Backup eligible.
    pub(crate) const BE: u8 = 0x08;
    /// Backed up.
    pub(crate) const BS: u8 = 0x10;
    /// Attested credential data included.
    pub(crate) const AT: u8 = 0x40;
}

/// Encodes bytes as base64url without padding, as browsers' JSON encoders do.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url, padded or not; `None` for anything else.
pub(crate) fn decode_b64url(text: &str) -> Option<Vec<u8>> {
    B64URL_LENIENT.decode(text).ok()
}

pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The `clientDataJSON` bytes a browser produces, fields in the browser's order.
pub(crate) fn client_data_json(ceremony: &str, challenge: &[u8], origin: &str) -> Vec<u8> {
    // `Value::String` serialisation escapes the origin; it cannot fail.
    let origin = serde_json::Value::String(origin.to_owned()).to_string();
    format!(
        r#"{{"type":"{ceremony}","challenge":"{}","origin":{origin},"crossOrigin":false}}"#,
        b64url(challenge)
    )
    .into_bytes()
}

/// Authenticator data without attested credential data (used for assertions).
pub(crate) fn authenticator_data(rp_id: &str, flag_bits: u8, counter: u32) -> Vec<u8> {
    let mut data = Vec::with_capacity(37);
    data.extend_from_slice(&sha256(rp_id.as_bytes()));
    data.push(flag_bits);
    data.extend_from_slice(&counter.to_be_bytes());
    data
}

/// The credential public key as a COSE_Key map (RFC 9053 EC2, in CTAP2
/// canonical key order).
pub(crate) fn cose_public_key(key: &VerifyingKey) -> Result<Vec<u8>, Error> {
    let point = key.to_encoded_point(false);
    let (Some(x), Some(y)) = (point.x(), point.y()) else {
        return Err(Error::new(
            ErrorKind::Encoding,
            "public key is the identity",
        ));
    };
    let map = Cbor::Map(vec![
        (Cbor::from(1), Cbor::from(2)),              // kty: EC2
        (Cbor::from(3), Cbor::from(COSE_ALG_ES256)), // alg: ES256
        (Cbor::from(-1), Cbor::from(1)),             // crv: P-256
        (Cbor::from(-2), Cbor::Bytes(x.to_vec())),   // x
        (Cbor::from(-3), Cbor::Bytes(y.to_vec())),   // y
    ]);
    to_cbor(&map)
}

/// Authenticator data with attested credential data (used for registration).
/// The AAGUID is all zeroes, as browsers send it with `none` attestation.
pub(crate) fn attested_authenticator_data(
    rp_id: &str,
    flag_bits: u8,
    counter: u32,
    credential_id: &[u8],
    cose_key: &[u8],
) -> Result<Vec<u8>, Error> {
    let id_len = u16::try_from(credential_id.len())
        .map_err(|_| Error::new(ErrorKind::Encoding, "credential id too long"))?;
    let mut data = authenticator_data(rp_id, flag_bits | flags::AT, counter);
    data.extend_from_slice(&[0u8; 16]);
    data.extend_from_slice(&id_len.to_be_bytes());
    data.extend_from_slice(credential_id);
    data.extend_from_slice(cose_key);
    Ok(data)
}

/// An attestation object with the `none` attestation format.
pub(crate) fn none_attestation_object(auth_data: Vec<u8>) -> Result<Vec<u8>, Error> {
    let map = Cbor::Map(vec![
        (Cbor::from("fmt"), Cbor::from("none")),
        (Cbor::from("attStmt"), Cbor::Map(Vec::new())),
        (Cbor::from("authData"), Cbor::Bytes(auth_data)),
    ]);
    to_cbor(&map)
}

fn to_cbor(value: &Cbor) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out)
        .map_err(|_| Error::new(ErrorKind::Encoding, "CBOR encoding failed"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_and_accepts_padding() {
        let check = |text: &str, expected: Option<&[u8]>| {
            assert_eq!(decode_b64url(text).as_deref(), expected, "{text:?}");
        };
        check("", Some(b""));
        check("AQID", Some(&[1, 2, 3]));
        check("_-8", Some(&[0xff, 0xef]));
        check("_-8=", Some(&[0xff, 0xef]));
        check("/+8", None);
        check("A", None);
        check("a b", None);
        assert_eq!(b64url(&[0xff, 0xef]), "_-8");
    }

    #[test]
    fn client_data_has_the_browser_shape() {
        let json = client_data_json("webauthn.get", &[1, 2, 3], "https://a.example");
        assert_eq!(
            String::from_utf8(json).ok().as_deref(),
            Some(
                r#"{"type":"webauthn.get","challenge":"AQID","origin":"https://a.example","crossOrigin":false}"#
            )
        );
    }

    #[test]
    fn authenticator_data_layout() {
        let data = authenticator_data("a.example", flags::UP | flags::UV, 0x0102_0304);
        assert_eq!(data.len(), 37);
        assert_eq!(&data[..32], &sha256(b"a.example"));
        assert_eq!(data[32], 0x05);
        assert_eq!(&data[33..], &[1, 2, 3, 4]);
    }
}
