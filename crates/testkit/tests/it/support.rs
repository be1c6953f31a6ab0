//! Shared helpers: a relying party and full ceremonies that report which
//! side (the authenticator or webauthn-rs) refused.

use alcove_testkit::SoftAuthenticator;
use serde_json::Value;
use url::Url;
use uuid::Uuid;
use webauthn_rs::prelude::{
    AuthenticationResult, CredentialID, DiscoverableKey, Passkey, PublicKeyCredential,
    RegisterPublicKeyCredential, WebauthnError,
};
use webauthn_rs::{Webauthn, WebauthnBuilder};

/// The relying party id of the test server.
pub const RP_ID: &str = "alcove.example";
/// The origin of the test server.
pub const ORIGIN: &str = "https://alcove.example";

/// Which side refused a ceremony.
#[derive(Debug)]
pub enum Failure {
    /// The authenticator (or the browser it stands in for) refused.
    Client(alcove_testkit::Error),
    /// webauthn-rs refused the response.
    Server(WebauthnError),
    /// The response named a credential the server does not know.
    UnknownCredential,
}

impl Failure {
    /// The authenticator's error kind, if it refused.
    pub fn client_kind(&self) -> Option<alcove_testkit::ErrorKind> {
        match self {
            Failure::Client(e) => Some(e.kind()),
            _ => None,
        }
    }
}

/// A relying party for `RP_ID` at `ORIGIN`.
pub fn relying_party() -> Webauthn {
    relying_party_at(RP_ID, ORIGIN)
}

/// A relying party for `rp_id` at `origin`.
pub fn relying_party_at(rp_id: &str, origin: &str) -> Webauthn {
    let origin = Url::parse(origin).expect("test origin parses");
    WebauthnBuilder::new(rp_id, &origin)
        .expect("valid relying party")
        .rp_name("Alcove")
        .build()
        .expect("relying party builds")
}

/// Serialises a webauthn-rs challenge as the server sends it.
pub fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("challenge serialises")
}

/// A full passkey registration of `user`.
pub fn register(
    rp: &Webauthn,
    authenticator: &mut SoftAuthenticator,
    user: Uuid,
    exclude: Option<Vec<CredentialID>>,
) -> Result<Passkey, Failure> {
    let (challenge, state) = rp
        .start_passkey_registration(user, "client", "A Client", exclude)
        .expect("registration starts");
    let answer = authenticator
        .register(&to_json(&challenge))
        .map_err(Failure::Client)?;
    let credential: RegisterPublicKeyCredential =
        serde_json::from_value(answer).expect("answer is a RegisterPublicKeyCredential");
    rp.finish_passkey_registration(&credential, &state)
        .map_err(Failure::Server)
}

/// A full discoverable sign-in; on success, the user found and the result.
/// The matching passkey in `passkeys` is updated as a server would.
pub fn sign_in(
    rp: &Webauthn,
    authenticator: &mut SoftAuthenticator,
    passkeys: &mut [Passkey],
) -> Result<(Uuid, AuthenticationResult), Failure> {
    let (challenge, state) = rp
        .start_discoverable_authentication()
        .expect("sign-in starts");
    let answer = authenticator
        .authenticate(&to_json(&challenge))
        .map_err(Failure::Client)?;
    finish_sign_in(rp, answer, state, passkeys)
}

/// The server's half of a discoverable sign-in.
pub fn finish_sign_in(
    rp: &Webauthn,
    answer: Value,
    state: webauthn_rs::prelude::DiscoverableAuthentication,
    passkeys: &mut [Passkey],
) -> Result<(Uuid, AuthenticationResult), Failure> {
    let credential: PublicKeyCredential =
        serde_json::from_value(answer).expect("answer is a PublicKeyCredential");
    let (user, credential_id) = rp
        .identify_discoverable_authentication(&credential)
        .map_err(Failure::Server)?;
    let passkey = passkeys
        .iter_mut()
        .find(|p| p.cred_id().as_slice() == credential_id)
        .ok_or(Failure::UnknownCredential)?;
    let result = rp
        .finish_discoverable_authentication(&credential, state, &[DiscoverableKey::from(&*passkey)])
        .map_err(Failure::Server)?;
    passkey.update_credential(&result);
    Ok((user, result))
}
