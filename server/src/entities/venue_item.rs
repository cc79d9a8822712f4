use sea_orm::entity::prelude::*;
use zhibu_shared::governance::VenueItem;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "venue_item")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub org_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub item: VenueItem,
    pub met: bool,
}

impl ActiveModelBehavior for ActiveModel {}
