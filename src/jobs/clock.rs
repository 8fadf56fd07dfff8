//! Job time: a clock with a speed factor that the host advances.
//!
//! The core never reads the wall clock. A host (CLI, server, browser) reads its own wall
//! clock, turns it into job time with a [`Clock`], and calls `Engine::advance(job_now)`.
//! Tests skip the clock entirely and advance the engine by hand.

/// Maps host wall-clock milliseconds to job milliseconds: `job = base_job + (wall - base_wall) * speed`.
#[derive(Clone, Debug, PartialEq)]
pub struct Clock {
    speed: f64,
    base_wall: f64,
    base_job: f64,
    paused: bool,
}

impl Clock {
    /// A clock at `speed` job-ms per wall-ms, reading job time 0 at wall time `wall_now`.
    pub fn new(speed: f64, wall_now: f64) -> Clock {
        Clock { speed: sanitize(speed), base_wall: wall_now, base_job: 0.0, paused: false }
    }

    /// Job time at wall time `wall_now` (never earlier than the last rebase).
    pub fn job_time(&self, wall_now: f64) -> f64 {
        if self.paused || !wall_now.is_finite() {
            return self.base_job;
        }
        let dt = (wall_now - self.base_wall).max(0.0);
        self.base_job + dt * self.speed
    }

    /// Current speed factor (job-ms per wall-ms).
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Change speed from `wall_now` on; job time stays continuous.
    pub fn set_speed(&mut self, speed: f64, wall_now: f64) {
        self.rebase(wall_now);
        self.speed = sanitize(speed);
    }

    /// Freeze job time (a paused clock reads the same job time until resumed).
    pub fn pause(&mut self, wall_now: f64) {
        self.rebase(wall_now);
        self.paused = true;
    }

    /// Resume after `pause`.
    pub fn resume(&mut self, wall_now: f64) {
        self.base_wall = wall_now;
        self.paused = false;
    }

    /// Let `job_ms` of job time pass at once (from now on the clock reads that much later).
    pub fn skip(&mut self, job_ms: f64) {
        if job_ms.is_finite() && job_ms > 0.0 {
            self.base_job += job_ms;
        }
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// Wall milliseconds until job time reaches `job_target` (0 if already there, `inf` if paused).
    pub fn wall_until(&self, job_target: f64, wall_now: f64) -> f64 {
        let now = self.job_time(wall_now);
        if job_target <= now {
            0.0
        } else if self.paused || self.speed <= 0.0 {
            f64::INFINITY
        } else {
            (job_target - now) / self.speed
        }
    }

    fn rebase(&mut self, wall_now: f64) {
        let job = self.job_time(wall_now);
        self.base_job = job;
        if wall_now.is_finite() {
            self.base_wall = wall_now;
        }
    }
}

fn sanitize(speed: f64) -> f64 {
    if speed.is_finite() && speed > 0.0 {
        speed
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_scales_and_rebases_continuously() {
        let mut c = Clock::new(0.005, 1000.0);
        assert_eq!(c.job_time(1000.0), 0.0);
        assert!((c.job_time(1200.0) - 1.0).abs() < 1e-12);
        c.set_speed(1.0, 1200.0);
        assert!((c.job_time(1210.0) - 11.0).abs() < 1e-12);
        c.pause(1210.0);
        assert!((c.job_time(5000.0) - 11.0).abs() < 1e-12);
        c.resume(5000.0);
        assert!((c.job_time(5001.0) - 12.0).abs() < 1e-12);
        assert!((c.wall_until(20.0, 5001.0) - 8.0).abs() < 1e-12);
    }
}
