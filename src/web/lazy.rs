//! Code loaded on demand: parts of the app the first load does not carry.
//!
//! # The one mechanism
//! A [`Module`] is a part of the app's code that a page needs only sometimes. It is declared once,
//! with [`lazy_module!`], as ONE entry function returning a `&'static` API value (a struct of
//! function pointers or data, e.g. [`Robotics`]). Code reaches the module only through
//! [`Module::load`] (async; the first call fetches it) or [`Module::get`] (if already loaded);
//! yew views use [`use_module`].
//!
//! The site build (`make dist`: the `granola_split` cfg and `--emit-relocs`) splits the one app
//! wasm after wasm-bindgen with `tools/split` (`granola-split`): from the linker's relocations it
//! knows exactly which functions and data each entry reaches; what the first load (`main`,
//! the JS API, every export) also reaches stays in the main module, the rest moves to
//! `granola-<module>-<hash>.wasm`. index.html lists those files in `window.granolaModules`;
//! [`Module::load`] instantiates the file against the main module's memory and function table,
//! which makes the entry callable. In every other build (tests, `trunk serve`, the native
//! crate) there is no split: [`Module::load`] returns the API at once, so the tests run the same
//! code paths.
//!
//! Rules: first-load code never names a module's code directly (only through its API value),
//! or that code simply stays in the first load (no error, just a bigger first load, which
//! `make bench` shows); one entry per module; a module's API is `'static` and `Sync`. A JS import
//! (`#[wasm_bindgen] extern`) that only on-demand code calls breaks the split (wasm-split-cli
//! cannot move wasm-bindgen's import shims): call it once from the first load, as the session
//! does for `getrandom` by drawing the bridge's secret at start.
//!
//! # The module
//! One module, [`EXTRA`], holds everything the first load (the shell, the home page, the core
//! interpreter, VLA jobs, the job list, the JS API) does not need:
//! - the robotics builtins (`runtime::ON_DEMAND`: capability, media, planner, env, bt/events):
//!   [`ensure_on_demand`] loads the module before a program that names them runs
//!   (`runtime::names_on_demand`), then the interpreter moves to the full table;
//! - every page but the home page (`web::pages::view`), with the simulation bridge, whose only
//!   callers are those pages (the session makes its bridge on first use, `web::bridge::bridge`).
//!
//! Why one module and not one per feature: code that two modules loaded on demand share (and the
//! first load does not) would have to go into a third, shared part, which `granola-split` does
//! not produce; with one module there is nothing to share. A second module is one more
//! [`lazy_module!`] whose code shares nothing with [`EXTRA`] but through the first load.

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

/// A module loaded on demand, with API type `T` (see the module docs).
pub struct Module<T: 'static> {
    /// The module's name (`granola-<name>-<hash>.wasm`).
    pub name: &'static str,
    entry: fn() -> &'static T,
}

impl<T: 'static> Module<T> {
    /// Use [`lazy_module!`].
    #[doc(hidden)]
    pub const fn new(name: &'static str, entry: fn() -> &'static T) -> Module<T> {
        Module { name, entry }
    }

    /// The API if the module is loaded (always, in builds without the split). Never fetches.
    pub fn get(&'static self) -> Option<&'static T> {
        is_loaded(self.name).then(|| (self.entry)())
    }

    /// The API, fetching and instantiating the module first if needed (once; concurrent
    /// callers share the download). An error says why it could not be loaded.
    pub async fn load(&'static self) -> Result<&'static T, String> {
        if let Some(api) = self.get() {
            return Ok(api);
        }
        let promise = STATE.with(|s| {
            let mut s = s.borrow_mut();
            match s.get(self.name) {
                Some(Loading::Pending(p)) => Ok(p.clone()),
                Some(Loading::Done) => Err(None),
                None => match start_fetch(self.name) {
                    Ok(p) => {
                        s.insert(self.name, Loading::Pending(p.clone()));
                        Ok(p)
                    }
                    Err(e) => Err(Some(e)),
                },
            }
        });
        match promise {
            Ok(p) => {
                let done = JsFuture::from(p).await;
                STATE.with(|s| {
                    let mut s = s.borrow_mut();
                    match &done {
                        Ok(_) => {
                            s.insert(self.name, Loading::Done);
                        }
                        Err(_) => {
                            // the next call tries again
                            s.remove(self.name);
                        }
                    }
                });
                done.map_err(|e| format!("could not load the {} module: {}", self.name, describe(&e)))?;
                Ok((self.entry)())
            }
            Err(None) => Ok((self.entry)()),
            Err(Some(e)) => Err(e),
        }
    }
}

enum Loading {
    Pending(js_sys::Promise),
    Done,
}

thread_local! {
    static STATE: RefCell<HashMap<&'static str, Loading>> = RefCell::new(HashMap::new());
}

/// Whether this build was split (the site build); without the split every module is "loaded".
pub const SPLIT: bool = cfg!(granola_split);

fn is_loaded(name: &str) -> bool {
    !SPLIT || STATE.with(|s| matches!(s.borrow().get(name), Some(Loading::Done)))
}

fn describe(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())))
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Fetch and instantiate `granola-<name>-<hash>.wasm` (named in `window.granolaModules`)
/// against the main module's exports (memory, function table, globals, functions).
fn start_fetch(name: &str) -> Result<js_sys::Promise, String> {
    let window = web_sys::window().ok_or("no window")?;
    let manifest = js_sys::Reflect::get(&window, &"granolaModules".into()).unwrap_or(JsValue::UNDEFINED);
    let url = js_sys::Reflect::get(&manifest, &name.into())
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| format!("the {name} module is not listed in window.granolaModules (index.html)"))?;
    let main = js_sys::Object::assign(&js_sys::Object::new(), &wasm_bindgen::exports().unchecked_into());
    let imports = js_sys::Object::new();
    js_sys::Reflect::set(&imports, &"__wasm_split".into(), &main).map_err(|e| describe(&e))?;
    let response = window.fetch_with_str(&url);
    Ok(js_sys::WebAssembly::instantiate_streaming(&response, &imports))
}

/// Declare a [`Module`]: its name, API type and entry function, and the marker pair the split
/// tool looks for. The marker names follow `__wasm_split_00___<module>___00_export_<id>_<entry>`
/// and `..._import_<id>_<entry>` (same `<id>`, no `_` in it).
///
/// ```ignore
/// lazy_module! {
///     pub static ROBOTICS: Robotics = "robotics", robotics_api,
///         __wasm_split_00___robotics___00_export_1_api, __wasm_split_00___robotics___00_import_1_api;
/// }
/// ```
#[macro_export]
macro_rules! lazy_module {
    ($(#[$m:meta])* $vis:vis static $NAME:ident: $T:ty = $name:literal, $entry:path, $export:ident, $import:ident;) => {
        $(#[$m])*
        $vis static $NAME: $crate::web::lazy::Module<$T> = {
            #[cfg(granola_split)]
            {
                /// The split point's export: what only this reaches moves to the module.
                #[no_mangle]
                pub extern "C" fn $export() -> *const () {
                    let api: &'static $T = $entry();
                    api as *const $T as *const ()
                }
                #[link(wasm_import_module = "./granola-lazy.js")]
                extern "C" {
                    fn $import() -> *const ();
                }
                fn entry() -> &'static $T {
                    // SAFETY: called only after the module is instantiated (Module::load), when
                    // the import's table slot holds the export above, which returns a &'static $T.
                    unsafe { &*($import() as *const $T) }
                }
                $crate::web::lazy::Module::new($name, entry)
            }
            #[cfg(not(granola_split))]
            {
                $crate::web::lazy::Module::new($name, $entry)
            }
        };
    };
}

/// The API of the module loaded on demand.
pub struct Extra {
    /// The robotics builtins.
    pub robotics: Robotics,
    /// Every page but the home page, and the bridge.
    pub pages: &'static crate::web::pages::Pages,
}

/// The robotics builtins: the front ends of `runtime::ON_DEMAND`.
pub struct Robotics {
    pub front_ends: &'static [&'static crate::lang::FrontEnd],
}

fn extra_api() -> &'static Extra {
    static API: Extra =
        Extra { robotics: Robotics { front_ends: crate::runtime::ON_DEMAND }, pages: &crate::web::pages::API };
    &API
}

lazy_module! {
    /// Everything the first load does not carry: the robotics builtins, every page but the home
    /// page, the bridge.
    pub static EXTRA: Extra = "extra", extra_api,
        __wasm_split_00___extra___00_export_1_api, __wasm_split_00___extra___00_import_1_api;
}

/// Make sure the table has the robotics front ends (`runtime::ON_DEMAND`): loads [`EXTRA`]
/// if needed and composes the full table. Interpreters made before then move to it with
/// `runtime::extend_interp`.
pub async fn ensure_on_demand() -> Result<(), String> {
    if crate::runtime::has_on_demand() {
        return Ok(());
    }
    let api = EXTRA.load().await?;
    crate::runtime::add_on_demand(api.robotics.front_ends);
    Ok(())
}

/// The state of a module for a view: `None` while it loads, then its API or why it failed.
/// Starts the download on first use.
#[hook]
pub fn use_module<T: 'static>(module: &'static Module<T>) -> Option<Result<&'static T, String>> {
    let state = use_state(|| module.get().map(Ok));
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            if state.is_none() {
                wasm_bindgen_futures::spawn_local(async move {
                    state.set(Some(module.load().await));
                });
            }
        });
    }
    (*state).clone()
}
