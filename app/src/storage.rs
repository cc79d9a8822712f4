//! `localStorage` access that never fails loudly.
//!
//! WeChat's browser and private tabs can deny storage; the app then simply
//! forgets between reloads instead of crashing.

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn get(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

pub fn set(key: &str, value: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(key, value);
    }
}

pub fn remove(key: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(key);
    }
}

/// Removes every key starting with `prefix`.
pub fn remove_prefixed(prefix: &str) {
    let Some(storage) = local_storage() else {
        return;
    };
    let length = storage.length().unwrap_or(0);
    let keys: Vec<String> = (0..length)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| key.starts_with(prefix))
        .collect();
    for key in keys {
        let _ = storage.remove_item(&key);
    }
}
