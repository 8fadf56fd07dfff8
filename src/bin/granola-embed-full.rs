//! The embed's full build (`dist/embed/granola-embed-full.js` + its wasm): the same entry point
//! as `granola-embed` on the site's whole language (`runtime::new_interp`: the planner,
//! environments, media, capabilities and the trees' host leaves too). The loader loads it
//! instead of the small build when a page needs it (`granola::embed::evaluator`). Natively it
//! is an empty program.

#[cfg(target_arch = "wasm32")]
mod exports {
    use granola::embed::evaluator::Evaluator;
    use wasm_bindgen::prelude::*;

    /// As `granola-embed`'s `scan`, on the full evaluator.
    #[wasm_bindgen]
    pub fn scan(root: JsValue, options: JsValue) -> u32 {
        granola::embed::page::scan(&root, &options, Evaluator { new_interp: granola::runtime::new_interp, full: true })
    }
}

fn main() {}
