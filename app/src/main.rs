fn main() {
    leptos::mount::mount_to_body(zhibu_app::App);
}
