//! R3: who calls a management operation. Only an admin may create, list,
//! reset, edit or delete keys; the optional `id` names who acted.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The role of whoever calls a management operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// An account admin: may manage keys.
    Admin,
    /// Any other user: refused with [`Error::NotAdmin`].
    User,
}

impl Role {
    /// `"admin"` or `"user"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::User => "user",
        }
    }
}

/// The most bytes (UTF-8) in an actor's `id`: the audit trail keeps every
/// ID whole, and 200 events at their longest must fit the state's budget.
pub const MAX_ACTOR_ID_BYTES: usize = 64;

/// Who acted: up to 64 bytes of text without control characters, `"` or
/// `\` (so its JSON takes no more bytes than its text), held inline so that
/// an [`Actor`] is `Copy`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ActorId {
    len: u8,
    bytes: [u8; MAX_ACTOR_ID_BYTES],
}

impl ActorId {
    /// `text` trimmed, or `None` when it is empty; [`Error::InvalidInput`]
    /// when it is over 64 bytes or has a control character, `"` or `\`.
    pub fn new(text: &str) -> Result<Option<ActorId>> {
        let text = text.trim();
        if text.len() > MAX_ACTOR_ID_BYTES
            || text
                .chars()
                .any(|c| c.is_control() || c == '"' || c == '\\')
        {
            return Err(Error::InvalidInput);
        }
        if text.is_empty() {
            return Ok(None);
        }
        let mut bytes = [0; MAX_ACTOR_ID_BYTES];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        Ok(Some(ActorId {
            len: text.len() as u8,
            bytes,
        }))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl core::fmt::Debug for ActorId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// Who calls a management operation: a role and, optionally, an identity
/// (an admin's user name, the subject of an admin token).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    /// Admin or not.
    pub role: Role,
    /// Who acted, when known.
    pub id: Option<ActorId>,
}

#[allow(non_upper_case_globals)]
impl Actor {
    /// An anonymous admin.
    pub const Admin: Actor = Actor {
        role: Role::Admin,
        id: None,
    };
    /// An anonymous non-admin user.
    pub const User: Actor = Actor {
        role: Role::User,
        id: None,
    };

    /// `"admin"` is an admin; any other role is not.
    pub fn from_role(role: &str) -> Actor {
        if role == "admin" {
            Actor::Admin
        } else {
            Actor::User
        }
    }

    /// The same actor, naming who acted (see [`ActorId::new`]).
    pub fn with_id(self, id: &str) -> Result<Actor> {
        Ok(Actor {
            id: ActorId::new(id)?,
            ..self
        })
    }

    /// Whether this actor is an admin.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// `Ok` for an admin, else [`Error::NotAdmin`].
    pub fn require_admin(&self) -> Result<()> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(Error::NotAdmin)
        }
    }
}
