//! Where a link opens inside the WeChat mini-program, beside the web URL the
//! PWA opens. The mini-program's page paths are part of the API contract
//! (docs/api.md, "Links"), so both clients open the same thing.

use serde::{Deserialize, Serialize};

/// The mini-program page that checks in to a theme day.
pub const CHECKIN_PAGE: &str = "pages/checkin/index";
/// The mini-program page that shows a certificate's figures.
pub const CERTIFICATE_PAGE: &str = "pages/certificate/index";
/// `wxacode.getUnlimited` takes at most this many characters of scene.
pub const MAX_SCENE: usize = 32;

/// A mini-program link: `path` for `wx.navigateTo` or `wxacode.get`, and
/// `page` with `scene` for `wxacode.getUnlimited` (the page reads
/// `options.scene`, URL-decoded, as `key=value&…`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MiniProgramLink {
    /// The page and its query, e.g. `pages/checkin/index?theme_day=12&token=…`.
    pub path: String,
    /// The page alone, e.g. `pages/checkin/index`.
    pub page: String,
    /// At most 32 characters, e.g. `d=12&c=123456`.
    pub scene: String,
}

/// The check-in link of one 30-second step: the QR token in the path, the
/// six-digit code in the scene (which has no room for the token).
pub fn checkin(theme_day_id: i64, token: &str, short_code: &str) -> MiniProgramLink {
    MiniProgramLink {
        path: format!("{CHECKIN_PAGE}?theme_day={theme_day_id}&token={token}"),
        page: CHECKIN_PAGE.to_owned(),
        scene: format!("d={theme_day_id}&c={short_code}"),
    }
}

/// The link that shows a certificate.
pub fn certificate(number: &str) -> MiniProgramLink {
    MiniProgramLink {
        path: format!("{CERTIFICATE_PAGE}?number={number}"),
        page: CERTIFICATE_PAGE.to_owned(),
        scene: format!("n={number}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenes_fit_wxacode_get_unlimited() {
        let check_in = checkin(9_999_999_999, "123.abc", "012345");
        assert!(check_in.scene.len() <= MAX_SCENE, "{}", check_in.scene);
        assert!(check_in.path.starts_with(CHECKIN_PAGE));
        let cert = certificate("ZBABCDEFGHJKLM");
        assert!(cert.scene.len() <= MAX_SCENE);
        assert_eq!(cert.path, "pages/certificate/index?number=ZBABCDEFGHJKLM");
    }
}
