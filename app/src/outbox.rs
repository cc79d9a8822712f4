//! The offline queue: check-ins and service logs that could not be sent
//! because the network was gone wait in `localStorage` and are sent again,
//! with the same id and the same body, when the browser comes back online
//! and whenever the app starts. The server treats a replay of the same id
//! and body as the same row, so sending twice never counts twice. What the
//! server made of each stays in the list: accepted ones for as long as the
//! app is open, refused ones (with the reason) until the member dismisses
//! them, across restarts.

use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use zhibu_shared::checkin::ReviewStatus;

use crate::api::{self, ApiError, Replay};
use crate::components::{Toaster, use_toast};
use crate::i18n::{I18n, Strings, use_i18n};
use crate::storage;

const OUTBOX_KEY: &str = "zhibu.outbox";

/// One request waiting for the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Waiting {
    /// The id inside the body: what the list shows and the server dedupes on.
    pub id: String,
    /// `/theme-days/7/checkins` or `/service-logs`.
    pub path: String,
    /// The JSON body, sent byte for byte.
    pub body: String,
    /// What the member recognises it by: the theme day, the service.
    pub label: String,
    pub checkin: bool,
    /// Once sent: what the server made of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fate: Option<Fate>,
}

/// What the server made of a request sent from the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fate {
    pub accepted: bool,
    /// The status it landed with (已同步, 待审核…), or why it was refused.
    pub message: String,
}

/// What became of a request.
pub enum Sent<T> {
    /// The server answered 2xx with this.
    Done(T),
    /// No network: it waits in the queue.
    Queued,
    Failed(ApiError),
}

#[derive(Debug, Clone, Copy)]
pub struct Outbox {
    waiting: RwSignal<Vec<Waiting>>,
    /// Counts deliveries, so lists reload after a sync.
    pub synced: RwSignal<u32>,
    busy: StoredValue<bool>,
    toaster: Toaster,
    i18n: I18n,
}

impl Outbox {
    /// The waiting requests of one kind (tracked).
    pub fn waiting(&self, checkin: bool) -> Vec<Waiting> {
        self.waiting
            .get()
            .into_iter()
            .filter(|w| w.checkin == checkin)
            .collect()
    }

    /// Sends a request (one of the API module's [`Replay`]s), queueing it
    /// when the network is gone. `label` is what the waiting list shows;
    /// `checkin` says which list.
    pub async fn send<T: DeserializeOwned>(
        &self,
        request: Result<Replay<T>, ApiError>,
        label: String,
        checkin: bool,
    ) -> Sent<T> {
        let request = match request {
            Ok(request) => request,
            Err(error) => return Sent::Failed(error),
        };
        let item = Waiting {
            id: request.id.clone(),
            path: request.path.clone(),
            body: request.body.clone(),
            label,
            checkin,
            fate: None,
        };
        match api::post_json(&item.path, item.body.clone()).await {
            Ok((_, text)) => match request.answer(&text) {
                Ok(answer) => Sent::Done(answer),
                Err(error) => Sent::Failed(error),
            },
            Err(ApiError::Network(_)) => {
                self.waiting.update(|list| {
                    if !list.iter().any(|w| w.id == item.id) {
                        list.push(item);
                    }
                });
                self.save();
                Sent::Queued
            }
            Err(error) => Sent::Failed(error),
        }
    }

    /// Takes a row whose fate the member has seen off the list.
    pub fn dismiss(&self, id: &str) {
        self.waiting.update(|list| list.retain(|w| w.id != id));
        self.save();
    }

    /// Keeps what still matters after a restart: the unsent and the refused.
    fn save(&self) {
        let list: Vec<Waiting> = self
            .waiting
            .get_untracked()
            .into_iter()
            .filter(|w| w.fate.as_ref().is_none_or(|f| !f.accepted))
            .collect();
        match serde_json::to_string(&list) {
            Ok(json) if !list.is_empty() => storage::set(OUTBOX_KEY, &json),
            _ => storage::remove(OUTBOX_KEY),
        }
    }

    /// Sends everything waiting, oldest first; stops at the first network
    /// failure. Drops an item once the server has decided on it.
    pub fn flush(self) {
        let unsent = |list: &Vec<Waiting>| list.iter().any(|w| w.fate.is_none());
        if self.busy.get_value() || !api::has_session() || !self.waiting.with_untracked(unsent) {
            return;
        }
        self.busy.set_value(true);
        let (toaster, i18n) = (self.toaster, self.i18n);
        wasm_bindgen_futures::spawn_local(async move {
            let unsent: Vec<Waiting> = self
                .waiting
                .get_untracked()
                .into_iter()
                .filter(|w| w.fate.is_none())
                .collect();
            for item in unsent {
                let t = i18n.t_untracked();
                let fate = match api::post_json(&item.path, item.body.clone()).await {
                    Ok((_, text)) => Some(Fate {
                        accepted: true,
                        message: delivered(t, &item, &text),
                    }),
                    Err(ApiError::Network(_)) => break,
                    Err(error) => match error.status() {
                        // Signed out, throttled or a server fault: try later.
                        Some(401 | 429) | Some(500..) => None,
                        _ => Some(Fate {
                            accepted: false,
                            message: error.message(t),
                        }),
                    },
                };
                if let Some(fate) = fate {
                    toaster.show(format!("{}：{}", item.label, fate.message));
                    self.waiting.update(|list| {
                        if let Some(w) = list.iter_mut().find(|w| w.id == item.id) {
                            w.fate = Some(fate);
                        }
                    });
                    self.save();
                    self.synced.update(|n| *n += 1);
                }
            }
            self.busy.set_value(false);
        });
    }
}

/// A check-in's status, without decoding the rest (dates and all) in the
/// first-load code.
#[derive(Deserialize)]
struct Status {
    status: ReviewStatus,
}

/// The toast after a queued request was accepted.
fn delivered(t: &Strings, item: &Waiting, text: &str) -> String {
    match api::decode::<Status>(text) {
        Ok(answer) if item.checkin => crate::i18n::review_status(t, answer.status).0.to_owned(),
        _ => t.synced.to_owned(),
    }
}

/// Restores the queue, sends it now and whenever the browser comes back
/// online. Needs the toaster and locale contexts.
pub fn provide_outbox() -> Outbox {
    let stored = storage::get(OUTBOX_KEY)
        .and_then(|json| serde_json::from_str::<Vec<Waiting>>(&json).ok())
        .unwrap_or_default();
    let outbox = Outbox {
        waiting: RwSignal::new(stored),
        synced: RwSignal::new(0),
        busy: StoredValue::new(false),
        toaster: use_toast(),
        i18n: use_i18n(),
    };
    provide_context(outbox);
    outbox.flush();
    // Lives as long as the app.
    std::mem::forget(window_event_listener(leptos::ev::online, move |_| {
        outbox.flush()
    }));
    outbox
}

pub fn use_outbox() -> Outbox {
    expect_context::<Outbox>()
}
