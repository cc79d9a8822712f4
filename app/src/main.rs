use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// Mounts the app in a task of its own: the module's instantiation and the
/// first render each block a tap for less time than both together would.
/// The boot script removes its loading line in a later task of the same kind.
fn main() {
    let mount = Closure::once_into_js(|| leptos::mount::mount_to_body(zhibu_app::App));
    let scheduled = web_sys::window()
        .and_then(|window| window.set_timeout_with_callback(mount.unchecked_ref()).ok());
    if scheduled.is_none() {
        leptos::mount::mount_to_body(zhibu_app::App);
    }
}
