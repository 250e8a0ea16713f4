//! The group intents of every persona (group push): lookup and create, membership changes and full pushes,
//! renames and deletes.

use super::users::patch_body;
use super::wire::{PlannedBody, filter_literal, object};
use super::{
    Expect, GroupLookupStyle, GroupUpdateStyle, Idp, ListAll, MemberAddStyle, MemberRemoveStyle, Persona, Planned,
    PushStyle,
};
use crate::intent::{GroupProfile, Member};
use serde_json::{Value, json};

const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// Lookup, then create: without members, except for a persona that creates groups only once they have members
/// (JumpCloud), which sends nothing for an empty group and creates it with its first members.
pub(super) fn create(p: &Persona, g: &GroupProfile) -> Vec<Planned> {
    if !p.group_body.create_empty && g.members.is_empty() {
        return Vec::new();
    }
    let lookup = match p.group_lookup {
        GroupLookupStyle::Filter => {
            let why = match p.idp {
                Idp::Entra => {
                    "Entra looks groups up with excludedAttributes=members and a displayName filter, + for spaces \
                     (Microsoft Learn, SCIM endpoint tutorial)"
                }
                Idp::Okta => "Okta looks pushed groups up with a displayName eq filter (Okta SCIM 2.0 reference)",
                Idp::JumpCloud => {
                    "JumpCloud adopts an existing group of the same name, so it looks the name up first (JumpCloud \
                     support, group management considerations; the displayName eq filter is inferred)"
                }
                _ => "RFC 7644 section 3.4.2.2: an eq filter on displayName finds an existing group",
            };
            p.request("lookup", "GET", "/Groups".into(), PlannedBody::None)
                .with_query(p.lookup_query("displayName", &g.display_name, true))
                .expecting(Expect::NoMatch { not_found_ok: p.lookup.not_found_ok }, why)
        }
        GroupLookupStyle::ListAll { page_size } => {
            let list = ListAll { attribute: "displayName", value: g.display_name.clone(), page_size };
            let r = p.request("lookup", "GET", "/Groups".into(), PlannedBody::None).with_query(list.page_query(1));
            Planned { list_all: Some(list), ..r }.expecting(
                Expect::NotListed,
                "PingFederate finds groups by listing all of them, page by page, and matching displayName itself; \
                 it needs every page, with totalResults, startIndex and count honoured (Ping Identity docs, SCIM \
                 connector: group filtering retrieves all groups; RFC 7644 section 3.4.2.4)",
            )
        }
    };
    let s = &p.group_body;
    let mut schemas = vec![json!(GROUP)];
    if let Some(extra) = s.extra_schema {
        schemas.push(json!(extra));
    }
    let members = if g.members.is_empty() {
        s.empty_members.then(|| json!([]))
    } else {
        Some(Value::Array(g.members.iter().map(|m| member_value(p, m)).collect()))
    };
    let body = object(vec![
        ("schemas", Some(Value::Array(schemas))),
        ("externalId", s.external_id.then(|| json!(g.external_id))),
        ("displayName", Some(json!(g.display_name))),
        ("members", members),
        ("meta", s.meta.then(|| json!({"resourceType": "Group"}))),
    ]);
    let why = match p.idp {
        Idp::Entra => {
            "Entra creates groups without members, with its ADSCIM schema URN, and needs 201 with the id \
             (Microsoft Learn, SCIM endpoint tutorial)"
        }
        Idp::Okta => "Okta pushes a group with members: [] and needs 201 with the id (Okta SCIM 2.0 reference)",
        Idp::JumpCloud => {
            "JumpCloud creates a group only once it has members, with them, and needs 201 with the id (JumpCloud \
             support, group management considerations; members in the POST is inferred, RFC 7644 section 3.3)"
        }
        _ => "RFC 7644 section 3.3: a create answers 201 with the resource, including its id",
    };
    let create = p
        .request("create", "POST", "/Groups".into(), PlannedBody::Json(body))
        .expecting(Expect::Resource { statuses: &[201] }, why);
    vec![lookup, Planned { captures_id: true, ..create }]
}

fn member_value(p: &Persona, m: &Member) -> Value {
    match p.member_add {
        MemberAddStyle::RefNull => json!({"$ref": null, "value": m.id}),
        MemberAddStyle::ValueDisplay => json!({"value": m.id, "display": m.display}),
        MemberAddStyle::Value => json!({"value": m.id}),
    }
}

fn group_patch(p: &Persona, label: &'static str, id: &str, ops: Vec<Value>, why: &'static str) -> Planned {
    p.request(label, "PATCH", format!("/Groups/{}", crate::ledger::segment(id)), patch_body(ops))
        .expecting(Expect::Status { statuses: p.group_patch_statuses }, why)
}

/// Okta's path-less rename `{id, displayName}`, which follows every membership change.
fn okta_rename(p: &Persona, id: &str, display_name: &str) -> Planned {
    let op = json!({"op": p.op("replace"), "value": {"id": id, "displayName": display_name}});
    group_patch(
        p,
        "rename",
        id,
        vec![op],
        "Okta renames with a path-less replace of {id, displayName}, and sends it after every membership update \
         (Okta SCIM 2.0 reference)",
    )
}

/// Okta AIW's full PUT of the group.
fn put_group(p: &Persona, id: &str, display_name: &str, members: &[Member]) -> Planned {
    let members: Vec<Value> = members.iter().map(|m| member_value(p, m)).collect();
    let body = json!({"schemas": [GROUP], "id": id, "displayName": display_name, "members": members});
    p.request("put-group", "PUT", format!("/Groups/{}", crate::ledger::segment(id)), PlannedBody::Json(body)).expecting(
        Expect::Status { statuses: &[200] },
        "Okta AIW apps PUT the whole group for every change (observed in Okta's requests, scimgateway#95)",
    )
}

fn membership_after(g: &GroupProfile, add: &[Member], remove: &[Member]) -> Vec<Member> {
    let mut out: Vec<Member> = g.members.iter().filter(|m| !remove.iter().any(|r| r.id == m.id)).cloned().collect();
    for a in add {
        if !out.iter().any(|m| m.id == a.id) {
            out.push(a.clone());
        }
    }
    out
}

/// Members added and removed as one change.
pub(super) fn change_members(
    p: &Persona,
    id: &str,
    g: &GroupProfile,
    add: &[Member],
    remove: &[Member],
) -> Vec<Planned> {
    if add.is_empty() && remove.is_empty() {
        return Vec::new();
    }
    if p.group_update == GroupUpdateStyle::Put {
        return vec![put_group(p, id, &g.display_name, &membership_after(g, add, remove))];
    }
    let mut ops = Vec::new();
    if !remove.is_empty() {
        match p.member_remove {
            MemberRemoveStyle::ValueList => {
                let values: Vec<Value> = remove.iter().map(|m| json!({"value": m.id})).collect();
                ops.push(json!({"op": p.op("remove"), "path": "members", "value": values}));
            }
            MemberRemoveStyle::FilterPath => {
                for m in remove {
                    let path = format!("members[value eq {}]", filter_literal(&m.id));
                    ops.push(json!({"op": p.op("remove"), "path": path}));
                }
            }
        }
    }
    if !add.is_empty() {
        let values: Vec<Value> = add.iter().map(|m| member_value(p, m)).collect();
        ops.push(json!({"op": p.op("add"), "path": "members", "value": values}));
    }
    let why = match (p.idp, p.member_remove, remove.is_empty()) {
        (Idp::Entra, MemberRemoveStyle::ValueList, false) => {
            "Entra removes members with Remove on members and a value list, and takes 204 \
             (Microsoft Learn, SCIM endpoint tutorial)"
        }
        (Idp::Entra, MemberRemoveStyle::FilterPath, false) => {
            "Entra with aadOptscim062020 removes each member with a members[value eq] path and no value \
             (Microsoft Learn, SCIM 2.0 compliance known issues)"
        }
        (Idp::Entra, _, true) => {
            "Entra adds several members per PATCH with $ref null, and takes 204 \
             (Microsoft Learn, SCIM endpoint tutorial)"
        }
        (Idp::JumpCloud, _, _) => {
            "JumpCloud syncs every membership change as a PATCH on members with a value array, for adds and removes \
             alike, with no filter (a vendor KB, secondary: jumpcloud/group_member_patch_secondary.json)"
        }
        (Idp::Ping, _, _) => {
            "PingFederate updates groups with PATCH (Ping Identity docs, SCIM connector: PATCH for Groups Yes); the \
             op shapes are inferred from RFC 7644 sections 3.5.2.1 and 3.5.2.2"
        }
        (Idp::Okta, _, _) => {
            "Okta sends a membership delta, removals by members[value eq] path and additions with value and display, \
             in one PATCH (observed in Okta's requests, SCIM-SDK#419)"
        }
        _ => "RFC 7644 section 3.5.2.1 and 3.5.2.2: add to members, remove by a value filter",
    };
    let mut plan = vec![group_patch(p, "members", id, ops, why)];
    if p.group_update == GroupUpdateStyle::PatchPathlessRename {
        plan.push(okta_rename(p, id, &g.display_name));
    }
    plan
}

/// The whole membership pushed.
pub(super) fn push(p: &Persona, id: &str, g: &GroupProfile, members: &[Member]) -> Vec<Planned> {
    if p.group_update == GroupUpdateStyle::Put {
        return vec![put_group(p, id, &g.display_name, members)];
    }
    match p.push {
        PushStyle::Diff => {
            let add: Vec<Member> =
                members.iter().filter(|m| !g.members.iter().any(|o| o.id == m.id)).cloned().collect();
            let remove: Vec<Member> =
                g.members.iter().filter(|o| !members.iter().any(|m| m.id == o.id)).cloned().collect();
            change_members(p, id, g, &add, &remove)
        }
        PushStyle::Replace => {
            let values: Vec<Value> = members.iter().map(|m| member_value(p, m)).collect();
            let op = json!({"op": p.op("replace"), "path": "members", "value": values});
            let why = match p.idp {
                Idp::Okta => {
                    "Okta's Push now replaces members with the full list, [] for an empty group \
                     (observed in Okta's requests, SCIM-SDK#757)"
                }
                _ => "RFC 7644 section 3.5.2.3: replace on members sets the whole list",
            };
            let mut plan = vec![group_patch(p, "push", id, vec![op], why)];
            if p.group_update == GroupUpdateStyle::PatchPathlessRename {
                plan.push(okta_rename(p, id, &g.display_name));
            }
            plan
        }
    }
}

/// A rename.
pub(super) fn rename(p: &Persona, id: &str, g: &GroupProfile, display_name: &str) -> Vec<Planned> {
    match p.group_update {
        GroupUpdateStyle::Put => vec![put_group(p, id, display_name, &g.members)],
        GroupUpdateStyle::PatchPathlessRename => vec![okta_rename(p, id, display_name)],
        GroupUpdateStyle::Patch => {
            let op = json!({"op": p.op("replace"), "path": "displayName", "value": display_name});
            let why = match p.idp {
                Idp::Entra => {
                    "Entra renames with Replace displayName and takes 204 (Microsoft Learn, SCIM endpoint tutorial)"
                }
                Idp::JumpCloud => {
                    "JumpCloud syncs a group's rename (JumpCloud support, group management considerations); the \
                     replace displayName shape is inferred (RFC 7644 section 3.5.2.3)"
                }
                Idp::Ping => {
                    "PingFederate updates groups with PATCH (Ping Identity docs, SCIM connector); replace \
                     displayName is inferred (RFC 7644 section 3.5.2.3)"
                }
                _ => "RFC 7644 section 3.5.2.3: replace displayName",
            };
            vec![group_patch(p, "rename", id, vec![op], why)]
        }
    }
}

/// A delete.
pub(super) fn delete(p: &Persona, id: &str) -> Vec<Planned> {
    let why = match p.idp {
        Idp::Entra => {
            "Entra deletes a group with DELETE on its URL and needs 204 (Microsoft Learn, SCIM endpoint tutorial)"
        }
        Idp::Okta => "Okta deletes a pushed group on Unlink with delete in the app (Okta SCIM 2.0 reference)",
        Idp::JumpCloud => {
            "JumpCloud DELETEs in the app a group deleted in JumpCloud, and needs 204 (JumpCloud support, group \
             management considerations)"
        }
        _ => "RFC 7644 section 3.6: DELETE answers 204",
    };
    vec![
        p.request("delete", "DELETE", format!("/Groups/{}", crate::ledger::segment(id)), PlannedBody::None)
            .expecting(Expect::Status { statuses: &[204, 200] }, why),
    ]
}
