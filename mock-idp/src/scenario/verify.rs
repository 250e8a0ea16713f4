//! Step expectations: users and groups read back after a step and compared with what the scenario expects,
//! with the IdP's reading of a mismatch (Entra needs inactive users to stay readable, the manager returned as a
//! complex value...). Reads use plain RFC requests: they are scimlab's own checks, not the IdP's traffic.

use super::engine::{Replayer, State};
use super::model::{Expectations, GroupExpect, Scenario, UserExpect};
use super::send::describe;
use crate::client::{ScimRequest, ScimResponse};
use crate::persona::Idp;
use crate::persona::wire::{Space, encode_component, filter_literal};
use scimlab_protocol::exchange::Exchange;
use scimlab_protocol::json::get_ci;
use serde_json::Value;

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// A failed expectation.
#[derive(Debug)]
pub struct Miss {
    /// Why, in the IdP's terms.
    pub reason: String,
    /// What was expected.
    pub expected: String,
    /// What the server showed.
    pub actual: String,
}

async fn read(r: &Replayer, path: String, exchanges: &mut Vec<Exchange>) -> Result<ScimResponse, Miss> {
    match r.client.send(ScimRequest::get(&path)).await {
        Ok(resp) => {
            exchanges.push(resp.exchange.clone());
            Ok(resp)
        }
        Err(e) => Err(Miss {
            reason: format!("scimlab could not read {path} back: {}", lost(e, exchanges)),
            expected: "an answer".into(),
            actual: "no answer".into(),
        }),
    }
}

/// What a request that got no usable answer left as evidence (the attempts, the unanswered request), kept in
/// `exchanges`; the error in words.
pub(super) fn lost(e: crate::client::ClientError, exchanges: &mut Vec<Exchange>) -> String {
    let words = e.to_string();
    match e {
        crate::client::ClientError::Transport { exchange, .. } => exchanges.push(*exchange),
        crate::client::ClientError::Unstable { attempts, .. } => exchanges.extend(attempts),
        _ => {}
    }
    words
}

fn text<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v.as_object().and_then(|o| get_ci(o, name))
}

/// What the IdP makes of state that differs from what it provisioned.
fn consequence(r: &Replayer, what: &str) -> String {
    match r.persona.idp {
        Idp::Entra => format!(
            "Entra will find {what} different from what it provisioned and send the change again in every cycle \
             (about every 40 minutes), never converging"
        ),
        Idp::Okta => format!("Okta will show {what} out of sync with its profile and push it again on the next change"),
        Idp::OneLogin => format!("OneLogin will show {what} out of sync with its template"),
        Idp::Google => format!("Google Workspace will leave {what} out of sync with the directory"),
        Idp::JumpCloud => format!("JumpCloud will leave {what} out of sync; it syncs again on the next change"),
        Idp::Ping => format!("PingFederate will leave {what} out of sync with its directory"),
        Idp::Rfc => format!("the server did not keep what an RFC 7644 client sent for {what}"),
    }
}

/// Checks every expectation of a step.
pub async fn expectations(
    r: &Replayer,
    scenario: &Scenario,
    state: &State,
    expect: &Expectations,
    exchanges: &mut Vec<Exchange>,
) -> Result<(), Miss> {
    for u in &expect.users {
        user(r, state, u, exchanges).await?;
    }
    for g in &expect.groups {
        group(r, scenario, state, g, exchanges).await?;
    }
    Ok(())
}

/// RFC 7643 section 4.1.2: the user holds exactly the `roles` expected, each `value` as the persona sent it
/// (Entra's JSON-encoded assignment byte for byte), in any order.
fn roles_held(r: &Replayer, e: &UserExpect, roles: &[String], body: &Value) -> Result<(), Miss> {
    let mut want: Vec<String> = roles.iter().map(|role| r.persona.role_value(role)).collect();
    let mut got: Vec<String> = text(body, "roles")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|el| text(el, "value").and_then(Value::as_str)).map(str::to_owned).collect())
        .unwrap_or_default();
    want.sort();
    got.sort();
    if want == got {
        return Ok(());
    }
    let reason = match r.persona.idp {
        Idp::Entra => format!(
            "Entra will retry the role assignment every cycle and report it as failed: user {:?} does not hold the \
             app roles Entra assigned, as Entra sent them (Microsoft Learn, customize application attributes): \
             roles[].value is {got:?}, Entra sent {want:?}",
            e.of
        ),
        _ => format!(
            "{}: its roles are not the ones assigned: roles[].value is {got:?}, expected {want:?}",
            consequence(r, &format!("user {:?}", e.of))
        ),
    };
    Err(Miss { reason, expected: format!("roles[].value {want:?}"), actual: format!("roles[].value {got:?}") })
}

async fn user(r: &Replayer, state: &State, e: &UserExpect, exchanges: &mut Vec<Exchange>) -> Result<(), Miss> {
    let Some(id) = state.any_user_id(&e.of).map(str::to_owned) else {
        return Err(Miss {
            reason: format!("user {:?} is not known to {} (its create failed)", e.of, r.persona.name),
            expected: "a provisioned user".into(),
            actual: "none".into(),
        });
    };
    let resp = read(r, format!("/Users/{}", crate::ledger::segment(&id)), exchanges).await?;
    if e.gone == Some(true) {
        return if resp.status == 404 {
            Ok(())
        } else {
            Err(Miss {
                reason: format!("user {:?} is still there after its delete ({})", e.of, describe(&resp)),
                expected: "404".into(),
                actual: describe(&resp),
            })
        };
    }
    if resp.status != 200 {
        let why = match r.persona.idp {
            Idp::Entra => {
                "Entra requires a user to stay readable, inactive or not \
                 (Microsoft Learn, SCIM endpoint tutorial); without it Entra treats the account as gone and creates it again"
            }
            _ => "a provisioned user must stay readable by id (RFC 7644 section 3.4.1)",
        };
        return Err(Miss {
            reason: format!("user {:?} cannot be read back: {why}", e.of),
            expected: "200 with the user".into(),
            actual: describe(&resp),
        });
    }
    let body = resp.body_json();
    let ext = text(body, ENTERPRISE);
    let mut mismatches = Vec::new();
    let mut cmp = |name: &str, want: Option<Value>, got: Option<&Value>| {
        if let Some(w) = want
            && got != Some(&w)
        {
            mismatches.push((
                name.to_owned(),
                w.to_string(),
                got.map(Value::to_string).unwrap_or_else(|| "absent".into()),
            ));
        }
    };
    cmp("active", e.active.map(Value::Bool), text(body, "active"));
    cmp("title", e.title.clone().map(Value::String), text(body, "title"));
    cmp("displayName", e.display_name.clone().map(Value::String), text(body, "displayName"));
    cmp("department", e.department.clone().map(Value::String), ext.and_then(|x| text(x, "department")));
    cmp("employeeNumber", e.employee_number.clone().map(Value::String), ext.and_then(|x| text(x, "employeeNumber")));
    if let Some(m) = &e.manager {
        let want = state.user_id(m).unwrap_or_default().to_owned();
        let got = ext.and_then(|x| text(x, "manager"));
        let got_value = got.and_then(|g| text(g, "value")).and_then(Value::as_str);
        if got_value != Some(want.as_str()) {
            let actual = got.map(Value::to_string).unwrap_or_else(|| "absent".into());
            let reason = if got.is_some_and(Value::is_string) && r.persona.idp == Idp::Entra {
                format!(
                    "Entra will report SystemForCrossDomainIdentityManagementServiceIncompatible: it sends the manager \
                     as a string but needs it returned as a complex {{\"value\": ...}} (observed \
                     with Entra, Budibase#15369); user {:?} has manager {actual}",
                    e.of
                )
            } else {
                format!(
                    "{}: manager is {actual}, expected the id of {m:?}",
                    consequence(r, &format!("user {:?}", e.of))
                )
            };
            return Err(Miss { reason, expected: format!("manager.value {want:?}"), actual });
        }
    }
    if let Some(roles) = &e.roles {
        roles_held(r, e, roles, body)?;
    }
    if let Some((name, want, got)) = mismatches.into_iter().next() {
        return Err(Miss {
            reason: format!("{}: {name} is {got}, expected {want}", consequence(r, &format!("user {:?}", e.of))),
            expected: format!("{name} {want}"),
            actual: format!("{name} {got}"),
        });
    }
    if e.findable == Some(true) {
        let user_name = state.user_profile(&e.of).map(|p| p.user_name.clone()).unwrap_or_default();
        let filter = format!("userName eq {}", filter_literal(&user_name));
        let mut req = ScimRequest::get("/Users");
        req.raw_query = Some(format!("filter={}", encode_component(&filter, Space::Percent20)));
        let resp = match r.client.send(req).await {
            Ok(resp) => resp,
            Err(e) => {
                return Err(Miss {
                    reason: format!("scimlab could not query /Users: {}", lost(e, exchanges)),
                    expected: "an answer".into(),
                    actual: "no answer".into(),
                });
            }
        };
        exchanges.push(resp.exchange.clone());
        let found = resp
            .body_json()
            .get("Resources")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|x| x.get("id").and_then(Value::as_str) == Some(id.as_str())));
        if !found {
            let why = match r.persona.idp {
                Idp::Entra => {
                    "Entra matches users by filter before every change; an inactive user it cannot find is created again (Microsoft Learn, SCIM endpoint tutorial)"
                }
                Idp::Okta => {
                    "Okta looks users up by userName before linking; a user it cannot find is created again, and the create gets 409"
                }
                _ => "a provisioned user must be found by an eq filter on userName (RFC 7644 section 3.4.2.2)",
            };
            return Err(Miss {
                reason: format!("user {:?} is not found by userName eq: {why}", e.of),
                expected: "the user in the ListResponse".into(),
                actual: describe(&resp),
            });
        }
    }
    Ok(())
}

async fn group(
    r: &Replayer,
    scenario: &Scenario,
    state: &State,
    e: &GroupExpect,
    exchanges: &mut Vec<Exchange>,
) -> Result<(), Miss> {
    let Some(id) = state.any_group_id(&e.of).map(str::to_owned) else {
        return Err(Miss {
            reason: format!("group {:?} is not known to {} (its create failed)", e.of, r.persona.name),
            expected: "a pushed group".into(),
            actual: "none".into(),
        });
    };
    let resp = read(r, format!("/Groups/{}", crate::ledger::segment(&id)), exchanges).await?;
    if e.gone == Some(true) {
        return if resp.status == 404 {
            Ok(())
        } else {
            Err(Miss {
                reason: format!("group {:?} is still there after its delete", e.of),
                expected: "404".into(),
                actual: describe(&resp),
            })
        };
    }
    if resp.status != 200 {
        return Err(Miss {
            reason: format!("group {:?} cannot be read back (RFC 7644 section 3.4.1)", e.of),
            expected: "200 with the group".into(),
            actual: describe(&resp),
        });
    }
    let body = resp.body_json();
    if let Some(name) = &e.display_name {
        let want = r.group_name(scenario, name);
        let got = text(body, "displayName").and_then(Value::as_str).unwrap_or_default();
        if got != want {
            return Err(Miss {
                reason: format!("{}: displayName is {got:?}", consequence(r, &format!("group {:?}", e.of))),
                expected: format!("displayName {want:?}"),
                actual: format!("displayName {got:?}"),
            });
        }
    }
    let members: Vec<String> = text(body, "members")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|m| text(m, "value").and_then(Value::as_str).map(str::to_owned)).collect())
        .unwrap_or_default();
    let id_of = |n: &String| state.user_id(n).unwrap_or_default().to_owned();
    let names = |ids: &[String]| ids.join(", ");
    let mut problem = None;
    if let Some(exact) = &e.members {
        let mut want: Vec<String> = exact.iter().map(id_of).collect();
        let mut got = members.clone();
        want.sort();
        got.sort();
        if want != got {
            problem = Some((format!("members [{}]", exact.join(", ")), format!("members [{}]", names(&members))));
        }
    }
    for n in &e.has {
        if problem.is_none() && !members.contains(&id_of(n)) {
            problem = Some((format!("{n} a member"), format!("members [{}]", names(&members))));
        }
    }
    for n in &e.lacks {
        if problem.is_none() && members.contains(&id_of(n)) {
            problem = Some((format!("{n} not a member"), format!("members [{}]", names(&members))));
        }
    }
    match problem {
        Some((expected, actual)) => Err(Miss {
            reason: format!(
                "{}: expected {expected}, found {actual}",
                consequence(r, &format!("group {:?}'s membership", e.of))
            ),
            expected,
            actual,
        }),
        None => Ok(()),
    }
}
