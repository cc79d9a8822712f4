//! The venue registry and its 十有 checklist.

use serde_json::{Value, json};
use zhibu_tests::{demo, spawn_demo_app};

use super::*;

#[tokio::test]
async fn a_venue_meeting_all_ten_items_counts_as_complete_for_the_county() {
    let app = spawn_demo_app().await;
    let secretary = app.token(demo::SECRETARY).await;
    let admin = app.token(demo::ADMIN).await;
    let branch = branch_a(&app).await;
    let county = app.org_id(&[demo::COUNTY]).await;
    let empty: Value = app
        .get(&format!("/orgs/{branch}/venue"), &secretary)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(empty["registered"], false);
    assert_eq!(empty["items"].as_array().unwrap().len(), 10);
    let photo: Value = upload(&app, &secretary, branch, "牌匾.png", png())
        .await
        .json()
        .await
        .unwrap();
    let all: Vec<Value> = zhibu_shared::governance::VenueItem::ALL
        .iter()
        .map(|i| {
            json!({"item": i.code(), "met": true, "photo_ids": if i.code() == "sign" { json!([photo["id"]]) } else { json!([]) }})
        })
        .collect();
    let put = |items: Vec<Value>| {
        app.client
            .put(app.api(&format!("/orgs/{branch}/venue")))
            .bearer_auth(&secretary)
            .json(&json!({"address": "东关村委会院内", "area_m2": 180, "items": items}))
            .send()
    };
    let r = put(all.clone()).await.unwrap();
    assert_eq!(r.status(), 200);
    let venue: Value = r.json().await.unwrap();
    assert_eq!(venue["met"], 10);
    let sign = venue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == "sign")
        .unwrap();
    assert_eq!(sign["photos"][0]["id"], photo["id"]);
    let counts = |o: Value| {
        (
            o["total"]["venues"].clone(),
            o["total"]["venues_complete"].clone(),
        )
    };
    let overview: Value = app
        .get(&format!("/orgs/{county}/governance"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(counts(overview), (json!(1), json!(1)));
    let mut nine = all.clone();
    nine[0]["met"] = json!(false);
    nine[1]["photo_ids"] = json!([]);
    assert_eq!(put(nine).await.unwrap().status(), 200);
    let overview: Value = app
        .get(&format!("/orgs/{county}/governance"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(counts(overview), (json!(1), json!(0)));
}
