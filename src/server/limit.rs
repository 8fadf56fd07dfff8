//! Per-client-IP rate limit with fixed windows (a window starts at a client's first request).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub(crate) struct RateLimiter {
    limit: u32,
    window: Duration,
    clients: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

/// How many clients to remember before expired windows are swept out.
const SWEEP_AT: usize = 4096;

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> RateLimiter {
        RateLimiter { limit, window: window.max(Duration::from_millis(1)), clients: Mutex::new(HashMap::new()) }
    }

    /// Count one request from `ip`; `Err(wait)` when it is over the limit for this window.
    pub fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        if self.limit == 0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        if clients.len() >= SWEEP_AT {
            let window = self.window;
            clients.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = clients.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            return Err(self.window.saturating_sub(now.duration_since(entry.0)));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_window_counts_per_ip() {
        let rl = RateLimiter::new(2, Duration::from_secs(60));
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        assert!(rl.check(a).is_ok());
        assert!(rl.check(a).is_ok());
        assert!(rl.check(a).is_err());
        assert!(rl.check(b).is_ok());
        let off = RateLimiter::new(0, Duration::from_secs(60));
        for _ in 0..100 {
            assert!(off.check(a).is_ok());
        }
    }

    #[test]
    fn window_resets() {
        let rl = RateLimiter::new(1, Duration::from_millis(20));
        let a: IpAddr = "::1".parse().unwrap();
        assert!(rl.check(a).is_ok());
        assert!(rl.check(a).is_err());
        std::thread::sleep(Duration::from_millis(30));
        assert!(rl.check(a).is_ok());
    }
}
