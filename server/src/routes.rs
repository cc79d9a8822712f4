//! The `/api/v1` routes, one `configure` per capability.

use utoipa_actix_web::service_config::ServiceConfig;

pub fn api_v1(_cfg: &mut ServiceConfig) {}
