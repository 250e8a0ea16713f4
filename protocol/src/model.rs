//! A reference model of a SCIM service provider's observable state, for stateful differential testing (the
//! harness's `differential/state` check): a handful of User slots and one Group, driven by a sequence of
//! [`Op`]s, each of which the model answers with what the server must answer ([`Expect`]) and a new state.
//!
//! The model is small and pure on purpose. It is not the mock SP: it knows nothing of JSON, ids, HTTP or
//! storage, only what RFC 7643 and RFC 7644 make observable after each request:
//!
//! - a create of a userName no live user holds succeeds, and one a live user holds is refused with 409 (RFC 7643
//!   section 4.1.1 makes userName unique; RFC 7644 section 3.3 gives the status); a deleted user's userName is
//!   free again, so a rehire succeeds (RFC 7644 section 3.6: a deleted resource is gone for every operation);
//! - every operation on a deleted resource answers 404 (RFC 7644 section 3.6);
//! - PUT replaces every attribute it omits (RFC 7644 section 3.5.1); PATCH changes exactly what its operations
//!   name (RFC 7644 section 3.5.2: `add` of a singular attribute replaces it, `add` to a multi-valued one appends,
//!   `remove` with a value filter removes the matching values) and leaves the rest, the extension included;
//! - a filter sees every resource as it is now (RFC 7644 section 3.4.2.2), and a deleted one never (section 3.6);
//! - with `sortBy`, `startIndex` counts in the sorted result (sections 3.4.2.3 and 3.4.2.4);
//! - a write with `If-Match` naming the current version applies, and one naming an older version is refused with
//!   412 (RFC 7644 section 3.14), so the version must move on every change.
//!
//! Where the RFC leaves a choice open the model accepts every choice: PATCH may answer 200 or 204 ([`Expect::
//! Success`] is any 2xx), a page may hold fewer resources than asked for ([`Expect::Page`] is a prefix), order
//! without `sortBy` is never compared, a deleted user may or may not go on being listed by a group (RFC 7643 is
//! silent; `lifecycle/delete/leaves-every-group` judges it as a MAY), and the meaning of `active` is the
//! server's (RFC 7643 section 4.1.1), so no operation deactivates a user.
//!
//! Values are small indices ([`Value`]); the harness turns them into strings unique to one sequence.

use std::collections::BTreeSet;

/// User slots a sequence works on.
pub const SLOTS: u8 = 3;
/// Distinct values an attribute takes.
pub const VALUES: u8 = 4;

/// A value index: the harness spells it as a string unique to the sequence.
pub type Val = u8;
/// A user slot, `0..SLOTS`.
pub type Slot = u8;

/// One step of a sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// POST /Users with the slot's userName and externalId (the same on every create: a second create of a live
    /// slot is a duplicate, of a deleted one a rehire), displayName value 0 and department value 0.
    Create(Slot),
    /// GET the slot's user.
    Get(Slot),
    /// PUT the slot's user: displayName `value`, its emails and department as they are, no title.
    Replace {
        /// The user.
        user: Slot,
        /// The new displayName.
        value: Val,
    },
    /// PATCH the slot's user.
    Patch {
        /// The user.
        user: Slot,
        /// What the request changes.
        change: Change,
    },
    /// DELETE the slot's user.
    Delete(Slot),
    /// GET /Users?filter=userName eq "<the slot's userName>", the lookup IdPs send before a create.
    FindByUserName(Slot),
    /// GET /Users?filter=externalId eq "<the slot's externalId>".
    FindByExternalId(Slot),
    /// GET /Users?filter=displayName eq "<value>".
    FindByDisplayName(Val),
    /// GET /Users?filter=userName sw "<the sequence's marker>"&sortBy=userName&startIndex=start&count=2.
    Page {
        /// 1-based startIndex.
        start: u8,
    },
    /// PATCH the sequence's group: add the slot's user to members.
    AddMember(Slot),
    /// PATCH the sequence's group: remove `members[value eq "<the slot's id>"]`.
    RemoveMember(Slot),
    /// The slot's create sent twice at once, as an IdP resends a create after a timeout: one user results (one
    /// answer 2xx, the other 409 or the same resource; RFC 7643 section 4.1.1 makes userName unique).
    CreateTwice(Slot),
    /// Two PATCHes of the slot's user sent at once, one replacing displayName, one adding title: each PATCH is
    /// atomic (RFC 7644 section 3.5.2), so both apply.
    PatchTogether {
        /// The user.
        user: Slot,
        /// The new displayName.
        display: Val,
        /// The new title.
        title: Val,
    },
    /// PATCH replace displayName with `If-Match`: the user's current version (`fresh`) or one from before its
    /// latest write.
    IfMatch {
        /// The user.
        user: Slot,
        /// Whether the version named is the current one.
        fresh: bool,
        /// The new displayName.
        value: Val,
    },
}

/// What a PATCH of a user changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    /// `replace` with path `displayName`.
    DisplayName(Val),
    /// A path-less `replace` whose value sets `title`.
    PathlessTitle(Val),
    /// `add` with path `title`: a singular attribute, so it replaces (RFC 7644 section 3.5.2.1).
    AddTitle(Val),
    /// `remove` with path `title` (only while the user has one).
    RemoveTitle,
    /// `replace` with the enterprise extension's `department` path (`urn:...:User:department`).
    Department(Val),
    /// `add` with path `emails` and one value (only while the user lacks it).
    AddEmail(Val),
    /// `remove` with path `emails[value eq "..."]` (only while the user has it).
    RemoveEmail(Val),
}

/// What the server may do with one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Any 2xx; for a write, the resource afterwards is as [`Model::user`] or [`Model::members`] says.
    Success,
    /// 404.
    NotFound,
    /// 409 (userName taken).
    Conflict,
    /// 412 (the version named is not the current one).
    PreconditionFailed,
    /// Of two creates sent at once, one makes the user; the other is refused with 409 or answered with the same
    /// resource.
    OneCreated,
    /// A filtered query returning exactly these users (as a set).
    Found(BTreeSet<Slot>),
    /// A sorted page: `totalResults` is `total` and the resources are a non-empty prefix of `slots` (all of
    /// them, when `slots` is empty: none).
    Page {
        /// Live users in the sequence.
        total: usize,
        /// The page as asked for, in order.
        slots: Vec<Slot>,
    },
}

/// A live user's attributes, as value indices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct User {
    /// `displayName`.
    pub display_name: Option<Val>,
    /// `title`.
    pub title: Option<Val>,
    /// The enterprise extension's `department`.
    pub department: Option<Val>,
    /// `emails[].value`.
    pub emails: BTreeSet<Val>,
    /// Writes that changed the user since it was created (its version must differ after each).
    pub writes: u32,
}

impl User {
    /// A user as [`Op::Create`] makes it: displayName and department value 0 (the department only where the
    /// server has the extension; the harness leaves out what the server does not define).
    pub fn created() -> User {
        User { display_name: Some(0), department: Some(0), ..User::default() }
    }
}

/// The state of one slot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum SlotState {
    /// Never created.
    #[default]
    Never,
    /// Created and not deleted.
    Live(User),
    /// Deleted.
    Gone,
}

/// What the server offers, so that only the operations it can take are drawn and applied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Features {
    /// PATCH.
    pub patch: bool,
    /// Filters.
    pub filter: bool,
    /// sortBy.
    pub sort: bool,
    /// A Group resource type (with PATCH).
    pub groups: bool,
    /// ETags and If-Match.
    pub etag: bool,
    /// The enterprise extension's `department`.
    pub department: bool,
    /// `displayName`.
    pub display_name: bool,
    /// `title`.
    pub title: bool,
    /// `emails`.
    pub emails: bool,
    /// `externalId`.
    pub external_id: bool,
}

impl Features {
    /// Everything offered: the full RFC 7643 User with the enterprise extension, and every optional feature.
    pub fn all() -> Features {
        Features {
            patch: true,
            filter: true,
            sort: true,
            groups: true,
            etag: true,
            department: true,
            display_name: true,
            title: true,
            emails: true,
            external_id: true,
        }
    }
}

/// What one step did to the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// What the server must answer.
    pub expect: Expect,
    /// The user whose state the step changed, if any (its version must move).
    pub changed: Option<Slot>,
}

/// The model: [`SLOTS`] users and one group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Model {
    slots: [SlotState; SLOTS as usize],
    members: BTreeSet<Slot>,
    /// Each slot's creations, so a rehire is a new resource.
    generations: [u32; SLOTS as usize],
}

impl Model {
    /// An empty server.
    pub fn new() -> Model {
        Model::default()
    }

    /// The slot's user while it is live.
    pub fn user(&self, slot: Slot) -> Option<&User> {
        match self.slots.get(usize::from(slot)) {
            Some(SlotState::Live(u)) => Some(u),
            _ => None,
        }
    }

    /// Whether the slot's user was created at least once (so it has an id to aim requests at).
    pub fn ever_created(&self, slot: Slot) -> bool {
        self.generations.get(usize::from(slot)).is_some_and(|&g| g > 0)
    }

    /// How many times the slot was created.
    pub fn generation(&self, slot: Slot) -> u32 {
        self.generations.get(usize::from(slot)).copied().unwrap_or(0)
    }

    /// The live members of the group (a deleted member may or may not still be listed; see the module).
    pub fn members(&self) -> &BTreeSet<Slot> {
        &self.members
    }

    /// The live slots, in userName order (slot order: the harness names slot `i` `<marker>-u<i>`).
    pub fn live(&self) -> Vec<Slot> {
        (0..SLOTS).filter(|&s| self.user(s).is_some()).collect()
    }

    /// Whether `op` can be sent now: every op but a create needs a slot that was created once (an id), and the
    /// ops whose outcome the RFC leaves open are not sent (removing a title the user lacks, adding an email it
    /// has, removing one it lacks, member changes for users that are not live or that would change nothing).
    pub fn applies(&self, op: &Op) -> bool {
        let live = |s: Slot| self.user(s);
        match *op {
            Op::Create(s) | Op::CreateTwice(s) => s < SLOTS,
            Op::Get(s) | Op::Delete(s) | Op::Replace { user: s, .. } | Op::PatchTogether { user: s, .. } => {
                self.ever_created(s)
            }
            Op::Patch { user, change } => match (live(user), change) {
                (None, _) => self.ever_created(user),
                (Some(u), Change::RemoveTitle) => u.title.is_some(),
                (Some(u), Change::AddEmail(v)) => !u.emails.contains(&v),
                (Some(u), Change::RemoveEmail(v)) => u.emails.contains(&v),
                (Some(_), _) => true,
            },
            Op::IfMatch { user, .. } => live(user).is_some(),
            Op::FindByUserName(s) | Op::FindByExternalId(s) => s < SLOTS,
            Op::FindByDisplayName(_) | Op::Page { .. } => true,
            Op::AddMember(s) => live(s).is_some() && !self.members.contains(&s),
            Op::RemoveMember(s) => live(s).is_some() && self.members.contains(&s),
        }
    }

    /// Applies `op` (which must [`applies`](Model::applies)) and says what the server must answer.
    pub fn step(&mut self, op: &Op) -> Step {
        let unchanged = |expect| Step { expect, changed: None };
        match *op {
            Op::Create(s) | Op::CreateTwice(s) => {
                if self.user(s).is_some() {
                    return unchanged(Expect::Conflict);
                }
                self.slots[usize::from(s)] = SlotState::Live(User::created());
                self.generations[usize::from(s)] += 1;
                unchanged(if matches!(op, Op::Create(_)) { Expect::Success } else { Expect::OneCreated })
            }
            Op::PatchTogether { user, display, title } => self.write(user, |u| {
                u.display_name = Some(display);
                u.title = Some(title);
            }),
            Op::Get(s) => unchanged(if self.user(s).is_some() { Expect::Success } else { Expect::NotFound }),
            Op::Delete(s) => {
                if self.user(s).is_none() {
                    return unchanged(Expect::NotFound);
                }
                self.slots[usize::from(s)] = SlotState::Gone;
                self.members.remove(&s);
                unchanged(Expect::Success)
            }
            Op::Replace { user, value } => self.write(user, |u| {
                u.display_name = Some(value);
                u.title = None;
            }),
            Op::Patch { user, change } => self.write(user, |u| match change {
                Change::DisplayName(v) => u.display_name = Some(v),
                Change::PathlessTitle(v) | Change::AddTitle(v) => u.title = Some(v),
                Change::RemoveTitle => u.title = None,
                Change::Department(v) => u.department = Some(v),
                Change::AddEmail(v) => {
                    u.emails.insert(v);
                }
                Change::RemoveEmail(v) => {
                    u.emails.remove(&v);
                }
            }),
            Op::IfMatch { user, fresh: true, value } => self.write(user, |u| u.display_name = Some(value)),
            Op::IfMatch { fresh: false, .. } => unchanged(Expect::PreconditionFailed),
            Op::FindByUserName(s) | Op::FindByExternalId(s) => {
                unchanged(Expect::Found(self.user(s).map(|_| s).into_iter().collect()))
            }
            Op::FindByDisplayName(v) => unchanged(Expect::Found(
                self.live().into_iter().filter(|&s| self.user(s).is_some_and(|u| u.display_name == Some(v))).collect(),
            )),
            Op::Page { start } => {
                let live = self.live();
                let from = usize::from(start.max(1)) - 1;
                let slots = live.iter().copied().skip(from).take(2).collect();
                unchanged(Expect::Page { total: live.len(), slots })
            }
            Op::AddMember(s) => {
                self.members.insert(s);
                unchanged(Expect::Success)
            }
            Op::RemoveMember(s) => {
                self.members.remove(&s);
                unchanged(Expect::Success)
            }
        }
    }

    /// A write to the slot's user: 404 when it is deleted, else `change` applied; `changed` names the user only
    /// when its attributes differ afterwards (a write that changes nothing need not move the version).
    fn write(&mut self, slot: Slot, change: impl FnOnce(&mut User)) -> Step {
        let Some(SlotState::Live(u)) = self.slots.get_mut(usize::from(slot)) else {
            return Step { expect: Expect::NotFound, changed: None };
        };
        let before = u.clone();
        change(u);
        let changed = *u != before;
        if changed {
            u.writes += 1;
        }
        Step { expect: Expect::Success, changed: changed.then_some(slot) }
    }
}

/// Whether `op` needs only what `features` offers.
pub fn offered(op: &Op, f: &Features) -> bool {
    match op {
        Op::Create(_) | Op::CreateTwice(_) | Op::Get(_) | Op::Delete(_) => true,
        Op::PatchTogether { .. } => f.patch && f.display_name && f.title,
        Op::Replace { .. } => f.display_name,
        Op::Patch { change, .. } => {
            f.patch
                && match change {
                    Change::DisplayName(_) => f.display_name,
                    Change::PathlessTitle(_) | Change::AddTitle(_) | Change::RemoveTitle => f.title,
                    Change::Department(_) => f.department,
                    Change::AddEmail(_) | Change::RemoveEmail(_) => f.emails,
                }
        }
        Op::FindByUserName(_) => f.filter,
        Op::FindByExternalId(_) => f.filter && f.external_id,
        Op::FindByDisplayName(_) => f.filter && f.display_name,
        Op::Page { .. } => f.filter && f.sort,
        Op::AddMember(_) | Op::RemoveMember(_) => f.groups && f.patch,
        Op::IfMatch { .. } => f.etag && f.patch && f.display_name,
    }
}

/// A sequence of `len` ops drawn by `next` (a source of uniform 64-bit numbers), over what `features` offers.
/// The draw leans towards what breaks servers: every slot created early (so pages have something to order), a
/// delete often followed by a create of the same slot (a rehire), and a write often followed by a read of what
/// it wrote (a GET, the userName lookup, the displayName lookup of the value just written, or a sorted page).
pub fn draw(len: usize, features: &Features, next: &mut dyn FnMut() -> u64) -> Vec<Op> {
    let mut ops = vec![Op::Create(0)];
    let mut created = [true, false, false];
    while ops.len() < len {
        let r = next();
        let last = ops.last().copied();
        let roll = r % 100;
        let op = match (last, created.iter().position(|c| !c)) {
            (Some(Op::Delete(s)), _) if roll < 55 => Op::Create(s),
            (Some(Op::Delete(s)), _) if roll < 70 => Op::CreateTwice(s),
            (Some(written), _) if roll < 55 && written_to(&written).is_some() => follow_up(&written, r >> 8),
            (_, Some(s)) if roll < 80 => Op::Create(s as Slot),
            _ => random_op(r),
        };
        if offered(&op, features) {
            if let Op::Create(s) = op {
                created[usize::from(s)] = true;
            }
            ops.push(op);
        }
    }
    ops
}

/// The user a write op writes to, and the displayName it sets, if it sets one.
fn written_to(op: &Op) -> Option<(Slot, Option<Val>)> {
    match *op {
        Op::Replace { user, value } | Op::IfMatch { user, value, .. } => Some((user, Some(value))),
        Op::PatchTogether { user, display, .. } => Some((user, Some(display))),
        Op::Patch { user, change: Change::DisplayName(v) } => Some((user, Some(v))),
        Op::Patch { user, .. } => Some((user, None)),
        _ => None,
    }
}

/// A read of what `written` wrote.
fn follow_up(written: &Op, r: u64) -> Op {
    let Some((s, value)) = written_to(written) else { return Op::Get(0) };
    match (value, r % 20) {
        (Some(v), 0..10) => Op::FindByDisplayName(v),
        (Some(_), 10..13) | (None, 0..8) => Op::Page { start: 1 },
        (Some(_), 13..16) | (None, 8..14) => Op::Get(s),
        _ => Op::FindByUserName(s),
    }
}

/// Any op, by the weights of a sequence's middle.
fn random_op(r: u64) -> Op {
    let slot = (r % u64::from(SLOTS)) as Slot;
    let value = ((r >> 8) % u64::from(VALUES)) as Val;
    let fresh = (r >> 16).is_multiple_of(2);
    let change = match (r >> 40) % 8 {
        0 | 7 => Change::DisplayName(value),
        1 => Change::PathlessTitle(value),
        2 => Change::AddTitle(value),
        3 => Change::RemoveTitle,
        4 => Change::Department(value),
        5 => Change::AddEmail(value % 2),
        _ => Change::RemoveEmail(value % 2),
    };
    match (r >> 24) % 100 {
        0..10 => Op::Create(slot),
        10..16 => Op::Get(slot),
        16..25 => Op::Replace { user: slot, value },
        25..50 => Op::Patch { user: slot, change },
        50..64 => Op::Delete(slot),
        64..70 => Op::FindByUserName(slot),
        70..73 => Op::FindByExternalId(slot),
        73..78 => Op::FindByDisplayName(value),
        78..84 => Op::Page { start: 1 + (value % 2) * 2 },
        84..88 => Op::AddMember(slot),
        88..91 => Op::RemoveMember(slot),
        91..95 => Op::IfMatch { user: slot, fresh, value },
        95..98 => Op::PatchTogether { user: slot, display: value, title: ((r >> 48) % u64::from(VALUES)) as Val },
        _ => Op::CreateTwice(slot),
    }
}

/// Sequences strictly smaller than `ops`, for shrinking: one op fewer (the first op kept when it is the only
/// create), then one op with a simpler payload (value 0, slot 0).
pub fn smaller(ops: &[Op]) -> Vec<Vec<Op>> {
    let mut out = Vec::new();
    for i in (0..ops.len()).rev() {
        let mut fewer = ops.to_vec();
        fewer.remove(i);
        if !fewer.is_empty() {
            out.push(fewer);
        }
    }
    for s in 1..SLOTS {
        if ops.iter().any(|op| slot_of(op) == Some(s)) {
            out.push(ops.iter().map(|op| relabel(op, s)).collect());
        }
    }
    for (i, op) in ops.iter().enumerate() {
        for simpler in simpler_op(op) {
            let mut changed = ops.to_vec();
            changed[i] = simpler;
            out.push(changed);
        }
    }
    out
}

/// The user slot an op names, if any.
fn slot_of(op: &Op) -> Option<Slot> {
    match *op {
        Op::Create(s) | Op::Get(s) | Op::Delete(s) | Op::FindByUserName(s) | Op::FindByExternalId(s) => Some(s),
        Op::CreateTwice(s) | Op::PatchTogether { user: s, .. } => Some(s),
        Op::AddMember(s) | Op::RemoveMember(s) => Some(s),
        Op::Replace { user, .. } | Op::Patch { user, .. } | Op::IfMatch { user, .. } => Some(user),
        Op::FindByDisplayName(_) | Op::Page { .. } => None,
    }
}

/// `op` with slots `s` and 0 swapped, so that a whole sequence can move to the first slot.
fn relabel(op: &Op, s: Slot) -> Op {
    let swap = |x: Slot| {
        if x == s {
            0
        } else if x == 0 {
            s
        } else {
            x
        }
    };
    match *op {
        Op::Create(x) => Op::Create(swap(x)),
        Op::CreateTwice(x) => Op::CreateTwice(swap(x)),
        Op::PatchTogether { user, display, title } => Op::PatchTogether { user: swap(user), display, title },
        Op::Get(x) => Op::Get(swap(x)),
        Op::Delete(x) => Op::Delete(swap(x)),
        Op::FindByUserName(x) => Op::FindByUserName(swap(x)),
        Op::FindByExternalId(x) => Op::FindByExternalId(swap(x)),
        Op::AddMember(x) => Op::AddMember(swap(x)),
        Op::RemoveMember(x) => Op::RemoveMember(swap(x)),
        Op::Replace { user, value } => Op::Replace { user: swap(user), value },
        Op::Patch { user, change } => Op::Patch { user: swap(user), change },
        Op::IfMatch { user, fresh, value } => Op::IfMatch { user: swap(user), fresh, value },
        other => other,
    }
}

/// Ops like `op` with a smaller slot or value.
fn simpler_op(op: &Op) -> Vec<Op> {
    let mut out = Vec::new();
    let slot0 = |s: Slot, f: &dyn Fn(Slot) -> Op| if s > 0 { Some(f(0)) } else { None };
    match *op {
        Op::Create(s) => out.extend(slot0(s, &Op::Create)),
        Op::CreateTwice(s) => {
            out.push(Op::Create(s));
            out.extend(slot0(s, &Op::CreateTwice));
        }
        Op::PatchTogether { user, display, title } => {
            out.push(Op::Patch { user, change: Change::DisplayName(display) });
            out.extend(slot0(user, &|s| Op::PatchTogether { user: s, display, title }));
        }
        Op::Get(s) => out.extend(slot0(s, &Op::Get)),
        Op::Delete(s) => out.extend(slot0(s, &Op::Delete)),
        Op::Replace { user, value } => {
            out.extend(slot0(user, &|s| Op::Replace { user: s, value }));
            if value > 0 {
                out.push(Op::Replace { user, value: 0 });
            }
        }
        Op::Patch { user, change } => out.extend(slot0(user, &|s| Op::Patch { user: s, change })),
        Op::IfMatch { user, fresh, value } => out.extend(slot0(user, &|s| Op::IfMatch { user: s, fresh, value })),
        Op::AddMember(s) => out.extend(slot0(s, &Op::AddMember)),
        Op::RemoveMember(s) => out.extend(slot0(s, &Op::RemoveMember)),
        Op::FindByUserName(s) => out.extend(slot0(s, &Op::FindByUserName)),
        Op::FindByExternalId(s) => out.extend(slot0(s, &Op::FindByExternalId)),
        Op::FindByDisplayName(_) | Op::Page { .. } => {}
    }
    out
}

/// The op in a few words, for reports: `create u0`, `patch u1 add title v2`.
pub fn describe(op: &Op) -> String {
    match *op {
        Op::Create(s) => format!("create u{s}"),
        Op::CreateTwice(s) => format!("create u{s} twice at once"),
        Op::PatchTogether { user, display, title } => {
            format!("patch u{user} displayName v{display} and, at once, title v{title}")
        }
        Op::Get(s) => format!("get u{s}"),
        Op::Replace { user, value } => format!("put u{user} displayName v{value} (no title)"),
        Op::Patch { user, change } => format!("patch u{user} {}", describe_change(&change)),
        Op::Delete(s) => format!("delete u{s}"),
        Op::FindByUserName(s) => format!("find userName of u{s}"),
        Op::FindByExternalId(s) => format!("find externalId of u{s}"),
        Op::FindByDisplayName(v) => format!("find displayName v{v}"),
        Op::Page { start } => format!("page sorted by userName from {start}"),
        Op::AddMember(s) => format!("add u{s} to the group"),
        Op::RemoveMember(s) => format!("remove u{s} from the group"),
        Op::IfMatch { user, fresh, value } => {
            format!("patch u{user} displayName v{value} if-match {}", if fresh { "current" } else { "stale" })
        }
    }
}

fn describe_change(c: &Change) -> String {
    match *c {
        Change::DisplayName(v) => format!("replace displayName v{v}"),
        Change::PathlessTitle(v) => format!("replace (no path) title v{v}"),
        Change::AddTitle(v) => format!("add title v{v}"),
        Change::RemoveTitle => "remove title".to_owned(),
        Change::Department(v) => format!("replace department v{v}"),
        Change::AddEmail(v) => format!("add email e{v}"),
        Change::RemoveEmail(v) => format!("remove email e{v}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(ops: &[Op]) -> (Model, Vec<Expect>) {
        let mut m = Model::new();
        let mut out = Vec::new();
        for op in ops {
            assert!(m.applies(op), "{op:?} applies");
            out.push(m.step(op).expect);
        }
        (m, out)
    }

    #[test]
    fn a_duplicate_is_refused_and_a_rehire_is_not() {
        let (m, e) = run(&[Op::Create(0), Op::Create(0), Op::Delete(0), Op::Get(0), Op::Create(0)]);
        assert_eq!(e, [Expect::Success, Expect::Conflict, Expect::Success, Expect::NotFound, Expect::Success]);
        assert_eq!(m.generation(0), 2);
        assert_eq!(m.user(0).map(|u| u.display_name), Some(Some(0)));
    }

    #[test]
    fn put_clears_what_it_omits_and_patch_keeps_it() {
        let p = |change| Op::Patch { user: 0, change };
        let (m, _) = run(&[Op::Create(0), p(Change::AddTitle(2)), p(Change::Department(1)), p(Change::DisplayName(3))]);
        let u = m.user(0).cloned().unwrap_or_default();
        assert_eq!((u.title, u.department, u.display_name, u.writes), (Some(2), Some(1), Some(3), 3));
        let (m, _) = run(&[Op::Create(0), p(Change::AddTitle(2)), Op::Replace { user: 0, value: 1 }]);
        assert_eq!(m.user(0).map(|u| u.title), Some(None));
    }

    #[test]
    fn a_write_that_changes_nothing_need_not_move_the_version() {
        let mut m = Model::new();
        m.step(&Op::Create(0));
        let s = m.step(&Op::Patch { user: 0, change: Change::DisplayName(0) });
        assert_eq!((s.expect, s.changed), (Expect::Success, None));
        let s = m.step(&Op::Patch { user: 0, change: Change::DisplayName(1) });
        assert_eq!(s.changed, Some(0));
    }

    #[test]
    fn lookups_and_pages_see_live_users_only() {
        let (_, e) = run(&[
            Op::Create(2),
            Op::Create(0),
            Op::Create(1),
            Op::Delete(1),
            Op::FindByUserName(1),
            Op::FindByDisplayName(0),
            Op::Page { start: 1 },
            Op::Page { start: 3 },
        ]);
        assert_eq!(e[4], Expect::Found(BTreeSet::new()));
        assert_eq!(e[5], Expect::Found([0, 2].into()));
        assert_eq!(e[6], Expect::Page { total: 2, slots: vec![0, 2] });
        assert_eq!(e[7], Expect::Page { total: 2, slots: vec![] });
    }

    #[test]
    fn a_stale_version_is_refused_and_changes_nothing() {
        let (m, e) = run(&[Op::Create(0), Op::IfMatch { user: 0, fresh: false, value: 3 }]);
        assert_eq!(e[1], Expect::PreconditionFailed);
        assert_eq!(m.user(0).map(|u| u.display_name), Some(Some(0)));
    }

    #[test]
    fn deleting_a_member_takes_it_out_of_the_group() {
        let (m, _) = run(&[Op::Create(0), Op::AddMember(0), Op::Delete(0)]);
        assert!(m.members().is_empty());
        assert!(!m.applies(&Op::RemoveMember(0)));
    }

    #[test]
    fn ops_whose_outcome_the_rfc_leaves_open_are_not_sent() {
        let mut m = Model::new();
        assert!(!m.applies(&Op::Get(0)), "no id yet");
        m.step(&Op::Create(0));
        assert!(!m.applies(&Op::Patch { user: 0, change: Change::RemoveTitle }));
        assert!(!m.applies(&Op::Patch { user: 0, change: Change::RemoveEmail(0) }));
    }

    #[test]
    fn draws_are_deterministic_and_respect_features() {
        let seq = |seed: u64, f: &Features| {
            let mut s = seed;
            draw(12, f, &mut || {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                s >> 11
            })
        };
        assert_eq!(seq(1, &Features::all()), seq(1, &Features::all()));
        assert_eq!(seq(1, &Features::all()).len(), 12);
        let bare = Features::default();
        assert!(seq(5, &bare).iter().all(|op| offered(op, &bare)));
        assert!(
            seq(5, &bare)
                .iter()
                .all(|op| matches!(op, Op::Create(_) | Op::CreateTwice(_) | Op::Get(_) | Op::Delete(_)))
        );
    }

    #[test]
    fn smaller_sequences_are_smaller() {
        let ops = [Op::Create(1), Op::Replace { user: 1, value: 2 }];
        let s = smaller(&ops);
        assert!(s.contains(&vec![Op::Create(1)]));
        assert!(s.contains(&vec![Op::Create(0), Op::Replace { user: 1, value: 2 }]));
        assert!(s.contains(&vec![Op::Create(1), Op::Replace { user: 1, value: 0 }]));
        assert!(s.iter().all(|c| c.len() <= ops.len() && c.as_slice() != ops));
    }
}
