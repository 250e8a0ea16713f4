//! What a run created, as (collection, id) pairs taken from the server's own answers to its creates, and the rule
//! that every mutating request must pass before it leaves: it may only aim at one of those resources.
//!
//! The rule is checked on the URL as it goes on the wire ([`Ledger::permit`] is called by the client after the
//! URL is parsed, so dot segments are already resolved, the fragment is gone and tabs are stripped), never on the
//! text a caller built. Ids enter URLs through one function, [`item_path`], which makes the id exactly one
//! percent-encoded path segment (RFC 3986 section 3.3). An id that cannot be one segment (`.`, `..`, empty, with
//! a `/`, a `\` or a control character), or that the server hands out for two different creates, is a server
//! defect ([`IdDefect`]): it is never recorded as ours, so nothing is ever sent to change or delete it.

use percent_encoding::percent_decode_str;
use scimlab_protocol::uri::percent_encode;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Longest id accepted as one we may address (servers use UUIDs, numbers, or short opaque strings).
pub const MAX_ID_LEN: usize = 1024;

/// Why an id a server assigned will never be used in a mutating request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdDefect {
    /// The id cannot be one URL path segment, so a request aimed at it would reach another resource.
    #[error(
        "the server assigned id {id:?} ({why}); an id must be usable as one URL path segment (RFC 7643 section 3.1, \
         RFC 3986 section 3.3), so scimlab never sends a request to it"
    )]
    Unusable {
        /// The id as the server sent it.
        id: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// The server gave the same id to two different creates.
    #[error(
        "the server assigned id {id:?} to two different creates in {collection}; ids must be unique (RFC 7643 \
         section 3.1), so scimlab no longer sends any request that would change or delete it"
    )]
    Repeated {
        /// The collection (`/Users`).
        collection: String,
        /// The id.
        id: String,
    },
}

/// Why a request was refused before it left.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refused to send {method} {path}: {why}")]
pub struct Refusal {
    /// The method.
    pub method: String,
    /// The path as it would have gone on the wire.
    pub path: String,
    /// The rule it broke.
    pub why: String,
}

/// What is wrong with `id` as a path segment, if anything.
pub fn unusable(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("it is empty")
    } else if id == "." || id == ".." {
        Some("a dot segment is removed from URLs")
    } else if id.contains('/') || id.contains('\\') {
        Some("it holds a slash")
    } else if id.chars().any(char::is_control) {
        Some("it holds a control character")
    } else if id.len() > MAX_ID_LEN {
        Some("it is longer than 1024 bytes")
    } else if id.trim() != id {
        Some("it starts or ends with white space")
    } else {
        None
    }
}

/// `{collection}/{id}` with the id as exactly one percent-encoded segment, or the reason it cannot be one.
pub fn item_path(collection: &str, id: &str) -> Result<String, IdDefect> {
    if let Some(why) = unusable(id) {
        return Err(IdDefect::Unusable { id: id.to_owned(), why });
    }
    Ok(format!("{}/{}", collection.trim_end_matches('/'), percent_encode(id)))
}

/// The id encoded as one path segment, for templates that already hold the collection (`/Users/{ID}`). Callers
/// must have checked [`unusable`] (ids from the [`Ledger`] have been).
pub fn segment(id: &str) -> String {
    percent_encode(id)
}

#[derive(Debug, Default)]
struct Book {
    /// (collection lowercased without slashes, id) of everything created, deleted or not: requests may still
    /// aim at a resource the run deleted (a check that it is gone).
    owned: HashSet<(String, String)>,
    /// What is left to delete, in the order it was created: the key, then the collection as the run names it
    /// (`/Users`: a server may treat paths case-sensitively, so requests use the name as given).
    order: Vec<((String, String), String)>,
    /// Ids seen in a create answer, per collection, with how many creates returned them.
    seen: HashMap<(String, String), u32>,
    /// Ids made up to aim 404 checks at (never assigned by anyone).
    made_up: HashSet<String>,
    /// Server defects found so far.
    defects: Vec<IdDefect>,
    /// Names of resources whose create succeeded without an id we could use (they cannot be cleaned up).
    orphans: Vec<String>,
}

/// The resources one run created, shared by every request of the run.
#[derive(Debug, Default)]
pub struct Ledger {
    book: Mutex<Book>,
}

fn key(collection: &str) -> String {
    collection.trim_matches('/').to_ascii_lowercase()
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Ledger {
        Ledger::default()
    }

    fn book(&self) -> MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records that a create in `collection` (`/Users`) answered with `id`, and returns the path to aim later
    /// requests at. A repeated or unusable id is a defect: it is recorded as such, and never as ours.
    pub fn record(&self, collection: &str, id: &str) -> Result<String, IdDefect> {
        let path = item_path(collection, id);
        let mut book = self.book();
        let k = (key(collection), id.to_owned());
        let times = book.seen.entry(k.clone()).or_insert(0);
        *times += 1;
        let defect = match path {
            Err(d) => d,
            Ok(_) if *times > 1 => {
                book.owned.remove(&k);
                IdDefect::Repeated { collection: collection.to_owned(), id: id.to_owned() }
            }
            Ok(p) => {
                book.owned.insert(k.clone());
                book.order.push((k, collection.to_owned()));
                return Ok(p);
            }
        };
        if !book.defects.contains(&defect) {
            book.defects.push(defect.clone());
        }
        Err(defect)
    }

    /// Notes a resource that was created but cannot be addressed (no id came back).
    pub fn orphan(&self, name: &str) {
        self.book().orphans.push(name.to_owned());
    }

    /// Names of resources created without a usable id: the run cannot delete them.
    pub fn orphans(&self) -> Vec<String> {
        self.book().orphans.clone()
    }

    /// A fresh id that no server has, recorded so that 404 checks may aim mutating requests at it.
    pub fn made_up(&self) -> String {
        let id = format!("scimlab-missing-{}", uuid::Uuid::new_v4().simple());
        self.book().made_up.insert(id.clone());
        id
    }

    /// Whether `id` in `collection` was created by this run (or was made up by it).
    pub fn owns(&self, collection: &str, id: &str) -> bool {
        let book = self.book();
        book.made_up.contains(id) || book.owned.contains(&(key(collection), id.to_owned()))
    }

    /// Whether `id` was created by this run in any collection.
    pub fn owns_anywhere(&self, id: &str) -> bool {
        let book = self.book();
        book.made_up.contains(id) || book.owned.iter().any(|(_, i)| i == id)
    }

    /// Records that a resource this run created is gone: cleanup no longer deletes it (requests may still aim at
    /// it, to see that it is gone).
    pub fn forget(&self, collection: &str, id: &str) {
        let mut book = self.book();
        let k = (key(collection), id.to_owned());
        book.order.retain(|(o, _)| *o != k);
    }

    /// What is left to clean up, newest first, as (collection as the run named it, `/Users`; id).
    pub fn remaining(&self) -> Vec<(String, String)> {
        let book = self.book();
        book.order
            .iter()
            .rev()
            .filter(|(k, _)| book.owned.contains(k))
            .map(|((_, id), collection)| (collection.clone(), id.clone()))
            .collect()
    }

    /// Server defects found so far.
    pub fn defects(&self) -> Vec<IdDefect> {
        self.book().defects.clone()
    }

    /// The safety rule, on a request as it goes on the wire: `base_path` is the path of the base URL
    /// (`/scim/v2`), `path` the request URL's path after parsing (still percent-encoded). GETs go anywhere on the
    /// origin; a POST may only go to a collection, a `.search` endpoint or `/Bulk` (whose operations are checked
    /// too); PUT, PATCH and DELETE only to a resource this run created.
    pub fn permit(&self, method: &str, base_path: &str, path: &str, body: Option<&[u8]>) -> Result<(), Refusal> {
        let refuse = |why: String| Err(Refusal { method: method.to_owned(), path: path.to_owned(), why });
        let m = method.to_ascii_uppercase();
        if matches!(m.as_str(), "GET" | "HEAD" | "OPTIONS") {
            return Ok(());
        }
        let base = base_path.trim_end_matches('/');
        let Some(rel) = path.strip_prefix(base).filter(|r| r.is_empty() || r.starts_with('/')) else {
            return refuse(format!("the path is outside the base path {base}/"));
        };
        let raw: Vec<&str> = rel.strip_prefix('/').unwrap_or(rel).split('/').collect();
        let mut segments = Vec::with_capacity(raw.len());
        for s in &raw {
            match percent_decode_str(s).decode_utf8() {
                Ok(d) => segments.push(d.into_owned()),
                Err(_) => return refuse("a path segment is not UTF-8 once decoded".into()),
            }
        }
        let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
        if m == "POST" {
            return match segs.as_slice() {
                [c] if !c.is_empty() && !c.eq_ignore_ascii_case("bulk") => Ok(()),
                [c] if c.eq_ignore_ascii_case("bulk") => self.permit_bulk(body).or_else(refuse),
                [".search"] => Ok(()),
                [c, s] if !c.is_empty() && s.eq_ignore_ascii_case(".search") => Ok(()),
                // A POST to a resource (a 405 check) may only aim at one of ours, like any other write.
                [c, id] if !c.is_empty() && !id.is_empty() => self.permit_item(c, id).or_else(refuse),
                _ => refuse("a POST only ever goes to a collection, a .search endpoint or /Bulk".into()),
            };
        }
        match segs.as_slice() {
            [c, id] if !c.is_empty() && !id.is_empty() => self.permit_item(c, id).or_else(refuse),
            _ => refuse("only a single resource this run created is ever changed or deleted".into()),
        }
    }

    fn permit_item(&self, collection: &str, id: &str) -> Result<(), String> {
        if self.owns(collection, id) {
            Ok(())
        } else {
            Err(format!("the resource {id:?} in /{collection} was not created by this run"))
        }
    }

    /// Bulk operations (RFC 7644 section 3.7) may create, and may touch only resources this run created or
    /// `bulkId:` references of the same request. A body that is not a readable BulkRequest passes: the server
    /// cannot act on what it cannot read either.
    fn permit_bulk(&self, body: Option<&[u8]>) -> Result<(), String> {
        let Some(body) = body.and_then(|b| serde_json::from_slice::<Value>(b).ok()) else { return Ok(()) };
        let Some(ops) = body.get("Operations").and_then(Value::as_array) else { return Ok(()) };
        for op in ops {
            let method = op.get("method").and_then(Value::as_str).unwrap_or("");
            let path = op.get("path").and_then(Value::as_str).unwrap_or("");
            let segs: Vec<String> = path
                .split(['?', '#'])
                .next()
                .unwrap_or("")
                .trim_start_matches('/')
                .split('/')
                .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
                .collect();
            let ok = if method.eq_ignore_ascii_case("POST") {
                segs.len() == 1 && !segs[0].is_empty()
            } else {
                match segs.as_slice() {
                    [_, id] if id.starts_with("bulkId:") => true,
                    [c, id] => unusable(id).is_none() && self.owns(c, id),
                    _ => false,
                }
            };
            if !ok {
                return Err(format!(
                    "the bulk operation {method} {path} would touch a resource this run did not create"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ledger() -> Ledger {
        let l = Ledger::new();
        l.record("/Users", "mine").expect("a usable id");
        l
    }

    fn allowed(l: &Ledger, method: &str, path: &str) -> bool {
        l.permit(method, "/scim/v2", path, None).is_ok()
    }

    #[test]
    fn ids_become_one_encoded_segment() {
        assert_eq!(item_path("/Users", "a b#c?d%e").as_deref(), Ok("/Users/a%20b%23c%3Fd%25e"));
        assert_eq!(item_path("/Users/", "2819c223-7f76").as_deref(), Ok("/Users/2819c223-7f76"));
        for bad in [".", "..", "", "a/b", "../Groups/x", "a\tb", "a\\b", " a"] {
            assert!(matches!(item_path("/Users", bad), Err(IdDefect::Unusable { .. })), "{bad:?}");
        }
    }

    #[test]
    fn only_owned_resources_may_be_changed() {
        let l = ledger();
        assert!(allowed(&l, "POST", "/scim/v2/Users"));
        assert!(allowed(&l, "POST", "/scim/v2/Users/.search"));
        assert!(allowed(&l, "POST", "/scim/v2/.search"));
        assert!(allowed(&l, "PUT", "/scim/v2/Users/mine"));
        assert!(allowed(&l, "DELETE", "/scim/v2/users/mine"));
        assert!(allowed(&l, "GET", "/scim/v2/Users/someone-else"));
        assert!(!allowed(&l, "PUT", "/scim/v2/Users/someone-else"));
        assert!(!allowed(&l, "PATCH", "/scim/v2/Groups/mine"));
        assert!(allowed(&l, "POST", "/scim/v2/Users/mine"));
        assert!(!allowed(&l, "POST", "/scim/v2/Users/someone-else"));
        assert!(!allowed(&l, "POST", "/scim/v2/Users/mine/x"));
        let missing = l.made_up();
        assert!(allowed(&l, "DELETE", &format!("/scim/v2/Users/{missing}")));
    }

    #[test]
    fn collections_and_other_paths_are_never_changed() {
        let l = ledger();
        for path in
            ["/scim/v2/Users", "/scim/v2/Users/", "/scim/v2/", "/scim/v2", "/scim/v2/Users/mine/x", "/Users/mine"]
        {
            assert!(!allowed(&l, "DELETE", path), "{path}");
            assert!(!allowed(&l, "PATCH", path), "{path}");
        }
    }

    #[test]
    fn repeated_ids_are_defects_and_lose_ownership() {
        let l = ledger();
        assert!(matches!(l.record("/Users", "mine"), Err(IdDefect::Repeated { .. })));
        assert!(!allowed(&l, "DELETE", "/scim/v2/Users/mine"));
        assert!(matches!(l.record("/Users", "mine"), Err(IdDefect::Repeated { .. })));
        assert_eq!(l.defects().len(), 1);
        assert!(l.remaining().is_empty());
        // The same id in another collection is another resource.
        assert!(l.record("/Groups", "mine").is_ok());
        assert_eq!(l.remaining(), vec![("/Groups".to_owned(), "mine".to_owned())]);
    }

    #[test]
    fn encoded_ids_are_matched_decoded() {
        let l = Ledger::new();
        let path = l.record("/Users", "a#b").expect("usable");
        assert_eq!(path, "/Users/a%23b");
        assert!(allowed(&l, "DELETE", &format!("/scim/v2{path}")));
        assert!(!allowed(&l, "DELETE", "/scim/v2/Users/a"));
    }

    #[test]
    fn bulk_operations_may_only_touch_owned_resources() {
        let l = ledger();
        let ok = json!({"Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "a", "data": {}},
            {"method": "PATCH", "path": "/Users/mine", "data": {}},
            {"method": "DELETE", "path": "/Users/bulkId:a"}
        ]});
        let body = ok.to_string();
        assert!(l.permit("POST", "/scim/v2", "/scim/v2/Bulk", Some(body.as_bytes())).is_ok());
        for bad in [
            json!({"Operations": [{"method": "DELETE", "path": "/Users/someone-else"}]}),
            json!({"Operations": [{"method": "DELETE", "path": "/Users"}]}),
            json!({"Operations": [{"method": "DELETE", "path": "/Users/mine/../x"}]}),
        ] {
            let body = bad.to_string();
            assert!(l.permit("POST", "/scim/v2", "/scim/v2/Bulk", Some(body.as_bytes())).is_err(), "{bad}");
        }
    }

    #[test]
    fn deleted_resources_leave_cleanup_but_stay_ours() {
        let l = ledger();
        l.forget("/Users", "mine");
        assert!(allowed(&l, "PUT", "/scim/v2/Users/mine"));
        assert!(l.remaining().is_empty());
        // An id handed out again after deletion is reassigned: a defect, and no longer ours.
        assert!(l.record("/Users", "mine").is_err());
        assert!(!allowed(&l, "PUT", "/scim/v2/Users/mine"));
    }
}
