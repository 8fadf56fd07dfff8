//! Request parsing: every failure is a 400 `INVALID_INPUT` naming the field.

use serde_json::{Map, Value};

use super::errors::ApiError;

/// Largest request body accepted (bytes).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Parse a request body; an empty body counts as `{}`.
pub fn parse_body(raw: &str) -> Result<Map<String, Value>, ApiError> {
    if raw.len() > MAX_BODY_BYTES {
        return Err(ApiError::invalid("body", format!("request body exceeds {MAX_BODY_BYTES} bytes")));
    }
    if raw.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(raw) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::invalid("body", "must be a JSON object")),
        Err(e) => Err(ApiError::invalid("body", format!("malformed JSON: {e}"))),
    }
}

/// A JSON object with the path prefix used in error details (`""` or `"cohort."`).
pub struct Obj<'a> {
    pub map: &'a Map<String, Value>,
    pub prefix: String,
}

impl<'a> Obj<'a> {
    pub fn root(map: &'a Map<String, Value>) -> Obj<'a> {
        Obj { map, prefix: String::new() }
    }

    pub fn name(&self, field: &str) -> String {
        format!("{}{field}", self.prefix)
    }

    /// The value of `field`, treating JSON `null` as absent.
    pub fn get(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field).filter(|v| !v.is_null())
    }

    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    /// A required string, trimmed, 1..=max chars, without control characters.
    pub fn req_str(&self, field: &str, max: usize) -> Result<String, ApiError> {
        match self.opt_str(field, max)? {
            Some(s) => Ok(s),
            None => Err(ApiError::invalid(&self.name(field), "is required")),
        }
    }

    pub fn opt_str(&self, field: &str, max: usize) -> Result<Option<String>, ApiError> {
        let name = self.name(field);
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => {
                let t = s.trim();
                if t.is_empty() {
                    Err(ApiError::invalid(&name, "must not be empty"))
                } else if t.chars().count() > max {
                    Err(ApiError::invalid(&name, format!("must be at most {max} characters")))
                } else if t.chars().any(char::is_control) {
                    Err(ApiError::invalid(&name, "must not contain control characters (newline, NUL, ...)"))
                } else {
                    Ok(Some(t.to_string()))
                }
            }
            Some(_) => Err(ApiError::invalid(&name, "must be a string")),
        }
    }

    /// An optional finite number in `[min, max]`.
    pub fn opt_num(&self, field: &str, min: f64, max: f64) -> Result<Option<f64>, ApiError> {
        let name = self.name(field);
        match self.get(field) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_f64() {
                Some(x) if x.is_finite() && x >= min && x <= max => Ok(Some(x)),
                Some(_) => Err(ApiError::invalid(&name, format!("must be between {min} and {max}"))),
                None => Err(ApiError::invalid(&name, "must be a number")),
            },
            Some(_) => Err(ApiError::invalid(&name, "must be a number")),
        }
    }

    pub fn req_num(&self, field: &str, min: f64, max: f64) -> Result<f64, ApiError> {
        self.opt_num(field, min, max)?.ok_or_else(|| ApiError::invalid(&self.name(field), "is required"))
    }

    /// An optional integer in `[min, max]`.
    pub fn opt_int(&self, field: &str, min: u64, max: u64) -> Result<Option<u64>, ApiError> {
        let name = self.name(field);
        match self.get(field) {
            None => Ok(None),
            Some(Value::Number(n)) => {
                let v = n
                    .as_u64()
                    .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1.8e19).map(|f| f as u64));
                match v {
                    Some(x) if x >= min && x <= max => Ok(Some(x)),
                    Some(_) => Err(ApiError::invalid(&name, format!("must be between {min} and {max}"))),
                    None if n.as_i64().is_some() => {
                        Err(ApiError::invalid(&name, format!("must be between {min} and {max}")))
                    }
                    None => Err(ApiError::invalid(&name, "must be an integer")),
                }
            }
            Some(_) => Err(ApiError::invalid(&name, "must be an integer")),
        }
    }

    pub fn req_int(&self, field: &str, min: u64, max: u64) -> Result<u64, ApiError> {
        self.opt_int(field, min, max)?.ok_or_else(|| ApiError::invalid(&self.name(field), "is required"))
    }

    pub fn opt_bool(&self, field: &str) -> Result<Option<bool>, ApiError> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ApiError::invalid(&self.name(field), "must be true or false")),
        }
    }

    pub fn opt_obj(&self, field: &str) -> Result<Option<Obj<'a>>, ApiError> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(Obj { map: m, prefix: format!("{}.", self.name(field)) })),
            Some(_) => Err(ApiError::invalid(&self.name(field), "must be an object")),
        }
    }

    pub fn opt_array(&self, field: &str, max_len: usize) -> Result<Option<&'a Vec<Value>>, ApiError> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Array(a)) if a.len() <= max_len => Ok(Some(a)),
            Some(Value::Array(_)) => {
                Err(ApiError::invalid(&self.name(field), format!("must have at most {max_len} items")))
            }
            Some(_) => Err(ApiError::invalid(&self.name(field), "must be an array")),
        }
    }

    /// A required array of finite numbers.
    pub fn num_array(&self, field: &str, max_len: usize) -> Result<Vec<f64>, ApiError> {
        let Some(items) = self.opt_array(field, max_len)? else {
            return Err(ApiError::invalid(&self.name(field), "is required"));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_f64()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| ApiError::invalid(&format!("{}[{i}]", self.name(field)), "must be a finite number"))
            })
            .collect()
    }
}

/// Ids used as results ids / run ids: `^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`.
pub fn check_id(field: &str, s: &str) -> Result<(), ApiError> {
    let ok = s.len() <= 128
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(field, "must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"))
    }
}

/// Canonical JSON text (keys sorted at every level), for idempotency fingerprints.
pub fn canonical(v: &Value) -> String {
    // Explicit stack: no recursion on user data.
    enum Item<'a> {
        Val(&'a Value),
        Text(String),
    }
    let mut out = String::new();
    let mut stack = vec![Item::Val(v)];
    while let Some(item) = stack.pop() {
        match item {
            Item::Text(t) => out.push_str(&t),
            Item::Val(Value::Object(m)) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                stack.push(Item::Text("}".into()));
                for (i, k) in keys.iter().enumerate().rev() {
                    if let Some(val) = m.get(*k) {
                        stack.push(Item::Val(val));
                    }
                    let sep = if i == 0 { "" } else { "," };
                    stack.push(Item::Text(format!("{sep}{}:", Value::String((*k).clone()))));
                }
                stack.push(Item::Text("{".into()));
            }
            Item::Val(Value::Array(a)) => {
                stack.push(Item::Text("]".into()));
                for (i, val) in a.iter().enumerate().rev() {
                    stack.push(Item::Val(val));
                    if i > 0 {
                        stack.push(Item::Text(",".into()));
                    }
                }
                stack.push(Item::Text("[".into()));
            }
            Item::Val(other) => out.push_str(&other.to_string()),
        }
    }
    out
}

/// Shell-style glob: `*` any run, `?` one character; everything else literal. Iterative.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == '?' || Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    while p.get(pi) == Some(&'*') {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn glob_matches_like_a_shell() {
        assert!(glob("*", ""));
        assert!(glob("*", "CL"));
        assert!(glob("C?", "CL"));
        assert!(!glob("C?", "C"));
        assert!(glob("*Time", "EndTime"));
        assert!(glob("a*b*c", "aXXbYYc"));
        assert!(!glob("a*b*c", "aXXbYY"));
        assert!(glob("**", "x"));
        assert!(!glob("v*", "V2"));
        assert!(glob("Liver|*", "Liver|Volume"));
    }

    #[test]
    fn canonical_sorts_keys_at_every_level() {
        let a = json!({"b": [1, {"z": 1, "a": 2}], "a": "x"});
        let b = json!({"a": "x", "b": [1, {"a": 2, "z": 1}]});
        assert_eq!(canonical(&a), canonical(&b));
        assert_eq!(canonical(&a), r#"{"a":"x","b":[1,{"a":2,"z":1}]}"#);
        assert_eq!(canonical(&json!([])), "[]");
        assert_eq!(canonical(&json!({})), "{}");
    }

    #[test]
    fn ids() {
        assert!(check_id("runId", "run-1.a_b").is_ok());
        assert!(check_id("runId", "-x").is_err());
        assert!(check_id("runId", "a/b").is_err());
        assert!(check_id("runId", &"a".repeat(129)).is_err());
    }

    #[test]
    fn bodies() {
        assert!(parse_body("").unwrap().is_empty());
        assert!(parse_body("  ").unwrap().is_empty());
        assert_eq!(parse_body("[]").unwrap_err().details[0].field, "body");
        assert_eq!(parse_body("{").unwrap_err().details[0].field, "body");
    }
}
