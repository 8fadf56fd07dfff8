//! The Yew web app (wasm32 only). Thin: it calls the core.
//! (Being built on the `web` branch; this file is the skeleton's placeholder.)

pub mod site;
