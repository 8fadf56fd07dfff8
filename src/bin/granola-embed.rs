//! The embed's browser entry point, small build (`dist/embed/granola-embed.js` + its wasm,
//! built by `make dist` with scripts/embed-build.sh): turns marked code blocks of any page into
//! runnable muslisp snippets (`granola::embed`) on the small evaluator
//! (`granola::embed::evaluator`); `granola-embed-full` is the same with every front end. Its JS
//! exports are declared here, not in the library, so the site's wasm does not carry them.
//! Natively it is an empty program.

#[cfg(target_arch = "wasm32")]
mod exports {
    use granola::embed::evaluator::Evaluator;
    use wasm_bindgen::prelude::*;

    /// Take over the blocks under `root` (a document or an element) with `options` (see
    /// `granola::embed::model::Options`); returns how many snippets were added.
    #[wasm_bindgen]
    pub fn scan(root: JsValue, options: JsValue) -> u32 {
        granola::embed::page::scan(&root, &options, Evaluator::SMALL)
    }
}

fn main() {}
