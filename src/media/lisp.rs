//! The `media` group of the builtin table: `image.make`, `image.info`, `blob.make`,
//! `blob.info`, with the `image_handle` and `blob_handle` handle kinds.

use super::MediaStore;
use crate::lang::{Builtin, Ctx, Datum, Extension, FrontEnd, HandleKind, Interp, Value};

/// Images: printed `<image_handle:N>`, JSON `{"type":"image_handle","id":N}`.
pub static IMAGE: HandleKind = HandleKind { name: "image_handle", json: Some(HandleKind::type_and_id) };
/// Blobs: printed `<blob_handle:N>`, JSON `{"type":"blob_handle","id":N}`.
pub static BLOB: HandleKind = HandleKind { name: "blob_handle", json: Some(HandleKind::type_and_id) };

/// The media front end (group `media`).
pub static FRONT_END: FrontEnd =
    FrontEnd { name: "media", groups: &[ROWS], handles: &[&IMAGE, &BLOB], install: Some(install) };

/// Per-interpreter media tables (a leaf with `:image_key` reads them with
/// `ctx.ext::<Media>()` and [`Ctx::handle_id`]).
#[derive(Default)]
pub struct Media(pub MediaStore);

impl Extension for Media {}

fn install(interp: &mut Interp) {
    interp.install(Media::default());
}

static ROWS: &[Builtin] = &[
    Builtin::plain(
        "image.make",
        "media",
        6,
        Some(6),
        "(image.make w h channels encoding timestamp_ms frame_id) -> image_handle",
        "Register an image's metadata; returns a handle for observations.",
        lisp_image_make,
    ),
    Builtin::plain(
        "image.info",
        "media",
        1,
        Some(1),
        "(image.info handle) -> map",
        "The metadata of an image handle.",
        lisp_image_info,
    ),
    Builtin::plain(
        "blob.make",
        "media",
        4,
        Some(4),
        "(blob.make size_bytes mime_type timestamp_ms tag) -> blob_handle",
        "Register a binary payload's metadata; returns a handle.",
        lisp_blob_make,
    ),
    Builtin::plain(
        "blob.info",
        "media",
        1,
        Some(1),
        "(blob.info handle) -> map",
        "The metadata of a blob handle.",
        lisp_blob_info,
    ),
];

fn store<'c>(c: &'c mut Ctx, who: &str) -> Result<&'c mut MediaStore, String> {
    c.ext::<Media>().map(|m| &mut m.0).ok_or_else(|| format!("{who}: there is no media store here"))
}

fn data(c: &Ctx, who: &str, a: &[Value]) -> Result<Vec<Datum>, String> {
    a.iter().map(|v| c.to_datum(*v).map_err(|e| format!("{who}: {e}"))).collect()
}

fn lisp_image_make(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let args = data(c, "image.make", a)?;
    let id = store(c, "image.make")?.make_image(&args)?;
    c.handle(&IMAGE, id)
}

fn lisp_blob_make(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let args = data(c, "blob.make", a)?;
    let id = store(c, "blob.make")?.make_blob(&args)?;
    c.handle(&BLOB, id)
}

fn lisp_image_info(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let id = c.handle_id(&IMAGE, a[0]).ok_or("image.info: expected image_handle")?;
    let info = store(c, "image.info")?.image_info(id)?;
    c.from_datum(&info).map_err(|e| format!("image.info: {e}"))
}

fn lisp_blob_info(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let id = c.handle_id(&BLOB, a[0]).ok_or("blob.info: expected blob_handle")?;
    let info = store(c, "blob.info")?.blob_info(id)?;
    c.from_datum(&info).map_err(|e| format!("blob.info: {e}"))
}
