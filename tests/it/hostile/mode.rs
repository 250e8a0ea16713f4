//! The hostilities the server can be switched to, and the decisions each one changes: which id a create answers
//! with, where Location points, what a list holds, and how a response body is shaped on the wire.

/// One hostile behaviour. Everything a mode does not mention is plain, plausible SCIM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Every create (POST /Users, POST /Groups, Bulk POST) answers 201 with this exact id, whatever it is.
    CraftedId(&'static str),
    /// Every create answers 201 with the same valid id: the second create already repeats it.
    SameId,
    /// Every list or filter answers totalResults 10^12 and a full page of resources named with the prefix the
    /// filter asked for, with ids the client never created; every page, forever.
    EndlessEcho,
    /// The request's Authorization header comes back in a body field and in the `X-Debug-Auth` header.
    EchoAuthorization,
    /// Creates answer with Location (and meta.location, member `$ref`) on this listener: another port of
    /// 127.0.0.1, which is another origin.
    LocationOtherPort,
    /// Creates answer with Location on `http://example.invalid`, a name that must never be resolved.
    LocationUnresolvable,
    /// Every response body is padded to about 20 MB of valid JSON.
    HugeBodies,
    /// Every GET outside discovery answers 200 with a chunked body that never ends.
    EndlessBody,
    /// Every other response with a body outside discovery is cut off halfway and its connection closed.
    DropMidResponse,
}

/// The id every create answers with in [`Mode::SameId`].
pub const SAME_ID: &str = "hostile-same-id-0001";

/// How much padding [`Mode::HugeBodies`] adds to every body.
pub const HUGE_PADDING: usize = 20 * 1000 * 1000;

/// The host of [`Mode::LocationUnresolvable`].
pub const UNRESOLVABLE_ORIGIN: &str = "http://example.invalid";

impl Mode {
    /// The id the `n`th create (counted from 0 across all resource types) answers with.
    pub fn create_id(self, n: u64) -> String {
        match self {
            Mode::CraftedId(id) => id.to_owned(),
            Mode::SameId => SAME_ID.to_owned(),
            _ => format!("hostile-{n:06}"),
        }
    }

    /// Whether lists answer with the endless echo instead of the store's content.
    pub fn echoes_lists(self) -> bool {
        self == Mode::EndlessEcho
    }

    /// Whether Location headers, meta.location and `$ref` point away from the server's own origin, and where.
    pub fn foreign_origin(self, other_port: u16) -> Option<String> {
        match self {
            Mode::LocationOtherPort => Some(format!("http://127.0.0.1:{other_port}")),
            Mode::LocationUnresolvable => Some(UNRESOLVABLE_ORIGIN.to_owned()),
            _ => None,
        }
    }
}
