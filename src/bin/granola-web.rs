//! The browser entry point (built by Trunk for wasm32). Natively it is an empty program.
fn main() {}
