//! Media handles: `image.make`/`image.info` and `blob.make`/`blob.info` (reference
//! language.md 4.12, bt-host.md 5). A handle is an id into a per-interpreter store; images
//! and blobs count separately from 1, and a rejected `make` uses up no id.
//!
//! The reference kills the whole process when `image.make` gets a dimension <= 0 or
//! `blob.make` a negative size (`fatal: create_image: ...`). Here those are ordinary errors
//! with the same text, so a script prints exactly what the reference prints and a REPL
//! session carries on.

pub mod lisp;

use crate::lang::datum::sym_map;
use crate::lang::fields::{int, text};
use crate::lang::Datum;

/// What `image.make` records.
#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    pub id: u32,
    pub w: i64,
    pub h: i64,
    pub channels: i64,
    pub encoding: String,
    pub timestamp_ms: i64,
    pub frame_id: String,
}

/// What `blob.make` records.
#[derive(Clone, Debug, PartialEq)]
pub struct Blob {
    pub id: u32,
    pub size_bytes: i64,
    pub mime_type: String,
    pub timestamp_ms: i64,
    pub tag: String,
}

/// The image and blob tables of one interpreter.
#[derive(Clone, Debug, Default)]
pub struct MediaStore {
    images: Vec<Image>,
    blobs: Vec<Blob>,
}

/// Most handles of each kind one interpreter may make (ids stay small and the store bounded).
pub const MAX_HANDLES: usize = 1_000_000;

impl MediaStore {
    /// `(image.make w h channels encoding timestamp_ms frame_id)`: the new image's id.
    pub fn make_image(&mut self, a: &[Datum]) -> Result<u32, String> {
        let arg = |i: usize| a.get(i).unwrap_or(&Datum::Nil);
        let w = int(arg(0), "image.make width")?;
        let h = int(arg(1), "image.make height")?;
        let channels = int(arg(2), "image.make channels")?;
        let encoding = text(arg(3), "image.make encoding")?;
        let timestamp_ms = int(arg(4), "image.make timestamp_ms")?;
        let frame_id = text(arg(5), "image.make frame_id")?;
        if w <= 0 || h <= 0 || channels <= 0 {
            return Err("create_image: dimensions/channels must be > 0".into());
        }
        if self.images.len() >= MAX_HANDLES {
            return Err(format!("image.make: too many images (at most {MAX_HANDLES})"));
        }
        let id = self.images.len() as u32 + 1;
        self.images.push(Image { id, w, h, channels, encoding, timestamp_ms, frame_id });
        Ok(id)
    }

    /// `(blob.make size_bytes mime_type timestamp_ms tag)`: the new blob's id.
    pub fn make_blob(&mut self, a: &[Datum]) -> Result<u32, String> {
        let arg = |i: usize| a.get(i).unwrap_or(&Datum::Nil);
        let size_bytes = int(arg(0), "blob.make size_bytes")?;
        let mime_type = text(arg(1), "blob.make mime_type")?;
        let timestamp_ms = int(arg(2), "blob.make timestamp_ms")?;
        let tag = text(arg(3), "blob.make tag")?;
        if size_bytes < 0 {
            return Err("create_blob: size_bytes must be >= 0".into());
        }
        if self.blobs.len() >= MAX_HANDLES {
            return Err(format!("blob.make: too many blobs (at most {MAX_HANDLES})"));
        }
        let id = self.blobs.len() as u32 + 1;
        self.blobs.push(Blob { id, size_bytes, mime_type, timestamp_ms, tag });
        Ok(id)
    }

    pub fn image(&self, id: u32) -> Option<&Image> {
        self.images.get((id as usize).checked_sub(1)?)
    }

    pub fn blob(&self, id: u32) -> Option<&Blob> {
        self.blobs.get((id as usize).checked_sub(1)?)
    }

    /// `(image.info h)`: `{id w h channels encoding timestamp_ms frame_id}`.
    pub fn image_info(&self, id: u32) -> Result<Datum, String> {
        let i = self.image(id).ok_or("image.info: unknown handle")?;
        Ok(sym_map(vec![
            ("id", Datum::Int(i64::from(i.id))),
            ("w", Datum::Int(i.w)),
            ("h", Datum::Int(i.h)),
            ("channels", Datum::Int(i.channels)),
            ("encoding", Datum::Str(i.encoding.clone())),
            ("timestamp_ms", Datum::Int(i.timestamp_ms)),
            ("frame_id", Datum::Str(i.frame_id.clone())),
        ]))
    }

    /// `(blob.info h)`: `{id size_bytes mime_type timestamp_ms tag}`.
    pub fn blob_info(&self, id: u32) -> Result<Datum, String> {
        let b = self.blob(id).ok_or("blob.info: unknown handle")?;
        Ok(sym_map(vec![
            ("id", Datum::Int(i64::from(b.id))),
            ("size_bytes", Datum::Int(b.size_bytes)),
            ("mime_type", Datum::Str(b.mime_type.clone())),
            ("timestamp_ms", Datum::Int(b.timestamp_ms)),
            ("tag", Datum::Str(b.tag.clone())),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capability::json::encode;

    fn image_args(w: i64, enc: Datum) -> Vec<Datum> {
        vec![Datum::Int(w), Datum::Int(2), Datum::Int(1), enc, Datum::Int(0), Datum::sym("cam2")]
    }

    #[test]
    fn ids_count_from_one_per_kind() {
        let mut m = MediaStore::default();
        let cam = vec![
            Datum::Int(640),
            Datum::Int(480),
            Datum::Int(3),
            Datum::str("rgb8"),
            Datum::Int(1000),
            Datum::str("camera"),
        ];
        assert_eq!(m.make_image(&cam).unwrap(), 1);
        // A rejected make uses up no id.
        assert_eq!(
            m.make_image(&image_args(0, Datum::str("mono8"))).unwrap_err(),
            "create_image: dimensions/channels must be > 0"
        );
        let id = m.make_image(&image_args(2, Datum::sym("mono8"))).unwrap();
        assert_eq!(id, 2);
        assert_eq!(
            encode(&m.image_info(id).unwrap()).unwrap(),
            "{\"channels\":1,\"encoding\":\"mono8\",\"frame_id\":\"cam2\",\"h\":2,\"id\":2,\"timestamp_ms\":0,\"w\":2}"
        );
        let blob = vec![Datum::Int(1024), Datum::str("application/octet-stream"), Datum::Int(5), Datum::str("tag1")];
        assert_eq!(m.make_blob(&blob).unwrap(), 1);
        assert_eq!(
            encode(&m.blob_info(1).unwrap()).unwrap(),
            "{\"id\":1,\"mime_type\":\"application/octet-stream\",\"size_bytes\":1024,\"tag\":\"tag1\",\"timestamp_ms\":5}"
        );
        assert_eq!(m.image_info(9).unwrap_err(), "image.info: unknown handle");
        assert_eq!(m.blob_info(0).unwrap_err(), "blob.info: unknown handle");
    }

    #[test]
    fn argument_errors() {
        let mut m = MediaStore::default();
        let mut a = image_args(2, Datum::str("x"));
        a[0] = Datum::Float(2.0);
        assert_eq!(m.make_image(&a).unwrap_err(), "image.make width: expected integer");
        let mut a = image_args(2, Datum::Int(3));
        assert_eq!(m.make_image(&a).unwrap_err(), "image.make encoding: expected string or symbol");
        a[3] = Datum::str("x");
        a[5] = Datum::Nil;
        assert_eq!(m.make_image(&a).unwrap_err(), "image.make frame_id: expected string or symbol");
        let b = vec![Datum::Int(-1), Datum::str("a"), Datum::Int(-5), Datum::str("t")];
        assert_eq!(m.make_blob(&b).unwrap_err(), "create_blob: size_bytes must be >= 0");
        let b = vec![Datum::Int(1), Datum::str("a"), Datum::Int(-5), Datum::str("t")];
        assert_eq!(m.make_blob(&b).unwrap(), 1, "negative timestamps are accepted");
        let b = vec![Datum::Int(1), Datum::str("a"), Datum::str("now"), Datum::str("t")];
        assert_eq!(m.make_blob(&b).unwrap_err(), "blob.make timestamp_ms: expected integer");
    }
}
