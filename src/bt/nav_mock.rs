//! A deterministic mock of the `cap.navigation.v1` capability (adapter `mock-nav2`), as the
//! demo actions `cap-navigation-tick` / `cap-navigation-cancel` call it. Self-contained (no
//! Lisp values) so that `cap.call` can route the same requests here.
//!
//! Operations: `navigate-to-pose` (needs a target with a `map`/`odom` frame; answers
//! `accepted`), `status` (answers `running`) and `cancel` (answers `cancelled`), both needing
//! a job id; a request's `mock_status` overrides the answer, and a status outside the
//! vocabulary becomes `rejected`. Hashes are `fnv1a64:` digests of the request's and the
//! response's canonical JSON.

use super::fmt;

/// The statuses the mock may answer.
pub const STATUSES: &[&str] = &["accepted", "running", "ok", "rejected", "cancelled", "timeout", "failed"];

#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub frame: String,
    pub x: f64,
    pub y: f64,
    pub yaw: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub operation: String,
    pub request_id: String,
    pub timeout_ms: i64,
    pub action_name: Option<String>,
    pub job_id: Option<String>,
    pub target: Option<Target>,
    pub mock_status: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    pub distance_remaining_m: f64,
    pub number_of_recoveries: i64,
    pub estimated_time_remaining_ms: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// Without the keyword colon (`accepted`, `ok`, ...).
    pub status: String,
    pub job_id: Option<String>,
    pub host_reached: bool,
    pub request_hash: String,
    pub response_hash: String,
    pub progress: Option<Progress>,
    pub error_code: Option<String>,
    pub error: Option<String>,
    pub validation_status: &'static str,
}

fn push_field(s: &mut String, first: &mut bool, key: &str) {
    if !*first {
        s.push(',');
    }
    *first = false;
    fmt::push_json_string(s, key);
    s.push(':');
}

/// The request as canonical JSON (keys sorted).
pub fn request_json(r: &Request) -> String {
    let mut s = String::from("{");
    let mut first = true;
    if let Some(a) = &r.action_name {
        push_field(&mut s, &mut first, "action_name");
        fmt::push_json_string(&mut s, a);
    }
    push_field(&mut s, &mut first, "capability");
    s.push_str("\"cap.navigation.v1\"");
    if let Some(j) = &r.job_id {
        push_field(&mut s, &mut first, "job_id");
        fmt::push_json_string(&mut s, j);
    }
    if let Some(m) = &r.mock_status {
        push_field(&mut s, &mut first, "mock_status");
        fmt::push_json_string(&mut s, m);
    }
    push_field(&mut s, &mut first, "operation");
    fmt::push_json_string(&mut s, &r.operation);
    push_field(&mut s, &mut first, "request_id");
    fmt::push_json_string(&mut s, &r.request_id);
    push_field(&mut s, &mut first, "schema_version");
    s.push_str("\"cap.navigation.request.v1\"");
    if let Some(t) = &r.target {
        push_field(&mut s, &mut first, "target");
        s.push_str("{\"frame\":");
        fmt::push_json_string(&mut s, &t.frame);
        s.push_str(&format!(
            ",\"x\":{},\"y\":{},\"yaw\":{}}}",
            fmt::format_g(t.x, 17),
            fmt::format_g(t.y, 17),
            fmt::format_g(t.yaw, 17)
        ));
    }
    push_field(&mut s, &mut first, "timeout_ms");
    s.push_str(&r.timeout_ms.to_string());
    s.push('}');
    s
}

/// Answer a request.
pub fn call(r: &Request) -> Response {
    let request_hash = fmt::hash_text(&request_json(r));
    let mut resp = Response {
        status: String::new(),
        job_id: None,
        host_reached: true,
        request_hash,
        response_hash: String::new(),
        progress: None,
        error_code: None,
        error: None,
        validation_status: "accepted",
    };
    let reject = |resp: &mut Response, code: &str, msg: &str| {
        resp.status = "rejected".into();
        resp.error_code = Some(code.into());
        resp.error = Some(msg.into());
        resp.validation_status = "rejected";
    };
    let default = match r.operation.as_str() {
        "navigate-to-pose" => match &r.target {
            None => {
                reject(&mut resp, "missing_target", "navigate-to-pose requires target");
                None
            }
            Some(t) if t.frame != "map" && t.frame != "odom" => {
                reject(&mut resp, "invalid_frame", "target.frame must be map or odom");
                None
            }
            Some(_) => Some("accepted"),
        },
        "status" | "cancel" if r.job_id.is_none() => {
            reject(&mut resp, "missing_job_id", "cancel and status require job_id");
            None
        }
        "status" => Some("running"),
        "cancel" => Some("cancelled"),
        _ => {
            reject(&mut resp, "unsupported_operation", "unsupported operation");
            None
        }
    };
    if let Some(d) = default {
        let wanted = r.mock_status.as_deref().unwrap_or(d);
        resp.status = if STATUSES.contains(&wanted) { wanted.to_string() } else { "rejected".to_string() };
        resp.job_id = Some(match &r.job_id {
            Some(j) => j.clone(),
            None => format!("{}-job", r.request_id),
        });
        if r.operation != "cancel" {
            let done = resp.status == "ok";
            resp.progress = Some(Progress {
                distance_remaining_m: if done { 0.0 } else { 1.25 },
                number_of_recoveries: 0,
                estimated_time_remaining_ms: if done { 0 } else { 1200 },
            });
        }
    }
    resp.response_hash = fmt::hash_text(&response_json(r, &resp));
    resp
}

fn response_json(r: &Request, resp: &Response) -> String {
    let mut s = String::from("{\"adapter\":\"mock-nav2\",\"capability\":\"cap.navigation.v1\"");
    if let Some(c) = &resp.error_code {
        s.push_str(",\"error_code\":");
        fmt::push_json_string(&mut s, c);
    }
    s.push_str(&format!(",\"host_reached\":{}", resp.host_reached));
    if let Some(j) = &resp.job_id {
        s.push_str(",\"job_id\":");
        fmt::push_json_string(&mut s, j);
    }
    s.push_str(",\"operation\":");
    fmt::push_json_string(&mut s, &r.operation);
    if let Some(p) = &resp.progress {
        s.push_str(&format!(
            ",\"progress\":{{\"distance_remaining_m\":{},\"estimated_time_remaining_ms\":{},\"number_of_recoveries\":{}}}",
            fmt::format_g(p.distance_remaining_m, 17),
            p.estimated_time_remaining_ms,
            p.number_of_recoveries
        ));
    }
    s.push_str(",\"request_id\":");
    fmt::push_json_string(&mut s, &r.request_id);
    s.push_str(",\"status\":");
    fmt::push_json_string(&mut s, &format!(":{}", resp.status));
    s.push('}');
    s
}

/// The `cap_call_start` payload.
pub fn start_event_json(r: &Request) -> String {
    let mut s = String::from("{\"request_id\":");
    fmt::push_json_string(&mut s, &r.request_id);
    s.push_str(",\"capability\":\"cap.navigation.v1\",\"operation\":");
    fmt::push_json_string(&mut s, &r.operation);
    s.push_str(&format!(",\"deadline_ms\":{},\"adapter\":\"mock-nav2\"}}", r.timeout_ms));
    s
}

/// The `cap_call_end` payload.
pub fn end_event_json(r: &Request, resp: &Response) -> String {
    let mut s = start_event_json(r);
    s.pop();
    s.push_str(",\"status\":");
    fmt::push_json_string(&mut s, &resp.status);
    s.push_str(&format!(",\"host_reached\":{},\"request_hash\":", resp.host_reached));
    fmt::push_json_string(&mut s, &resp.request_hash);
    s.push_str(",\"response_hash\":");
    fmt::push_json_string(&mut s, &resp.response_hash);
    s.push('}');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goal(status: Option<&str>) -> Request {
        Request {
            operation: "navigate-to-pose".into(),
            request_id: "flagship-nav-goal".into(),
            timeout_ms: 1000,
            action_name: None,
            job_id: None,
            target: Some(Target { frame: "map".into(), x: 1.5, y: 2.0, yaw: 0.0 }),
            mock_status: status.map(String::from),
        }
    }

    #[test]
    fn statuses() {
        let r = call(&goal(None));
        assert_eq!(r.status, "accepted");
        assert_eq!(r.job_id.as_deref(), Some("flagship-nav-goal-job"));
        assert_eq!(r.progress.as_ref().unwrap().distance_remaining_m, 1.25);
        assert_eq!(call(&goal(Some("ok"))).progress.unwrap().estimated_time_remaining_ms, 0);
        assert_eq!(call(&goal(Some("bogus"))).status, "rejected");
        let mut no_target = goal(None);
        no_target.target = None;
        assert_eq!(call(&no_target).error_code.as_deref(), Some("missing_target"));
        let r1 = call(&goal(None));
        assert_eq!(r1.request_hash, call(&goal(None)).request_hash);
        assert_ne!(r1.request_hash, call(&goal(Some("ok"))).request_hash);
    }
}
