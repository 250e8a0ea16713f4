//! RFC 7644 section 3.7.2: `bulkId:` references, the dependencies they create between operations, and an order
//! that honours them.
//!
//! A reference is the text `bulkId:` followed by a bulkId, anywhere inside a string of an operation's `data`
//! (`members[].value`, the enterprise `manager.value`, a `$ref` URL, a PATCH filter) or of its `path`
//! (`/Groups/bulkId:ytrewq`). The RFC lets a client choose any bulkId, so where one ends is decided by the bulkIds
//! the request defines: the longest defined bulkId that follows `bulkId:` and is not itself followed by a
//! character that could continue an id (letters, digits, `-`, `_`, `.`, `~`). Text after `bulkId:` that names no
//! defined bulkId is an unknown reference, read up to the first such delimiter. `bulkId:` counts only where it
//! does not continue a word (`xbulkId:` is not a reference).
//!
//! Only POST operations define bulkIds that others may reference: a bulkId stands for a resource the request
//! creates (section 3.7).

use super::model::{BulkMethod, BulkOperation, BulkRequest};
use crate::error::ScimError;
use serde_json::Value;
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet};

const PREFIX: &str = "bulkId:";

/// A `bulkId:` reference that names no resource created so far.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bulkId:{bulk_id} does not name a resource created so far")]
pub struct UnresolvedBulkId {
    /// The bulkId referenced.
    pub bulk_id: String,
}

impl UnresolvedBulkId {
    /// The error a server answers for the operation holding the reference. The RFC names no status for it; we
    /// answer 400 `invalidValue` when no POST of the request defines the bulkId (the client's mistake, which no
    /// retry fixes), and 409 (Conflict) when one does but its resource does not exist (its operation failed or
    /// has not run), the status section 3.7.1 gives for references a server could not resolve.
    pub fn to_scim_error(&self, defined_in_request: bool) -> ScimError {
        if defined_in_request {
            ScimError::new(
                409,
                format!(
                    "bulkId:{} cannot be resolved: the operation that defines it did not create a resource",
                    self.bulk_id
                ),
            )
        } else {
            ScimError::invalid_value(format!(
                "bulkId:{} is not defined by any POST operation of this bulk request (RFC 7644 section 3.7.2)",
                self.bulk_id
            ))
        }
    }
}

/// A set of bulkIds against which references are read.
pub(crate) struct Known<'a> {
    plain: HashSet<&'a str>,
    /// Ids holding delimiter characters, longest first: they are matched by prefix.
    odd: Vec<&'a str>,
}

fn is_id_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '~')
}

impl<'a> Known<'a> {
    pub(crate) fn new(ids: impl IntoIterator<Item = &'a str>) -> Self {
        let mut plain = HashSet::new();
        let mut odd = Vec::new();
        for id in ids.into_iter().filter(|id| !id.is_empty()) {
            if id.chars().all(is_id_char) {
                plain.insert(id);
            } else {
                odd.push(id);
            }
        }
        odd.sort_by_key(|id| Reverse(id.len()));
        Known { plain, odd }
    }

    /// The length of the bulkId at the start of `rest` (text just after `bulkId:`), and whether it is known.
    fn id_at(&self, rest: &str) -> Option<(usize, bool)> {
        let token = rest.find(|c: char| !is_id_char(c)).unwrap_or(rest.len());
        let boundary = |len: usize| rest[len..].chars().next().is_none_or(|c| !is_id_char(c));
        let odd = self.odd.iter().find(|id| id.len() > token && rest.starts_with(**id) && boundary(id.len()));
        match odd {
            Some(id) => Some((id.len(), true)),
            None if token > 0 => Some((token, self.plain.contains(&rest[..token]))),
            None => None,
        }
    }

    /// Every reference in `s`: (byte range of `bulkId:...`, the id, whether it is known).
    pub(crate) fn refs_in<'s>(&self, s: &'s str) -> Vec<(std::ops::Range<usize>, &'s str, bool)> {
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(pos) = s[from..].find(PREFIX).map(|p| p + from) {
            let start_ok = s[..pos].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
            let after = pos + PREFIX.len();
            match self.id_at(&s[after..]).filter(|_| start_ok) {
                Some((len, known)) => {
                    out.push((pos..after + len, &s[after..after + len], known));
                    from = after + len;
                }
                None => from = after,
            }
        }
        out
    }
}

/// Calls `f` on every string inside `v` (object keys excluded).
pub(crate) fn for_each_string<'v>(v: &'v Value, f: &mut impl FnMut(&'v str)) {
    match v {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().for_each(|i| for_each_string(i, f)),
        Value::Object(o) => o.values().for_each(|i| for_each_string(i, f)),
        _ => {}
    }
}

fn for_each_string_mut(v: &mut Value, f: &mut impl FnMut(&mut String)) {
    match v {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter_mut().for_each(|i| for_each_string_mut(i, f)),
        Value::Object(o) => o.values_mut().for_each(|i| for_each_string_mut(i, f)),
        _ => {}
    }
}

/// Whether any string inside `v` holds the text `bulkId:` (object keys excluded): the cheap test that lets the
/// many operations without references skip the work of reading them.
pub fn holds_reference(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains(PREFIX),
        Value::Array(items) => items.iter().any(holds_reference),
        Value::Object(o) => o.values().any(holds_reference),
        _ => false,
    }
}

/// Whether `op` holds the text `bulkId:` in its path or its data (see [`holds_reference`]).
pub(crate) fn op_holds_reference(op: &BulkOperation) -> bool {
    op.path.contains(PREFIX) || op.data.as_ref().is_some_and(holds_reference)
}

/// Whether `v` holds a reference to one of `ids`, reading references against `known`.
pub(crate) fn mentions(v: &Value, known: &Known<'_>, ids: &HashSet<&str>) -> bool {
    let mut found = false;
    for_each_string(v, &mut |s| {
        if !found && s.contains(PREFIX) {
            found = known.refs_in(s).iter().any(|(_, id, k)| *k && ids.contains(id));
        }
    });
    found
}

/// RFC 7644 section 3.7.2: replaces every `bulkId:X` inside the strings of `value` with the id of the resource
/// created for bulkId `X`, as `ids` maps them. If any reference names a bulkId `ids` lacks, nothing is replaced
/// and the first such bulkId is returned.
pub fn resolve_references(value: &mut Value, ids: &HashMap<String, String>) -> Result<(), UnresolvedBulkId> {
    let known = Known::new(ids.keys().map(String::as_str));
    let mut missing: Option<String> = None;
    for_each_string(value, &mut |s| {
        if missing.is_none() && s.contains(PREFIX) {
            missing = known.refs_in(s).into_iter().find(|(_, _, k)| !k).map(|(_, id, _)| id.to_owned());
        }
    });
    if let Some(bulk_id) = missing {
        return Err(UnresolvedBulkId { bulk_id });
    }
    for_each_string_mut(value, &mut |s| {
        if !s.contains(PREFIX) {
            return;
        }
        let refs = known.refs_in(s);
        if refs.is_empty() {
            return;
        }
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        for (range, id, _) in refs {
            out.push_str(&s[last..range.start]);
            out.push_str(ids.get(id).map_or(id, String::as_str));
            last = range.end;
        }
        out.push_str(&s[last..]);
        *s = out;
    });
    Ok(())
}

/// Resolves the references in an operation's `path` (`/Groups/bulkId:ytrewq`), as [`resolve_references`] does
/// for data.
pub fn resolve_path(path: &str, ids: &HashMap<String, String>) -> Result<String, UnresolvedBulkId> {
    let mut v = Value::String(path.to_owned());
    resolve_references(&mut v, ids)?;
    Ok(match v {
        Value::String(s) => s,
        _ => path.to_owned(),
    })
}

/// The bulkIds a request defines (those of its POST operations), with the index of the defining operation.
pub(crate) fn defined(req: &BulkRequest) -> HashMap<&str, usize> {
    req.operations
        .iter()
        .enumerate()
        .filter(|(_, op)| op.method == BulkMethod::Post)
        .filter_map(|(i, op)| op.bulk_id.as_deref().map(|b| (b, i)))
        .collect()
}

/// The references of one operation (in its path and its data), in order of appearance, with whether known.
pub(crate) fn op_refs<'o>(op: &'o BulkOperation, known: &Known<'_>) -> Vec<(&'o str, bool)> {
    let mut out = Vec::new();
    let mut take = |s: &'o str| {
        if s.contains(PREFIX) {
            out.extend(known.refs_in(s).into_iter().map(|(_, id, k)| (id, k)));
        }
    };
    take(&op.path);
    if let Some(d) = &op.data {
        for_each_string(d, &mut take);
    }
    out
}

/// For each operation, the indices of the POST operations whose bulkIds it references (sorted, without
/// repeats; an operation referencing its own bulkId lists itself). References to undefined bulkIds are left
/// out: see [`execution_order`].
pub fn dependencies(req: &BulkRequest) -> Vec<Vec<usize>> {
    let def = defined(req);
    let known = Known::new(def.keys().copied());
    req.operations
        .iter()
        .map(|op| {
            let set: BTreeSet<usize> =
                op_refs(op, &known).into_iter().filter_map(|(id, _)| def.get(id).copied()).collect();
            set.into_iter().collect()
        })
        .collect()
}

/// RFC 7644 section 3.7: an order of the operations in which every operation comes after the POSTs whose
/// bulkIds it references, keeping request order wherever the references allow (of all such orders, the one
/// that runs the lowest-numbered ready operation first). Errors: a reference to a bulkId no POST defines is a 400
/// `invalidValue` naming the operation and the bulkId; circular references are a 409 naming the operations of
/// each cycle (section 3.7.1 lets a server answer 409 when it does not resolve them; [`super::plan`] resolves
/// them instead).
pub fn execution_order(req: &BulkRequest) -> Result<Vec<usize>, ScimError> {
    let def = defined(req);
    let known = Known::new(def.keys().copied());
    for (i, op) in req.operations.iter().enumerate() {
        if let Some((id, _)) = op_refs(op, &known).into_iter().find(|(_, k)| !k) {
            return Err(ScimError::invalid_value(format!(
                "Operations[{i}] references bulkId:{id}, which no POST operation of the request defines \
                 (RFC 7644 section 3.7.2)"
            )));
        }
    }
    let deps = dependencies(req);
    let comps = components(&deps);
    let cyclic: Vec<&Vec<usize>> = comps.iter().filter(|c| is_cycle(c, &deps)).collect();
    if !cyclic.is_empty() {
        let describe = |c: &Vec<usize>| {
            c.iter()
                .map(|&i| match &req.operations[i].bulk_id {
                    Some(b) => format!("Operations[{i}] (bulkId {b})"),
                    None => format!("Operations[{i}]"),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let cycles: Vec<String> = cyclic.iter().map(|c| describe(c)).collect();
        return Err(ScimError::new(
            409,
            format!("circular bulkId references among {} (RFC 7644 section 3.7.1)", cycles.join("; and among ")),
        ));
    }
    Ok(ordered_components(&deps, &comps).into_iter().flatten().copied().collect())
}

/// Whether a strongly connected component is a cycle: more than one operation, or one that references itself.
pub(crate) fn is_cycle(comp: &[usize], deps: &[Vec<usize>]) -> bool {
    comp.len() > 1 || comp.first().is_some_and(|&i| deps[i].contains(&i))
}

/// The strongly connected components of the dependency graph (Tarjan's algorithm, iterative so that a long
/// chain of operations cannot exhaust the stack). Each component's members are sorted.
pub(crate) fn components(deps: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = deps.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut comps = Vec::new();
    let mut next = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, position in its dependency list)
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut pos)) = work.last_mut() {
            if *pos == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = deps[v].get(*pos) {
                *pos += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                comp.sort_unstable();
                comps.push(comp);
            }
        }
    }
    comps
}

/// The components in an order where each comes after those it depends on, the ready component holding the
/// lowest-numbered operation first (Kahn's algorithm with a min-heap).
pub(crate) fn ordered_components<'c>(deps: &[Vec<usize>], comps: &'c [Vec<usize>]) -> Vec<&'c Vec<usize>> {
    let mut comp_of = vec![0; deps.len()];
    for (c, members) in comps.iter().enumerate() {
        for &m in members {
            comp_of[m] = c;
        }
    }
    let mut indegree = vec![0usize; comps.len()];
    let mut dependents: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); comps.len()];
    for (c, members) in comps.iter().enumerate() {
        let needs: BTreeSet<usize> =
            members.iter().flat_map(|&m| deps[m].iter().map(|&d| comp_of[d])).filter(|&d| d != c).collect();
        indegree[c] = needs.len();
        for d in needs {
            dependents[d].insert(c);
        }
    }
    let first = |c: usize| comps[c].first().copied().unwrap_or(0);
    let mut ready: BinaryHeap<Reverse<(usize, usize)>> =
        (0..comps.len()).filter(|&c| indegree[c] == 0).map(|c| Reverse((first(c), c))).collect();
    let mut out = Vec::with_capacity(comps.len());
    while let Some(Reverse((_, c))) = ready.pop() {
        out.push(&comps[c]);
        for &d in &dependents[c] {
            indegree[d] -= 1;
            if indegree[d] == 0 {
                ready.push(Reverse((first(d), d)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_end_where_known_ids_end() {
        let known = Known::new(["qwerty", "a b", "a"]);
        let ids = |s: &str| known.refs_in(s).into_iter().map(|(_, id, k)| (id.to_owned(), k)).collect::<Vec<_>>();
        assert_eq!(ids("bulkId:qwerty"), vec![("qwerty".to_owned(), true)]);
        assert_eq!(ids("https://x/v2/Users/bulkId:qwerty?x=1"), vec![("qwerty".to_owned(), true)]);
        assert_eq!(ids("bulkId:a b"), vec![("a b".to_owned(), true)]);
        assert_eq!(ids("bulkId:a-c"), vec![("a-c".to_owned(), false)]);
        assert_eq!(ids("xbulkId:qwerty"), vec![]);
        assert_eq!(ids("bulkId:"), vec![]);
        assert_eq!(ids("bulkId:qwerty,bulkId:a"), vec![("qwerty".to_owned(), true), ("a".to_owned(), true)]);
    }

    #[test]
    fn components_find_cycles_and_self_loops() {
        let deps = vec![vec![1], vec![0], vec![2], vec![], vec![3]];
        let comps = components(&deps);
        let cyclic: Vec<&Vec<usize>> = comps.iter().filter(|c| is_cycle(c, &deps)).collect();
        assert_eq!(cyclic, vec![&vec![0, 1], &vec![2]]);
        let order: Vec<usize> = ordered_components(&deps, &comps).into_iter().flatten().copied().collect();
        assert_eq!(order, vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn long_chains_do_not_exhaust_the_stack() {
        let n = 100_000;
        let deps: Vec<Vec<usize>> = (0..n).map(|i| if i == 0 { vec![] } else { vec![i - 1] }).collect();
        assert_eq!(components(&deps).len(), n);
    }
}
