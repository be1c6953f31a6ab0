//! The checks a browser makes before it lets a page talk to an authenticator.
//!
//! A browser only calls the authenticator when the page is a secure context and
//! the relying party id the page asks for is the page's own host or a parent
//! domain of it. This is what makes a passkey useless on a look-alike site:
//! `https://alcove-example.com` cannot ask for credentials of `alcove.example`.

use url::{Host, Url};

use crate::error::{Error, ErrorKind};

/// A secure web origin, as the browser would put it into `clientDataJSON`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WebOrigin {
    /// `scheme://host[:port]`, without a trailing slash.
    pub(crate) serialized: String,
    /// The origin's host: its effective domain.
    pub(crate) host: String,
}

/// Parses `origin` and checks that it is a secure context a browser would
/// offer WebAuthn to: `https:` on a domain, or `http:` on `localhost`.
///
/// IP addresses are refused, as browsers refuse them for WebAuthn.
pub(crate) fn parse_origin(origin: &str) -> Result<WebOrigin, Error> {
    let url = Url::parse(origin)
        .map_err(|_| Error::new(ErrorKind::InvalidOrigin, "origin is not a URL"))?;
    let host = match url.host() {
        Some(Host::Domain(domain)) => domain.to_owned(),
        Some(Host::Ipv4(_) | Host::Ipv6(_)) => {
            return Err(Error::new(
                ErrorKind::InvalidOrigin,
                "browsers offer WebAuthn on domains only, not on IP addresses",
            ))
        }
        None => return Err(Error::new(ErrorKind::InvalidOrigin, "origin has no host")),
    };
    let secure = match url.scheme() {
        "https" => true,
        "http" => host == "localhost" || host.ends_with(".localhost"),
        _ => false,
    };
    if !secure {
        return Err(Error::new(
            ErrorKind::InvalidOrigin,
            "origin is not a secure context (https, or http on localhost)",
        ));
    }
    Ok(WebOrigin {
        serialized: url.origin().ascii_serialization(),
        host,
    })
}

/// Whether a page on `host` may use the relying party id `rp_id`: it must be
/// the host itself or a parent domain of it (a "registrable domain suffix").
///
/// Browsers also refuse public suffixes such as `com` or `co.uk`; without a
/// public suffix list this only refuses single-label ids other than
/// `localhost`, which is enough for tests.
pub(crate) fn rp_id_allowed(rp_id: &str, host: &str) -> bool {
    // The id must already be a canonical (lower-case, punycode) domain.
    match Host::parse(rp_id) {
        Ok(Host::Domain(canonical)) if canonical == rp_id => {}
        _ => return false,
    }
    if rp_id == host {
        return true;
    }
    let Some(prefix) = host.strip_suffix(rp_id) else {
        return false;
    };
    let on_label_boundary = prefix.len() > 1 && prefix.ends_with('.');
    let not_a_bare_suffix = rp_id.contains('.') || rp_id == "localhost";
    on_label_boundary && not_a_bare_suffix
}

/// Checks `rp_id` against `origin` the way a browser does before it calls
/// the authenticator.
pub(crate) fn check_rp_id(rp_id: &str, origin: &WebOrigin) -> Result<(), Error> {
    if rp_id_allowed(rp_id, &origin.host) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::RpIdMismatch,
            "the page's origin may not use this relying party id",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_rp(rp_id: &str, origin: &str, expected: bool) {
        let parsed = parse_origin(origin);
        let allowed = match &parsed {
            Ok(o) => check_rp_id(rp_id, o).is_ok(),
            Err(_) => false,
        };
        assert_eq!(allowed, expected, "rp id {rp_id:?} on origin {origin:?}");
    }

    #[test]
    fn rp_id_must_be_the_host_or_a_parent_domain() {
        check_rp("alcove.example", "https://alcove.example", true);
        check_rp("alcove.example", "https://alcove.example:8443", true);
        check_rp("alcove.example", "https://app.alcove.example", true);
        check_rp("app.alcove.example", "https://app.alcove.example", true);
        check_rp("localhost", "http://localhost:8080", true);
        check_rp("localhost", "https://localhost", true);
        check_rp("localhost", "http://app.localhost", true);
        // Look-alike and unrelated origins.
        check_rp("alcove.example", "https://alcove-example.com", false);
        check_rp("alcove.example", "https://alcove.example.evil.test", false);
        check_rp("alcove.example", "https://xalcove.example", false);
        check_rp("alcove.example", "https://alcove.examp1e", false);
        check_rp("alcove.example", "https://xn--lcove-6qa.example", false);
        // A child domain may not claim its parent's sibling or its own child.
        check_rp("app.alcove.example", "https://alcove.example", false);
        check_rp("other.alcove.example", "https://app.alcove.example", false);
        // Bare top-level labels, odd spellings, empty ids.
        check_rp("example", "https://alcove.example", false);
        check_rp("Alcove.Example", "https://alcove.example", false);
        check_rp(".alcove.example", "https://app.alcove.example", false);
        check_rp("", "https://alcove.example", false);
        check_rp("alcove.example.", "https://alcove.example", false);
    }

    #[test]
    fn origin_must_be_a_secure_context_on_a_domain() {
        let check = |origin: &str, expected: Option<&str>| {
            let got = parse_origin(origin).ok().map(|o| o.serialized);
            assert_eq!(got.as_deref(), expected, "origin {origin:?}");
        };
        check("https://alcove.example", Some("https://alcove.example"));
        check("https://alcove.example/", Some("https://alcove.example"));
        check(
            "https://ALCOVE.example:443/x?y",
            Some("https://alcove.example"),
        );
        check(
            "https://alcove.example:8443",
            Some("https://alcove.example:8443"),
        );
        check("http://localhost:3000", Some("http://localhost:3000"));
        check("http://alcove.example", None);
        check("https://127.0.0.1", None);
        check("https://[::1]:8443", None);
        check("file:///etc/passwd", None);
        check("data:text/html,hi", None);
        check("not a url", None);
        check("", None);
    }
}
