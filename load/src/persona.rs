//! `--as PERSONA`: the shape of what the generator sends, after the identity providers it stands for
//! (reference/IDP-TRAFFIC.md): headers, create bodies, lookup encodings, and how a profile update, a
//! (de)activation and a membership change travel.
//!
//! This is the load generator's own minimal copy of the mock IdP's persona traits, reduced to the requests the
//! workloads send and written straight to bytes (no `serde_json::Value` on the hot path). The mock IdP's
//! `persona` module was not yet part of its crate when this was written; when it is, the `patch` workload should
//! take its bodies from `Persona::plan` instead (see the crate docs).

use crate::population::Population;
use serde_json::Value;

/// The SCIM core User schema URN.
pub const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The enterprise User extension URN.
pub const ENTERPRISE_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// The SCIM core Group schema URN.
pub const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// The PatchOp message URN.
pub const PATCH_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// The BulkRequest message URN.
pub const BULK_URN: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
/// Entra's extra group schema URN.
const ADSCIM_URN: &str = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";

/// The identity provider whose requests the generator imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Persona {
    /// Clean RFC 7644 requests: lowercase ops, paths, `%20` in queries.
    Rfc,
    /// Microsoft Entra ID by default: capitalised ops, one op per attribute, `"False"` strings, `+` in queries.
    Entra,
    /// Entra with the `aadOptscim062020` flag: lowercase ops, one path-less replace with dotted and URN keys.
    Entra2020,
    /// Okta OIN: GET then a full PUT for profile updates, path-less `{active}` PATCH, `%20` and
    /// `&startIndex=1&count=100` in lookups.
    Okta,
}

/// The headers a persona sends besides the credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Headers {
    /// `User-Agent`, if any.
    pub user_agent: Option<&'static str>,
    /// `Accept`, if any.
    pub accept: Option<&'static str>,
    /// `Accept-Charset`, if any.
    pub accept_charset: Option<&'static str>,
    /// `Content-Type` of bodies.
    pub content_type: &'static str,
}

/// How a persona sends a profile update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// One PATCH with this body.
    Patch(String),
    /// `GET /Users/{id}`, then a PUT of what came back with the changes ([`Persona::put_body`]).
    GetThenPut,
}

impl Persona {
    /// Every persona, the default (`entra`) first.
    pub const ALL: [Persona; 4] = [Persona::Entra, Persona::Entra2020, Persona::Okta, Persona::Rfc];

    /// The name `--as` takes.
    pub fn name(self) -> &'static str {
        match self {
            Persona::Rfc => "rfc",
            Persona::Entra => "entra",
            Persona::Entra2020 => "entra-2020",
            Persona::Okta => "okta",
        }
    }

    /// The persona called `name` (case-insensitive).
    pub fn parse(name: &str) -> Result<Persona, String> {
        let names: Vec<&str> = Persona::ALL.iter().map(|p| p.name()).collect();
        Persona::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| format!("unknown persona {name:?} for --as; the load generator knows {}", names.join(", ")))
    }

    /// Its headers (IDP-TRAFFIC.md: Entra sends no documented User-Agent; Okta's OIN client identifies itself).
    pub fn headers(self) -> Headers {
        match self {
            Persona::Rfc => Headers {
                user_agent: Some("scimlab-load"),
                accept: Some("application/scim+json"),
                accept_charset: None,
                content_type: "application/scim+json",
            },
            Persona::Entra | Persona::Entra2020 => Headers {
                user_agent: None,
                accept: None,
                accept_charset: None,
                content_type: "application/scim+json; charset=utf-8",
            },
            Persona::Okta => Headers {
                user_agent: Some("Okta SCIM Client 1.0.0"),
                accept: Some("application/scim+json"),
                accept_charset: Some("utf-8"),
                content_type: "application/scim+json; charset=utf-8",
            },
        }
    }

    fn op(self, lower: &'static str) -> &'static str {
        match (self, lower) {
            (Persona::Entra, "add") => "Add",
            (Persona::Entra, "replace") => "Replace",
            (Persona::Entra, "remove") => "Remove",
            _ => lower,
        }
    }

    /// The body that creates user `i` (IDP-TRAFFIC.md: Entra's hire body with the enterprise extension, `meta`
    /// and `roles: []`; Okta's core-only body with `locale` and `groups: []`).
    pub fn user_body(self, pop: &Population, i: u64) -> String {
        let (name, ext, given, family) = (pop.user_name(i), pop.external_id(i), pop.given_name(i), pop.family_name(i));
        let (title, dept, num) = (pop.title(i, 0), pop.department(i, 0), pop.employee_number(i));
        match self {
            Persona::Rfc => format!(
                r#"{{"schemas":["{USER_URN}","{ENTERPRISE_URN}"],"userName":"{name}","externalId":"{ext}","name":{{"givenName":"{given}","familyName":"{family}"}},"displayName":"{given} {family}","emails":[{{"type":"work","primary":true,"value":"{name}"}},{{"type":"home","value":"{given}.{family}.{i}@home.example"}}],"active":true,"title":"{title}","{ENTERPRISE_URN}":{{"employeeNumber":"{num}","department":"{dept}"}}}}"#
            ),
            Persona::Entra | Persona::Entra2020 => format!(
                r#"{{"schemas":["{USER_URN}","{ENTERPRISE_URN}"],"externalId":"{ext}","userName":"{name}","active":true,"displayName":"{given} {family}","title":"{title}","emails":[{{"primary":true,"type":"work","value":"{name}"}}],"meta":{{"resourceType":"User"}},"name":{{"formatted":"{given} {family}","familyName":"{family}","givenName":"{given}"}},"roles":[],"{ENTERPRISE_URN}":{{"employeeNumber":"{num}","department":"{dept}"}}}}"#
            ),
            Persona::Okta => format!(
                r#"{{"schemas":["{USER_URN}"],"userName":"{name}","name":{{"givenName":"{given}","familyName":"{family}"}},"emails":[{{"primary":true,"value":"{name}","type":"work"}}],"displayName":"{given} {family}","locale":"en-US","externalId":"{ext}","groups":[],"active":true}}"#
            ),
        }
    }

    /// The body that creates group `g` listing `members` (ids, or `bulkId:..` references in a /Bulk request).
    pub fn group_body(self, pop: &Population, g: u64, members: &[String]) -> String {
        let mut list = String::with_capacity(members.len() * 48);
        for (k, m) in members.iter().enumerate() {
            if k > 0 {
                list.push(',');
            }
            list.push_str(r#"{"value":""#);
            list.push_str(m);
            list.push_str(r#""}"#);
        }
        let (name, ext) = (pop.group_name(g), pop.group_external_id(g));
        match self {
            Persona::Entra | Persona::Entra2020 => format!(
                r#"{{"schemas":["{GROUP_URN}","{ADSCIM_URN}"],"externalId":"{ext}","displayName":"{name}","members":[{list}]}}"#
            ),
            Persona::Rfc | Persona::Okta => {
                format!(
                    r#"{{"schemas":["{GROUP_URN}"],"displayName":"{name}","externalId":"{ext}","members":[{list}]}}"#
                )
            }
        }
    }

    /// The query of a lookup by `filter`, encoded the persona's way: `+` (Entra) or `%20` (Okta, RFC) for spaces,
    /// Okta's `&startIndex=1&count=100` after it.
    pub fn lookup_query(self, filter: &str) -> String {
        let mut q = String::with_capacity(filter.len() * 2 + 32);
        q.push_str("filter=");
        let plus = matches!(self, Persona::Entra | Persona::Entra2020);
        for b in filter.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                q.push(char::from(b));
            } else if b == b' ' && plus {
                q.push('+');
            } else {
                q.push('%');
                q.push(char::from(HEX[usize::from(b >> 4)]));
                q.push(char::from(HEX[usize::from(b & 15)]));
            }
        }
        if self == Persona::Okta {
            q.push_str("&startIndex=1&count=100");
        }
        q
    }

    /// A profile update of user `i` to revision `rev`: a new title and department (IDP-TRAFFIC.md section 1,
    /// Update; section 2, Update for Okta's GET then PUT).
    pub fn update(self, pop: &Population, i: u64, rev: u64) -> Update {
        let (title, dept) = (pop.title(i, rev), pop.department(i, rev));
        match self {
            Persona::Rfc | Persona::Entra => {
                let r = self.op("replace");
                Update::Patch(format!(
                    r#"{{"schemas":["{PATCH_URN}"],"Operations":[{{"op":"{r}","path":"title","value":"{title}"}},{{"op":"{r}","path":"{ENTERPRISE_URN}:department","value":"{dept}"}}]}}"#
                ))
            }
            Persona::Entra2020 => Update::Patch(format!(
                r#"{{"schemas":["{PATCH_URN}"],"Operations":[{{"op":"replace","value":{{"title":"{title}","{ENTERPRISE_URN}:department":"{dept}"}}}}]}}"#
            )),
            Persona::Okta => Update::GetThenPut,
        }
    }

    /// Okta's PUT after its GET: the fetched user with `meta` cut to `resourceType`, `groups` sent empty, and
    /// the new title.
    pub fn put_body(self, fetched: &[u8], pop: &Population, i: u64, rev: u64) -> Result<Vec<u8>, String> {
        let mut v: Value = serde_json::from_slice(fetched).map_err(|e| format!("the GET answer is not JSON: {e}"))?;
        let obj = v.as_object_mut().ok_or("the GET answer is not a JSON object")?;
        obj.shift_remove("meta");
        obj.insert("meta".into(), serde_json::json!({"resourceType": "User"}));
        if obj.contains_key("groups") {
            obj.insert("groups".into(), Value::Array(Vec::new()));
        }
        obj.insert("title".into(), Value::String(pop.title(i, rev)));
        serde_json::to_vec(&v).map_err(|e| e.to_string())
    }

    /// The PATCH that sets `active` (Entra: `path: active` with `"True"`/`"False"`; Entra with the flag and the RFC
    /// persona: JSON booleans; Okta: path-less `{"active": ..}`).
    pub fn set_active(self, active: bool) -> String {
        match self {
            Persona::Entra => {
                let v = if active { "True" } else { "False" };
                format!(
                    r#"{{"schemas":["{PATCH_URN}"],"Operations":[{{"op":"Replace","path":"active","value":"{v}"}}]}}"#
                )
            }
            Persona::Entra2020 | Persona::Rfc => {
                format!(
                    r#"{{"schemas":["{PATCH_URN}"],"Operations":[{{"op":"replace","path":"active","value":{active}}}]}}"#
                )
            }
            Persona::Okta => {
                format!(
                    r#"{{"schemas":["{PATCH_URN}"],"Operations":[{{"op":"replace","value":{{"active":{active}}}}}]}}"#
                )
            }
        }
    }

    /// The PATCH that adds user `id` (shown as `display`) to a group.
    pub fn add_member(self, id: &str, display: &str) -> String {
        let value = match self {
            Persona::Entra | Persona::Entra2020 => format!(r#"[{{"$ref":null,"value":"{id}"}}]"#),
            Persona::Okta => format!(r#"[{{"value":"{id}","display":"{display}"}}]"#),
            Persona::Rfc => format!(r#"[{{"value":"{id}"}}]"#),
        };
        let op = self.op("add");
        format!(r#"{{"schemas":["{PATCH_URN}"],"Operations":[{{"op":"{op}","path":"members","value":{value}}}]}}"#)
    }

    /// The PATCH that removes user `id` from a group (Entra: a value list; the others: a filtered path).
    pub fn remove_member(self, id: &str) -> String {
        match self {
            Persona::Entra => format!(
                r#"{{"schemas":["{PATCH_URN}"],"Operations":[{{"op":"Remove","path":"members","value":[{{"value":"{id}"}}]}}]}}"#
            ),
            _ => format!(
                r#"{{"schemas":["{PATCH_URN}"],"Operations":[{{"op":"remove","path":"members[value eq \"{id}\"]"}}]}}"#
            ),
        }
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

#[cfg(test)]
mod tests {
    use super::*;

    fn json(s: &str) -> Value {
        serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
    }

    #[test]
    fn every_body_is_valid_json() {
        let pop = Population::new("t1", 100, 10);
        for p in Persona::ALL {
            let u = json(&p.user_body(&pop, 7));
            assert_eq!(u["userName"], "t1.u0000007@load.scimlab.test", "{p:?}");
            let g = json(&p.group_body(&pop, 0, &["bulkId:u1".into(), "abc".into()]));
            assert_eq!(g["members"][1]["value"], "abc");
            if let Update::Patch(b) = p.update(&pop, 7, 3) {
                json(&b);
            }
            for b in [p.set_active(false), p.add_member("x", "y"), p.remove_member("x")] {
                json(&b);
            }
        }
    }

    #[test]
    fn ops_follow_the_persona_casing() {
        let pop = Population::new("t", 10, 10);
        let Update::Patch(b) = Persona::Entra.update(&pop, 1, 1) else { panic!("entra patches") };
        assert_eq!(json(&b)["Operations"][0]["op"], "Replace");
        assert_eq!(json(&Persona::Entra.set_active(false))["Operations"][0]["value"], "False");
        assert_eq!(json(&Persona::Okta.set_active(false))["Operations"][0]["value"]["active"], false);
        assert!(json(&Persona::Entra2020.remove_member("i"))["Operations"][0]["path"] == "members[value eq \"i\"]");
        assert_eq!(Persona::Okta.update(&pop, 1, 1), Update::GetThenPut);
    }

    #[test]
    fn lookups_encode_spaces_the_persona_way() {
        assert_eq!(Persona::Entra.lookup_query(r#"userName eq "a@b""#), "filter=userName+eq+%22a%40b%22");
        assert_eq!(
            Persona::Okta.lookup_query(r#"userName eq "a""#),
            "filter=userName%20eq%20%22a%22&startIndex=1&count=100"
        );
    }

    #[test]
    fn okta_puts_back_what_it_read() {
        let pop = Population::new("t", 10, 10);
        let fetched =
            br#"{"id":"1","userName":"a","groups":[{"value":"g"}],"meta":{"resourceType":"User","version":"W/\"1\""}}"#;
        let body = json(&String::from_utf8(Persona::Okta.put_body(fetched, &pop, 1, 2).expect("put")).expect("utf8"));
        assert_eq!(body["groups"], serde_json::json!([]));
        assert_eq!(body["meta"], serde_json::json!({"resourceType": "User"}));
        assert_eq!(body["title"], pop.title(1, 2));
        assert_eq!(Persona::parse("ENTRA"), Ok(Persona::Entra));
        assert!(Persona::parse("nope").unwrap_err().contains("entra-2020"));
    }
}
