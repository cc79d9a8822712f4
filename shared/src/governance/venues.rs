//! The 十有 checklist of a village venue.

use super::*;

vocabulary! {
    /// The 十有 standard of a village venue.
    VenueItem {
        Site = "site", "有固定场所";
        Sign = "sign", "有标识牌匾";
        Flag = "flag", "有党旗党徽";
        Rules = "rules", "有制度上墙";
        MeetingRoom = "meeting_room", "有会议活动室";
        Education = "education", "有远程教育设备";
        Books = "books", "有党建书报";
        Archive = "archive", "有档案资料";
        Service = "service", "有便民服务";
        Culture = "culture", "有文体活动设施";
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VenueItemRequest {
    pub item: VenueItem,
    pub met: bool,
    #[serde(default)]
    pub photo_ids: Vec<i64>,
}

/// `PUT /orgs/{id}/venue`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VenueRequest {
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub area_m2: Option<u32>,
    pub items: Vec<VenueItemRequest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VenueItemState {
    pub item: VenueItem,
    pub met: bool,
    pub photos: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Venue {
    pub org: IdName,
    /// False until the venue is first registered.
    pub registered: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_m2: Option<u32>,
    /// Every item of the standard, in its order.
    pub items: Vec<VenueItemState>,
    /// How many of the ten are met.
    pub met: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub updated_at: Option<DateTime<FixedOffset>>,
}
