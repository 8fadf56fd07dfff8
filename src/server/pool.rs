//! The worker pool that runs the bridge's simulation arithmetic, off the request path and off
//! the lock that requests take. One thread per CPU by default, at a lower scheduling priority
//! (nice 10 on Linux) so request handling stays responsive while they are busy.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use crate::bridge::Runner;

type Chunk = Box<dyn FnOnce() + Send>;

struct Inner {
    queue: Mutex<VecDeque<Chunk>>,
    ready: Condvar,
    stop: AtomicBool,
    busy: AtomicUsize,
}

/// A fixed set of worker threads taking chunks from one queue.
pub struct Pool {
    inner: Arc<Inner>,
    threads: usize,
}

impl Pool {
    /// `threads` workers (0 = one per CPU).
    pub fn new(threads: usize) -> std::io::Result<Pool> {
        let threads =
            if threads == 0 { std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) } else { threads };
        let inner = Arc::new(Inner {
            queue: Mutex::new(VecDeque::new()),
            ready: Condvar::new(),
            stop: AtomicBool::new(false),
            busy: AtomicUsize::new(0),
        });
        for i in 0..threads {
            let inner = inner.clone();
            std::thread::Builder::new().name(format!("granola-worker-{i}")).spawn(move || work(&inner))?;
        }
        Ok(Pool { inner, threads })
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Chunks waiting for a worker.
    pub fn queued(&self) -> usize {
        self.inner.queue.lock().map(|q| q.len()).unwrap_or(0)
    }

    /// Workers computing right now.
    pub fn busy(&self) -> usize {
        self.inner.busy.load(Ordering::Relaxed)
    }
}

impl Runner for Pool {
    fn spawn(&self, chunk: Chunk) {
        let mut q = self.inner.queue.lock().unwrap_or_else(|p| p.into_inner());
        q.push_back(chunk);
        drop(q);
        self.inner.ready.notify_one();
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.inner.stop.store(true, Ordering::Relaxed);
        self.inner.ready.notify_all();
    }
}

fn work(inner: &Inner) {
    lower_priority();
    loop {
        let chunk = {
            let mut q = inner.queue.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                if inner.stop.load(Ordering::Relaxed) {
                    return;
                }
                if let Some(c) = q.pop_front() {
                    break c;
                }
                q = inner.ready.wait(q).unwrap_or_else(|p| p.into_inner());
            }
        };
        inner.busy.fetch_add(1, Ordering::Relaxed);
        // A chunk reports its own failures; a panic must not take the worker with it.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(chunk));
        inner.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Nice 10 for the calling thread (Linux threads have their own nice value).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority on the calling thread's id; no memory is touched.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_every_chunk_on_its_threads() {
        let pool = Pool::new(3).unwrap();
        assert_eq!(pool.threads(), 3);
        let (tx, rx) = std::sync::mpsc::channel();
        for i in 0..100 {
            let tx = tx.clone();
            pool.spawn(Box::new(move || {
                let name = std::thread::current().name().unwrap_or("").to_string();
                tx.send((i, name)).unwrap();
            }));
        }
        // A panicking chunk does not stop the pool.
        pool.spawn(Box::new(|| panic!("chunk failed")));
        let tx2 = tx.clone();
        pool.spawn(Box::new(move || tx2.send((100, String::from("granola-worker-after"))).unwrap()));
        let mut got: Vec<(i32, String)> = (0..101).map(|_| rx.recv().unwrap()).collect();
        got.sort();
        assert_eq!(got.len(), 101);
        assert!(got.iter().all(|(_, n)| n.starts_with("granola-worker-")));
    }
}
