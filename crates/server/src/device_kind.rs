//! A coarse description of the device someone signed in from, read from the User-Agent
//! header: browser family, operating system and form ("Chrome on Android, phone"). Nothing
//! finer (no versions, no models) is kept; a missing or odd header is "unknown device".

use axum::http::{header, HeaderMap};

/// The kind of device a request came from.
pub fn device_kind(headers: &HeaderMap) -> String {
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    describe(ua)
}

/// Describes a User-Agent string.
pub fn describe(ua: &str) -> String {
    let has = |s: &str| ua.contains(s);
    let system = if has("Android") {
        Some("Android")
    } else if has("iPhone") || has("iPad") || has("iPod") {
        Some("iOS")
    } else if has("CrOS") {
        Some("ChromeOS")
    } else if has("Windows") {
        Some("Windows")
    } else if has("Mac OS X") || has("Macintosh") {
        Some("macOS")
    } else if has("Linux") {
        Some("Linux")
    } else {
        None
    };
    let browser = if has("Edg/") {
        Some("Edge")
    } else if has("Firefox/") || has("FxiOS/") {
        Some("Firefox")
    } else if has("OPR/") {
        Some("Opera")
    } else if has("Chrome/") || has("Chromium/") || has("CriOS/") {
        Some("Chrome")
    } else if has("Safari/") {
        Some("Safari")
    } else {
        None
    };
    let form = if has("iPad") || has("Tablet") {
        "tablet"
    } else if has("Mobile") || has("iPhone") || (has("Android") && !has("Tablet")) {
        "phone"
    } else {
        "computer"
    };
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}, {form}"),
        (None, Some(s)) => format!("{s} {form}"),
        (Some(b), None) => format!("{b}, {form}"),
        (None, None) => "unknown device".to_owned(),
    }
}

/// Records the kind of device of a successful sign-in for the secureness checklist. A failure
/// to record it does not fail the sign-in.
pub async fn remember(
    state: &crate::state::AppState,
    user: &alcove_types::UserId,
    headers: &HeaderMap,
    now: i64,
) {
    if state
        .store
        .record_sign_in_device(user, &device_kind(headers), now)
        .await
        .is_err()
    {
        tracing::warn!("could not record the kind of device of a sign-in");
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn common_browsers_are_named_coarsely() {
        assert_eq!(
            describe("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36"),
            "Chrome on Linux, computer"
        );
        assert_eq!(
            describe("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"),
            "Safari on iOS, phone"
        );
        assert_eq!(
            describe("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"),
            "Chrome on Android, phone"
        );
        assert_eq!(
            describe("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0"),
            "Edge on Windows, computer"
        );
        assert_eq!(
            describe("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:121.0) Gecko/20100101 Firefox/121.0"),
            "Firefox on macOS, computer"
        );
        assert_eq!(describe(""), "unknown device");
        assert_eq!(describe("curl/8.0"), "unknown device");
        // Nothing of the header beyond the coarse words comes through.
        assert!(
            !describe("Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.1234.5 Safari/537.36")
                .contains("156")
        );
    }
}
