//! TLS for outgoing calls (WeChat's API) uses rustls with the ring provider,
//! installed once per process.

pub fn install_crypto_provider() {
    // Fails only when a provider is already installed, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
