#![cfg(not(target_arch = "wasm32"))]
//! The built site from `--dist`: content types, gzip, cache headers, 404s, and the page shown
//! when nothing is built.

mod server_support;

use std::io::Read;
use std::path::Path;

use server_support::*;

const JS: &str = "granola-web-1a2b3c4d5e6f7a8b.js";
const WASM: &str = "granola-web-1a2b3c4d5e6f7a8b_bg.wasm";

fn build_dist(dir: &Path) -> (String, Vec<u8>) {
    let index = format!(
        "<!doctype html><html><head><script type=module src=\"/{JS}\"></script></head><body>{}</body></html>",
        "granola ".repeat(200)
    );
    std::fs::write(dir.join("index.html"), &index).unwrap();
    std::fs::write(dir.join(JS), "export function start() { return 1; }\n".repeat(100)).unwrap();
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    wasm.extend(std::iter::repeat_n(0u8, 4000));
    std::fs::write(dir.join(WASM), &wasm).unwrap();
    std::fs::write(dir.join("style.css"), "body { color: black; }\n".repeat(50)).unwrap();
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    std::fs::write(dir.join("docs").join("index.json"), "[1,2,3]").unwrap();
    (index, wasm)
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_the_site_with_types_compression_and_cache_headers() {
    let dist = temp_dir("dist");
    let (index, wasm) = build_dist(&dist);
    let server = start(|c| c.dist = dist.clone()).await;
    let mut c = client(&server);

    // index.html at / : html, no-cache, identity without Accept-Encoding
    let r = c.get("/", &[]).await.unwrap();
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    assert_eq!(r.header("content-encoding"), None);
    assert_eq!(r.text(), index);
    let r = c.get("/index.html", &[]).await.unwrap();
    assert_eq!(r.header("cache-control"), Some("no-cache"));

    // gzip when asked
    let r = c.get("/", &[("Accept-Encoding", "gzip")]).await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert!(r.body.len() < index.len());
    assert_eq!(gunzip(&r.body), index.as_bytes());

    // hashed assets: right types, cached for a year, compressed
    let r = c.get(&format!("/{WASM}"), &[("Accept-Encoding", "gzip")]).await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/wasm"));
    assert_eq!(r.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert_eq!(gunzip(&r.body), wasm);
    let r = c.get(&format!("/{JS}"), &[]).await.unwrap();
    assert!(r.header("content-type").unwrap().contains("javascript"));
    assert_eq!(r.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));

    // other files: right type, revalidated
    let r = c.get("/style.css", &[]).await.unwrap();
    assert!(r.header("content-type").unwrap().starts_with("text/css"));
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    let r = c.get("/docs/index.json", &[]).await.unwrap();
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.text(), "[1,2,3]");
    let r = c.get("/docs/", &[]).await.unwrap();
    assert_eq!(r.status, 404);

    // HEAD: headers without a body
    let r = c.request("HEAD", "/style.css", &[], b"").await.unwrap();
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());

    // conditional requests
    let r = c.get("/style.css", &[]).await.unwrap();
    if let Some(lm) = r.header("last-modified").map(str::to_string) {
        let r = c.get("/style.css", &[("If-Modified-Since", &lm)]).await.unwrap();
        assert_eq!(r.status, 304);
    }

    // missing files: an HTML 404, and no escaping out of dist
    let r = c.get("/nope.js", &[]).await.unwrap();
    assert_eq!(r.status, 404);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    let r = c.get("/../Cargo.toml", &[]).await.unwrap();
    assert_eq!(r.status, 404);
    let r = c.get("/%2e%2e/%2e%2e/etc/passwd", &[]).await.unwrap();
    assert_eq!(r.status, 404);

    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&dist);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn precompressed_gz_siblings_are_used() {
    let dist = temp_dir("dist-gz");
    build_dist(&dist);
    let mut gz = Vec::new();
    {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(&mut gz, flate2::Compression::best());
        enc.write_all(b"precompressed!").unwrap();
        enc.finish().unwrap();
    }
    std::fs::write(dist.join("big.txt"), "plain").unwrap();
    std::fs::write(dist.join("big.txt.gz"), &gz).unwrap();
    let server = start(|c| c.dist = dist.clone()).await;
    let mut c = client(&server);
    let r = c.get("/big.txt", &[("Accept-Encoding", "gzip")]).await.unwrap();
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert_eq!(gunzip(&r.body), b"precompressed!");
    let r = c.get("/big.txt", &[]).await.unwrap();
    assert_eq!(r.text(), "plain");
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&dist);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn precompressed_brotli_is_preferred_and_hashed_names_stay_immutable() {
    // `make dist` writes NAME.br and NAME.gz next to every file; the server sends them as they are.
    let dist = temp_dir("dist-br");
    let (_, wasm) = build_dist(&dist);
    let br = b"brotli bytes (sent as they are)".to_vec();
    for name in [WASM, "index.html"] {
        std::fs::write(dist.join(format!("{name}.br")), &br).unwrap();
        let mut gz = Vec::new();
        {
            use std::io::Write;
            let mut enc = flate2::write::GzEncoder::new(&mut gz, flate2::Compression::best());
            enc.write_all(&std::fs::read(dist.join(name)).unwrap()).unwrap();
            enc.finish().unwrap();
        }
        std::fs::write(dist.join(format!("{name}.gz")), &gz).unwrap();
    }
    let server = start(|c| c.dist = dist.clone()).await;
    let mut c = client(&server);

    let path = format!("/{WASM}");
    let r = c.get(&path, &[("Accept-Encoding", "gzip, deflate, br")]).await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-encoding"), Some("br"));
    assert_eq!(r.header("content-type"), Some("application/wasm"));
    assert_eq!(r.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert!(r.header("vary").is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")));
    assert_eq!(r.body, br);

    let r = c.get(&path, &[("Accept-Encoding", "gzip")]).await.unwrap();
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert_eq!(gunzip(&r.body), wasm);
    let r = c.get(&path, &[]).await.unwrap();
    assert_eq!(r.header("content-encoding"), None);
    assert_eq!(r.body, wasm);

    // index.html: brotli too, but revalidated on every visit (no-cache + Last-Modified -> 304).
    let r = c.get("/", &[("Accept-Encoding", "br")]).await.unwrap();
    assert_eq!(r.header("content-encoding"), Some("br"));
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    let modified = r.header("last-modified").expect("index.html has Last-Modified").to_string();
    let r = c.get("/", &[("Accept-Encoding", "br"), ("If-Modified-Since", &modified)]).await.unwrap();
    assert_eq!(r.status, 304);
    assert_eq!(r.header("cache-control"), Some("no-cache"));

    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&dist);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_dist_gives_a_helpful_page_and_picks_up_a_later_build() {
    let dist = temp_dir("dist-missing").join("not-yet");
    let server = start(|c| c.dist = dist.clone()).await;
    let mut c = client(&server);
    let r = c.get("/", &[]).await.unwrap();
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    let page = r.text();
    assert!(page.contains("not built"), "{page}");
    assert!(page.contains("trunk build"));
    assert!(page.contains("/tools"));
    let r = c.get("/app.js", &[]).await.unwrap();
    assert_eq!(r.status, 404);
    // the API still works
    assert_eq!(c.get("/healthz", &[]).await.unwrap().status, 200);
    // build it now; no restart needed
    std::fs::create_dir_all(&dist).unwrap();
    build_dist(&dist);
    let r = c.get("/", &[]).await.unwrap();
    assert!(r.text().contains("granola granola"));
    server.shutdown().await.unwrap();
}
