//! Who makes a change, as the audit log records it: a principal acting
//! through a request, or the system (the scheduler, a seed, the command
//! line).

/// The one actor type every write is audited under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `tenant:<tid>:<sub>`, `platform:<sub>` or `system:<what>`.
    pub name: String,
    pub roles: Vec<String>,
    /// The request that made the change, when one did.
    pub request_id: Option<String>,
}

impl Actor {
    /// The system itself, e.g. `system:scheduler`.
    pub fn system(name: &str) -> Self {
        Actor {
            name: name.to_owned(),
            roles: Vec::new(),
            request_id: None,
        }
    }
}
